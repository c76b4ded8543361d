package bitrix24

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
)

// DefaultOAuthServer is Bitrix24's OAuth server (docs/bitrix24.md §3). It is the only
// place the client secret is ever sent to.
const DefaultOAuthServer = "https://oauth.bitrix.info/"

// DefaultOAuthTimeout bounds one request to the OAuth server when the
// context has no earlier deadline.
const DefaultOAuthTimeout = 20 * time.Second

// OAuth talks to the Bitrix24 OAuth server with the application's client id
// and secret. The zero Server means DefaultOAuthServer.
type OAuth struct {
	Server       string // base URL, e.g. https://oauth.bitrix.info/
	ClientID     string
	ClientSecret string
	HTTP         *http.Client     // nil: a client with DefaultOAuthTimeout
	Timeout      time.Duration    // per request; 0: DefaultOAuthTimeout
	Now          func() time.Time // nil: time.Now; used when the answer has no "expires"
	// AllowNetworks are the networks a portal may be in besides the
	// public internet (a self-hosted Bitrix24; tests on loopback); plain
	// http is allowed only to them. Every client_endpoint the OAuth
	// server names is checked against them, and the Client and IsAdmin
	// connect only where they allow (see EndpointError).
	AllowNetworks []netip.Prefix
}

// Token is the OAuth server's answer to a token request (docs/bitrix24.md §3.2).
type Token struct {
	AccessToken    string
	RefreshToken   string
	ExpiresAt      time.Time
	ClientEndpoint string // the portal's REST base URL, e.g. https://example.bitrix24.de/rest/
	ServerEndpoint string // https://oauth.bitrix.info/rest/
	MemberID       string
	Scope          string
	Status         string // the application's status letter: L, F, D, T, P, S
	UserID         int64
}

// Tokens returns the pair with where to use it, as the portal store keeps it.
func (t *Token) Tokens() callbackline.Tokens {
	return callbackline.Tokens{
		AccessToken:    t.AccessToken,
		RefreshToken:   t.RefreshToken,
		ExpiresAt:      t.ExpiresAt,
		ClientEndpoint: t.ClientEndpoint,
		Domain:         endpointHost(t.ClientEndpoint),
	}
}

// String hides the secrets, so a Token can be printed or logged safely.
func (t *Token) String() string {
	return fmt.Sprintf("bitrix24.Token{member %s, endpoint %s, expires %s, access %s, refresh %s}",
		t.MemberID, t.ClientEndpoint, t.ExpiresAt.UTC().Format(time.RFC3339), Redact(t.AccessToken), Redact(t.RefreshToken))
}

// OAuth error codes (docs/bitrix24.md §3.2).
const (
	OAuthInvalidRequest  = "invalid_request"
	OAuthInvalidClient   = "invalid_client"
	OAuthInvalidGrant    = "invalid_grant"
	OAuthInvalidScope    = "invalid_scope"
	OAuthPaymentRequired = "PAYMENT_REQUIRED"
)

// OAuthError is an error answer of the OAuth server, or an answer that
// cannot be used (Code "invalid_response").
type OAuthError struct {
	Code        string // invalid_grant, invalid_client, PAYMENT_REQUIRED, …
	Description string
	HTTPStatus  int
}

// Error says what the server answered: the code and a description, both
// cut short and stripped of control characters.
func (e *OAuthError) Error() string {
	s := "bitrix24 oauth: " + clipCode(e.Code)
	if e.Description != "" {
		s += ": " + clip(e.Description, 160)
	}
	if e.HTTPStatus != 0 {
		s += " (HTTP " + strconv.Itoa(e.HTTPStatus) + ")"
	}
	return s
}

// NeedsReinstall reports whether the refresh token can never work again:
// the token chain is broken (invalid_grant) or the application's paid or
// trial period is over (PAYMENT_REQUIRED). Only a new installation brings
// a usable pair.
func (e *OAuthError) NeedsReinstall() bool {
	return strings.EqualFold(e.Code, OAuthInvalidGrant) || strings.EqualFold(e.Code, OAuthPaymentRequired)
}

