package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/cluster"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/https"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/notify"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/speech"
	"github.com/callbackline/callbackline/web"
	"github.com/callbackline/callbackline/words"
)

// app is one running callbackline: store and queue, Bitrix24 client, SIP
// dialer, speech, the worker and the HTTP server. serve and demo both run
// one.
type app struct {
	cfg    *config.Config
	logger *slog.Logger
	store  backend
	crm    *bitrix24.Client
	// dialer is nil without a SIP trunk and without encryption_key: the
	// worker runs all the same (any portal may put a line on the Bitrix24
	// dialer on the app page), and a SIP line's callbacks fail with
	// no_trunk (callback.NoSIP).
	dialer *sip.Dialer
	oauth  *bitrix24.OAuth
	lines  *callback.Lines
	// countries is the one rule of the countries each portal may dial:
	// the intake and the worker's guard apply it, the app page and the
	// operator API change it.
	countries *callback.Countries
	setup     *callback.PortalSetup
	intake    *intake.Intake
	member    *cluster.Member  // this instance among those on the database
	notifier  *notify.Notifier // tells the portals' administrators about problems
	srv       *web.Server
	hs        *http.Server
	ln        net.Listener
	// redirect serves tls.redirect_listen (redirectLn); nil when none.
	redirect   *http.Server
	redirectLn net.Listener

	speech *speech.Cache // the worker's; nil when speech is off or nothing calls

	trunkMu sync.Mutex
	learned map[string]string // member id → the own account the dialer has (accountKey)

	// stopping is set when the stop begins: /readyz then fails, so the
	// balancer sends new requests elsewhere while calls end.
	stopping atomic.Bool
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
	metrics := web.NewMetrics(nil)
	workerMetrics := callback.NewMetrics()
	if err := workerMetrics.Register(metrics.Registry); err != nil {
		return nil, err
	}
	if err := a.startDialer(ctx); err != nil {
		return nil, err
	}
	workers, worker := a.registerWorkers()
	// A portal's own lines are bounded (config.PortalBound): one job
	// takes at most as long as the longest of them or of the configured.
	maxJob := callback.JobTimeout(append(slices.Clone(lines), cfg.PortalBound()))
	// The worker always runs on an instance that places calls
	// (cluster.calls): a line on the Bitrix24 dialer needs no SIP, and
	// any portal may choose that dialer on the app page. An intake
	// instance works only the maintenance queue.
	if a.store, err = openStore(ctx, cfg, logger, workers, clientID(cfg), maxJob, !cfg.Cluster.Calls); err != nil {
		return nil, err
	}
	if err := a.join(ctx, metrics, worker); err != nil {
		return nil, err
	}
	a.connectBitrix24(lines)
	a.notifier = a.newNotifier()
	a.syncTrunks(ctx)
	wc := callback.Config{Lines: lines, MaxJob: maxJob, Metrics: workerMetrics, Timeline: o.Timeline, Member: a.member,
		EndEventWait: cfg.Bitrix24.EndEventWait, Ended: a.callbackEnded,
		DialLimits: callbackline.DialLimits{Number: cfg.Intake.NumberDialLimit, Portal: cfg.Intake.PortalDialLimit}}
	if err := a.initWorker(ctx, worker, wc); err != nil {
		return nil, err
	}
	metrics.ObserveStore(a.store)
	if a.srv, err = a.newServer(metrics, worker); err != nil {
		return nil, err
	}
	return a, a.listen(o.Listener)
}

// join records this instance among those on the database (before it
// takes back its own jobs: a new generation, so that no takeover of its
// previous run races it). Told it was declared dead, it hangs up the
// worker's calls.
func (a *app) join(ctx context.Context, metrics *web.Metrics, worker *callback.Worker) error {
	cm := cluster.NewMetrics()
	if err := cm.Register(metrics.Registry); err != nil {
		return err
	}
	o := cluster.Options{Store: a.store, DeadAfter: a.cfg.Cluster.DeadAfter, PruneAfter: a.cfg.Cluster.PruneAfter,
		Logger: a.logger, Metrics: cm,
		Instance: callbackline.Instance{ID: clientID(a.cfg), Fingerprint: a.cfg.Fingerprint(), Version: callbackline.Version}}
	o.Fenced, o.Tick = worker.HangUp, worker.ReleaseIdle
	var err error
	if a.member, err = cluster.Join(ctx, o); err != nil {
		return fmt.Errorf("recording this instance in the database: %w", err)
	}
	return nil
}

