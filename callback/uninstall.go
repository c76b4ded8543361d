package callback

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
)

// SpeechFiles is the speech cache as an uninstallation with CLEAN=1 sees
// it: what it made of a text, and removing that (*speech.Cache).
type SpeechFiles interface {
	// AnnouncementKey is the cache key of every announcement of text.
	AnnouncementKey(text string) string
	// Remove deletes the files of the keys; other files are kept.
	Remove(keys []string) (int, error)
}

// UninstallWorker is the River worker of UninstallJob: it asks the portal
// whether an ONAPPUNINSTALL is true and acts only on its proof. Register
// it with the same Worker as the callbacks (W).
type UninstallWorker struct {
	river.WorkerDefaults[callbackline.UninstallJob]
	W *Worker
}

// Timeout bounds one try: a question to the portal and, at most, the
// deletion of its data.
func (u *UninstallWorker) Timeout(*river.Job[callbackline.UninstallJob]) time.Duration {
	return 5 * time.Minute
}

// NextRetry spaces the tries when the portal's answer proved nothing:
// Config.UninstallRetry, doubling, at most an hour.
func (u *UninstallWorker) NextRetry(job *river.Job[callbackline.UninstallJob]) time.Time {
	d := u.W.cfg.UninstallRetry << min(max(job.Attempt-1, 0), 10)
	return time.Now().Add(min(d, time.Hour))
}

// Work checks once; an answer that proves nothing makes the queue ask
// again later, up to the job's attempts, after which the portal is left
// as it was.
func (u *UninstallWorker) Work(ctx context.Context, job *river.Job[callbackline.UninstallJob]) error {
	err := u.W.Uninstall(ctx, job.Args)
	if err != nil && job.JobRow != nil && job.MaxAttempts > 0 && job.Attempt >= job.MaxAttempts {
		u.W.cfg.Logger.Warn("ONAPPUNINSTALL could not be confirmed with the portal after the last try; the portal is left as it was",
			slog.String("member_id", job.Args.MemberID), slog.Int("tries", job.Attempt), slog.Any("err", err))
		return nil
	}
	return err
}

// Uninstall acts on an ONAPPUNINSTALL once the portal proves it
// (bitrix24.Client.Presence): the portal is no longer served, or with
// j.Clean its data, its recordings and the speech made of its requests
// are deleted; the Bitrix24 client forgets it. The portal saying the
// application is installed changes nothing; an answer that proves
// nothing is an error, to ask again later.
func (w *Worker) Uninstall(ctx context.Context, j callbackline.UninstallJob) error {
	log := w.cfg.Logger.With(slog.String("member_id", j.MemberID), slog.Bool("clean", j.Clean))
	p, err := w.cfg.Store.Portal(ctx, j.MemberID)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return nil // deleted already
	} else if err != nil {
		return err
	}
	switch {
	case p.Status == callbackline.PortalUninstalled:
		// Marked on the portal's proof; a request to clean that came
		// before the proof still stands.
		if j.Clean {
			return w.clean(ctx, p, log)
		}
		return nil
	case j.Refused && p.Status == callbackline.PortalReinstall:
		log.Warn("ONAPPUNINSTALL not acted on: the portal's tokens were refused before it arrived, so no answer of the portal can prove it; the portal is left as it is")
		return nil
	}
	pr, err := w.cfg.CRM.Presence(ctx, p)
	switch pr {
	case bitrix24.Installed:
		log.Warn("ONAPPUNINSTALL refused: the portal says the application is installed; nothing changes")
		return nil
	case bitrix24.PresenceUnknown:
		log.Warn("ONAPPUNINSTALL not confirmed yet: the portal's answer proves nothing; asking again later", slog.Any("err", err))
		return fmt.Errorf("the uninstallation of portal %s is not confirmed: %w", j.MemberID, err)
	}
	if j.Clean {
		return w.clean(ctx, p, log)
	}
	if err := w.cfg.Store.SetPortalStatus(ctx, p.MemberID, callbackline.PortalUninstalled,
		"the application was uninstalled from the portal"); err != nil {
		return err
	}
	w.cfg.CRM.Forget(p.MemberID)
	log.Info("portal uninstalled: the portal confirmed it")
	return nil
}

