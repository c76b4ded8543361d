// Package siptest holds test doubles for the sip package: a fake phone in
// Go (a diago user agent server whose behaviour is set per called user), a
// launcher for baresip test phones, and audio checks (Goertzel tone
// detection, RMS per window) for the WAV files they record.
package siptest

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/audio"
	"github.com/emiago/diago/media"
	"github.com/emiago/diago/media/sdp"
	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"

	"github.com/callbackline/callbackline/sip/internal/wav"
)

// Action is what the fake phone does with an INVITE.
type Action int

// Actions.
const (
	Answer  Action = iota // ring for Delay, then answer 200
	Busy                  // 486 Busy Here after Delay
	Decline               // 603 Decline after Delay
	Reject                // Status after Delay
	Ring                  // 180 Ringing, never answer (until CANCEL)
	Drop                  // no SIP response at all
	Refuse                // Status after Delay without ringing first, as a proxy or trunk refuses
)

// Behavior configures how the phone treats calls to one user.
type Behavior struct {
	Action Action
	Status int           // for Reject and Refuse
	Delay  time.Duration // time ringing before the final response
	// HangupAfter sends BYE this long after answering (0: never).
	HangupAfter time.Duration
	// Silent answers but sends no RTP at all (a dead peer).
	Silent bool
	// ToneHz is the frequency of the sine the phone sends; default 440.
	ToneHz float64
	// Play is an 8 kHz mono WAV the phone sends instead of a tone (looped).
	Play string
	// Record is the path of a WAV (8 kHz mono) of what the phone hears,
	// written when the call ends. Gaps in RTP are kept as silence.
	Record string
	// Codec limits the answer to one codec, "pcmu" or "pcma" (default:
	// the caller's first).
	Codec string
	// DTMF is a digit the phone sends (RFC 4733) DTMFAfter after answering.
	DTMF      rune
	DTMFAfter time.Duration
	// HoldAfter puts the caller on hold this long after answering (0:
	// never): the phone stops sending RTP, then sends a re-INVITE with
	// a=sendonly (HoldMode).
	HoldAfter time.Duration
	// HoldMode is the direction of the hold re-INVITE: "sendonly"
	// (default) or "inactive".
	HoldMode string
	// HoldFor takes the caller off hold this long after the hold
	// re-INVITE succeeded (0: the call stays on hold): a re-INVITE with
	// a=sendrecv, then RTP resumes unless SilentAfterUnhold is set.
	HoldFor time.Duration
	// SilentAfterUnhold keeps the phone from sending RTP after it took
	// the call off hold (it turns into a dead peer).
	SilentAfterUnhold bool
}

// Call is what happened to one INVITE at the phone.
type Call struct {
	User      string    // Request-URI user
	FromUser  string    // From user (caller ID)
	FromName  string    // From display name
	Invited   time.Time // INVITE received
	Answered  time.Time // 200 OK sent (taken just before sending it)
	FirstRTP  time.Time // first RTP packet received after answering
	Ended     time.Time
	Cancelled bool // CANCEL (or the caller's BYE before answer) ended it
	Dropped   bool // the INVITE got no response at all (Drop); Ended = Invited
	RemoteBye bool // the caller hung up the answered call
	Packets   int  // RTP packets received
	Sent      int  // RTP packets sent
	Codec     string
	Transport string    // the INVITE's transport: UDP, TCP or TLS
	Held      time.Time // the hold re-INVITE got its 200 (HoldAfter)
	Unheld    time.Time // the unhold re-INVITE got its 200 (HoldFor)
	Err       error
}

// Phone is a fake SIP phone on 127.0.0.1 for tests.
type Phone struct {
	dg      *diago.Diago
	ua      *sipgo.UserAgent
	addr    string
	tlsAddr string // "" unless NewTLSPhone
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup

	mu         sync.Mutex
	behavior   map[string]Behavior
	def        Behavior
	calls      []*Call
	notify     chan struct{}
	auth       *Credentials
	authOK     int
	authBad    int
	registered []string
	closing    bool
}

// Registrations returns the users that have registered (REGISTER with
// valid credentials, when RequireAuth is set), one entry per REGISTER.
func (p *Phone) Registrations() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.registered)
}

