package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/phone"
)

// eventAnswer is the body of a 200 answer to an event. Bitrix24 ignores it;
// it helps people who test the handler by hand.
type eventAnswer struct {
	Status     string `json:"status"` // accepted, duplicate, rejected, ignored, uninstalled
	CallbackID int64  `json:"callback_id,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// handleEvents takes every Bitrix24 event: POST /bitrix24/events.
//
// Checks, in order: method, media type, size, decoding, the portal
// (auth[member_id] installed) and its application token (constant time);
// only then the event's own data. Bitrix24 never resends an event, so a
// genuine callback request is always stored, even when its number must not
// be dialled, and answered 200 once it is durable.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	name, outcome := "unknown", "error"
	defer func() { s.metrics.observeEvent(name, outcome, time.Since(start)) }()

	if !s.allow(w, r, http.MethodPost) {
		outcome = "bad_request"
		return
	}
	ct, body, err := s.readBody(w, r)
	if err != nil {
		outcome = "bad_request"
		s.writeError(w, r, err)
		return
	}
	ev, err := bitrix24.ParseEvent(ct, body)
	if err != nil {
		outcome = "bad_request"
		s.writeError(w, r, err)
		return
	}
	name = metricEventName(ev.Name)

	switch ev.Name {
	case bitrix24.EventAppInstall, bitrix24.EventAppUpdate:
		// Some applications point their installation handler at the events
		// URL; the installation path verifies everything itself.
		outcome = installOutcome(s.install(w, r, r.URL.Query(), ct, body))
		return
	}

	p, err := s.authenticate(r, ev)
	if err != nil {
		outcome = "unauthorized"
		s.writeError(w, r, err)
		return
	}

	var ans eventAnswer
	switch ev.Name {
	case bitrix24.EventCallbackStart:
		ans, err = s.takeCallback(r.Context(), p, ev)
	case bitrix24.EventCallStart:
		ans, err = s.takeCall(r.Context(), p, ev)
	case bitrix24.EventAppUninstall:
		ans, err = s.uninstall(r, p, ev)
	default:
		s.logger.InfoContext(r.Context(), "event ignored: callbackline does not handle it",
			slog.String("event", ev.Name), slog.String("member_id", p.MemberID))
		ans = eventAnswer{Status: "ignored"}
	}
	if err != nil {
		outcome = "error"
		s.writeError(w, r, err)
		return
	}
	outcome = ans.Status
	writeJSON(w, http.StatusOK, ans)
}

// installOutcome is the metrics outcome of an installation event: what
// became of it, so that refused installations are not counted as done.
func installOutcome(err error) string {
	switch {
	case err == nil:
		return "installed"
	case StatusOf(err) == http.StatusUnauthorized:
		return "unauthorized"
	case StatusOf(err) < 500:
		return "bad_request"
	}
	return "error"
}

// Take stores a call request that came another way than POST
// /bitrix24/events (the offline-event safety net): ONEXTERNALCALLBACKSTART
// or ONEXTERNALCALLSTART of an installed portal, with the same checks,
// de-duplication and limits. Other events are ignored.
func (s *Server) Take(ctx context.Context, p *callbackline.Portal, ev *bitrix24.Event) error {
	var err error
	switch ev.Name {
	case bitrix24.EventCallbackStart:
		_, err = s.takeCallback(ctx, p, ev)
	case bitrix24.EventCallStart:
		_, err = s.takeCall(ctx, p, ev)
	}
	return err
}

// readBody checks the media type and reads at most MaxBody bytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (string, []byte, error) {
	ct := r.Header.Get("Content-Type")
	// Only the type decides: a malformed parameter (e.g. "; charset") must
	// not lose an event that Bitrix24 will never send again.
	mt, _, err := mime.ParseMediaType(ct)
	if errors.Is(err, mime.ErrInvalidMediaParameter) {
		err = nil
	}
	if err != nil || (mt != "application/x-www-form-urlencoded" && mt != "application/json") {
		return "", nil, callbackline.Errorf(callbackline.EUNSUPPORTED,
			"content type %q is not supported; send application/x-www-form-urlencoded (as Bitrix24 does) or application/json", ct)
	}
	if r.ContentLength > s.intake.MaxBody {
		return "", nil, callbackline.Errorf(callbackline.ETOOLARGE, "the body is larger than %d bytes", s.intake.MaxBody)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.intake.MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return "", nil, callbackline.Errorf(callbackline.ETOOLARGE, "the body is larger than %d bytes", s.intake.MaxBody)
		}
		return "", nil, callbackline.WrapError(err, callbackline.EINVALID, "the body could not be read")
	}
	return mt, body, nil
}

// authenticate finds the installed portal of the event and checks its
// application token in constant time. Unknown portals, uninstalled ones and
// wrong tokens all get the same answer.
func (s *Server) authenticate(r *http.Request, ev *bitrix24.Event) (*callbackline.Portal, error) {
	deny := callbackline.Errorf(callbackline.EUNAUTHORIZED,
		"the event is not from an installed portal: auth[member_id] is unknown or auth[application_token] does not match")
	if ev.Auth.MemberID == "" || ev.Auth.ApplicationToken == "" {
		return nil, deny
	}
	p, err := s.portals.get(r.Context(), s.store, ev.Auth.MemberID)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return nil, deny
	} else if err != nil {
		return nil, err
	}
	if p.Status == callbackline.PortalUninstalled || p.ApplicationToken == "" ||
		subtle.ConstantTimeCompare([]byte(p.ApplicationToken), []byte(ev.Auth.ApplicationToken)) != 1 {
		return nil, deny
	}
	return p, nil
}

// region is the default region for numbers typed without a country code.
func (s *Server) region(p *callbackline.Portal) string {
	if s.intake.DefaultRegion != "" {
		return s.intake.DefaultRegion
	}
	return phone.RegionForLanguage(p.Language)
}

// takeCallback stores an ONEXTERNALCALLBACKSTART request.
func (s *Server) takeCallback(ctx context.Context, p *callbackline.Portal, ev *bitrix24.Event) (eventAnswer, error) {
	d, err := ev.CallbackStart()
	if err != nil {
		return eventAnswer{}, err
	}
	now := s.now().UTC()
	cb := &callbackline.Callback{
		MemberID: p.MemberID, Kind: callbackline.KindCallback, PhoneRaw: d.PhoneNumber,
		Text: d.Text, Voice: d.Voice, CRMEntityType: strings.ToUpper(d.CRMEntityType), CRMEntityID: d.CRMEntityID,
		LineNumber: d.LineNumber, State: callbackline.StateReceived, EventAt: ev.TS, CreatedAt: now, UpdatedAt: now,
	}
	s.screen(cb, d.PhoneNumber, p)
	res, err := s.store.Intake(ctx, callbackline.IntakeRequest{
		Callback: cb, DedupWindow: s.intake.DedupWindow, NumberLimit: s.intake.NumberLimit, PortalLimit: s.intake.PortalLimit,
	})
	if err != nil {
		return eventAnswer{}, err
	}
	return s.answer(ctx, p, res), nil
}

// takeCall stores an ONEXTERNALCALLSTART (click-to-call) request. The call
// is already registered in Bitrix24 by an employee's click, so the
// toll-fraud limits for public forms do not apply; the number must still
// be a valid one of an allowed kind.
func (s *Server) takeCall(ctx context.Context, p *callbackline.Portal, ev *bitrix24.Event) (eventAnswer, error) {
	d, err := ev.CallStart()
	if err != nil {
		return eventAnswer{}, err
	}
	now := s.now().UTC()
	raw := d.PhoneNumberInternational
	if raw == "" {
		raw = d.PhoneNumber
	}
	cb := &callbackline.Callback{
		MemberID: p.MemberID, Kind: callbackline.KindCall, PhoneRaw: d.PhoneNumber, CallID: d.CallID, UserID: d.UserID,
		CRMEntityType: strings.ToUpper(d.CRMEntityType), CRMEntityID: d.CRMEntityID, LineNumber: d.LineNumber,
		State: callbackline.StateReceived, EventAt: ev.TS, CreatedAt: now, UpdatedAt: now,
	}
	s.screen(cb, raw, p)
	res, err := s.store.Intake(ctx, callbackline.IntakeRequest{Callback: cb})
	if err != nil {
		return eventAnswer{}, err
	}
	return s.answer(ctx, p, res), nil
}

// screen normalises the raw number to E.164 and applies the toll-fraud
// guard's number rules, in one parse; a number that fails either makes the
// callback rejected with the reason.
func (s *Server) screen(cb *callbackline.Callback, raw string, p *callbackline.Portal) {
	e164, err := s.intake.Policy.Accept(raw, s.region(p))
	cb.Phone = e164
	if err != nil {
		cb.State, cb.Reason = callbackline.StateRejected, rejection(err)
	}
}

// answer logs what the intake did and says it to the sender.
func (s *Server) answer(ctx context.Context, p *callbackline.Portal, res callbackline.IntakeResult) eventAnswer {
	cb := res.Callback
	ans := eventAnswer{Status: "accepted", CallbackID: cb.ID}
	switch {
	case res.Duplicate:
		ans.Status = "duplicate"
	case cb.State == callbackline.StateRejected:
		ans.Status, ans.Reason = "rejected", cb.Reason
	}
	s.logger.InfoContext(ctx, "call request "+ans.Status,
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

// uninstall handles ONAPPUNINSTALL: the portal stops being served; with
// CLEAN=1 its data is deleted.
func (s *Server) uninstall(r *http.Request, p *callbackline.Portal, ev *bitrix24.Event) (eventAnswer, error) {
	u := ev.Uninstall()
	// The application token is in every user's frame POST, so an
	// uninstall is confirmed with the portal when a check is configured.
	if s.confirmUninstall != nil {
		gone, cerr := s.confirmUninstall(r.Context(), p)
		switch {
		case cerr != nil:
			// Unknown: stop serving the portal, but keep its data.
			s.logger.WarnContext(r.Context(), "the uninstall could not be confirmed with the portal; its data is kept",
				slog.String("member_id", p.MemberID), slog.Any("err", cerr))
			u.Clean = false
		case !gone:
			s.logger.WarnContext(r.Context(), "ONAPPUNINSTALL refused: the portal says the application is still installed",
				slog.String("member_id", p.MemberID))
			return eventAnswer{}, callbackline.Errorf(callbackline.EUNAUTHORIZED,
				"the portal says the application is still installed")
		}
	}
	var err error
	if u.Clean {
		err = s.store.DeletePortal(r.Context(), p.MemberID)
	} else {
		err = s.store.SetPortalStatus(r.Context(), p.MemberID, callbackline.PortalUninstalled, "the application was uninstalled from the portal")
	}
	s.portals.forget(p.MemberID)
	if err != nil {
		return eventAnswer{}, err
	}
	s.logger.InfoContext(r.Context(), "portal uninstalled", slog.String("member_id", p.MemberID), slog.Bool("clean", u.Clean))
	return eventAnswer{Status: "uninstalled"}, nil
}
