package web_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestCallerIDsAPI: the operator assigns caller IDs to a portal over the
// API (GET|PUT /api/v1/portals/{member_id}/caller_ids). Only the
// operator's token does it; numbers that are not E.164 or listed twice
// are refused, nothing saved. An assigned number counts like one the
// configuration assigns: a line showing it is saved, before it was
// refused; another portal's number stays refused.
func TestCallerIDsAPI(t *testing.T) {
	lh := boundedHarness(t)
	path := "/api/v1/portals/" + exampleMember + "/caller_ids"
	lines := "/api/v1/portals/" + exampleMember + "/lines"
	assigned := "- number: north\n  caller_id: \"+4930999999\"\n"
	if code, body := lh.do(http.MethodPut, lines, "text/yaml", assigned, adminToken); code != http.StatusBadRequest || !strings.Contains(body, "lines[0].caller_id") {
		t.Fatalf("a line with a number nobody assigned: %d %s", code, body)
	}
	for _, tok := range []string{"", "wrong-token", exampleToken} {
		if code, body := lh.do(http.MethodPut, path, "application/json", `{"caller_ids": ["+4930999999"]}`, tok); code != http.StatusUnauthorized {
			t.Errorf("PUT with token %q: %d %s", tok, code, body)
		}
	}
	for _, body := range []string{`{"caller_ids": ["0309999999"]}`, `{"caller_ids": ["+49 30 999999"]}`, `{"caller_ids": ["*8101"]}`,
		`{"caller_ids": ["+4930999999", "+4930999999"]}`, `{"caller_ids": "+4930999999"}`, `{}`, `not json`} {
		if code, got := lh.do(http.MethodPut, path, "application/json", body, adminToken); code != http.StatusBadRequest {
			t.Errorf("PUT %s: %d %s", body, code, got)
		}
	}
	if code, body := lh.do(http.MethodGet, path, "", "", adminToken); code != http.StatusOK || !strings.Contains(body, `"caller_ids":[]`) {
		t.Fatalf("GET after refused PUTs: %d %s", code, body)
	}
	if code, body := lh.do(http.MethodPut, path, "application/json", `{"caller_ids": ["+4930999999"]}`, adminToken); code != http.StatusOK ||
		!strings.Contains(body, `"caller_ids":["+4930999999"]`) {
		t.Fatalf("PUT: %d %s", code, body)
	}
	if code, body := lh.do(http.MethodPut, lines, "text/yaml", assigned, adminToken); code != http.StatusOK {
		t.Fatalf("a line with the assigned number: %d %s", code, body)
	}
	if got := lh.stored(); got != assigned {
		t.Errorf("stored %q", got)
	}
	// Still not the other portal's number, nor on the other portal.
	if code, body := lh.do(http.MethodPut, lines, "text/yaml", strings.Replace(assigned, "+4930999999", "+4930222222", 1), adminToken); code != http.StatusBadRequest {
		t.Errorf("the other portal's number: %d %s", code, body)
	}
	if code, body := lh.do(http.MethodGet, "/api/v1/portals/nobody/caller_ids", "", "", adminToken); code != http.StatusNotFound {
		t.Errorf("an unknown portal: %d %s", code, body)
	}
}
