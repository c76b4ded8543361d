package callback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
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
}

// Dialer places the calls: *sip.Dialer.
type Dialer interface {
	// Callback places one attempt's call (see sip.Plan) and returns how
	// it ended.
	Callback(ctx context.Context, p sip.Plan) sip.Result
	// HasLine reports whether the dialer has a line of that number of its
	// own (trunk, caller ID), which sip.Plan.Line may then name.
	HasLine(number string) bool
}

// Speaker turns the request's text into an announcement file: *speech.Cache.
type Speaker interface {
	Announce(ctx context.Context, text, voiceID string) (speech.Announcement, error)
}

// Config wires a Worker.
type Config struct {
	Store  Store
	CRM    *bitrix24.Client
	Dialer Dialer
	Speech Speaker // nil: no announcement, a short tone is not played either
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
	// RecordDir keeps the recordings (one stereo WAV per connected call).
	RecordDir string
	// AttachTries is how often a recording's attachment is tried within
	// the callback's job before an AttachJob takes over (default 5), the
	// first retry after AttachBackoff (default 1s, doubling).
	AttachTries   int
	AttachBackoff time.Duration
	// UserCacheTTL is how long employee lookups are reused (default 1 min).
	UserCacheTTL time.Duration
	Now          func() time.Time // default time.Now
	Logger       *slog.Logger     // default slog.Default()
	Metrics      *Metrics         // nil: a new, unregistered set
	// Timeline, when set, receives each step as it is persisted (the demo
	// prints it).
	Timeline func(cb *callbackline.Callback, note string)
}

// Worker is the River worker of CallbackJob.
type Worker struct {
	river.WorkerDefaults[callbackline.CallbackJob]
	cfg   Config
	lines map[string]callbackline.Line
	users *userCache
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
	if cfg.Store == nil || cfg.CRM == nil || cfg.Dialer == nil {
		return callbackline.Errorf(callbackline.EINVALID, "callback: Store, CRM and Dialer are required")
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
	after, err := w.Run(ctx, job.Args.CallbackID)
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
		return river.JobSnooze(after)
	}
	return nil
}

// Run advances one callback. It returns how long to wait before running
// it again (0: it is finished, or failed for good), or an error the queue
// retries.
func (w *Worker) Run(ctx context.Context, id int64) (time.Duration, error) {
	cb, err := w.cfg.Store.Callback(ctx, id)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return 0, nil // deleted with its portal
	} else if err != nil {
		return 0, err
	}
	rejectedCall := cb.State == callbackline.StateRejected && cb.NeedsJob()
	if cb.State.Final() && !rejectedCall {
		return 0, nil
	}
	p, err := w.cfg.Store.Portal(ctx, cb.MemberID)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	r, err := w.newRun(ctx, cb, p)
	if err != nil {
		return 0, err
	}
	if rejectedCall {
		if p.Status == callbackline.PortalUninstalled {
			return 0, nil
		}
		return 0, r.closeRejected(ctx)
	}
	if p.Status == callbackline.PortalUninstalled {
		return 0, r.fail(ctx, "portal_uninstalled: the application was uninstalled from the portal", false)
	}
	if cb.State == callbackline.StateNotifying { // a crash while giving up
		return 0, r.resumeNotify(ctx)
	}
	after, err := r.advance(ctx)
	if err != nil && bitrix24.NeedsReinstall(err) && !r.cb.State.Final() {
		// No Bitrix24 call works until the portal installs the
		// application again: retrying the job cannot help.
		return 0, r.fail(ctx, reasonReinstall+"the portal must install the application again ("+callbackline.ErrorMessage(err)+")", false)
	}
	return after, err
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

// giveUp fails a callback whose job failed for the last time.
func (w *Worker) giveUp(ctx context.Context, id int64, cause error) error {
	ctx, cancel := persist(ctx)
	defer cancel()
	cb, err := w.cfg.Store.Callback(ctx, id)
	if err != nil {
		return err
	}
	if cb.State.Final() {
		return nil
	}
	p, err := w.cfg.Store.Portal(ctx, cb.MemberID)
	if err != nil {
		return err
	}
	r, err := w.newRun(ctx, cb, p)
	if err != nil { // giving up must not depend on the portal's lines
		r = w.runOn(cb, p, w.cfg.Lines[0])
	}
	if r.attempts, err = w.cfg.Store.Attempts(ctx, id); err != nil {
		return err
	}
	return r.fail(ctx, "error: the callback failed too often to go on ("+callbackline.ErrorMessage(cause)+")", cb.Kind == callbackline.KindCallback)
}

