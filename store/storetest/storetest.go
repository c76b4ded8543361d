// Package storetest is the conformance suite of callbackline stores: every
// backend (store/sqlite, store/postgres) runs the same tests through Run.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/callbackline/callbackline"
)

// Backend is a store under test: the domain's Store plus the queue count
// the suite uses to prove "exactly one job".
type Backend interface {
	callbackline.Store
	callbackline.ClusterStore
	callbackline.RecordingStore
	// CountJobs counts queue jobs of the kind, in any state.
	CountJobs(ctx context.Context, kind string) (int, error)
}

// Run runs the suite. open returns a fresh, empty store for one test and
// registers its own cleanup (t.Cleanup) that closes it.
func Run(t *testing.T, open func(t *testing.T) Backend) {
	t.Run("Portal", func(t *testing.T) {
		t.Run("SaveAndGet", func(t *testing.T) { testPortalSaveAndGet(t, open(t)) })
		t.Run("ReinstallKeepsInstalledAt", func(t *testing.T) { testPortalReinstall(t, open(t)) })
		t.Run("SaveTokens", func(t *testing.T) { testPortalSaveTokens(t, open(t)) })
		t.Run("Status", func(t *testing.T) { testPortalStatus(t, open(t)) })
		t.Run("NotFound", func(t *testing.T) { testPortalNotFound(t, open(t)) })
		t.Run("List", func(t *testing.T) { testPortalList(t, open(t)) })
		t.Run("DeleteCascades", func(t *testing.T) { testPortalDelete(t, open(t)) })
	})
	t.Run("Intake", func(t *testing.T) {
		t.Run("New", func(t *testing.T) { testIntakeNew(t, open(t)) })
		t.Run("Invalid", func(t *testing.T) { testIntakeInvalid(t, open(t)) })
		t.Run("UnknownPortal", func(t *testing.T) { testIntakeUnknownPortal(t, open(t)) })
		t.Run("DuplicateInWindow", func(t *testing.T) { testIntakeDuplicate(t, open(t)) })
		t.Run("OutsideWindow", func(t *testing.T) { testIntakeOutsideWindow(t, open(t)) })
		t.Run("DedupKey", func(t *testing.T) { testIntakeDedupKey(t, open(t)) })
		t.Run("Rejected", func(t *testing.T) { testIntakeRejected(t, open(t)) })
		t.Run("NumberLimit", func(t *testing.T) { testIntakeNumberLimit(t, open(t)) })
		t.Run("PortalLimit", func(t *testing.T) { testIntakePortalLimit(t, open(t)) })
		t.Run("ConcurrentSame", func(t *testing.T) { testIntakeConcurrentSame(t, open(t)) })
		t.Run("ConcurrentDistinct", func(t *testing.T) { testIntakeConcurrentDistinct(t, open(t)) })
		t.Run("ConcurrentPortalLimit", func(t *testing.T) { testIntakeConcurrentLimit(t, open(t)) })
		t.Run("ConcurrentMixedErrors", func(t *testing.T) { testIntakeConcurrentMixed(t, open(t)) })
		t.Run("CanceledContext", func(t *testing.T) { testIntakeCanceled(t, open(t)) })
		t.Run("OddText", func(t *testing.T) { testIntakeOddText(t, open(t)) })
	})
	t.Run("Callbacks", func(t *testing.T) {
		t.Run("NotFound", func(t *testing.T) { testCallbackNotFound(t, open(t)) })
		t.Run("ListPageCount", func(t *testing.T) { testCallbacksList(t, open(t)) })
		t.Run("DefaultLimit", func(t *testing.T) { testCallbacksDefaultLimit(t, open(t)) })
	})
	t.Run("Work", func(t *testing.T) { runWork(t, open) })
	t.Run("Settings", func(t *testing.T) { runSettings(t, open) })
	t.Run("Limits", func(t *testing.T) { runLimits(t, open) })
	t.Run("Trunks", func(t *testing.T) { runTrunksClear(t, open) })
	t.Run("Cluster", func(t *testing.T) { runCluster(t, open) })
	t.Run("Stats", func(t *testing.T) { runStats(t, open) })
	t.Run("Placed", func(t *testing.T) { runPlaced(t, open) })
	t.Run("Control", func(t *testing.T) { runControl(t, open) })
	t.Run("Audit", func(t *testing.T) { runAudit(t, open) })
	t.Run("Notices", func(t *testing.T) { runNotices(t, open) })
}

