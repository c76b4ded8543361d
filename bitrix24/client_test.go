package bitrix24_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

// memStore keeps portals in memory and records when tokens were saved.
type memStore struct {
	mu      sync.Mutex
	portals map[string]*callbackline.Portal
	saves   []savedTokens
	fail    error
}

type savedTokens struct {
	at time.Time
	t  callbackline.Tokens
}

func newMemStore() *memStore { return &memStore{portals: map[string]*callbackline.Portal{}} }

func (s *memStore) put(p *callbackline.Portal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := *p
	s.portals[p.MemberID] = &c
}

func (s *memStore) get(id string) *callbackline.Portal {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.portals[id]; p != nil {
		c := *p
		return &c
	}
	return nil
}

func (s *memStore) delete(id string) {
	s.mu.Lock()
	delete(s.portals, id)
	s.mu.Unlock()
}

func (s *memStore) SaveTokens(ctx context.Context, id string, t callbackline.Tokens) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	p := s.portals[id]
	if p == nil {
		return callbackline.Errorf(callbackline.ENOTFOUND, "no portal %s", id)
	}
	p.AccessToken, p.RefreshToken, p.ExpiresAt, p.ClientEndpoint, p.Domain = t.AccessToken, t.RefreshToken, t.ExpiresAt, t.ClientEndpoint, t.Domain
	s.saves = append(s.saves, savedTokens{time.Now(), t})
	return nil
}

func (s *memStore) SetPortalStatus(ctx context.Context, id string, st callbackline.PortalStatus, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portals[id]
	if p == nil {
		return callbackline.Errorf(callbackline.ENOTFOUND, "no portal %s", id)
	}
	p.Status, p.StatusReason = st, reason
	return nil
}

func (s *memStore) savesOf() []savedTokens {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]savedTokens(nil), s.saves...)
}

// portalFromInstall is what an installation handler keeps from ONAPPINSTALL.
func portalFromInstall(v url.Values) *callbackline.Portal {
	exp, _ := strconv.ParseInt(v.Get("auth[expires]"), 10, 64)
	uid, _ := strconv.ParseInt(v.Get("auth[user_id]"), 10, 64)
	ep := v.Get("auth[client_endpoint]")
	u, _ := url.Parse(ep)
	return &callbackline.Portal{
		MemberID: v.Get("auth[member_id]"), Domain: u.Host, ClientEndpoint: ep,
		AccessToken: v.Get("auth[access_token]"), RefreshToken: v.Get("auth[refresh_token]"), ExpiresAt: time.Unix(exp, 0),
		ApplicationToken: v.Get("auth[application_token]"), UserID: uid, Scope: v.Get("auth[scope]"),
		AppStatus: v.Get("auth[status]"), Status: callbackline.PortalInstalled,
	}
}

type fixture struct {
	sim    *bitrix24test.Portal
	store  *memStore
	client *bitrix24.Client
	logs   *syncBuffer
}

