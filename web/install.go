package web

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
)

// handleInstall takes POST /bitrix24/install: the ONAPPINSTALL event of an
// API-only application and the installer page that Bitrix24 opens in its
// frame.
func (s *Server) handleInstall(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodPost) {
		return
	}
	ct, body, err := s.readBody(w, r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	_ = s.install(w, r, r.URL.Query(), ct, body)
}

// install verifies an installation with the OAuth server and stores the
// portal. Nothing in the request is trusted: the refresh token must be
// accepted by the configured OAuth server with our client id and secret,
// and the answer must name the same member_id. The REST endpoint is taken
// from that answer, never from the request. It answers the request and
// returns why the installation was refused, nil when it was done.
func (s *Server) install(w http.ResponseWriter, r *http.Request, query url.Values, ct string, body []byte) error {
	p, frame, err := s.verifyInstall(r, query, ct, body)
	if err != nil {
		s.metrics.installs.WithLabelValues("refused").Inc()
		s.logger.WarnContext(r.Context(), "installation refused", slog.String("code", callbackline.ErrorCode(err)), slog.String("reason", callbackline.ErrorMessage(err)))
		s.writeError(w, r, err)
		return err
	}
	s.metrics.installs.WithLabelValues("installed").Inc()
	s.logger.InfoContext(r.Context(), "portal installed", slog.String("member_id", p.MemberID), slog.String("domain", p.Domain))
	if s.installed != nil {
		portal := *p
		s.background(func(ctx context.Context) {
			if err := s.installed(ctx, &portal); err != nil {
				s.logger.ErrorContext(ctx, "setting up the installed portal failed", slog.String("member_id", portal.MemberID), slog.Any("err", err))
			}
		})
	}
	if frame {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_ = installPage.Execute(w, p)
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "installed", "member_id": p.MemberID})
	return nil
}

func (s *Server) verifyInstall(r *http.Request, query url.Values, ct string, body []byte) (*callbackline.Portal, bool, error) {
	in, err := bitrix24.ParseInstall(query, ct, body)
	if err != nil {
		return nil, false, err
	}
	frame := in.Kind == bitrix24.InstallFrame
	if s.oauth == nil || s.oauth.ClientID == "" || s.oauth.ClientSecret == "" {
		return nil, frame, callbackline.Errorf(callbackline.EUNAVAILABLE,
			"installation is not possible yet: set bitrix24.client_id and bitrix24.client_secret (the application's credentials from Bitrix24)")
	}
	if !s.verifies.allow(r) {
		return nil, frame, callbackline.Errorf(callbackline.EUNAVAILABLE,
			"too many installation requests right now; try again in a few seconds")
	}
	tok, err := s.oauth.Refresh(r.Context(), in.RefreshToken)
	if err != nil {
		var oe *bitrix24.OAuthError
		var ee *bitrix24.EndpointError
		if errors.As(err, &ee) {
			return nil, frame, callbackline.WrapError(err, callbackline.EFORBIDDEN,
				"callbackline may not reach the portal's address: %s", ee.Reason)
		}
		if errors.As(err, &oe) {
			return nil, frame, callbackline.WrapError(err, callbackline.EUNAUTHORIZED,
				"the OAuth server did not confirm the installation tokens (%s)", oe.Code)
		}
		return nil, frame, callbackline.WrapError(err, callbackline.EUNAVAILABLE,
			"the OAuth server could not be reached to confirm the installation; try again")
	}
	if tok.MemberID != in.MemberID {
		return nil, frame, callbackline.Errorf(callbackline.EUNAUTHORIZED,
			"the OAuth server confirmed tokens of another portal than member_id says")
	}
	// Every user who opens the application gets tokens in the frame; only
	// an administrator's may become the portal's.
	admin, err := s.oauth.IsAdmin(r.Context(), tok.ClientEndpoint, tok.AccessToken)
	if err != nil {
		return nil, frame, callbackline.WrapError(err, callbackline.EUNAVAILABLE,
			"the portal could not confirm that the installing user is an administrator; try again")
	}
	if !admin {
		return nil, frame, callbackline.Errorf(callbackline.EFORBIDDEN,
			"only an administrator of the portal can install callbackline")
	}
	old, err := s.store.Portal(r.Context(), in.MemberID)
	if err != nil && callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
		return nil, frame, err
	}
	appToken := in.ApplicationToken
	if appToken == "" && old != nil {
		appToken = old.ApplicationToken
	}
	if appToken == "" {
		return nil, frame, callbackline.Errorf(callbackline.EINVALID,
			"the installation carries no application token; set the application's installation handler so that Bitrix24 sends ONAPPINSTALL")
	}
	t := tok.Tokens()
	now := s.now().UTC()
	p := &callbackline.Portal{
		MemberID: in.MemberID, Domain: t.Domain, ClientEndpoint: t.ClientEndpoint,
		AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, ExpiresAt: t.ExpiresAt,
		ApplicationToken: appToken, UserID: tok.UserID, Scope: tok.Scope, AppStatus: tok.Status,
		Language: in.Language, Status: callbackline.PortalInstalled, InstalledAt: now, UpdatedAt: now,
	}
	if p.UserID == 0 {
		p.UserID = in.UserID
	}
	if p.Language == "" && old != nil {
		p.Language = old.Language
	}
	if err := s.store.SavePortal(r.Context(), p); err != nil {
		return nil, frame, err
	}
	s.portals.forget(p.MemberID)
	return p, frame, nil
}

// installPage finishes an installation made in the Bitrix24 frame: Bitrix24
// sends no events to the application until installFinish is called.
var installPage = template.Must(template.New("install").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>callbackline installed</title>
<script src="//api.bitrix24.com/api/v1/"></script>
</head>
<body>
<h1>callbackline is installed</h1>
<p>Portal {{.Domain}} is connected. Choose callbackline as the callback line in your CRM form's settings.</p>
<script>
if (window.BX24) { BX24.init(function () { BX24.installFinish(); }); }
</script>
</body>
</html>
`))
