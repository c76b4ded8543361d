package callback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/speech"
)

// Store is what the worker keeps its progress in.
type Store interface {
	callbackline.Store
	callbackline.WorkStore
	callbackline.ClusterStore
	callbackline.RecordingStore
}

// Member is this instance's membership of the instances sharing the
// database: *cluster.Member.
type Member interface {
	// Lease is the current generation's lease.
	Lease() callbackline.Lease
	// Holds reports whether l is the current lease and still holds.
	Holds(l callbackline.Lease) bool
}

// Dialer places the calls: *sip.Dialer.
type Dialer interface {
	// Callback places one attempt's call (see sip.Plan) and returns how
	// it ended.
	Callback(ctx context.Context, p sip.Plan) sip.Result
	// HasLine reports whether the dialer has a line of that number of its
	// own (trunk, caller ID), which sip.Plan.Line may then name.
	HasLine(number string) bool
	// Route reports whether a call of the portal memberID on the line
	// number has a way out (a trunk that serves the portal): nil when it
	// has, else an error that says what is missing. Callback refuses a
	// plan that has none.
	Route(memberID, line string) error
	// CheckExtension reports whether the employee extension ext may be
	// dialled for a callback of the portal memberID on the line number
	// (the extension rule of the trunk the call goes out through);
	// Callback refuses a plan with one that may not.
	CheckExtension(memberID, line, ext string) error
}

// Speaker turns the request's text into an announcement file: *speech.Cache.
type Speaker interface {
	Announce(ctx context.Context, s speech.Script) (speech.Announcement, error)
}

// Config wires a Worker.
type Config struct {
	Store Store
	CRM   *bitrix24.Client
	// Dialer places the calls. Nil: the worker works only the jobs that
	// place no call (UninstallWorker, AttachWorker); the service then runs
	// only the maintenance queue, and a callback job that reaches Work
	// waits (snoozed) for a process that can dial.
	Dialer Dialer
	Speech Speaker // nil: no announcement, a short tone is not played either
	// Phrases, when set, returns what callbackline itself says to the
	// employee in a portal's language (Bitrix24's LANGUAGE_ID: ru, de,
	// …); nil, or a phrase left empty, is English (EnglishPhrases).
	Phrases func(lang string) Phrases
	// Lines are callbackline's lines by Number. A callback for an unknown
	// or empty LINE_NUMBER uses the first line. At least one is required.
	Lines []callbackline.Line
	// PortalLines, when set, returns a portal's own lines (its
	// callbackline.Settings) in place of Lines; none (nil, no error)
	// means the portal uses Lines. An error retries the job.
	PortalLines func(ctx context.Context, memberID string) ([]callbackline.Line, error)
	// MaxJob bounds one job (see JobTimeout); zero is JobTimeout(Lines).
	// Set it when PortalLines can give longer lines than Lines.
	MaxJob time.Duration
	// Guard is the toll-fraud policy applied again just before dialling.
	Guard phone.Policy
	// DialLimits bound the calls placed to one number (whichever portal
	// asks) and by one portal in an hour, counted in the store when each
	// call is let out (Store.PlaceAttempt). A callback over them waits;
	// a click-to-call fails. Zero: no limit.
	DialLimits callbackline.DialLimits
	// Countries, when set, narrows Guard to the countries each portal may
	// dial (the rule the intake applies too); nil = Guard for every
	// portal.
	Countries *Countries
	// RecordDir keeps the recordings (one stereo WAV per connected call).
	RecordDir string
	// SpeechFiles, when set, removes the cached speech of a portal's
	// requests when the portal is uninstalled with CLEAN=1.
	SpeechFiles SpeechFiles
	// UninstallRetry is the first wait before an uninstallation the
	// portal's answer did not prove is checked again (default 30 s,
	// doubling, at most an hour; see UninstallWorker).
	UninstallRetry time.Duration
	// AttachTries is how often a recording's attachment is tried within
	// the callback's job before an AttachJob takes over (default 5), the
	// first retry after AttachBackoff (default 1s, doubling).
	AttachTries   int
	AttachBackoff time.Duration
	// EndEventWait is how long a call handed to Bitrix24's telephony
	// waits for ONVOXIMPLANTCALLEND before voximplant.statistic.get is
	// asked (default 2 min).
	EndEventWait time.Duration
	// UserCacheTTL is how long employee lookups are reused (default 1 min).
	UserCacheTTL time.Duration
	Now          func() time.Time // default time.Now
	Logger       *slog.Logger     // default slog.Default()
	Metrics      *Metrics         // nil: a new, unregistered set
	// Member, when set, makes the worker claim each callback before it
	// works on it (another living instance's callback waits), write
	// under the lease (a store refuses the writes of a lease taken
	// over) and check the lease right before each Bitrix24 call and
	// dial. Nil: one instance, nothing claimed.
	Member Member
	// Timeline, when set, receives each step as it is persisted (the demo
	// prints it).
	Timeline func(cb *callbackline.Callback, note string)
	// Ended, when set, is told of each callback request (not a
	// click-to-call) that ended done or failed, once its state is
	// persisted (notify.Notifier.CallbackEnded counts the failures in a
	// row). It runs in the job: keep it short; its error is logged.
	Ended func(ctx context.Context, cb *callbackline.Callback) error
}

