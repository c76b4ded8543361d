package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/internal/wait"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/store/sqlite"
)

// callRig is the built binary with a YAML configuration that dials the Go
// fake phones, installed into a simulated portal.
type callRig struct {
	t      *testing.T
	bin    string
	addr   string
	dir    string
	conf   string
	portal *bitrix24test.Portal
	phones *siptest.Phone
	log    *os.File
}

const (
	crashExt    = "101" // Max Müller, responsible of lead 5785
	crashClient = "+494951234567"
)

func newCallRig(t *testing.T, bin, engine string) *callRig {
	t.Helper()
	r := &callRig{t: t, bin: bin, addr: freeAddr(t), dir: t.TempDir()}
	r.portal = bitrix24test.New(bitrix24test.Options{})
	t.Cleanup(r.portal.Close)
	r.phones = siptest.StartPhone(t)
	r.conf = filepath.Join(r.dir, "callbackline.yaml")
	yaml := fmt.Sprintf(`listen: %q
public_url: "http://%s"
database: "sqlite:%s/callbackline.db"
data_dir: %q
log_level: debug
shutdown_grace: 2s
bitrix24:
  client_id: %q
  client_secret: %q
  oauth_server: %q
  allow_networks: [127.0.0.0/8]
sip:
  listen: "127.0.0.1:0"
  trunks:
    - name: pbx
      employee: "sip:{extension}@%s"
      client: "sip:{number}@%s"
speech:
  engine: %s
defaults:
  policy:
    employee_ring_timeout: 15s
    client_ring_timeout: 15s
    client_retry_after: 1s
    employee_retry_after: 1s
lines:
  - number: callbackline
    name: callbackline
`, r.addr, r.addr, r.dir, r.dir, r.portal.ClientID(), r.portal.ClientSecret(), r.portal.OAuthServer(),
		r.phones.Addr(), r.phones.Addr(), engine)
	r.log = writeRig(t, r.conf, yaml)
	return r
}

