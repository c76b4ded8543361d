package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/sip/siptest"
)

// clusterRig is three instances of the built binary on one PostgreSQL
// schema of their own, behind a round-robin balancer (public_url), with
// the simulated portal and the Go test phones.
type clusterRig struct {
	t      *testing.T
	bin    string
	dsn    string // the test database, the rig's schema first on the search path
	portal *bitrix24test.Portal
	phones *siptest.Phone
	lb     *balancer
	nodes  []*node
}

// node is one instance: its address, folder, configuration and process.
type node struct {
	addr, dir, conf string
	svc             *service
	log             *os.File
}

// deadAfter is the rig's cluster.dead_after.
const deadAfter = 10 * time.Second

func newClusterRig(t *testing.T) *clusterRig {
	t.Helper()
	r := &clusterRig{t: t, dsn: freshPostgres(t), bin: buildBinary(t)}
	r.portal = bitrix24test.New(bitrix24test.Options{})
	t.Cleanup(r.portal.Close)
	r.phones = siptest.StartPhone(t)
	r.lb = newBalancer(t)
	for range 3 {
		r.nodes = append(r.nodes, r.newNode())
	}
	return r
}

// newNode writes an instance's configuration.
func (r *clusterRig) newNode() *node {
	t := r.t
	n := &node{addr: freeAddr(t), dir: t.TempDir()}
	n.conf = filepath.Join(n.dir, "callbackline.yaml")
	yaml := fmt.Sprintf(`listen: %q
public_url: %q
database: %q
data_dir: %q
log_level: debug
shutdown_grace: 2s
bitrix24:
  client_id: %q
  client_secret: %q
  oauth_server: %q
  allow_networks: [127.0.0.0/8]
intake:
  number_limit: 0
sip:
  listen: "127.0.0.1:0"
  trunks:
    - name: pbx
      employee: "sip:{extension}@%s"
      client: "sip:{number}@%s"
speech:
  engine: none
cluster:
  dead_after: %s
defaults:
  policy:
    employee_ring_timeout: 15s
    client_ring_timeout: 15s
    client_retry_after: 1s
    employee_retry_after: 1s
lines:
  - number: callbackline
    name: callbackline
`, n.addr, r.lb.URL, r.dsn, n.dir, r.portal.ClientID(), r.portal.ClientSecret(), r.portal.OAuthServer(),
		r.phones.Addr(), r.phones.Addr(), deadAfter)
	if err := os.WriteFile(n.conf, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	n.log = serviceLog(t, n.dir)
	r.lb.add(n.addr)
	return n
}

// start starts instance i and lets the balancer send it events.
func (r *clusterRig) start(i int) {
	n := r.nodes[i]
	n.svc = start(r.t, r.bin, n.addr, []string{"CALLBACKLINE_CONFIG=" + n.conf}, n.log)
	r.t.Cleanup(func() {
		if n.svc != nil {
			n.svc.kill()
		}
	})
	r.lb.setUp(n.addr, true)
}

// kill takes instance i out of the balancer and kills it with SIGKILL.
func (r *clusterRig) kill(i int) {
	n := r.nodes[i]
	r.lb.setUp(n.addr, false)
	n.svc.kill()
	n.svc = nil
}

// stopAll stops every running instance with SIGTERM.
func (r *clusterRig) stopAll() {
	for _, n := range r.nodes {
		if n.svc != nil {
			n.svc.stop(r.t)
			n.svc = nil
		}
	}
}

// install installs the application through the balancer.
func (r *clusterRig) install() {
	r.t.Helper()
	installInto(r.t, r.portal, r.lb.URL)
}

// submit submits the callback form for a number; it reports whether the
// event was acknowledged (200).
func (r *clusterRig) submit(number string) bool {
	err := r.portal.SubmitCallbackForm(context.Background(), bitrix24test.CallbackRequest{PhoneNumber: number,
		Text: "Please call me back.", CRMEntityType: "LEAD", CRMEntityID: "5785"})
	return err == nil
}

// query reads one row of the rig's schema.
func (r *clusterRig) query(q string, dest ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, r.dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.QueryRow(ctx, q).Scan(dest...)
}

// bridged installs the application, submits the form and waits until
// the employee and the client are bridged; it returns the index of the
// instance that holds the call.
func (r *clusterRig) bridged() int {
	r.t.Helper()
	r.install()
	if !r.submit("+49 495 1234567") {
		r.t.Fatal("the event was not acknowledged")
	}
	if err := within(time.Minute, func() bool { return r.state(1) == "connected" }); err != nil {
		r.t.Fatal("the call was not bridged")
	}
	return r.holder(1)
}

// holder returns the index of the instance that works on callback id now
// (its claim), waiting until one does.
func (r *clusterRig) holder(id int64) int {
	r.t.Helper()
	var owner string
	err := within(time.Minute, func() bool {
		return r.query(fmt.Sprintf(`SELECT owner FROM callbacks WHERE id = %d`, id), &owner) == nil && owner != ""
	})
	if err != nil {
		r.t.Fatal("nobody claimed the callback")
	}
	for i, n := range r.nodes {
		if strings.HasSuffix(owner, ":"+n.addr) {
			return i
		}
	}
	r.t.Fatalf("the owner %q is none of the instances", owner)
	return -1
}

// metric reads a sample of instance i's /metrics ("" when it has none).
func (r *clusterRig) metric(i int, sample string) string {
	res, err := http.Get("http://" + r.nodes[i].addr + "/metrics")
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, sample+" "); ok {
			return v
		}
	}
	return ""
}

