package bitrix24test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
)

// OAuthHub is one OAuth server for many simulated portals, as
// oauth.bitrix.info is one server for every Bitrix24 portal
// (docs/bitrix24.md §3.2): a token request is answered by the portal that
// issued its refresh token, exactly as that portal's own OAuth server would
// answer it. A service that serves many portals points
// bitrix24.oauth_server at URL.
type OAuthHub struct {
	srv     *httptest.Server
	mu      sync.Mutex
	portals []*Portal
}

// NewOAuthHub starts a hub for the portals (more may be added). Close it
// when done; closing it leaves the portals running.
func NewOAuthHub(portals ...*Portal) *OAuthHub {
	h := &OAuthHub{portals: append([]*Portal(nil), portals...)}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	return h
}

// Add makes the hub answer for p too.
func (h *OAuthHub) Add(p *Portal) {
	h.mu.Lock()
	h.portals = append(h.portals, p)
	h.mu.Unlock()
}

// URL is the hub's base URL, to be used as bitrix24.oauth_server:
// "http://127.0.0.1:port/".
func (h *OAuthHub) URL() string { return h.srv.URL + "/" }

// Close shuts the hub's server down.
func (h *OAuthHub) Close() { h.srv.Close() }

// serve hands the request to the portal that knows its refresh token; an
// unknown token is invalid_grant, as the real server answers it.
func (h *OAuthHub) serve(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("refresh_token")
	h.mu.Lock()
	var owner *Portal
	for _, p := range h.portals {
		if p.issued(token) {
			owner = p
			break
		}
	}
	h.mu.Unlock()
	if owner == nil {
		status, answer := oauthError(http.StatusBadRequest, "invalid_grant", "Invalid grant")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(answer)
		return
	}
	owner.serveOAuth(w, r)
}

// issued reports whether the portal issued the refresh token (used or not).
func (p *Portal) issued(refresh string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return refresh != "" && p.refresh[refresh] != nil
}
