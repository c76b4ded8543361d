package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/speech"
	"github.com/callbackline/callbackline/web"
)

// app is one running callbackline: store and queue, Bitrix24 client, SIP
// dialer, speech, the worker and the HTTP server. serve and demo both run
// one.
type app struct {
	cfg    *config.Config
	logger *slog.Logger
	store  backend
	crm    *bitrix24.Client
	dialer *sip.Dialer // nil without a SIP trunk: requests are stored, not called
	lines  *portalLines
	intake *intake.Intake
	srv    *web.Server
	hs     *http.Server
	ln     net.Listener
}

// appOptions are what the demo adds to a plain serve.
type appOptions struct {
	Timeline func(cb *callbackline.Callback, note string) // each persisted step
	Listener net.Listener                                 // nil: listen on cfg.Listen
}

// clientID names this process's queue client: stable across restarts of
// the same host and data, so a restart can take back the jobs it was
// running when it died.
func clientID(cfg *config.Config) string {
	host, _ := os.Hostname()
	if host == "" {
		host = "callbackline"
	}
	return host + ":" + cfg.Listen
}

// newApp wires everything; nothing runs until run.
func newApp(ctx context.Context, cfg *config.Config, logger *slog.Logger, o appOptions) (a *app, err error) {
	a = &app{cfg: cfg, logger: logger}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	lines, err := cfg.DomainLines()
	if err != nil {
		return nil, err
	}
	oauth := &bitrix24.OAuth{
		Server: cfg.Bitrix24.OAuthServer, ClientID: cfg.Bitrix24.ClientID, ClientSecret: cfg.Bitrix24.ClientSecret,
		HTTP: &http.Client{Timeout: 15 * time.Second},
	}
	metrics := web.NewMetrics(nil)
	workerMetrics := callback.NewMetrics()
	if err := workerMetrics.Register(metrics.Registry); err != nil {
		return nil, err
	}

	if len(cfg.SIP.Trunks) > 0 {
		if a.dialer, err = sip.New(ctx, cfg.SIP, logger); err != nil {
			return nil, fmt.Errorf("starting the SIP dialer (config key sip): %w", err)
		}
	} else {
		logger.Warn("no SIP trunk configured (config key sip.trunks): callback requests are stored and queued, but not called")
	}

	// The worker is registered before the store exists (River needs its
	// workers when the store makes its client) and configured after. With
	// no dialer the queue only takes jobs in (nil workers).
	var workers *river.Workers
	var worker *callback.Worker
	if a.dialer != nil {
		workers = river.NewWorkers()
		worker = &callback.Worker{}
		river.AddWorker(workers, worker)
		river.AddWorker(workers, &callback.AttachWorker{W: worker})
	}
	// A portal's own lines are bounded (config.PortalBound): one job
	// takes at most as long as the longest of them or of the configured.
	maxJob := callback.JobTimeout(append(slices.Clone(lines), cfg.PortalBound()))
	if a.store, err = openStore(ctx, cfg, logger, workers, clientID(cfg), maxJob); err != nil {
		return nil, err
	}
	a.lines = newPortalLines(cfg, a.store, logger)
	a.crm = bitrix24.NewClient(oauth, a.store)
	a.crm.Logger = logger
	a.crm.Limits = bitrix24.Limits{Rate: cfg.Bitrix24.Rate, Burst: cfg.Bitrix24.Burst}
	if worker != nil {
		var spk callback.Speaker
		if eng := cfg.SpeechEngine(); eng != nil {
			cache, err := speech.NewCache(eng, cfg.SpeechCacheDir())
			if err != nil {
				return nil, err
			}
			cache.MaxBytes = int64(cfg.Speech.CacheMaxBytes)
			spk = cache
			if err := speech.Check(ctx, eng); err != nil {
				logger.Warn("speech does not work: employees hear a tone instead of the request", slog.Any("err", err))
			}
		}
		if err := worker.Init(callback.Config{
			Store: a.store, CRM: a.crm, Dialer: a.dialer, Speech: spk, Lines: lines,
			PortalLines: a.lines.own, MaxJob: maxJob,
			Guard: cfg.Policy(), RecordDir: cfg.RecordingsDir(), Logger: logger, Metrics: workerMetrics,
			Timeline: o.Timeline,
		}); err != nil {
			return nil, err
		}
	}
	metrics.ObserveStore(a.store)

	a.intake = intake.New(intake.Options{
		Store: a.store, Logger: logger, CRM: a.crm,
		Rules: intake.Rules{
			DedupWindow: cfg.Intake.DedupWindow, NumberLimit: cfg.Intake.NumberLimit, PortalLimit: cfg.Intake.PortalLimit,
			Policy: cfg.Policy(), DefaultRegion: cfg.DefaultRegion,
		},
	})
	defaultLines, err := config.FormatLines(cfg.Lines)
	if err != nil {
		return nil, fmt.Errorf("writing the configured lines for the app page: %w", err)
	}
	a.srv = web.NewServer(web.Options{
		Store: a.store, OAuth: oauth, Metrics: metrics,
		Settings: &web.Settings{
			Parse:   cfg.PortalLines,
			Default: defaultLines,
			// Saved lines reach the portal at once, so the CRM form can
			// pick them (lines no longer saved stay until lines sync --prune).
			Saved: func(ctx context.Context, p *callbackline.Portal, lines []callbackline.Line) error {
				if cfg.PublicURL == "" {
					return nil
				}
				_, err := a.crm.SyncLines(ctx, p, bitrix24Lines(lines), false)
				return err
			},
		},
		Intake:       a.intake,
		MaxBody:      int64(cfg.Intake.MaxBody),
		AdminToken:   cfg.AdminToken,
		MetricsToken: cfg.MetricsToken,
		Logger:       logger,
		Installed: func(ctx context.Context, p *callbackline.Portal) error {
			err := setupPortal(ctx, a.crm, p, cfg, a.lines, logger)
			if worker != nil {
				// Calls left open while the portal refused the old tokens.
				err = errors.Join(err, worker.Reinstalled(ctx, p))
			}
			return err
		},
		Ready: func(ctx context.Context) error {
			if a.dialer == nil {
				return nil
			}
			return a.dialer.Ready()
		},
	})
	a.ln = o.Listener
	if a.ln == nil {
		if a.ln, err = net.Listen("tcp", cfg.Listen); err != nil {
			return nil, callbackline.WrapError(err, callbackline.EUNAVAILABLE, "cannot listen on %s (config key listen)", cfg.Listen)
		}
	}
	a.hs = &http.Server{
		Handler: a.srv, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 90 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	return a, nil
}

// addr is the HTTP address the app listens on.
func (a *app) addr() string { return a.ln.Addr().String() }

// run serves until ctx is cancelled, then stops taking work, lets calls in
// progress end within the configured grace, and closes everything.
func (a *app) run(ctx context.Context) error {
	defer a.close()
	if n, err := a.store.RecoverJobs(ctx, clientID(a.cfg)); err != nil {
		return fmt.Errorf("taking back the jobs of the previous run: %w", err)
	} else if n > 0 {
		a.logger.Info("took back jobs that were running when the previous run stopped", slog.Int("jobs", n))
	}
	if a.dialer != nil {
		// Not ctx: River ends running jobs when its start context ends. The
		// queue is stopped below, gracefully.
		if err := a.store.StartQueue(context.WithoutCancel(ctx)); err != nil {
			return fmt.Errorf("starting the queue: %w", err)
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- a.hs.Serve(a.ln) }()
	if a.cfg.Bitrix24.OfflineEvents {
		poller := &bitrix24.OfflinePoller{Client: a.crm, Portals: a.store.Portals, Handle: a.intake.TakeRequest}
		offlineDone := make(chan struct{})
		offlineCtx, stopOffline := context.WithCancel(ctx)
		go func() { defer close(offlineDone); _ = poller.Run(offlineCtx) }()
		defer func() { stopOffline(); <-offlineDone }()
	}
	syncDone := make(chan struct{})
	go func() { defer close(syncDone); a.setupPortals(ctx) }()
	defer func() { <-syncDone }()
	pruneDone := make(chan struct{})
	pruneCtx, stopPrune := context.WithCancel(ctx)
	go func() { defer close(pruneDone); a.pruneRecordings(pruneCtx) }()
	defer func() { stopPrune(); <-pruneDone }()
	a.logger.Info("callbackline started", slog.String("version", callbackline.Version),
		slog.String("listen", a.addr()), slog.String("database", redactDSN(a.cfg.Database)),
		slog.String("public_url", a.cfg.PublicURL), slog.Bool("dialing", a.dialer != nil))

	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	// The queue stops first: no new calls start, calls in progress may end
	// within the grace. Events are still taken in (stored for the next run)
	// meanwhile: Bitrix24 never sends an event twice.
	a.logger.Info("shutting down: no new calls; waiting for calls in progress", slog.String("grace", a.cfg.ShutdownGrace.String()))
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	if a.dialer != nil {
		if qerr := a.store.StopQueue(sctx); qerr != nil {
			a.logger.Warn("calls were still in progress at the end of the grace; they are ended and resumed by the next run", slog.Any("err", qerr))
		}
	}
	hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer hcancel()
	if serr := a.hs.Shutdown(hctx); serr != nil && !errors.Is(serr, context.DeadlineExceeded) {
		a.logger.Warn("HTTP shutdown", slog.Any("err", serr))
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// setupPortals re-binds the events and re-syncs the lines of every
// installed portal at start, so a changed configuration (lines, public
// URL) reaches the portals without a reinstall.
func (a *app) setupPortals(ctx context.Context) {
	portals, err := a.store.Portals(ctx)
	if err != nil {
		a.logger.Warn("listing portals for the line sync failed", slog.Any("err", err))
		return
	}
	for _, p := range portals {
		if ctx.Err() != nil {
			return
		}
		if p.Status != callbackline.PortalInstalled {
			continue
		}
		if err := setupPortal(ctx, a.crm, p, a.cfg, a.lines, a.logger); err != nil {
			a.logger.Warn("syncing a portal's events and lines failed", slog.String("member_id", p.MemberID), slog.Any("err", err))
		}
	}
}

// pruneRecordings deletes recordings older than recordings.keep_days, at
// start and then every hour, until ctx ends.
func (a *app) pruneRecordings(ctx context.Context) {
	keep := time.Duration(a.cfg.Recordings.KeepDays) * 24 * time.Hour
	for {
		if n, err := callback.PruneRecordings(a.cfg.RecordingsDir(), keep, time.Now()); err != nil {
			a.logger.Warn("pruning old recordings failed", slog.Any("err", err))
		} else if n > 0 {
			a.logger.Info("old recordings deleted", slog.Int("files", n))
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}

// close releases what newApp opened.
func (a *app) close() {
	if a.srv != nil {
		a.srv.Close()
	}
	if a.dialer != nil {
		a.dialer.Close()
	}
	if a.store != nil {
		a.store.Close()
	}
}