// Worker is the River worker of CallbackJob.
type Worker struct {
	river.WorkerDefaults[callbackline.CallbackJob]
	cfg   Config
	lines map[string]callbackline.Line
	users *userCache
	runs  runs // the callbacks this instance works on now
}

// New checks the configuration and returns a Worker.
func New(cfg Config) (*Worker, error) {
	w := &Worker{}
	if err := w.Init(cfg); err != nil {
		return nil, err
	}
	return w, nil
}

// Init configures a Worker that was registered with River before its store
// existed (River needs its workers before the store's client is made).
func (w *Worker) Init(cfg Config) error {
	if cfg.Store == nil || cfg.CRM == nil {
		return callbackline.Errorf(callbackline.EINVALID, "callback: Store and CRM are required")
	}
	if len(cfg.Lines) == 0 {
		return callbackline.Errorf(callbackline.EINVALID, "callback: at least one line is required (config key lines)")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics()
	}
	if cfg.AttachTries <= 0 {
		cfg.AttachTries = 5
	}
	if cfg.AttachBackoff <= 0 {
		cfg.AttachBackoff = time.Second
	}
	if cfg.UninstallRetry <= 0 {
		cfg.UninstallRetry = 30 * time.Second
	}
	if cfg.EndEventWait <= 0 {
		cfg.EndEventWait = 2 * time.Minute
	}
	if cfg.UserCacheTTL <= 0 {
		cfg.UserCacheTTL = time.Minute
	}
	if cfg.RecordDir != "" {
		if err := os.MkdirAll(cfg.RecordDir, 0o750); err != nil {
			return callbackline.WrapError(err, callbackline.EINVALID, "callback: cannot create the recordings folder %s", cfg.RecordDir)
		}
	}
	w.cfg, w.lines, w.users = cfg, map[string]callbackline.Line{}, newUserCache(cfg.UserCacheTTL, cfg.Now)
	for _, l := range cfg.Lines {
		w.lines[l.Number] = l
	}
	return nil
}

// line returns the callback's line: the portal's own with that number
// when the portal has lines of its own, else the configured one; an
// unknown or empty number takes the first line.
func (w *Worker) line(ctx context.Context, cb *callbackline.Callback) (callbackline.Line, error) {
	if w.cfg.PortalLines != nil {
		own, err := w.cfg.PortalLines(ctx, cb.MemberID)
		if err != nil {
			return callbackline.Line{}, fmt.Errorf("the portal's lines: %w", err)
		}
		if len(own) > 0 {
			for _, l := range own {
				if l.Number == cb.LineNumber {
					return l, nil
				}
			}
			return own[0], nil
		}
	}
	if l, ok := w.lines[cb.LineNumber]; ok {
		return l, nil
	}
	return w.cfg.Lines[0], nil
}

// Timeout bounds one job: Config.MaxJob, else JobTimeout of the lines.
func (w *Worker) Timeout(job *river.Job[callbackline.CallbackJob]) time.Duration {
	if w.cfg.MaxJob > 0 {
		return w.cfg.MaxJob
	}
	return JobTimeout(w.cfg.Lines)
}

