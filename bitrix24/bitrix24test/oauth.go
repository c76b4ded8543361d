package bitrix24test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Tokens is a pair the OAuth server issued.
type Tokens struct {
	AccessToken  string
	RefreshToken string
	ExpiresAt    time.Time
	UserID       int64
}

// IssueTokens registers a fresh pair for the user, as an installation or an
// opened application page would bring (docs/bitrix24.md §3.1). The refresh token
// starts a new chain.
func (p *Portal) IssueTokens(userID int64) Tokens {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := p.issueLocked(userID, true)
	return Tokens{AccessToken: g.access, RefreshToken: g.refresh, ExpiresAt: g.expiresAt, UserID: userID}
}

// issueLocked creates an access token (and a refresh token when asked).
func (p *Portal) issueLocked(userID int64, withRefresh bool) *grant {
	g := &grant{userID: userID, access: randomHex(25), expiresAt: p.nowLocked().Add(p.opts.AccessTTL).Truncate(time.Second)}
	p.access[g.access] = g
	if withRefresh {
		g.refresh = randomHex(25)
		p.refresh[g.refresh] = g
	}
	return g
}

// RevokeTokens invalidates every token, as when the refresh chain broke
// (old refresh token lifetime passed): the next refresh gets invalid_grant.
func (p *Portal) RevokeTokens() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, g := range p.access {
		g.revoked = true
	}
	for _, g := range p.refresh {
		g.revoked = true
	}
}

// SetPaymentRequired makes the OAuth server refuse refreshes with
// PAYMENT_REQUIRED (the application's paid or trial period is over).
func (p *Portal) SetPaymentRequired(on bool) {
	p.mu.Lock()
	p.paymentRequired = on
	p.mu.Unlock()
}

// Refreshes counts the successful token refreshes.
func (p *Portal) Refreshes() int {
	n := 0
	for _, r := range p.OAuthRequests() {
		if r.Query.Get("grant_type") == "refresh_token" && r.Status == http.StatusOK {
			n++
		}
	}
	return n
}

// serveOAuth is the OAuth server: GET /oauth/token/ (docs/bitrix24.md §3.2).
func (p *Portal) serveOAuth(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	rec := Request{Time: time.Now(), Server: "oauth", Host: r.Host, HTTPMethod: r.Method, Path: r.URL.Path,
		Query: r.URL.Query(), Header: r.Header.Clone(), Body: string(body)}
	status, answer := p.oauthAnswer(r, rec.Query)
	rec.Status = status
	if e, ok := answer["error"].(string); ok {
		rec.Error = e
	}
	p.record(rec)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(answer)
}

func oauthError(status int, code, desc string) (int, map[string]any) {
	return status, map[string]any{"error": code, "error_description": desc}
}

func (p *Portal) oauthAnswer(r *http.Request, q url.Values) (int, map[string]any) {
	if r.URL.Path != "/oauth/token/" && r.URL.Path != "/oauth/token" {
		return oauthError(http.StatusNotFound, "invalid_request", "Unknown path")
	}
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return oauthError(http.StatusMethodNotAllowed, "invalid_request", "Method not allowed")
	}
	grantType := q.Get("grant_type")
	if grantType == "" {
		return oauthError(http.StatusBadRequest, "invalid_request", "grant_type is missing")
	}
	if q.Get("client_id") != p.opts.ClientID || q.Get("client_secret") != p.opts.ClientSecret {
		return oauthError(http.StatusUnauthorized, "invalid_client", "Invalid client")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	var old *grant
	switch grantType {
	case "refresh_token":
		old = p.refresh[q.Get("refresh_token")]
		if old == nil || old.revoked {
			return oauthError(http.StatusBadRequest, "invalid_grant", "Invalid grant")
		}
	case "authorization_code":
		return oauthError(http.StatusBadRequest, "invalid_grant", "Invalid authorization code")
	default:
		return oauthError(http.StatusBadRequest, "unsupported_grant_type", "Unsupported grant type")
	}
	if !p.installed {
		// The application was uninstalled: "app not installed" (docs/bitrix24.md §3.2).
		return oauthError(http.StatusUnauthorized, "invalid_client", "Application not installed")
	}
	if p.paymentRequired {
		return oauthError(http.StatusPaymentRequired, "PAYMENT_REQUIRED", "Payment required")
	}
	// Rotation: the used refresh token and the access token of its pair
	// die; a new pair is born (docs/bitrix24.md §3.2: older Bitrix24 docs).
	old.revoked = true
	if a := p.access[old.access]; a != nil {
		a.revoked = true
	}
	g := p.issueLocked(old.userID, true)
	return http.StatusOK, map[string]any{
		"access_token":    g.access,
		"expires":         g.expiresAt.Unix(),
		"expires_in":      int64(p.opts.AccessTTL / time.Second),
		"scope":           p.opts.Scope,
		"domain":          strings.TrimPrefix(p.oauth.URL, "http://"),
		"server_endpoint": p.oauth.URL + "/rest/",
		"status":          p.opts.AppStatus,
		"client_endpoint": p.currentLocked().URL + "/rest/",
		"member_id":       p.opts.MemberID,
		"user_id":         g.userID,
		"refresh_token":   g.refresh,
	}
}
