package callback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
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
	r, a, err := w.toAttach(ctx, j)
	if a == nil || err != nil {
		return err
	}
	data, err := os.ReadFile(a.RecordPath)
	if errors.Is(err, os.ErrNotExist) {
		w.cfg.Logger.Warn("the recording to attach is gone (recordings.keep_days?)", slog.Int64("callback_id", r.cb.ID))
		return nil
	} else if err != nil {
		return fmt.Errorf("reading the recording: %w", err)
	}
	return r.attachOnce(ctx, a, data)
}

// toAttach returns the attempt of an AttachJob, with a run on its
// callback, while its recording is still to be attached; a nil attempt
// when it is not.
func (w *Worker) toAttach(ctx context.Context, j callbackline.AttachJob) (*run, *callbackline.Attempt, error) {
	cb, err := w.cfg.Store.Callback(ctx, j.CallbackID)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	p, err := w.cfg.Store.Portal(ctx, cb.MemberID)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND || err == nil && p.Status == callbackline.PortalUninstalled {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	attempts, err := w.cfg.Store.Attempts(ctx, cb.ID)
	if err != nil {
		return nil, nil, err
	}
	for _, a := range attempts {
		if a.ID == j.AttemptID && a.RecordFileID == 0 && a.RecordPath != "" && a.CallID != "" && !a.FinishedAt.IsZero() {
			return w.runOn(cb, p, w.cfg.Lines[0]), a, nil
		}
	}
	return nil, nil, nil
}

// attach uploads an attempt's recording, after finish, with a few quick
// retries; when they fail (the portal is down) an AttachJob tries again
// later, for hours.
func (r *run) attach(ctx context.Context, a *callbackline.Attempt) {
	data, err := os.ReadFile(a.RecordPath)
	if err != nil {
		r.log.Error("the recording cannot be read", slog.Any("err", err))
		return
	}
	backoff := r.w.cfg.AttachBackoff
	for try := 1; ; try++ {
		err := r.attachOnce(ctx, a, data)
		if err == nil {
			return
		}
		if try >= r.w.cfg.AttachTries || bitrix24.NeedsReinstall(err) || ctx.Err() != nil {
			r.log.Warn("attaching the recording failed; trying again later", slog.Any("err", err), slog.String("path", a.RecordPath))
			pctx, cancel := persist(ctx)
			defer cancel()
			if qerr := r.w.cfg.Store.QueueAttach(pctx, callbackline.AttachJob{CallbackID: r.cb.ID, AttemptID: a.ID}, attachLater); qerr != nil {
				r.log.Error("queueing the recording's attachment failed; it stays on disk", slog.Any("err", qerr))
			}
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff *= 2
	}
}

// attachLater is when a recording whose attachment failed is tried again.
const attachLater = 5 * time.Minute

// attachOnce uploads the recording once and stores the file id.
func (r *run) attachOnce(ctx context.Context, a *callbackline.Attempt, data []byte) error {
	id, err := r.w.cfg.CRM.AttachRecord(ctx, r.portal, a.CallID, filepath.Base(a.RecordPath), data)
	if err != nil {
		r.w.cfg.Metrics.crmError("telephony.externalCall.attachRecord")
		return err
	}
	a.RecordFileID, a.UpdatedAt = id, r.now().UTC()
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		r.log.Error("saving the attached recording failed", slog.Any("err", err))
	}
	_ = r.step(ctx, r.cb.State, a.ID, fmt.Sprintf("recording attached to the call (file %d)", id))
	return nil
}
