package callbackline

import (
	"context"
	"strconv"
	"time"
)

// Attempt is one call of a callback as Bitrix24 knows it: registered with
// telephony.externalCall.register under its own EXTERNAL_CALL_ID, finished
// exactly once. Every field that a crash must not lose is persisted before
// the step it guards.
type Attempt struct {
	ID             int64
	CallbackID     int64
	Number         int       // 1, 2, … within the callback
	ExternalCallID string    // EXTERNAL_CALL_ID, unique per attempt
	CallID         string    // Bitrix24 CALL_ID once registered; "" before
	UserID         int64     // the employee the call is registered for
	Extension      string    // the extension that was rung
	ClientDialled  bool      // the client's number was dialled: never again in this attempt
	Connected      bool      // the client answered and was bridged
	StatusCode     string    // Bitrix24 STATUS_CODE the call ended with
	Reason         string    // FAILED_REASON, for people
	Duration       int       // talk seconds
	FinishedAt     time.Time // when finish succeeded; zero while the call is open in Bitrix24
	RecordPath     string    // the local recording, if any
	RecordFileID   int64     // Bitrix24's FILE_ID once attached; 0 before
	StartedAt      time.Time
	UpdatedAt      time.Time
	// PlacedAt is when PlaceAttempt let the call out; zero while it is
	// not placed. It counts for DialLimits from then on.
	PlacedAt time.Time
	// Dialer is DialerBitrix24 for a call handed to Bitrix24's own
	// telephony ("" for SIP): stored with PlacedAt before
	// voximplant.callback.start is sent (the intent), CallID right after
	// it; StatusCode, Duration, Reason and FinishedAt hold the outcome
	// (ONVOXIMPLANTCALLEND or the statistics). Such a call is never
	// registered nor finished by callbackline.
	Dialer Dialer
}

// ViaBitrix24 reports whether the attempt's call was handed to Bitrix24's
// own telephony.
func (a *Attempt) ViaBitrix24() bool { return a.Dialer == DialerBitrix24 }

// PlacedEnd is how a call placed through Bitrix24's telephony ended
// (ONVOXIMPLANTCALLEND or voximplant.statistic.get).
type PlacedEnd struct {
	Code     string // CALL_FAILED_CODE: 200, 304, 486, …
	Duration int    // CALL_DURATION, seconds
	Reason   string // CALL_FAILED_REASON
	At       time.Time
}

// Open reports whether the call is registered in Bitrix24 but not finished.
func (a *Attempt) Open() bool { return a.CallID != "" && a.FinishedAt.IsZero() }

// ExternalCallID returns the EXTERNAL_CALL_ID of attempt n of callback id.
func ExternalCallID(callbackID int64, n int) string {
	return "callbackline-" + strconv.FormatInt(callbackID, 10) + "-" + strconv.Itoa(n)
}

// HistoryEntry is one step in a callback's life, as the API shows it.
type HistoryEntry struct {
	ID         int64
	CallbackID int64
	AttemptID  int64 // the attempt the step belongs to; 0 for the callback itself
	At         time.Time
	State      State  // the callback's state after the step
	Note       string // what happened, for people, in English
	// Said is the note as its code and arguments, to be said in any
	// language; Code "" for a free text and for entries stored before
	// codes were kept (Note is all there is of those).
	Said Note
}

// WorkStore keeps what the workers do with callbacks.
type WorkStore interface {
	// Advance saves the callback's work fields (State, Reason, NextAt,
	// ClientAttempts, EmployeeRounds, UpdatedAt) and appends a history
	// entry with note (its English and its code and arguments), in one
	// transaction. ENOTFOUND if it is not there.
	Advance(ctx context.Context, cb *Callback, attemptID int64, note Note) error
	// History lists a callback's entries, oldest first.
	History(ctx context.Context, callbackID int64) ([]HistoryEntry, error)
	// SaveAttempt inserts an attempt (ID 0: ID is set) or updates it.
	SaveAttempt(ctx context.Context, a *Attempt) error
	// PlaceAttempt lets the attempt's call out at at when DialLimits
	// allow it: in one transaction that no other placement of the same
	// number or portal runs in (on any instance), it counts the calls
	// placed in the DialWindow before at to the callback's number (every
	// portal) and of its portal; under both limits it marks a placed at at
	// (PlacedAt; a is inserted first when its ID is 0) and returns the
	// zero time. At a
	// limit it writes nothing and returns when the next call could be
	// placed. SaveAttempt never changes PlacedAt.
	PlaceAttempt(ctx context.Context, a *Attempt, l DialLimits, at time.Time) (time.Time, error)
	// Attempts lists a callback's attempts by Number.
	Attempts(ctx context.Context, callbackID int64) ([]*Attempt, error)
	// RecoverJobs makes the jobs that the queue client clientID was running
	// when its process died available again, and returns how many. Call it
	// at start, before the queue runs, with this process's stable client id.
	RecoverJobs(ctx context.Context, clientID string) (int, error)
	// QueueAttach queues an AttachJob to run after delay, unless one for
	// the same attempt is already queued.
	QueueAttach(ctx context.Context, j AttachJob, delay time.Duration) error
	// EndPlaced stores the outcome of the call callID that the portal
	// memberID's callback placed through Bitrix24 (an attempt with
	// DialerBitrix24 and no outcome yet) and returns its callback's id;
	// ENOTFOUND when there is none (another call of the portal, or an
	// outcome already stored): nothing is stored then.
	EndPlaced(ctx context.Context, memberID, callID string, end PlacedEnd) (int64, error)
	// FoldRefired folds a request for phone into the portal's callback
	// that is handing, or handed since since, a call for that number to
	// Bitrix24's telephony (StatePlaced, or an attempt with
	// DialerBitrix24 started since then): its Duplicates grows and a
	// history entry says so. It returns that callback, or ENOTFOUND.
	FoldRefired(ctx context.Context, memberID, phone string, since, at time.Time) (*Callback, error)
}

// AttachJob attaches an attempt's recording to its Bitrix24 call later,
// when the tries within the callback's own job failed (the portal was
// down): the queue retries it with a growing backoff for hours. Queued by
// WorkStore.QueueAttach, worked by callback.AttachWorker.
type AttachJob struct {
	CallbackID int64 `json:"callback_id"`
	AttemptID  int64 `json:"attempt_id"`
}

// Kind names the job for the queue.
func (AttachJob) Kind() string { return "attach" }
