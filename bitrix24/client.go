package bitrix24

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/callbackline/callbackline"
)

// TokenStore is the part of callbackline.PortalStore the client needs: it
// stores every rotated token pair (and a moved portal's new address)
// before using it, and flags a portal that must reinstall the application.
// With Portal, a refresh token the OAuth server refuses is first compared
// with the stored one: when another instance of callbackline refreshed
// the pair meanwhile, the stored pair is used instead of flagging the
// portal.
type TokenStore interface {
	SaveTokens(ctx context.Context, memberID string, t callbackline.Tokens) error
	SetPortalStatus(ctx context.Context, memberID string, s callbackline.PortalStatus, reason string) error
	Portal(ctx context.Context, memberID string) (*callbackline.Portal, error)
}

// Defaults of the Client.
const (
	DefaultTimeout          = 30 * time.Second // one HTTP exchange; Bitrix24 stops a request after 60 s
	DefaultMaxRetries       = 8                // QUERY_LIMIT_EXCEEDED and replay-safe failures
	DefaultMaxBackoff       = 16 * time.Second
	DefaultMaxOperatingWait = 10 * time.Minute // OPERATION_TIME_LIMIT: the limit's window
	maxResponse             = 64 << 20
)

// Client calls the REST API of installed portals (docs/bitrix24.md §4). One Client
// serves every portal: it keeps, per portal, the current token pair, a
// leaky-bucket limiter and the refresh lock. It is safe for concurrent use.
//
// Tokens are refreshed lazily, when the portal answers expired_token or
// invalid_token, once per call, single-flight per portal, and the new pair
// is stored in Store before it is used. When the OAuth server refuses the
// refresh token for good (invalid_grant, PAYMENT_REQUIRED) the portal is
// flagged callbackline.PortalReinstall and every later call fails fast
// with a callbackline.EREINSTALL error until new tokens arrive (a new
// installation).
type Client struct {
	OAuth *OAuth
	Store TokenStore
	// HTTP is the client for the portals' requests; nil: one without a
	// timeout of its own (Timeout applies). Redirects are never followed.
	// Its Transport, when set, replaces the one that connects only where
	// OAuth.AllowNetworks allows, and must check addresses itself.
	HTTP   *http.Client
	Limits Limits // per portal; zero: DefaultLimits

	Timeout          time.Duration // per HTTP exchange; 0: DefaultTimeout
	MaxRetries       int           // 0: DefaultMaxRetries
	MaxBackoff       time.Duration // 0: DefaultMaxBackoff
	MaxOperatingWait time.Duration // 0: DefaultMaxOperatingWait
	Logger           *slog.Logger  // nil: slog.Default()

	mu        sync.Mutex
	portals   map[string]*portalState
	transport http.RoundTripper // for HTTP without a Transport
	stats     clientStats
}

// NewClient returns a Client with the defaults.
func NewClient(oauth *OAuth, store TokenStore) *Client {
	return &Client{OAuth: oauth, Store: store}
}

type clientStats struct {
	calls, failures, refreshes, refreshFailures, limitRetries, replays, reinstalls atomic.Int64
}

// Stats are the client's counters since it started, for metrics.
type Stats struct {
	Calls           int64 // HTTP requests sent (retries included)
	Failures        int64 // calls that returned an error
	Refreshes       int64 // successful token refreshes
	RefreshFailures int64
	LimitRetries    int64 // retries after QUERY_LIMIT_EXCEEDED or OPERATION_TIME_LIMIT
	Replays         int64 // retries of replay-safe calls after a network error or 5xx
	Reinstalls      int64 // portals flagged for reinstallation
}

// Stats returns the counters.
func (c *Client) Stats() Stats {
	return Stats{c.stats.calls.Load(), c.stats.failures.Load(), c.stats.refreshes.Load(), c.stats.refreshFailures.Load(),
		c.stats.limitRetries.Load(), c.stats.replays.Load(), c.stats.reinstalls.Load()}
}