// startDialer starts the SIP dialer when there is a way to call over
// SIP: an operator trunk, or encryption_key, with which portals may enter
// their own SIP accounts (learned while running). Without either, only
// lines on the Bitrix24 dialer call; a SIP line's callbacks fail with
// no_trunk, saying what is missing.
func (a *app) startDialer(ctx context.Context) (err error) {
	if !a.cfg.Cluster.Calls {
		a.logger.Info("an intake instance (cluster.calls: false): events are taken and stored, the instances that place calls on the same database call back")
		return nil
	}
	if len(a.cfg.SIP.Trunks) == 0 && a.cfg.EncryptionKey == "" {
		a.logger.Warn("no SIP trunk configured (config key sip.trunks) and no encryption_key for the portals' own SIP accounts: only lines on the Bitrix24 dialer (dialer: bitrix24, in the configuration or on a portal's app page) call; callbacks on SIP lines fail with no_trunk, nothing dialled")
		return nil
	}
	if len(a.cfg.SIP.Trunks) == 0 {
		a.logger.Info("no operator SIP trunk (config key sip.trunks): only the portals' own SIP accounts are called through")
	}
	if a.dialer, err = sip.New(ctx, a.cfg.SIP, a.logger); err != nil {
		return fmt.Errorf("starting the SIP dialer (config key sip): %w", err)
	}
	return nil
}

// registerWorkers registers the workers, which are configured later
// (initWorker): River needs them when the store makes its client. They
// are registered with or without a SIP dialer.
func (a *app) registerWorkers() (*river.Workers, *callback.Worker) {
	workers := river.NewWorkers()
	worker := &callback.Worker{}
	river.AddWorker(workers, worker)
	river.AddWorker(workers, &callback.AttachWorker{W: worker})
	river.AddWorker(workers, &callback.UninstallWorker{W: worker})
	return workers, worker
}

// connectBitrix24 makes the Bitrix24 client and what uses it besides the
// worker: each portal's line choice, the portal setup and the intake.
func (a *app) connectBitrix24(lines []callbackline.Line) {
	cfg := a.cfg
	a.oauth = &bitrix24.OAuth{
		Server: cfg.Bitrix24.OAuthServer, ClientID: cfg.Bitrix24.ClientID, ClientSecret: cfg.Bitrix24.ClientSecret,
		HTTP: &http.Client{Timeout: 15 * time.Second}, AllowNetworks: cfg.Bitrix24.Networks(),
	}
	a.crm = bitrix24.NewClient(a.oauth, a.store)
	a.crm.Logger = a.logger
	a.crm.Limits = bitrix24.Limits{Rate: cfg.Bitrix24.Rate, Burst: cfg.Bitrix24.Burst}
	a.lines = callback.NewLines(a.store, lines, cfg.PortalLinesFor, a.logger)
	a.countries = &callback.Countries{Store: a.store, Lines: a.lines, Policy: cfg.Policy(), DefaultRegion: cfg.DefaultRegion}
	a.setup = &callback.PortalSetup{CRM: a.crm, Lines: a.lines, PublicURL: cfg.PublicURL,
		OfflineEvents: cfg.Bitrix24.OfflineEvents, Logger: a.logger}
	a.intake = intake.New(intake.Options{
		Store: a.store, Logger: a.logger,
		Rules: intake.Rules{
			DedupWindow: cfg.Intake.DedupWindow, NumberLimit: cfg.Intake.NumberLimit, PortalLimit: cfg.Intake.PortalLimit,
			Policy: cfg.Policy(), DefaultRegion: cfg.DefaultRegion, Guard: a.countries,
		},
	})
}