// ready reports whether instance i's /readyz answers 200.
func (r *clusterRig) ready(i int) bool { return readyStatus(r.nodes[i].addr) == http.StatusOK }

// state is callback id's state.
func (r *clusterRig) state(id int64) string {
	var s string
	_ = r.query(fmt.Sprintf(`SELECT state FROM callbacks WHERE id = %d`, id), &s)
	return s
}

// callsTo counts the phones' calls to a user and how many were answered.
func (r *clusterRig) callsTo(user string) (n, answered int) { return r.phones.CallsTo(user) }

// finishes counts the telephony.externalCall.finish requests for a
// CALL_ID that the portal processed: those its rate limit refused
// (QUERY_LIMIT_EXCEEDED, asked again by the client) do not count; a
// second finish would, answered "not found".
func (r *clusterRig) finishes(callID string) int {
	n := 0
	for _, q := range r.portal.RESTCalls("telephony.externalCall.finish") {
		if q.Params["CALL_ID"] == callID && q.Error != "QUERY_LIMIT_EXCEEDED" {
			n++
		}
	}
	return n
}

// checkCards asserts that every call card was finished exactly once.
func (r *clusterRig) checkCards() []bitrix24test.Call {
	r.t.Helper()
	calls := r.portal.Calls()
	for _, c := range calls {
		if !c.Finished {
			r.t.Errorf("call %s (%s) is left open in Bitrix24", c.CallID, c.ExternalCallID)
		}
		if n := r.finishes(c.CallID); n != 1 {
			r.t.Errorf("call %s (%s) finished %d times", c.CallID, c.ExternalCallID, n)
		}
	}
	return calls
}

// balancer is a round-robin HTTP load balancer over the instances that
// are up, counting the requests each got.
type balancer struct {
	*httptest.Server
	mu    sync.Mutex
	addrs []string
	up    map[string]bool
	got   map[string]int
	next  int
}

func newBalancer(t *testing.T) *balancer {
	b := &balancer{up: map[string]bool{}, got: map[string]int{}}
	b.Server = httptest.NewServer(http.HandlerFunc(b.serve))
	t.Cleanup(b.Close)
	return b
}

func (b *balancer) add(addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.addrs = append(b.addrs, addr)
}

func (b *balancer) setUp(addr string, up bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.up[addr] = up
}

// pick is the next instance that is up.
func (b *balancer) pick() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	for range b.addrs {
		a := b.addrs[b.next%len(b.addrs)]
		b.next++
		if b.up[a] {
			b.got[a]++
			return a
		}
	}
	return ""
}

func (b *balancer) serve(w http.ResponseWriter, req *http.Request) {
	a := b.pick()
	if a == "" {
		http.Error(w, "no instance is up", http.StatusBadGateway)
		return
	}
	httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: a}).ServeHTTP(w, req)
}

// events is how many requests the instance got.
func (b *balancer) events(addr string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.got[addr]
}

