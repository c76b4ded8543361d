package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/sip/siptest"
)

// rollingGrace is the instances' shutdown_grace in TestRollingRestart.
const rollingGrace = 30 * time.Second

// rollingRig is two instances of the built binary on one PostgreSQL
// database, dialling the Go test phones, with two portals: one whose
// callbacks are called, and one that floods events (no trunk serves it, so
// its callbacks are stored, queued and failed with no_trunk, nothing
// dialled).
type rollingRig struct {
	t            *testing.T
	bin, conf    string
	dir          string
	database     string
	addrs        [2]string
	svcs         [2]*service
	log          *os.File
	phones       *siptest.Phone
	call, flood  *bitrix24test.Portal
	mu           sync.Mutex
	acked        map[string]int64 // number → callback id, for every accepted event
	refusedConns int              // connections an instance refused (the other took the event)
}

func newRollingRig(t *testing.T, bin, database string) *rollingRig {
	r := &rollingRig{t: t, bin: bin, dir: t.TempDir(), database: database, acked: map[string]int64{}}
	r.call = bitrix24test.New(bitrix24test.Options{Drain: -1})
	r.flood = bitrix24test.New(bitrix24test.Options{Drain: -1})
	t.Cleanup(r.call.Close)
	t.Cleanup(r.flood.Close)
	hub := bitrix24test.NewOAuthHub(r.call, r.flood)
	t.Cleanup(hub.Close)
	r.phones = siptest.StartPhone(t)
	r.addrs = [2]string{freeAddr(t), freeAddr(t)}
	r.conf = filepath.Join(r.dir, "callbackline.yaml")
	yaml := fmt.Sprintf(`public_url: "http://%s"
log_level: debug
shutdown_grace: %s
bitrix24:
  client_id: %q
  client_secret: %q
  oauth_server: %q
  allow_networks: [127.0.0.0/8]
intake:
  number_limit: 0
  portal_limit: 0
sip:
  listen: "127.0.0.1:0"
  trunks:
    - name: pbx
      employee: "sip:{extension}@%s"
      client: "sip:{number}@%s"
      portals: [%q]
speech:
  engine: none
defaults:
  policy:
    employee_ring_timeout: 15s
    client_ring_timeout: 15s
lines:
  - number: callbackline
    name: callbackline
`, r.addrs[0], rollingGrace, r.call.ClientID(), r.call.ClientSecret(), hub.URL(), r.phones.Addr(), r.phones.Addr(), r.call.MemberID())
	if err := os.WriteFile(r.conf, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	r.log = serviceLog(t, r.dir)
	return r
}

// start starts instance i (again).
func (r *rollingRig) start(i int) {
	r.svcs[i] = start(r.t, r.bin, r.addrs[i], []string{"CALLBACKLINE_CONFIG=" + r.conf, "CALLBACKLINE_LISTEN=" + r.addrs[i],
		"CALLBACKLINE_DATABASE=" + r.database, "CALLBACKLINE_DATA_DIR=" + r.dataDir(i)}, r.log)
}

func (r *rollingRig) dataDir(i int) string { return filepath.Join(r.dir, fmt.Sprint("instance-", i)) }

// holder is the instance recording a call now (its recording is being
// written in its data_dir), or -1.
func (r *rollingRig) holder() int {
	for i := range r.svcs {
		if m, _ := filepath.Glob(filepath.Join(r.dataDir(i), "recordings", ".rec-*.pcm")); len(m) > 0 {
			return i
		}
	}
	return -1
}

// answered is how many flood events were accepted so far.
func (r *rollingRig) answered() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.acked)
}

// send sends events of the flood portal, 50 a second, to the instances
// in turn until ctx ends; an instance that refuses the connection (it is
// stopped) gets the event's next try on the other, as the balancer does.
func (r *rollingRig) send(ctx context.Context) {
	client := &http.Client{Timeout: 10 * time.Second}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		num := fmt.Sprintf("+4930%07d", 4000000+n)
		req := bitrix24test.CallbackRequest{PhoneNumber: num, Text: "rolling restart", CRMEntityType: "LEAD", CRMEntityID: fmt.Sprint(100000 + n)}
		for try := range 2 {
			events := "http://" + r.addrs[(n+try)%2] + "/bitrix24/events"
			body := r.flood.Envelope(bitrix24test.EventExternalCallbackStart, events, req.Data(), bitrix24test.EventOptions{}).Encode()
			id, err := postEvent(ctx, client, events, body)
			if err == nil {
				r.mu.Lock()
				r.acked[num] = id
				r.mu.Unlock()
				break
			}
			r.mu.Lock()
			r.refusedConns++
			r.mu.Unlock()
		}
	}
}

// postEvent posts one event and returns the accepted callback's id.
func postEvent(ctx context.Context, c *http.Client, url, body string) (int64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var a struct {
		Status     string `json:"status"`
		CallbackID int64  `json:"callback_id"`
	}
	if err := json.NewDecoder(res.Body).Decode(&a); err != nil || res.StatusCode != http.StatusOK || a.Status != "accepted" {
		return 0, fmt.Errorf("answered %d %s (%v)", res.StatusCode, a.Status, err)
	}
	return a.CallbackID, nil
}

// readyStatus is the status of the instance's /readyz, 0 when it does
// not answer.
func readyStatus(addr string) int {
	res, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		return 0
	}
	res.Body.Close()
	return res.StatusCode
}