// register acts as a registrar: it accepts every (authorised) REGISTER.
func (p *Phone) register(req *sip.Request, tx sip.ServerTransaction) {
	if !p.authorized(req, tx) {
		return
	}
	res := sip.NewResponseFromRequest(req, sip.StatusOK, "OK", nil)
	if c := req.Contact(); c != nil {
		res.AppendHeader(c.Clone())
	}
	if e := req.GetHeader("Expires"); e != nil {
		res.AppendHeader(sip.NewHeader("Expires", e.Value()))
	}
	// Recorded before the answer: whoever waits for the answer finds it.
	p.mu.Lock()
	if t := req.To(); t != nil {
		p.registered = append(p.registered, t.Address.User)
	}
	p.mu.Unlock()
	_ = tx.Respond(res)
}

// Credentials make the phone challenge every INVITE (401, digest MD5).
type Credentials struct {
	Realm, Username, Password string
}

// RequireAuth makes the phone answer INVITEs without valid digest
// credentials with 401 Unauthorized.
func (p *Phone) RequireAuth(c Credentials) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.auth = &c
}

// AuthCounts returns how many INVITEs carried valid and invalid credentials.
func (p *Phone) AuthCounts() (ok, bad int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.authOK, p.authBad
}

// authorized checks the INVITE's credentials and challenges it when they
// are missing or wrong; it reports whether the request may proceed.
func (p *Phone) authorized(req *sip.Request, tx sip.ServerTransaction) bool {
	p.mu.Lock()
	a := p.auth
	p.mu.Unlock()
	if a == nil {
		return true
	}
	chal := digest.Challenge{Realm: a.Realm, Nonce: "n" + strconv.FormatInt(time.Now().UnixNano(), 36), Algorithm: "MD5", QOP: []string{"auth"}}
	if h := req.GetHeader("Authorization"); h != nil {
		cred, err := digest.ParseCredentials(h.Value())
		if err == nil {
			chal.Nonce = cred.Nonce
			want, err := digest.Digest(&chal, digest.Options{Method: req.Method.String(), URI: cred.URI, Username: a.Username, Password: a.Password, Cnonce: cred.Cnonce, Count: cred.Nc})
			ok := err == nil && cred.Username == a.Username && want.Response == cred.Response
			p.mu.Lock()
			if ok {
				p.authOK++
			} else {
				p.authBad++
			}
			p.mu.Unlock()
			if ok {
				return true
			}
			_ = tx.Respond(sip.NewResponseFromRequest(req, sip.StatusForbidden, "Forbidden", nil))
			return false
		}
	}
	res := sip.NewResponseFromRequest(req, sip.StatusUnauthorized, "Unauthorized", nil)
	res.AppendHeader(sip.NewHeader("WWW-Authenticate", chal.String()))
	_ = tx.Respond(res)
	return false
}

// NewPhone starts a fake phone on a free port of 127.0.0.1 (UDP and TCP). By default
// it answers every call at once and sends a 440 Hz tone; set behaviours per
// user with Set. Close stops it.
func NewPhone(ctx context.Context) (*Phone, error) {
	return newPhone(ctx, nil)
}

// StartPhone is NewPhone for a test: it fails t when the phone does not
// start, and closes the phone when the test ends.
func StartPhone(t testing.TB) *Phone {
	t.Helper()
	ph, err := NewPhone(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ph.Close)
	return ph
}

// NewTLSPhone is NewPhone that also takes calls over TLS with the given
// configuration (its Certificates serve, its RootCAs verify the dialer
// when the phone sends in-dialog requests), on the port after Addr's (see
// TLSAddr).
func NewTLSPhone(ctx context.Context, conf *tls.Config) (*Phone, error) {
	if conf == nil {
		return nil, errors.New("siptest: NewTLSPhone needs a TLS configuration")
	}
	return newPhone(ctx, conf)
}

// TLSAddr is the phone's SIP-over-TLS address (NewTLSPhone), "" without.
func (p *Phone) TLSAddr() string { return p.tlsAddr }

