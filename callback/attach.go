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
)

// AttachWorker is the River worker of AttachJob: it attaches a recording
// whose attachment failed within its callback's job. Register it with
// the same Worker as the callbacks (W).
type AttachWorker struct {
	river.WorkerDefaults[callbackline.AttachJob]
	W *Worker
}

// Timeout bounds one try: an upload, not a call.
func (a *AttachWorker) Timeout(*river.Job[callbackline.AttachJob]) time.Duration {
	return 2 * time.Minute
}

// Work tries the attachment once; an error makes the queue try again
// later (River's backoff), up to the job's attempts.
func (a *AttachWorker) Work(ctx context.Context, job *river.Job[callbackline.AttachJob]) error {
	return a.W.Attach(ctx, job.Args)
}

// Attach attaches the recording of one attempt to its Bitrix24 call,
// once, unless it is attached already or there is nothing to attach any
// more (the callback, its portal or the file is gone).
func (w *Worker) Attach(ctx context.Context, j callbackline.AttachJob) error {
	cb, err := w.cfg.Store.Callback(ctx, j.CallbackID)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return nil
	} else if err != nil {
		return err
	}
	p, err := w.cfg.Store.Portal(ctx, cb.MemberID)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND || err == nil && p.Status == callbackline.PortalUninstalled {
		return nil
	} else if err != nil {
		return err
	}
	attempts, err := w.cfg.Store.Attempts(ctx, cb.ID)
	if err != nil {
		return err
	}
	var a *callbackline.Attempt
	for _, x := range attempts {
		if x.ID == j.AttemptID {
			a = x
		}
	}
	if a == nil || a.RecordFileID != 0 || a.RecordPath == "" || a.CallID == "" || a.FinishedAt.IsZero() {
		return nil
	}
	data, err := os.ReadFile(a.RecordPath)
	if errors.Is(err, os.ErrNotExist) {
		w.cfg.Logger.Warn("the recording to attach is gone (recordings.keep_days?)", slog.Int64("callback_id", cb.ID))
		return nil
	} else if err != nil {
		return fmt.Errorf("reading the recording: %w", err)
	}
	r := w.runOn(cb, p, w.cfg.Lines[0])
	return r.attachOnce(ctx, a, data)
}