// waitAnswered waits until more flood events than n were accepted by
// twenty at least.
func (r *rollingRig) waitAnswered(n int, what string) {
	r.t.Helper()
	if err := within(time.Minute, func() bool { return r.answered() >= n+20 }); err != nil {
		r.t.Fatalf("%s: %d events accepted, want at least %d", what, r.answered(), n+20)
	}
}

// TestRollingRestart: two instances of the built binary on one PostgreSQL
// database, events sent to both all the time. The instance holding a
// connected call is stopped with SIGTERM and started again: the other
// keeps answering events, the call ends by itself within shutdown_grace
// and is finished once in Bitrix24, and every acknowledged event is stored
// exactly once with exactly one queued job.
func TestRollingRestart(t *testing.T) {
	database := freshPostgres(t)
	r := newRollingRig(t, buildBinary(t), database)
	r.start(0)
	r.start(1)
	for _, p := range []*bitrix24test.Portal{r.call, r.flood} {
		if err := installPortal(p, r.addrs[0]); err != nil {
			t.Fatal(err)
		}
	}
	if err := within(time.Minute, func() bool { return len(r.call.Handlers()) >= 3 && len(r.flood.Handlers()) >= 3 }); err != nil {
		t.Fatal("the events were not bound")
	}
	ctx, stopFlood := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Go(func() { r.send(ctx) })
	defer func() { stopFlood(); wg.Wait() }()

	r.phones.Set(crashExt, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond})
	r.phones.Set(crashClient, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond, ToneHz: 1000, HangupAfter: 6 * time.Second})
	res, err := r.call.SendCallbackStart(context.Background(), "http://"+r.addrs[1]+"/bitrix24/events", bitrix24test.CallbackRequest{
		PhoneNumber: crashClient, Text: "rolling restart", CRMEntityType: "LEAD", CRMEntityID: "5785"}, bitrix24test.EventOptions{})
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("the callback event: %v %v", res, err)
	}
	res.Body.Close()
	holder := -1
	if err := within(time.Minute, func() bool { holder = r.holder(); return holder >= 0 }); err != nil {
		t.Fatal("no instance is recording the call: the client was never connected")
	}

	n := r.answered()
	stopped := time.Now()
	exited := make(chan struct{})
	go func() { defer close(exited); r.svcs[holder].stop(t) }()
	// From the SIGTERM on, the holder says it is not ready (the balancer
	// sends new requests elsewhere) while its call goes on.
	if err := within(time.Minute, func() bool { return readyStatus(r.addrs[holder]) == http.StatusServiceUnavailable }); err != nil {
		t.Error("the draining instance's /readyz never answered 503")
	}
	r.waitAnswered(n, "while the holder drains")
	<-exited
	took := time.Since(stopped)
	r.waitAnswered(r.answered(), "while the holder is down")
	r.start(holder)
	r.waitAnswered(r.answered(), "after the restart")
	stopFlood()
	wg.Wait()
	r.svcs[0].stop(t)
	r.svcs[1].stop(t)

	if took > rollingGrace+10*time.Second {
		t.Errorf("the drained instance took %s to stop; its grace is %s", took, rollingGrace)
	}
	r.checkCall(stopped)
	r.checkStored()
	t.Logf("%d events accepted, %d connections refused and sent to the other instance; the holder stopped in %s", r.answered(), r.refusedConns, took)
}

// checkCall: the call was still connected when the SIGTERM came, ended by
// the client's hang-up, and was finished exactly once with status 200.
func (r *rollingRig) checkCall(stopped time.Time) {
	r.t.Helper()
	for _, c := range r.phones.Calls() {
		if c.User == crashClient && (c.Ended.IsZero() || c.Ended.Before(stopped)) {
			r.t.Errorf("the client's call ended at %s, the SIGTERM came at %s: the drain was not tested", c.Ended, stopped)
		}
	}
	calls := r.call.Calls()
	if len(calls) != 1 || !calls[0].Finished || calls[0].StatusCode != "200" || calls[0].Duration < 3 {
		r.t.Fatalf("calls in Bitrix24: %+v", calls)
	}
	if n := len(r.call.RESTCalls("telephony.externalCall.finish")); n != 1 {
		r.t.Errorf("the call was finished %d times", n)
	}
}

// checkStored: every accepted event is stored exactly once, and every
// stored callback has exactly one queued job.
func (r *rollingRig) checkStored() {
	r.t.Helper()
	st := openDatabase(r.t, r.database)
	defer st.Close()
	ctx := context.Background()
	seen := map[string]int{}
	for before := int64(0); ; {
		list, err := st.Callbacks(ctx, callbackline.CallbackFilter{BeforeID: before, Limit: 1000})
		if err != nil {
			r.t.Fatal(err)
		}
		for _, c := range list {
			seen[c.Phone]++
			before = c.ID
		}
		if len(list) < 1000 {
			break
		}
	}
	for num, id := range r.acked {
		if seen[num] != 1 {
			r.t.Errorf("event %d answered 200 is stored %d times", id, seen[num])
		}
	}
	total := 0
	for num, k := range seen {
		total += k
		if k > 1 {
			r.t.Errorf("%s stored %d times", num, k)
		}
	}
	if jobs, err := st.CountJobs(ctx, callbackline.CallbackJob{}.Kind()); err != nil || jobs != total {
		r.t.Errorf("%d queued jobs (%v) for %d stored callbacks", jobs, err, total)
	}
}
