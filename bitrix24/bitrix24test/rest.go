package bitrix24test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// apiError is a REST error answer: {"error": code, "error_description": desc}.
type apiError struct {
	status int
	code   string
	desc   string
}

func (e *apiError) Error() string { return e.code + ": " + e.desc }

func errCore(desc string) *apiError { return &apiError{http.StatusBadRequest, "ERROR_CORE", desc} }

func errArg(code, desc string) *apiError { return &apiError{http.StatusBadRequest, code, desc} }

// Errors of the REST layer (docs/bitrix24.md §3.3, §4.6).
var (
	errNoAuth        = &apiError{http.StatusUnauthorized, "NO_AUTH_FOUND", "Wrong authorization data"}
	errInvalidToken  = &apiError{http.StatusUnauthorized, "invalid_token", "The access token provided is invalid."}
	errExpiredToken  = &apiError{http.StatusUnauthorized, "expired_token", "The access token provided has expired."}
	errScope         = &apiError{http.StatusForbidden, "insufficient_scope", "The request requires higher privileges than provided by the access token."}
	errQueryLimit    = &apiError{http.StatusServiceUnavailable, "QUERY_LIMIT_EXCEEDED", "Too many requests"}
	errMethodMissing = &apiError{http.StatusNotFound, "ERROR_METHOD_NOT_FOUND", "Method not found!"}
)

// Fault is an injected misbehaviour of one REST method (InjectFault).
type Fault struct {
	// Status and Code make the method fail with this HTTP status and
	// error code (and Description). Status 0 with a Code means 400.
	Status      int
	Code        string
	Description string
	// Delay holds the answer back (the call runs after the delay).
	Delay time.Duration
	// Drop closes the connection without an answer.
	Drop bool
	// AfterRun runs the method first and then fails or drops: the call
	// took effect but the caller cannot know.
	AfterRun bool
	// ResetAt, for OPERATION_TIME_LIMIT, is put into the error answer as
	// time.operating_reset_at (unix seconds).
	ResetAt time.Time
	// Times is how many calls the fault hits; 0 means every call until
	// ClearFaults.
	Times int
	hits  int
}

// InjectFault makes method (case-insensitive; "*" for every method)
// misbehave. Several faults for one method apply in the order injected.
func (p *Portal) InjectFault(method string, f Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := strings.ToLower(method)
	ff := f
	p.faults[m] = append(p.faults[m], &ff)
}

// ClearFaults removes every injected fault.
func (p *Portal) ClearFaults() {
	p.mu.Lock()
	p.faults = map[string][]*Fault{}
	p.mu.Unlock()
}

// takeFaultLocked returns the fault that hits this call of the method.
func (p *Portal) takeFaultLocked(method string) *Fault {
	for _, key := range []string{method, "*"} {
		for _, f := range p.faults[key] {
			if f.Times > 0 && f.hits >= f.Times {
				continue
			}
			f.hits++
			c := *f
			return &c
		}
	}
	return nil
}

func (f *Fault) apiError() *apiError {
	if f.Status == 0 && f.Code == "" {
		return nil
	}
	st := f.Status
	if st == 0 {
		st = http.StatusBadRequest
	}
	return &apiError{st, f.Code, f.Description}
}

// ConsumeLimit fills the portal's leaky bucket by n requests, as another
// application calling the same portal from the same address would
// (docs/bitrix24.md §9 item 16).
func (p *Portal) ConsumeLimit(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.drainLocked(time.Now())
	p.level += float64(n)
}

// Accepted returns the wall-clock times of the REST requests that passed
// the rate limit (a batch counts once).
func (p *Portal) Accepted() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.accepted...)
}

func (p *Portal) drainLocked(now time.Time) {
	if !p.levelAt.IsZero() {
		p.level -= now.Sub(p.levelAt).Seconds() * p.opts.Drain
		if p.level < 0 {
			p.level = 0
		}
	}
	p.levelAt = now
}

// admitLocked is the leaky bucket (docs/bitrix24.md §4.5): every request adds one;
// the bucket drains Drain per second; a request that would overflow Burst
// is refused with QUERY_LIMIT_EXCEEDED and does not run.
func (p *Portal) admitLocked() bool {
	if p.opts.Drain < 0 {
		return true
	}
	now := time.Now()
	p.drainLocked(now)
	if p.level+1 > float64(p.opts.Burst) {
		return false
	}
	p.level++
	p.accepted = append(p.accepted, now)
	return true
}

// caller is the authenticated user of a REST request.
type caller struct {
	userID int64
	token  string
}

func (p *Portal) authLocked(token string) (*caller, *apiError) {
	if token == "" {
		return nil, errNoAuth
	}
	g := p.access[token]
	if g == nil || g.revoked || !p.installed {
		return nil, errInvalidToken
	}
	if !p.nowLocked().Before(g.expiresAt) {
		return nil, errExpiredToken
	}
	return &caller{userID: g.userID, token: token}, nil
}