func newPhone(ctx context.Context, tlsConf *tls.Config) (*Phone, error) {
	port, err := FreePortPair()
	if err != nil {
		return nil, err
	}
	p := &Phone{behavior: map[string]Behavior{}, notify: make(chan struct{}, 1),
		addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port))}
	uaOpts := []sipgo.UserAgentOption{sipgo.WithUserAgent("fakephone")}
	if tlsConf != nil {
		// In-dialog requests (the phone's BYE) go to the dialer's TLS
		// Contact: verified against the configuration's RootCAs.
		uaOpts = append(uaOpts, sipgo.WithUserAgenTLSConfig(&tls.Config{RootCAs: tlsConf.RootCAs, MinVersion: tls.VersionTLS12}))
	}
	ua, err := sipgo.NewUA(uaOpts...)
	if err != nil {
		return nil, err
	}
	quiet := slog.New(slog.DiscardHandler)
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(quiet))
	if err != nil {
		return nil, err
	}
	srv.OnRegister(p.register)
	opts := []diago.DiagoOption{
		diago.WithServer(srv),
		diago.WithTransport(diago.Transport{Transport: "udp", BindHost: "127.0.0.1", BindPort: port}),
		diago.WithTransport(diago.Transport{Transport: "tcp", BindHost: "127.0.0.1", BindPort: port}),
	}
	if tlsConf != nil {
		opts = append(opts, diago.WithTransport(diago.Transport{Transport: "tls", BindHost: "127.0.0.1", BindPort: port + 1, TLSConf: tlsConf}))
		p.tlsAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port+1))
	}
	p.dg = diago.NewDiago(ua, append(opts,
		diago.WithMediaConfig(diago.MediaConfig{Codecs: []media.Codec{media.CodecAudioUlaw, media.CodecAudioAlaw, media.CodecTelephoneEvent8000}}),
		diago.WithLogger(quiet),
		diago.WithServerRequestMiddleware(p.middleware),
	)...)
	p.ctx, p.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if err := p.dg.ServeBackground(p.ctx, p.serve); err != nil {
		p.cancel()
		return nil, err
	}
	p.ua = ua
	if err := waitUDPListener(p.ctx, ua); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// waitUDPListener waits until sipgo's UDP transport holds the phone's
// listening socket: diago reports ready before sipgo adds it to its pool,
// and a request sent before that binds a second socket to the same port.
// The minute only guards against a hang.
func waitUDPListener(ctx context.Context, ua *sipgo.UserAgent) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for ua.TransportLayer().Pool("udp").Size() == 0 {
		select {
		case <-ctx.Done():
			return fmt.Errorf("fake phone: the UDP listener did not start: %w", ctx.Err())
		case <-tick.C:
		}
	}
	return nil
}

// Addr is the phone's SIP address, 127.0.0.1:port.
func (p *Phone) Addr() string { return p.addr }

// URI returns sip:user@addr.
func (p *Phone) URI(user string) string { return "sip:" + user + "@" + p.addr }

// Set sets the behaviour for calls to user ("" for any other user).
func (p *Phone) Set(user string, b Behavior) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if user == "" {
		p.def = b
		return
	}
	p.behavior[user] = b
}

func (p *Phone) behaviorFor(user string) Behavior {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b, ok := p.behavior[user]; ok {
		return b
	}
	return p.def
}

// Calls returns copies of the calls the phone has seen, in arrival order.
func (p *Phone) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Call, len(p.calls))
	for i, c := range p.calls {
		out[i] = *c
	}
	return out
}