// ---- helpers ----

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := callbackline.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// sameTime compares times as stored: microsecond precision, any zone.
func sameTime(a, b time.Time) bool {
	return a.Truncate(time.Microsecond).Equal(b.Truncate(time.Microsecond))
}

func portal(member string) *callbackline.Portal {
	return &callbackline.Portal{
		MemberID:         member,
		Domain:           member + ".bitrix24.test",
		ClientEndpoint:   "https://" + member + ".bitrix24.test/rest/",
		AccessToken:      "access-" + member,
		RefreshToken:     "refresh-" + member,
		ExpiresAt:        time.Date(2030, 1, 2, 3, 4, 5, 123456000, time.UTC),
		ApplicationToken: "apptoken-" + member,
		UserID:           7,
		Scope:            "crm,telephony",
		AppStatus:        "L",
		Language:         "de",
		Status:           callbackline.PortalInstalled,
		StatusReason:     "verified",
	}
}

func savePortals(t *testing.T, s Backend, members ...string) {
	t.Helper()
	for _, m := range members {
		must(t, s.SavePortal(ctxT(t), portal(m)))
	}
}

func request(member, phone string) callbackline.IntakeRequest {
	return callbackline.IntakeRequest{
		Callback: &callbackline.Callback{
			MemberID:      member,
			Kind:          callbackline.KindCallback,
			Phone:         phone,
			PhoneRaw:      "8 " + strings.TrimPrefix(phone, "+"),
			Text:          "Please call back about order 42",
			Voice:         "ruinternalfemale",
			CRMEntityType: "LEAD",
			CRMEntityID:   101,
			LineNumber:    "line1",
			State:         callbackline.StateReceived,
			EventAt:       time.Now().Add(-time.Second),
			CreatedAt:     time.Now(),
		},
		DedupWindow: 10 * time.Minute,
	}
}

func intake(t *testing.T, s Backend, req callbackline.IntakeRequest) callbackline.IntakeResult {
	t.Helper()
	res, err := s.Intake(ctxT(t), req)
	if err != nil {
		t.Fatalf("Intake: %v", err)
	}
	if res.Callback == nil {
		t.Fatal("Intake returned no callback")
	}
	return res
}

func jobs(t *testing.T, s Backend) int {
	t.Helper()
	n, err := s.CountJobs(ctxT(t), callbackline.CallbackJob{}.Kind())
	must(t, err)
	return n
}

func wantJobs(t *testing.T, s Backend, want int) {
	t.Helper()
	if n := jobs(t, s); n != want {
		t.Fatalf("jobs = %d, want %d", n, want)
	}
}

func comparePortal(t *testing.T, got, want *callbackline.Portal) {
	t.Helper()
	g, w := *got, *want
	if !sameTime(g.ExpiresAt, w.ExpiresAt) || !sameTime(g.InstalledAt, w.InstalledAt) {
		t.Errorf("portal times: got expires %v installed %v, want %v %v", g.ExpiresAt, g.InstalledAt, w.ExpiresAt, w.InstalledAt)
	}
	g.ExpiresAt, w.ExpiresAt, g.InstalledAt, w.InstalledAt, g.UpdatedAt, w.UpdatedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if g != w {
		t.Errorf("portal:\n got %+v\nwant %+v", g, w)
	}
}

func compareCallback(t *testing.T, got, want *callbackline.Callback) {
	t.Helper()
	g, w := *got, *want
	for _, p := range [][2]time.Time{{g.EventAt, w.EventAt}, {g.CreatedAt, w.CreatedAt}, {g.LastDuplicateAt, w.LastDuplicateAt}} {
		if !sameTime(p[0], p[1]) {
			t.Errorf("callback time: got %v, want %v", p[0], p[1])
		}
	}
	g.EventAt, w.EventAt, g.CreatedAt, w.CreatedAt, g.LastDuplicateAt, w.LastDuplicateAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}, time.Time{}
	g.UpdatedAt, w.UpdatedAt = time.Time{}, time.Time{}
	if g != w {
		t.Errorf("callback:\n got %+v\nwant %+v", g, w)
	}
}

// ---- portals ----

func testPortalSaveAndGet(t *testing.T, s Backend) {
	ctx := ctxT(t)
	p := portal("m1")
	before := time.Now().Add(-time.Second)
	must(t, s.SavePortal(ctx, p))
	got, err := s.Portal(ctx, "m1")
	must(t, err)
	want := portal("m1")
	want.InstalledAt = got.InstalledAt
	comparePortal(t, got, want)
	if got.InstalledAt.Before(before) || got.UpdatedAt.Before(before) {
		t.Errorf("InstalledAt %v / UpdatedAt %v: want about now", got.InstalledAt, got.UpdatedAt)
	}
	must(t, s.Ping(ctx))
}

