package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
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
	t.Helper()
	r := &b24Rig{t: t, bin: bin, addr: freeAddr(t), dir: t.TempDir()}
	r.portal = bitrix24test.New(bitrix24test.Options{Scope: "telephony,call,crm,user_basic,im,timeman"})
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
	if err := os.WriteFile(r.conf, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	var err error
	if r.log, err = os.Create(filepath.Join(r.dir, "service.log")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.log.Close()
		if t.Failed() {
			b, _ := os.ReadFile(r.log.Name())
			t.Logf("service log:\n%s", b)
		}
	})
	return r
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
	res, err := r.portal.SendInstall(context.Background(), "http://"+r.addr+"/bitrix24/install")
	if err != nil || res.StatusCode != http.StatusOK {
		r.t.Fatalf("install: %v %v", res, err)
	}
	res.Body.Close()
	if err := within(time.Minute, func() bool {
		for _, h := range r.portal.Handlers() {
			if h.Event == bitrix24test.EventVoxCallEnd {
				return true
			}
		}
		return false
	}); err != nil {
		r.t.Fatal("ONVOXIMPLANTCALLEND was not bound")
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
	var cb apiCallback
	err := within(2*time.Minute, func() bool {
		ids := r.callbacks()
		if len(ids) != 1 {
			return false
		}
		cb = apiCallback{}
		return r.api(fmt.Sprintf("/api/v1/callbacks/%d", ids[0]), &cb) == nil && cb.Callback.State == state
	})
	if err != nil {
		r.t.Fatalf("the callback did not reach %s: %+v", state, cb)
	}
	return cb
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

// TestBitrix24DialerEndToEnd: a line on the Bitrix24 dialer, no PBX:
// intake, voximplant.callback.start with the form's number, text and
// voice from the portal's own line, the end event, done; nothing
// registered as an external call.
func TestBitrix24DialerEndToEnd(t *testing.T) {
	r := newB24Rig(t, buildBinary(t), b24Lines(b24Line), "")
	svc := r.start()
	defer svc.stop(t)
	r.install()
	r.submit()
	vc := r.voxCalls(1)[0]
	if vc.FromLine != b24Line || vc.ToNumber != b24Client || !strings.Contains(vc.Text, "Jahresvertrags") || vc.Voice != "eurgermanfemale" {
		t.Fatalf("placed %+v", vc)
	}
	r.waitState("placed")
	if err := r.portal.EndVoxCall(context.Background(), vc.CallID, bitrix24test.VoxEnd{Code: "200", Duration: 42}, false); err != nil {
		t.Fatal(err)
	}
	cb := r.waitState("done")
	if len(cb.Attempts) != 1 || cb.Attempts[0].CallID != vc.CallID || cb.Attempts[0].Dialer != "bitrix24" || cb.Attempts[0].Duration != 42 {
		t.Errorf("attempts %+v", cb.Attempts)
	}
	if len(r.portal.VoxCalls()) != 1 {
		t.Errorf("%d calls placed", len(r.portal.VoxCalls()))
	}
	r.noExternalCalls()
}
