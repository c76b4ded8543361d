package web_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/config"
)

// hostileLines stretch every bound a portal's line has, and show another
// portal's number.
const hostileLines = `- number: north
  caller_id: "+4930222222"
  policy:
    client_attempts: 100000
    client_retry_after: 1s
    employee_rounds: 1000000
    max_age: 87600h
`

// hostileKeys are the keys hostileLines must be refused under.
var hostileKeys = []string{
	"lines[0].caller_id", "lines[0].policy.client_attempts", "lines[0].policy.client_retry_after",
	"lines[0].policy.employee_rounds", "lines[0].policy.max_age",
}

// boundedHarness is the lines harness with the operator's bounds and
// each of two portals' own caller ID.
func boundedHarness(t *testing.T) *linesHarness {
	cfg := config.Default()
	cfg.Portals = []config.Portal{
		{MemberID: exampleMember, CallerIDs: []string{"+4930111111"}},
		{MemberID: "9c8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f", CallerIDs: []string{"+4930222222"}},
	}
	return newLinesHarnessWith(t, cfg)
}

// A portal's administrator cannot save lines past the operator's bounds
// or with another portal's (or nobody's) caller ID on the app page: 422,
// each key named, nothing stored or registered; lines within them with
// the portal's own number are saved.
func TestAppLinesBounded(t *testing.T) {
	lh := boundedHarness(t)
	admin := lh.portal.IssueTokens(1)
	for _, text := range []string{hostileLines, strings.Replace(hostileLines, "+4930222222", "+4930999999", 1)} {
		code, page := lh.save(exampleToken, admin.AccessToken, text)
		if code != http.StatusUnprocessableEntity || strings.Contains(page, `class="saved"`) {
			t.Fatalf("hostile lines: %d %s", code, page)
		}
		for _, key := range hostileKeys {
			if !strings.Contains(page, key+":") {
				t.Errorf("the page does not name %s:\n%s", key, page)
			}
		}
		for _, want := range []string{"portal_limits.client_attempts", "not a number the operator assigned to this portal"} {
			if !strings.Contains(page, want) {
				t.Errorf("the page lacks %q:\n%s", want, page)
			}
		}
	}
	if got := lh.stored(); got != "" {
		t.Errorf("stored %q", got)
	}
	if calls := lh.calls(); len(calls) != 0 {
		t.Errorf("Saved ran: %+v", calls)
	}

	genuine := "- number: north\n  caller_id: \"+4930111111\"\n  policy:\n    client_attempts: 5\n    client_retry_after: 2m\n    max_age: 72h\n"
	code, page := lh.save(exampleToken, admin.AccessToken, genuine)
	if code != http.StatusOK || !strings.Contains(page, `class="saved"`) {
		t.Fatalf("genuine lines: %d %s", code, page)
	}
	if got := lh.stored(); got != genuine {
		t.Errorf("stored %q, want %q", got, genuine)
	}
	select {
	case <-lh.ran:
	case <-time.After(time.Minute):
		t.Fatal("Saved did not run")
	}
	if l := lh.calls()[0].lines[0]; l.CallerID != "+4930111111" || l.Policy.ClientAttempts != 5 {
		t.Errorf("Saved got %+v", l)
	}
}

// The operator API refuses the same lines the same way (400, each key
// named) and keeps the portal's saved lines.
func TestPortalLinesAPIBounded(t *testing.T) {
	lh := boundedHarness(t)
	path := "/api/v1/portals/" + exampleMember + "/lines"
	genuine := "- number: north\n  caller_id: \"+4930111111\"\n"
	if code, body := lh.do(http.MethodPut, path, "text/yaml", genuine, adminToken); code != http.StatusOK {
		t.Fatalf("genuine PUT: %d %s", code, body)
	}
	code, body := lh.do(http.MethodPut, path, "text/yaml", hostileLines, adminToken)
	if code != http.StatusBadRequest || !strings.Contains(body, "the lines were not saved") {
		t.Fatalf("hostile PUT: %d %s", code, body)
	}
	for _, key := range hostileKeys {
		if !strings.Contains(body, key+":") {
			t.Errorf("the answer does not name %s: %s", key, body)
		}
	}
	if got := lh.stored(); got != genuine {
		t.Errorf("a refused PUT changed the stored lines: %q", got)
	}
}