// initWorker configures the registered worker: c brings the lines, the
// job bound, metrics and timeline; the rest comes from the app.
func (a *app) initWorker(ctx context.Context, w *callback.Worker, c callback.Config) error {
	cache, err := a.speechCache(ctx)
	if err != nil {
		return err
	}
	if cache != nil {
		c.Speech, c.SpeechFiles = cache, cache
		a.speech = cache
	}
	c.Store, c.CRM, c.PortalLines = a.store, a.crm, a.lines.Own
	c.Dialer = callback.NoSIP{} // no SIP way out: only the Bitrix24 dialer calls
	if a.dialer != nil {        // not a nil *sip.Dialer in the interface
		c.Dialer = a.dialer
	}
	c.Guard, c.Countries, c.RecordDir, c.Logger = a.cfg.Policy(), a.countries, a.cfg.RecordingsDir(), a.logger
	c.Phrases = callback.PortalPhrases // what callbackline says, in the portal's language
	return w.Init(c)
}

// speechCache is the configured speech engine behind its cache; nil when
// speech is off. A speech engine that does not work is only a warning:
// employees hear a tone instead of the request.
func (a *app) speechCache(ctx context.Context) (*speech.Cache, error) {
	eng := a.cfg.SpeechEngine()
	if eng == nil {
		return nil, nil
	}
	cache, err := speech.NewCache(eng, a.cfg.SpeechCacheDir())
	if err != nil {
		return nil, err
	}
	cache.MaxBytes = int64(a.cfg.Speech.CacheMaxBytes)
	if err := speech.Check(ctx, eng); err != nil {
		a.logger.Warn("speech does not work: employees hear a tone instead of the request", slog.Any("err", err))
	}
	if auto, ok := eng.(*speech.Auto); ok {
		if why := speechFallbacks(auto); why != "" {
			a.logger.Info("speech: "+why, slog.String("install", strings.Join(missingPackages(auto), " ")))
		}
	}
	return cache, nil
}

// newServer makes the HTTP side. After an installation the portal is set
// up and, with a worker, calls left open while the portal refused the old
// tokens are resumed.
func (a *app) newServer(metrics *web.Metrics, worker *callback.Worker) (*web.Server, error) {
	cfg := a.cfg
	defaultLines, err := config.FormatLines(cfg.Lines)
	if err != nil {
		return nil, fmt.Errorf("writing the configured lines for the app page: %w", err)
	}
	return web.NewServer(web.Options{
		Store: a.store, OAuth: a.oauth, Metrics: metrics,
		Settings: &web.Settings{
			Parse:   cfg.PortalLinesFor,
			Default: defaultLines,
			// Saved lines reach the portal at once, so the CRM form can
			// pick them (lines no longer saved stay until lines sync --prune).
			Saved: func(ctx context.Context, p *callbackline.Portal, lines []callbackline.Line) error {
				return a.setup.Portal(ctx, p) // the lines, and the end event for the Bitrix24 dialer
			},
			Check: a.setup.CheckDialer,
			// The app page edits the same lines as a form.
			Form: &web.LineForm{Fields: config.FieldsOf, Text: config.FieldsText, Key: config.FieldKey},
		},
		Users:        &web.Users{Search: a.crm.SearchUsers, Get: a.crm.UsersByID},
		Telephony:    a.crm.Telephony,
		Countries:    a.countries,
		Intake:       a.intake,
		MaxBody:      int64(cfg.Intake.MaxBody),
		AdminToken:   cfg.AdminToken,
		MetricsToken: cfg.MetricsToken,
		Logger:       a.logger,
		Installed: func(ctx context.Context, p *callbackline.Portal) error {
			err := a.setup.Portal(ctx, p)
			if worker != nil {
				// Calls left open while the portal refused the old tokens.
				err = errors.Join(err, worker.Reinstalled(ctx, p))
			}
			return err
		},
		Ready: func(ctx context.Context) error {
			if a.stopping.Load() {
				return callbackline.Errorf(callbackline.EUNAVAILABLE,
					"this instance is stopping: calls in progress are ending, new requests belong to another instance")
			}
			if a.dialer == nil {
				return nil
			}
			return a.dialer.Ready()
		},
		Route:   a.route,
		Trunks:  a.trunks(),
		Samples: a.samples(),
		Control: control(worker),
	}), nil
}