// portalState is what the client keeps per portal.
type portalState struct {
	memberID  string
	limiter   *limiter
	refreshMu sync.Mutex // single-flight refresh

	mu        sync.Mutex
	tokens    callbackline.Tokens
	known     map[string]bool // token pairs this client has seen (by refresh token)
	knownList []string        // their order, to forget the oldest
	reinstall string          // why the portal needs a reinstallation; "" if it does not
	unsaved   bool            // tokens holds a pair the store has not taken yet
	operating map[string]time.Time
}

func pairKey(t callbackline.Tokens) string {
	if t.RefreshToken != "" {
		return "r:" + t.RefreshToken
	}
	return "a:" + t.AccessToken
}

// state returns the portal's state, adopting the tokens of p when they are
// new to the client (a first call, or a new installation).
func (c *Client) state(p *callbackline.Portal) (*portalState, error) {
	if p == nil || p.MemberID == "" {
		return nil, callbackline.Errorf(callbackline.EINVALID, "bitrix24: no portal")
	}
	c.mu.Lock()
	if c.portals == nil {
		c.portals = map[string]*portalState{}
	}
	st := c.portals[p.MemberID]
	if st == nil {
		st = &portalState{memberID: p.MemberID, limiter: newLimiter(c.limits()), known: map[string]bool{}, operating: map[string]time.Time{}}
		c.portals[p.MemberID] = st
	}
	c.mu.Unlock()

	in := callbackline.Tokens{AccessToken: p.AccessToken, RefreshToken: p.RefreshToken, ExpiresAt: p.ExpiresAt,
		ClientEndpoint: p.ClientEndpoint, Domain: p.Domain}
	if in.ClientEndpoint == "" && p.Domain != "" {
		in.ClientEndpoint = "https://" + p.Domain + "/rest/"
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	adopted := false
	if (in.AccessToken != "" || in.RefreshToken != "") && !st.known[pairKey(in)] {
		st.tokens, st.reinstall, st.unsaved = in, "", false
		st.remember(in)
		adopted = true
	}
	switch p.Status {
	case callbackline.PortalUninstalled:
		return nil, callbackline.Errorf(callbackline.EUNAVAILABLE, "bitrix24: portal %s uninstalled the application", p.MemberID)
	case callbackline.PortalReinstall:
		if !adopted && st.reinstall == "" {
			st.reinstall = p.StatusReason
			if st.reinstall == "" {
				st.reinstall = "the OAuth server refused the refresh token"
			}
		}
	}
	if st.reinstall != "" {
		return nil, reinstallError(p.MemberID, st.reinstall, nil)
	}
	if st.tokens.AccessToken == "" && st.tokens.RefreshToken == "" {
		return nil, callbackline.Errorf(callbackline.EUNAUTHORIZED, "bitrix24: portal %s has no tokens", p.MemberID)
	}
	return st, nil
}

// remember marks a pair as seen; the oldest of more than 64 are forgotten.
func (st *portalState) remember(t callbackline.Tokens) {
	k := pairKey(t)
	if st.known[k] {
		return
	}
	st.known[k] = true
	st.knownList = append(st.knownList, k)
	if len(st.knownList) > 64 {
		delete(st.known, st.knownList[0])
		st.knownList = st.knownList[1:]
	}
}

func reinstallError(memberID, reason string, cause error) error {
	return callbackline.WrapError(cause, callbackline.EREINSTALL,
		"Bitrix24 portal %s must install the application again: %s", memberID, reason)
}

// Forget drops what the client keeps about a portal (after ONAPPUNINSTALL).
func (c *Client) Forget(memberID string) {
	c.mu.Lock()
	delete(c.portals, memberID)
	c.mu.Unlock()
}

// Tokens returns the client's current pair for the portal, if it has one.
func (c *Client) Tokens(memberID string) (callbackline.Tokens, bool) {
	c.mu.Lock()
	st := c.portals[memberID]
	c.mu.Unlock()
	if st == nil {
		return callbackline.Tokens{}, false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.tokens, true
}

func (c *Client) limits() Limits {
	l := c.Limits
	if l.Rate == 0 {
		l.Rate = DefaultLimits.Rate
	}
	if l.Burst <= 0 {
		l.Burst = DefaultLimits.Burst
	}
	return l
}

func (c *Client) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

func durOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// Response is a REST answer's envelope (docs/bitrix24.md §4.2).
type Response struct {
	Result json.RawMessage
	Next   *int // offset of the next page of a list; nil on the last page
	Total  *int // rows in the whole list, for list methods
	Time   Time
}

// Time is the envelope's "time".
type Time struct {
	Start            Float  `json:"start"`
	Finish           Float  `json:"finish"`
	Duration         Float  `json:"duration"`
	Processing       Float  `json:"processing"`
	DateStart        string `json:"date_start"`
	DateFinish       string `json:"date_finish"`
	OperatingResetAt Float  `json:"operating_reset_at"`
	Operating        Float  `json:"operating"`
}

// Float is a number that may arrive as a JSON number or a string.
type Float float64

// UnmarshalJSON accepts 1.5, "1.5", null, "", false.
func (f *Float) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(bytes.TrimSpace(b)), `"`)
	switch s {
	case "", "null", "false", "[]", "{}":
		*f = 0
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("bitrix24: %s is not a number", b)
	}
	*f = Float(v)
	return nil
}

