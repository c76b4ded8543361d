package sip_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

const clientNumber = "+4930123456"

// slack is how late a step may end on a busy machine (both cores loaded,
// -race). Upper bounds on durations add it: they rule out waiting for a
// later timer (the ring timeout, sipgo's 32 s Timer B, MaxCall), not
// scheduling delays. Lower bounds need none: timers do not fire early.
const slack = 3 * time.Second

// hears reports whether the windows from..to carry kind ("tone:1000",
// "sound"): at least a third of them are of that kind, and hardly any (a
// tenth as many) hold a tone of another kind. A busy machine delays
// packets, and a window with a gap reads as silence or as "sound" (a
// broken tone); it does not turn into another tone, so what is heard, and
// which way it went, is still checked.
func hears(ws []siptest.Window, from, to float64, kind string) bool {
	var n, hits, others int
	for _, w := range ws {
		if w.Start < from || w.End > to {
			continue
		}
		n++
		switch k := w.Kind(); {
		case k == kind:
			hits++
		case strings.HasPrefix(k, "tone:"):
			others++
		}
	}
	return n > 0 && 3*hits >= n && 10*others <= hits
}

// rig is a dialer and a fake phone that plays both employees and clients.
type rig struct {
	d     *sip.Dialer
	phone *siptest.Phone
	dir   string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ph := siptest.StartPhone(t)
	d := newDialer(t, sip.Config{
		Trunks: []sip.Trunk{{
			Name:     "test",
			Employee: "sip:{extension}@" + ph.Addr(),
			Client:   "sip:{number}@" + ph.Addr(),
			CallerID: sip.CallerID{Number: "+4940999000", Name: "Acme"},
		}},
	})
	return &rig{d: d, phone: ph, dir: t.TempDir()}
}

// newDialer starts a dialer with cfg, on loopback with the tests' RTP
// ports unless cfg names others, closed when the test ends.
func newDialer(t *testing.T, cfg sip.Config) *sip.Dialer {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	if cfg.RTPPorts == (sip.PortRange{}) {
		cfg.RTPPorts = sip.PortRange{Min: 40000, Max: 44999}
	}
	d, err := sip.New(context.Background(), cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.DiscardHandler)
}

// events collects progress events.
type events struct {
	mu sync.Mutex
	ev []sip.Event
}

func (e *events) add(ev sip.Event) { e.mu.Lock(); e.ev = append(e.ev, ev); e.mu.Unlock() }

func (e *events) types() []sip.EventType {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []sip.EventType
	for _, ev := range e.ev {
		out = append(out, ev.Type)
	}
	return out
}

func (e *events) first(typ sip.EventType) (sip.Event, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, ev := range e.ev {
		if ev.Type == typ {
			return ev, true
		}
	}
	return sip.Event{}, false
}