// WaitCalls waits until n calls have ended (or ctx is done) and returns them.
func (p *Phone) WaitCalls(ctx context.Context, n int) ([]Call, error) {
	for {
		cs := p.Calls()
		ended := 0
		for _, c := range cs {
			if !c.Ended.IsZero() {
				ended++
			}
		}
		if ended >= n {
			return cs, nil
		}
		select {
		case <-ctx.Done():
			return cs, fmt.Errorf("fake phone: %d of %d calls ended: %w", ended, n, ctx.Err())
		case <-p.notify:
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Close hangs up the phone's calls and stops it.
func (p *Phone) Close() {
	p.mu.Lock()
	p.closing = true
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
	_ = p.ua.Close()
}

func (p *Phone) record(c *Call) {
	p.mu.Lock()
	p.calls = append(p.calls, c)
	p.mu.Unlock()
}

func (p *Phone) update(f func()) {
	p.mu.Lock()
	f()
	p.mu.Unlock()
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// middleware drops INVITEs for users whose behaviour is Drop.
func (p *Phone) middleware(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sip.Request, tx sip.ServerTransaction) {
		if req.Method == sip.INVITE && req.To() != nil && !req.To().Params.Has("tag") {
			if !p.authorized(req, tx) {
				return
			}
			user := req.Recipient.User
			if p.behaviorFor(user).Action == Drop {
				c := &Call{User: user, Invited: time.Now(), Dropped: true}
				c.Ended = c.Invited
				if f := req.From(); f != nil {
					c.FromUser, c.FromName = f.Address.User, f.DisplayName
				}
				p.mu.Lock()
				known := false
				for _, k := range p.calls {
					if k.User == user && k.Invited.After(time.Now().Add(-40*time.Second)) && k.Dropped {
						known = true // a retransmission
					}
				}
				if !known {
					p.calls = append(p.calls, c)
				}
				p.mu.Unlock()
				return
			}
		}
		next(req, tx)
	}
}

// serve answers one INVITE as its Behavior says: it rings, then answers,
// rejects or keeps ringing.
func (p *Phone) serve(in *diago.DialogServerSession) {
	p.mu.Lock()
	if p.closing {
		p.mu.Unlock()
		return
	}
	p.wg.Add(1)
	p.mu.Unlock()
	defer p.wg.Done()
	user := in.InviteRequest.Recipient.User
	b := p.behaviorFor(user)
	c := &Call{User: user, Invited: time.Now(), Transport: strings.ToUpper(in.InviteRequest.Transport())}
	if f := in.InviteRequest.From(); f != nil {
		c.FromUser, c.FromName = f.Address.User, f.DisplayName
	}
	p.record(c)
	defer p.update(func() {
		if c.Ended.IsZero() {
			c.Ended = time.Now()
		}
	})
	ctx := in.Context()
	_ = in.Trying()
	if b.Action == Refuse {
		if p.wait(ctx, b.Delay) {
			_ = in.Respond(b.Status, "Refused", nil)
		}
		return
	}
	_ = in.Ringing()
	if b.Action == Ring {
		b.Delay = 24 * time.Hour
	}
	if !p.wait(ctx, b.Delay) {
		p.update(func() { c.Cancelled = ctx.Err() != nil })
		return
	}
	switch b.Action {
	case Busy:
		_ = in.Respond(sip.StatusBusyHere, "Busy Here", nil)
		return
	case Decline:
		_ = in.Respond(sip.StatusGlobalDecline, "Decline", nil)
		return
	case Reject:
		_ = in.Respond(b.Status, "Rejected", nil)
		return
	}
	p.answer(ctx, in, c, b)
}

// wait waits d, or reports false when the call or the phone ends first.
func (p *Phone) wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil && p.ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-p.ctx.Done():
		return false
	}
}

// answer answers the call, sends and records audio as b says, and hangs
// up after b.HangupAfter, or waits for the caller to.
func (p *Phone) answer(ctx context.Context, in *diago.DialogServerSession, c *Call, b Behavior) {
	answering := time.Now()
	var aopts diago.AnswerOptions
	switch b.Codec {
	case "pcmu":
		aopts.Codecs = []media.Codec{media.CodecAudioUlaw, media.CodecTelephoneEvent8000}
	case "pcma":
		aopts.Codecs = []media.Codec{media.CodecAudioAlaw, media.CodecTelephoneEvent8000}
	}
	med, err := in.Answer(aopts)
	if err != nil {
		p.update(func() { c.Err = err })
		return
	}
	defer med.Close()
	codec := media.CodecAudioFromSession(med.MediaSession())
	p.update(func() { c.Answered = answering; c.Codec = codec.Name })

	callCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	// Receive (and optionally record).
	r, err := med.AudioReader()
	if err == nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.receive(c, r, codec, med.RTPPacketReader, b.Record)
		}()
	}
	var muted atomic.Bool // no RTP while on hold
	if !b.Silent {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.send(callCtx, c, med, codec, b, &muted)
		}()
	}
	if b.HoldAfter > 0 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.hold(callCtx, c, in, med, b, &muted)
		}()
	}
	if b.HangupAfter > 0 {
		if p.wait(ctx, b.HangupAfter) {
			hctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			_ = in.Hangup(hctx)
			cancel()
		}
	} else {
		select {
		case <-ctx.Done():
			p.update(func() { c.RemoteBye = true })
		case <-p.ctx.Done():
		}
	}
	stop()
	_ = med.Close()
	wg.Wait() // the recording is written; the deferred update sets Ended
}