// writeRig writes the service's configuration to conf and opens the
// service's log next to it, shown when the test fails.
func writeRig(t *testing.T, conf, yaml string) *os.File {
	t.Helper()
	if err := os.WriteFile(conf, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return serviceLog(t, filepath.Dir(conf))
}

func (r *callRig) start() *service {
	return start(r.t, r.bin, r.addr, []string{"CALLBACKLINE_CONFIG=" + r.conf}, r.log)
}

// editConf rewrites the service's configuration file with edit.
func (r *callRig) editConf(edit func(string) string) {
	r.t.Helper()
	conf, err := os.ReadFile(r.conf)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(r.conf, []byte(edit(string(conf))), 0o600); err != nil {
		r.t.Fatal(err)
	}
}

// installAndSubmit installs the application and submits the callback
// form.
func (r *callRig) installAndSubmit() {
	r.t.Helper()
	r.installAndSubmitNothing()
	r.submit("+49 495 1234567")
}

// submit submits the callback form for the number.
func (r *callRig) submit(number string) {
	r.t.Helper()
	if err := r.portal.SubmitCallbackForm(context.Background(), bitrix24test.CallbackRequest{PhoneNumber: number,
		Text:          "Please call me back about the annual contract, I have a few questions about the price.",
		CRMEntityType: "LEAD", CRMEntityID: "5785"}); err != nil {
		r.t.Fatal(err)
	}
}

// within polls ok until it holds or d has passed.
func within(d time.Duration, ok func() bool) error {
	return wait.Within(d, 50*time.Millisecond, ok)
}

// callsTo counts the phones' calls to a user, and how many were answered.
func (r *callRig) callsTo(user string) (n, answered int) { return r.phones.CallsTo(user) }

// result opens the database after the binary stopped and checks the
// portal: every call finished exactly once. It returns the callback.
func (r *callRig) result() (*callbackline.Callback, []bitrix24test.Call) {
	r.t.Helper()
	st, err := sqlite.Open(context.Background(), "sqlite:"+r.dir+"/callbackline.db", sqlite.Options{})
	if err != nil {
		r.t.Fatal(err)
	}
	defer st.Close()
	list, err := st.Callbacks(context.Background(), callbackline.CallbackFilter{})
	if err != nil || len(list) != 1 {
		r.t.Fatalf("callbacks: %d %v", len(list), err)
	}
	calls := r.portal.Calls()
	for _, c := range calls {
		if !c.Finished {
			r.t.Errorf("call %s is left open in Bitrix24", c.CallID)
		}
		n := 0
		for _, q := range r.portal.RESTCalls("telephony.externalCall.finish") {
			if q.Params["CALL_ID"] == c.CallID {
				n++
			}
		}
		if n != 1 {
			r.t.Errorf("call %s finished %d times", c.CallID, n)
		}
	}
	return list[0], calls
}

// waitCallback waits until the stored callback is in a final state, read
// through the running service's API-less store file.
func (r *callRig) waitFinal(timeout time.Duration) {
	r.t.Helper()
	err := within(timeout, func() bool {
		for _, c := range r.portal.Calls() {
			if !c.Finished {
				return false
			}
		}
		n, _ := r.callsTo(crashClient)
		return n > 0 && len(r.portal.Calls()) > 0 && r.portal.Calls()[len(r.portal.Calls())-1].Finished
	})
	if err != nil {
		r.t.Fatal("the callback did not finish in time")
	}
}

// TestCrashDuringCall kills the service with SIGKILL at three moments of a
// callback and checks, after a restart, that no call is left open in
// Bitrix24, none is finished twice, the client is never dialled twice for
// one attempt and the callback goes on by policy.
func TestCrashDuringCall(t *testing.T) {
	bin := buildBinary(t)
	talk := siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond, ToneHz: 1000, HangupAfter: 1500 * time.Millisecond}

	t.Run("while the employee rings", func(t *testing.T) {
		r := newCallRig(t, bin, "none")
		r.phones.Set(crashExt, siptest.Behavior{Action: siptest.Ring})
		r.phones.Set(crashClient, talk)
		svc := r.start()
		r.installAndSubmit()
		if err := within(time.Minute, func() bool { n, _ := r.callsTo(crashExt); return n == 1 }); err != nil {
			t.Fatal("the employee's phone never rang")
		}
		svc.kill()
		r.phones.Set(crashExt, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond})
		svc = r.start()
		r.waitFinal(2 * time.Minute)
		svc.stop(t)
		cb, calls := r.result()
		if cb.State != callbackline.StateDone || len(calls) != 2 || calls[0].StatusCode != "603-S" || calls[1].StatusCode != "200" {
			t.Errorf("callback %s (%s); calls %+v", cb.State, cb.Reason, calls)
		}
		if n, _ := r.callsTo(crashClient); n != 1 {
			t.Errorf("the client was dialled %d times", n)
		}
	})

	t.Run("during the announcement", func(t *testing.T) {
		if _, err := os.Stat("/usr/bin/espeak-ng"); err != nil {
			t.Skip("espeak-ng not found: install the Debian package espeak-ng")
		}
		r := newCallRig(t, bin, "espeak")
		r.phones.Set(crashExt, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond})
		r.phones.Set(crashClient, talk)
		svc := r.start()
		r.installAndSubmit()
		if err := within(time.Minute, func() bool { _, a := r.callsTo(crashExt); return a == 1 }); err != nil {
			t.Fatal("the employee never answered")
		}
		time.Sleep(700 * time.Millisecond) // the announcement is several seconds long
		if n, _ := r.callsTo(crashClient); n != 0 {
			t.Fatal("the client was called before the announcement ended")
		}
		svc.kill()
		svc = r.start()
		r.waitFinal(2 * time.Minute)
		svc.stop(t)
		cb, calls := r.result()
		if cb.State != callbackline.StateDone || len(calls) != 2 || calls[0].StatusCode != "603-S" {
			t.Errorf("callback %s (%s); calls %+v", cb.State, cb.Reason, calls)
		}
		if n, _ := r.callsTo(crashClient); n != 1 {
			t.Errorf("the client was dialled %d times", n)
		}
	})

	t.Run("while connected", func(t *testing.T) {
		r := newCallRig(t, bin, "none")
		r.phones.Set(crashExt, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond})
		r.phones.Set(crashClient, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond, ToneHz: 1000, HangupAfter: 20 * time.Second})
		svc := r.start()
		r.installAndSubmit()
		if err := within(time.Minute, func() bool { _, a := r.callsTo(crashClient); return a == 1 }); err != nil {
			t.Fatal("the client never answered")
		}
		time.Sleep(500 * time.Millisecond)
		svc.kill()
		svc = r.start()
		if err := within(2*time.Minute, func() bool {
			c := r.portal.Calls()
			return len(c) == 1 && c[0].Finished
		}); err != nil {
			t.Fatal("the interrupted call was not finished after the restart")
		}
		time.Sleep(time.Second) // nothing else may happen
		svc.stop(t)
		cb, calls := r.result()
		if cb.State != callbackline.StateDone || len(calls) != 1 || calls[0].StatusCode != "200" || calls[0].Duration < 1 {
			t.Errorf("callback %s (%s); calls %+v", cb.State, cb.Reason, calls)
		}
		if n, _ := r.callsTo(crashClient); n != 1 {
			t.Errorf("the client was dialled %d times", n)
		}
	})
}

// TestGracefulShutdown: SIGTERM during a connected call lets the call end
// by itself within the grace; it is finished once with its real duration
// and the process exits cleanly.
func TestGracefulShutdown(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	r.phones.Set(crashExt, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond})
	r.phones.Set(crashClient, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond, ToneHz: 1000, HangupAfter: 4 * time.Second})
	r.editConf(func(s string) string { return strings.Replace(s, "shutdown_grace: 2s", "shutdown_grace: 20s", 1) })
	svc := r.start()
	r.installAndSubmit()
	if err := within(time.Minute, func() bool { _, a := r.callsTo(crashClient); return a == 1 }); err != nil {
		t.Fatal("the client never answered")
	}
	var answered time.Time
	for _, c := range r.phones.Calls() {
		if c.User == crashClient {
			answered = c.Answered
		}
	}
	stopped := time.Now()
	svc.stop(t) // SIGTERM, waits for the exit
	took := time.Since(stopped)
	// The client hangs up 4 s after answering; the time from the answer,
	// not from the SIGTERM, shows the call was not cut (a busy machine may
	// notice the answer late).
	if d := time.Since(answered); d < 4*time.Second {
		t.Errorf("the process exited %s after the client answered: it must wait for the call (4 s)", d)
	}
	cb, calls := r.result()
	if cb.State != callbackline.StateDone || len(calls) != 1 || calls[0].StatusCode != "200" || calls[0].Duration < 3 {
		t.Errorf("callback %s (%s); calls %+v", cb.State, cb.Reason, calls)
	}
	if took > 15*time.Second {
		t.Errorf("the stop took %s: it must wait for the call (about 4 s), not the whole grace (20 s)", took)
	}
}