func testPortalReinstall(t *testing.T, s Backend) {
	ctx := ctxT(t)
	first := portal("m1")
	first.InstalledAt = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	must(t, s.SavePortal(ctx, first))

	again := portal("m1")
	again.InstalledAt = time.Now() // a re-install must not move it
	again.AccessToken, again.RefreshToken, again.ApplicationToken = "a2", "r2", "t2"
	again.Domain = "renamed.bitrix24.test"
	again.Status, again.StatusReason = callbackline.PortalInstalled, "reinstalled"
	must(t, s.SavePortal(ctx, again))

	got, err := s.Portal(ctx, "m1")
	must(t, err)
	want := portal("m1")
	want.InstalledAt = first.InstalledAt
	want.AccessToken, want.RefreshToken, want.ApplicationToken = "a2", "r2", "t2"
	want.Domain, want.StatusReason = "renamed.bitrix24.test", "reinstalled"
	comparePortal(t, got, want)
	if !sameTime(got.InstalledAt, first.InstalledAt) {
		t.Errorf("InstalledAt = %v, want the first installation's %v", got.InstalledAt, first.InstalledAt)
	}
	list, err := s.Portals(ctx)
	must(t, err)
	if len(list) != 1 {
		t.Errorf("Portals: %d portals, want 1", len(list))
	}
}

func testPortalSaveTokens(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	exp := time.Now().Add(time.Hour).UTC()
	tok := callbackline.Tokens{AccessToken: "new-access", RefreshToken: "new-refresh", ExpiresAt: exp,
		ClientEndpoint: "https://moved.bitrix24.test/rest/", Domain: "moved.bitrix24.test"}
	must(t, s.SaveTokens(ctx, "m1", tok))
	got, err := s.Portal(ctx, "m1")
	must(t, err)
	want := portal("m1")
	want.AccessToken, want.RefreshToken, want.ExpiresAt = "new-access", "new-refresh", exp
	want.ClientEndpoint, want.Domain = tok.ClientEndpoint, tok.Domain
	want.InstalledAt = got.InstalledAt
	comparePortal(t, got, want)
}

func testPortalStatus(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	must(t, s.SetPortalStatus(ctx, "m1", callbackline.PortalReinstall, "invalid_grant"))
	got, err := s.Portal(ctx, "m1")
	must(t, err)
	if got.Status != callbackline.PortalReinstall || got.StatusReason != "invalid_grant" {
		t.Errorf("status = %q (%q), want reinstall_required (invalid_grant)", got.Status, got.StatusReason)
	}
	must(t, s.SetPortalStatus(ctx, "m1", callbackline.PortalUninstalled, "ONAPPUNINSTALL"))
	got, err = s.Portal(ctx, "m1")
	must(t, err)
	if got.Status != callbackline.PortalUninstalled || got.StatusReason != "ONAPPUNINSTALL" {
		t.Errorf("status = %q (%q), want uninstalled", got.Status, got.StatusReason)
	}
	wantCode(t, s.SetPortalStatus(ctx, "m1", "bogus", ""), callbackline.EINVALID)
}

func testPortalNotFound(t *testing.T, s Backend) {
	ctx := ctxT(t)
	_, err := s.Portal(ctx, "nope")
	wantCode(t, err, callbackline.ENOTFOUND)
	wantCode(t, s.SaveTokens(ctx, "nope", callbackline.Tokens{AccessToken: "x"}), callbackline.ENOTFOUND)
	wantCode(t, s.SetPortalStatus(ctx, "nope", callbackline.PortalReinstall, "x"), callbackline.ENOTFOUND)
	must(t, s.DeletePortal(ctx, "nope"))
	wantCode(t, s.SavePortal(ctx, &callbackline.Portal{}), callbackline.EINVALID)
}

func testPortalList(t *testing.T, s Backend) {
	ctx := ctxT(t)
	list, err := s.Portals(ctx)
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("fresh store has %d portals", len(list))
	}
	savePortals(t, s, "c", "a", "b")
	list, err = s.Portals(ctx)
	must(t, err)
	var ids []string
	for _, p := range list {
		ids = append(ids, p.MemberID)
	}
	if strings.Join(ids, ",") != "a,b,c" {
		t.Errorf("Portals order = %v, want a,b,c", ids)
	}
}

