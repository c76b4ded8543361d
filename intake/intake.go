// Package intake holds the rules that turn a Bitrix24 event of an installed
// portal into a stored callback: which events are call requests, how the
// number is screened (E.164, the toll-fraud guard), de-duplication and the
// hourly limits, and how an uninstallation is taken (its check with the
// portal runs later, in callback.UninstallWorker).
//
// A Bitrix24 event goes web → intake → store → callback: the web handler
// reads and authenticates the request and calls Take; the offline poller
// (bitrix24.OfflinePoller) calls TakeRequest with the events it recovers.
// Both get the same checks, de-duplication and limits.
package intake

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/phone"
)

// Rules are what the intake applies to callback requests.
type Rules struct {
	DedupWindow   time.Duration // same portal + number + CRM entity within it is one callback
	NumberLimit   int           // callbacks per number and hour; 0 = no limit
	PortalLimit   int           // accepted callbacks per portal and hour; 0 = no limit
	Policy        phone.Policy  // toll-fraud guard: number types and countries
	DefaultRegion string        // region for numbers without a country code; "" = from the portal's language
	// Guard, when set, gives each portal its guard: Policy narrowed to
	// the countries the portal may dial (*callback.Countries, the rule the
	// worker applies again before dialling). Nil = Policy for every portal.
	Guard Guard
}

// Guard gives a portal its toll-fraud guard.
type Guard interface {
	// Guard returns the policy the portal's numbers must pass.
	Guard(ctx context.Context, p *callbackline.Portal) (phone.Policy, error)
}

// Store is what the intake needs of a store (callbackline.Store has it).
type Store interface {
	// Intake stores a new callback and queues its job, or folds a duplicate.
	Intake(ctx context.Context, r callbackline.IntakeRequest) (callbackline.IntakeResult, error)
	// QueueUninstall queues the check of an ONAPPUNINSTALL.
	QueueUninstall(ctx context.Context, j callbackline.UninstallJob, delay time.Duration) error
	// EndPlaced stores the outcome of a call placed through Bitrix24's
	// telephony (ENOTFOUND for any other call).
	EndPlaced(ctx context.Context, memberID, callID string, end callbackline.PlacedEnd) (int64, error)
	// FoldRefired folds a request into the callback that handed a call
	// for the number to Bitrix24 (ENOTFOUND when none did).
	FoldRefired(ctx context.Context, memberID, phone string, since, at time.Time) (*callbackline.Callback, error)
}

// Options configures an Intake.
type Options struct {
	Store  Store
	Rules  Rules
	Logger *slog.Logger     // nil = slog.Default()
	Now    func() time.Time // nil = time.Now
	// UninstallDelay is how long after an ONAPPUNINSTALL its check with
	// the portal starts (default 5 s): the events that arrive meanwhile
	// share the check.
	UninstallDelay time.Duration
}

// Intake takes the events of installed portals into the store. It is safe
// for concurrent use.
type Intake struct {
	store  Store
	rules  Rules
	logger *slog.Logger
	now    func() time.Time
	delay  time.Duration
}

// New returns an Intake.
func New(o Options) *Intake {
	in := &Intake{store: o.Store, rules: o.Rules, logger: o.Logger, now: o.Now, delay: o.UninstallDelay}
	if in.logger == nil {
		in.logger = slog.Default()
	}
	if in.now == nil {
		in.now = time.Now
	}
	if in.delay <= 0 {
		in.delay = DefaultUninstallDelay
	}
	return in
}

// What became of an event (Answer.Status).
const (
	Accepted  = "accepted"  // a new callback is stored and queued
	Duplicate = "duplicate" // folded into an earlier callback
	Rejected  = "rejected"  // stored, but its number must not be dialled
	Ignored   = "ignored"   // not an event callbackline handles
	Checking  = "checking"  // ONAPPUNINSTALL: the portal is being asked whether it is true
	Ended     = "ended"     // ONVOXIMPLANTCALLEND of a call a callback placed: its outcome is stored
)

// RefiredWindow is how long after a callback handed a call for a number
// to Bitrix24 a new request for that number is taken for the request
// Bitrix24 sent back (docs/bitrix24.md §7.1) and folded into it, whatever
// the de-duplication window.
const RefiredWindow = 30 * time.Minute

// DefaultUninstallDelay is Options.UninstallDelay's default.
const DefaultUninstallDelay = 5 * time.Second