// NeedsReinstall reports whether err (or an error it wraps) says that the
// portal has to install the application again.
func NeedsReinstall(err error) bool {
	var oe *OAuthError
	if errors.As(err, &oe) && oe.NeedsReinstall() {
		return true
	}
	var ce *callbackline.Error
	return errors.As(err, &ce) && ce.Code == callbackline.EREINSTALL
}

// Refresh exchanges a refresh token for a new pair (docs/bitrix24.md §3.2). The
// refresh token is used up by this call whatever happens afterwards: store
// the returned pair before using it.
//
// When the answer names a client_endpoint that AllowNetworks refuses,
// Refresh returns the token together with an *EndpointError: the pair is
// valid (and the old refresh token gone), its address is not to be used.
func (o *OAuth) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	if refreshToken == "" {
		return nil, &OAuthError{Code: OAuthInvalidRequest, Description: "no refresh token"}
	}
	q := url.Values{}
	q.Set("grant_type", "refresh_token")
	q.Set("refresh_token", refreshToken)
	return o.checked(ctx, q)
}

// Exchange trades an authorization code (full OAuth protocol, docs/bitrix24.md §3.1)
// for a pair. The code is valid for 30 seconds. A refused client_endpoint
// is treated as in Refresh.
func (o *OAuth) Exchange(ctx context.Context, code string) (*Token, error) {
	if code == "" {
		return nil, &OAuthError{Code: OAuthInvalidRequest, Description: "no code"}
	}
	q := url.Values{}
	q.Set("grant_type", "authorization_code")
	q.Set("code", code)
	return o.checked(ctx, q)
}

// checked asks for a token and checks the client_endpoint of the answer.
func (o *OAuth) checked(ctx context.Context, q url.Values) (*Token, error) {
	t, err := o.token(ctx, q)
	if err != nil {
		return nil, err
	}
	if err := o.CheckEndpoint(ctx, t.ClientEndpoint); err != nil {
		return t, err
	}
	return t, nil
}

// CheckEndpoint checks a portal's REST address against the rule (see
// EndpointError): https, and every address its host resolves to public or
// in AllowNetworks; plain http only into AllowNetworks. The error is an
// *EndpointError. A nil OAuth allows no network.
func (o *OAuth) CheckEndpoint(ctx context.Context, endpoint string) error {
	return o.rule().checkURL(ctx, endpoint)
}

func (o *OAuth) rule() addrRule {
	if o == nil {
		return nil
	}
	return addrRule(o.AllowNetworks)
}

