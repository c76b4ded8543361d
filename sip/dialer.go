package sip

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"log/slog"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/diago"
	"github.com/emiago/diago/media"
	"github.com/emiago/sipgo"
	sipgosip "github.com/emiago/sipgo/sip"
)

// open is set while a Dialer exists: diago's RTP port range is global.
var (
	open       atomic.Bool
	loggerOnce sync.Once
)

// Dialer places callbacks. Create it with New, use it from any number of
// goroutines, and Close it when done. Only one Dialer may be open per process.
type Dialer struct {
	cfg    Config
	log    *slog.Logger
	dg     *diago.Diago
	ua     *sipgo.UserAgent
	codecs []media.Codec
	addr   string

	ctx    context.Context // listener and registrations
	cancel context.CancelFunc
	wg     sync.WaitGroup // registrations, abandoned INVITE transactions

	callCtx    context.Context // calls in progress
	callCancel context.CancelFunc
	calls      sync.WaitGroup
	mu         sync.Mutex
	closed     bool

	regs      []*registration
	regCtx    context.Context // registrations: stopped (unregistered) before the listener
	regCancel context.CancelFunc
	regWG     sync.WaitGroup

	legs sync.Map // Call-ID → *leg: outbound legs whose re-INVITEs are watched for hold
	own  owned    // the portals' own trunks

	lookup Lookup // resolves the hosts of the portals' own trunks; nil: netpolicy.Resolve
}

type registration struct {
	trunk string
	ok    atomic.Bool
	err   atomic.Pointer[error]
}

// New starts the SIP user agent: it listens on cfg.Listen, keeps the
// configured registrations alive and answers inbound INVITEs with 403
// unless cfg.Inbound.Accept is set. The context bounds start-up only;
// Close stops the dialer.
func New(ctx context.Context, cfg Config, logger *slog.Logger) (*Dialer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if !open.CompareAndSwap(false, true) {
		return nil, &Error{Kind: KindInvalid, Field: "sip", Reason: "a Dialer is already open in this process (diago's RTP port range is global); Close it first"}
	}
	c := cfg.withDefaults()
	d := &Dialer{cfg: c, log: logger.With("component", "sip")}
	ok := false
	defer func() {
		if !ok {
			open.Store(false)
		}
	}()
	tran, err := d.transport(ctx)
	if err != nil {
		return nil, err
	}
	useRTPPorts(c.RTPPorts)
	for _, name := range c.Codecs {
		cd, _ := codecByName(name)
		d.codecs = append(d.codecs, cd)
	}
	d.codecs = append(d.codecs, media.CodecTelephoneEvent8000)
	if err := d.listen(ctx, tran, logger); err != nil {
		return nil, err
	}
	d.startRegistrations()
	ok = true
	d.log.Info("sip dialer listening", "addr", d.addr, "transport", c.Transport)
	return d, nil
}

// transport picks the listening port (a free one for port 0), sets d.addr
// and returns diago's transport: bind address, the external address behind
// NAT, and TLS.
func (d *Dialer) transport(ctx context.Context) (diago.Transport, error) {
	c := &d.cfg
	host, portStr, _ := net.SplitHostPort(c.Listen)
	port, _ := strconv.Atoi(portStr)
	if port == 0 {
		p, err := freePort(c.Transport, host)
		if err != nil {
			return diago.Transport{}, &Error{Kind: KindUnreachable, Reason: "cannot find a free SIP port", Err: err}
		}
		port = p
	}
	d.addr = net.JoinHostPort(host, strconv.Itoa(port))
	tran := diago.Transport{Transport: c.Transport, BindHost: host, BindPort: port}
	if c.ExternalAddress != "" {
		eh, ep := c.ExternalAddress, port
		if h, p, err := net.SplitHostPort(c.ExternalAddress); err == nil {
			eh = h
			ep, _ = strconv.Atoi(p)
		}
		tran.ExternalHost, tran.ExternalPort = eh, ep
		if ip := net.ParseIP(eh); ip != nil {
			tran.MediaExternalIP = ip
		} else if ips, err := net.DefaultResolver.LookupIP(ctx, "ip4", eh); err == nil && len(ips) > 0 {
			tran.MediaExternalIP = ips[0]
		}
	}
	if c.Transport == "tls" {
		tc, err := tlsConfig(c.TLS)
		if err != nil {
			return diago.Transport{}, err
		}
		tran.TLSConf = tc
	}
	return tran, nil
}

// useRTPPorts sets diago's RTP port range. Package globals: written only
// when they change, so that media sessions being set up elsewhere in the
// process (test phones) do not race with a Dialer that reuses the same
// range.
func useRTPPorts(r PortRange) {
	if media.RTPPortStart != r.Min || media.RTPPortEnd != r.Max+1 {
		media.RTPPortStart, media.RTPPortEnd = r.Min, r.Max+1
	}
}

