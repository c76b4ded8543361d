package sip

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/emiago/diago/media/sdp"
	"github.com/emiago/sipgo"
	sipgosip "github.com/emiago/sipgo/sip"
)

// Hold.
//
// A phone puts the other side on hold with an in-dialog re-INVITE whose SDP
// says it will not (or not only) receive: a=sendonly, a=inactive (RFC 3264),
// or the older c=0.0.0.0 (RFC 2543). Many phones then send no RTP at all,
// or only comfort noise, so the dead-peer rule must not apply to a held leg;
// a re-INVITE with a=sendrecv takes it off hold.
//
// diago v0.42 applies the re-INVITE's SDP itself and then calls
// InviteClientOptions.OnMediaUpdate, but keeps the negotiated direction
// private (media.MediaSession.mode) and does not keep the remote SDP. The
// request itself is visible to a server middleware
// (diago.WithServerRequestMiddleware), which runs the whole in-dialog INVITE
// (or ACK) handling inside next, OnMediaUpdate included. So the middleware
// notes the direction of the offered SDP on the leg (found by Call-ID) for
// the length of next, and OnMediaUpdate, which only fires when diago has
// accepted and applied that SDP, commits it. A rejected re-INVITE changes
// nothing.

// watchHolds is the dialer's server middleware: it notes the media
// direction of in-dialog INVITEs and ACKs with SDP for the leg they belong
// to, while diago handles them.
func (d *Dialer) watchHolds(next sipgo.RequestHandler) sipgo.RequestHandler {
	return func(req *sipgosip.Request, tx sipgosip.ServerTransaction) {
		l := d.watchedLeg(req)
		if l == nil {
			next(req, tx)
			return
		}
		dir := sdpDirection(req.Body())
		if dir == "" {
			next(req, tx)
			return
		}
		l.offer(dir)
		defer l.offer("")
		next(req, tx)
	}
}

// watchedLeg returns the outbound leg an in-dialog INVITE or ACK with an
// SDP body belongs to, or nil.
func (d *Dialer) watchedLeg(req *sipgosip.Request) *leg {
	if req.Method != sipgosip.INVITE && req.Method != sipgosip.ACK {
		return nil
	}
	if len(req.Body()) == 0 {
		return nil
	}
	if ct := req.ContentType(); ct != nil && !strings.EqualFold(strings.TrimSpace(strings.Split(ct.Value(), ";")[0]), "application/sdp") {
		return nil
	}
	to, cid := req.To(), req.CallID()
	if to == nil || cid == nil || !to.Params.Has("tag") {
		return nil // a new call, not a re-INVITE
	}
	v, ok := d.legs.Load(cid.Value())
	if !ok {
		return nil
	}
	return v.(*leg)
}

// track makes the dialer watch the re-INVITEs of the leg's dialog; the
// leg's untrack undoes it.
func (d *Dialer) track(l *leg, callID string) {
	d.legs.Store(callID, l)
	l.untrack = func() { d.legs.CompareAndDelete(callID, l) }
}

// newCallID returns a fresh Call-ID (set before the INVITE so that the leg
// can be found by it when a re-INVITE comes).
func newCallID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// sdpDirection is the media direction the SDP declares: sdp.ModeSendrecv,
// ModeSendonly, ModeRecvonly or ModeInactive; inactive for a connection
// address of 0.0.0.0 (RFC 2543 hold); "" when the SDP cannot be read or
// has no audio.
func sdpDirection(body []byte) (dir string) {
	defer func() {
		if recover() != nil { // a malformed SDP must not take the process down
			dir = ""
		}
	}()
	sd := sdp.SessionDescription{}
	if err := sdp.Unmarshal(body, &sd); err != nil {
		return ""
	}
	if _, err := sd.MediaDescription("audio"); err != nil {
		return "" // diago would not apply it either
	}
	for _, c := range sd.Values("c") {
		if f := strings.Fields(c); len(f) >= 3 && strings.HasPrefix(f[2], "0.0.0.0") {
			return sdp.ModeInactive
		}
	}
	return sd.MediaDirection()
}

// offer notes the direction of the SDP diago is about to apply ("" when
// done).
func (l *leg) offer(dir string) {
	l.hmu.Lock()
	l.offered = dir
	l.hmu.Unlock()
}

// mediaUpdated is called (from OnMediaUpdate) when diago has applied a new
// remote SDP. It commits the noted direction: any direction but sendrecv
// means the far end will not send us (regular) RTP, i.e. the leg is on
// hold. Taking the leg off hold restarts its silence clock. It reports
// whether the hold state changed, and the direction.
func (l *leg) mediaUpdated() (changed bool, dir string) {
	l.hmu.Lock()
	defer l.hmu.Unlock()
	dir, l.offered = l.offered, ""
	if dir == "" {
		return false, "" // not a re-INVITE we saw (or it carried no SDP)
	}
	held := dir != sdp.ModeSendrecv
	switch was := l.held.Load(); {
	case held == was:
		return false, dir
	case held:
		l.held.Store(true)
	default:
		// The clock first: the dead-peer check must not see an old
		// silence on a leg that is no longer held.
		l.last.Store(time.Now().UnixNano())
		l.held.Store(false)
	}
	return true, dir
}

// onHold reports whether the far end has put the leg on hold.
func (l *leg) onHold() bool { return l.held.Load() }

// dead reports whether the leg has sent no RTP for longer than limit and is
// not on hold.
func (l *leg) dead(now time.Time, limit time.Duration) bool {
	return !l.held.Load() && l.silentFor(now) > limit
}
