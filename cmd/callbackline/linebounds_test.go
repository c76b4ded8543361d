package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

// TestHostileLineBounds, through the built binary: a portal's
// administrator saves a line past every bound the operator sets and
// showing a number nobody assigned to the portal. It is refused with every
// key named and nothing reaches the portal. The operator assigns the
// number over the API; the same administrator's line within the bounds is
// then saved, registered, and its callback goes out showing that number.
func TestHostileLineBounds(t *testing.T) {
	const number, token = "+4930999999", "op-token-0123456789abcdef"
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	r.editConf(func(s string) string { return "admin_token: " + token + "\n" + s })
	svc := r.start()
	defer svc.stop(t)
	r.installAndSubmitNothing()
	r.waitLines(1)
	hostile := "- number: north\n  caller_id: \"" + number + "\"\n  policy:\n    client_attempts: 100000\n" +
		"    client_retry_after: 1s\n    employee_rounds: 1000000\n    max_age: 87600h\n"
	code, page := r.appAs(1, url.Values{"action": {"save_lines"}, "lines": {hostile}})
	if code != http.StatusUnprocessableEntity || strings.Contains(page, `class="saved"`) {
		t.Fatalf("hostile lines: %d\n%s", code, page)
	}
	for _, key := range []string{"lines[0].caller_id", "lines[0].policy.client_attempts", "lines[0].policy.client_retry_after",
		"lines[0].policy.employee_rounds", "lines[0].policy.max_age"} {
		if !strings.Contains(page, key+":") {
			t.Errorf("the page does not name %s", key)
		}
	}
	if n := len(r.portal.Lines()); n != 1 {
		t.Errorf("%d lines in the portal after a refused save", n)
	}

	// The operator assigns the number; a line within the bounds shows it.
	req, _ := http.NewRequest(http.MethodPut, "http://"+r.addr+"/api/v1/portals/"+r.portal.MemberID()+"/caller_ids",
		strings.NewReader(`{"caller_ids": ["`+number+`"]}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readBody(t, res); res.StatusCode != http.StatusOK {
		t.Fatalf("assigning the caller ID: %d %s", res.StatusCode, body)
	}
	genuine := "- number: north\n  caller_id: \"" + number + "\"\n  target: \"600\"\n  target_user: 1\n  policy:\n" +
		"    client_attempts: 2\n    client_retry_after: 2m\n    max_age: 72h\n    announce: false\n"
	if code, page := r.appAs(1, url.Values{"action": {"save_lines"}, "lines": {genuine}}); code != http.StatusOK || !strings.Contains(page, `class="saved"`) {
		t.Fatalf("lines within the bounds: %d\n%s", code, page)
	}
	if err := within(time.Minute, func() bool {
		return len(r.portal.Lines()) == 1 && r.portal.Lines()[0].Number == "north" ||
			len(r.portal.Lines()) == 2
	}); err != nil {
		t.Fatalf("the saved line was not registered: %+v", r.portal.Lines())
	}
	r.answer("600")
	r.clientsAnswer(crashClient)
	if err := r.portal.SubmitCallbackForm(context.Background(), bitrix24test.CallbackRequest{PhoneNumber: "+49 495 1234567",
		CRMEntityType: "LEAD", CRMEntityID: "5785", LineNumber: "north"}); err != nil {
		t.Fatal(err)
	}
	if err := within(2*time.Minute, func() bool {
		calls := r.portal.Calls()
		return len(calls) == 1 && calls[0].Finished
	}); err != nil {
		t.Fatalf("the callback on the saved line did not finish: %+v", r.portal.Calls())
	}
	if c := r.portal.Calls()[0]; c.StatusCode != "200" || c.LineNumber != "north" {
		t.Errorf("CRM call %+v", c)
	}
	shown := ""
	for _, c := range r.phones.Calls() {
		if c.User == crashClient {
			shown = c.FromUser
		}
	}
	if shown != number {
		t.Errorf("the client saw caller ID %q, want the assigned %s", shown, number)
	}
}