func speechWAV(t *testing.T, dir string, seconds float64) string {
	t.Helper()
	p := filepath.Join(dir, "announcement.wav")
	if err := siptest.WriteSpeechLike(p, 8000, seconds); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCallbackConnectsAndRecords(t *testing.T) {
	r := newRig(t)
	empRec := filepath.Join(r.dir, "employee-heard.wav")
	cliRec := filepath.Join(r.dir, "client-heard.wav")
	r.phone.Set("101", siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond, ToneHz: 440, Record: empRec, HangupAfter: 6 * time.Second})
	r.phone.Set(clientNumber, siptest.Behavior{Action: siptest.Answer, Delay: 500 * time.Millisecond, ToneHz: 1000, Record: cliRec})
	ann := speechWAV(t, r.dir, 2)
	var ev events
	plan := sip.Plan{
		ID: "t1", Employees: []string{"101"}, Client: clientNumber, Announcement: ann,
		Recording: filepath.Join(r.dir, "call.wav"), Progress: ev.add,
		Timeouts: sip.Timeouts{EmployeeRing: 5 * time.Second, ClientRing: 5 * time.Second},
	}
	res := r.d.Callback(context.Background(), plan)
	if res.Outcome != sip.OutcomeConnected || res.StatusCode != "200" || res.Err != nil {
		t.Fatalf("outcome %s status %s err %v", res.Outcome, res.StatusCode, res.Err)
	}
	want := []sip.EventType{sip.EventEmployeeRinging, sip.EventEmployeeAnswered, sip.EventAnnouncementDone, sip.EventClientRinging, sip.EventConnected, sip.EventEnded}
	if got := ev.types(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if res.HungUp != sip.PartyEmployee || res.EndReason != "hangup" {
		t.Errorf("hung up by %q (%s), want employee", res.HungUp, res.EndReason)
	}
	if res.Employee == nil || res.Employee.Target != "101" || res.Employee.Status != 200 || res.Client == nil || res.Client.Status != 200 {
		t.Fatalf("legs %+v %+v", res.Employee, res.Client)
	}
	if rt := res.Employee.RingTime(); rt < 150*time.Millisecond || rt > time.Second+slack {
		t.Errorf("employee ring time %s, want about 200ms", rt)
	}
	if rt := res.Client.RingTime(); rt < 450*time.Millisecond || rt > 1500*time.Millisecond+slack {
		t.Errorf("client ring time %s, want about 500ms", rt)
	}
	calls, err := r.phone.WaitCalls(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	var empCall, cliCall siptest.Call
	for _, c := range calls {
		switch c.User {
		case "101":
			empCall = c
		case clientNumber:
			cliCall = c
		}
	}
	if cliCall.FromUser != "+4940999000" || cliCall.FromName != "Acme" {
		t.Errorf("client saw caller ID %q %q", cliCall.FromName, cliCall.FromUser)
	}
	// The employee hangs up 6 s after answering, after the 2 s
	// announcement and the client's 0.5 s of ringing: about 3.5 s of talk
	// on a quiet machine, less when the steps between take longer.
	annDone, _ := ev.first(sip.EventAnnouncementDone)
	if played := annDone.Time.Sub(res.Employee.FirstAudio); played < 2*time.Second-100*time.Millisecond {
		t.Errorf("announcement played for %s, want 2s", played)
	}
	if after := res.Disconnected.Sub(empCall.Answered); after < 6*time.Second || after > 6*time.Second+slack {
		t.Errorf("ended %s after the employee answered, want 6s", after)
	}
	if talk := res.Talk(); talk < time.Second || talk > res.Disconnected.Sub(annDone.Time) {
		t.Errorf("talk %s, want the time after the announcement and the ringing (about 3.5s)", talk)
	}

	// The phones record from their answer on, on the wall clock: the
	// windows below are placed by when each step happened.
	at := func(c siptest.Call, tm time.Time) float64 { return tm.Sub(c.Answered).Seconds() }
	// The employee heard the announcement (sound, no tone), then the client's 1 kHz tone.
	emp := analyse(t, empRec, 0)
	if from, to := at(empCall, res.Employee.FirstAudio)+0.2, at(empCall, annDone.Time)-0.2; !hears(emp, from, to, "sound") {
		t.Errorf("employee: announcement at %.1f-%.1fs only %.0f%% sound: %s", from, to, 100*siptest.Share(emp, from, to, "sound"), siptest.Summary(emp))
	}
	if from, to := at(empCall, res.Connected)+0.5, at(empCall, res.Disconnected)-0.5; !hears(emp, from, to, "tone:1000") {
		t.Errorf("employee: client tone at %.1f-%.1fs only %.0f%%: %s", from, to, 100*siptest.Share(emp, from, to, "tone:1000"), siptest.Summary(emp))
	}
	cli := analyse(t, cliRec, 0)
	if from, to := at(cliCall, res.Connected)+0.2, at(cliCall, res.Disconnected)-0.5; !hears(cli, from, to, "tone:440") {
		t.Errorf("client: employee tone at %.1f-%.1fs only %.0f%%: %s", from, to, 100*siptest.Share(cli, from, to, "tone:440"), siptest.Summary(cli))
	}
	if res.Recording == "" {
		t.Fatal("no recording")
	}
	left, right := analyse(t, res.Recording, 0), analyse(t, res.Recording, 1)
	t.Logf("employee heard: %s", siptest.Summary(emp))
	t.Logf("client heard:   %s", siptest.Summary(cli))
	t.Logf("recording L:    %s", siptest.Summary(left))
	t.Logf("recording R:    %s", siptest.Summary(right))
	// The recording starts when the legs are bridged.
	end := res.Talk().Seconds() - 0.5
	if !hears(left, 0.2, end, "tone:440") {
		t.Errorf("recording left: employee tone at 0.2-%.1fs only %.0f%%: %s", end, 100*siptest.Share(left, 0.2, end, "tone:440"), siptest.Summary(left))
	}
	if !hears(right, 0.2, end, "tone:1000") {
		t.Errorf("recording right: client tone at 0.2-%.1fs only %.0f%%: %s", end, 100*siptest.Share(right, 0.2, end, "tone:1000"), siptest.Summary(right))
	}
}

func analyse(t *testing.T, path string, ch int) []siptest.Window {
	t.Helper()
	a, err := siptest.ReadWAV(path)
	if err != nil {
		t.Fatal(err)
	}
	if ch >= len(a.Channels) {
		t.Fatalf("%s has %d channels", path, len(a.Channels))
	}
	return a.Analyse(ch, 0.1, 425, 440, 600, 1000)
}

// TestTranscodes answers the employee in PCMA and the client in PCMU: the
// bridge must still carry audio both ways.
func TestTranscodes(t *testing.T) {
	r := newRig(t)
	empRec, cliRec := filepath.Join(r.dir, "emp.wav"), filepath.Join(r.dir, "cli.wav")
	r.phone.Set("901", siptest.Behavior{Action: siptest.Answer, Codec: "pcma", ToneHz: 440, Record: empRec, HangupAfter: 2 * time.Second})
	r.phone.Set(clientNumber, siptest.Behavior{Action: siptest.Answer, Codec: "pcmu", ToneHz: 1000, Record: cliRec})
	res := r.d.Callback(context.Background(), sip.Plan{Employees: []string{"901"}, Client: clientNumber, Timeouts: short})
	if res.Outcome != sip.OutcomeConnected || res.Employee.Codec != "pcma" || res.Client.Codec != "pcmu" {
		t.Fatalf("outcome %s codecs %s/%s err %v", res.Outcome, res.Employee.Codec, res.Client.Codec, res.Err)
	}
	calls, err := r.phone.WaitCalls(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	// Each phone records from its answer on: the bridge is placed by when
	// it happened.
	for _, c := range calls {
		path, want := empRec, "tone:1000"
		if c.User == clientNumber {
			path, want = cliRec, "tone:440"
		}
		from, to := res.Connected.Sub(c.Answered).Seconds()+0.3, res.Disconnected.Sub(c.Answered).Seconds()-0.3
		if w := analyse(t, path, 0); !hears(w, from, to, want) {
			t.Errorf("%s heard at %.1f-%.1fs: %s", c.User, from, to, siptest.Summary(w))
		}
	}
}

// TestBeepAndLineCallerID: without speech the employee hears the beeps;
// the client sees the caller ID of the plan's line.
func TestBeepAndLineCallerID(t *testing.T) {
	ctx := context.Background()
	ph := siptest.StartPhone(t)
	d := newDialer(t, sip.Config{
		Trunks: []sip.Trunk{{Name: "t", Employee: "sip:{extension}@" + ph.Addr(), Client: "sip:{number}@" + ph.Addr(),
			CallerID: sip.CallerID{Number: "+4940999000", Name: "Trunk"}}},
		Lines: []sip.Line{{Number: "+4930555", Trunk: "t", CallerID: sip.CallerID{Name: "Sales"}}}})
	dir := t.TempDir()
	empRec := filepath.Join(dir, "emp.wav")
	ph.Set("911", siptest.Behavior{Action: siptest.Answer, Record: empRec, HangupAfter: 1500 * time.Millisecond})
	ph.Set(clientNumber, siptest.Behavior{Action: siptest.Answer})
	res := d.Callback(ctx, sip.Plan{Employees: []string{"911"}, Client: clientNumber, Line: "+4930555", Beep: true, Timeouts: short})
	if res.Outcome != sip.OutcomeConnected {
		t.Fatalf("outcome %s err %v", res.Outcome, res.Err)
	}
	calls, err := ph.WaitCalls(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range calls {
		if c.User == clientNumber && (c.FromUser != "+4930555" || c.FromName != "Sales") {
			t.Errorf("client saw %q <%s>, want the line's caller ID", c.FromName, c.FromUser)
		}
	}
	// The employee's phone records from its answer on; the beeps start
	// with the first audio sent to it.
	var emp siptest.Call
	for _, c := range calls {
		if c.User == "911" {
			emp = c
		}
	}
	// Three 200 ms beeps, 200 ms apart, in the second from there. The
	// phone places audio by when it arrives: on a busy machine a late
	// packet shifts what follows by a window or two, so the beeps are
	// looked for in that second (as hears does), not at fixed windows,
	// and a silence must part two of them.
	b := res.Employee.FirstAudio.Sub(emp.Answered).Seconds()
	e := analyse(t, empRec, 0)
	// The first three tones the employee hears from there are three
	// beeps apart from each other, before the client's tone: a window
	// that straddles a beep's edge reads as mixed sound, so the beeps are
	// counted as runs of the beep's tone, not as a share of windows.
	var tones []string
	for i, w := range e {
		k := w.Kind()
		if w.Start < b-0.1 || !strings.HasPrefix(k, "tone:") {
			continue
		}
		if i > 0 && e[i-1].Kind() == k && len(tones) > 0 {
			continue // the same run
		}
		tones = append(tones, k)
	}
	if len(tones) < 3 || tones[0] != "tone:600" || tones[1] != "tone:600" || tones[2] != "tone:600" {
		t.Errorf("employee heard %s, want three beeps from %.1f s before the client", siptest.Summary(e), b)
	}
	var seq []string // beep and silence windows in order, runs merged
	for _, w := range e {
		k := w.Kind()
		if w.Start < b || w.End > b+1.2 || (k != "tone:600" && k != "silence") {
			continue
		}
		if len(seq) == 0 || seq[len(seq)-1] != k {
			seq = append(seq, k)
		}
	}
	if !strings.Contains(strings.Join(seq, " "), "tone:600 silence tone:600") {
		t.Errorf("no gap between beeps at %.1f-%.1f s: %s", b, b+1.2, siptest.Summary(e))
	}
}

// TestClientNotice: the client who answers hears the plan's notice first
// (speech-like sound, not the employee's tone), then the employee; the
// recording starts only when they are connected.
func TestClientNotice(t *testing.T) {
	r := newRig(t)
	cliRec := filepath.Join(r.dir, "client-heard.wav")
	r.phone.Set("101", siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond, ToneHz: 440, HangupAfter: 8 * time.Second})
	r.phone.Set(clientNumber, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond, ToneHz: 1000, Record: cliRec})
	notice := filepath.Join(r.dir, "notice.wav")
	if err := siptest.WriteSpeechLike(notice, 8000, 2.5); err != nil {
		t.Fatal(err)
	}
	plan := sip.Plan{ID: "n1", Employees: []string{"101"}, Client: clientNumber, Beep: true, ClientNotice: notice,
		Recording: filepath.Join(r.dir, "call.wav"),
		Timeouts:  sip.Timeouts{EmployeeRing: 5 * time.Second, ClientRing: 5 * time.Second}}
	res := r.d.Callback(context.Background(), plan)
	if res.Outcome != sip.OutcomeConnected || res.Err != nil {
		t.Fatalf("outcome %s err %v", res.Outcome, res.Err)
	}
	calls, err := r.phone.WaitCalls(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	var cliCall siptest.Call
	for _, c := range calls {
		if c.User == clientNumber {
			cliCall = c
		}
	}
	at := func(tm time.Time) float64 { return tm.Sub(cliCall.Answered).Seconds() }
	if gap := at(res.Connected); gap < 2.3 {
		t.Errorf("connected %.1fs after the client answered: the 2.5 s notice was not played first", gap)
	}
	cli := analyse(t, cliRec, 0)
	if from, to := 0.3, at(res.Connected)-0.3; !hears(cli, from, to, "sound") {
		t.Errorf("client: notice at %.1f-%.1fs only %.0f%% sound: %s", from, to, 100*siptest.Share(cli, from, to, "sound"), siptest.Summary(cli))
	}
	if from, to := at(res.Connected)+0.5, at(res.Disconnected)-0.5; !hears(cli, from, to, "tone:440") {
		t.Errorf("client: employee's tone at %.1f-%.1fs only %.0f%%: %s", from, to, 100*siptest.Share(cli, from, to, "tone:440"), siptest.Summary(cli))
	}
}