// portal returns the stored portal, as a worker loads it.
func (f *fixture) portal(t *testing.T) *callbackline.Portal {
	p := f.store.get(f.sim.MemberID())
	if p == nil {
		t.Fatal("portal not stored")
	}
	return p
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newFixture(t *testing.T, opts bitrix24test.Options) *fixture {
	t.Helper()
	sim := bitrix24test.New(opts)
	t.Cleanup(sim.Close)
	store := newMemStore()
	store.put(portalFromInstall(sim.InstallEvent()))
	logs := &syncBuffer{}
	c := bitrix24.NewClient(sim.OAuth(), store)
	c.MaxBackoff = 100 * time.Millisecond
	c.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f := &fixture{sim: sim, store: store, client: c, logs: logs}
	t.Cleanup(func() { f.checkSecrets(t) })
	return f
}

// checkSecrets: no token and no client secret in the logs; the secret only
// ever went to the OAuth server.
func (f *fixture) checkSecrets(t *testing.T) {
	logs := f.logs.String()
	for _, r := range f.sim.Requests() {
		if r.Token != "" && strings.Contains(logs, r.Token) {
			t.Errorf("an access token is in the logs")
		}
		if r.Server != "oauth" && (strings.Contains(r.Body, f.sim.ClientSecret()) || strings.Contains(r.Query.Encode(), f.sim.ClientSecret())) {
			t.Errorf("the client secret went to %s %s", r.Host, r.Path)
		}
		if r.Server == "rest" && r.Query.Get("auth") != "" && !strings.HasSuffix(r.Path, "/upload.json") {
			t.Errorf("token in the URL of %s", r.Path)
		}
		if r.Server == "oauth" {
			if rt := r.Query.Get("refresh_token"); rt != "" && strings.Contains(logs, rt) {
				t.Errorf("a refresh token is in the logs")
			}
		}
	}
	if strings.Contains(logs, f.sim.ClientSecret()) {
		t.Errorf("the client secret is in the logs")
	}
}

func TestCallEnvelopeIDsAndHeaders(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{})
	ctx := context.Background()
	p := f.portal(t)

	users, err := f.client.Users(ctx, p, map[string]any{"ACTIVE": true})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 5 || users[1].ID != 1269 || users[1].PhoneInner != "101" || !bool(users[1].Active) {
		t.Fatalf("users: %+v", users)
	}
	add, err := f.client.AddLine(ctx, p, bitrix24.Line{Number: "4930123456", Name: "Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	upd, err := f.client.UpdateLine(ctx, p, bitrix24.Line{Number: "4930123456", Name: "Berlin office"})
	if err != nil || upd != add || add == 0 {
		t.Fatalf("add %d, update %d (string id), %v", add, upd, err)
	}
	for _, r := range f.sim.RESTCalls("") {
		if got := r.Header.Get("User-Agent"); got != "callbackline/"+callbackline.Version {
			t.Errorf("User-Agent %q", got)
		}
		if r.Header.Get("Content-Type") != "application/json" || r.HTTPMethod != "POST" || !strings.HasSuffix(r.Path, ".json") {
			t.Errorf("request %s %s %s", r.HTTPMethod, r.Path, r.Header.Get("Content-Type"))
		}
		if r.Token != p.AccessToken {
			t.Errorf("token not sent in the body")
		}
	}
	var raw map[string]any
	err = f.client.Call(ctx, p, "no.such.method", nil, &raw)
	var ae *bitrix24.APIError
	if !errors.As(err, &ae) || ae.Code != "ERROR_METHOD_NOT_FOUND" || ae.HTTPStatus != 404 || !errors.Is(err, bitrix24.ErrMethodNotFound) {
		t.Fatalf("unknown method: %v", err)
	}
}

// concurrently makes n calls at once and fails t if any returned an
// error.
func concurrently(t *testing.T, n int, call func() error) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- call()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestExpiryMidBurst: the access token expires under 20 concurrent calls;
// exactly one refresh happens, the new pair is stored before it is used,
// and every call succeeds.
func TestExpiryMidBurst(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{})
	ctx := context.Background()
	p := f.portal(t)
	old := p.AccessToken
	f.sim.Advance(61 * time.Minute)
	concurrently(t, 20, func() error {
		_, err := f.client.TimemanStatus(ctx, p, 1269)
		return err
	})
	if n := f.sim.Refreshes(); n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
	saves := f.store.savesOf()
	if len(saves) != 1 {
		t.Fatalf("%d saves, want 1", len(saves))
	}
	fresh := saves[0].t.AccessToken
	if fresh == old || f.store.get(p.MemberID).RefreshToken == p.RefreshToken {
		t.Fatal("the store has not the new pair")
	}
	for _, r := range f.sim.RESTCalls("timeman.status") {
		if r.Token == fresh && r.Time.Before(saves[0].at) {
			t.Fatal("the new token was used before it was stored")
		}
		if r.Token == old && r.Status == 200 {
			t.Fatal("the old token worked after expiry")
		}
	}
	// The worker still holds the old portal row: the client keeps using the
	// new pair without another refresh.
	if _, err := f.client.TimemanStatus(ctx, p, 1); err != nil || f.sim.Refreshes() != 1 {
		t.Fatalf("after the refresh: %v, %d refreshes", err, f.sim.Refreshes())
	}
}

// A failing store: the new pair is not used until it is stored.
func TestRefreshStoreFailure(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{})
	ctx := context.Background()
	p := f.portal(t)
	f.sim.Advance(2 * time.Hour)
	f.store.mu.Lock()
	f.store.fail = errors.New("disk full")
	f.store.mu.Unlock()
	if _, err := f.client.TimemanStatus(ctx, p, 1); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err %v", err)
	}
	n := len(f.sim.RESTCalls("timeman.status"))
	if _, err := f.client.TimemanStatus(ctx, p, 1); err == nil {
		t.Fatal("unsaved tokens used")
	}
	if got := len(f.sim.RESTCalls("timeman.status")); got != n {
		t.Fatalf("a call went out with unsaved tokens")
	}
	f.store.mu.Lock()
	f.store.fail = nil
	f.store.mu.Unlock()
	if _, err := f.client.TimemanStatus(ctx, p, 1); err != nil {
		t.Fatal(err)
	}
	if f.sim.Refreshes() != 1 || f.store.get(p.MemberID).AccessToken == p.AccessToken {
		t.Fatal("the pair was not stored")
	}
}