// samples lets the app page play a sample of each voice, spoken through
// the worker's speech cache; nil without speech. The sample's URLs are
// signed with a key derived from encryption_key, else from the client
// secret (so every instance signs alike), else random for this process.
func (a *app) samples() *web.Samples {
	if a.speech == nil {
		return nil
	}
	secret := a.cfg.EncryptionKey
	if secret == "" {
		secret = a.cfg.Bitrix24.ClientSecret
	}
	key := make([]byte, 32)
	if secret == "" {
		_, _ = rand.Read(key)
	} else {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte("callbackline voice sample URLs"))
		key = m.Sum(nil)
	}
	return &web.Samples{Key: key, Voices: speech.VoiceIDs(), Speak: func(ctx context.Context, id string) (string, error) {
		ann, err := a.speech.Announce(ctx, speech.Script{Text: words.Sample(speech.VoiceFor(id).Language), Voice: id})
		if err == nil && !ann.Speech {
			err = ann.Err
		}
		return ann.Path, err
	}}
}

// trunks lets portals' administrators enter their own SIP accounts, which
// the dialer learns at once; nil without a dialer.
func (a *app) trunks() *web.Trunks {
	if a.dialer == nil {
		return nil
	}
	allow, _ := a.cfg.SIP.Networks() // checked when the configuration loaded
	return &web.Trunks{
		Check:  a.dialer.CheckTrunk,
		Apply:  a.applyTrunk,
		Status: a.dialer.TrunkStatus,
		Sealed: a.cfg.EncryptionKey != "",
		Allow:  allow,
	}
}

// applyTrunk hands a portal's own account to the dialer; nil forgets it.
// An account the dialer already has is left as it is (its registration
// and the calls going through it go on).
func (a *app) applyTrunk(memberID string, acc *sip.Account) error {
	a.trunkMu.Lock()
	defer a.trunkMu.Unlock()
	if a.learned == nil {
		a.learned = map[string]string{}
	}
	if acc == nil {
		a.dialer.RemoveTrunk(memberID)
		delete(a.learned, memberID)
		return nil
	}
	key := accountKey(acc)
	if a.learned[memberID] == key {
		return nil
	}
	if err := a.dialer.AddTrunk(memberID, acc.Trunk(), acc.CallerIDs); err != nil {
		return err
	}
	a.learned[memberID] = key
	return nil
}

// accountKey tells two versions of an account apart (kept in memory only).
func accountKey(acc *sip.Account) string {
	return fmt.Sprintf("%q", []any{acc.Registrar, acc.Proxy, acc.Username, acc.Password, acc.CallerIDs, acc.Transport, acc.Register})
}

// trunkSyncEvery is how often the portals' own accounts are read again:
// an account saved through another instance, or removed, reaches this
// one's dialer within it.
const trunkSyncEvery = 30 * time.Second

// syncTrunks makes the dialer learn the portals' own accounts as stored,
// and forget those no longer stored. One that no longer passes (the
// operator narrowed portal_networks) or does not open is logged and left
// out.
func (a *app) syncTrunks(ctx context.Context) {
	if a.dialer == nil {
		return
	}
	list, err := a.store.PortalTrunks(ctx)
	if err != nil {
		a.logger.Warn("the portals' own SIP accounts could not be read", slog.Any("err", err))
		return
	}
	allow, _ := a.cfg.SIP.Networks() // checked when the configuration loaded
	stored := map[string]bool{}
	for _, t := range list {
		acc := sip.Account{Registrar: t.Registrar, Proxy: t.Proxy, Username: t.Username, Password: t.Password,
			CallerIDs: t.CallerIDs, Transport: t.Transport, Register: t.Register}
		err := acc.Validate(allow)
		if err == nil {
			stored[t.MemberID] = true
			err = a.applyTrunk(t.MemberID, &acc)
		}
		if err != nil {
			a.logger.Warn("a portal's own SIP account is not used", slog.String("member_id", t.MemberID), slog.Any("err", err))
		}
	}
	a.trunkMu.Lock()
	var gone []string
	for m := range a.learned {
		if !stored[m] {
			gone = append(gone, m)
		}
	}
	a.trunkMu.Unlock()
	for _, m := range gone {
		_ = a.applyTrunk(m, nil)
	}
}