// servePortal is the portal's HTTP server: REST at /rest/<method>.json and
// the upload address of attachRecord.
func (p *Portal) servePortal(w http.ResponseWriter, r *http.Request, srv *httptest.Server) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<20))
	rec := Request{Time: time.Now(), Server: "rest", Host: r.Host, HTTPMethod: r.Method, Path: r.URL.Path,
		Query: r.URL.Query(), Header: r.Header.Clone()}
	if len(body) <= 1<<20 {
		rec.Body = string(body)
	}
	p.mu.Lock()
	current := p.currentLocked()
	p.mu.Unlock()
	if srv != current {
		// The portal moved (docs/bitrix24.md §4.1): 302 to the same path at the new address.
		loc := current.URL + r.URL.RequestURI()
		rec.Status = http.StatusFound
		p.record(rec)
		http.Redirect(w, r, loc, http.StatusFound)
		return
	}
	if !strings.HasPrefix(r.URL.Path, "/rest/") {
		rec.Status = http.StatusNotFound
		p.record(rec)
		http.NotFound(w, r)
		return
	}
	name := strings.TrimPrefix(r.URL.Path, "/rest/")
	if name == "upload.json" {
		p.serveUpload(w, r, body, rec)
		return
	}
	name = strings.TrimSuffix(name, ".json")
	method := strings.ToLower(name)
	rec.Method = method

	params, err := parseParams(r, body)
	if err != nil {
		p.answer(w, rec, nil, &apiError{http.StatusBadRequest, "INVALID_REQUEST", err.Error()}, nil)
		return
	}
	rec.Params = params
	token := bearer(r)
	if token == "" {
		token = params.str("auth")
	}
	if token == "" {
		token = params.str("access_token")
	}
	rec.Token = token

	p.mu.Lock()
	ok := p.admitLocked()
	p.mu.Unlock()
	if !ok {
		p.answer(w, rec, nil, errQueryLimit, nil)
		return
	}
	if _, known := methods[method]; !known && method != "batch" {
		p.answer(w, rec, nil, errMethodMissing, nil)
		return
	}
	p.mu.Lock()
	fault := p.takeFaultLocked(method)
	p.mu.Unlock()
	if fault != nil && fault.Delay > 0 {
		select {
		case <-time.After(fault.Delay):
		case <-r.Context().Done():
			return
		}
	}
	if fault != nil && !fault.AfterRun && p.inject(w, rec, fault) {
		return
	}

	var prefetched []byte
	var prefetchErr *apiError
	if method == "telephony.externalcall.attachrecord" && params.str("RECORD_URL") != "" && params.str("FILE_CONTENT") == "" {
		prefetched, prefetchErr = p.download(r, params.str("RECORD_URL"))
	}

	p.mu.Lock()
	c, aerr := p.authLocked(token)
	var res *result
	if aerr == nil {
		if method == "batch" {
			res, aerr = p.batchLocked(c, params)
		} else {
			res, aerr = p.callLocked(c, method, params, prefetched, prefetchErr)
		}
	}
	p.mu.Unlock()

	if fault != nil && fault.AfterRun && p.inject(w, rec, fault) {
		return
	}
	p.answer(w, rec, res, aerr, nil)
}

// inject answers as the fault says, a dropped connection or an error, and
// reports whether it answered (a fault of delay alone does not).
func (p *Portal) inject(w http.ResponseWriter, rec Request, f *Fault) bool {
	if f.Drop {
		rec.Status = 0
		p.record(rec)
		drop(w)
		return true
	}
	if e := f.apiError(); e != nil {
		p.answer(w, rec, nil, e, f)
		return true
	}
	return false
}

// result is a method's success: the result and, for list methods, total
// and next.
type result struct {
	value any
	total *int
	next  *int
}

func (p *Portal) callLocked(c *caller, method string, params params, prefetched []byte, prefetchErr *apiError) (*result, *apiError) {
	m := methods[method]
	if !p.hasScopeLocked(m.scope) {
		return nil, errScope
	}
	cc := &call{p: p, c: c, params: params, record: prefetched, recordErr: prefetchErr}
	return m.fn(cc)
}

func (p *Portal) hasScopeLocked(scope string) bool {
	if scope == "" || scope == "basic" {
		return true
	}
	for _, s := range strings.FieldsFunc(p.opts.Scope, func(r rune) bool { return r == ',' || r == ' ' }) {
		// The user scope's smaller versions: user_brief < user_basic < user.
		if s == scope || (scope == "user_basic" && s == "user") || (scope == "user_brief" && (s == "user_basic" || s == "user")) {
			return true
		}
	}
	return false
}

func (p *Portal) answer(w http.ResponseWriter, rec Request, res *result, e *apiError, f *Fault) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	var out map[string]any
	status := http.StatusOK
	if e != nil {
		status = e.status
		out = map[string]any{"error": e.code, "error_description": e.desc}
		if f != nil && !f.ResetAt.IsZero() {
			out["time"] = map[string]any{"operating_reset_at": f.ResetAt.Unix()}
		}
		rec.Error = e.code
	} else {
		p.mu.Lock()
		ti := p.timeInfoLocked()
		p.mu.Unlock()
		out = map[string]any{"result": res.value, "time": ti}
		if res.total != nil {
			out["total"] = *res.total
		}
		if res.next != nil {
			out["next"] = *res.next
		}
	}
	rec.Status = status
	p.record(rec)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(out)
}

