package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/stats"
	"github.com/callbackline/callbackline/stats/statstest"
	"github.com/callbackline/callbackline/web"
)

// dashLines are a company's three lines; the first one's time zone is the
// page's until the administrator chooses one.
const dashLines = `- number: sales
  name: Sales
  employees: [12, 34]
  policy:
    hours:
      time_zone: Europe/Berlin
      monday: ["08:00-20:00"]
      tuesday: ["08:00-20:00"]
      wednesday: ["08:00-20:00"]
      thursday: ["08:00-20:00"]
      friday: ["08:00-20:00"]
- number: support
  name: Support
  employees: [56, 78]
- number: service
  name: Service
  employees: [90]
`

// dashNow is the harness's clock: the default period is November 2026.
var dashNow = time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)

// newDashHarness is a harness with the company's lines and a fixed clock.
func newDashHarness(t *testing.T) *harness {
	t.Helper()
	cfg := config.Default()
	h := newHarnessWith(t, openSQLite(t), intake.Rules{}, testLogger(t), func(o *web.Options) {
		o.Settings = &web.Settings{Parse: cfg.PortalLinesFor, Default: dashLines}
		o.Now = func() time.Time { return dashNow }
	})
	h.install()
	return h
}

// generateMonth writes November 2026 (Berlin) into the harness's store.
func generateMonth(t *testing.T, h *harness) *statstest.Truth {
	t.Helper()
	loc := berlin(t)
	truth, err := statstest.Generate(context.Background(), h.store, statstest.Options{
		MemberID: exampleMember, Location: loc, First: time.Date(2026, 11, 1, 0, 0, 0, 0, loc), Days: 30, PerDay: 12,
		Lines: []string{"sales", "support", "service"}, Employees: []int64{12, 34, 56, 78, 90}, Seed: 2026,
	})
	if err != nil {
		t.Fatal(err)
	}
	return truth
}

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := callbackline.LoadZone("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDashboard writes a month of history once (writing it is the slow
// part) and checks the API, the page and the screenshots against it; the
// empty dashboard is taken first.
func TestDashboard(t *testing.T) {
	h := newDashHarness(t)
	frame := newFrame(t, h)
	t.Run("EmptyScreenshot", func(t *testing.T) { testEmptyScreenshot(t, frame) })
	truth := generateMonth(t, h)
	t.Run("API", func(t *testing.T) { testStatsAPI(t, h, truth) })
	t.Run("Page", func(t *testing.T) { testDashboardPage(t, h, truth) })
	t.Run("MonthScreenshot", func(t *testing.T) { testMonthScreenshot(t, frame, truth) })
}

// testStatsAPI: GET /api/v1/stats gives, for a month of history, exactly
// the figures the history was written with; the period is the portal's
// days; its inputs are checked, naming the parameter.
func testStatsAPI(t *testing.T, h *harness, truth *statstest.Truth) {
	code, body := h.get("/api/v1/stats?member_id="+exampleMember+"&from=2026-11-01&to=2026-11-30", adminToken)
	if code != http.StatusOK {
		t.Fatalf("stats: %d %s", code, body)
	}
	var got apiStats
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.TimeZone != "Europe/Berlin" || got.From != "2026-11-01" || got.To != "2026-11-30" || len(got.Days) != 30 {
		t.Errorf("period %s %s – %s, %d days", got.TimeZone, got.From, got.To, len(got.Days))
	}
	if err := truth.Check(got.report()); err != nil {
		t.Error(err)
	}
	// One line only.
	code, body = h.get("/api/v1/stats?member_id="+exampleMember+"&from=2026-11-01&to=2026-11-30&line=support", adminToken)
	var line apiStats
	if err := json.Unmarshal([]byte(body), &line); code != http.StatusOK || err != nil || line.Requests != truth.Lines["support"].Requests || len(line.Lines) != 1 {
		t.Errorf("line support: %d %d requests, want %d (%v)", code, line.Requests, truth.Lines["support"].Requests, err)
	}
	for _, c := range []struct {
		query, token string
		status       int
		want         string
	}{
		{"member_id=" + exampleMember, "", http.StatusUnauthorized, ""},
		{"", adminToken, http.StatusBadRequest, "member_id"},
		{"member_id=nobody", adminToken, http.StatusNotFound, ""},
		{"member_id=" + exampleMember + "&from=2026-11-31", adminToken, http.StatusBadRequest, "from:"},
		{"member_id=" + exampleMember + "&from=2020-01-01&to=2026-01-01", adminToken, http.StatusBadRequest, "from:"},
		{"member_id=" + exampleMember + "&line=" + strings.Repeat("x", 65), adminToken, http.StatusBadRequest, "line:"},
	} {
		code, body := h.get("/api/v1/stats?"+c.query, c.token)
		if code != c.status || !strings.Contains(body, c.want) {
			t.Errorf("stats?%s: %d %s, want %d naming %q", c.query, code, body, c.status, c.want)
		}
	}
}

// apiStats is GET /api/v1/stats's answer as a client reads it.
type apiStats struct {
	TimeZone string `json:"time_zone"`
	From, To string
	apiFigures
	Days []struct {
		Date                string
		Requests, Connected int
	}
	Lines     []apiGroup
	Employees []apiGroup
	Failed    []struct {
		ID            int64
		ReceivedAt    time.Time `json:"received_at"`
		Line, Reason  string
		Outcome       callbackline.Outcome
		CRMEntityType string `json:"crm_entity_type"`
		CRMEntityID   int64  `json:"crm_entity_id"`
	}
	MoreFailed int `json:"more_failed"`
}

type apiFigures struct {
	Requests, Connected int
	Share               float64
	ToEmployee          apiDurations `json:"to_employee"`
	ToClient            apiDurations `json:"to_client"`
	Outcomes            map[callbackline.Outcome]int
}

type apiDurations struct {
	Count  int
	Median float64 `json:"median_seconds"`
	P90    float64 `json:"p90_seconds"`
}

type apiGroup struct {
	Line   string
	UserID *int64 `json:"user_id"`
	apiFigures
}

// report is the answer as a stats.Report, for statstest.Truth.Check.
func (a apiStats) report() *stats.Report {
	r := &stats.Report{Figures: a.apiFigures.figures(), MoreFailed: a.MoreFailed}
	for _, d := range a.Days {
		r.Days = append(r.Days, stats.Day{Date: d.Date, Requests: d.Requests, Connected: d.Connected})
	}
	for _, g := range a.Lines {
		r.Lines = append(r.Lines, stats.Group{Key: g.Line, Figures: g.figures()})
	}
	for _, g := range a.Employees {
		r.Employees = append(r.Employees, stats.Group{Key: strconv.FormatInt(*g.UserID, 10), Figures: g.figures()})
	}
	for _, f := range a.Failed {
		r.Failed = append(r.Failed, stats.Failure{ID: f.ID, At: f.ReceivedAt, Line: f.Line, Outcome: f.Outcome, Reason: f.Reason,
			CRMEntityType: f.CRMEntityType, CRMEntityID: f.CRMEntityID})
	}
	return r
}

func (f apiFigures) figures() stats.Figures {
	d := func(a apiDurations) stats.Durations {
		return stats.Durations{N: a.Count, Median: time.Duration(a.Median * float64(time.Second)), P90: time.Duration(a.P90 * float64(time.Second))}
	}
	out := stats.Figures{Requests: f.Requests, Connected: f.Connected, Share: f.Share, ToEmployee: d(f.ToEmployee), ToClient: d(f.ToClient)}
	for _, o := range callbackline.Outcomes() {
		out.Outcomes = append(out.Outcomes, stats.Count{Outcome: o, N: f.Outcomes[o]})
	}
	return out
}

// testDashboardPage: the app page's dashboard shows the month's figures
// as written, per day in the portal's zone; the filter narrows it to a
// line and a period, and says what is wrong with a bad one; failed
// requests link to their CRM entity in the portal.
func testDashboardPage(t *testing.T, h *harness, truth *statstest.Truth) {
	page := h.appPage(url.Values{})
	if got := between(page, `id="requests">`, "<"); got != strconv.Itoa(truth.Requests) {
		t.Errorf("requests %q, want %d", got, truth.Requests)
	}
	if got, want := between(page, `id="share">`, "<"), fmt.Sprintf("%d %%", (truth.Connected*100+truth.Requests/2)/truth.Requests); got != want {
		t.Errorf("share %q, want %q", got, want)
	}
	for date, d := range truth.Days {
		if want := fmt.Sprintf("<title>%s: %d requests, %d called back</title>", date, d.Requests, d.Connected); !strings.Contains(page, want) {
			t.Errorf("the chart lacks %s", want)
		}
	}
	for o, n := range truth.Outcomes {
		if !regexp.MustCompile(`data-outcome="` + string(o) + `"><td>[^<]*</td><td class="num">` + strconv.Itoa(n) + `<`).MatchString(page) {
			t.Errorf("outcome %s is not %d", o, n)
		}
	}
	id := truth.FailedIDs[0] // the newest: the page lists the newest 100
	for _, f := range truth.FailedIDs {
		if truth.CreatedOfID[f].After(truth.CreatedOfID[id]) {
			id = f
		}
	}
	p, err := h.store.Portal(context.Background(), exampleMember)
	if err != nil {
		t.Fatal(err)
	}
	link := fmt.Sprintf(`href="https://%s/crm/lead/details/%d/"`, p.Domain, truth.CRMOfID[id])
	if !strings.Contains(page, link) || !strings.Contains(page, "times in Europe/Berlin") {
		t.Errorf("the page lacks %s or the zone:\n%s", link, between(page, `id="failed"`, "</table>"))
	}
	page = h.appPage(url.Values{"from": {"2026-11-02"}, "to": {"2026-11-02"}, "line": {"support"}})
	want := 0
	for id, at := range truth.CreatedOfID {
		if truth.LineOfID[id] == "support" && at.In(berlin(t)).Format(time.DateOnly) == "2026-11-02" {
			want++
		}
	}
	if got := between(page, `id="requests">`, "<"); got != strconv.Itoa(want) || !strings.Contains(page, "2026-11-02 – 2026-11-02, line support") {
		t.Errorf("filtered: %q requests, want %d", got, want)
	}
	page = h.appPage(url.Values{"from": {"2026-11-31"}})
	if !strings.Contains(page, "the first day &#34;2026-11-31&#34; is not a date") || between(page, `id="requests">`, "<") != strconv.Itoa(truth.Requests) {
		t.Errorf("a bad filter does not say so or does not show the default period")
	}
	page = h.appPage(url.Values{"LANG": {"de"}, "to": {"2026-11-31"}})
	if !strings.Contains(page, "der letzte Tag &#34;2026-11-31&#34; ist kein Datum; geben Sie ihn im Format 2006-01-02 an") ||
		!strings.Contains(page, `name="to" value="2026-11-30" required class="invalid" aria-invalid="true" aria-describedby="filter-error"`) ||
		strings.Contains(page, "is not a date") {
		t.Errorf("a German page with a bad last day does not say so in German next to the field:\n%s", between(page, `class="filter"`, `class="period"`))
	}
	page = h.appPage(url.Values{"LANG": {"ru"}, "from": {"2026-11-10"}, "to": {"2026-11-09"}})
	if !strings.Contains(page, "первый день 2026-11-10 позже последнего дня 2026-11-09") || !strings.Contains(page, `name="from" value="2026-11-01" required class="invalid" aria-invalid="true" aria-describedby="filter-error">`) {
		t.Errorf("a Russian page with a reversed period does not say so in Russian:\n%s", between(page, `class="filter"`, `class="period"`))
	}
}

// appPage posts the frame's fields and more to the app page; it must
// answer 200.
func (h *harness) appPage(more url.Values) string {
	h.t.Helper()
	form := url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "LANG": {"en"}}
	for k, v := range more {
		form[k] = v
	}
	res, err := http.PostForm(h.url("/bitrix24/app"), form)
	if err != nil {
		h.t.Fatal(err)
	}
	page := readAll(h.t, res)
	if res.StatusCode != http.StatusOK {
		h.t.Fatalf("app page: %d %s", res.StatusCode, page)
	}
	return page
}

