package callback_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/store/sqlite"
)

// The simulated portal's seeds: lead 5785 belongs to Max Müller (user
// 1269, extension 101); Anna Admin is user 1 on extension 100.
const (
	maxID, maxExt   = int64(1269), "101"
	annaID, annaExt = int64(1), "100"
	clientRaw       = "+49 495 1234567"
	clientE164      = "+494951234567"
	lineNumber      = "callbackline"
)

// clock is a controllable clock shared by the worker and the portal.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a worker over a real SQLite store, the simulated portal, a real
// SIP dialer and Go fake phones.
type env struct {
	t      *testing.T
	clock  *clock
	portal *bitrix24test.Portal
	store  *sqlite.Store
	phones *siptest.Phone
	worker *callback.Worker
	cfg    callback.Config // the worker's configuration
	crm    *bitrix24.Client
	dialer *sip.Dialer
	member *callbackline.Portal
	dir    string
}

// quick is a policy with short ring timeouts and no announcement.
func quick() callbackline.Policy {
	p := callbackline.DefaultPolicy()
	p.EmployeeRingTimeout, p.ClientRingTimeout = 1500*time.Millisecond, 1500*time.Millisecond
	p.Announce = false
	return p
}

func logger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.DiscardHandler)
}

// newEnv starts everything around a worker with one line. The dialer's
// trunk points at the Go fake phones unless trunk is given.
func newEnv(t *testing.T, line callbackline.Line, speaker callback.Speaker, trunk ...sip.Trunk) *env {
	t.Helper()
	return newEnvTrunks(t, line, speaker, func(*env) []sip.Trunk { return trunk })
}

// newEnvTrunks is newEnv with the dialer's trunks made by trunks once the
// phones and the portal exist (nil: one trunk to the phones).
func newEnvTrunks(t *testing.T, line callbackline.Line, speaker callback.Speaker, trunks func(*env) []sip.Trunk) *env {
	t.Helper()
	ctx := context.Background()
	clk := &clock{t: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)} // a Wednesday
	e := &env{t: t, clock: clk, dir: t.TempDir()}
	// The scopes callbackline asks for (call: the Bitrix24 dialer).
	e.portal = bitrix24test.New(bitrix24test.Options{Now: clk.Now, Scope: "telephony,call,crm,user_basic,im,timeman"})
	t.Cleanup(e.portal.Close)
	st, err := sqlite.Open(ctx, "sqlite:"+filepath.Join(e.dir, "cb.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e.store = st
	e.portal.FinishInstall()
	tok := e.portal.IssueTokens(1)
	e.member = &callbackline.Portal{
		MemberID: e.portal.MemberID(), Domain: e.portal.Host(), ClientEndpoint: e.portal.RESTEndpoint(),
		AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, ExpiresAt: tok.ExpiresAt,
		ApplicationToken: e.portal.ApplicationToken(), UserID: 1, Language: "de",
		Status: callbackline.PortalInstalled, InstalledAt: clk.Now(), UpdatedAt: clk.Now(),
	}
	if err := st.SavePortal(ctx, e.member); err != nil {
		t.Fatal(err)
	}
	e.phones = siptest.StartPhone(t)
	trunk := trunks(e)
	if len(trunk) == 0 {
		trunk = []sip.Trunk{{Name: "pbx", Employee: "sip:{extension}@" + e.phones.Addr(), Client: "sip:{number}@" + e.phones.Addr()}}
	}
	d, err := sip.New(ctx, sip.Config{Listen: "127.0.0.1:0", RTPPorts: sip.PortRange{Min: 45000, Max: 49999}, Trunks: trunk}, logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	e.dialer = d
	crm := bitrix24.NewClient(e.portal.OAuth(), st)
	crm.Logger = logger(t)
	e.crm = crm
	if line.Number == "" {
		line.Number = lineNumber
	}
	e.cfg = callback.Config{Store: st, CRM: crm, Dialer: d, Speech: speaker, Lines: []callbackline.Line{line},
		Guard: phone.DefaultPolicy(), RecordDir: filepath.Join(e.dir, "rec"), Now: clk.Now, Logger: logger(t)}
	e.worker = e.workerWith(nil)
	return e
}

// workerWith is another worker on the env's parts, its configuration
// changed by change (when not nil).
func (e *env) workerWith(change func(*callback.Config)) *callback.Worker {
	e.t.Helper()
	cfg := e.cfg
	if change != nil {
		change(&cfg)
	}
	w, err := callback.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return w
}

// request stores a callback request as the intake does and returns its id.
func (e *env) request(raw, entityType string, entityID int64) int64 {
	e.t.Helper()
	return e.requestText(raw, "Bitte zurückrufen", entityType, entityID)
}

// requestText is request with the visitor's TEXT.
func (e *env) requestText(raw, text, entityType string, entityID int64) int64 {
	e.t.Helper()
	e164, err := phone.Normalize(raw, "DE")
	if err != nil {
		e.t.Fatal(err)
	}
	now := e.clock.Now()
	res, err := e.store.Intake(context.Background(), callbackline.IntakeRequest{Callback: &callbackline.Callback{
		MemberID: e.member.MemberID, Kind: callbackline.KindCallback, Phone: e164, PhoneRaw: raw,
		Text: text, Voice: "eurgermanfemale", CRMEntityType: entityType, CRMEntityID: entityID,
		LineNumber: lineNumber, State: callbackline.StateReceived, EventAt: now, CreatedAt: now, UpdatedAt: now,
	}})
	if err != nil || !res.Queued {
		e.t.Fatalf("intake: %+v %v", res, err)
	}
	return res.Callback.ID
}

// run runs the worker once on the callback.
func (e *env) run(id int64) time.Duration {
	e.t.Helper()
	after, err := e.worker.Run(context.Background(), id)
	if err != nil {
		e.t.Fatalf("run: %v", err)
	}
	return after
}

// callback reads the stored callback.
func (e *env) callback(id int64) *callbackline.Callback {
	e.t.Helper()
	cb, err := e.store.Callback(context.Background(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	return cb
}

// finishes counts telephony.externalCall.finish requests for a CALL_ID.
func (e *env) finishes(callID string) int {
	n := 0
	for _, r := range e.portal.RESTCalls("telephony.externalCall.finish") {
		if r.Params["CALL_ID"] == callID {
			n++
		}
	}
	return n
}

// checkCRM asserts that every registered call was finished exactly once
// and returns the calls.
func (e *env) checkCRM() []bitrix24test.Call {
	e.t.Helper()
	calls := e.portal.Calls()
	for _, c := range calls {
		if !c.Finished {
			e.t.Errorf("call %s is still open in Bitrix24", c.CallID)
		}
		if n := e.finishes(c.CallID); n != 1 {
			e.t.Errorf("call %s was finished %d times", c.CallID, n)
		}
	}
	return calls
}

// registerOutgoing is the register Bitrix24 makes itself when an employee
// clicks a number (click-to-call).
func registerOutgoing(user int64, number string) bitrix24.RegisterCall {
	return bitrix24.RegisterCall{UserID: user, PhoneNumber: number, Type: bitrix24.CallOutgoing, Show: true}
}
