// Package intake holds the rules that turn a Bitrix24 event of an installed
// portal into a stored callback: which events are call requests, how the
// number is screened (E.164, the toll-fraud guard), de-duplication and the
// hourly limits, and what an uninstallation does to the portal.
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
}

// Store is what the intake needs of a store (callbackline.Store has it).
type Store interface {
	// Intake stores a new callback and queues its job, or folds a duplicate.
	Intake(ctx context.Context, r callbackline.IntakeRequest) (callbackline.IntakeResult, error)
	// SetPortalStatus changes a portal's status and its reason.
	SetPortalStatus(ctx context.Context, memberID string, s callbackline.PortalStatus, reason string) error
	// DeletePortal removes a portal and all of its data.
	DeletePortal(ctx context.Context, memberID string) error
}

// CRM is what the intake asks of the Bitrix24 client when a portal leaves
// (*bitrix24.Client has it).
type CRM interface {
	// Uninstalled asks the portal whether the application really is
	// uninstalled (gone true); an error means it could not tell.
	Uninstalled(ctx context.Context, p *callbackline.Portal) (gone bool, err error)
	// Forget drops what the client keeps in memory about the portal.
	Forget(memberID string)
}

// Options configures an Intake.
type Options struct {
	Store  Store
	Rules  Rules
	Logger *slog.Logger     // nil = slog.Default()
	Now    func() time.Time // nil = time.Now
	// CRM, when set, confirms ONAPPUNINSTALL with the portal before it is
	// acted on, and forgets the portal's token state once it is
	// uninstalled or deleted. Nil acts on the event unconfirmed.
	CRM CRM
}

// Intake takes the events of installed portals into the store. It is safe
// for concurrent use.
type Intake struct {
	store  Store
	rules  Rules
	logger *slog.Logger
	now    func() time.Time
	crm    CRM
}

// New returns an Intake.
func New(o Options) *Intake {
	in := &Intake{store: o.Store, rules: o.Rules, logger: o.Logger, now: o.Now, crm: o.CRM}
	if in.logger == nil {
		in.logger = slog.Default()
	}
	if in.now == nil {
		in.now = time.Now
	}
	return in
}

// What became of an event (Answer.Status).
const (
	Accepted    = "accepted"    // a new callback is stored and queued
	Duplicate   = "duplicate"   // folded into an earlier callback
	Rejected    = "rejected"    // stored, but its number must not be dialled
	Ignored     = "ignored"     // not an event callbackline handles
	Uninstalled = "uninstalled" // the portal is no longer served
)

// Answer is what became of an event. As JSON it is the body of the web
// handler's 200 answer: Bitrix24 ignores it; it helps people who test the
// handler by hand.
type Answer struct {
	Status     string `json:"status"` // Accepted, Duplicate, Rejected, Ignored or Uninstalled
	CallbackID int64  `json:"callback_id,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// Take applies the event of the installed portal p, whose sender was
// already authenticated: a call request is stored (even one whose number
// must not be dialled: Bitrix24 never resends an event), ONAPPUNINSTALL
// stops serving the portal, anything else is ignored. Errors carry
// callbackline codes.
func (in *Intake) Take(ctx context.Context, p *callbackline.Portal, ev *bitrix24.Event) (Answer, error) {
	switch ev.Name {
	case bitrix24.EventCallbackStart:
		return in.takeCallback(ctx, p, ev)
	case bitrix24.EventCallStart:
		return in.takeCall(ctx, p, ev)
	case bitrix24.EventAppUninstall:
		return in.uninstall(ctx, p, ev)
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
	in.screen(cb, d.PhoneNumber, p)
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
	in.screen(cb, raw, p)
	res, err := in.store.Intake(ctx, callbackline.IntakeRequest{Callback: cb})
	if err != nil {
		return Answer{}, err
	}
	return in.answer(ctx, p, res), nil
}

// screen normalises the raw number to E.164 and applies the toll-fraud
// guard's number rules, in one parse; a number that fails either makes the
// callback rejected with the reason.
func (in *Intake) screen(cb *callbackline.Callback, raw string, p *callbackline.Portal) {
	e164, err := in.rules.Policy.Accept(raw, in.region(p))
	cb.Phone = e164
	if err != nil {
		cb.State, cb.Reason = callbackline.StateRejected, rejection(err)
	}
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
