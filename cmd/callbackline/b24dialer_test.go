package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/sip/siptest"
)

// b24Rig is the built binary for a portal without a PBX: no SIP trunk,
// its line on the Bitrix24 dialer, installed into a simulated portal
// with its own Bitrix24 lines.
type b24Rig struct {
	t      *testing.T
	bin    string
	addr   string
	dir    string
	conf   string
	portal *bitrix24test.Portal
	log    *os.File
}

const (
	b24Client = "+494951234567"
	b24Token  = "b24-dialer-admin-token-0123456789"
	b24Line   = "reg151083"
)

// newB24Rig writes the configuration; extra is YAML appended at the top
// level (sip:, more keys), lines is the lines section's content.
func newB24Rig(t *testing.T, bin, lines, extra string) *b24Rig {
	return newB24RigScope(t, bin, "telephony,call,crm,user_basic,im,timeman", lines, extra)
}

// newB24RigScope is newB24Rig on a portal that granted the application
// scope.
func newB24RigScope(t *testing.T, bin, scope, lines, extra string) *b24Rig {
	t.Helper()
	r := &b24Rig{t: t, bin: bin, addr: freeAddr(t), dir: t.TempDir()}
	r.portal = bitrix24test.New(bitrix24test.Options{Scope: scope})
	t.Cleanup(r.portal.Close)
	r.portal.AddVoxLine(bitrix24test.VoxLine{ID: b24Line, Name: "Cloud PBX (9)"})
	r.portal.AddVoxLine(bitrix24test.VoxLine{ID: "sip7", Name: "Office PBX 1"})
	r.conf = filepath.Join(r.dir, "callbackline.yaml")
	yaml := fmt.Sprintf(`listen: %q
public_url: "http://%s"
database: "sqlite:%s/callbackline.db"
data_dir: %q
admin_token: %q
log_level: debug
shutdown_grace: 2s
bitrix24:
  client_id: %q
  client_secret: %q
  oauth_server: %q
  allow_networks: [127.0.0.0/8]
  end_event_wait: 2s
speech:
  engine: none
defaults:
  policy:
    client_retry_after: 1s
lines:
%s
%s`, r.addr, r.addr, r.dir, r.dir, b24Token, r.portal.ClientID(), r.portal.ClientSecret(), r.portal.OAuthServer(), lines, extra)
	r.log = writeRig(t, r.conf, yaml)
	return r
}

// b24Fallback is a SIP line falling back to the Bitrix24 dialer, calling
// from b24Line.
const b24Fallback = "  - number: callbackline\n    name: callbackline\n    fallback: bitrix24\n    from_line: " + b24Line + "\n"

// pbxTrunk is the sip section with one trunk, pbx, calling the
// employees and clients at addr; more is YAML added to the trunk.
func pbxTrunk(addr, more string) string {
	return fmt.Sprintf("sip:\n  listen: \"127.0.0.1:0\"\n  trunks:\n    - name: pbx\n      employee: \"sip:{extension}@%s\"\n      client: \"sip:{number}@%s\"\n%s", addr, addr, more)
}

// b24Lines is a line on the Bitrix24 dialer calling from from.
func b24Lines(from string) string {
	return fmt.Sprintf("  - number: callbackline\n    name: callbackline\n    dialer: bitrix24\n    from_line: %s\n", from)
}

func (r *b24Rig) start() *service {
	return start(r.t, r.bin, r.addr, []string{"CALLBACKLINE_CONFIG=" + r.conf}, r.log)
}

// install installs the application and waits for the events, the end
// event among them, to be bound.
func (r *b24Rig) install() {
	r.t.Helper()
	sendInstall(r.t, r.portal, "http://"+r.addr)
	r.endEventBound()
}

// endEventBound waits until ONVOXIMPLANTCALLEND is bound and the line
// callbackline registered (the service binds the events first, then
// registers the lines: a form sent in between is refused), then finishes
// the installation.
func (r *b24Rig) endEventBound() {
	r.t.Helper()
	if err := within(time.Minute, func() bool {
		return slices.ContainsFunc(r.portal.Handlers(), func(h bitrix24test.Handler) bool { return h.Event == bitrix24test.EventVoxCallEnd })
	}); err != nil {
		r.t.Fatal("ONVOXIMPLANTCALLEND was not bound")
	}
	if err := within(time.Minute, func() bool {
		return slices.ContainsFunc(r.portal.Lines(), func(l bitrix24test.Line) bool { return l.Number == "callbackline" })
	}); err != nil {
		r.t.Fatalf("the line callbackline was not registered: %+v", r.portal.Lines())
	}
	r.portal.FinishInstall()
}

