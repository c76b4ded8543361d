package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/web"
)

// savedCall is one run of Settings.Saved.
type savedCall struct {
	portal *callbackline.Portal
	lines  []callbackline.Line
}

// linesHarness is the harness with the app page's line editor, parsing
// with the default configuration's PortalLines as cmd does, and recording
// the runs of Saved.
type linesHarness struct {
	*harness
	mu    sync.Mutex
	saved []savedCall
	ran   chan struct{}
}

func newLinesHarness(t *testing.T) *linesHarness {
	t.Helper()
	return newLinesHarnessWith(t, config.Default())
}

// newLinesHarnessWith is newLinesHarness with the configuration cfg.
func newLinesHarnessWith(t *testing.T, cfg *config.Config) *linesHarness {
	t.Helper()
	def, err := config.FormatLines(cfg.Lines)
	if err != nil {
		t.Fatal(err)
	}
	lh := &linesHarness{ran: make(chan struct{}, 10)}
	lh.harness = newHarnessWith(t, openSQLite(t), intake.Rules{}, testLogger(t), func(o *web.Options) {
		o.Settings = &web.Settings{
			Parse:   cfg.PortalLinesFor,
			Default: def,
			Saved: func(ctx context.Context, p *callbackline.Portal, lines []callbackline.Line) error {
				lh.mu.Lock()
				lh.saved = append(lh.saved, savedCall{p, lines})
				lh.mu.Unlock()
				lh.ran <- struct{}{}
				return nil
			},
			Form: &web.LineForm{Fields: config.FieldsOf, Text: config.FieldsText, Key: config.FieldKey},
		}
		c := bitrix24.NewClient(o.OAuth, o.Store)
		o.Users = &web.Users{Search: c.SearchUsers, Get: c.UsersByID}
	})
	lh.install()
	lh.portal.ResetRequests() // the installation asked user.admin
	return lh
}

// calls returns the runs of Saved so far.
func (lh *linesHarness) calls() []savedCall {
	lh.mu.Lock()
	defer lh.mu.Unlock()
	return append([]savedCall(nil), lh.saved...)
}

// stored returns the portal's stored lines, "" when it has none.
func (lh *linesHarness) stored() string {
	lh.t.Helper()
	st, err := lh.store.Settings(context.Background(), exampleMember)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return ""
	}
	if err != nil {
		lh.t.Fatal(err)
	}
	return st.Lines
}

// page posts the frame's form to the app page.
func (lh *linesHarness) page(form url.Values) (int, string) {
	lh.t.Helper()
	res, err := http.PostForm(lh.url("/bitrix24/app?DOMAIN=example.bitrix24.de&PROTOCOL=1&LANG=en"), form)
	if err != nil {
		lh.t.Fatal(err)
	}
	return res.StatusCode, readAll(lh.t, res)
}

// save posts lines with action=save_lines as the page's form does.
func (lh *linesHarness) save(appToken, authID, lines string) (int, string) {
	lh.t.Helper()
	return lh.page(url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {appToken}, "AUTH_ID": {authID},
		"action": {"save_lines"}, "lines": {lines}})
}

const northLines = `- number: north
  name: North
  employees: [1269, 1272]
  policy:
    ring_mode: all
    client_attempts: 2
    hours:
      time_zone: Europe/Berlin
      monday: ["09:00-18:00"]
`

// The page of an opened frame shows the service's lines in the editor
// while the portal has none of its own, with the frame's fields to post
// them back.
func TestAppLinesShowsDefault(t *testing.T) {
	lh := newLinesHarness(t)
	admin := lh.portal.IssueTokens(1)
	code, page := lh.page(url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "AUTH_ID": {admin.AccessToken}})
	if code != http.StatusOK {
		t.Fatalf("app page: %d %s", code, page)
	}
	for _, want := range []string{
		`<textarea`, `name="lines"`, "- number: callbackline", "no lines of its own",
		`<tr class="line"><td>callbackline</td><td>callbackline</td><td>the CRM responsible</td><td>sequential</td>`,
		`name="action" value="save_lines"`, `name="AUTH_ID" value="` + admin.AccessToken + `"`,
		`name="APPLICATION_TOKEN" value="` + exampleToken + `"`, `maxlength="32768"`,
		"employee_ring_timeout", "require_accept", "time_zone", "holidays", "target_user",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
	if len(lh.portal.RESTCalls("user.admin")) != 0 {
		t.Error("showing the page asked the portal about the user")
	}
}

// An administrator saves valid lines: they are stored as typed, Saved
// runs with the parsed lines, and the page shows them.
func TestAppLinesAdminSaves(t *testing.T) {
	lh := newLinesHarness(t)
	admin := lh.portal.IssueTokens(1)
	code, page := lh.save(exampleToken, admin.AccessToken, strings.ReplaceAll(northLines, "\n", "\r\n"))
	if code != http.StatusOK || !strings.Contains(page, `class="saved"`) {
		t.Fatalf("save: %d %s", code, page)
	}
	if want := `<tr class="line"><td>north</td><td>North</td><td>employees 1269, 1272</td><td>all</td><td>Europe/Berlin</td></tr>`; !strings.Contains(page, want) {
		t.Errorf("the page lacks %q:\n%s", want, page)
	}
	if got := lh.stored(); got != northLines {
		t.Errorf("stored %q, want %q", got, northLines)
	}
	select {
	case <-lh.ran:
	case <-time.After(time.Minute):
		t.Fatal("Saved did not run")
	}
	calls := lh.calls()
	if len(calls) != 1 || calls[0].portal.MemberID != exampleMember || len(calls[0].lines) != 1 {
		t.Fatalf("Saved ran %+v", calls)
	}
	l := calls[0].lines[0]
	if l.Number != "north" || l.Policy.RingMode != callbackline.RingAll || l.Policy.ClientAttempts != 2 || len(l.Employees) != 2 {
		t.Errorf("Saved got %+v", l)
	}
	// The stored endpoint was asked, once.
	if n := len(lh.portal.RESTCalls("user.admin")); n != 1 {
		t.Errorf("user.admin asked %d times", n)
	}

	// Opened again, the page shows the portal's own lines.
	code, page = lh.page(url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "AUTH_ID": {admin.AccessToken}})
	if code != http.StatusOK || !strings.Contains(page, "This portal&#39;s own lines") || !strings.Contains(page, "- number: north") ||
		strings.Contains(page, "number: callbackline") || strings.Contains(page, `class="saved"`) {
		t.Errorf("reopened page: %d %s", code, page)
	}
}

