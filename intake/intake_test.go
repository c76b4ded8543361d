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
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
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

// TestUninstallForgets: an uninstall without CLEAN keeps the portal's data
// but stops serving it, and the Bitrix24 client forgets the portal's
// tokens; one the portal denies changes nothing and forgets nothing.
func TestUninstallForgets(t *testing.T) {
	ctx := context.Background()
	st, p := setup(t)
	b24 := bitrix24test.New(bitrix24test.Options{MemberID: p.MemberID})
	t.Cleanup(b24.Close)
	b24.FinishInstall()
	tok := b24.IssueTokens(1)
	p.ClientEndpoint, p.Domain = b24.RESTEndpoint(), b24.Domain()
	p.AccessToken, p.RefreshToken, p.ExpiresAt, p.UserID = tok.AccessToken, tok.RefreshToken, tok.ExpiresAt, tok.UserID
	if err := st.SavePortal(ctx, p); err != nil {
		t.Fatal(err)
	}
	crm := bitrix24.NewClient(b24.OAuth(), st)
	in := intake.New(intake.Options{Store: st, CRM: crm, Logger: slog.New(slog.DiscardHandler)})

	uninstall := event(t, url.Values{"event": {"ONAPPUNINSTALL"}, "data[CLEAN]": {"0"}})
	if _, err := in.Take(ctx, p, uninstall); callbackline.ErrorCode(err) != callbackline.EUNAUTHORIZED {
		t.Fatalf("an uninstall the portal denies: %v", err)
	}
	if _, ok := crm.Tokens(p.MemberID); !ok {
		t.Fatal("a denied uninstall made the client forget the portal")
	}
	b24.RevokeTokens() // what the portal does before it sends a genuine one
	ans, err := in.Take(ctx, p, uninstall)
	if err != nil || ans.Status != intake.Uninstalled {
		t.Fatalf("uninstall: %+v %v", ans, err)
	}
	if got, err := st.Portal(ctx, p.MemberID); err != nil || got.Status != callbackline.PortalUninstalled {
		t.Errorf("after the uninstall: %+v %v", got, err)
	}
	if _, ok := crm.Tokens(p.MemberID); ok {
		t.Error("after the uninstall the client still keeps the portal's tokens in memory")
	}
}