// keepTrunks runs syncTrunks every trunkSyncEvery until ctx ends.
func (a *app) keepTrunks(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(trunkSyncEvery):
		}
		a.syncTrunks(ctx)
	}
}

// route says what a portal's calls miss to go out, for the app page; nil
// when they have a trunk.
func (a *app) route(memberID string) error {
	if !a.cfg.Cluster.Calls {
		return nil // the instances that place calls know their way out; this one does not
	}
	if b24, err := a.lines.UseBitrix24(context.Background(), memberID); err == nil && b24 {
		return nil // its calls go out through Bitrix24's telephony
	}
	if a.dialer == nil {
		return callbackline.Refuse(callbackline.EUNAVAILABLE, callbackline.InputNoDialer, nil, "the service has no SIP trunk (sip.trunks) and takes no portal's own SIP account (encryption_key is not set): put a line on the Bitrix24 dialer (dialer: bitrix24 with a from_line, under Lines), else its callbacks fail with no_trunk")
	}
	err := a.dialer.Route(memberID, "")
	if e, ok := errors.AsType[*sip.Error](err); ok {
		return callbackline.WrapError(e, callbackline.EUNAVAILABLE, "%s", e.Reason) // the page says e in its language
	}
	return err
}

// listen opens the HTTP listener (ln when given, else cfg.Listen) and
// makes the HTTP server.
func (a *app) listen(ln net.Listener) error {
	a.ln = ln
	if a.ln == nil {
		var err error
		if a.ln, err = https.Listen(a.cfg.Listen); err != nil {
			return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "cannot listen on %s (config key listen)", a.cfg.Listen)
		}
	}
	a.hs = &http.Server{
		Handler: a.srv, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 90 * time.Second,
		ErrorLog: slog.NewLogLogger(a.logger.Handler(), slog.LevelWarn),
	}
	if err := a.setupTLS(); err != nil {
		a.ln.Close()
		return err
	}
	return nil
}

// addr is the HTTP address the app listens on.
func (a *app) addr() string { return a.ln.Addr().String() }

