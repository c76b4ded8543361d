package callback_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/sip/siptest"
	"github.com/callbackline/callbackline/store/sqlite"
)

// A worker places one callback: the request for lead 5785 of the
// simulated portal rings its responsible, Max Müller, then the client,
// and the call is written to the CRM. In production River calls Work
// for each CallbackJob; Run is one such step.
func ExampleWorker_Run() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "callbackline-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	// The simulated Bitrix24 portal, installed, and a SQLite store that
	// knows it.
	portal := bitrix24test.New(bitrix24test.Options{})
	defer portal.Close()
	portal.FinishInstall()
	tok := portal.IssueTokens(1)
	st, err := sqlite.Open(ctx, "sqlite:"+filepath.Join(dir, "callbackline.db"), sqlite.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	member := &callbackline.Portal{
		MemberID: portal.MemberID(), Domain: portal.Host(), ClientEndpoint: portal.RESTEndpoint(),
		AccessToken: tok.AccessToken, RefreshToken: tok.RefreshToken, ExpiresAt: tok.ExpiresAt,
		ApplicationToken: portal.ApplicationToken(), UserID: 1, Status: callbackline.PortalInstalled,
	}
	if err := st.SavePortal(ctx, member); err != nil {
		fmt.Println(err)
		return
	}
	crm := bitrix24.NewClient(portal.OAuth(), st)
	crm.Logger = slog.New(slog.DiscardHandler)

	// The worker, with a fake dialer whose calls connect for 42 seconds.
	policy := callbackline.DefaultPolicy()
	policy.Announce = false
	w, err := callback.New(callback.Config{
		Store: st, CRM: crm, Dialer: siptest.NewFakeDialer(siptest.Connected(42)),
		Lines: []callbackline.Line{{Number: "callbackline", Policy: policy}},
		Guard: phone.DefaultPolicy(), Logger: slog.New(slog.DiscardHandler),
		Timeline: func(cb *callbackline.Callback, note string) { fmt.Println(cb.State) },
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// The request, stored as the intake stores it.
	now := time.Now()
	res, err := st.Intake(ctx, callbackline.IntakeRequest{Callback: &callbackline.Callback{
		MemberID: member.MemberID, Kind: callbackline.KindCallback, Phone: "+494951234567",
		CRMEntityType: "LEAD", CRMEntityID: 5785, LineNumber: "callbackline", CreatedAt: now, EventAt: now,
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, err := w.Run(ctx, res.Callback.ID); err != nil {
		fmt.Println(err)
		return
	}

	cb, err := st.Callback(ctx, res.Callback.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	call := portal.Calls()[0]
	fmt.Printf("callback %s after %d call(s) to the client\n", cb.State, cb.ClientAttempts)
	fmt.Printf("Bitrix24 call for user %d: finished %t, status %s, %d s\n", call.UserID, call.Finished, call.StatusCode, call.Duration)
	// Output:
	// routing
	// ringing_employee
	// announcing
	// ringing_client
	// connected
	// finishing
	// finishing
	// done
	// callback done after 1 call(s) to the client
	// Bitrix24 call for user 1269: finished true, status 200, 42 s
}

// A job may take as long as every employee ringing, the client ringing
// and the longest call, with a margin: the queue's stuck-job rescue must
// wait longer than that.
func ExampleJobTimeout() {
	line := callbackline.Line{Number: "callbackline", Employees: []int64{1269, 1}, Policy: callbackline.DefaultPolicy()}
	fmt.Println(callback.JobTimeout([]callbackline.Line{line}))
	// Output:
	// 1h12m30s
}
