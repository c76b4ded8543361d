package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/callbackline/callbackline"
)

// recorder is a callback worker that passes on the callbacks it works.
type recorder struct {
	river.WorkerDefaults[callbackline.CallbackJob]
	got chan int64
}

func (w *recorder) Work(ctx context.Context, job *river.Job[callbackline.CallbackJob]) error {
	w.got <- job.Args.CallbackID
	return nil
}

// testQueueRunsWorker: a callback taken in is handed to the store's
// worker once the queue runs, and its job is completed after it.
func testQueueRunsWorker(t *testing.T, open OpenQueue) {
	w := &recorder{got: make(chan int64, 10)}
	workers := river.NewWorkers()
	river.AddWorker(workers, w)
	s := open(t, "me", workers)
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	must(t, s.StartQueue(ctx))
	cb := newCallback(t, s, "+4930123456")
	select {
	case id := <-w.got:
		if id != cb.ID {
			t.Fatalf("the worker got callback %d, want %d", id, cb.ID)
		}
	case <-time.After(time.Minute): // a hang guard, not a timing assumption
		t.Fatal("the worker did not run the job")
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), time.Minute) // a hang guard
	defer cancel()
	must(t, s.StopQueue(stopCtx))
	ids, err := s.JobIDs(ctx, callbackline.CallbackJob{}.Kind())
	must(t, err)
	if len(ids) != 1 {
		t.Fatalf("%d callback jobs, want 1", len(ids))
	}
	if st := job(t, s, ids[0]).State; st != rivertype.JobStateCompleted {
		t.Errorf("the job is %s, want completed", st)
	}
}
