package postgres

import (
	"context"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/callbackline/callbackline"
)

// attachTries is how often the queue tries an AttachJob: with River's
// backoff (attempt^4 seconds) the last try comes about 7 hours after the
// first.
const attachTries = 10

// QueueAttach queues an AttachJob to run after delay, unless one for the
// same attempt is already waiting or running.
func (s *Store) QueueAttach(ctx context.Context, j callbackline.AttachJob, delay time.Duration) error {
	_, err := s.client.Insert(ctx, j, &river.InsertOpts{
		MaxAttempts: attachTries,
		ScheduledAt: time.Now().Add(delay),
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable,
			rivertype.JobStateRunning, rivertype.JobStateScheduled}},
	})
	if err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "postgres: queue the recording's attachment")
	}
	return nil
}