func testPortalDelete(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "gone", "kept")
	a1 := intake(t, s, request("gone", "+4930111"))
	a2 := intake(t, s, request("gone", "+4930222"))
	b1 := intake(t, s, request("kept", "+4930111"))
	wantJobs(t, s, 3)

	must(t, s.DeletePortal(ctx, "gone"))
	_, err := s.Portal(ctx, "gone")
	wantCode(t, err, callbackline.ENOTFOUND)
	for _, id := range []int64{a1.Callback.ID, a2.Callback.ID} {
		_, err := s.Callback(ctx, id)
		wantCode(t, err, callbackline.ENOTFOUND)
	}
	if _, err := s.Callback(ctx, b1.Callback.ID); err != nil {
		t.Errorf("the other portal's callback: %v", err)
	}
	wantJobs(t, s, 1)
	list, err := s.Callbacks(ctx, callbackline.CallbackFilter{MemberID: "gone"})
	must(t, err)
	if len(list) != 0 {
		t.Errorf("%d callbacks left for the deleted portal", len(list))
	}
	// Installing again starts from scratch, with new ids.
	savePortals(t, s, "gone")
	c := intake(t, s, request("gone", "+4930111"))
	if c.Duplicate || c.Callback.ID <= b1.Callback.ID {
		t.Errorf("after re-install: duplicate=%v id=%d (previous max %d)", c.Duplicate, c.Callback.ID, b1.Callback.ID)
	}
}

// ---- intake ----

func testIntakeNew(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	req := request("m1", "+4930123456")
	req.Callback.CallID, req.Callback.UserID = "externalCall.abc", 5
	res := intake(t, s, req)
	if res.Duplicate || !res.Queued {
		t.Fatalf("new request: duplicate=%v queued=%v, want false true", res.Duplicate, res.Queued)
	}
	if res.Callback.ID <= 0 || res.Callback.State != callbackline.StateReceived {
		t.Fatalf("stored callback: id %d state %q", res.Callback.ID, res.Callback.State)
	}
	wantJobs(t, s, 1)
	got, err := s.Callback(ctx, res.Callback.ID)
	must(t, err)
	want := *req.Callback
	want.ID = res.Callback.ID
	compareCallback(t, got, &want)
	compareCallback(t, res.Callback, &want)
	if got.UpdatedAt.IsZero() {
		t.Error("UpdatedAt is zero")
	}
	// A second, different request gets a new id and its own job.
	res2 := intake(t, s, request("m1", "+4930999999"))
	if res2.Duplicate || !res2.Queued || res2.Callback.ID == res.Callback.ID {
		t.Fatalf("second request: %+v", res2)
	}
	wantJobs(t, s, 2)
}

func testIntakeInvalid(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	_, err := s.Intake(ctx, callbackline.IntakeRequest{})
	wantCode(t, err, callbackline.EINVALID)
	req := request("", "+4930123456")
	_, err = s.Intake(ctx, req)
	wantCode(t, err, callbackline.EINVALID)
	req = request("m1", "+4930123456")
	req.Callback.State = callbackline.StateDone
	_, err = s.Intake(ctx, req)
	wantCode(t, err, callbackline.EINVALID)
	wantJobs(t, s, 0)
}

func testIntakeUnknownPortal(t *testing.T, s Backend) {
	_, err := s.Intake(ctxT(t), request("nobody", "+4930123456"))
	wantCode(t, err, callbackline.ENOTFOUND)
	wantJobs(t, s, 0)
}

func testIntakeDuplicate(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	first := intake(t, s, request("m1", "+4930123456"))
	req := request("m1", "+4930123456")
	req.Callback.CreatedAt = first.Callback.CreatedAt.Add(2 * time.Minute)
	req.Callback.Text = "the repeat may differ in text"
	dup := intake(t, s, req)
	if !dup.Duplicate || dup.Queued {
		t.Fatalf("repeat: duplicate=%v queued=%v, want true false", dup.Duplicate, dup.Queued)
	}
	if dup.Callback.ID != first.Callback.ID || dup.Callback.Duplicates != 1 {
		t.Fatalf("repeat folded into id %d with duplicates %d, want id %d duplicates 1",
			dup.Callback.ID, dup.Callback.Duplicates, first.Callback.ID)
	}
	if !sameTime(dup.Callback.LastDuplicateAt, req.Callback.CreatedAt) {
		t.Errorf("LastDuplicateAt = %v, want %v", dup.Callback.LastDuplicateAt, req.Callback.CreatedAt)
	}
	if dup.Callback.Text != first.Callback.Text {
		t.Errorf("the duplicate changed the stored text to %q", dup.Callback.Text)
	}
	wantJobs(t, s, 1)
	got, err := s.Callback(ctx, first.Callback.ID)
	must(t, err)
	if got.Duplicates != 1 || !sameTime(got.LastDuplicateAt, req.Callback.CreatedAt) {
		t.Errorf("stored: duplicates %d last %v", got.Duplicates, got.LastDuplicateAt)
	}
	list, err := s.Callbacks(ctx, callbackline.CallbackFilter{})
	must(t, err)
	if len(list) != 1 {
		t.Errorf("%d callbacks stored, want 1", len(list))
	}
}