// listen creates the user agent and diago on tran and starts serving.
func (d *Dialer) listen(ctx context.Context, tran diago.Transport, logger *slog.Logger) error {
	uaOpts := []sipgo.UserAgentOption{sipgo.WithUserAgent(d.cfg.UserAgent)}
	if tran.TLSConf != nil {
		// Outgoing TLS verifies the far end against CAFile (or the system roots).
		uaOpts = append(uaOpts, sipgo.WithUserAgenTLSConfig(&tls.Config{RootCAs: tran.TLSConf.RootCAs, MinVersion: tls.VersionTLS12}))
	}
	// diago and sipgo log SIP headers (with phone numbers) at Warn and
	// below: give them errors only. Their package-level loggers are set
	// once per process, from the first Dialer's logger, before the user
	// agent (its transport layer takes the default logger when made).
	quiet := slog.New(levelHandler{logger.Handler(), slog.LevelError})
	loggerOnce.Do(func() {
		sipgosip.SetDefaultLogger(quiet)
		media.SetDefaultLogger(quiet)
	})
	ua, err := sipgo.NewUA(uaOpts...)
	if err != nil {
		return &Error{Kind: KindInternal, Reason: "cannot create the SIP user agent", Err: err}
	}
	d.dg = diago.NewDiago(ua,
		diago.WithTransport(tran),
		diago.WithMediaConfig(diago.MediaConfig{Codecs: d.codecs}),
		diago.WithLogger(quiet),
		diago.WithServerRequestMiddleware(d.watchHolds),
	)
	d.ctx, d.cancel = context.WithCancel(context.Background())
	d.callCtx, d.callCancel = context.WithCancel(context.Background())
	d.regCtx, d.regCancel = context.WithCancel(d.ctx)
	if err := d.dg.ServeBackground(d.ctx, d.inbound); err != nil {
		d.cancel()
		d.callCancel()
		ua.Close()
		return &Error{Kind: KindUnreachable, Reason: "cannot listen on " + d.addr + ": is the port free?", Err: err}
	}
	waitListener(ctx, ua, d.cfg.Transport)
	d.ua = ua
	return nil
}

// listenerWait bounds waitListener: past it the dialer goes on, as it
// would have without the wait.
const listenerWait = 5 * time.Second

// waitListener waits until sipgo's UDP transport holds the listening
// socket (the only connection in its pool at start-up). diago reports ready before sipgo adds it to its pool, and a
// request sent before that binds a second socket to the same port
// ("address already in use"). TCP and TLS have no such window.
func waitListener(ctx context.Context, ua *sipgo.UserAgent, transport string) {
	if transport != "udp" {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, listenerWait)
	defer cancel()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		if ua.TransportLayer().Pool("udp").Size() > 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// startRegistrations keeps each trunk with Register registered, each in
// its own goroutine that Close stops.
func (d *Dialer) startRegistrations() {
	for i := range d.cfg.Trunks {
		t := &d.cfg.Trunks[i]
		if t.Register {
			r := &registration{trunk: t.Name}
			d.regs = append(d.regs, r)
			d.regWG.Add(1)
			go d.register(d.regCtx, t, r)
		}
	}
}

// Addr returns the local SIP address the dialer listens on.
func (d *Dialer) Addr() string { return d.addr }

// Ready reports whether every configured registration is in place; nil
// when there are none. The error is an *Error of KindUnreachable.
func (d *Dialer) Ready() error {
	if d.isClosed() {
		return ErrClosed
	}
	for _, r := range d.regs {
		if !r.ok.Load() {
			var cause error
			if p := r.err.Load(); p != nil {
				cause = *p
			}
			return &Error{Kind: KindUnreachable, Reason: "trunk " + strconv.Quote(r.trunk) + " is not registered: check registrar, username and password", Err: cause}
		}
	}
	return nil
}

// Close hangs up every call in progress, unregisters and stops listening.
// It waits for the calls to end.
func (d *Dialer) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.mu.Unlock()
	// Calls first, while the transport can still carry their BYEs; then
	// the registrations (their unregister too needs the transport), then
	// the listener and abandoned transactions.
	d.callCancel()
	d.calls.Wait()
	d.regCancel()
	d.regWG.Wait()
	d.own.mu.Lock()
	d.own.m = nil
	d.own.mu.Unlock()
	d.cancel()
	d.wg.Wait()
	_ = d.ua.Close()
	open.Store(false)
	return nil
}

func (d *Dialer) isClosed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closed
}

// acquire registers a call with the dialer so Close waits for it.
func (d *Dialer) acquire() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	d.calls.Add(1)
	return true
}

