package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/intake"
)

// pendingCallback stores a callback of the harness portal waiting for the
// working hours.
func (h *harness) pendingCallback(phone string) int64 {
	h.t.Helper()
	ctx := context.Background()
	res, err := h.store.Intake(ctx, callbackline.IntakeRequest{Callback: &callbackline.Callback{
		MemberID: exampleMember, Kind: callbackline.KindCallback, Phone: phone, PhoneRaw: phone,
		State: callbackline.StateReceived, CreatedAt: time.Now(), EventAt: time.Now()}})
	if err != nil {
		h.t.Fatal(err)
	}
	cb := res.Callback
	cb.State, cb.NextAt = callbackline.StateScheduled, time.Now().Add(12*time.Hour)
	if err := h.store.Advance(ctx, cb, 0, callbackline.Plain("outside working hours: scheduled")); err != nil {
		h.t.Fatal(err)
	}
	return cb.ID
}

// act posts a row's button on the app page.
func (h *harness) act(appToken, authID string, id int64, do string) (int, string) {
	h.t.Helper()
	res, err := http.PostForm(h.url("/bitrix24/app"), url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {appToken}, "LANG": {"en"},
		"AUTH_ID": {authID}, "action": {"control"}, "callback_id": {strconv.FormatInt(id, 10)}, "do": {do}})
	if err != nil {
		h.t.Fatal(err)
	}
	return res.StatusCode, readAll(h.t, res)
}

func (h *harness) stored(id int64) *callbackline.Callback {
	h.t.Helper()
	cb, err := h.store.Callback(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return cb
}

// TestAppControl: an administrator calls a pending callback now, cancels
// one, and is told clearly when the action does not apply; anybody else
// changes nothing.
func TestAppControl(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	admin := h.portal.IssueTokens(1)
	id := h.pendingCallback("+74951234567")

	// The page offers the pending callback's buttons, saying that "call
	// now" ignores the hours.
	res, err := http.PostForm(h.url("/bitrix24/app"), url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "LANG": {"en"}, "AUTH_ID": {admin.AccessToken}})
	if err != nil {
		t.Fatal(err)
	}
	page := readAll(t, res)
	for _, want := range []string{`name="callback_id" value="` + strconv.FormatInt(id, 10) + `"`, `value="call"`,
		"Call now (even outside working hours)", `value="cancel"`, `name="AUTH_ID" value="` + admin.AccessToken + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}

	employee := h.portal.IssueTokens(1269)
	for name, auth := range map[string]string{"employee": employee.AccessToken, "unknown token": "0123456789abcdef", "none": ""} {
		code, page := h.act(exampleToken, auth, id, "call")
		if code != http.StatusForbidden || !strings.Contains(page, "only an administrator of the portal") {
			t.Errorf("%s: %d %s", name, code, page)
		}
	}
	if code, _ := h.act("51610fefc120afa4b628cc82d6298ccf", admin.AccessToken, id, "call"); code != http.StatusUnauthorized {
		t.Errorf("wrong application token: %d", code)
	}
	if cb := h.stored(id); cb.DialNowBy != "" || cb.State != callbackline.StateScheduled {
		t.Fatalf("changed without an administrator: %+v", cb)
	}

	code, page := h.act(exampleToken, admin.AccessToken, id, "call")
	if code != http.StatusOK || !strings.Contains(page, "is being dialled now, even outside working hours") {
		t.Fatalf("call now: %d %s", code, page)
	}
	if cb := h.stored(id); cb.DialNowBy != "Anna Admin (user 1)" || cb.NextAt.After(time.Now()) {
		t.Fatalf("after call now: %+v", cb)
	}
	// A double click: the second is refused, saying so.
	code, page = h.act(exampleToken, admin.AccessToken, id, "call")
	if code != http.StatusConflict || !strings.Contains(page, "already asked to be called now by Anna Admin (user 1)") {
		t.Errorf("second click: %d %s", code, page)
	}
	code, page = h.act(exampleToken, admin.AccessToken, id, "retry")
	if code != http.StatusConflict || !strings.Contains(page, "only a failed callback can be retried") {
		t.Errorf("retry of a pending callback: %d %s", code, page)
	}
	code, page = h.act(exampleToken, admin.AccessToken, id, "cancel")
	if code != http.StatusOK || !h.stored(id).Cancelled() || !strings.Contains(h.stored(id).Reason, "cancelled by Anna Admin (user 1)") {
		t.Errorf("cancel: %d %s", code, page)
	}
	// A cancelled callback can only be retried (undoing the cancel).
	if strings.Contains(page, `value="call"`) || !strings.Contains(page, `value="retry"`) {
		t.Error("a cancelled callback's buttons are not retry alone")
	}
	if code, page = h.act(exampleToken, admin.AccessToken, 99999, "cancel"); code != http.StatusNotFound || !strings.Contains(page, "callback 99999 not found") {
		t.Errorf("unknown id: %d %s", code, page)
	}
	if code, page = h.act(exampleToken, admin.AccessToken, id, "dial"); code != http.StatusUnprocessableEntity {
		t.Errorf("unknown action: %d %s", code, page)
	}
}

// TestAPIControl: the operator's POST /api/v1/callbacks/{id}/{action}.
func TestAPIControl(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	id := h.pendingCallback("+74951234567")
	do := func(method, path, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, h.url(path), nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, readAll(t, res)
	}
	path := "/api/v1/callbacks/" + strconv.FormatInt(id, 10)
	for _, c := range []struct {
		method, path, token string
		want                int
	}{
		{http.MethodPost, path + "/call", "", http.StatusUnauthorized},
		{http.MethodPost, path + "/call", "wrong", http.StatusUnauthorized},
		{http.MethodGet, path + "/call", adminToken, http.StatusMethodNotAllowed},
		{http.MethodPost, path + "/dial", adminToken, http.StatusNotFound},
		{http.MethodPost, "/api/v1/callbacks/99999/call", adminToken, http.StatusNotFound},
		{http.MethodPost, "/api/v1/callbacks/x/call", adminToken, http.StatusBadRequest},
		{http.MethodPost, path + "/retry", adminToken, http.StatusConflict},
	} {
		if code, body := do(c.method, c.path, c.token); code != c.want {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, code, body, c.want)
		}
	}
	if cb := h.stored(id); cb.DialNowBy != "" {
		t.Fatalf("changed by a refused request: %+v", cb)
	}
	code, body := do(http.MethodPost, path+"/call", adminToken)
	if code != http.StatusOK || !strings.Contains(body, `"state":"scheduled"`) || h.stored(id).DialNowBy != "the operator" {
		t.Fatalf("call: %d %s", code, body)
	}
	if code, body = do(http.MethodPost, path+"/call", adminToken); code != http.StatusConflict {
		t.Errorf("second call: %d %s", code, body)
	}
	if code, body = do(http.MethodPost, path+"/cancel", adminToken); code != http.StatusOK || !strings.Contains(body, "cancelled: cancelled by the operator") {
		t.Errorf("cancel: %d %s", code, body)
	}
}