// hold puts the caller on hold after b.HoldAfter (muting the sender first)
// and, with b.HoldFor, takes it off hold again. Failures go to c.Err.
func (p *Phone) hold(ctx context.Context, c *Call, in *diago.DialogServerSession, med *diago.DialogMedia, b Behavior, muted *atomic.Bool) {
	sleep := func(d time.Duration) bool {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	fail := func(what string, err error) {
		if ctx.Err() == nil { // not a call that ended meanwhile
			p.update(func() { c.Err = errors.Join(c.Err, fmt.Errorf("%s: %w", what, err)) })
		}
	}
	if !sleep(b.HoldAfter) {
		return
	}
	muted.Store(true)
	var err error
	switch b.HoldMode {
	case "", sdp.ModeSendonly:
		err = in.Hold(ctx)
	case sdp.ModeInactive:
		// diago's Hold offers sendonly only: set the direction of the
		// session the re-INVITE's offer is forked from. Only this
		// goroutine touches Mode while the call is up.
		med.MediaSession().Mode = sdp.ModeInactive
		err = in.ReInvite(ctx)
	default:
		err = fmt.Errorf("unknown HoldMode %q", b.HoldMode)
	}
	if err != nil {
		fail("hold re-INVITE", err)
		return
	}
	p.update(func() { c.Held = time.Now() })
	if b.HoldFor <= 0 || !sleep(b.HoldFor) {
		return
	}
	if err := in.Unhold(ctx); err != nil {
		fail("unhold re-INVITE", err)
		return
	}
	p.update(func() { c.Unheld = time.Now() })
	if !b.SilentAfterUnhold {
		muted.Store(false)
	}
}

// send writes 20 ms frames of the tone (or the WAV) until ctx is done;
// nothing while muted is set.
func (p *Phone) send(ctx context.Context, c *Call, med *diago.DialogMedia, codec media.Codec, b Behavior, muted *atomic.Bool) {
	var frames [][]byte
	var err error
	if b.Play != "" {
		frames, err = wavFrames(b.Play, codec)
	} else {
		hz := b.ToneHz
		if hz == 0 {
			hz = 440
		}
		frames, err = toneFrames(hz, codec)
	}
	if err != nil {
		return
	}
	var w io.Writer
	var dw *diago.DTMFWriter
	if b.DTMF != 0 {
		if dw, err = med.AudioWriterDTMF(); err != nil {
			return
		}
		w = dw
	} else if w, err = med.AudioWriter(); err != nil {
		return
	}
	start := time.Now()
	sentDTMF := b.DTMF == 0
	pause := time.NewTicker(20 * time.Millisecond)
	defer pause.Stop()
	for i := 0; ctx.Err() == nil; i++ {
		if muted.Load() {
			select {
			case <-pause.C:
			case <-ctx.Done():
			}
			continue
		}
		if !sentDTMF && time.Since(start) >= b.DTMFAfter {
			sentDTMF = true
			if dw.WriteDTMF(b.DTMF) != nil {
				return
			}
			continue
		}
		if _, err := w.Write(frames[i%len(frames)]); err != nil {
			return
		}
		p.mu.Lock()
		c.Sent++
		p.mu.Unlock()
	}
}

func (p *Phone) receive(c *Call, r io.Reader, codec media.Codec, pr *media.RTPPacketReader, path string) {
	buf := make([]byte, media.RTPBufSize)
	pcm := make([]byte, 2*media.RTPBufSize)
	var rec []int16
	var start time.Time
	for {
		n, err := r.Read(buf)
		if err != nil {
			break
		}
		now := time.Now()
		first := false
		p.mu.Lock()
		c.Packets++
		if c.FirstRTP.IsZero() {
			c.FirstRTP, first = now, true
		}
		p.mu.Unlock()
		if path == "" || n == 0 || pr.PacketHeader.PayloadType != codec.PayloadType {
			continue
		}
		if first {
			start = c.Answered
		}
		var k int
		if codec.PayloadType == media.CodecAudioAlaw.PayloadType {
			k, err = audio.DecodeAlawTo(pcm, buf[:n])
		} else {
			k, err = audio.DecodeUlawTo(pcm, buf[:n])
		}
		if err != nil {
			continue
		}
		due := int(now.Sub(start)*8000/time.Second) - k/2
		if due-len(rec) > 480 { // keep gaps over 60 ms as silence
			rec = append(rec, make([]int16, due-len(rec))...)
		}
		for i := 0; i < k/2; i++ {
			rec = append(rec, int16(uint16(pcm[2*i])|uint16(pcm[2*i+1])<<8))
		}
	}
	if path != "" {
		if err := wav.Write(path, wav.Format{Rate: 8000, Channels: 1}, rec); err != nil {
			p.update(func() { c.Err = errors.Join(c.Err, err) })
		}
	}
}

var (
	frameMu    sync.Mutex
	frameCache = map[string][][]byte{}
)

// toneFrames returns one second of a sine as encoded 20 ms frames, cached.
func toneFrames(hz float64, codec media.Codec) ([][]byte, error) {
	key := fmt.Sprintf("%g/%d", hz, codec.PayloadType)
	frameMu.Lock()
	defer frameMu.Unlock()
	if f, ok := frameCache[key]; ok {
		return f, nil
	}
	s := Tone(hz, 8000, 8000, 0.5)
	f, err := encodeFrames(s, codec)
	if err == nil {
		frameCache[key] = f
	}
	return f, err
}

func wavFrames(path string, codec media.Codec) ([][]byte, error) {
	format, s, err := wav.Samples(path)
	if err != nil {
		return nil, err
	}
	if format.Rate != 8000 || format.Channels != 1 {
		return nil, fmt.Errorf("%s: need 8000 Hz mono", path)
	}
	return encodeFrames(s, codec)
}

func encodeFrames(s []int16, codec media.Codec) ([][]byte, error) {
	var frames [][]byte
	pcm := make([]byte, 320)
	for i := 0; i+160 <= len(s); i += 160 {
		for j := 0; j < 160; j++ {
			pcm[2*j], pcm[2*j+1] = byte(s[i+j]), byte(uint16(s[i+j])>>8)
		}
		out := make([]byte, 160)
		var err error
		if codec.PayloadType == media.CodecAudioAlaw.PayloadType {
			_, err = audio.EncodeAlawTo(out, pcm)
		} else {
			_, err = audio.EncodeUlawTo(out, pcm)
		}
		if err != nil {
			return nil, err
		}
		frames = append(frames, out)
	}
	if len(frames) == 0 {
		return nil, errors.New("audio shorter than one frame")
	}
	return frames, nil
}

// Tone returns n samples of a sine of frequency hz at the sample rate and
// amplitude (0–1 of full scale).
func Tone(hz float64, rate, n int, amp float64) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(amp * 32767 * math.Sin(2*math.Pi*hz*float64(i)/float64(rate)))
	}
	return s
}

