// Package bitrix24test is a simulated Bitrix24 portal for tests and for
// `callbackline demo`: an OAuth server, the REST methods callbackline uses
// with their documented shapes and quirks, a leaky-bucket rate limit, fault
// injection, a seeded CRM, and an event sender that posts events to a
// handler in Bitrix24's wire format. It follows docs/bitrix24.md; the section
// numbers (§N.M) in comments refer to it.
//
// The portal runs two HTTP servers on the loopback interface: the OAuth
// server (OAuthServer, standing in for https://oauth.bitrix.info/) and the
// portal itself (RESTEndpoint, https://<portal>/rest/). ChangeDomain moves
// the portal to a new address; the old one then answers 302.
//
// Driving it, as a test or `callbackline demo` does:
//
//   - the installation: SendInstall (ONAPPINSTALL with a fresh refresh
//     token) or SendInstallFrame + FinishInstall (an application with a UI);
//   - what Bitrix24 users do: SubmitCallbackForm (a CRM form asks for a
//     callback), ClickToCall, Uninstall; each posts to the handlers the
//     application bound with event.bind. SendEvent and its typed variants
//     post any event to any address;
//   - the clock and the weather: Advance (token expiry, the 30-minute
//     register window), ConsumeLimit, InjectFault, RevokeTokens,
//     SetPaymentRequired, ChangeDomain;
//   - what happened: Requests, RESTCalls, OAuthRequests, Refreshes, Sent,
//     Calls (the telephony log as the CRM shows it), Lines, Handlers,
//     Notifications, Comments, Todos, OfflineEvents.
package bitrix24test