// Answer is what became of an event. As JSON it is the body of the web
// handler's 200 answer: Bitrix24 ignores it; it helps people who test the
// handler by hand.
type Answer struct {
	Status     string `json:"status"` // Accepted, Duplicate, Rejected, Ignored or Checking
	CallbackID int64  `json:"callback_id,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// Take applies the event of the installed portal p, whose sender was
// already authenticated: a call request is stored (even one whose number
// must not be dialled: Bitrix24 never resends an event), ONAPPUNINSTALL
// queues its check with the portal (nothing changes yet), anything else is
// ignored. Errors carry
// callbackline codes.
func (in *Intake) Take(ctx context.Context, p *callbackline.Portal, ev *bitrix24.Event) (Answer, error) {
	switch ev.Name {
	case bitrix24.EventCallbackStart:
		return in.takeCallback(ctx, p, ev)
	case bitrix24.EventCallStart:
		return in.takeCall(ctx, p, ev)
	case bitrix24.EventAppUninstall:
		return in.uninstall(ctx, p, ev)
	case bitrix24.EventCallEnd:
		return in.takeCallEnd(ctx, p, ev)
	}
	in.logger.InfoContext(ctx, "event ignored: callbackline does not handle it",
		slog.String("event", ev.Name), slog.String("member_id", p.MemberID))
	return Answer{Status: Ignored}, nil
}

// TakeRequest stores a call request that came another way than the web
// handler (the offline-event safety net: bitrix24.OfflinePoller.Handle):
// ONEXTERNALCALLBACKSTART or ONEXTERNALCALLSTART of an installed portal,
// with the same checks, de-duplication and limits. Other events are
// ignored.
func (in *Intake) TakeRequest(ctx context.Context, p *callbackline.Portal, ev *bitrix24.Event) error {
	var err error
	switch ev.Name {
	case bitrix24.EventCallbackStart:
		_, err = in.takeCallback(ctx, p, ev)
	case bitrix24.EventCallStart:
		_, err = in.takeCall(ctx, p, ev)
	}
	return err
}

// region is the default region for numbers typed without a country code.
func (in *Intake) region(p *callbackline.Portal) string {
	if in.rules.DefaultRegion != "" {
		return in.rules.DefaultRegion
	}
	return phone.RegionForLanguage(p.Language)
}

// takeCallback stores an ONEXTERNALCALLBACKSTART request.
func (in *Intake) takeCallback(ctx context.Context, p *callbackline.Portal, ev *bitrix24.Event) (Answer, error) {
	d, err := ev.CallbackStart()
	if err != nil {
		return Answer{}, err
	}
	now := in.now().UTC()
	cb := &callbackline.Callback{
		MemberID: p.MemberID, Kind: callbackline.KindCallback, PhoneRaw: d.PhoneNumber,
		Text: d.Text, Voice: d.Voice, CRMEntityType: strings.ToUpper(d.CRMEntityType), CRMEntityID: d.CRMEntityID,
		LineNumber: d.LineNumber, State: callbackline.StateReceived, EventAt: ev.TS, CreatedAt: now, UpdatedAt: now,
	}
	if err := in.screen(ctx, cb, d.PhoneNumber, p); err != nil {
		return Answer{}, err
	}
	if ans, ok := in.refired(ctx, p, cb); ok {
		return ans, nil
	}
	res, err := in.store.Intake(ctx, callbackline.IntakeRequest{
		Callback: cb, DedupWindow: in.rules.DedupWindow, NumberLimit: in.rules.NumberLimit, PortalLimit: in.rules.PortalLimit,
	})
	if err != nil {
		return Answer{}, err
	}
	return in.answer(ctx, p, res), nil
}

// takeCall stores an ONEXTERNALCALLSTART (click-to-call) request. The call
// is already registered in Bitrix24 by an employee's click, so the
// request limits for public forms do not apply; the number must still be
// a valid one of an allowed kind, and the call counts for the dial limits
// (calls placed per number and per portal, checked by the callback
// worker right before dialling): a forged event cannot place more.
func (in *Intake) takeCall(ctx context.Context, p *callbackline.Portal, ev *bitrix24.Event) (Answer, error) {
	d, err := ev.CallStart()
	if err != nil {
		return Answer{}, err
	}
	now := in.now().UTC()
	raw := d.PhoneNumberInternational
	if raw == "" {
		raw = d.PhoneNumber
	}
	cb := &callbackline.Callback{
		MemberID: p.MemberID, Kind: callbackline.KindCall, PhoneRaw: d.PhoneNumber, CallID: d.CallID, UserID: d.UserID,
		CRMEntityType: strings.ToUpper(d.CRMEntityType), CRMEntityID: d.CRMEntityID, LineNumber: d.LineNumber,
		State: callbackline.StateReceived, EventAt: ev.TS, CreatedAt: now, UpdatedAt: now,
	}
	if err := in.screen(ctx, cb, raw, p); err != nil {
		return Answer{}, err
	}
	res, err := in.store.Intake(ctx, callbackline.IntakeRequest{Callback: cb})
	if err != nil {
		return Answer{}, err
	}
	return in.answer(ctx, p, res), nil
}

// screen normalises the raw number to E.164 and applies the toll-fraud
// guard's number rules (the portal's, Rules.Guard), in one parse; a
// number that fails either makes the callback rejected with the reason.
// The error is the guard's: the portal's countries could not be read.
func (in *Intake) screen(ctx context.Context, cb *callbackline.Callback, raw string, p *callbackline.Portal) error {
	policy := in.rules.Policy
	if in.rules.Guard != nil {
		var err error
		if policy, err = in.rules.Guard.Guard(ctx, p); err != nil {
			return err
		}
	}
	e164, err := policy.Accept(raw, in.region(p))
	cb.Phone = e164
	if err != nil {
		cb.State, cb.Reason = callbackline.StateRejected, rejection(err)
	}
	return nil
}

// answer logs what the intake did and says it to the sender.
func (in *Intake) answer(ctx context.Context, p *callbackline.Portal, res callbackline.IntakeResult) Answer {
	cb := res.Callback
	ans := Answer{Status: Accepted, CallbackID: cb.ID}
	switch {
	case res.Duplicate:
		ans.Status = Duplicate
	case cb.State == callbackline.StateRejected:
		ans.Status, ans.Reason = Rejected, cb.Reason
	}
	in.logger.InfoContext(ctx, "call request "+ans.Status,
		slog.String("kind", string(cb.Kind)), slog.Int64("callback_id", cb.ID), slog.String("member_id", p.MemberID),
		slog.String("phone", phone.Mask(cb.Phone)), slog.Int("duplicates", cb.Duplicates), slog.String("reason", cb.Reason))
	return ans
}

// rejection turns a normalisation or guard error into a callback's Reason.
func rejection(err error) string {
	var rej *phone.Rejection
	if errors.As(err, &rej) {
		return rej.Reason + ": " + rej.Message
	}
	return callbackline.ReasonInvalidNumber + ": " + callbackline.ErrorMessage(err)
}

// refired folds a request for a number whose callback handed a call to
// Bitrix24's telephony into that callback: the request Bitrix24 sends
// back when the call's line is an application's (docs/bitrix24.md §7.1),
// also long after the de-duplication window (a callback held until the
// line opened). A lookup that fails lets the request in as usual.
func (in *Intake) refired(ctx context.Context, p *callbackline.Portal, cb *callbackline.Callback) (Answer, bool) {
	if cb.State != callbackline.StateReceived || cb.Phone == "" {
		return Answer{}, false
	}
	into, err := in.store.FoldRefired(ctx, p.MemberID, cb.Phone, cb.CreatedAt.Add(-RefiredWindow), cb.CreatedAt)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return Answer{}, false
	}
	if err != nil {
		in.logger.WarnContext(ctx, "looking for a callback that handed this number to Bitrix24 failed; the request is taken as new",
			slog.String("member_id", p.MemberID), slog.Any("err", err))
		return Answer{}, false
	}
	in.logger.InfoContext(ctx, "call request folded into the callback whose call is with Bitrix24's telephony",
		slog.Int64("callback_id", into.ID), slog.String("member_id", p.MemberID), slog.String("phone", phone.Mask(cb.Phone)))
	return Answer{Status: Duplicate, CallbackID: into.ID}, true
}

// takeCallEnd stores the outcome of a call a callback placed through
// Bitrix24's telephony. ONVOXIMPLANTCALLEND fires for every call of the
// portal: any other CALL_ID is answered and nothing is stored.
func (in *Intake) takeCallEnd(ctx context.Context, p *callbackline.Portal, ev *bitrix24.Event) (Answer, error) {
	d, err := ev.CallEnd()
	if err != nil {
		return Answer{}, err
	}
	id, err := in.store.EndPlaced(ctx, p.MemberID, d.CallID, callbackline.PlacedEnd{
		Code: d.FailedCode, Duration: d.Duration, Reason: d.FailedReason, At: in.now().UTC()})
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return Answer{Status: Ignored}, nil
	}
	if err != nil {
		return Answer{}, err
	}
	in.logger.InfoContext(ctx, "outcome of a call placed through Bitrix24 stored", slog.Int64("callback_id", id),
		slog.String("member_id", p.MemberID), slog.String("code", d.FailedCode), slog.Int("duration", d.Duration))
	return Answer{Status: Ended, CallbackID: id}, nil
}