func testIntakeOutsideWindow(t *testing.T, s Backend) {
	savePortals(t, s, "m1")
	old := request("m1", "+4930123456")
	old.Callback.CreatedAt = time.Now().Add(-20 * time.Minute)
	first := intake(t, s, old)
	req := request("m1", "+4930123456") // window 10 minutes
	res := intake(t, s, req)
	if res.Duplicate || !res.Queued || res.Callback.ID == first.Callback.ID {
		t.Fatalf("outside the window: duplicate=%v queued=%v id=%d (first %d)", res.Duplicate, res.Queued, res.Callback.ID, first.Callback.ID)
	}
	wantJobs(t, s, 2)
	// No window: never a duplicate.
	req = request("m1", "+4930123456")
	req.DedupWindow = 0
	if res := intake(t, s, req); res.Duplicate {
		t.Fatal("DedupWindow 0 still de-duplicated")
	}
	wantJobs(t, s, 3)
}

func testIntakeDedupKey(t *testing.T, s Backend) {
	savePortals(t, s, "m1", "m2")
	base := intake(t, s, request("m1", "+4930123456"))
	variants := map[string]func(*callbackline.Callback){
		"other portal":      func(c *callbackline.Callback) { c.MemberID = "m2" },
		"other number":      func(c *callbackline.Callback) { c.Phone = "+4930654321" },
		"other entity id":   func(c *callbackline.Callback) { c.CRMEntityID = 102 },
		"other entity type": func(c *callbackline.Callback) { c.CRMEntityType = "CONTACT" },
	}
	for name, change := range variants {
		req := request("m1", "+4930123456")
		change(req.Callback)
		if res := intake(t, s, req); res.Duplicate || res.Callback.ID == base.Callback.ID {
			t.Errorf("%s: folded into the first request", name)
		}
	}
	// Without a parsed number, the raw number is the key.
	raw := func(r string) callbackline.IntakeRequest {
		req := request("m1", "")
		req.Callback.PhoneRaw = r
		return req
	}
	a := intake(t, s, raw("call me: 123"))
	if b := intake(t, s, raw("call me: 123")); !b.Duplicate || b.Callback.ID != a.Callback.ID {
		t.Errorf("same raw number: duplicate=%v", b.Duplicate)
	}
	if c := intake(t, s, raw("call me: 456")); c.Duplicate {
		t.Error("different raw number folded")
	}
	wantJobs(t, s, 1+len(variants)+2)
}

func testIntakeRejected(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	req := request("m1", "")
	req.Callback.PhoneRaw = "not a number"
	req.Callback.State = callbackline.StateRejected
	req.Callback.Reason = callbackline.ReasonInvalidNumber + ": not a number"
	res := intake(t, s, req)
	if res.Queued || res.Duplicate || res.Callback.State != callbackline.StateRejected {
		t.Fatalf("rejected request: %+v", res)
	}
	wantJobs(t, s, 0)
	got, err := s.Callback(ctx, res.Callback.ID)
	must(t, err)
	if got.State != callbackline.StateRejected || got.Reason != req.Callback.Reason {
		t.Errorf("stored %q %q", got.State, got.Reason)
	}
	// A repeat is folded into the rejected one, still without a job.
	if res2 := intake(t, s, req); !res2.Duplicate || res2.Queued {
		t.Errorf("repeat of a rejected request: %+v", res2)
	}
	wantJobs(t, s, 0)
}

