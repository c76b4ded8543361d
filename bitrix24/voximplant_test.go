package bitrix24_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/internal/wait"
)

// eventSink is an event handler that keeps what it receives.
type eventSink struct {
	mu     sync.Mutex
	events []*bitrix24.Event
	srv    *httptest.Server
}

func newEventSink(t *testing.T) *eventSink {
	s := &eventSink{}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ev, err := bitrix24.ParseEvent(r.Header.Get("Content-Type"), b)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.events = append(s.events, ev)
		s.mu.Unlock()
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *eventSink) named(name string) []*bitrix24.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*bitrix24.Event
	for _, e := range s.events {
		if e.Name == name {
			out = append(out, e)
		}
	}
	return out
}

// TestVoximplantDialer: the portal's own lines and voices, a callback
// placed through its telephony, its end event and statistics, and each
// documented refusal (docs/bitrix24.md §7).
func TestVoximplantDialer(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{Scope: "telephony,call,crm,user_basic,im,timeman"})
	ctx := context.Background()
	p := f.portal(t)
	f.sim.AddVoxLine(bitrix24test.VoxLine{ID: "reg151083", Name: "Cloud PBX (9)"})
	f.sim.AddLine(bitrix24test.Line{Number: "callbackline", Name: "callbackline"})
	f.sim.FinishInstall()
	sink := newEventSink(t)
	for _, ev := range []string{bitrix24.EventCallEnd, bitrix24.EventCallbackStart, bitrix24.EventCallStart} {
		if err := f.client.BindEvent(ctx, p, ev, sink.srv.URL); err != nil {
			t.Fatal(err)
		}
	}

	lines, err := f.client.PortalLines(ctx, p)
	if err != nil || len(lines) != 1 || lines[0].ID != "reg151083" {
		t.Fatalf("lines %v %v", lines, err)
	}
	voices, err := f.client.TTSVoices(ctx, p)
	if err != nil || voices["eurgermanfemale"] == "" {
		t.Fatalf("voices %v", err)
	}

	id, err := f.client.StartCallback(ctx, p, bitrix24.StartCallback{FromLine: "reg151083", ToNumber: "+494951234567", Text: "Bitte zurückrufen"})
	if err != nil || !strings.HasPrefix(id, "callback.") {
		t.Fatalf("start: %q %v", id, err)
	}
	vc := f.sim.VoxCalls()[0]
	if vc.Voice != "eurgermanfemale" || vc.Text != "Bitte zurückrufen" || vc.ToNumber != "+494951234567" {
		t.Fatalf("placed %+v", vc)
	}
	if recs, err := f.client.CallStatistics(ctx, p, map[string]any{"CALL_ID": id}); err != nil || len(recs) != 0 {
		t.Fatalf("a call in progress has no statistics yet: %v %v", recs, err)
	}
	if err := f.sim.EndVoxCall(ctx, id, bitrix24test.VoxEnd{Code: "486"}, false); err != nil {
		t.Fatal(err)
	}
	ends := sink.named(bitrix24.EventCallEnd)
	if len(ends) != 1 {
		t.Fatalf("end events %d", len(ends))
	}
	end, err := ends[0].CallEnd()
	if err != nil || end.CallID != id || end.FailedCode != "486" || end.Duration != 0 || end.CallType != 4 {
		t.Fatalf("end %+v %v", end, err)
	}
	recs, err := f.client.CallStatistics(ctx, p, map[string]any{"PHONE_NUMBER": "+494951234567", ">=CALL_START_DATE": vc.Started.Add(-time.Minute)})
	if err != nil || len(recs) != 1 || string(recs[0].CallID) != id || string(recs[0].FailedCode) != "486" || recs[0].Started().IsZero() {
		t.Fatalf("statistics %+v %v", recs, err)
	}
	if recs, _ := f.client.CallStatistics(ctx, p, map[string]any{">=CALL_START_DATE": vc.Started.Add(time.Minute)}); len(recs) != 0 {
		t.Fatalf("the date filter kept %v", recs)
	}

	// An application's line is not dialled: the request comes back.
	if _, err := f.client.StartCallback(ctx, p, bitrix24.StartCallback{FromLine: "callbackline", ToNumber: "+494951234567", Text: "x"}); !errors.Is(err, bitrix24.ErrNoCallID) {
		t.Fatalf("application line: %v", err)
	}
	wait.For(t, "the callback start event", func() bool { return len(sink.named(bitrix24.EventCallbackStart)) == 1 })
	cs, err := sink.named(bitrix24.EventCallbackStart)[0].CallbackStart()
	if err != nil || cs.PhoneNumber != "+494951234567" || cs.LineNumber != "callbackline" {
		t.Fatalf("re-fired %+v %v", cs, err)
	}
	if len(f.sim.VoxCalls()) != 1 {
		t.Fatal("an application's line was dialled")
	}

	// Refusals, each matched by its error.
	_, err = f.client.StartCallback(ctx, p, bitrix24.StartCallback{FromLine: "reg000000", ToNumber: "+494951234567", Text: "x"})
	if !errors.Is(err, bitrix24.ErrNoSuchLine) || !strings.Contains(bitrix24.DialerError(err, "reg000000"), "no line") {
		t.Fatalf("unknown line: %v", err)
	}
	_, err = f.client.StartCallback(ctx, p, bitrix24.StartCallback{FromLine: "reg151083", ToNumber: "x", Text: "x"})
	if !errors.Is(err, bitrix24.ErrBadToNumber) {
		t.Fatalf("bad number: %v", err)
	}
	f.sim.DenyOutgoing(1)
	_, err = f.client.StartCallback(ctx, p, bitrix24.StartCallback{FromLine: "reg151083", ToNumber: "+494951234567", Text: "x"})
	if !errors.Is(err, bitrix24.ErrAccessDenied) || !strings.Contains(bitrix24.DialerError(err, ""), "Outgoing call") {
		t.Fatalf("no permission: %v", err)
	}
	if n := len(f.sim.RESTCalls("voximplant.callback.start")); n != 5 {
		t.Fatalf("voximplant.callback.start was sent %d times, want 5 (never replayed)", n)
	}
}

