package web

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/callbackline/callbackline"
)

// changeBy is the audit log's Change for a settings change made on the
// app page by the owner of authID, an administrator checkAdmin
// confirmed: the portal names them (user.current). When it does not, the
// change is still made and logged, by "an administrator" with user id 0.
func (s *Server) changeBy(ctx context.Context, p *callbackline.Portal, authID string) *callbackline.Change {
	c := &callbackline.Change{At: s.now().UTC(), UserName: "an administrator (the portal did not name them)"}
	u, err := s.oauth.CurrentUser(ctx, p.ClientEndpoint, authID)
	if err != nil {
		s.logger.WarnContext(ctx, "the portal did not name the user changing its settings (user.current)",
			slog.String("member_id", p.MemberID), slog.Any("err", err))
		return c
	}
	c.UserID, c.UserName = int64(u.ID), u.FullName()
	if c.UserName == "" {
		c.UserName = "user " + strconv.FormatInt(c.UserID, 10)
	}
	return c
}

// operatorChange is the Change of a settings change made over the
// operator API.
func (s *Server) operatorChange() *callbackline.Change {
	return &callbackline.Change{At: s.now().UTC(), UserName: callbackline.OperatorName}
}

// audited sets c's summary (the note, and its English) and returns it,
// for a save's Audit field.
func audited(c *callbackline.Change, summary callbackline.Note) *callbackline.Change {
	c.Summary, c.Said = summary.English(), summary
	return c
}

// appAuditMax is how many entries of its audit log the app page shows.
const appAuditMax = 50

// auditView is the app page's section of the portal's audit log.
type auditView struct {
	Entries []auditEntry // newest first, times in the page's zone
}

// auditEntry is an audit log entry on the app page: what changed said in
// the page's language.
type auditEntry struct {
	*callbackline.Change
	Said string
}

// auditSection is the portal's latest audit log entries for the app
// page, what changed said in lang, their times in loc.
func (s *Server) auditSection(ctx context.Context, p *callbackline.Portal, lang string, loc *time.Location) (*auditView, error) {
	list, err := s.store.AuditLog(ctx, callbackline.AuditFilter{MemberID: p.MemberID, Limit: appAuditMax})
	if err != nil {
		return nil, err
	}
	v := &auditView{Entries: make([]auditEntry, len(list))}
	for i, c := range list {
		c.At = c.At.In(loc)
		v.Entries[i] = auditEntry{Change: c, Said: sayChange(lang, loc, c)}
	}
	return v, nil
}

// sayChange says what an audit log entry changed in lang: from its code
// and arguments (words.PageNote), in English where the page has no words
// of its own; an entry stored before codes were kept by its stored
// English. It is as long as the English may be (ChangeSummaryMax).
func sayChange(lang string, loc *time.Location, c *callbackline.Change) string {
	if c.Said.Code == "" {
		return c.Summary
	}
	return callbackline.Shorten(c.Said.Render(noteSayer(lang, loc)), callbackline.ChangeSummaryMax)
}

// auditHTML is the app page's Audit log section.
const auditHTML = `{{define "audit"}}{{with .}}<section><h2 id="audit">{{t "Changes to the settings"}}</h2>
{{if .Entries}}<table id="audit-log"><tr><th>{{t "When"}}</th><th>{{t "Who"}}</th><th>{{t "Setting"}}</th><th>{{t "What changed"}}</th></tr>
{{range .Entries}}<tr><td>{{.At.Format "2006-01-02 15:04"}}</td><td>{{.UserName}}{{if .UserID}} ({{t "user %d" .UserID}}){{end}}</td><td>{{t .What}}</td><td>{{.Said}}</td></tr>
{{end}}</table>{{else}}<p id="audit-empty">{{t "No settings were changed yet."}}</p>{{end}}</section>{{end}}{{end}}`

// changeJSON is an audit log entry as the API shows it.
type changeJSON struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	UserID   int64     `json:"user_id"`
	UserName string    `json:"user_name"`
	What     string    `json:"what"`
	// Summary is always in English; SummaryCode and SummaryArgs are its
	// note (callbackline.Change.Said), absent for older entries.
	Summary     string             `json:"summary"`
	SummaryCode string             `json:"summary_code,omitempty"`
	SummaryArgs []callbackline.Arg `json:"summary_args,omitempty"`
}

// handlePortalAudit lists a portal's audit log for the operator, newest
// first: GET /api/v1/portals/{member_id}/audit?before=&limit= (bearer
// admin token; limit 1–1000, default 50; before: the id of the last
// entry of the previous page).
func (s *Server) handlePortalAudit(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet) || !s.authorize(w, r) {
		return
	}
	p, err := s.store.Portal(r.Context(), r.PathValue("member_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := callbackline.AuditFilter{MemberID: p.MemberID}
	limit, err := intParam(q.Get("limit"), "limit", 1, 1000)
	if err == nil {
		f.BeforeID, err = intParam(q.Get("before"), "before", 1, 1<<62)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Limit = int(limit)
	list, err := s.store.AuditLog(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		MemberID string       `json:"member_id"`
		Changes  []changeJSON `json:"changes"`
	}{MemberID: p.MemberID, Changes: make([]changeJSON, 0, len(list))}
	for _, c := range list {
		out.Changes = append(out.Changes, changeJSON{ID: c.ID, At: c.At.UTC(), UserID: c.UserID, UserName: c.UserName, What: c.What,
			Summary: c.Summary, SummaryCode: c.Said.Code, SummaryArgs: c.Said.Args})
	}
	writeJSON(w, http.StatusOK, out)
}

// oldLines are the lines a portal had before a save: its own, else the
// service's Default; nil when they do not parse any more.
func (s *Server) oldLines(ctx context.Context, p *callbackline.Portal) []callbackline.Line {
	text := s.settings.Default
	st, err := s.store.Settings(ctx, p.MemberID)
	switch {
	case err == nil:
		text = st.Lines
	case callbackline.ErrorCode(err) != callbackline.ENOTFOUND:
		return nil
	}
	assigned, err := callbackline.AssignedCallerIDs(ctx, s.store, p.MemberID)
	if err != nil {
		return nil
	}
	lines, err := s.settings.Parse(p.MemberID, text, assigned)
	if err != nil {
		return nil
	}
	return lines
}