// Dial calls uri from the phone (a UAC call), records what it hears to
// record (if set) and hangs up after hold unless the far end hangs up
// first. The returned Call has Answered, Ended, RemoteBye and Packets set.
func (p *Phone) Dial(ctx context.Context, uri string, record string, hold time.Duration) (Call, error) {
	var u sip.Uri
	if err := sip.ParseUri(uri, &u); err != nil {
		return Call{}, err
	}
	c := &Call{User: u.User, Invited: time.Now()}
	d, med, err := p.dg.Invite(ctx, u, diago.InviteOptions{})
	if err != nil {
		c.Ended = time.Now()
		c.Err = err
		return *c, err
	}
	defer d.Close()
	c.Answered = time.Now()
	codec := media.CodecAudioFromSession(med.MediaSession())
	c.Codec = codec.Name
	r, err := med.AudioReader()
	if err != nil {
		return *c, err
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.receive(c, r, codec, med.RTPPacketReader, record)
	}()
	t := time.NewTimer(hold)
	defer t.Stop()
	select {
	case <-d.Context().Done():
		c.RemoteBye = true
	case <-t.C:
		hctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		_ = d.Hangup(hctx)
		cancel()
	case <-ctx.Done():
	}
	_ = med.Close()
	<-done
	c.Ended = time.Now()
	return *c, nil
}
