package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// do sends a request with the admin token and returns status and body.
func (lh *linesHarness) do(method, path, ct, body, token string) (int, string) {
	lh.t.Helper()
	req, _ := http.NewRequest(method, lh.url(path), strings.NewReader(body))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		lh.t.Fatal(err)
	}
	return res.StatusCode, readAll(lh.t, res)
}

// TestPortalLinesAPI: the operator reads and replaces a portal's own
// lines over the API; bad lines are refused with every problem named and
// nothing saved; the admin token is required.
func TestPortalLinesAPI(t *testing.T) {
	lh := newLinesHarness(t)
	path := "/api/v1/portals/" + exampleMember + "/lines"
	var got struct {
		MemberID  string     `json:"member_id"`
		Own       bool       `json:"own"`
		Lines     string     `json:"lines"`
		UpdatedAt *time.Time `json:"updated_at"`
		Parsed    []struct {
			Number, Who string
		} `json:"parsed"`
	}
	code, body := lh.do(http.MethodGet, path, "", "", adminToken)
	if err := json.Unmarshal([]byte(body), &got); code != http.StatusOK || err != nil || got.Own || got.UpdatedAt != nil ||
		!strings.Contains(got.Lines, "number: callbackline") || len(got.Parsed) != 1 {
		t.Fatalf("GET before any save: %d %s", code, body)
	}

	yaml := "- number: north\n  name: North\n  employees: [12, 34]\n"
	code, body = lh.do(http.MethodPut, path, "text/yaml", yaml, adminToken)
	got.Parsed = nil
	if err := json.Unmarshal([]byte(body), &got); code != http.StatusOK || err != nil || !got.Own || got.UpdatedAt == nil ||
		got.Lines != yaml || len(got.Parsed) != 1 || got.Parsed[0].Number != "north" || got.Parsed[0].Who != "employees 12, 34" {
		t.Fatalf("PUT yaml: %d %s", code, body)
	}
	if lh.stored() != yaml {
		t.Errorf("stored %q", lh.stored())
	}
	select {
	case <-lh.ran:
	case <-time.After(time.Minute):
		t.Fatal("Saved did not run after the PUT")
	}
	code, body = lh.do(http.MethodPut, path, "application/json", `{"lines":"- number: south\n"}`, adminToken)
	if code != http.StatusOK || lh.stored() != "- number: south\n" {
		t.Fatalf("PUT json: %d %s", code, body)
	}

	for _, tc := range []struct {
		method, ct, body, token string
		code                    int
		want                    string
	}{
		{http.MethodPut, "text/yaml", "- number: x\n  employes: [1]\n", adminToken, http.StatusBadRequest, "lines[0].employes"},
		{http.MethodPut, "text/yaml", "- number: x\n- number: x\n", adminToken, http.StatusBadRequest, "unique"},
		{http.MethodPut, "application/json", `{"line":"x"}`, adminToken, http.StatusBadRequest, `{\"lines\"`},
		{http.MethodPut, "application/xml", "<lines/>", adminToken, http.StatusUnsupportedMediaType, "text/yaml"},
		{http.MethodPut, "text/yaml", strings.Repeat("#", 64<<10), adminToken, http.StatusRequestEntityTooLarge, "larger"},
		{http.MethodPut, "text/yaml", yaml, "", http.StatusUnauthorized, "admin token"},
		{http.MethodPut, "text/yaml", yaml, "wrong-token-0123456789", http.StatusUnauthorized, "admin token"},
		{http.MethodDelete, "", "", adminToken, http.StatusMethodNotAllowed, ""},
	} {
		code, body := lh.do(tc.method, path, tc.ct, tc.body, tc.token)
		if code != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("%s %s %.40q: %d %s, want %d with %q", tc.method, tc.ct, tc.body, code, body, tc.code, tc.want)
		}
	}
	if lh.stored() != "- number: south\n" {
		t.Errorf("a refused PUT changed the stored lines: %q", lh.stored())
	}
	if code, body := lh.do(http.MethodGet, "/api/v1/portals/nobody/lines", "", "", adminToken); code != http.StatusNotFound {
		t.Errorf("unknown portal: %d %s", code, body)
	}
}
