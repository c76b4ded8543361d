package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestHostileVisitorText, through the built binary: a website visitor's
// TEXT with BB-code and a link reaches the responsible's notification
// (im.notify) and the CRM timeline comment of the simulated portal
// escaped: nothing in it can become a link, a mention or an image.
func TestHostileVisitorText(t *testing.T) {
	const hostile = "[url=https://evil.example]click[/url] [USER=1]boss[/USER]"
	const want = "［url=https:／／evil.example］click［/url］ ［USER=1］boss［/USER］"
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	r.editConf(func(s string) string {
		return strings.Replace(s, "    client_retry_after: 1s\n", "    client_retry_after: 1s\n    client_attempts: 1\n", 1)
	})
	r.answer(crashExt)
	r.phones.Set(crashClient, siptest.Behavior{Action: siptest.Busy})
	svc := r.start()
	defer svc.stop(t)
	r.installAndSubmitNothing()
	if err := r.portal.SubmitCallbackForm(context.Background(), bitrix24test.CallbackRequest{PhoneNumber: "+49 495 1234567",
		Text: hostile, CRMEntityType: "LEAD", CRMEntityID: "5785"}); err != nil {
		t.Fatal(err)
	}
	if err := within(2*time.Minute, func() bool {
		return len(r.portal.Notifications()) > 0 && len(r.portal.Comments()) > 0
	}); err != nil {
		t.Fatalf("the failed callback was not told: %d notifications, %d comments", len(r.portal.Notifications()), len(r.portal.Comments()))
	}
	var texts []string
	for _, n := range r.portal.Notifications() {
		if !strings.HasPrefix(n.Tag, "callbackline.notice.") { // the administrators' notices hold no request
			texts = append(texts, n.Message)
		}
	}
	for _, c := range r.portal.Comments() {
		texts = append(texts, c.Comment)
	}
	for i, s := range texts {
		if !strings.Contains(s, want) {
			t.Errorf("text %d does not hold the escaped request: %s", i, s)
		}
		for _, bad := range []string{"[", "]", "://"} {
			if strings.Contains(s, bad) {
				t.Errorf("text %d holds %q: %s", i, bad, s)
			}
		}
	}
}
