package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/stats"
	"github.com/callbackline/callbackline/words"
)

// The app page's dashboard filter: its fields (from, to, line, all
// optional) come with every post of the page; the filter form posts them
// with the frame's fields and no action.
const (
	fromField = "from"
	toField   = "to"
	lineField = "line"
)

// dashView is the Dashboard section of the app page.
type dashView struct {
	*stats.Report
	From, To string   // the period's first and last day, as the date inputs take them
	Line     string   // the line chosen; "" for every line
	Lines    []string // the lines to choose from
	Error    string   // why the filter was not applied (the default period is shown), in the page's language
	Field    string   // the filter's field Error is about ("from", "to", "line")
	Chart    chart
	Outcomes []outcomeRow
	ByLine   []groupRow
	ByUser   []groupRow
	Failed   []failRow
	Share    string
	ToEmp    string // "median / 90th percentile"
	ToClient string
}

// outcomeRow is one outcome with its count and share of the requests.
type outcomeRow struct {
	Name, Label string
	N           int
	Percent     string
	Width       int // of the bar, out of 200
}

// groupRow is one line or employee in the dashboard's tables.
type groupRow struct {
	Key              string // a phrase of the page's catalogue, with Arg
	Arg              string
	Requests, Called int
	Share            string
	ToEmp, ToClient  string
	Outcomes         []int // in callbackline.Outcomes' order
}

// failRow is one failed request with the link to its CRM entity.
type failRow struct {
	stats.Failure
	Label   string // the outcome for people
	CRM     string // "LEAD 5785"
	CRMLink string // the entity's page in the portal; "" when unknown
}

// outcomeLabels name the outcomes for people.
var outcomeLabels = map[callbackline.Outcome]string{
	callbackline.OutcomeConnected:        "connected",
	callbackline.OutcomeAlreadyCalled:    "client already reached (closed automatically)",
	callbackline.OutcomeCancelled:        "cancelled by an administrator",
	callbackline.OutcomeClientNoAnswer:   "client did not answer",
	callbackline.OutcomeEmployeeNoAnswer: "no employee answered",
	callbackline.OutcomeOutsideHours:     "outside working hours",
	callbackline.OutcomeRejected:         "rejected (guard or limit)",
	callbackline.OutcomeFailed:           "failed (other reason)",
	callbackline.OutcomePending:          "still in progress",
}

// portalZone is the time zone the portal's page shows times in: the one
// its administrator chose, else its first line's (its own lines, else
// the service's), else UTC. chosen says it was chosen.
func (s *Server) portalZone(ctx context.Context, p *callbackline.Portal) (loc *time.Location, chosen bool, err error) {
	z, err := s.store.TimeZone(ctx, p.MemberID)
	switch {
	case err == nil:
		if loc, err := callbackline.LoadZone(z.Name); err == nil {
			return loc, true, nil
		}
	case callbackline.ErrorCode(err) != callbackline.ENOTFOUND:
		return nil, false, err
	}
	for _, l := range s.portalLines(ctx, p) {
		if l.Policy.Hours.Location != nil {
			return l.Policy.Hours.Location, false, nil
		}
		break
	}
	return time.UTC, false, nil
}

// portalLines are the portal's lines as the page knows them: its own,
// else the service's; none without Options.Settings or when they do not
// parse.
func (s *Server) portalLines(ctx context.Context, p *callbackline.Portal) []callbackline.Line {
	if s.settings == nil {
		return nil
	}
	text := s.settings.Default
	if st, err := s.store.Settings(ctx, p.MemberID); err == nil {
		text = st.Lines
	}
	lines, _ := s.parseLines(ctx, p, text)
	return lines
}

// The dashboard filter's errors, as the page's catalogue says them
// (words.Page) by their English.
const (
	filterNotFrom  = "the first day %q is not a date; write it as 2006-01-02"
	filterNotTo    = "the last day %q is not a date; write it as 2006-01-02"
	filterReversed = "the first day %s is after the last day %s"
	filterTooLong  = "the period is longer than %d days; choose a later first day"
	filterLineLong = "a line number is at most 64 characters"
)

// filterError is the field a filter error is about and what it says in
// lang: a stats.PeriodError from its kind and values, anything else as
// its message.
func filterError(lang string, err error) (field, msg string) {
	var pe *stats.PeriodError
	if !errors.As(err, &pe) {
		return "", callbackline.ErrorMessage(err)
	}
	switch pe.Kind {
	case stats.NotDate:
		key := filterNotFrom
		if pe.Field == toField {
			key = filterNotTo
		}
		msg = words.Page(lang, key, pe.Value)
	case stats.Reversed:
		msg = words.Page(lang, filterReversed, pe.Value, pe.Last)
	default:
		msg = words.Page(lang, filterTooLong, stats.MaxDays)
	}
	return pe.Field, msg
}

// dashboard is the Dashboard section for the filter in the form: a
// filter that does not parse shows the default period and says why.
func (s *Server) dashboard(r *http.Request, p *callbackline.Portal, loc *time.Location) (*dashView, error) {
	ctx := r.Context()
	v := &dashView{Line: strings.TrimSpace(r.PostForm.Get(lineField))}
	period, err := stats.ParsePeriod(strings.TrimSpace(r.PostForm.Get(fromField)), strings.TrimSpace(r.PostForm.Get(toField)), loc, s.now())
	if err != nil {
		v.Field, v.Error = filterError(pageLang(r, p), err)
		period, _ = stats.ParsePeriod("", "", loc, s.now())
	}
	if len(v.Line) > 64 {
		v.Field, v.Error, v.Line = lineField, words.Page(pageLang(r, p), filterLineLong), ""
	}
	rows, err := s.store.StatsRows(ctx, callbackline.StatsFilter{MemberID: p.MemberID, From: period.From, To: period.To, Line: v.Line})
	if err != nil {
		return nil, err
	}
	v.Report = stats.Compute(rows, period)
	v.From, v.To = period.From.Format(time.DateOnly), period.Last().Format(time.DateOnly)
	v.Lines = s.lineChoices(ctx, p, v.Report, v.Line)
	v.fill(p, pageLang(r, p))
	return v, nil
}