// CallOption changes how one call is made.
type CallOption func(*callOpts)

type callOpts struct {
	safe *bool
}

// ReplaySafe overrides whether the call may be sent again after a network
// error or a 5xx answer, when it may already have run (see IsReplaySafe).
func ReplaySafe(safe bool) CallOption { return func(o *callOpts) { o.safe = &safe } }

// Call calls a REST method of the portal and decodes the envelope's result
// into out (which may be nil). params is anything that encodes as a JSON
// object (a map or a struct), or nil.
func (c *Client) Call(ctx context.Context, p *callbackline.Portal, method string, params any, out any, opts ...CallOption) error {
	resp, err := c.Do(ctx, p, method, params, opts...)
	if err != nil {
		return err
	}
	return decodeResult(method, resp.Result, out)
}

// decodeResult decodes a result; an empty PHP value ([], null, false) into
// a non-slice target leaves it zero.
func decodeResult(method string, raw json.RawMessage, out any) error {
	if out == nil {
		return nil
	}
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return nil
	}
	if s := string(t); s == "null" || s == "[]" || s == "false" {
		rv := reflect.ValueOf(out)
		if rv.Kind() == reflect.Pointer && !rv.IsNil() {
			switch rv.Elem().Kind() {
			case reflect.Struct, reflect.Map, reflect.Slice, reflect.Pointer, reflect.Int, reflect.Int64, reflect.String:
				return nil
			}
		}
	}
	if err := json.Unmarshal(t, out); err != nil {
		return fmt.Errorf("bitrix24 %s: decoding the result: %w", method, err)
	}
	return nil
}

// Do calls a REST method and returns the whole envelope. See Call.
func (c *Client) Do(ctx context.Context, p *callbackline.Portal, method string, params any, opts ...CallOption) (*Response, error) {
	var o callOpts
	for _, f := range opts {
		f(&o)
	}
	safe := IsReplaySafe(method)
	if o.safe != nil {
		safe = *o.safe
	}
	body, err := encodeParams(params)
	if err != nil {
		return nil, fmt.Errorf("bitrix24 %s: %w", method, err)
	}
	resp, err := c.do(ctx, p, method, safe, func(token string) (io.Reader, string) {
		return bytes.NewReader(withAuth(body, token)), "application/json"
	}, "")
	if err != nil {
		c.stats.failures.Add(1)
	}
	return resp, err
}

// encodeParams marshals params to a JSON object.
func encodeParams(params any) ([]byte, error) {
	if params == nil {
		return []byte("{}"), nil
	}
	b, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("encoding the parameters: %w", err)
	}
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return []byte("{}"), nil
	}
	if len(b) < 2 || b[0] != '{' {
		return nil, errors.New("the parameters must encode as a JSON object")
	}
	return b, nil
}