func testIntakeNumberLimit(t *testing.T, s Backend) {
	savePortals(t, s, "m1", "m2")
	const limit = 3
	req := func(member string, entity int64, created time.Time) callbackline.IntakeRequest {
		r := request(member, "+4930123456")
		r.Callback.CRMEntityID = entity // distinct entities: no de-duplication
		r.Callback.CreatedAt = created
		r.NumberLimit = limit
		return r
	}
	now := time.Now()
	// Older than an hour: not counted.
	for i := range 5 {
		intake(t, s, req("m1", int64(1000+i), now.Add(-61*time.Minute)))
	}
	// Another portal's requests for the number: not counted.
	for i := range 5 {
		intake(t, s, req("m2", int64(2000+i), now.Add(-time.Minute)))
	}
	base := jobs(t, s)
	for i := range limit {
		if res := intake(t, s, req("m1", int64(i), now.Add(time.Duration(i)*time.Second))); !res.Queued {
			t.Fatalf("request %d within the limit: %+v", i, res.Callback)
		}
	}
	res := intake(t, s, req("m1", 99, now.Add(10*time.Second)))
	if res.Queued || res.Callback.State != callbackline.StateRejected ||
		!strings.HasPrefix(res.Callback.Reason, callbackline.ReasonNumberRate+": ") {
		t.Fatalf("over the number limit: queued=%v state=%q reason=%q", res.Queued, res.Callback.State, res.Callback.Reason)
	}
	wantJobs(t, s, base+limit)
	// Other numbers of the portal are not limited.
	other := request("m1", "+4930999999")
	other.NumberLimit = limit
	if res := intake(t, s, other); !res.Queued {
		t.Errorf("another number: %+v", res.Callback)
	}
	// Rejected ones count too: the number stays limited.
	if res := intake(t, s, req("m1", 100, now.Add(11*time.Second))); res.Queued {
		t.Error("limit lifted after a rejection")
	}
}

func testIntakePortalLimit(t *testing.T, s Backend) {
	savePortals(t, s, "m1", "m2")
	const limit = 4
	req := func(member string, i int) callbackline.IntakeRequest {
		r := request(member, fmt.Sprintf("+49301000%02d", i))
		r.PortalLimit = limit
		r.NumberLimit = 100
		return r
	}
	old := req("m1", 90)
	old.Callback.CreatedAt = time.Now().Add(-2 * time.Hour)
	intake(t, s, old)
	for i := range limit {
		if res := intake(t, s, req("m1", i)); !res.Queued {
			t.Fatalf("request %d within the portal limit: %+v", i, res.Callback)
		}
	}
	res := intake(t, s, req("m1", 50))
	if res.Queued || res.Callback.State != callbackline.StateRejected ||
		!strings.HasPrefix(res.Callback.Reason, callbackline.ReasonPortalRate+": ") {
		t.Fatalf("over the portal limit: queued=%v state=%q reason=%q", res.Queued, res.Callback.State, res.Callback.Reason)
	}
	if res := intake(t, s, req("m2", 1)); !res.Queued {
		t.Errorf("another portal limited: %+v", res.Callback)
	}
	wantJobs(t, s, 1+limit+1)
	// An incoming rejected request stays rejected with its own reason.
	rej := req("m1", 60)
	rej.Callback.State, rej.Callback.Reason = callbackline.StateRejected, callbackline.ReasonCountry+": XX"
	if res := intake(t, s, rej); res.Callback.Reason != rej.Callback.Reason {
		t.Errorf("reason = %q, want %q", res.Callback.Reason, rej.Callback.Reason)
	}
}

func testIntakeConcurrentSame(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	const n = 50
	req := request("m1", "+4930123456")
	results := make([]callbackline.IntakeResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := req
			c := *req.Callback
			r.Callback = &c
			<-start
			results[i], errs[i] = s.Intake(ctx, r)
		}()
	}
	close(start)
	wg.Wait()
	fresh, dups := 0, 0
	var id int64
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("intake %d: %v", i, errs[i])
		}
		if id == 0 {
			id = results[i].Callback.ID
		}
		if results[i].Callback.ID != id {
			t.Fatalf("two callbacks for one request: %d and %d", id, results[i].Callback.ID)
		}
		if results[i].Duplicate {
			dups++
		} else {
			fresh++
			if !results[i].Queued {
				t.Error("the new one was not queued")
			}
		}
	}
	if fresh != 1 || dups != n-1 {
		t.Fatalf("fresh %d duplicates %d, want 1 and %d", fresh, dups, n-1)
	}
	wantJobs(t, s, 1)
	got, err := s.Callback(ctx, id)
	must(t, err)
	if got.Duplicates != n-1 {
		t.Errorf("duplicates = %d, want %d", got.Duplicates, n-1)
	}
	list, err := s.Callbacks(ctx, callbackline.CallbackFilter{})
	must(t, err)
	if len(list) != 1 {
		t.Errorf("%d callbacks, want 1", len(list))
	}
}