// JobTimeout is the longest one job may take on these lines: every
// employee ringing, the announcement, the client ringing and the longest
// call, with a margin. The queue's stuck-job rescue must wait longer than
// this, or a call still in progress would be started again elsewhere.
func JobTimeout(lines []callbackline.Line) time.Duration {
	longest := time.Duration(0)
	for _, l := range lines {
		p := l.Policy
		d := time.Duration(len(l.Employees)+1)*(p.EmployeeRingTimeout+2*time.Minute) + p.ClientRingTimeout + p.MaxCallLength
		longest = max(longest, d)
	}
	return longest + 5*time.Minute
}

// Work runs one job: it advances the callback as far as it goes now, and
// snoozes the job when the callback is scheduled for later.
func (w *Worker) Work(ctx context.Context, job *river.Job[callbackline.CallbackJob]) error {
	if w.cfg.Dialer == nil { // nothing touched: a process that can dial takes it
		return river.JobSnooze(noDialerWait)
	}
	ctx, release, err := w.claim(ctx, job.Args.CallbackID)
	if err != nil {
		return err
	}
	if release == nil { // another living instance works on it
		return river.JobSnooze(claimWait)
	}
	defer release()
	after, err := w.Run(ctx, job.Args.CallbackID)
	if w.stopped(job.Args.CallbackID, err) {
		return nil
	}
	if errors.Is(err, callbackline.ErrFenced) {
		// Taken over: another instance goes on with the callback; this
		// job's later run finds it claimed or done.
		w.cfg.Logger.Warn("stopped work on a callback another instance took over",
			slog.Int64("callback_id", job.Args.CallbackID), slog.Any("err", err))
		return river.JobSnooze(claimWait)
	}
	if err != nil {
		if job.JobRow != nil && job.MaxAttempts > 0 && job.Attempt >= job.MaxAttempts {
			// The queue drops the job after this try: give the callback up
			// (and tell the responsible) rather than leave it half done.
			if gerr := w.giveUp(ctx, job.Args.CallbackID, err); gerr != nil {
				w.cfg.Logger.Error("giving up a callback after the queue's last try failed",
					slog.Int64("callback_id", job.Args.CallbackID), slog.Any("err", gerr))
			}
		}
		return err
	}
	if after > 0 {
		return snooze(w.due(ctx, job.Args.CallbackID, after))
	}
	return nil
}

// noDialerWait is how long a callback job reaching a worker without a
// Dialer waits before it is looked at again.
const noDialerWait = time.Hour

// Run advances one callback. It returns how long to wait before running
// it again (0: it is finished, or failed for good), or an error the queue
// retries.
func (w *Worker) Run(ctx context.Context, id int64) (time.Duration, error) {
	cb, p, err := w.load(ctx, id)
	if cb == nil || err != nil {
		return 0, err
	}
	r, err := w.newRun(ctx, cb, p)
	if err != nil {
		return 0, err
	}
	return r.resume(ctx)
}

// load reads a callback with work left and its portal; a nil callback
// when there is none (it is final, or deleted with its portal).
func (w *Worker) load(ctx context.Context, id int64) (*callbackline.Callback, *callbackline.Portal, error) {
	cb, err := w.cfg.Store.Callback(ctx, id)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return nil, nil, nil // deleted with its portal
	} else if err != nil {
		return nil, nil, err
	}
	rejectedCall := cb.State == callbackline.StateRejected && cb.NeedsJob()
	if cb.State.Final() && !rejectedCall {
		return nil, nil, nil
	}
	p, err := w.cfg.Store.Portal(ctx, cb.MemberID)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	return cb, p, nil
}

// newRun starts the work on one callback.
func (w *Worker) newRun(ctx context.Context, cb *callbackline.Callback, p *callbackline.Portal) (*run, error) {
	line, err := w.line(ctx, cb)
	if err != nil {
		return nil, err
	}
	return w.runOn(cb, p, line), nil
}

// runOn starts the work on one callback on a line.
func (w *Worker) runOn(cb *callbackline.Callback, p *callbackline.Portal, line callbackline.Line) *run {
	r := &run{w: w, cb: cb, portal: p, line: line, log: w.cfg.Logger.With(
		slog.Int64("callback_id", cb.ID), slog.String("member_id", cb.MemberID))}
	r.policy = r.line.Policy
	return r
}