import (
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure a simulated portal. Every field has a default.
type Options struct {
	ClientID     string // the application's client id; default "local.callbackline.test"
	ClientSecret string // default "test-client-secret"
	MemberID     string // default a random 32-hex id
	// Domain is what the portal calls itself in events (auth[domain]) and
	// in the frame query (DOMAIN); default the host:port of the REST server.
	// REST calls always go to the real server, RESTEndpoint.
	Domain           string
	ApplicationToken string // default a random 32-hex token
	Scope            string // granted scopes; default "telephony,crm,user_basic,im,timeman"
	AppStatus        string // L, F, D, T, P, S; default "L"
	Language         string // LANGUAGE_ID; default "de"
	AdminID          int64  // the installing administrator; default 1

	// Now is the portal's clock (token expiry, dates, the 30-minute
	// register window). Default: the wall clock. Advance moves either.
	Now func() time.Time
	// AccessTTL is the lifetime of access tokens; default one hour.
	AccessTTL time.Duration

	// Rate limit of the leaky bucket (docs/bitrix24.md §4.5): drain per second and
	// capacity. Defaults 2 and 50 (Enterprise: 5 and 250). A negative
	// Drain turns the limit off. The bucket runs on the wall clock.
	Drain float64
	Burst int

	// Users and Entities seed the CRM. When both are nil the portal is
	// seeded with DefaultUsers and DefaultEntities.
	Users    []User
	Entities []Entity

	// HTTP is used to post events and to fetch RECORD_URL; default a
	// client with a 10 s timeout.
	HTTP *http.Client
}

// Portal is a simulated Bitrix24 portal. All methods are safe for
// concurrent use.
type Portal struct {
	opts  Options
	oauth *httptest.Server
	httpc *http.Client

	mu       sync.Mutex
	rest     []*httptest.Server // the last one is current; older ones answer 302
	offset   time.Duration      // added to the clock by Advance
	requests []Request

	// OAuth state.
	refresh         map[string]*grant // refresh token → grant
	access          map[string]*grant // access token → grant
	installed       bool
	paymentRequired bool
	finished        bool // installFinish done: events flow

	// Rate limit.
	level    float64
	levelAt  time.Time
	accepted []time.Time

	faults map[string][]*Fault

	// The portal's data.
	handlers      []*Handler
	nextHandlerID int64
	lines         []*Line
	nextLineID    int64
	calls         []*Call
	users         map[int64]*User
	userOrder     []int64
	entities      map[string]*Entity // "LEAD:5785"
	entityOrder   []string
	nextEntityID  int64
	notifications []*Notification
	comments      []*Comment
	todos         []*Todo
	nextID        int64             // files, activities, notifications, comments, …
	uploads       map[string]string // upload token → CALL_ID
	offline       []*OfflineEvent
	sent          []SentEvent

	// The portal's own telephony (vox.go).
	voxLines   []VoxLine
	voxCalls   []*VoxCall
	stats      []statRecord
	noOutgoing map[int64]bool
	noBalance  bool
	bg         sync.WaitGroup // events sent after the REST call that caused them
}

type grant struct {
	userID    int64
	access    string
	refresh   string
	expiresAt time.Time
	revoked   bool // access: replaced by a refresh or uninstall; refresh: used
}

// New starts a simulated portal. Close it when done.
func New(opts Options) *Portal {
	if opts.ClientID == "" {
		opts.ClientID = "local.callbackline.test"
	}
	if opts.ClientSecret == "" {
		opts.ClientSecret = "test-client-secret"
	}
	if opts.MemberID == "" {
		opts.MemberID = randomHex(16)
	}
	if opts.ApplicationToken == "" {
		opts.ApplicationToken = randomHex(16)
	}
	if opts.Scope == "" {
		opts.Scope = "telephony,crm,user_basic,im,timeman"
	}
	if opts.AppStatus == "" {
		opts.AppStatus = "L"
	}
	if opts.Language == "" {
		opts.Language = "de"
	}
	if opts.AdminID == 0 {
		opts.AdminID = 1
	}
	if opts.AccessTTL <= 0 {
		opts.AccessTTL = time.Hour
	}
	if opts.Drain == 0 {
		opts.Drain = 2
	}
	if opts.Burst <= 0 {
		opts.Burst = 50
	}
	p := &Portal{
		opts:          opts,
		httpc:         opts.HTTP,
		refresh:       map[string]*grant{},
		access:        map[string]*grant{},
		faults:        map[string][]*Fault{},
		users:         map[int64]*User{},
		entities:      map[string]*Entity{},
		uploads:       map[string]string{},
		noOutgoing:    map[int64]bool{},
		nextHandlerID: 1053,
		nextLineID:    1,
		nextEntityID:  10000,
		nextID:        7000,
	}
	if p.httpc == nil {
		p.httpc = &http.Client{Timeout: 10 * time.Second}
	}
	users, entities := opts.Users, opts.Entities
	if users == nil && entities == nil {
		users, entities = DefaultUsers(), DefaultEntities()
		for i := range users {
			if !users[i].AbsentUntil.IsZero() { // on leave for a week from the portal's "now"
				users[i].AbsentUntil = p.nowLocked().AddDate(0, 0, 7).Truncate(24 * time.Hour)
			}
		}
	}
	for _, u := range users {
		p.putUser(u)
	}
	for _, e := range entities {
		p.putEntity(e)
	}
	p.oauth = httptest.NewServer(http.HandlerFunc(p.serveOAuth))
	p.startREST()
	return p
}

// Close shuts the servers down.
func (p *Portal) Close() {
	p.bg.Wait()
	p.oauth.Close()
	p.mu.Lock()
	srvs := append([]*httptest.Server(nil), p.rest...)
	p.mu.Unlock()
	for _, s := range srvs {
		s.Close()
	}
}

func (p *Portal) startREST() *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.servePortal(w, r, srv)
	}))
	p.mu.Lock()
	p.rest = append(p.rest, srv)
	p.mu.Unlock()
	return srv
}

// OAuthServer is the base URL of the OAuth server, to be used as
// bitrix24.OAuth.Server: "http://127.0.0.1:port/".
func (p *Portal) OAuthServer() string { return p.oauth.URL + "/" }