// submit is a visitor asking for a callback.
func (r *b24Rig) submit() {
	r.t.Helper()
	if err := r.portal.SubmitCallbackForm(context.Background(), bitrix24test.CallbackRequest{PhoneNumber: "+49 495 1234567",
		Text: "Bitte rufen Sie mich wegen des Jahresvertrags zurück.", CRMEntityType: "LEAD", CRMEntityID: "5785",
		LineNumber: "callbackline"}); err != nil {
		r.t.Fatal(err)
	}
}

// voxCalls waits until the portal's telephony placed n calls and returns
// them.
func (r *b24Rig) voxCalls(n int) []bitrix24test.VoxCall {
	r.t.Helper()
	if err := within(time.Minute, func() bool { return len(r.portal.VoxCalls()) >= n }); err != nil {
		r.t.Fatalf("Bitrix24 was asked to place %d call(s), want %d", len(r.portal.VoxCalls()), n)
	}
	return r.portal.VoxCalls()
}

// apiCallback is one callback as the API shows it.
type apiCallback struct {
	Callback struct {
		ID         int64  `json:"id"`
		State      string `json:"state"`
		Reason     string `json:"reason"`
		Duplicates int    `json:"duplicates"`
	} `json:"callback"`
	Attempts []struct {
		CallID     string `json:"call_id"`
		StatusCode string `json:"status_code"`
		Duration   int    `json:"duration"`
		Dialer     string `json:"dialer"`
		Reason     string `json:"reason"`
	} `json:"attempts"`
	History []struct {
		State string `json:"state"`
		Note  string `json:"note"`
	} `json:"history"`
}

