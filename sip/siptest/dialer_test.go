package siptest

import (
	"context"
	"testing"

	"github.com/callbackline/callbackline/sip"
)

func TestFakeDialer(t *testing.T) {
	f := NewFakeDialer(
		Failed(sip.OutcomeEmployeeFailed, &sip.Error{Kind: sip.KindBusy, Party: sip.PartyEmployee, Status: 486}),
		Connected(42),
	)
	var types []sip.EventType
	p := sip.Plan{Employees: []string{"101"}, Client: "+4930123456", Progress: func(e sip.Event) { types = append(types, e.Type) }}
	r := f.Callback(context.Background(), p)
	if r.StatusCode != "486" || sip.KindOf(r.Err) != sip.KindBusy {
		t.Errorf("first: %s %v", r.StatusCode, r.Err)
	}
	r = f.Callback(context.Background(), p)
	if r.Outcome != sip.OutcomeConnected || r.TalkSeconds() != 42 {
		t.Errorf("second: %s %d", r.Outcome, r.TalkSeconds())
	}
	if got := types[len(types)-1]; got != sip.EventEnded || len(f.Plans()) != 2 {
		t.Errorf("events %v plans %d", types, len(f.Plans()))
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := f.Callback(ctx, p); r.StatusCode != sip.StatusCancelled {
		t.Errorf("cancelled: %s", r.StatusCode)
	}
}