// lineChoices are the portal's lines, the lines of the report and the
// one chosen, each once.
func (s *Server) lineChoices(ctx context.Context, p *callbackline.Portal, r *stats.Report, chosen string) []string {
	seen := map[string]bool{"": true}
	var out []string
	add := func(n string) {
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, l := range s.portalLines(ctx, p) {
		add(l.Number)
	}
	for _, g := range r.Lines {
		add(g.Key)
	}
	add(chosen)
	return out
}

// fill derives what the template shows from the report, its times and
// CRM entities in the page's language lang.
func (v *dashView) fill(p *callbackline.Portal, lang string) {
	v.Chart = newChart(v.Days)
	v.Share, v.ToEmp, v.ToClient = percent(v.Connected, v.Requests), waits(v.Report.ToEmployee, lang), waits(v.Report.ToClient, lang)
	for _, c := range v.Report.Outcomes {
		row := outcomeRow{Name: string(c.Outcome), Label: outcomeLabels[c.Outcome], N: c.N, Percent: percent(c.N, v.Requests)}
		if v.Requests > 0 {
			row.Width = c.N * 200 / v.Requests
		}
		v.Outcomes = append(v.Outcomes, row)
	}
	v.ByLine, v.ByUser = groupRows(v.Report.Lines, lineName, lang), groupRows(v.Report.Employees, userName, lang)
	for _, f := range v.Report.Failed {
		v.Failed = append(v.Failed, failRow{Failure: f, Label: outcomeLabels[f.Outcome], CRM: crmName(f.CRMEntityType, f.CRMEntityID, lang), CRMLink: crmLink(p.Domain, f.CRMEntityType, f.CRMEntityID)})
	}
}

func groupRows(gs []stats.Group, name func(string) (string, string), lang string) []groupRow {
	out := make([]groupRow, 0, len(gs))
	for _, g := range gs {
		key, arg := name(g.Key)
		row := groupRow{Key: key, Arg: arg, Requests: g.Requests, Called: g.Connected, Share: percent(g.Connected, g.Requests),
			ToEmp: waits(g.ToEmployee, lang), ToClient: waits(g.ToClient, lang)}
		for _, c := range g.Outcomes {
			row.Outcomes = append(row.Outcomes, c.N)
		}
		out = append(out, row)
	}
	return out
}

// lineName is a line's row in the page's words: the phrase and its
// argument.
func lineName(k string) (string, string) {
	if k == "" {
		return "(the app's line)", ""
	}
	return "%s", k
}

// userName is an employee's row in the page's words.
func userName(k string) (string, string) {
	if k == "0" {
		return "(nobody called)", ""
	}
	return "user %s", k
}

// percent is n of total as "72 %"; "–" without a total.
func percent(n, total int) string {
	if total == 0 {
		return "–"
	}
	return strconv.Itoa((n*100+total/2)/total) + " %"
}

// waits is "median / 90th percentile" of d in lang; "–" without any.
func waits(d stats.Durations, lang string) string {
	if d.N == 0 {
		return "–"
	}
	return duration(d.Median, lang) + " / " + duration(d.P90, lang)
}

// The units of a duration on the page (duration).
const (
	durSeconds = "%d s"
	durMinutes = "%d min %02d s"
	durHours   = "%d h %02d min"
	durDays    = "%d d %d h"
)

// duration is d for people in lang: 42 s, 3 min 05 s, 2 h 05 min, 3 d 4 h.
func duration(d time.Duration, lang string) string {
	d = d.Round(time.Second)
	switch {
	case d < time.Minute:
		return words.Page(lang, durSeconds, int(d.Seconds()))
	case d < time.Hour:
		return words.Page(lang, durMinutes, int(d.Minutes()), int(d.Seconds())%60)
	case d < 48*time.Hour:
		return words.Page(lang, durHours, int(d.Hours()), int(d.Minutes())%60)
	}
	return words.Page(lang, durDays, int(d.Hours())/24, int(d.Hours())%24)
}

// crmName is "LEAD 5785", the entity's type in lang's words ("Лид
// 5785"); "" without an entity.
func crmName(typ string, id int64, lang string) string {
	if typ == "" || id == 0 {
		return ""
	}
	return words.Page(lang, typ) + " " + strconv.FormatInt(id, 10)
}

// crmPaths are the CRM entities' pages in a portal (docs/bitrix24.md §12.1).
var crmPaths = map[string]string{"LEAD": "lead", "CONTACT": "contact", "COMPANY": "company", "DEAL": "deal"}

// crmLink is the page of the CRM entity in the portal at domain; "" for
// an unknown entity type or domain.
func crmLink(domain, typ string, id int64) string {
	path, ok := crmPaths[typ]
	if !ok || id <= 0 || domain == "" || strings.ContainsAny(domain, "/?#@\\ ") {
		return ""
	}
	u := url.URL{Scheme: "https", Host: domain, Path: "/crm/" + path + "/details/" + strconv.FormatInt(id, 10) + "/"}
	return u.String()
}