// Only an administrator's AUTH_ID saves: any other user, a token the
// portal does not know or none gets 403 and nothing is stored.
func TestAppLinesNonAdminRefused(t *testing.T) {
	lh := newLinesHarness(t)
	user := lh.portal.IssueTokens(1269)
	for name, auth := range map[string]string{"employee": user.AccessToken, "unknown token": "0123456789abcdef", "no token": ""} {
		code, page := lh.save(exampleToken, auth, northLines)
		if code != http.StatusForbidden || !strings.Contains(page, "only an administrator of the portal can change the lines") ||
			!strings.Contains(page, "- number: north") || strings.Contains(page, `class="saved"`) {
			t.Errorf("%s: %d %s", name, code, page)
		}
	}
	if got := lh.stored(); got != "" {
		t.Errorf("stored %q", got)
	}
	time.Sleep(50 * time.Millisecond)
	if calls := lh.calls(); len(calls) != 0 {
		t.Errorf("Saved ran: %+v", calls)
	}
}

// A wrong APPLICATION_TOKEN (or a GET) is answered 401 with no data, and
// the portal is not even asked about the user.
func TestAppLinesWrongApplicationToken(t *testing.T) {
	lh := newLinesHarness(t)
	admin := lh.portal.IssueTokens(1)
	code, page := lh.save("51610fefc120afa4b628cc82d6298ccf", admin.AccessToken, northLines)
	if code != http.StatusUnauthorized || strings.Contains(page, "<textarea") || strings.Contains(page, "north") ||
		!strings.Contains(page, "Open this page from your Bitrix24 portal") {
		t.Errorf("wrong application token: %d %s", code, page)
	}
	q := url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "AUTH_ID": {admin.AccessToken},
		"action": {"save_lines"}, "lines": {northLines}}
	code, page = lh.get("/bitrix24/app?"+q.Encode(), "")
	if code != http.StatusUnauthorized || strings.Contains(page, "<textarea") {
		t.Errorf("GET: %d %s", code, page)
	}
	if got := lh.stored(); got != "" {
		t.Errorf("stored %q", got)
	}
	if n := len(lh.portal.RESTCalls("user.admin")); n != 0 {
		t.Errorf("user.admin asked %d times", n)
	}
}

// Lines that do not parse are shown back as typed (escaped) with every
// error naming its key; nothing is stored.
func TestAppLinesInvalid(t *testing.T) {
	lh := newLinesHarness(t)
	admin := lh.portal.IssueTokens(1)
	text := "- number: x\n  name: \"</textarea><script>alert(1)</script>\"\n  employees: [0]\n  policy:\n    client_attempts: 0\n"
	code, page := lh.save(exampleToken, admin.AccessToken, text)
	if code != http.StatusUnprocessableEntity || strings.Contains(page, `class="saved"`) {
		t.Fatalf("invalid lines: %d %s", code, page)
	}
	for _, want := range []string{"lines[0].employees", "lines[0].policy.client_attempts", "at least 1",
		"&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;", "the lines have errors"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "<script>") {
		t.Errorf("the typed text was not escaped:\n%s", page)
	}
	if n := strings.Count(page, `<li class="error">`); n != 2 {
		t.Errorf("%d errors shown, want 2:\n%s", n, page)
	}
	for text, want := range map[string]string{"- [": "not valid YAML", "- number: x\n  employes: [1]\n": "lines[0].employes: is not a known key; did you mean lines[0].employees?"} {
		if code, page := lh.save(exampleToken, admin.AccessToken, text); code != http.StatusUnprocessableEntity || !strings.Contains(page, want) {
			t.Errorf("%q: %d %s", text, code, page)
		}
	}
	if got := lh.stored(); got != "" {
		t.Errorf("stored %q", got)
	}
	if calls := lh.calls(); len(calls) != 0 {
		t.Errorf("Saved ran: %+v", calls)
	}
}

// Without Options.Settings the page shows no editor and saves nothing.
func TestAppLinesDisabled(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	admin := h.portal.IssueTokens(1)
	form := url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "AUTH_ID": {admin.AccessToken}}
	res, err := http.PostForm(h.url("/bitrix24/app"), form)
	if err != nil {
		t.Fatal(err)
	}
	if page := readAll(t, res); res.StatusCode != http.StatusOK || strings.Contains(page, `name="lines"`) || strings.Contains(page, `value="save_lines"`) {
		t.Errorf("page without Settings: %d %s", res.StatusCode, page)
	}
	form.Set("action", "save_lines")
	form.Set("lines", northLines)
	res, err = http.PostForm(h.url("/bitrix24/app"), form)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.StatusCode != http.StatusForbidden || errorCode(t, body) != callbackline.EFORBIDDEN {
		t.Errorf("save without Settings: %d %s", res.StatusCode, body)
	}
	if _, err := h.store.Settings(context.Background(), exampleMember); callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
		t.Errorf("stored: %v", err)
	}
}
