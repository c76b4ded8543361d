package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

// appForm posts the app page's form with an action and its fields.
func (h *harness) appForm(authID string, fields url.Values) (int, string) {
	h.t.Helper()
	fields.Set("member_id", exampleMember)
	fields.Set("APPLICATION_TOKEN", exampleToken)
	fields.Set("AUTH_ID", authID)
	res, err := http.PostForm(h.url("/bitrix24/app?DOMAIN=example.bitrix24.de&PROTOCOL=1&LANG=en"), fields)
	if err != nil {
		h.t.Fatal(err)
	}
	return res.StatusCode, readAll(h.t, res)
}

// auditPage is the operator API's audit log page.
func (h *harness) auditPage(query string) []map[string]any {
	h.t.Helper()
	code, body := h.do(http.MethodGet, "/api/v1/portals/"+exampleMember+"/audit"+query, "", adminToken)
	if code != http.StatusOK {
		h.t.Fatalf("GET audit%s: %d %s", query, code, body)
	}
	var out struct {
		Changes []map[string]any `json:"changes"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil {
		h.t.Fatal(err)
	}
	return out.Changes
}

// TestAuditLog: each change an administrator saves on the app page is
// logged once with their name from the portal (user.current) and a short
// summary, numbers masked; a change over the operator API is logged as
// the operator's; a refused change is not logged. The page shows the log
// in the portal's time zone, the API pages it.
func TestAuditLog(t *testing.T) {
	h := newCountriesHarness(t)
	admin := h.portal.IssueTokens(1).AccessToken
	employee := h.portal.IssueTokens(1269).AccessToken
	if code, page := h.appForm(employee, url.Values{"action": {"save_blocked"}, "blocked": {"+74951234567"}}); code != http.StatusForbidden {
		t.Fatalf("an employee's save: %d\n%s", code, page)
	}
	steps := []url.Values{
		{"action": {"save_blocked"}, "blocked": {"+74951234567\n+49900*"}},
		{"action": {"save_blocked"}, "blocked": {"+49900*"}},
		{"action": {"save_time_zone"}, "time_zone": {"Europe/Berlin"}},
		{"action": {"save_countries"}, "countries": {"RU, DE"}},
	}
	for _, f := range steps {
		if code, page := h.appForm(admin, f); code != http.StatusOK {
			t.Fatalf("%v: %d\n%s", f, code, page)
		}
	}
	if code, body := h.do(http.MethodPut, "/api/v1/portals/"+exampleMember+"/countries", `{"countries":["DE"]}`, adminToken); code != http.StatusOK {
		t.Fatalf("PUT countries: %d %s", code, body)
	}
	list, err := h.store.AuditLog(context.Background(), callbackline.AuditFilter{MemberID: exampleMember})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct{ who, what, summary string }{
		{"operator", "countries", "removed RU"},
		{"Anna Admin", "countries", "added DE"},
		{"Anna Admin", "time_zone", "UTC → Europe/Berlin"},
		{"Anna Admin", "blocked_numbers", "removed +7495*****67"},
		{"Anna Admin", "blocked_numbers", "added +7495*****67, +49900*"},
	}
	if len(list) != len(want) {
		t.Fatalf("%d entries, want %d: %+v", len(list), len(want), list)
	}
	for i, w := range want {
		c := list[i]
		if c.UserName != w.who || c.What != w.what || c.Summary != w.summary || (w.who == "Anna Admin") != (c.UserID == 1) {
			t.Errorf("entry %d = %+v, want %+v", i, c, w)
		}
		if strings.Contains(c.Summary, "74951234567") {
			t.Errorf("a whole number in the log: %q", c.Summary)
		}
	}
	// The page shows the log, its times in the portal's zone.
	_, page := h.appForm(admin, url.Values{})
	berlin := list[0].At.In(mustZone(t, "Europe/Berlin")).Format("2006-01-02 15:04")
	if !strings.Contains(page, `id="audit-log"`) || !strings.Contains(page, "UTC → Europe/Berlin") ||
		!strings.Contains(page, "Anna Admin (user 1)") || !strings.Contains(page, berlin) || strings.Contains(page, "74951234567</td>") {
		t.Errorf("the page's log:\n%s", page[strings.Index(page, `id="audit"`):])
	}
	// The API pages it, newest first.
	first := h.auditPage("?limit=2")
	if len(first) != 2 || first[0]["user_name"] != "operator" || first[1]["summary"] != "added DE" {
		t.Fatalf("first page %+v", first)
	}
	rest := h.auditPage("?limit=10&before=" + jsonID(first[1]["id"]))
	if len(rest) != 3 || rest[2]["summary"] != "added +7495*****67, +49900*" || rest[2]["user_id"] != float64(1) {
		t.Fatalf("second page %+v", rest)
	}
	for _, q := range []string{"?limit=0", "?limit=1001", "?before=-1", "?before=x"} {
		if code, body := h.do(http.MethodGet, "/api/v1/portals/"+exampleMember+"/audit"+q, "", adminToken); code != http.StatusBadRequest {
			t.Errorf("GET audit%s: %d %s", q, code, body)
		}
	}
	if code, _ := h.do(http.MethodGet, "/api/v1/portals/"+exampleMember+"/audit", "", "wrong"); code != http.StatusUnauthorized {
		t.Errorf("a wrong token: %d", code)
	}
	if code, _ := h.do(http.MethodGet, "/api/v1/portals/nobody/audit", "", adminToken); code != http.StatusNotFound {
		t.Errorf("an unknown portal: %d", code)
	}
}

func jsonID(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