// timeInfo is the envelope's "time" (docs/bitrix24.md §4.2).
func (p *Portal) timeInfoLocked() map[string]any {
	now := p.nowLocked()
	start := float64(now.UnixNano()) / 1e9
	return map[string]any{
		"start": start, "finish": start + 0.001, "duration": 0.001, "processing": 0.0005,
		"date_start": now.Format(time.RFC3339), "date_finish": now.Format(time.RFC3339),
		"operating_reset_at": now.Add(10 * time.Minute).Unix(), "operating": 0,
	}
}

func drop(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err == nil {
		conn.Close()
	}
}

func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// params are a request's parameters: from the query and from a form
// (PHP bracket syntax, nested into maps), JSON or multipart body.
type params map[string]any

func parseParams(r *http.Request, body []byte) (params, error) {
	ps := params{}
	for k, vs := range r.URL.Query() {
		for _, v := range vs {
			setBracket(ps, k, v)
		}
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case len(bytes.TrimSpace(body)) == 0:
	case ct == "application/json":
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			return nil, fmt.Errorf("the JSON body is not an object: %v", err)
		}
		for k, v := range m {
			ps[k] = v
		}
	case ct == "multipart/form-data":
		r.Body = io.NopCloser(bytes.NewReader(body))
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return nil, err
		}
		for k, vs := range r.MultipartForm.Value {
			for _, v := range vs {
				setBracket(ps, k, v)
			}
		}
	default: // application/x-www-form-urlencoded, also without a header
		// In the body's order, so that list keys like a[]=1&a[]=2 keep it.
		for _, kv := range strings.Split(string(body), "&") {
			k, v, _ := strings.Cut(kv, "=")
			k, err1 := url.QueryUnescape(k)
			v, err2 := url.QueryUnescape(v)
			if err1 != nil || err2 != nil || k == "" {
				continue
			}
			setBracket(ps, k, v)
		}
	}
	return ps, nil
}

// setBracket stores v under a PHP-style key: a[b][c] nests, a[] appends.
func setBracket(ps params, key, v string) {
	base, rest := key, ""
	if i := strings.IndexByte(key, '['); i > 0 && strings.HasSuffix(key, "]") {
		base, rest = key[:i], key[i:]
	}
	if rest == "" {
		ps[base] = v
		return
	}
	var segs []string
	for rest != "" {
		if rest[0] != '[' {
			break
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			break
		}
		segs = append(segs, rest[1:j])
		rest = rest[j+1:]
	}
	m := map[string]any(ps)
	k := base
	for _, s := range segs {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
		if s == "" {
			s = strconv.Itoa(len(m))
		}
		k = s
	}
	m[k] = v
}

// lookup finds a key case-insensitively (Bitrix24 upper-cases most
// parameter names).
func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

func (ps params) has(key string) bool {
	v, ok := lookup(ps, key)
	return ok && v != nil
}

func (ps params) str(key string) string {
	v, _ := lookup(ps, key)
	return scalarString(v)
}

// isString reports whether the parameter arrived as a string (a form
// value is always one; JSON may send a number).
func (ps params) isString(key string) bool {
	v, _ := lookup(ps, key)
	_, ok := v.(string)
	return ok
}

func (ps params) int(key string) (int64, bool) {
	s := strings.TrimSpace(ps.str(key))
	if s == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) {
		return int64(f), true
	}
	return 0, false
}

func (ps params) sub(key string) params {
	v, _ := lookup(ps, key)
	if m, ok := v.(map[string]any); ok {
		return params(m)
	}
	return params{}
}

// list returns a parameter that may be a scalar, a JSON array or a PHP
// array (a map with keys 0, 1, …) as a list.
func (ps params) list(key string) []any {
	v, ok := lookup(ps, key)
	if !ok || v == nil {
		return nil
	}
	return asList(v)
}

func asList(v any) []any {
	switch x := v.(type) {
	case []any:
		return x
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			a, ea := strconv.Atoi(keys[i])
			b, eb := strconv.Atoi(keys[j])
			if ea == nil && eb == nil {
				return a < b
			}
			return keys[i] < keys[j]
		})
		out := make([]any, 0, len(x))
		for _, k := range keys {
			out = append(out, x[k])
		}
		return out
	}
	return []any{v}
}

func scalarString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "1"
		}
		return "0"
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case map[string]any, []any:
		return ""
	}
	return fmt.Sprint(v)
}

// truthy is how PHP code reads a flag: "Y", "1", "true", true, 1.
func truthy(v any) bool {
	switch strings.ToLower(scalarString(v)) {
	case "y", "1", "true", "yes":
		return true
	}
	return false
}