// TestClusterSpread: events are spread over three instances while one is
// killed with SIGKILL and started again: every acknowledged event is
// stored once, its callback done and its client connected; no call card
// is left open or finished twice; a client is dialled again only after a
// call of theirs the kill cut (finished 603-S, redialled by policy).
func TestClusterSpread(t *testing.T) {
	r := newClusterRig(t)
	r.phones.Set(crashExt, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond})
	r.phones.Set("", siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond, ToneHz: 1000, HangupAfter: 1500 * time.Millisecond})
	for i := range r.nodes {
		r.start(i)
	}
	r.install()
	var acked []string
	for i := range 30 {
		switch i {
		case 10:
			r.kill(1)
		case 20:
			r.start(1)
		}
		number := fmt.Sprintf("+4949512340%02d", i)
		if r.submit(number) {
			acked = append(acked, number)
		}
	}
	if len(acked) != 30 {
		t.Errorf("%d of 30 events acknowledged: the balancer sends only to living instances", len(acked))
	}
	err := within(4*time.Minute, func() bool {
		for _, n := range acked {
			if _, a := r.callsTo(n); a == 0 {
				return false
			}
		}
		for _, c := range r.portal.Calls() {
			if !c.Finished {
				return false
			}
		}
		return true
	})
	if err != nil {
		t.Fatal("not every client was connected within 4 minutes")
	}
	r.stopAll()
	for _, n := range r.nodes {
		if r.lb.events(n.addr) == 0 {
			t.Errorf("instance %s got no event", n.addr)
		}
	}
	var stored, numbers, done int
	if err := r.query(`SELECT count(*), count(DISTINCT phone), count(*) FILTER (WHERE state = 'done') FROM callbacks`,
		&stored, &numbers, &done); err != nil {
		t.Fatal(err)
	}
	if stored != len(acked) || numbers != len(acked) || done != len(acked) {
		t.Errorf("%d callbacks stored for %d numbers, %d done; want %d of each (each acknowledged event once)",
			stored, numbers, done, len(acked))
	}
	cut := map[string]int{} // calls cut by the kill, by number
	for _, c := range r.checkCards() {
		if c.StatusCode == "603-S" {
			cut["+"+strings.TrimPrefix(c.PhoneNumber, "+")]++
		}
	}
	for _, n := range acked {
		dialled, answered := r.callsTo(n)
		// A call the kill cut is finished 603-S and the client called
		// again by policy (the answer may have come just before the kill,
		// unrecorded); no other call is repeated.
		if answered < 1 || dialled > 1+cut[n] || answered > 1+cut[n] {
			t.Errorf("client %s: dialled %d times, answered %d (calls cut by the kill: %d)", n, dialled, answered, cut[n])
		}
	}
}

// TestClusterKillBridged: three instances are ready and see each other
// (/readyz, /metrics); the one that holds a bridged call is killed with
// SIGKILL; within 60 s another has finished that call card, exactly
// once, as answered, and the callback is done (the client was connected:
// no redial); exactly one survivor counts the takeover.
func TestClusterKillBridged(t *testing.T) {
	r := newClusterRig(t)
	r.phones.Set(crashExt, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond})
	r.phones.Set(crashClient, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond, ToneHz: 1000, HangupAfter: 2 * time.Minute})
	for i := range r.nodes {
		r.start(i)
	}
	// Each instance is ready and sees the three.
	for i := range r.nodes {
		if err := within(time.Minute, func() bool { return r.ready(i) && r.metric(i, "callbackline_instances_alive") == "3" }); err != nil {
			t.Fatalf("instance %d: ready %v, instances alive %q", i, r.ready(i), r.metric(i, "callbackline_instances_alive"))
		}
	}
	h := r.bridged()
	r.kill(h)
	killed := time.Now()
	if err := within(time.Minute, func() bool { c := r.portal.Calls(); return len(c) == 1 && c[0].Finished }); err != nil {
		t.Fatal("the call card of the killed instance was not finished within 60 s")
	}
	took := time.Since(killed)
	if err := within(time.Minute, func() bool { return r.state(1) == "done" }); err != nil {
		t.Fatalf("callback %s, want done", r.state(1))
	}
	takeovers := 0
	for i := range r.nodes {
		if i != h {
			if r.metric(i, "callbackline_instance_takeovers_total") == "1" {
				takeovers++
			}
			if !r.ready(i) {
				t.Errorf("instance %d is not ready after the takeover", i)
			}
		}
	}
	if takeovers != 1 {
		t.Errorf("%d surviving instances counted a takeover, want exactly one", takeovers)
	}
	r.stopAll()
	calls := r.checkCards()
	if len(calls) != 1 || calls[0].StatusCode != "200" || calls[0].Duration < 1 {
		t.Errorf("calls %+v: want the bridged call finished as answered", calls)
	}
	if n, _ := r.callsTo(crashClient); n != 1 {
		t.Errorf("the client was dialled %d times", n)
	}
	t.Logf("the call card was finished %s after the kill (dead_after %s)", took.Round(time.Second), deadAfter)
}