// withAuth puts the access token into the JSON object as "auth".
func withAuth(obj []byte, token string) []byte {
	tok, _ := json.Marshal(token)
	out := make([]byte, 0, len(obj)+len(tok)+10)
	out = append(out, `{"auth":`...)
	out = append(out, tok...)
	rest := bytes.TrimSpace(obj[1:])
	if len(rest) > 0 && rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...)
}

// bodyFunc builds a request body for an access token: the reader and its
// content type.
type bodyFunc func(token string) (io.Reader, string)

// do is the call loop: rate limit, send, and react to the answer: refresh
// once on expired/invalid token, back off on QUERY_LIMIT_EXCEEDED, wait on
// OPERATION_TIME_LIMIT, replay safe calls after network errors and 5xx,
// ask the OAuth server once where the portal is after a redirect.
// target, when set, is a full URL to post to instead of the method's.
func (c *Client) do(ctx context.Context, p *callbackline.Portal, method string, safe bool, body bodyFunc, target string) (*Response, error) {
	st, err := c.state(p)
	if err != nil {
		return nil, err
	}
	k := &callState{st: st, method: method, safe: safe, log: c.logger().With("portal", st.memberID, "method", method)}
	for {
		tok, err := c.prepare(ctx, st)
		if err != nil {
			return nil, err
		}
		c.stats.calls.Add(1)
		start := time.Now()
		resp, apiErr, err := c.send(ctx, method, tok, body, target)
		var re *RedirectError
		switch {
		case errors.As(err, &re):
			if err := c.relocate(ctx, k, tok, re, target); err != nil {
				return nil, err
			}
		case err != nil:
			k.log.Debug("bitrix24 call failed", "err", err, "elapsed", time.Since(start))
			if err := c.replay(ctx, k, err); err != nil {
				return nil, err
			}
		case apiErr == nil:
			k.log.Debug("bitrix24 call", "elapsed", time.Since(start))
			st.answered(method, resp)
			return resp, nil
		default:
			k.log.Debug("bitrix24 error", "code", apiErr.Code, "status", apiErr.HTTPStatus, "elapsed", time.Since(start))
			if err := c.retry(ctx, k, apiErr, tok); err != nil {
				return nil, err
			}
		}
	}
}

// callState is one REST call through its retries.
type callState struct {
	st        *portalState
	method    string
	safe      bool // may be replayed after a network error or a 5xx
	log       *slog.Logger
	refreshed bool // the token was refreshed once already
	relocated bool // the OAuth server was asked once already where the portal is
	retries   int
}

