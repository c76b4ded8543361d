// Package web is callbackline's HTTP side: the Bitrix24 handlers
// (installation, events, the app page), the JSON API, health and metrics.
// What an event does is the intake package's decision; the events handler
// reads, authenticates and answers.
//
// Every request that comes from outside is validated here before it reaches
// the store; every error answer goes through one mapping of domain codes to
// HTTP statuses (error.go).
package web

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/intake"
)

// Options configures a Server.
type Options struct {
	Store callbackline.Store
	OAuth *bitrix24.OAuth // verifies installations with the configured OAuth server
	// Intake applies the events of authenticated portals; nil = one on
	// Store with no rules set (no de-duplication, no limits).
	Intake     *intake.Intake
	MaxBody    int64  // largest request body accepted; 0 = 64 KiB
	AdminToken string // enables /api/v1 when set
	// MetricsToken, when set, is required (Authorization: Bearer) to read
	// /metrics; "" leaves it open.
	MetricsToken string
	Logger       *slog.Logger // nil = slog.Default()
	Metrics      *Metrics     // nil = a new registry
	Now          func() time.Time
	// Installed, when set, runs after an installation was verified and
	// stored (binding events, syncing lines). It runs in the background,
	// owned by the Server; Close waits for it.
	Installed func(ctx context.Context, p *callbackline.Portal) error
	// Ready, when set, is asked by /readyz beside the store (e.g. the SIP
	// dialer).
	Ready func(ctx context.Context) error
	// Route, when set, says whether a portal's calls have a way out (a
	// SIP trunk that serves it): the app page shows the error, what is
	// missing, to the portal.
	Route func(memberID string) error
	// Telephony, when set, lists the portal's own Bitrix24 lines and
	// voices on the app page, for the Bitrix24 dialer's from_line and
	// voice (bitrix24.Client.Telephony).
	Telephony func(ctx context.Context, p *callbackline.Portal) bitrix24.Telephony
	// Trunks, when set, lets a portal's administrator enter the portal's
	// own SIP account on the app page.
	Trunks *Trunks
	// Settings, when set (with its Parse), lets a portal's administrator
	// edit the portal's own lines on the app page; nil shows no editor.
	Settings *Settings
	// Countries, when set, shows on the app page the countries the portal
	// may dial and lets its administrator (and the operator, over
	// /api/v1/portals/{member_id}/countries) choose them.
	Countries Countries
	// Samples, when set with a Key of at least 32 bytes and Speak, lets
	// the app page play a sample of each voice (a "listen" button).
	Samples *Samples
	// Users, when set, lets the lines' form show employees by name and
	// find them by name (Settings.Form).
	Users *Users
	// Control carries out the actions on callbacks by hand (the app page,
	// /api/v1/callbacks/{id}/{action}); nil: the store's.
	Control Control
}

// Server serves callbackline's HTTP endpoints.
type Server struct {
	store      callbackline.Store
	oauth      *bitrix24.OAuth
	intake     *intake.Intake
	maxBody    int64
	adminToken string
	metricsTok string
	logger     *slog.Logger
	metrics    *Metrics
	now        func() time.Time
	installed  func(ctx context.Context, p *callbackline.Portal) error
	ready      func(ctx context.Context) error
	route      func(memberID string) error
	telephony  func(ctx context.Context, p *callbackline.Portal) bitrix24.Telephony
	trunks     *Trunks
	settings   *Settings
	countries  Countries
	samples    *Samples
	users      *Users
	controller Control

	mux      *http.ServeMux
	portals  *portalCache
	verifies *sourceLimits // installation checks at the OAuth server, per source

	ctx    context.Context // cancelled by Close: owns background work
	cancel context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex // guards closed and wg.Add against Close
	closed bool
}

// defaultMaxBody is the largest request body accepted when none is configured.
const defaultMaxBody = 64 << 10

// NewServer returns a Server; call Close when done.
func NewServer(o Options) *Server {
	s := &Server{
		store: o.Store, oauth: o.OAuth, intake: o.Intake, maxBody: o.MaxBody, adminToken: o.AdminToken, metricsTok: o.MetricsToken,
		logger: o.Logger, metrics: o.Metrics, now: o.Now, installed: o.Installed, ready: o.Ready, countries: o.Countries, route: o.Route, telephony: o.Telephony, trunks: o.Trunks,
		users: o.Users,
	}
	s.controller = o.Control
	if o.Settings != nil && o.Settings.Parse != nil {
		settings := *o.Settings
		s.settings = &settings
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if o.Samples != nil && len(o.Samples.Key) >= minSampleKey && o.Samples.Speak != nil {
		samples := *o.Samples
		s.samples = &samples
	} else if o.Samples != nil {
		s.logger.Error("voice samples are off: their signing key is shorter than 32 bytes or nothing speaks them")
	}
	if s.metrics == nil {
		s.metrics = NewMetrics(o.Store)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.intake == nil {
		s.intake = intake.New(intake.Options{Store: o.Store, Logger: s.logger, Now: s.now})
	}
	if s.maxBody <= 0 {
		s.maxBody = defaultMaxBody
	}
	s.portals = newPortalCache(2*time.Second, s.now)
	s.verifies = newSourceLimits()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/bitrix24/install", s.handleInstall)
	s.mux.HandleFunc("/bitrix24/events", s.handleEvents)
	s.mux.HandleFunc("/bitrix24/app", s.handleApp)
	s.mux.HandleFunc("/bitrix24/sample", s.handleSample)
	s.mux.HandleFunc("/healthz", s.handleHealth)
	s.mux.HandleFunc("/readyz", s.handleReady)
	s.mux.Handle("/metrics", s.guardMetrics(s.metrics.Handler()))
	s.mux.HandleFunc("/api/v1/callbacks", s.handleCallbacks)
	s.mux.HandleFunc("/api/v1/callbacks/{id}", s.handleCallback)
	s.mux.HandleFunc("/api/v1/callbacks/{id}/{action}", s.handleCallbackAction)
	s.mux.HandleFunc("/api/v1/stats", s.handleStats)
	s.mux.HandleFunc("/api/v1/portals", s.handlePortals)
	s.mux.HandleFunc("/api/v1/portals/{member_id}/lines", s.handlePortalLines)
	s.mux.HandleFunc("/api/v1/portals/{member_id}/countries", s.handlePortalCountries)
	s.mux.HandleFunc("/api/v1/portals/{member_id}/caller_ids", s.handlePortalCallerIDs)
	s.mux.HandleFunc("/api/v1/portals/{member_id}/audit", s.handlePortalAudit)
	s.mux.HandleFunc("/", s.handleNotFound)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close stops the Server's background work and waits for it.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.wg.Wait()
	return nil
}

// background runs f in a goroutine owned by the Server; after Close it
// runs nothing.
func (s *Server) background(f func(ctx context.Context)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f(s.ctx)
	}()
}

func (s *Server) handleNotFound(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, callbackline.Errorf(callbackline.ENOTFOUND, "no such endpoint: %s", r.URL.Path))
}
