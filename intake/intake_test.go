package intake_test

import (
	"context"
	"log/slog"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/store/sqlite"
)

func setup(t *testing.T) (*sqlite.Store, *callbackline.Portal) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "callbackline.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	now := time.Now()
	p := &callbackline.Portal{
		MemberID: "m1", Domain: "example.bitrix24.de", ClientEndpoint: "https://example.bitrix24.de/rest/",
		AccessToken: "a", RefreshToken: "r", ExpiresAt: now.Add(time.Hour), Status: callbackline.PortalInstalled,
		Language: "de", InstalledAt: now, UpdatedAt: now,
	}
	if err := st.SavePortal(ctx, p); err != nil {
		t.Fatal(err)
	}
	return st, p
}

func event(t *testing.T, v url.Values) *bitrix24.Event {
	t.Helper()
	ev, err := bitrix24.ParseEvent("application/x-www-form-urlencoded", []byte(v.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

// TestTakeRequestOnlyCallRequests: the offline safety net's hook stores
// call requests and nothing else; an ONAPPUNINSTALL that reached it would
// not touch the portal.
func TestTakeRequestOnlyCallRequests(t *testing.T) {
	ctx := context.Background()
	st, p := setup(t)
	in := intake.New(intake.Options{Store: st, Logger: slog.New(slog.DiscardHandler)})
	if err := in.TakeRequest(ctx, p, event(t, url.Values{"event": {"ONAPPUNINSTALL"}, "data[CLEAN]": {"1"}})); err != nil {
		t.Fatal(err)
	}
	if got, err := st.Portal(ctx, p.MemberID); err != nil || got.Status != callbackline.PortalInstalled {
		t.Fatalf("TakeRequest acted on ONAPPUNINSTALL: %+v %v", got, err)
	}
	call := url.Values{"event": {"ONEXTERNALCALLSTART"}, "data[PHONE_NUMBER]": {"+49 30 1234567"},
		"data[CALL_ID]": {"externalCall.1"}, "data[USER_ID]": {"1"}}
	if err := in.TakeRequest(ctx, p, event(t, call)); err != nil {
		t.Fatal(err)
	}
	list, err := st.Callbacks(ctx, callbackline.CallbackFilter{Limit: 10})
	if err != nil || len(list) != 1 || list[0].Kind != callbackline.KindCall || list[0].Phone != "+49301234567" {
		t.Fatalf("after a click-to-call: %v %+v", err, list)
	}
}

// TestUninstallOnlyQueuesCheck: ONAPPUNINSTALL is answered at once and
// changes nothing: the portal stays installed with its data, and a flood
// of the same event queues one check with the portal (an UninstallJob);
// CLEAN=1 gets its own.
func TestUninstallOnlyQueuesCheck(t *testing.T) {
	ctx := context.Background()
	st, p := setup(t)
	in := intake.New(intake.Options{Store: st, Logger: slog.New(slog.DiscardHandler), UninstallDelay: time.Hour})
	for _, clean := range []string{"1", "1", "1", "0"} {
		ans, err := in.Take(ctx, p, event(t, url.Values{"event": {"ONAPPUNINSTALL"}, "data[CLEAN]": {clean}}))
		if err != nil || ans.Status != intake.Checking {
			t.Fatalf("uninstall: %+v %v", ans, err)
		}
	}
	if got, err := st.Portal(ctx, p.MemberID); err != nil || got.Status != callbackline.PortalInstalled {
		t.Fatalf("the uninstall event changed the portal before any check: %+v %v", got, err)
	}
	if n, err := st.CountJobs(ctx, callbackline.UninstallJob{}.Kind()); err != nil || n != 2 {
		t.Fatalf("uninstall checks queued = %d (%v), want 2 (CLEAN=1 and CLEAN=0)", n, err)
	}
}