func testIntakeConcurrentDistinct(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2", "m3")
	const n = 200
	ids := make([]int64, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := s.Intake(ctx, request(fmt.Sprintf("m%d", i%3+1), fmt.Sprintf("+4930%06d", i)))
			if err != nil {
				errs <- err
				return
			}
			if res.Duplicate || !res.Queued {
				errs <- fmt.Errorf("request %d: duplicate=%v queued=%v", i, res.Duplicate, res.Queued)
			}
			ids[i] = res.Callback.ID
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if id == 0 || seen[id] {
			t.Fatalf("id %d missing or repeated", id)
		}
		seen[id] = true
	}
	wantJobs(t, s, n)
	counts, err := s.CallbackCounts(ctx)
	must(t, err)
	if counts[callbackline.StateReceived] != n {
		t.Errorf("received = %d, want %d", counts[callbackline.StateReceived], n)
	}
}

func testIntakeConcurrentLimit(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	const n, limit = 60, 10
	var wg sync.WaitGroup
	var mu sync.Mutex
	queued, rejected := 0, 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := request("m1", fmt.Sprintf("+4930%06d", i))
			r.PortalLimit = limit
			res, err := s.Intake(ctx, r)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			if res.Queued {
				queued++
			} else if res.Callback.State == callbackline.StateRejected {
				rejected++
			}
		}()
	}
	wg.Wait()
	if queued != limit || rejected != n-limit {
		t.Fatalf("queued %d rejected %d, want %d and %d", queued, rejected, limit, n-limit)
	}
	wantJobs(t, s, limit)
}

func testIntakeConcurrentMixed(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	const n = 40
	var wg sync.WaitGroup
	errs := make([]error, n)
	res := make([]callbackline.IntakeResult, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			member := "m1"
			if i%2 == 1 {
				member = "unknown"
			}
			res[i], errs[i] = s.Intake(ctx, request(member, fmt.Sprintf("+4930%06d", i)))
		}()
	}
	wg.Wait()
	for i := range n {
		if i%2 == 1 {
			wantCode(t, errs[i], callbackline.ENOTFOUND)
		} else if errs[i] != nil || !res[i].Queued {
			t.Errorf("request %d beside failing ones: err %v queued %v", i, errs[i], res[i].Queued)
		}
	}
	wantJobs(t, s, n/2)
}

func testIntakeCanceled(t *testing.T, s Backend) {
	savePortals(t, s, "m1")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Intake(ctx, request("m1", "+4930123456"))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Intake with a cancelled context: %v, want context.Canceled", err)
	}
	wantCode(t, err, callbackline.EUNAVAILABLE)
	wantJobs(t, s, 0)
	// The store still works.
	if res := intake(t, s, request("m1", "+4930123456")); !res.Queued || res.Duplicate {
		t.Fatalf("after a cancelled intake: %+v", res)
	}
}

// testIntakeOddText: a visitor's text with a NUL byte or invalid UTF-8 is
// stored (bad bytes replaced), not refused, by every backend.
func testIntakeOddText(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	req := request("m1", "")
	req.Callback.PhoneRaw = "call\x00me \xff"
	req.Callback.Text = "Hallo\x00Welt \xc3\x28 ok"
	res := intake(t, s, req)
	got, err := s.Callback(ctx, res.Callback.ID)
	must(t, err)
	for _, v := range []string{got.Text, got.PhoneRaw, res.Callback.Text} {
		if !utf8.ValidString(v) || strings.ContainsRune(v, 0) {
			t.Errorf("stored %q: want valid UTF-8 without NUL", v)
		}
	}
	if !strings.HasPrefix(got.Text, "Hallo") || !strings.HasSuffix(got.Text, " ok") {
		t.Errorf("text = %q", got.Text)
	}
	// The same odd request again is a duplicate of the stored one.
	if res2 := intake(t, s, req); !res2.Duplicate || res2.Callback.ID != res.Callback.ID {
		t.Errorf("repeat: duplicate=%v", res2.Duplicate)
	}
}

// ---- listing ----

func testCallbackNotFound(t *testing.T, s Backend) {
	_, err := s.Callback(ctxT(t), 12345)
	wantCode(t, err, callbackline.ENOTFOUND)
}