// clean deletes an uninstalled portal: first it stops being served, then
// its recordings and the cached speech of its requests (found from its
// callbacks, before they go), then its rows. A failure is retried from
// where it stopped.
func (w *Worker) clean(ctx context.Context, p *callbackline.Portal, log *slog.Logger) error {
	if p.Status != callbackline.PortalUninstalled {
		if err := w.cfg.Store.SetPortalStatus(ctx, p.MemberID, callbackline.PortalUninstalled,
			"the application was uninstalled from the portal; its data is being deleted"); err != nil {
			return err
		}
	}
	w.cfg.CRM.Forget(p.MemberID)
	ids, keys, err := w.portalFiles(ctx, p.MemberID)
	if err != nil {
		return err
	}
	recs, err := removeRecordings(w.cfg.RecordDir, p.MemberID, ids)
	if err != nil {
		return err
	}
	speeches := 0
	if w.cfg.SpeechFiles != nil && len(keys) > 0 {
		if speeches, err = w.cfg.SpeechFiles.Remove(keys); err != nil {
			return err
		}
	}
	if err := w.cfg.Store.DeletePortal(ctx, p.MemberID); err != nil {
		return err
	}
	w.cfg.CRM.Forget(p.MemberID)
	log.Info("portal uninstalled and its data deleted: the portal confirmed it",
		slog.Int("callbacks", len(ids)), slog.Int("recordings", recs), slog.Int("speech_files", speeches))
	return nil
}

// portalFiles lists the ids of the portal's callbacks and the speech
// cache keys of their texts.
func (w *Worker) portalFiles(ctx context.Context, memberID string) (map[int64]bool, []string, error) {
	ids := map[int64]bool{}
	keys := map[string]bool{}
	f := callbackline.CallbackFilter{MemberID: memberID, Limit: 500}
	for {
		list, err := w.cfg.Store.Callbacks(ctx, f)
		if err != nil {
			return nil, nil, err
		}
		for _, cb := range list {
			ids[cb.ID] = true
			// Only the request's own text: the default announcement is
			// every portal's.
			if text := strings.TrimSpace(cb.Text); text != "" && w.cfg.SpeechFiles != nil {
				keys[w.cfg.SpeechFiles.AnnouncementKey(text)] = true
			}
		}
		if len(list) < f.Limit {
			break
		}
		f.BeforeID = list[len(list)-1].ID
	}
	out := make([]string, 0, len(keys))
	for k := range keys {
		out = append(out, k)
	}
	return ids, out, nil
}

// removeRecordings deletes the recordings of the portal's callbacks in
// dir (named <member id>-<callback id>-<attempt>.wav, see recordPath)
// and returns how many it deleted.
func removeRecordings(dir, memberID string, ids map[int64]bool) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	return removeFiles(dir, func(e os.DirEntry) bool { return recordingOf(e.Name(), memberID, ids) })
}

// recordingOf reports whether name is a recording of one of the portal's
// callbacks: <member id>-<callback id>-<attempt>.wav.
func recordingOf(name, memberID string, ids map[int64]bool) bool {
	rest, ok := strings.CutPrefix(name, memberID+"-")
	if !ok {
		return false
	}
	rest, ok = strings.CutSuffix(rest, ".wav")
	if !ok {
		return false
	}
	id, n, ok := strings.Cut(rest, "-")
	if !ok {
		return false
	}
	cb, err := strconv.ParseInt(id, 10, 64)
	if _, nerr := strconv.Atoi(n); err != nil || nerr != nil {
		return false
	}
	return ids[cb]
}