func TestInvalidGrantFlagsPortal(t *testing.T) {
	for _, c := range []struct {
		name   string
		break_ func(*bitrix24test.Portal)
		code   string
	}{
		{"invalid_grant", func(s *bitrix24test.Portal) { s.RevokeTokens() }, "invalid_grant"},
		{"PAYMENT_REQUIRED", func(s *bitrix24test.Portal) { s.SetPaymentRequired(true); s.Advance(2 * time.Hour) }, "PAYMENT_REQUIRED"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, bitrix24test.Options{})
			ctx := context.Background()
			p := f.portal(t)
			c.break_(f.sim)
			_, err := f.client.TimemanStatus(ctx, p, 1)
			if !bitrix24.NeedsReinstall(err) || callbackline.ErrorCode(err) != callbackline.EREINSTALL {
				t.Fatalf("err %v", err)
			}
			stored := f.store.get(p.MemberID)
			if stored.Status != callbackline.PortalReinstall || !strings.Contains(stored.StatusReason, c.code) {
				t.Fatalf("portal %s %q", stored.Status, stored.StatusReason)
			}
			if f.client.Stats().Reinstalls != 1 {
				t.Errorf("stats %+v", f.client.Stats())
			}
			// Fail fast: no request at all, with the old row or the flagged one.
			n := len(f.sim.Requests())
			for _, pp := range []*callbackline.Portal{p, stored} {
				if _, err := f.client.TimemanStatus(ctx, pp, 1); !bitrix24.NeedsReinstall(err) {
					t.Fatalf("err %v", err)
				}
			}
			if len(f.sim.Requests()) != n {
				t.Fatal("a flagged portal still sends requests")
			}
			// A new installation brings new tokens: calls work again.
			f.sim.SetPaymentRequired(false)
			np := portalFromInstall(f.sim.InstallEvent())
			f.store.put(np)
			if _, err := f.client.TimemanStatus(ctx, f.portal(t), 1); err != nil {
				t.Fatalf("after reinstall: %v", err)
			}
		})
	}
}

