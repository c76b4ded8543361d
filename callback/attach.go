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
// later (River's backoff), up to the job's attempts. The job runs on any
// instance: the recording is read from the database when the file is
// not on this instance's disk.
func (a *AttachWorker) Work(ctx context.Context, job *river.Job[callbackline.AttachJob]) error {
	err := a.W.Attach(ctx, job.Args)
	if err != nil && job.JobRow != nil && job.MaxAttempts > 0 && job.Attempt >= job.MaxAttempts {
		// The last try: the database's copy goes (the file stays for
		// recordings.keep_days on the instance that made it).
		if derr := a.W.cfg.Store.DeleteRecording(ctx, job.Args.AttemptID); derr != nil {
			a.W.cfg.Logger.Warn("removing a recording never attached failed", slog.Any("err", derr))
		}
	}
	return err
}

// Attach attaches the recording of one attempt to its Bitrix24 call,
// once, unless it is attached already or there is nothing to attach any
// more (the callback, its portal or the file is gone).
func (w *Worker) Attach(ctx context.Context, j callbackline.AttachJob) error {
	r, a, err := w.toAttach(ctx, j)
	if a == nil || err != nil {
		return err
	}
	data, err := r.recording(ctx, a)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		w.cfg.Logger.Warn("the recording to attach is gone (recordings.keep_days?)", slog.Int64("callback_id", r.cb.ID))
		return nil
	} else if err != nil {
		return err
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
	data, err := r.recording(ctx, a)
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
	if err := r.fenced(ctx, "attaching the recording"); err != nil {
		return err
	}
	id, err := r.w.cfg.CRM.AttachRecord(ctx, r.portal, a.CallID, filepath.Base(a.RecordPath), data)
	if err != nil {
		r.w.cfg.Metrics.crmError("telephony.externalCall.attachRecord")
		return err
	}
	a.RecordFileID, a.UpdatedAt = id, r.now().UTC()
	if err := r.w.cfg.Store.SaveAttempt(ctx, a); err != nil {
		r.log.Error("saving the attached recording failed", slog.Any("err", err))
	} else if err := r.w.cfg.Store.DeleteRecording(ctx, a.ID); err != nil {
		r.log.Warn("removing the attached recording from the database failed", slog.Any("err", err))
	}
	_ = r.step(ctx, r.cb.State, a.ID, callbackline.NewNote("attached", id))
	return nil
}

// keepRecording stores the attempt's recording in the database until it
// is attached, so that whichever instance attaches it (a retry, a
// takeover) has it: the file stays only on this instance's disk.
func (r *run) keepRecording(ctx context.Context, a *callbackline.Attempt) {
	if a.RecordPath == "" {
		return
	}
	data, err := os.ReadFile(a.RecordPath)
	if err != nil {
		r.log.Error("the recording cannot be read", slog.Any("err", err))
		return
	}
	if err := r.w.cfg.Store.SaveRecording(ctx, a.ID, filepath.Base(a.RecordPath), data); err != nil {
		r.log.Error("storing the recording in the database failed: only this instance can attach it", slog.Any("err", err))
	}
}

// recording returns an attempt's recording: the file when it is on this
// instance's disk, else the copy in the database; ENOTFOUND when neither
// is there.
func (r *run) recording(ctx context.Context, a *callbackline.Attempt) ([]byte, error) {
	data, err := os.ReadFile(a.RecordPath)
	if err == nil {
		return data, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading the recording: %w", err)
	}
	_, data, err = r.w.cfg.Store.Recording(ctx, a.ID)
	return data, err
}