// TestVoximplantNoBalanceNoScope: a portal without balance ends the call
// at once with 402; one without scope call refuses with insufficient_scope.
func TestVoximplantNoBalanceNoScope(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{Scope: "telephony,call"})
	ctx := context.Background()
	p := f.portal(t)
	f.sim.AddVoxLine(bitrix24test.VoxLine{ID: "sip7", Name: "Office PBX"})
	f.sim.SetBalance(false)
	id, err := f.client.StartCallback(ctx, p, bitrix24.StartCallback{FromLine: "sip7", ToNumber: "+494951234567", Text: "x"})
	if err != nil {
		t.Fatal(err)
	}
	wait.For(t, "the statistics of the call refused for the balance", func() bool {
		recs, err := f.client.CallStatistics(ctx, p, map[string]any{"CALL_ID": id})
		return err == nil && len(recs) == 1 && recs[0].FailedCode == "402"
	})

	g := newFixture(t, bitrix24test.Options{})
	g.sim.AddVoxLine(bitrix24test.VoxLine{ID: "sip7", Name: "Office PBX"})
	_, err = g.client.StartCallback(ctx, g.portal(t), bitrix24.StartCallback{FromLine: "sip7", ToNumber: "+494951234567", Text: "x"})
	if !errors.Is(err, bitrix24.ErrScope) || !strings.Contains(bitrix24.DialerError(err, "sip7"), `scope "call"`) {
		t.Fatalf("no scope: %v", err)
	}
}

// FuzzCallEnd: ONVOXIMPLANTCALLEND as a portal might send it; CallEnd
// either reads it or says EINVALID, and what it reads is bounded.
func FuzzCallEnd(f *testing.F) {
	f.Add("application/x-www-form-urlencoded", []byte("event=ONVOXIMPLANTCALLEND&data[CALL_ID]=callback.1.2&data[CALL_TYPE]=4&data[CALL_DURATION]=42&data[CALL_FAILED_CODE]=200&auth[member_id]=m"))
	f.Add("application/json", []byte(`{"event":"ONVOXIMPLANTCALLEND","data":{"CALL_ID":"x","CALL_DURATION":"1e9","CALL_FAILED_CODE":"603-S"}}`))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		ev, err := bitrix24.ParseEvent(ct, body)
		if err != nil {
			return
		}
		end, err := ev.CallEnd()
		if err != nil {
			if callbackline.ErrorCode(err) != callbackline.EINVALID || callbackline.ErrorMessage(err) == "" {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if end.CallID == "" || len(end.CallID) > 200 || len(end.FailedCode) > 16 || end.Duration < 0 {
			t.Fatalf("accepted %+v", end)
		}
	})
}

// TestCallScope: a portal that granted the scopes without "call" is told
// what happens to the Bitrix24 dialer; one that granted it, or whose
// scopes are unknown, is not.
func TestCallScope(t *testing.T) {
	for granted, missing := range map[string]bool{
		"telephony,crm,user_basic,im,timeman":      true,
		"telephony crm user_basic":                 true,
		"telephony,call,crm,user_basic,im,timeman": false,
		"call telephony":                           false,
		"":                                         false,
	} {
		got := bitrix24.CallScope(granted)
		if (got != "") != missing || (missing && !strings.Contains(got, "insufficient_scope")) {
			t.Errorf("CallScope(%q) = %q", granted, got)
		}
	}
}