// TestRateLimitStorm: the portal's bucket is nearly full (another
// application shares it); 30 concurrent calls all succeed in the end.
func TestRateLimitStorm(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{})
	ctx := context.Background()
	p := f.portal(t)
	f.client.MaxBackoff = 2 * time.Second
	f.client.MaxRetries = 20 // a loaded CI machine must not turn slowness into failure
	f.sim.ConsumeLimit(45)
	concurrently(t, 30, func() error {
		_, err := f.client.IMUser(ctx, p, 1269)
		return err
	})
	limited := 0
	for _, r := range f.sim.RESTCalls("im.user.get") {
		if r.Error == "QUERY_LIMIT_EXCEEDED" {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("no QUERY_LIMIT_EXCEEDED seen: the test did not storm")
	}
	if f.client.Stats().LimitRetries == 0 {
		t.Error("no limit retries counted")
	}
	t.Logf("%d requests refused, all 30 calls succeeded", limited)
}

// TestLimiterSustained: the client's own bucket keeps requests under the
// drain rate after the burst (here 2/s after 5).
func TestLimiterSustained(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{Drain: -1})
	ctx := context.Background()
	p := f.portal(t)
	f.client.Limits = bitrix24.Limits{Rate: 2, Burst: 5}
	var wg sync.WaitGroup
	for i := 0; i < 15; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := f.client.IMUser(ctx, p, 1); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	var at []time.Time
	for _, r := range f.sim.RESTCalls("im.user.get") {
		at = append(at, r.Time)
	}
	if len(at) != 15 {
		t.Fatalf("%d requests", len(at))
	}
	// The times are taken when the simulator receives a request, not when
	// the client sends it: on a busy machine a request may arrive late and
	// bring two arrivals closer together. A second of such delay is allowed;
	// a client without its bucket sends all 15 at once.
	const late = time.Second
	for i := range at {
		for j := i + 1; j < len(at); j++ {
			allowed := 5 + 2*(at[j].Sub(at[i])+late).Seconds()
			if float64(j-i+1) > allowed {
				t.Fatalf("requests %d..%d: %d in %s: over 2/s with a burst of 5", i, j, j-i+1, at[j].Sub(at[i]))
			}
		}
	}
	if d := at[14].Sub(at[0]); d < 5*time.Second-late {
		t.Fatalf("15 requests in %s; 2/s after a burst of 5 needs 5 s", d)
	}
}

func TestDomainChange(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{})
	ctx := context.Background()
	p := f.portal(t)
	oldHost := f.sim.Host()
	newEndpoint := f.sim.ChangeDomain()
	if _, err := f.client.AddLine(ctx, p, bitrix24.Line{Number: "100", Name: "main"}); err != nil {
		t.Fatal(err)
	}
	if got := f.sim.Lines(); len(got) != 1 || got[0].Name != "main" {
		t.Fatalf("the POST was not repeated at the new address: %+v", got)
	}
	stored := f.store.get(p.MemberID)
	if stored.ClientEndpoint != newEndpoint || stored.Domain == oldHost || stored.Domain != f.sim.Host() {
		t.Fatalf("stored %s %s, want %s", stored.ClientEndpoint, stored.Domain, newEndpoint)
	}
	calls := f.sim.RESTCalls("telephony.externalline.add")
	if len(calls) != 1 || calls[0].HTTPMethod != "POST" || calls[0].Host != f.sim.Host() {
		t.Fatalf("calls %+v", calls)
	}
	// The next call goes straight to the new address.
	f.sim.ResetRequests()
	if _, err := f.client.Lines(ctx, p); err != nil {
		t.Fatal(err)
	}
	for _, r := range f.sim.Requests() {
		if r.Status == 302 {
			t.Fatal("the old address is still used")
		}
	}
}

