package main

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestHostileSealedTokenCopy, through the built binary with
// encryption_key: two portals are installed through one OAuth server.
// Someone who can write the database but not read the key copies portal
// A's sealed tokens into portal B's row. After a restart the service
// sends portal B nothing at all (the copied tokens do not open in B's
// row: they are bound to A's member_id), and says so in its log; portal A
// goes on being served: its next request rings.
func TestHostileSealedTokenCopy(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	b := bitrix24test.New(bitrix24test.Options{})
	t.Cleanup(b.Close)
	hub := bitrix24test.NewOAuthHub(r.portal, b)
	t.Cleanup(hub.Close)
	r.editConf(func(s string) string {
		s = strings.Replace(s, r.portal.OAuthServer(), hub.URL(), 1)
		return "encryption_key: " + testKey + "\n" + s
	})
	r.answer(crashExt)
	r.phones.Set(crashClient, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond, HangupAfter: time.Second})
	svc := r.start()
	r.installAndSubmitNothing()
	ctx := context.Background()
	res, err := b.SendInstall(ctx, "http://"+r.addr+"/bitrix24/install")
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, res); res.StatusCode != 200 {
		t.Fatalf("installing portal B: %d %s", res.StatusCode, body)
	}
	if err := within(time.Minute, func() bool { return len(b.Handlers()) >= 3 }); err != nil {
		t.Fatal("portal B's events were not bound")
	}
	b.FinishInstall()
	svc.stop(t)

	db, err := sql.Open("sqlite", r.dir+"/callbackline.db")
	if err != nil {
		t.Fatal(err)
	}
	var sealed string
	if err := db.QueryRow(`SELECT access_token FROM portals WHERE member_id = ?`, r.portal.MemberID()).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sealed, "enc:") {
		t.Fatalf("portal A's token is not sealed at rest: %.12q…", sealed)
	}
	n, err := db.Exec(`UPDATE portals SET access_token = (SELECT access_token FROM portals WHERE member_id = ?),
		refresh_token = (SELECT refresh_token FROM portals WHERE member_id = ?) WHERE member_id = ?`,
		r.portal.MemberID(), r.portal.MemberID(), b.MemberID())
	if k, _ := n.RowsAffected(); err != nil || k != 1 {
		t.Fatalf("copying the tokens: %v (%d rows)", err, k)
	}
	db.Close()

	before := len(b.Requests())
	svc = r.start()
	defer svc.stop(t)
	// Portal B's event may be refused (its row does not open): either way
	// nothing may be sent to it.
	if err := b.SubmitCallbackForm(ctx, bitrix24test.CallbackRequest{PhoneNumber: "+49 495 7654321",
		CRMEntityType: "LEAD", CRMEntityID: "5785"}); err != nil {
		t.Logf("portal B's request: %v", err)
	}
	// Portal A is served as before: its request rings.
	r.submit("+49 495 1234567")
	if err := within(2*time.Minute, func() bool { n, _ := r.callsTo(crashClient); return n == 1 }); err != nil {
		t.Fatal("portal A's callback did not ring after the copy")
	}
	if err := within(time.Minute, func() bool { return logHas(t, r.log.Name(), "does not open") }); err != nil {
		t.Error("the service does not say that portal B's tokens do not open")
	}
	for _, q := range b.Requests()[before:] {
		if q.Server == "rest" || q.Server == "oauth" {
			t.Errorf("portal B was sent %s %s with the copied tokens", q.HTTPMethod, q.Path)
		}
	}
}