// between is the text of s after start up to end; "" when absent.
func between(s, start, end string) string {
	_, rest, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, end)
	return v
}

// TestTimeZoneSave: the page's times follow the first line's zone until an
// administrator chooses one; an employee cannot, an unknown zone is
// refused naming the field, and a chosen zone moves the dashboard's days.
func TestTimeZoneSave(t *testing.T) {
	h := newDashHarness(t)
	admin, employee := h.portal.IssueTokens(1), h.portal.IssueTokens(1269)
	save := func(auth, zone string) (int, string) {
		form := url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "LANG": {"en"}, "AUTH_ID": {auth},
			"action": {"save_time_zone"}, "time_zone": {zone}}
		res, err := http.PostForm(h.url("/bitrix24/app"), form)
		if err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, readAll(t, res)
	}
	if page := h.appPage(url.Values{}); !strings.Contains(page, "times in Europe/Berlin") || !strings.Contains(page, "the first line&#39;s") {
		t.Error("the page does not use the first line's time zone")
	}
	if code, page := save(employee.AccessToken, "Asia/Yekaterinburg"); code != http.StatusForbidden || !strings.Contains(page, "only an administrator") {
		t.Errorf("an employee's save: %d", code)
	}
	if code, page := save(admin.AccessToken, "Mars/Olympus"); code != http.StatusUnprocessableEntity || !strings.Contains(page, `time_zone: &#34;Mars/Olympus&#34; is not a known IANA time zone`) {
		t.Errorf("an unknown zone: %d", code)
	}
	if _, err := h.store.TimeZone(context.Background(), exampleMember); callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
		t.Fatalf("refused saves stored a zone: %v", err)
	}
	// A request at 20:30 UTC on 1 November is on 2 November in Yekaterinburg (UTC+5).
	_, err := h.store.Intake(context.Background(), callbackline.IntakeRequest{Callback: &callbackline.Callback{
		MemberID: exampleMember, Kind: callbackline.KindCallback, State: callbackline.StateReceived, Phone: "+4930123456",
		LineNumber: "sales", CreatedAt: time.Date(2026, 11, 1, 20, 30, 0, 0, time.UTC)}})
	if err != nil {
		t.Fatal(err)
	}
	if code, page := save(admin.AccessToken, "Asia/Yekaterinburg"); code != http.StatusOK || !strings.Contains(page, "times in Asia/Yekaterinburg") ||
		!strings.Contains(page, "<title>2026-11-02: 1 requests") || !strings.Contains(page, "2026-11-02 01:30:00") {
		t.Errorf("an administrator's save: %d", code)
	}
	if page := h.appPage(url.Values{}); !strings.Contains(page, "chosen for the portal") || !strings.Contains(page, "received (Asia/Yekaterinburg)") {
		t.Error("the chosen zone is not kept")
	}
}
