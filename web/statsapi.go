package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/stats"
)

// statsJSON is a dashboard's report as GET /api/v1/stats shows it.
type statsJSON struct {
	MemberID string `json:"member_id"`
	TimeZone string `json:"time_zone"`
	From     string `json:"from"` // the first day
	To       string `json:"to"`   // the last day, included
	Line     string `json:"line,omitempty"`
	figuresJSON
	Days       []dayJSON     `json:"days"`
	Lines      []groupJSON   `json:"lines"`
	Employees  []groupJSON   `json:"employees"`
	Failed     []failureJSON `json:"failed"`
	MoreFailed int           `json:"more_failed"`
}

type figuresJSON struct {
	Requests   int            `json:"requests"`
	Connected  int            `json:"connected"`
	Share      float64        `json:"share"`
	ToEmployee durationsJSON  `json:"to_employee"`
	ToClient   durationsJSON  `json:"to_client"`
	Outcomes   map[string]int `json:"outcomes"`
}

type durationsJSON struct {
	Count         int     `json:"count"`
	MedianSeconds float64 `json:"median_seconds"`
	P90Seconds    float64 `json:"p90_seconds"`
}

type dayJSON struct {
	Date      string `json:"date"`
	Requests  int    `json:"requests"`
	Connected int    `json:"connected"`
}

type groupJSON struct {
	Line   string `json:"line,omitempty"`
	UserID *int64 `json:"user_id,omitempty"`
	figuresJSON
}

type failureJSON struct {
	ID            int64     `json:"id"`
	ReceivedAt    time.Time `json:"received_at"`
	Line          string    `json:"line"`
	Outcome       string    `json:"outcome"`
	Reason        string    `json:"reason"`
	CRMEntityType string    `json:"crm_entity_type"`
	CRMEntityID   int64     `json:"crm_entity_id"`
}

// handleStats answers a portal's dashboard figures for the operator: GET
// /api/v1/stats?member_id=&from=&to=&line= (bearer admin token; days
// 2006-01-02 in the portal's time zone, the last 30 by default).
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet) || !s.authorize(w, r) {
		return
	}
	q := r.URL.Query()
	if q.Get("member_id") == "" {
		s.writeError(w, r, callbackline.Errorf(callbackline.EINVALID, "member_id: name the portal (GET /api/v1/portals lists them)"))
		return
	}
	p, err := s.store.Portal(r.Context(), q.Get("member_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	loc, _, err := s.portalZone(r.Context(), p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	period, err := stats.ParsePeriod(strings.TrimSpace(q.Get("from")), strings.TrimSpace(q.Get("to")), loc, s.now())
	if err == nil && len(q.Get("line")) > 64 {
		err = callbackline.Errorf(callbackline.EINVALID, "line: a line number is at most 64 characters")
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rows, err := s.store.StatsRows(r.Context(), callbackline.StatsFilter{MemberID: p.MemberID, From: period.From, To: period.To, Line: q.Get("line")})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, toStatsJSON(p.MemberID, q.Get("line"), stats.Compute(rows, period)))
}

func toStatsJSON(member, line string, r *stats.Report) statsJSON {
	out := statsJSON{MemberID: member, TimeZone: r.Period.Location.String(), From: r.Period.From.Format(time.DateOnly),
		To: r.Period.Last().Format(time.DateOnly), Line: line, figuresJSON: toFiguresJSON(r.Figures),
		Days: []dayJSON{}, Lines: []groupJSON{}, Employees: []groupJSON{}, Failed: []failureJSON{}, MoreFailed: r.MoreFailed}
	for _, d := range r.Days {
		out.Days = append(out.Days, dayJSON(d))
	}
	for _, g := range r.Lines {
		out.Lines = append(out.Lines, groupJSON{Line: g.Key, figuresJSON: toFiguresJSON(g.Figures)})
	}
	for _, g := range r.Employees {
		id, _ := strconv.ParseInt(g.Key, 10, 64)
		out.Employees = append(out.Employees, groupJSON{UserID: &id, figuresJSON: toFiguresJSON(g.Figures)})
	}
	for _, f := range r.Failed {
		out.Failed = append(out.Failed, failureJSON{ID: f.ID, ReceivedAt: f.At.UTC(), Line: f.Line, Outcome: string(f.Outcome),
			Reason: f.Reason, CRMEntityType: f.CRMEntityType, CRMEntityID: f.CRMEntityID})
	}
	return out
}

func toFiguresJSON(f stats.Figures) figuresJSON {
	out := figuresJSON{Requests: f.Requests, Connected: f.Connected, Share: f.Share,
		ToEmployee: toDurationsJSON(f.ToEmployee), ToClient: toDurationsJSON(f.ToClient), Outcomes: map[string]int{}}
	for _, c := range f.Outcomes {
		out.Outcomes[string(c.Outcome)] = c.N
	}
	return out
}

func toDurationsJSON(d stats.Durations) durationsJSON {
	return durationsJSON{Count: d.N, MedianSeconds: d.Median.Seconds(), P90Seconds: d.P90.Seconds()}
}