// run serves until ctx is cancelled, then stops taking work, lets calls in
// progress end within the configured grace, and closes everything.
func (a *app) run(ctx context.Context) error {
	defer a.close()
	// The heartbeat runs until the queue has stopped: calls that end
	// within the grace are still this instance's to finish.
	memberCtx, stopMember := context.WithCancel(context.WithoutCancel(ctx))
	memberDone := make(chan struct{})
	go func() { defer close(memberDone); a.member.Run(memberCtx) }()
	defer func() { stopMember(); <-memberDone }()
	if n, err := a.store.RecoverJobs(ctx, clientID(a.cfg)); err != nil {
		return fmt.Errorf("taking back the jobs of the previous run: %w", err)
	} else if n > 0 {
		a.logger.Info("took back jobs that were running when the previous run stopped", slog.Int("jobs", n))
	}
	// Not ctx: River ends running jobs when its start context ends. The
	// queue is stopped below, gracefully. Without a dialer it works only
	// the maintenance queue (uninstall checks, attachments).
	if err := a.store.StartQueue(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("starting the queue: %w", err)
	}
	errc := make(chan error, 2)
	go a.serveHTTP(errc)
	if a.cfg.Bitrix24.OfflineEvents {
		poller := &bitrix24.OfflinePoller{Client: a.crm, Portals: a.store.Portals, Handle: a.intake.TakeRequest}
		offlineDone := make(chan struct{})
		offlineCtx, stopOffline := context.WithCancel(ctx)
		go func() { defer close(offlineDone); _ = poller.Run(offlineCtx) }()
		defer func() { stopOffline(); <-offlineDone }()
	}
	syncDone := make(chan struct{})
	go func() { defer close(syncDone); a.setup.All(ctx, a.store) }()
	defer func() { <-syncDone }()
	trunksDone := make(chan struct{})
	trunksCtx, stopTrunks := context.WithCancel(ctx)
	go func() { defer close(trunksDone); a.keepTrunks(trunksCtx) }()
	defer func() { stopTrunks(); <-trunksDone }()
	pruneDone := make(chan struct{})
	pruneCtx, stopPrune := context.WithCancel(ctx)
	go func() { defer close(pruneDone); a.prune(pruneCtx) }()
	defer func() { stopPrune(); <-pruneDone }()
	noticesDone := make(chan struct{})
	noticesCtx, stopNotices := context.WithCancel(ctx)
	go func() { defer close(noticesDone); a.runNotices(noticesCtx) }()
	defer func() { stopNotices(); <-noticesDone }()
	a.logger.Info("callbackline started", slog.String("version", callbackline.Version),
		slog.String("listen", a.addr()), slog.String("serving", a.tlsMode()), slog.String("database", redactDSN(a.cfg.Database)),
		slog.String("public_url", a.cfg.PublicURL), slog.Bool("sip", a.dialer != nil))

	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
	}
	// The queue stops first: no new calls start, calls in progress may end
	// within the grace. Events are still taken in (stored for the next run)
	// meanwhile: Bitrix24 never sends an event twice.
	a.stopping.Store(true)
	a.logger.Info("shutting down: no new calls; waiting for calls in progress", slog.String("grace", a.cfg.ShutdownGrace.String()))
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownGrace)
	defer cancel()
	stopped := true
	if qerr := a.store.StopQueue(sctx); qerr != nil {
		stopped = false
		a.logger.Warn("calls were still in progress at the end of the grace; they are ended and resumed by the next run", slog.Any("err", qerr))
	}
	if stopped {
		// Nothing left to take over: the row goes, and with it the
		// claims (any instance may claim those callbacks at once).
		stopMember()
		<-memberDone
		if lerr := a.member.Leave(context.WithoutCancel(ctx)); lerr != nil {
			a.logger.Warn("removing this instance's row failed; the others take it for dead later", slog.Any("err", lerr))
		}
	}
	hctx, hcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer hcancel()
	if serr := a.hs.Shutdown(hctx); serr != nil && !errors.Is(serr, context.DeadlineExceeded) {
		a.logger.Warn("HTTP shutdown", slog.Any("err", serr))
	}
	if a.redirect != nil {
		_ = a.redirect.Shutdown(hctx)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// prune deletes recordings older than recordings.keep_days, and the
// requests and callbacks the retention section no longer keeps (in
// bounded batches), at start and then every hour, until ctx ends.
func (a *app) prune(ctx context.Context) {
	keep := time.Duration(a.cfg.Recordings.KeepDays) * 24 * time.Hour
	r := callbackline.Retention(a.cfg.Retention)
	for {
		if n, err := callback.PruneRecordings(a.cfg.RecordingsDir(), keep, time.Now()); err != nil {
			a.logger.Warn("pruning old recordings failed", slog.Any("err", err))
		} else if n > 0 {
			a.logger.Info("old recordings deleted", slog.Int("files", n))
		}
		if p, err := callback.PruneStore(ctx, a.store, r, time.Now()); err != nil && ctx.Err() == nil {
			a.logger.Warn("pruning old requests and callbacks failed", slog.Any("err", err))
		} else if p != (callbackline.Pruned{}) {
			a.logger.Info("old requests and callbacks deleted", slog.Int("rejected", p.Rejected),
				slog.Int("finished", p.Finished), slog.Int("history", p.History), slog.Int("audit", p.Audit))
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
