package callback

import (
	"context"
	"log/slog"
	"sync"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/sip"
)

// progress follows one attempt's call as the dialer reports it: each step
// is persisted as it happens, and the call card follows the ringing. The
// client leg is marked dialled (and counted) before its INVITE goes out.
type progress struct {
	r       *run
	a       *callbackline.Attempt
	ctx     context.Context    // the job's
	stop    context.CancelFunc // ends the call
	byExt   map[string]candidate
	mu      sync.Mutex // the dialer's events, the cards closed at the end
	viewers *viewers
	rang    bool // an employee's phone rang
}

func (r *run) newProgress(ctx context.Context, a *callbackline.Attempt, cands []candidate, stop context.CancelFunc) *progress {
	p := &progress{r: r, a: a, ctx: ctx, stop: stop, byExt: map[string]candidate{},
		viewers: newViewers(a.UserID, r.policy.RingMode == callbackline.RingAll)}
	for _, c := range cands {
		p.byExt[c.extension] = c
	}
	return p
}

// event is the plan's Progress.
func (p *progress) event(e sip.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// The steps are written even when the job's context ends during
	// the call (the dialer then ends the call; what happened stays).
	ctx, cancel := persist(p.ctx)
	defer cancel()
	var err error
	switch e.Type {
	case sip.EventEmployeeRinging:
		err = p.ringing(ctx, p.byExt[e.Employee])
	case sip.EventEmployeeFailed:
		p.r.w.cfg.Metrics.employee(p.r.line.Number, e.Employee, false)
		p.r.tried += p.byExt[e.Employee].describe().English() + " did not take the call; "
	case sip.EventEmployeeAnswered:
		p.r.w.cfg.Metrics.employee(p.r.line.Number, e.Employee, true)
		err = p.answered(ctx, p.byExt[e.Employee])
	case sip.EventAnnouncementDone:
		err = p.dialClient(ctx)
	case sip.EventConnected:
		err = p.connected(ctx)
	}
	if err != nil {
		// Each later step is still written (the in-memory state is
		// whole): one glitch must not hide the client's dialling.
		p.r.log.Error("persisting a call step failed; the call goes on", slog.Any("err", err))
	}
}

// ringing: an employee's phone rings; the call card goes to them.
func (p *progress) ringing(ctx context.Context, c candidate) error {
	r := p.r
	if !p.rang && p.a.Number == 1 {
		r.w.cfg.Metrics.firstRing(r.now().Sub(r.cb.CreatedAt))
	}
	p.rang = true
	show, hide := p.viewers.ringing(c.userID)
	r.moveCard(p.ctx, p.a.CallID, show, hide)
	if r.cb.State == callbackline.StateRingingEmployee {
		return nil
	}
	return r.step(ctx, callbackline.StateRingingEmployee, p.a.ID, callbackline.NewNote("ringing", c.describe()))
}

// answered: an employee took the call and hears the request.
func (p *progress) answered(ctx context.Context, c candidate) error {
	r := p.r
	p.a.UserID, p.a.Extension = c.userID, c.extension
	r.moveCard(p.ctx, p.a.CallID, nil, p.viewers.answered(c.userID))
	return r.step(ctx, callbackline.StateAnnouncing, p.a.ID, callbackline.NewNote("answered", c.describe()))
}

// dialClient: the announcement is over and the client is dialled next.
// It is persisted before the client's INVITE is sent: a restart never
// dials the client twice for this attempt.
func (p *progress) dialClient(ctx context.Context) error {
	r, a := p.r, p.a
	a.ClientDialled, a.UpdatedAt = true, r.now().UTC()
	r.cb.ClientAttempts++
	err := r.w.cfg.Store.SaveAttempt(ctx, a)
	if err == nil {
		err = r.step(ctx, callbackline.StateRingingClient, a.ID,
			callbackline.NewNote("calling_client", phone.Mask(r.cb.Phone), r.cb.ClientAttempts, r.policy.ClientAttempts))
	}
	if err == nil {
		err = r.fenced(p.ctx, "calling the client") // taken over meanwhile: never dialled from here
	}
	if err != nil {
		// Not recorded: the client must not be dialled (a crash
		// could not tell). The call ends here and goes on later.
		p.stop()
	}
	return err
}

// connected: the client answered; employee and client talk.
func (p *progress) connected(ctx context.Context) error {
	r, a := p.r, p.a
	a.Connected, a.UpdatedAt = true, r.now().UTC()
	r.w.cfg.Metrics.connected(r.now().Sub(r.cb.CreatedAt))
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		return err
	}
	return r.step(ctx, callbackline.StateConnected, a.ID, callbackline.NewNote("connected"))
}

// closeCards hides the call card from everybody but the attempt's user
// once the call is over (the last employee rung in vain, those rung at
// once), and waits for every card move.
func (p *progress) closeCards() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if hide := p.viewers.others(p.a.UserID); len(hide) > 0 {
		ctx, cancel := persist(p.ctx)
		defer cancel()
		p.r.moveCard(ctx, p.a.CallID, nil, hide)
		p.r.bg.Wait()
	}
}
