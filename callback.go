package callbackline

import (
	"context"
	"time"
)

// State is a step in a callback's life. Every transition is persisted, so a
// crash resumes from the last state.
type State string

// Callback states, in the order a successful callback passes them.
const (
	StateReceived        State = "received"         // stored and queued, not yet worked on
	StateRejected        State = "rejected"         // genuine, but its number must not be dialled; see Reason
	StateRouting         State = "routing"          // choosing the employee
	StatePlaced          State = "placed"           // handed to Bitrix24's own telephony; its outcome is awaited
	StateRingingEmployee State = "ringing_employee" // the employee's phone rings
	StateAnnouncing      State = "announcing"       // the employee hears the request
	StateRingingClient   State = "ringing_client"   // the client's phone rings
	StateConnected       State = "connected"        // employee and client talk
	StateFinishing       State = "finishing"        // writing the result to the CRM
	StateDone            State = "done"             // connected and logged
	StateNotifying       State = "notifying"        // given up; the CRM and the responsible are being told
	StateFailed          State = "failed"           // given up by policy; see Reason
	StateScheduled       State = "scheduled"        // waiting for a redial or working hours
)

var states = map[State]bool{
	StateReceived: true, StateRejected: true, StateRouting: true, StatePlaced: true, StateRingingEmployee: true,
	StateAnnouncing: true, StateRingingClient: true, StateConnected: true, StateFinishing: true,
	StateDone: true, StateNotifying: true, StateFailed: true, StateScheduled: true,
}

// Valid reports whether s is one of the known states.
func (s State) Valid() bool { return states[s] }

// Final reports whether no further work happens in state s.
func (s State) Final() bool { return s == StateDone || s == StateFailed || s == StateRejected }

// States lists every state, in the order of a callback's life.
func States() []State {
	return []State{StateReceived, StateRejected, StateRouting, StatePlaced, StateRingingEmployee, StateAnnouncing,
		StateRingingClient, StateConnected, StateFinishing, StateDone, StateNotifying, StateFailed, StateScheduled}
}

// Kind tells a callback request from a click-to-call request.
type Kind string

// Kinds of call requests.
const (
	KindCallback Kind = "callback" // ONEXTERNALCALLBACKSTART: a form asked for a callback
	KindCall     Kind = "call"     // ONEXTERNALCALLSTART: an employee clicked a number
)

// Reasons a genuine request is rejected without dialling. Callback.Reason
// starts with one of them, followed by ": " and an explanation.
const (
	ReasonInvalidNumber = "invalid_number"      // not a dialable phone number
	ReasonNumberType    = "number_type_blocked" // premium rate, shared cost, … (policy)
	ReasonCountry       = "country_not_allowed" // outside the allowed countries (policy)
	ReasonNumberRate    = "number_rate_limited" // too many requests for this number
	ReasonPortalRate    = "portal_rate_limited" // too many requests for this portal
	ReasonBlocked       = "number_blocked"      // on the portal's list of blocked numbers
)

// Callback is one request to call somebody back, as received from Bitrix24.
type Callback struct {
	ID              int64
	MemberID        string    // the portal
	Kind            Kind      // callback or click-to-call
	Phone           string    // E.164; "" when the raw number could not be parsed
	PhoneRaw        string    // what the visitor typed
	Text            string    // what to say to the employee before connecting
	Voice           string    // Bitrix24 voice id, e.g. ruinternalfemale
	CRMEntityType   string    // LEAD, CONTACT, COMPANY or ""
	CRMEntityID     int64     // 0 when none
	LineNumber      string    // the external line's NUMBER, "" for the app's generic line
	CallID          string    // Bitrix24 CALL_ID, given for click-to-call
	UserID          int64     // the clicking user for click-to-call
	State           State     // where it stands
	Reason          string    // why it was rejected or failed ("<reason code>: <text>")
	Duplicates      int       // repeats of the same request folded into this one
	LastDuplicateAt time.Time // when the last repeat came; zero if none
	EventAt         time.Time // the event's ts: when Bitrix24 queued it
	NextAt          time.Time // when work resumes (StateScheduled); zero = now
	ClientAttempts  int       // calls to the client made so far
	EmployeeRounds  int       // rounds over the employees made so far
	// DialNowBy, when set, names the administrator who asked to call the
	// pending callback now (ActionCallNow): its next dial ignores the
	// working hours; cleared when that dial starts.
	DialNowBy string
	CreatedAt time.Time // when callbackline received it
	UpdatedAt time.Time
}