func (o *OAuth) serverURL() (*url.URL, error) {
	s := o.Server
	if s == "" {
		s = DefaultOAuthServer
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("bitrix24 oauth: server %q is not an absolute http(s) URL", s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawQuery, u.Fragment = "", ""
	return u.JoinPath("oauth", "token"), nil
}

func (o *OAuth) token(ctx context.Context, q url.Values) (*Token, error) {
	u, err := o.serverURL()
	if err != nil {
		return nil, err
	}
	if o.ClientID == "" || o.ClientSecret == "" {
		return nil, errors.New("bitrix24 oauth: client id and secret are not configured")
	}
	u.Path += "/" // Bitrix24's documented address ends in a slash: /oauth/token/
	q.Set("client_id", o.ClientID)
	q.Set("client_secret", o.ClientSecret)
	u.RawQuery = q.Encode()

	timeout := o.Timeout
	if timeout <= 0 {
		timeout = DefaultOAuthTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("bitrix24 oauth: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent())
	resp, err := o.httpClient().Do(req)
	if err != nil {
		// The error text of net/http names the URL, and the URL carries the
		// client secret and the refresh token: keep only the cause.
		return nil, fmt.Errorf("bitrix24 oauth: request to %s failed: %w", u.Host, stripURLError(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("bitrix24 oauth: reading the answer of %s: %w", u.Host, stripURLError(err))
	}
	var raw struct {
		AccessToken    string `json:"access_token"`
		RefreshToken   string `json:"refresh_token"`
		Expires        ID     `json:"expires"`
		ExpiresIn      ID     `json:"expires_in"`
		ClientEndpoint string `json:"client_endpoint"`
		ServerEndpoint string `json:"server_endpoint"`
		MemberID       string `json:"member_id"`
		Scope          string `json:"scope"`
		Status         string `json:"status"`
		UserID         ID     `json:"user_id"`
		Error          string `json:"error"`
		ErrorDesc      string `json:"error_description"`
	}
	jerr := json.Unmarshal(body, &raw)
	if raw.Error != "" {
		return nil, &OAuthError{Code: raw.Error, Description: raw.ErrorDesc, HTTPStatus: resp.StatusCode}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &OAuthError{Code: "http_error", Description: http.StatusText(resp.StatusCode), HTTPStatus: resp.StatusCode}
	}
	if jerr != nil {
		return nil, &OAuthError{Code: "invalid_response", Description: "the answer is not JSON", HTTPStatus: resp.StatusCode}
	}
	bad := func(what string) error {
		return &OAuthError{Code: "invalid_response", Description: what, HTTPStatus: resp.StatusCode}
	}
	switch {
	case raw.AccessToken == "":
		return nil, bad("no access_token in the answer")
	case raw.RefreshToken == "":
		return nil, bad("no refresh_token in the answer")
	case raw.MemberID == "":
		return nil, bad("no member_id in the answer")
	}
	if err := checkEndpoint(raw.ClientEndpoint); err != nil {
		return nil, bad("client_endpoint: " + err.Error())
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	t := &Token{
		AccessToken:    raw.AccessToken,
		RefreshToken:   raw.RefreshToken,
		ClientEndpoint: raw.ClientEndpoint,
		ServerEndpoint: raw.ServerEndpoint,
		MemberID:       raw.MemberID,
		Scope:          raw.Scope,
		Status:         raw.Status,
		UserID:         int64(raw.UserID),
	}
	switch {
	case raw.Expires > 0:
		t.ExpiresAt = time.Unix(int64(raw.Expires), 0)
	case raw.ExpiresIn > 0:
		t.ExpiresAt = now().Add(time.Duration(raw.ExpiresIn) * time.Second)
	default:
		t.ExpiresAt = now().Add(time.Hour)
	}
	return t, nil
}

// httpClient returns the configured client with redirects turned off: a
// redirect would carry the client secret in its query to another address.
func (o *OAuth) httpClient() *http.Client {
	var c http.Client
	if o.HTTP != nil {
		c = *o.HTTP
	} else {
		c.Timeout = DefaultOAuthTimeout
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// checkEndpoint accepts an absolute http(s) URL with a host and a path
// ending in "/rest/" (the form Bitrix24 gives, docs/bitrix24.md §3.2), without
// credentials, query or fragment.
func checkEndpoint(s string) error {
	if s == "" {
		return errors.New("missing")
	}
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return errors.New("not an http(s) URL")
	}
	if u.Host == "" || u.Hostname() == "" {
		return errors.New("no host")
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("has credentials, a query or a fragment")
	}
	if !strings.HasSuffix(u.Path, "/rest/") {
		return errors.New("path does not end in /rest/")
	}
	return nil
}

// endpointHost returns the host (with a port when there is one) of a REST
// endpoint URL, or "" when it has none.
func endpointHost(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return ""
	}
	return u.Host
}

// stripURLError drops the URL from a *url.Error, which would otherwise put
// tokens or the client secret into error messages and logs.
func stripURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return fmt.Errorf("%s: timeout: %w", ue.Op, ue.Err)
		}
		return fmt.Errorf("%s: %w", ue.Op, ue.Err)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return ne
	}
	return err
}

// Redact shortens a secret to something that can be logged: its first four
// characters and its length.
func Redact(secret string) string {
	if secret == "" {
		return ""
	}
	if len(secret) <= 8 {
		return "***"
	}
	return secret[:4] + "…(" + strconv.Itoa(len(secret)) + ")"
}

// UserAgent is the User-Agent of every request callbackline sends to
// Bitrix24: callbackline/<version>.
func UserAgent() string { return "callbackline/" + callbackline.Version }