func testCallbacksList(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2")
	list, err := s.Callbacks(ctx, callbackline.CallbackFilter{})
	must(t, err)
	if len(list) != 0 {
		t.Fatalf("fresh store lists %d callbacks", len(list))
	}
	counts, err := s.CallbackCounts(ctx)
	must(t, err)
	for st, n := range counts {
		if n != 0 {
			t.Fatalf("fresh store counts %d %s", n, st)
		}
	}
	var all []int64 // in insertion order
	byMember := map[string]int{}
	rejected := 0
	for i := range 25 {
		member := []string{"m1", "m2"}[i%2]
		req := request(member, fmt.Sprintf("+4930%06d", i))
		if i%5 == 0 {
			req.Callback.State, req.Callback.Reason = callbackline.StateRejected, callbackline.ReasonNumberType+": premium"
			rejected++
		}
		all = append(all, intake(t, s, req).Callback.ID)
		byMember[member]++
	}
	// Newest first, everything.
	list, err = s.Callbacks(ctx, callbackline.CallbackFilter{})
	must(t, err)
	if len(list) != len(all) {
		t.Fatalf("listed %d, want %d", len(list), len(all))
	}
	for i, cb := range list {
		if cb.ID != all[len(all)-1-i] {
			t.Fatalf("position %d: id %d, want %d (newest first)", i, cb.ID, all[len(all)-1-i])
		}
	}
	checkPaging(t, s, all)
	checkFilters(t, s, byMember, rejected)
	counts, err = s.CallbackCounts(ctx)
	must(t, err)
	if counts[callbackline.StateRejected] != rejected || counts[callbackline.StateReceived] != len(all)-rejected {
		t.Errorf("counts %v, want %d rejected and %d received", counts, rejected, len(all)-rejected)
	}
	wantJobs(t, s, len(all)-rejected)
}

// checkPaging: paging with BeforeID lists all, newest first, once each.
func checkPaging(t *testing.T, s Backend, all []int64) {
	t.Helper()
	ctx := ctxT(t)
	var paged []int64
	before := int64(0)
	for {
		page, err := s.Callbacks(ctx, callbackline.CallbackFilter{Limit: 7, BeforeID: before})
		must(t, err)
		if len(page) > 7 {
			t.Fatalf("page of %d, limit 7", len(page))
		}
		if len(page) == 0 {
			break
		}
		for _, cb := range page {
			paged = append(paged, cb.ID)
		}
		before = page[len(page)-1].ID
	}
	if len(paged) != len(all) {
		t.Fatalf("paging listed %d, want %d", len(paged), len(all))
	}
	for i := range paged {
		if paged[i] != all[len(all)-1-i] {
			t.Fatalf("paging position %d: %d, want %d", i, paged[i], all[len(all)-1-i])
		}
	}
}

// checkFilters: the member and state filters and the limit.
func checkFilters(t *testing.T, s Backend, byMember map[string]int, rejected int) {
	t.Helper()
	ctx := ctxT(t)
	for m, want := range byMember {
		list, err := s.Callbacks(ctx, callbackline.CallbackFilter{MemberID: m})
		must(t, err)
		if len(list) != want {
			t.Errorf("member %s: %d, want %d", m, len(list), want)
		}
		for _, cb := range list {
			if cb.MemberID != m {
				t.Errorf("member filter %s listed %s", m, cb.MemberID)
			}
		}
	}
	list, err := s.Callbacks(ctx, callbackline.CallbackFilter{State: callbackline.StateRejected})
	must(t, err)
	if len(list) != rejected {
		t.Errorf("rejected: %d, want %d", len(list), rejected)
	}
	list, err = s.Callbacks(ctx, callbackline.CallbackFilter{MemberID: "m1", State: callbackline.StateReceived, Limit: 3})
	must(t, err)
	if len(list) != 3 {
		t.Errorf("m1 received limit 3: %d", len(list))
	}
	for _, cb := range list {
		if cb.MemberID != "m1" || cb.State != callbackline.StateReceived {
			t.Errorf("filtered listing has %s %s", cb.MemberID, cb.State)
		}
	}
}

func testCallbacksDefaultLimit(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	var wg sync.WaitGroup
	for i := range 120 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Intake(ctx, request("m1", fmt.Sprintf("+4930%06d", i))); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	list, err := s.Callbacks(ctx, callbackline.CallbackFilter{})
	must(t, err)
	if len(list) != 100 {
		t.Errorf("default limit listed %d, want 100", len(list))
	}
}