// NeedsJob reports whether a newly stored callback gets a queue job:
// every received one, and a rejected click-to-call, whose call Bitrix24
// registered when the employee clicked and which must still be finished
// so that it does not stay open in the CRM.
func (c *Callback) NeedsJob() bool {
	return c.State == StateReceived || c.State == StateRejected && c.Kind == KindCall && c.CallID != ""
}

// CallbackJob is the queue job that carries a callback to the workers. It
// is inserted in the same transaction as the callback row.
type CallbackJob struct {
	CallbackID int64 `json:"callback_id"`
}

// Kind names the job for the queue.
func (CallbackJob) Kind() string { return "callback" }

// IntakeRequest asks a store to take one request in, exactly once.
type IntakeRequest struct {
	// Callback is the new request, in StateReceived or already StateRejected
	// (its Reason set). CreatedAt is "now" for windows and limits.
	Callback *Callback
	// DedupWindow: a stored callback of the same portal, number (Phone, or
	// PhoneRaw when Phone is empty) and CRM entity created within this window
	// absorbs the request as a duplicate. Zero turns de-duplication off.
	DedupWindow time.Duration
	// NumberLimit: when this many callback requests (KindCallback, not
	// click-to-call) for the same Phone were created in the hour before,
	// the request is stored as rejected (ReasonNumberRate) and not queued.
	// Zero means no limit.
	NumberLimit int
	// PortalLimit: the same for the portal's accepted callback requests
	// (not rejected), so that junk cannot push a genuine request out
	// (ReasonPortalRate).
	PortalLimit int
}

// IntakeResult says what a store did with an IntakeRequest.
type IntakeResult struct {
	Callback  *Callback // the stored callback: the new one, or the one a duplicate was folded into
	Duplicate bool      // the request was folded into an existing callback
	Queued    bool      // a CallbackJob was inserted with the new callback
}

// CallbackFilter selects callbacks for listing. Zero fields select all.
type CallbackFilter struct {
	MemberID string
	State    State
	BeforeID int64 // only callbacks with a smaller ID (paging backwards)
	Limit    int   // at most this many, newest first; 0 means 100
}

// CallbackStore keeps callbacks and queues their jobs.
type CallbackStore interface {
	// Intake stores a request and, unless it is a duplicate or rejected,
	// its CallbackJob, in one transaction. When Intake returns nil the
	// request is durable.
	Intake(ctx context.Context, req IntakeRequest) (IntakeResult, error)
	// Callback returns one callback, or an ENOTFOUND error.
	Callback(ctx context.Context, id int64) (*Callback, error)
	// Callbacks lists callbacks, newest first.
	Callbacks(ctx context.Context, f CallbackFilter) ([]*Callback, error)
	// CallbackCounts counts callbacks by state.
	CallbackCounts(ctx context.Context) (map[State]int, error)
	// Prune deletes what Retention no longer keeps at now, at most batch
	// rows of each kind (rejected, finished, history) per call, and says
	// how many; call it again while a count equals batch.
	Prune(ctx context.Context, r Retention, now time.Time, batch int) (Pruned, error)
}

// Store is everything a backend keeps. store/sqlite and store/postgres
// implement it and pass the same conformance suite (store/storetest).
type Store interface {
	PortalStore
	CallbackStore
	WorkStore
	SettingsStore
	TrunkStore
	StatsStore
	ControlStore
	AuditStore
	NoticeStore
	// Ping checks that the store answers.
	Ping(ctx context.Context) error
	// Close releases the store; the queue must be stopped first.
	Close() error
}