func TestReplaySafety(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{})
	ctx := context.Background()
	p := f.portal(t)
	reg, err := f.client.RegisterCall(ctx, p, bitrix24.RegisterCall{UserID: 1269, PhoneNumber: "+494951234567", Type: bitrix24.CallCallback, ExternalCallID: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	// finish runs, then the portal answers 500: not replayed.
	f.sim.InjectFault("telephony.externalCall.finish", bitrix24test.Fault{Status: 500, Code: "INTERNAL_SERVER_ERROR", AfterRun: true, Times: 1})
	_, err = f.client.FinishCall(ctx, p, bitrix24.FinishCall{CallID: reg.CallID, UserID: 1269, Duration: 10})
	var ae *bitrix24.APIError
	if !errors.As(err, &ae) || ae.HTTPStatus != 500 {
		t.Fatalf("err %v", err)
	}
	if n := len(f.sim.RESTCalls("telephony.externalcall.finish")); n != 1 {
		t.Fatalf("finish sent %d times", n)
	}
	if c, _ := f.sim.CallByID(reg.CallID); !c.Finished {
		t.Fatal("finish did not run")
	}
	// A dropped connection: not replayed either.
	reg2, _ := f.client.RegisterCall(ctx, p, bitrix24.RegisterCall{UserID: 1269, PhoneNumber: "+494951234567", Type: bitrix24.CallCallback, ExternalCallID: "a2"})
	f.sim.InjectFault("telephony.externalCall.finish", bitrix24test.Fault{Drop: true, Times: 1})
	if _, err := f.client.FinishCall(ctx, p, bitrix24.FinishCall{CallID: reg2.CallID, UserID: 1269}); err == nil {
		t.Fatal("dropped finish succeeded")
	}
	if n := len(f.sim.RESTCalls("telephony.externalcall.finish")); n != 2 {
		t.Fatalf("finish sent %d times", n)
	}
	// Lookups are replayed after 5xx and dropped connections.
	f.sim.InjectFault("user.get", bitrix24test.Fault{Status: 500, Times: 1})
	f.sim.InjectFault("user.get", bitrix24test.Fault{Drop: true, Times: 1})
	if _, err := f.client.User(ctx, p, 1269); err != nil {
		t.Fatal(err)
	}
	if n := len(f.sim.RESTCalls("user.get")); n != 3 {
		t.Fatalf("user.get sent %d times, want 3", n)
	}
	// QUERY_LIMIT_EXCEEDED is retried even for finish: the call did not run.
	f.sim.InjectFault("telephony.externalCall.finish", bitrix24test.Fault{Status: 503, Code: "QUERY_LIMIT_EXCEEDED", Times: 1})
	if _, err := f.client.FinishCall(ctx, p, bitrix24.FinishCall{CallID: reg2.CallID, UserID: 1269}); err != nil {
		t.Fatal(err)
	}
}

func TestOperationTimeLimit(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{})
	ctx := context.Background()
	p := f.portal(t)
	reset := time.Now().Add(2 * time.Second) // operating_reset_at has whole seconds
	f.sim.InjectFault("crm.item.get", bitrix24test.Fault{Status: 429, Code: "OPERATION_TIME_LIMIT", Description: "Method is blocked due to operation time limit.", ResetAt: reset, Times: 1})
	start := time.Now()
	item, err := f.client.CRMItem(ctx, p, bitrix24.EntityContact, 797)
	if err != nil {
		t.Fatal(err)
	}
	if item.AssignedByID != 1269 || time.Since(start) < 900*time.Millisecond {
		t.Fatalf("item %+v after %s", item, time.Since(start))
	}
	// With a deadline before the reset, the error comes at once.
	f.sim.InjectFault("crm.item.get", bitrix24test.Fault{Status: 429, Code: "OPERATION_TIME_LIMIT", ResetAt: time.Now().Add(time.Hour), Times: 1})
	dctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := f.client.CRMItem(dctx, p, bitrix24.EntityContact, 797); !errors.Is(err, bitrix24.ErrOperationLimit) {
		t.Fatalf("err %v", err)
	}
}