// ServerEndpoint is the OAuth server's REST base, as events and token
// answers name it (server_endpoint).
func (p *Portal) ServerEndpoint() string { return p.oauth.URL + "/rest/" }

// RESTEndpoint is the portal's current REST base URL (client_endpoint):
// "http://127.0.0.1:port/rest/".
func (p *Portal) RESTEndpoint() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.currentLocked().URL + "/rest/"
}

// Host is the host:port of the portal's current REST server.
func (p *Portal) Host() string {
	u, _ := url.Parse(p.RESTEndpoint())
	return u.Host
}

func (p *Portal) currentLocked() *httptest.Server { return p.rest[len(p.rest)-1] }

// Domain is the portal's domain as events carry it (Options.Domain, or the
// host:port of the current REST server).
func (p *Portal) Domain() string {
	if p.opts.Domain != "" {
		return p.opts.Domain
	}
	return p.Host()
}

// MemberID is the portal's member id.
func (p *Portal) MemberID() string { return p.opts.MemberID }

// ApplicationToken is the application token of the installation.
func (p *Portal) ApplicationToken() string { return p.opts.ApplicationToken }

// ClientID and ClientSecret are the credentials the OAuth server accepts.
func (p *Portal) ClientID() string     { return p.opts.ClientID }
func (p *Portal) ClientSecret() string { return p.opts.ClientSecret }

// ChangeDomain moves the portal to a new address (docs/bitrix24.md §4.1): from now
// on REST requests to every earlier address answer 302 with the new one in
// Location, and the OAuth server answers with the new client_endpoint. It
// returns the new REST endpoint.
func (p *Portal) ChangeDomain() string {
	srv := p.startREST()
	return srv.URL + "/rest/"
}

// Now is the portal's clock.
func (p *Portal) Now() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.nowLocked()
}

func (p *Portal) nowLocked() time.Time {
	now := time.Now()
	if p.opts.Now != nil {
		now = p.opts.Now()
	}
	return now.Add(p.offset)
}

// Advance moves the portal's clock forward, e.g. past the expiry of the
// access tokens (one hour by default).
func (p *Portal) Advance(d time.Duration) {
	p.mu.Lock()
	p.offset += d
	p.mu.Unlock()
}

// Request is one HTTP request the portal or its OAuth server received.
type Request struct {
	Time       time.Time   // wall clock
	Server     string      // "oauth" or "rest"
	Host       string      // host:port the request was sent to
	HTTPMethod string      // GET, POST
	Path       string      // /oauth/token/, /rest/user.get.json
	Query      url.Values  // the URL query
	Header     http.Header // the request headers
	Body       string      // the body as received (at most 1 MiB)
	Method     string      // REST method, lower case ("batch", "user.get"); "" for OAuth and uploads
	Params     map[string]any
	Token      string // the access token the request carried
	Status     int    // the HTTP status answered
	Error      string // the error code answered, if any
}

// Requests returns every request received so far, in order.
func (p *Portal) Requests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Request(nil), p.requests...)
}

// RESTCalls returns the REST requests for the method (case-insensitive),
// or all REST requests when method is "". Calls made inside a batch are
// listed as their own entries with Server "batch".
func (p *Portal) RESTCalls(method string) []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Request
	for _, r := range p.requests {
		if r.Method == "" || (method != "" && !strings.EqualFold(r.Method, method)) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// OAuthRequests returns the requests the OAuth server received.
func (p *Portal) OAuthRequests() []Request {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []Request
	for _, r := range p.requests {
		if r.Server == "oauth" {
			out = append(out, r)
		}
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (p *Portal) ResetRequests() {
	p.mu.Lock()
	p.requests = nil
	p.mu.Unlock()
}

func (p *Portal) record(r Request) {
	p.mu.Lock()
	p.requests = append(p.requests, r)
	p.mu.Unlock()
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func md5hex(s string) string {
	h := md5.Sum([]byte(s))
	return hex.EncodeToString(h[:])
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