// prepare readies one exchange: the portal's tokens saved, a turn of the
// rate limit taken. It returns the tokens to send.
func (c *Client) prepare(ctx context.Context, st *portalState) (callbackline.Tokens, error) {
	if err := c.ensureSaved(ctx, st); err != nil {
		return callbackline.Tokens{}, err
	}
	if err := st.limiter.wait(ctx); err != nil {
		return callbackline.Tokens{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.tokens, nil
}

// answered notes what a successful answer says about the method's
// operating limit.
func (st *portalState) answered(method string, resp *Response) {
	if r := resp.Time.OperatingResetAt; r > 0 {
		st.mu.Lock()
		st.operating[method] = time.Unix(int64(r), 0)
		st.mu.Unlock()
	}
}

// replay decides after a network error: a safe call is sent again after a
// backoff while retries are left; nil means send again, else the error to
// return.
func (c *Client) replay(ctx context.Context, k *callState, err error) error {
	if ctx.Err() != nil || !k.safe || k.retries >= durInt(c.MaxRetries, DefaultMaxRetries) {
		return err
	}
	k.retries++
	c.stats.replays.Add(1)
	return sleep(ctx, c.backoff(k.retries-1))
}

// retry decides after the portal's error answer: nil means send again,
// else the error to return.
func (c *Client) retry(ctx context.Context, k *callState, apiErr *APIError, tok callbackline.Tokens) error {
	switch {
	case errors.Is(apiErr, ErrExpiredToken) || errors.Is(apiErr, ErrInvalidToken):
		if k.refreshed {
			return apiErr
		}
		k.refreshed = true
		return c.refresh(ctx, k.st, tok.AccessToken)
	case errors.Is(apiErr, ErrQueryLimit):
		// The call did not run: always safe to repeat (docs/bitrix24.md §4.5).
		k.st.limiter.empty()
		if k.retries >= durInt(c.MaxRetries, DefaultMaxRetries) {
			return apiErr
		}
		return c.again(ctx, k, apiErr, &c.stats.limitRetries, c.backoff(k.retries))
	case errors.Is(apiErr, ErrOperationLimit):
		wait := c.operatingWait(k.st, k.method, apiErr)
		if dl, ok := ctx.Deadline(); (ok && time.Now().Add(wait).After(dl)) || wait > durOr(c.MaxOperatingWait, DefaultMaxOperatingWait) ||
			k.retries >= durInt(c.MaxRetries, DefaultMaxRetries) {
			return apiErr
		}
		k.log.Info("bitrix24 operating limit reached; waiting", "wait", wait)
		return c.again(ctx, k, apiErr, &c.stats.limitRetries, wait)
	case apiErr.HTTPStatus >= 500 && k.safe && !errors.Is(apiErr, ErrOverload) && !errors.Is(apiErr, ErrPortalDeleted) &&
		k.retries < durInt(c.MaxRetries, DefaultMaxRetries):
		return c.again(ctx, k, apiErr, &c.stats.replays, c.backoff(k.retries))
	default:
		return apiErr
	}
}

// again counts one more retry in n and waits d before it; apiErr when ctx
// ends first.
func (c *Client) again(ctx context.Context, k *callState, apiErr *APIError, n *atomic.Int64, d time.Duration) error {
	k.retries++
	n.Add(1)
	if err := sleep(ctx, d); err != nil {
		return apiErr
	}
	return nil
}

// backoff is the wait before retry number attempt+1: doubling from a
// second up to MaxBackoff.
func (c *Client) backoff(attempt int) time.Duration {
	d := time.Second << min(attempt, 10)
	d = min(d, durOr(c.MaxBackoff, DefaultMaxBackoff))
	return d - time.Duration(rand.Int64N(int64(d)/5+1)) // up to 20% less: no lock-step
}

func durInt(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// operatingWait is how long to wait for a method's operating limit to
// reset: until operating_reset_at from the answer, or from the method's
// last success, else a minute.
func (c *Client) operatingWait(st *portalState, method string, e *APIError) time.Duration {
	reset := e.resetAt
	if reset.IsZero() {
		st.mu.Lock()
		reset = st.operating[method]
		st.mu.Unlock()
	}
	if d := time.Until(reset); !reset.IsZero() && d > 0 {
		return d + 500*time.Millisecond
	}
	return time.Minute
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// endpointFor returns the URL of a method at the portal's endpoint.
func endpointFor(endpoint, method string) (string, error) {
	if err := checkEndpoint(endpoint); err != nil {
		return "", fmt.Errorf("bitrix24: the portal's REST endpoint %q: %v", endpoint, err)
	}
	return endpoint + url.PathEscape(method) + ".json", nil
}

// send makes one exchange. A redirect is not followed: it comes back as a
// *RedirectError (see relocate). It returns the envelope, or the portal's
// error answer, or a transport error.
func (c *Client) send(ctx context.Context, method string, tok callbackline.Tokens, body bodyFunc, target string) (*Response, *APIError, error) {
	u := target
	if u == "" {
		var err error
		if u, err = endpointFor(tok.ClientEndpoint, method); err != nil {
			return nil, nil, err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, durOr(c.Timeout, DefaultTimeout))
	defer cancel()
	rd, ctype := body(tok.AccessToken)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, rd)
	if err != nil {
		return nil, nil, fmt.Errorf("bitrix24 %s: %w", method, err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent())
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("bitrix24 %s: %w", method, stripURLError(err))
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	resp.Body.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("bitrix24 %s: reading the answer: %w", method, stripURLError(err))
	}
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		re := &RedirectError{Method: method, Status: resp.StatusCode, Host: req.URL.Host}
		if loc, err := url.Parse(resp.Header.Get("Location")); err == nil {
			re.to = clip(loc.Host, 100)
		}
		return nil, nil, re
	}
	return parseEnvelope(method, resp.StatusCode, data)
}

// RedirectError says that a portal answered with a redirect (HTTP 3xx),
// which callbackline does not follow: a redirect never receives a token
// and never moves a portal. A portal that really moved (Bitrix24 answers
// 302 after a domain change, docs/bitrix24.md §4.1) is learned from the OAuth
// server: on a redirect the Client refreshes the tokens, and when the
// answer names another client_endpoint the call goes there. This error
// means the OAuth server still names the address that redirected (or an
// upload address redirected).
type RedirectError struct {
	Method string
	Status int    // the HTTP status
	Host   string // the host that answered with the redirect
	to     string // where it pointed, for the log only
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("bitrix24 %s: %s answered with a redirect (HTTP %d), which is not followed, and the OAuth server still names that address: the portal did not move",
		e.Method, e.Host, e.Status)
}

// relocate reacts to a redirect: the tokens are refreshed at the OAuth
// server, and when its answer names another client_endpoint the portal
// moved there (stored with the new pair) and nil means send again;
// otherwise the redirect is the error. Once per call, never for an
// upload address (target).
func (c *Client) relocate(ctx context.Context, k *callState, used callbackline.Tokens, re *RedirectError, target string) error {
	k.log.Warn("bitrix24 portal answered with a redirect; asking the OAuth server where the portal is", "status", re.Status, "to", re.to)
	if target != "" || k.relocated {
		return re
	}
	k.relocated = true
	if err := c.refresh(ctx, k.st, used.AccessToken); err != nil {
		return err
	}
	k.st.mu.Lock()
	now := k.st.tokens.ClientEndpoint
	k.st.mu.Unlock()
	if now == used.ClientEndpoint {
		return re
	}
	k.log.Info("bitrix24 portal moved", "domain", endpointHost(now))
	return nil
}

// parseEnvelope reads an answer: the envelope on success, *APIError for an
// error answer.
func parseEnvelope(method string, status int, data []byte) (*Response, *APIError, error) {
	var env struct {
		Result json.RawMessage `json:"result"`
		Next   *ID             `json:"next"`
		Total  *ID             `json:"total"`
		Time   json.RawMessage `json:"time"`
		Error  json.RawMessage `json:"error"`
		Desc   string          `json:"error_description"`
	}
	jerr := json.Unmarshal(data, &env)
	var tm Time
	if len(env.Time) > 0 {
		_ = json.Unmarshal(env.Time, &tm) // informational only
	}
	if jerr == nil && len(env.Error) > 0 && string(env.Error) != "null" {
		var code string
		if json.Unmarshal(env.Error, &code) != nil {
			code = strings.Trim(string(env.Error), `"`)
		}
		e := &APIError{Method: method, Code: code, Description: env.Desc, HTTPStatus: status}
		if tm.OperatingResetAt > 0 {
			e.resetAt = time.Unix(int64(tm.OperatingResetAt), 0)
		}
		return nil, e, nil
	}
	if jerr != nil || status != http.StatusOK {
		desc := "unexpected answer"
		if jerr != nil {
			desc = "the answer is not JSON"
		}
		if status >= 500 {
			return nil, &APIError{Method: method, Code: "", Description: desc, HTTPStatus: status}, nil
		}
		return nil, &APIError{Method: method, Code: "ERROR_UNEXPECTED_ANSWER", Description: desc, HTTPStatus: status}, nil
	}
	r := &Response{Result: env.Result, Time: tm}
	if env.Next != nil {
		n := int(*env.Next)
		r.Next = &n
	}
	if env.Total != nil {
		n := int(*env.Total)
		r.Total = &n
	}
	return r, nil, nil
}

// httpClient is HTTP with redirects turned off and, unless HTTP has a
// Transport of its own, the transport that connects only where
// OAuth.AllowNetworks allows.
func (c *Client) httpClient() *http.Client {
	var hc http.Client
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	if hc.Transport == nil {
		c.mu.Lock()
		if c.transport == nil {
			c.transport = c.OAuth.rule().transport()
		}
		hc.Transport = c.transport
		c.mu.Unlock()
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &hc
}

// ensureSaved stores a pair that the store has not taken yet (its save
// failed after a refresh); until then the pair is not used.
func (c *Client) ensureSaved(ctx context.Context, st *portalState) error {
	st.mu.Lock()
	unsaved, t := st.unsaved, st.tokens
	st.mu.Unlock()
	if !unsaved || c.Store == nil {
		return nil
	}
	st.refreshMu.Lock()
	defer st.refreshMu.Unlock()
	if err := c.Store.SaveTokens(context.WithoutCancel(ctx), st.memberID, t); err != nil {
		return fmt.Errorf("bitrix24: storing the refreshed tokens of portal %s: %w", st.memberID, err)
	}
	st.mu.Lock()
	if st.tokens == t {
		st.unsaved = false
	}
	st.mu.Unlock()
	return nil
}

// refresh gets a new pair after failed (the access token a call was
// refused with). Single-flight: when another call refreshed meanwhile, it
// only returns. A refresh runs to its end even when ctx is cancelled, since
// its answer holds the only valid refresh token.
//
// When the answer names a client_endpoint the rule refuses (EndpointError),
// the new pair is kept with the old address and the refusal returned.
func (c *Client) refresh(ctx context.Context, st *portalState, failed string) error {
	st.refreshMu.Lock()
	defer st.refreshMu.Unlock()
	st.mu.Lock()
	cur, reason := st.tokens, st.reinstall
	st.mu.Unlock()
	if reason != "" {
		return reinstallError(st.memberID, reason, nil)
	}
	if cur.AccessToken != failed {
		return nil // refreshed by another call
	}
	if c.OAuth == nil {
		return callbackline.Errorf(callbackline.EUNAVAILABLE, "bitrix24: no OAuth client configured")
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), durOr(c.OAuth.Timeout, DefaultOAuthTimeout)+5*time.Second)
	defer cancel()
	tok, err := c.OAuth.Refresh(rctx, cur.RefreshToken)
	var refused *EndpointError
	if err != nil && !(errors.As(err, &refused) && tok != nil) {
		c.stats.refreshFailures.Add(1)
		return c.refreshFailed(rctx, st, cur, err)
	}
	if tok.MemberID != st.memberID {
		c.stats.refreshFailures.Add(1)
		return callbackline.Errorf(callbackline.EUNAUTHORIZED, "bitrix24: the OAuth server answered for portal %s, not %s", tok.MemberID, st.memberID)
	}
	next := tok.Tokens()
	if refused != nil {
		// The pair is valid and the old one used up: keep it, not the address.
		next.ClientEndpoint, next.Domain = cur.ClientEndpoint, cur.Domain
		c.logger().Warn("bitrix24: the OAuth server names a refused address for the portal", "portal", st.memberID, "err", refused)
	}
	c.stats.refreshes.Add(1)
	if err := c.adopt(rctx, st, next); err != nil {
		return err
	}
	c.logger().Debug("bitrix24 tokens refreshed", "portal", st.memberID, "domain", next.Domain)
	if refused != nil {
		return callbackline.WrapError(refused, callbackline.EFORBIDDEN, "bitrix24: portal %s", st.memberID)
	}
	return nil
}

// adopt makes a refreshed pair the portal's, stored before it is used.
func (c *Client) adopt(ctx context.Context, st *portalState, next callbackline.Tokens) error {
	st.mu.Lock()
	st.tokens = next
	st.remember(next)
	st.unsaved = true
	st.mu.Unlock()
	if c.Store != nil {
		if err := c.Store.SaveTokens(ctx, st.memberID, next); err != nil {
			return fmt.Errorf("bitrix24: storing the refreshed tokens of portal %s: %w", st.memberID, err)
		}
	}
	st.mu.Lock()
	if st.tokens == next {
		st.unsaved = false
	}
	st.mu.Unlock()
	return nil
}

// refreshFailed handles a refused or failed refresh: when the OAuth server
// refused the refresh token for good, the stored pair is taken if another
// instance refreshed meanwhile, else the portal is flagged for a
// reinstallation.
func (c *Client) refreshFailed(ctx context.Context, st *portalState, cur callbackline.Tokens, err error) error {
	var oe *OAuthError
	if !errors.As(err, &oe) || !oe.NeedsReinstall() {
		c.logger().Warn("bitrix24 token refresh failed", "portal", st.memberID, "err", err)
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "bitrix24: refreshing the tokens of portal %s failed", st.memberID)
	}
	if c.adoptStored(ctx, st, cur) {
		// Another instance refreshed the pair: its new one is in the store.
		return nil
	}
	reason := "the OAuth server refused the refresh token: " + clipCode(oe.Code)
	if oe.Description != "" {
		reason += " (" + clip(oe.Description, 160) + ")"
	}
	st.mu.Lock()
	st.reinstall = reason
	st.mu.Unlock()
	c.stats.reinstalls.Add(1)
	c.logger().Warn("bitrix24 portal needs a reinstallation", "portal", st.memberID, "reason", reason)
	if c.Store != nil {
		if serr := c.Store.SetPortalStatus(ctx, st.memberID, callbackline.PortalReinstall, reason); serr != nil {
			c.logger().Error("bitrix24: flagging the portal failed", "portal", st.memberID, "err", serr)
		}
	}
	return reinstallError(st.memberID, reason, err)
}

// adoptStored takes the stored pair when it differs from used.
func (c *Client) adoptStored(ctx context.Context, st *portalState, used callbackline.Tokens) bool {
	if c.Store == nil {
		return false
	}
	p, err := c.Store.Portal(ctx, st.memberID)
	if err != nil || p == nil || p.RefreshToken == "" || p.RefreshToken == used.RefreshToken {
		return false
	}
	t := callbackline.Tokens{AccessToken: p.AccessToken, RefreshToken: p.RefreshToken, ExpiresAt: p.ExpiresAt,
		ClientEndpoint: p.ClientEndpoint, Domain: p.Domain}
	st.mu.Lock()
	st.tokens, st.unsaved = t, false
	st.remember(t)
	st.mu.Unlock()
	c.logger().Info("bitrix24: took the stored token pair, refreshed elsewhere", "portal", st.memberID)
	return true
}

// IsReplaySafe reports whether a method may be sent again when it may
// already have run (network error, timeout, 5xx): lookups and idempotent
// changes yes; finish, notifications, comments, to-dos, line creation no.
// QUERY_LIMIT_EXCEEDED is retried for every method: the call did not run.
func IsReplaySafe(method string) bool {
	m := strings.ToLower(method)
	switch m {
	case "event.offline.get": // with clear=1 a lost answer loses the events
		return false
	case "telephony.externalcall.register", // the same parameters within 30 min give the same CALL_ID
		"telephony.externalcall.show", "telephony.externalcall.hide",
		"telephony.externalcall.attachrecord", // a second call replaces the record
		"telephony.externalcall.searchcrmentities", "telephony.externalline.update",
		"event.bind", "event.unbind", "event.offline.clear", "timeman.status", "app.info", "scope", "methods":
		return true
	}
	return strings.HasSuffix(m, ".get") || strings.HasSuffix(m, ".list") || strings.HasSuffix(m, ".fields")
}

// ID is an integer that Bitrix24 sends sometimes as a JSON number and
// sometimes as a string ("797"). Empty values (null, "", false, [], {})
// decode as 0. It encodes as a number.
type ID int64

// UnmarshalJSON accepts 797, "797", 797.0, null, "", false, [] and {}.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	s := string(b)
	switch s {
	case "null", `""`, "false", "[]", "{}":
		*id = 0
		return nil
	case "true":
		*id = 1
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" {
			*id = 0
			return nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		*id = ID(n)
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != float64(int64(f)) {
		return fmt.Errorf("bitrix24: %s is not an integer id", b)
	}
	*id = ID(int64(f))
	return nil
}

// String returns the decimal form.
func (id ID) String() string { return strconv.FormatInt(int64(id), 10) }