func TestTimeout(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{})
	p := f.portal(t)
	f.client.Timeout = 100 * time.Millisecond
	// The portal would answer after a minute: only the client's timeout
	// ends the call well before.
	f.sim.InjectFault("im.notify.system.add", bitrix24test.Fault{Delay: time.Minute, Times: 1})
	start := time.Now()
	_, err := f.client.NotifySystem(context.Background(), p, bitrix24.Notify{UserID: 1, Message: "x"})
	if err == nil || time.Since(start) > 30*time.Second {
		t.Fatalf("err %v after %s", err, time.Since(start))
	}
}

func TestErrorMatching(t *testing.T) {
	cases := []struct {
		e    bitrix24.APIError
		want error
	}{
		{bitrix24.APIError{Code: "", Description: "Call is not found (call should be registered prior to finishing"}, bitrix24.ErrCallNotFound},
		{bitrix24.APIError{Code: "ERROR_CORE", Description: "Call is not found (call should be registered prior to finishing)"}, bitrix24.ErrCallNotFound},
		{bitrix24.APIError{Code: "ERROR_CORE", Description: "Unable to set event handler: Handler already binded"}, bitrix24.ErrAlreadyBound},
		{bitrix24.APIError{Code: "", Description: "User not found"}, bitrix24.ErrUserNotFound},
		{bitrix24.APIError{Code: "ERROR_CORE", Description: "Call is not found in the statistic table. Looks like it is not finished yet."}, bitrix24.ErrCallNotFinished},
		{bitrix24.APIError{Code: "expired_token"}, bitrix24.ErrExpiredToken},
		{bitrix24.APIError{Code: "QUERY_LIMIT_EXCEEDED"}, bitrix24.ErrQueryLimit},
		{bitrix24.APIError{Code: "NOT_FOUND", Description: "Element not found"}, bitrix24.ErrNotFound},
	}
	for _, c := range cases {
		if !errors.Is(&c.e, c.want) {
			t.Errorf("%v is not %v", &c.e, c.want)
		}
	}
	// A description does not override a specific code.
	if errors.Is(&bitrix24.APIError{Code: "ACCESS_DENIED", Description: "Handler already binded"}, bitrix24.ErrAlreadyBound) {
		t.Error("matched on the description of a coded error")
	}
}

func TestIDDecoding(t *testing.T) {
	for in, want := range map[string]int64{`797`: 797, `"797"`: 797, `797.0`: 797, `null`: 0, `""`: 0, `false`: 0, `{}`: 0, `[]`: 0, `" 12 "`: 12} {
		var id bitrix24.ID
		if err := id.UnmarshalJSON([]byte(in)); err != nil || int64(id) != want {
			t.Errorf("%s → %d, %v", in, id, err)
		}
	}
	var id bitrix24.ID
	if err := id.UnmarshalJSON([]byte(`"abc"`)); err == nil {
		t.Error("abc accepted")
	}
}

func (s *memStore) Portal(ctx context.Context, id string) (*callbackline.Portal, error) {
	if p := s.get(id); p != nil {
		return p, nil
	}
	return nil, callbackline.Errorf(callbackline.ENOTFOUND, "no portal %s", id)
}

// TestTwoInstances: another instance refreshed the pair; this one's refresh
// token is then refused, and it takes the stored pair instead of flagging
// the portal.
func TestTwoInstances(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{})
	ctx := context.Background()
	p := f.portal(t)
	other := bitrix24.NewClient(f.client.OAuth, f.store)
	if _, err := f.client.TimemanStatus(ctx, p, 1); err != nil {
		t.Fatal(err)
	}
	f.sim.Advance(2 * time.Hour)
	if _, err := other.TimemanStatus(ctx, p, 1); err != nil {
		t.Fatal(err)
	}
	// f.client still holds the first pair.
	if _, err := f.client.TimemanStatus(ctx, p, 1); err != nil {
		t.Fatalf("second instance: %v", err)
	}
	if st := f.store.get(p.MemberID).Status; st != callbackline.PortalInstalled {
		t.Fatalf("flagged: %s", st)
	}
}
