package callbackline_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/callbackline/callbackline"
)

// A line that opens on weekdays from 09:00 to 18:00 in Berlin: a request
// of Friday night is called on Monday morning.
func ExampleWorkingHours_Next() {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		fmt.Println(err)
		return
	}
	day, _ := callbackline.ParseSpan("09:00-18:00")
	h := callbackline.WorkingHours{Location: berlin, Holidays: map[string]bool{"2026-12-25": true}}
	for d := time.Monday; d <= time.Friday; d++ {
		h.Days[d] = []callbackline.Span{day}
	}
	friday := time.Date(2026, 11, 27, 21, 30, 0, 0, berlin)
	fmt.Println(h.Open(friday), h.Next(friday).Format("Mon 2006-01-02 15:04"))
	wednesday := time.Date(2026, 11, 25, 10, 0, 0, 0, berlin)
	fmt.Println(h.Open(wednesday), h.Next(wednesday).Format("Mon 2006-01-02 15:04"))
	christmas := time.Date(2026, 12, 25, 10, 0, 0, 0, berlin)
	fmt.Println(h.Open(christmas), h.Next(christmas).Format("Mon 2006-01-02 15:04"))
	// Output:
	// false Mon 2026-11-30 09:00
	// true Wed 2026-11-25 10:00
	// false Mon 2026-12-28 09:00
}

// A line that sets nothing rings each employee 20 s and the client 30 s,
// calls the client up to three times, ten minutes apart, and gives a
// request up after a day.
func ExampleDefaultPolicy() {
	p := callbackline.DefaultPolicy()
	fmt.Println(p.RingMode, p.EmployeeRingTimeout, p.ClientRingTimeout)
	fmt.Println(p.ClientAttempts, p.ClientRetryAfter, p.EmployeeRounds, p.MaxAge)
	fmt.Println(p.Hours.Always())
	// Output:
	// sequential 20s 30s
	// 3 10m0s 3 24h0m0s
	// true
}

// A callback's states, in the order a successful callback passes them;
// done, failed and rejected are final.
func ExampleStates() {
	for _, s := range callbackline.States() {
		if s.Final() {
			fmt.Print(s, " (final) ")
		} else {
			fmt.Print(s, " ")
		}
	}
	fmt.Println()
	// Output:
	// received rejected (final) routing placed ringing_employee announcing ringing_client connected finishing done (final) notifying failed (final) scheduled
}

// An intake request becomes a new callback in state received; a stored
// callback gets a queue job unless it was rejected. A rejected
// click-to-call still gets one: its Bitrix24 call must be finished.
func ExampleIntakeRequest_NewCallback() {
	req := callbackline.IntakeRequest{Callback: &callbackline.Callback{
		MemberID: "a1b2", Phone: "+494951234567", Text: "Please call back\x00",
		CreatedAt: time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC),
	}, DedupWindow: 10 * time.Minute}
	cb, err := req.NewCallback()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cb.State, cb.Kind, cb.NeedsJob(), cb.CreatedAt.Format(time.RFC3339Nano), cb.Text)

	rejected := callbackline.Callback{Kind: callbackline.KindCall, CallID: "externalCall.42", State: callbackline.StateRejected,
		Reason: callbackline.ReasonInvalidNumber + ": too short"}
	fmt.Println(rejected.State.Final(), rejected.NeedsJob())

	_, err = callbackline.IntakeRequest{Callback: &callbackline.Callback{MemberID: "a1b2", State: callbackline.StateDone}}.NewCallback()
	fmt.Println(callbackline.ErrorCode(err))
	// Output:
	// received callback true 2026-11-25T10:00:00.123456Z Please call back�
	// true true
	// invalid
}

// Each attempt of a callback is one Bitrix24 call with its own
// EXTERNAL_CALL_ID; it is open from register to finish.
func ExampleAttempt() {
	a := callbackline.Attempt{CallbackID: 7, Number: 2}
	a.ExternalCallID = callbackline.ExternalCallID(a.CallbackID, a.Number)
	fmt.Println(a.ExternalCallID, a.Open())
	a.CallID = "externalCall.9f3"
	fmt.Println(a.Open())
	a.FinishedAt = time.Date(2026, 11, 25, 10, 2, 0, 0, time.UTC)
	fmt.Println(a.Open())
	// Output:
	// callbackline-7-2 false
	// true
	// false
}

// Errors carry a code that the API and the worker act on, and a message
// for people.
func ExampleErrorCode() {
	err := fmt.Errorf("saving: %w", callbackline.Errorf(callbackline.ENOTFOUND, "no portal %s", "a1b2"))
	fmt.Println(callbackline.ErrorCode(err), callbackline.ErrorMessage(err))
	fmt.Println(callbackline.ErrorCode(errors.New("disk full")))
	// Output:
	// not_found no portal a1b2
	// internal
}