// register keeps trunk t registered until ctx is done (then it
// unregisters), retrying a failed registration with a growing pause.
func (d *Dialer) register(ctx context.Context, t *Trunk, r *registration) {
	defer d.regWG.Done()
	backoff := 5 * time.Second
	for {
		err := d.keepRegistered(ctx, t, r)
		r.ok.Store(false)
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			r.err.Store(&err)
			d.log.Warn("sip registration failed; retrying", "trunk", t.Name, "retry_in", backoff, "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Minute)
	}
}

// inbound handles calls that come in.
func (d *Dialer) inbound(in *diago.DialogServerSession) {
	if !d.cfg.Inbound.Accept {
		if err := in.Respond(sipgosip.StatusForbidden, "Forbidden", nil); err != nil {
			d.log.Debug("sip inbound reject failed", "error", err)
		}
		d.log.Info("sip inbound call rejected (403): inbound calls are not accepted")
		return
	}
	if !d.acquire() {
		_ = in.Respond(sipgosip.StatusServiceUnavailable, "Shutting down", nil)
		return
	}
	defer d.calls.Done()
	med, err := in.Answer(diago.AnswerOptions{})
	if err != nil {
		d.log.Warn("sip inbound answer failed", "error", err)
		return
	}
	defer med.Close()
	if d.cfg.Inbound.Announcement == "" {
		return
	}
	ctx, cancel := context.WithCancel(in.Context())
	defer cancel()
	stop := context.AfterFunc(d.callCtx, cancel)
	defer stop()
	l := &leg{med: med, codec: media.CodecAudioFromSession(med.MediaSession())}
	w, err := med.AudioWriter()
	if err != nil {
		return
	}
	l.writer = w
	src, err := openWAVSource(d.cfg.Inbound.Announcement)
	if err != nil {
		d.log.Warn("sip inbound announcement", "error", err)
		return
	}
	defer src.Close()
	_ = l.play(ctx, src, nil)
}

func tlsConfig(c TLSConfig) (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(c.CertFile, c.KeyFile)
	if err != nil {
		return nil, &Error{Kind: KindInvalid, Field: "sip.tls", Reason: "cannot load the certificate and key", Err: err}
	}
	tc := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if c.CAFile != "" {
		pem, err := os.ReadFile(c.CAFile)
		if err != nil {
			return nil, &Error{Kind: KindInvalid, Field: "sip.tls.ca_file", Reason: "cannot read the file", Err: err}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &Error{Kind: KindInvalid, Field: "sip.tls.ca_file", Reason: "no PEM certificates in the file"}
		}
		tc.RootCAs = pool
	}
	return tc, nil
}

func codecByName(name string) (media.Codec, bool) {
	switch name {
	case "pcmu", "PCMU":
		return media.CodecAudioUlaw, true
	case "pcma", "PCMA":
		return media.CodecAudioAlaw, true
	}
	return media.Codec{}, false
}

func freePort(transport, host string) (int, error) {
	if transport == "udp" {
		c, err := net.ListenPacket("udp", net.JoinHostPort(host, "0"))
		if err != nil {
			return 0, err
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port, nil
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func portOr(p, def int) int {
	if p == 0 {
		return def
	}
	return p
}

// levelHandler drops records below a level.
type levelHandler struct {
	slog.Handler
	min slog.Level
}

// Enabled drops records below the minimum level.
func (h levelHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

// WithAttrs keeps the minimum level.
func (h levelHandler) WithAttrs(a []slog.Attr) slog.Handler {
	return levelHandler{h.Handler.WithAttrs(a), h.min}
}

// WithGroup keeps the minimum level.
func (h levelHandler) WithGroup(n string) slog.Handler {
	return levelHandler{h.Handler.WithGroup(n), h.min}
}

// HasLine reports whether the configuration has a line with the number
// (see Plan.Line).
func (d *Dialer) HasLine(number string) bool {
	for _, l := range d.cfg.Lines {
		if l.Number == number {
			return true
		}
	}
	return false
}

// CheckExtension reports whether ext may be dialled for a callback of the
// portal memberID on the line number: the extension rule of the trunk the
// call goes out through (see Plan.Portal); the default rule when there is
// none. The error is an *Error of KindInvalid; Callback refuses such a
// plan before any INVITE.
func (d *Dialer) CheckExtension(memberID, line, ext string) error {
	var rule ExtensionRule
	var err error
	if !d.HasLine(line) {
		line = ""
	}
	if w, rerr := d.route(memberID, line, ""); rerr == nil {
		rule, err = CompileExtensionRule(w.trunk.ExtensionPattern)
	}
	if err != nil {
		return invalid("trunk.extension_pattern", "%v", err)
	}
	if e := rule.Check("plan.employees", ext); e != nil {
		return e
	}
	return nil
}