// run is the work on one callback in one job.
type run struct {
	w        *Worker
	cb       *callbackline.Callback
	portal   *callbackline.Portal
	line     callbackline.Line
	policy   callbackline.Policy
	log      *slog.Logger
	attempts []*callbackline.Attempt

	responsible int64  // the CRM entity's responsible user, 0 if unknown
	tried       string // what was tried, for the failure notification

	bg    sync.WaitGroup // card show/hide calls in flight
	cards chan struct{}  // closed when the last card move started is done
}

func (r *run) now() time.Time { return r.w.cfg.Now() }

// step persists a new state with a history note.
func (r *run) step(ctx context.Context, s callbackline.State, attemptID int64, note string) error {
	r.cb.State = s
	r.cb.UpdatedAt = r.now().UTC()
	if err := r.w.cfg.Store.Advance(ctx, r.cb, attemptID, note); err != nil {
		return err
	}
	if r.w.cfg.Timeline != nil {
		r.w.cfg.Timeline(r.cb, note)
	}
	r.log.Info("callback "+string(s), slog.String("note", note))
	return nil
}

func (r *run) advance(ctx context.Context) (time.Duration, error) {
	var err error
	if r.attempts, err = r.w.cfg.Store.Attempts(ctx, r.cb.ID); err != nil {
		return 0, err
	}
	// What a crash left behind comes first: no call stays open in Bitrix24.
	for _, a := range r.attempts {
		done, err := r.recover(ctx, a)
		if err != nil {
			return 0, err
		}
		if done {
			return 0, nil
		}
	}
	if r.cb.Kind == callbackline.KindCall {
		return 0, r.clickToCall(ctx)
	}
	// The last call ended and was finished, but its outcome was not
	// applied (the finish or the next step failed and the job is run
	// again): apply it now, so the policy's interval and limits hold.
	if o, a := r.pending(); a != nil {
		return r.apply(ctx, a, sip.Result{Outcome: o})
	}
	now := r.now()
	if r.cb.NextAt.After(now) {
		return r.cb.NextAt.Sub(now), nil
	}
	// Calls to the client cut short by a restart or shutdown count too:
	// never more calls to the client than the policy allows.
	if r.policy.ClientAttempts > 0 && r.cb.ClientAttempts >= r.policy.ClientAttempts {
		return 0, r.fail(ctx, fmt.Sprintf("client_unreachable: the client was called %d time(s), the most the line allows", r.cb.ClientAttempts), true)
	}
	// The age counts from when the line first opened after the request: a
	// request of Friday night is fresh on Monday morning.
	if opened := r.policy.Hours.Next(r.cb.CreatedAt); r.policy.MaxAge > 0 && !opened.IsZero() && now.Sub(opened) > r.policy.MaxAge {
		return 0, r.fail(ctx, fmt.Sprintf("stale: the request is older than %s and was not called", r.policy.MaxAge), true)
	}
	if next := r.policy.Hours.Next(now); !next.Equal(now) {
		if next.IsZero() {
			return 0, r.fail(ctx, "closed: the line's working hours never open", true)
		}
		return r.schedule(ctx, next, "outside working hours: scheduled for the next opening")
	}
	if err := r.w.cfg.Guard.Check(r.cb.Phone); err != nil {
		return 0, r.fail(ctx, "guard: "+err.Error(), false)
	}
	return r.attempt(ctx)
}

// schedule parks the callback until at.
func (r *run) schedule(ctx context.Context, at time.Time, note string) (time.Duration, error) {
	r.cb.NextAt = at.UTC()
	if err := r.step(ctx, callbackline.StateScheduled, 0, note+" ("+at.UTC().Format(time.RFC3339)+")"); err != nil {
		return 0, err
	}
	r.w.cfg.Metrics.outcome(r.line.Number, "scheduled")
	return max(at.Sub(r.now()), time.Millisecond), nil
}

// recordPath is where an attempt's recording goes.
func (r *run) recordPath(a *callbackline.Attempt) string {
	if r.w.cfg.RecordDir == "" {
		return ""
	}
	return filepath.Join(r.w.cfg.RecordDir, fmt.Sprintf("%s-%d-%d.wav", r.cb.MemberID, r.cb.ID, a.Number))
}

// isCallNotFound: a finish whose first answer was lost.
func isCallNotFound(err error) bool { return errors.Is(err, bitrix24.ErrCallNotFound) }