// api reads path of the JSON API into out.
func (r *b24Rig) api(path string, out any) error {
	req, _ := http.NewRequest(http.MethodGet, "http://"+r.addr+path, nil)
	req.Header.Set("Authorization", "Bearer "+b24Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// callbacks lists the ids of the stored callbacks.
func (r *b24Rig) callbacks() []int64 {
	var list struct {
		Callbacks []struct {
			ID int64 `json:"id"`
		} `json:"callbacks"`
	}
	if err := r.api("/api/v1/callbacks", &list); err != nil {
		r.t.Fatal(err)
	}
	var ids []int64
	for _, c := range list.Callbacks {
		ids = append(ids, c.ID)
	}
	return ids
}

// waitState waits until the only callback is in state and returns it.
func (r *b24Rig) waitState(state string) apiCallback {
	r.t.Helper()
	return r.waitCallback(state, func(cb apiCallback) bool { return cb.Callback.State == state })
}

// historyHas reports whether a history note contains s.
func (cb apiCallback) historyHas(s string) bool {
	for _, h := range cb.History {
		if strings.Contains(h.Note, s) {
			return true
		}
	}
	return false
}

// startedOnce: voximplant.callback.start was sent exactly once.
func (r *b24Rig) startedOnce() {
	r.t.Helper()
	if n := len(r.portal.RESTCalls("voximplant.callback.start")); n != 1 {
		r.t.Errorf("voximplant.callback.start sent %d times", n)
	}
}

// placed: the portal's telephony placed n calls.
func (r *b24Rig) placed(n int) {
	r.t.Helper()
	if got := len(r.portal.VoxCalls()); got != n {
		r.t.Errorf("%d calls placed, want %d", got, n)
	}
}

// noExternalCalls: the Bitrix24 dialer never registers nor finishes an
// external call (Bitrix24 logs its own).
func (r *b24Rig) noExternalCalls() {
	r.t.Helper()
	for _, m := range []string{"telephony.externalCall.register", "telephony.externalCall.finish"} {
		if n := len(r.portal.RESTCalls(m)); n != 0 {
			r.t.Errorf("%s was called %d times", m, n)
		}
	}
}

// TestBitrix24Dialer runs the Bitrix24 dialer's acceptance through the
// built binary against the simulated portal.
func TestBitrix24Dialer(t *testing.T) {
	bin := buildBinary(t)
	t.Run("end to end", func(t *testing.T) { testB24EndToEnd(t, bin) })
	t.Run("busy, redial, answered", func(t *testing.T) { testB24Redial(t, bin) })
	t.Run("lost end event", func(t *testing.T) { testB24LostEvent(t, bin) })
	t.Run("start answer lost", func(t *testing.T) { testB24AnswerLost(t, bin) })
	t.Run("access denied", func(t *testing.T) { testB24Refused(t, bin, b24Line, "Outgoing call") })
	t.Run("unknown line", func(t *testing.T) { testB24Refused(t, bin, "reg000000", "Bitrix24 has no line") })
	t.Run("scope call missing", func(t *testing.T) { testB24Refused(t, bin, "scope", "has not granted the application the scope") })
	t.Run("loop", func(t *testing.T) { testB24Loop(t, bin) })
	t.Run("fallback, no trunk", func(t *testing.T) { testB24Fallback(t, bin) })
	t.Run("fallback, registration failing", func(t *testing.T) { testB24FallbackRegister(t, bin) })
	t.Run("fallback, every INVITE refused", func(t *testing.T) { testB24FallbackRefused(t, bin) })
	t.Run("killed between start and end", func(t *testing.T) { testB24Killed(t, bin) })
	t.Run("chosen on the app page, no SIP at all", func(t *testing.T) { testB24AppPageOnly(t, bin) })
	t.Run("no balance", func(t *testing.T) { testB24NoBalance(t, bin) })
}

// testB24AppPageOnly: a service with no SIP trunk and no encryption_key
// (so no portal's own SIP account either), its configured line on SIP.
// Before the portal has lines of its own, a request fails with no_trunk
// saying what to do (it does not wait forever); once the administrator
// puts a line on the Bitrix24 dialer on the app page, the next request
// goes out through voximplant.callback.start.
func testB24AppPageOnly(t *testing.T, bin string) {
	r := newB24Rig(t, bin, "  - number: callbackline\n    name: callbackline\n", "")
	svc := r.start()
	defer svc.stop(t)
	sendInstall(t, r.portal, "http://"+r.addr)
	if err := within(time.Minute, func() bool { return logHas(t, r.log.Name(), "portal set up") }); err != nil {
		t.Fatal("the portal was never set up")
	}
	r.portal.FinishInstall()
	r.submit()
	cb := r.waitState("failed")
	if !strings.Contains(cb.Callback.Reason, "no_trunk") || !strings.Contains(cb.Callback.Reason, "Bitrix24 dialer") || !cb.historyHas("no SIP trunk") {
		t.Errorf("a SIP line without SIP: %+v", cb)
	}
	status, page := postAppPage(t, r.addr, r.portal, 1, url.Values{"action": {"save_lines"},
		"lines": {"- number: callbackline\n  name: callbackline\n  dialer: bitrix24\n  from_line: " + b24Line + "\n"}})
	if status != http.StatusOK || !strings.Contains(page, `class="saved"`) {
		t.Fatalf("saving the line on the app page: %d\n%s", status, page)
	}
	r.endEventBound()
	r.portal.ResetRequests() // the failed SIP callback logged its missed call; the Bitrix24 dialer must not
	if err := r.portal.SubmitCallbackForm(context.Background(), bitrix24test.CallbackRequest{PhoneNumber: "+49 495 7654321",
		Text: "Bitte um Rückruf.", LineNumber: "callbackline"}); err != nil {
		t.Fatal(err)
	}
	vc := r.voxCalls(1)[0]
	if vc.FromLine != b24Line || vc.ToNumber != "+494957654321" {
		t.Errorf("placed %+v", vc)
	}
	r.noExternalCalls()
}

// testB24EndToEnd: a line on the Bitrix24 dialer, no PBX: intake,
// voximplant.callback.start with the form's number, text and voice from
// the portal's own line, the end event, done; nothing registered as an
// external call.
func testB24EndToEnd(t *testing.T, bin string) {
	r := newB24Rig(t, bin, b24Lines(b24Line), "")
	r.startAndSubmit()
	vc := r.voxCalls(1)[0]
	if vc.FromLine != b24Line || vc.ToNumber != b24Client || !strings.Contains(vc.Text, "Jahresvertrags") || vc.Voice != "eurgermanfemale" {
		t.Fatalf("placed %+v", vc)
	}
	r.endPlaced(vc.CallID, "200", 42, false)
	cb := r.waitState("done")
	if len(cb.Attempts) != 1 || cb.Attempts[0].CallID != vc.CallID || cb.Attempts[0].Dialer != "bitrix24" || cb.Attempts[0].Duration != 42 {
		t.Errorf("attempts %+v", cb.Attempts)
	}
	// The administrator sees the portal's own lines and voices to choose from.
	page := appPageOf(t, r.addr, r.portal)
	for _, s := range []string{b24Line, "Cloud PBX (9)", "sip7", "eurgermanfemale", "Bitrix24 telephony from line " + b24Line} {
		if !strings.Contains(page, s) {
			t.Errorf("the application page does not show %q", s)
		}
	}
	r.placed(1)
	r.noExternalCalls()
}

// startAndSubmit starts the service, installs the application and
// submits the form; the service stops when the test ends.
func (r *b24Rig) startAndSubmit() {
	r.t.Helper()
	svc := r.start()
	r.t.Cleanup(func() { svc.stop(r.t) })
	r.install()
	r.submit()
}

// endPlaced waits until the only callback is placed, then ends its call
// in the portal as end does.
func (r *b24Rig) endPlaced(callID, code string, duration int, lost bool) {
	r.t.Helper()
	r.waitState("placed")
	r.end(callID, code, duration, lost)
}

// end ends a placed call in the portal; lost: its end event is lost.
func (r *b24Rig) end(callID, code string, duration int, lost bool) {
	r.t.Helper()
	if err := r.portal.EndVoxCall(context.Background(), callID, bitrix24test.VoxEnd{Code: code, Duration: duration}, lost); err != nil {
		r.t.Fatal(err)
	}
}

// testB24Redial: busy, then called again after client_retry_after, then
// answered.
func testB24Redial(t *testing.T, bin string) {
	r := newB24Rig(t, bin, b24Lines(b24Line), "")
	r.startAndSubmit()
	r.endPlaced(r.voxCalls(1)[0].CallID, "486", 0, false)
	second := r.voxCalls(2)[1]
	r.endPlaced(second.CallID, "200", 30, false)
	cb := r.waitState("done")
	if len(cb.Attempts) != 2 || cb.Attempts[0].StatusCode != "486" || cb.Attempts[1].StatusCode != "200" || !cb.historyHas("busy (486); calling again later") {
		t.Errorf("callback %+v", cb)
	}
	r.placed(2)
	r.noExternalCalls()
}

// testB24LostEvent: the end event never comes; after end_event_wait the
// outcome is read from voximplant.statistic.get.
func testB24LostEvent(t *testing.T, bin string) {
	r := newB24Rig(t, bin, b24Lines(b24Line), "")
	r.startAndSubmit()
	r.endPlaced(r.voxCalls(1)[0].CallID, "200", 17, true)
	cb := r.waitState("done")
	if !cb.historyHas("read from Bitrix24's call statistics") || cb.Attempts[0].Duration != 17 {
		t.Errorf("callback %+v", cb)
	}
	if len(r.portal.RESTCalls("voximplant.statistic.get")) == 0 {
		t.Error("the statistics were never asked")
	}
}

// testB24AnswerLost: the start ran but its answer was lost; the call is
// found by number and time in the statistics, never started again.
func testB24AnswerLost(t *testing.T, bin string) {
	r := newB24Rig(t, bin, b24Lines(b24Line), "")
	r.portal.InjectFault("voximplant.callback.start", bitrix24test.Fault{Drop: true, AfterRun: true, Times: 1})
	r.startAndSubmit()
	vc := r.voxCalls(1)[0]
	r.endPlaced(vc.CallID, "200", 25, false) // its event names a CALL_ID callbackline never learnt
	cb := r.waitState("done")
	if !cb.historyHas("found in Bitrix24's call statistics") || cb.Attempts[0].CallID != vc.CallID {
		t.Errorf("callback %+v", cb)
	}
	r.startedOnce()
}

// testB24Refused: Bitrix24 refuses the start (the application's user
// lacks "Outgoing call", or no such line): nothing dialled, the callback
// fails with words an administrator can act on, in its history and on
// the application page.
func testB24Refused(t *testing.T, bin, from, says string) {
	r := newB24Rig(t, bin, b24Lines(from), "")
	if from == "scope" { // a portal that granted only the scopes callbackline asked for before
		r = newB24RigScope(t, bin, "telephony,crm,user_basic,im,timeman", b24Lines(b24Line), "")
	}
	if from == b24Line {
		r.portal.DenyOutgoing(1) // the installing administrator, whose token callbackline uses
	}
	svc := r.start()
	defer svc.stop(t)
	r.install()
	// Before any call: the page says what a missing scope "call" does.
	if missing := strings.Contains(appPageOf(t, r.addr, r.portal), `id="scope-missing"`); missing != (from == "scope") {
		t.Errorf("the application page tells of the missing scope call: %v", missing)
	}
	r.submit()
	cb := r.waitState("failed")
	if !strings.Contains(cb.Callback.Reason, says) || !cb.historyHas(says) {
		t.Errorf("callback %+v", cb)
	}
	if page := appPageOf(t, r.addr, r.portal); !strings.Contains(page, says) {
		t.Errorf("the application page does not say %q", says)
	}
	r.placed(0)
	if len(r.portal.Notifications()) == 0 {
		t.Error("nobody was told")
	}
}

// waitCallback waits until there is one callback and it satisfies ok,
// and returns it; what says what ok awaits.
func (r *b24Rig) waitCallback(what string, ok func(apiCallback) bool) apiCallback {
	r.t.Helper()
	var cb apiCallback
	err := within(2*time.Minute, func() bool {
		ids := r.callbacks()
		cb = apiCallback{}
		return len(ids) == 1 && r.api(fmt.Sprintf("/api/v1/callbacks/%d", ids[0]), &cb) == nil && ok(cb)
	})
	if err != nil {
		r.t.Fatalf("the callback did not reach %s: %+v (%d callbacks)", what, cb, len(r.callbacks()))
	}
	return cb
}

// putLines saves the portal's own lines through the API.
func (r *b24Rig) putLines(yaml string) (int, string) {
	r.t.Helper()
	req, _ := http.NewRequest(http.MethodPut, "http://"+r.addr+"/api/v1/portals/"+r.portal.MemberID()+"/lines", strings.NewReader(yaml))
	req.Header.Set("Authorization", "Bearer "+b24Token)
	req.Header.Set("Content-Type", "text/yaml")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// testB24Loop: a from_line that is one of callbackline's own lines is
// refused when saved; one the configuration cannot know (an old line of
// the application in the portal) makes Bitrix24 send the request back
// instead of dialling: it is folded into the callback, which fails
// saying why, and nothing is called twice.
func testB24Loop(t *testing.T, bin string) {
	r := newB24Rig(t, bin, b24Lines("old-line"), "")
	r.portal.AddLine(bitrix24test.Line{Number: "old-line", Name: "an older line of the application"})
	svc := r.start()
	defer svc.stop(t)
	r.install()
	for _, from := range []string{"sales", "old-line", "REST_APP:1"} {
		status, body := r.putLines("- number: sales\n  dialer: bitrix24\n  from_line: " + from + "\n")
		if status != http.StatusBadRequest || !strings.Contains(body, "callbackline's own lines") {
			t.Errorf("from_line %s saved: %d %s", from, status, body)
		}
	}
	r.submit()
	cb := r.waitCallback("failed with one duplicate", func(cb apiCallback) bool { return cb.Callback.State == "failed" && cb.Callback.Duplicates == 1 })
	if !strings.Contains(cb.Callback.Reason, "application's line") || !cb.historyHas("folded in, not called again") {
		t.Errorf("callback %+v", cb)
	}
	r.startedOnce()
	r.placed(0)
}

// testB24Fallback: a SIP line whose trunk does not serve the portal falls
// back to Bitrix24's telephony, and the history says so.
func testB24Fallback(t *testing.T, bin string) {
	r := newB24Rig(t, bin, b24Fallback, pbxTrunk("127.0.0.1:9", "      portals: [\"0123456789abcdef0123456789abcdef\"]\n"))
	r.startAndSubmit()
	vc := r.voxCalls(1)[0]
	r.endPlaced(vc.CallID, "200", 12, false)
	cb := r.waitState("done")
	if !cb.historyHas("fallback to Bitrix24 (no_trunk") {
		t.Errorf("the history does not show the fallback: %+v", cb.History)
	}
	r.noExternalCalls()
}

// testB24Killed: the process is killed (SIGKILL) after the start and
// before the end; the end event is lost with it; the next run learns the
// outcome from the statistics and never starts the call again.
func testB24Killed(t *testing.T, bin string) {
	r := newB24Rig(t, bin, b24Lines(b24Line), "")
	svc := r.start()
	r.install()
	r.submit()
	vc := r.voxCalls(1)[0]
	r.waitCallback("placed by Bitrix24", func(cb apiCallback) bool { return cb.historyHas("Bitrix24 placed the call") })
	svc.kill()
	// Nobody listens: Bitrix24's delivery fails, as it would.
	if err := r.portal.EndVoxCall(context.Background(), vc.CallID, bitrix24test.VoxEnd{Code: "200", Duration: 33}, false); err == nil {
		t.Fatal("the end event reached a killed process")
	}
	svc = r.start()
	defer svc.stop(t)
	cb := r.waitState("done")
	if cb.Attempts[0].Duration != 33 || len(cb.Attempts) != 1 {
		t.Errorf("callback %+v", cb)
	}
	r.startedOnce()
	r.noExternalCalls()
}

// testB24FallbackRegister: a SIP line whose trunk's registration fails
// (the registrar refuses the password) falls back to Bitrix24; the phone
// behind the trunk never gets an INVITE.
func testB24FallbackRegister(t *testing.T, bin string) {
	ph := siptest.StartPhone(t) // the PBX behind the trunk
	ph.RequireAuth(siptest.Credentials{Realm: "pbx", Username: "cb", Password: "s3cret"})
	r := newB24Rig(t, bin, b24Fallback, pbxTrunk(ph.Addr(), "      username: cb\n      password: wrong\n      register: true\n"))
	svc := r.start()
	defer svc.stop(t)
	if err := within(time.Minute, func() bool { return logHas(t, r.log.Name(), "sip registration failed") }); err != nil {
		t.Fatal("the registration never failed")
	}
	r.install()
	r.submit()
	vc := r.voxCalls(1)[0]
	r.endPlaced(vc.CallID, "200", 9, false)
	cb := r.waitState("done")
	if !cb.historyHas("fallback to Bitrix24 (the SIP trunk is down") {
		t.Errorf("the history does not show the fallback: %+v", cb.History)
	}
	if n := len(ph.Calls()); n != 0 {
		t.Errorf("the trunk's phone got %d calls", n)
	}
}

// testB24FallbackRefused: a SIP line whose trunk answers (no
// registration to fail) but refuses every INVITE with 503 before any
// phone rings falls back to Bitrix24 in the same run; the history shows
// the refusal and the fallback, and the SIP attempt's call card is closed.
func testB24FallbackRefused(t *testing.T, bin string) {
	ph := siptest.StartPhone(t) // the PBX behind the trunk
	ph.Set("", siptest.Behavior{Action: siptest.Refuse, Status: 503})
	r := newB24Rig(t, bin, b24Fallback, pbxTrunk(ph.Addr(), ""))
	r.startAndSubmit()
	vc := r.voxCalls(1)[0]
	if vc.FromLine != b24Line || vc.ToNumber != b24Client {
		t.Errorf("placed %+v", vc)
	}
	r.endPlaced(vc.CallID, "200", 21, false)
	cb := r.waitState("done")
	if !cb.historyHas("fallback to Bitrix24 (the SIP trunk refused every INVITE") || !cb.historyHas("503") {
		t.Errorf("the history does not show the refusal and the fallback: %+v", cb.History)
	}
	if len(cb.Attempts) != 2 || cb.Attempts[0].Dialer == "bitrix24" || cb.Attempts[1].Dialer != "bitrix24" {
		t.Errorf("attempts %+v", cb.Attempts)
	}
	if calls := ph.Calls(); len(calls) == 0 || calls[0].Answered != (time.Time{}) {
		t.Errorf("the trunk's INVITEs %+v", calls)
	}
	if calls := r.portal.Calls(); len(calls) != 1 || !calls[0].Finished {
		t.Errorf("the SIP attempt's call card %+v", calls)
	}
}

// testB24NoBalance: the portal's telephony balance is exhausted; Bitrix24
// starts the call and ends it at once with CALL_FAILED_CODE 402. The
// callback fails at once (no redial), saying to top the balance up, in
// its history and on the application page; the start was sent once.
func testB24NoBalance(t *testing.T, bin string) {
	r := newB24Rig(t, bin, b24Lines(b24Line), "")
	r.portal.SetBalance(false)
	r.startAndSubmit()
	cb := r.waitState("failed")
	if !strings.Contains(cb.Callback.Reason, "balance") || !cb.historyHas("top it up") || len(cb.Attempts) != 1 || cb.Attempts[0].StatusCode != "402" {
		t.Errorf("callback %+v", cb)
	}
	if page := appPageOf(t, r.addr, r.portal); !strings.Contains(page, "top it up") {
		t.Error("the application page does not say to top the balance up")
	}
	r.startedOnce()
	r.noExternalCalls()
}