// TestClusterPaused: the instance that holds a bridged call is paused
// (SIGSTOP) until it has been declared dead and another instance has
// finished its call card, then resumed (SIGCONT): it hangs up, finishes
// nothing, dials nobody, and joins again.
func TestClusterPaused(t *testing.T) {
	r := newClusterRig(t)
	r.phones.Set(crashExt, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond})
	r.phones.Set(crashClient, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond, ToneHz: 1000, HangupAfter: 2 * time.Minute})
	for i := range r.nodes {
		r.start(i)
	}
	h := r.bridged()
	p := r.nodes[h]
	r.lb.setUp(p.addr, false)
	if err := p.svc.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	var gen int64
	if err := r.query(fmt.Sprintf(`SELECT generation FROM instances WHERE id LIKE '%%:%s'`, p.addr), &gen); err != nil {
		t.Fatal(err)
	}
	if err := within(2*time.Minute, func() bool {
		var dead bool
		c := r.portal.Calls()
		return r.query(fmt.Sprintf(`SELECT dead_at IS NOT NULL FROM instances WHERE id LIKE '%%:%s'`, p.addr), &dead) == nil &&
			dead && len(c) == 1 && c[0].Finished && r.state(1) == "done"
	}); err != nil {
		t.Fatal("the paused instance was not declared dead and its call finished by another")
	}
	if err := p.svc.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	// It learns at its next heartbeat, hangs up and joins again.
	if err := within(2*time.Minute, func() bool {
		var g int64
		return r.query(fmt.Sprintf(`SELECT generation FROM instances WHERE id LIKE '%%:%s' AND dead_at IS NULL`, p.addr), &g) == nil && g > gen
	}); err != nil {
		t.Fatal("the resumed instance did not join again")
	}
	if err := within(2*time.Minute, func() bool {
		b, _ := os.ReadFile(p.log.Name())
		return strings.Contains(string(b), "stopped work on a callback another instance took over")
	}); err != nil {
		t.Fatal("the resumed instance's work on the callback did not stop")
	}
	r.stopAll()
	calls := r.checkCards()
	if len(calls) != 1 || calls[0].StatusCode != "200" {
		t.Errorf("calls %+v: want one, finished once as answered", calls)
	}
	if n, _ := r.callsTo(crashClient); n != 1 {
		t.Errorf("the client was dialled %d times", n)
	}
	if n, _ := r.callsTo(crashExt); n != 1 {
		t.Errorf("the employee was dialled %d times", n)
	}
}

// TestClusterIntakeInstance: an instance with cluster.calls: false takes
// every event (the balancer sends it all of them) and calls nobody; the
// instance that places calls on the same database calls each client back,
// and the intake instance's doctor does not ask for SIP.
func TestClusterIntakeInstance(t *testing.T) {
	r := newClusterRig(t)
	r.phones.Set(crashExt, siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond})
	r.phones.Set("", siptest.Behavior{Action: siptest.Answer, Delay: 200 * time.Millisecond, ToneHz: 1000, HangupAfter: time.Second})
	intake := r.nodes[0]
	conf, err := os.ReadFile(intake.conf)
	if err != nil {
		t.Fatal(err)
	}
	// An intake instance needs no SIP: its sip section is gone.
	text := strings.Replace(string(conf), "cluster:\n", "cluster:\n  calls: false\n", 1)
	text = text[:strings.Index(text, "sip:\n")] + text[strings.Index(text, "speech:\n"):]
	if err := os.WriteFile(intake.conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	r.start(0)
	r.start(1)
	r.lb.setUp(r.nodes[1].addr, false) // the caller gets no event
	r.lb.setUp(r.nodes[2].addr, false) // never started
	r.install()
	numbers := []string{"+494951234101", "+494951234102", "+494951234103"}
	before := r.lb.events(intake.addr)
	for _, n := range numbers {
		if !r.submit(n) {
			t.Fatalf("the intake instance did not acknowledge the event for %s", n)
		}
	}
	err = within(3*time.Minute, func() bool {
		var done int
		return r.query(`SELECT count(*) FROM callbacks WHERE state = 'done'`, &done) == nil && done == len(numbers)
	})
	if err != nil {
		t.Fatal("the clients were not called back within 3 minutes")
	}
	if got := r.lb.events(intake.addr) - before; got != len(numbers) {
		t.Errorf("the intake instance took %d events, want %d", got, len(numbers))
	}
	var jobsByIntake int
	if err := r.query(`SELECT count(*) FROM river_job WHERE kind = 'callback' AND attempted_by[array_upper(attempted_by, 1)] LIKE '%:`+intake.addr+`'`,
		&jobsByIntake); err != nil {
		t.Fatal(err)
	}
	if jobsByIntake != 0 {
		t.Errorf("the intake instance worked %d callback jobs; it must work none", jobsByIntake)
	}
	for _, n := range numbers {
		if _, answered := r.callsTo(n); answered != 1 {
			t.Errorf("client %s answered %d calls, want 1", n, answered)
		}
	}
	if !r.ready(0) {
		t.Error("the intake instance is not ready (/readyz)")
	}
	out, err := exec.Command(r.bin, "doctor", "--config", intake.conf).CombinedOutput()
	if !strings.Contains(string(out), "SIP: not used, an intake instance") || strings.Contains(string(out), "FAIL  SIP") {
		t.Errorf("doctor on the intake instance (%v):\n%s", err, out)
	}
}
