package web

import (
	"crypto/subtle"
	"errors"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
)

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

	// The intake decides; this handler only answers.
	ans, err := s.intake.Take(r.Context(), p, ev)
	if ev.Name == bitrix24.EventAppUninstall {
		// Whatever became of it, the portal is read again next time.
		s.portals.forget(p.MemberID)
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
	if r.ContentLength > s.maxBody {
		return "", nil, callbackline.Errorf(callbackline.ETOOLARGE, "the body is larger than %d bytes", s.maxBody)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return "", nil, callbackline.Errorf(callbackline.ETOOLARGE, "the body is larger than %d bytes", s.maxBody)
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
