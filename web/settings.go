package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/words"
)

// Settings lets a portal's administrator edit the portal's own lines on
// the app page (callbackline.Settings). Nil in Options: the page shows no
// editor.
type Settings struct {
	// Parse checks the lines of the portal memberID, the YAML of a
	// `lines:` list, and returns them (config.Config.PortalLinesFor);
	// assigned are the caller IDs assigned to the portal outside the
	// configuration (callbackline.AssignedCallerIDs). Its error names
	// every key at fault; the page shows each joined error (errors.Join)
	// on its own line.
	Parse func(memberID, text string, assigned []string) ([]callbackline.Line, error)
	// Default is the YAML the page shows while a portal has no lines of
	// its own: the service's configured lines.
	Default string
	// Saved, when set, runs after a portal's lines were saved, to
	// register them in Bitrix24. It runs in the background, owned by the
	// Server; Close waits for it. Its error is logged.
	Saved func(ctx context.Context, p *callbackline.Portal, lines []callbackline.Line) error
	// Check, when set, checks lines that parsed against the portal before
	// they are saved (the Bitrix24 dialer's from_line); its error names
	// the key at fault, and nothing is saved.
	Check func(ctx context.Context, p *callbackline.Portal, lines []callbackline.Line) error
	// Form, when set, lets the page edit the lines as a form too; the
	// YAML stays as the advanced view of the same settings.
	Form *LineForm
}

// parseLines is Settings.Parse, then Settings.Check.
func (s *Server) parseLines(ctx context.Context, p *callbackline.Portal, text string) ([]callbackline.Line, error) {
	// The caller IDs assigned outside the configuration count too (the
	// operator API, the portal's own SIP account).
	assigned, err := callbackline.AssignedCallerIDs(ctx, s.store, p.MemberID)
	if err != nil {
		return nil, err
	}
	lines, err := s.settings.Parse(p.MemberID, text, assigned)
	if err == nil && s.settings.Check != nil {
		err = s.settings.Check(ctx, p, lines)
	}
	return lines, err
}

// The page's phrases of a text too long to take.
const (
	linesTooLong   = "the lines are %d characters long; at most %d"
	blockedTooLong = "the list is too long; at most %d characters"
)

// The app page's form field that asks to save the lines, and the field
// with the lines' YAML.
const (
	actionField    = "action"
	actionSaveLine = "save_lines"
	linesField     = "lines"
)

// linesView is the Lines section of the app page.
type linesView struct {
	Text      string    // the YAML in the textarea
	Own       bool      // the portal's own lines (else the service's)
	UpdatedAt time.Time // when the own lines were saved
	Rows      []lineRow // the lines Text holds, when it parses
	Errors    []string  // why Text does not parse
	Saved     bool      // the lines were just saved
	Refused   string    // why the lines were not saved
	MaxLength int64     // the textarea's limit in characters
	AuthID    string    // the frame's AUTH_ID, posted back with the form
	Form      *formView // the lines as a form (Settings.Form)
	Editing   bool      // the form was changed and not saved yet

	fields   []map[string][]string // the form's fields, when it was posted
	parseErr error                 // why Text does not parse
}

// lineRow is one parsed line in the page's table; the template says it
// in the page's language.
type lineRow struct {
	Number, Name, RingMode string
	Via                    bool   // the Bitrix24 dialer
	FromLine               string // its Bitrix24 line (Via, Fallback)
	Target                 string
	TargetUser             int64
	Employees              string // their ids, comma separated
	Fallback               bool
	Zone                   string // the hours' time zone
	Always                 bool   // always open
}

// maxLinesText is the longest lines text the page accepts: half the body
// limit leaves room for the form encoding and the frame's fields.
func (s *Server) maxLinesText() int64 { return s.maxBody / 2 }

// currentLines is the Lines section for a portal: its own lines, else the
// service's Default.
func (s *Server) currentLines(ctx context.Context, p *callbackline.Portal, authID string) (*linesView, error) {
	v := &linesView{MaxLength: s.maxLinesText(), AuthID: authID}
	st, err := s.store.Settings(ctx, p.MemberID)
	switch {
	case err == nil:
		v.Text, v.Own, v.UpdatedAt = st.Lines, true, st.UpdatedAt
	case callbackline.ErrorCode(err) == callbackline.ENOTFOUND:
		v.Text = s.settings.Default
	default:
		return nil, err
	}
	lines, err := s.parseLines(ctx, p, v.Text)
	v.Rows, v.Errors, v.parseErr = lineRows(lines), errorLines(err), err
	return v, nil
}

// saveLines handles action=save_lines from a portal whose frame fields
// were checked: only an administrator's AUTH_ID may save, and only lines
// that parse. It returns the page's status and Lines section, or an error
// that is answered as JSON (the store failed).
func (s *Server) saveLines(r *http.Request, p *callbackline.Portal, text string) (int, *linesView, error) {
	ctx := r.Context()
	authID := r.PostForm.Get("AUTH_ID")
	text = strings.ReplaceAll(text, "\r\n", "\n")
	v := &linesView{Text: text, MaxLength: s.maxLinesText(), AuthID: authID}
	if st, err := s.store.Settings(ctx, p.MemberID); err == nil {
		v.Own, v.UpdatedAt = true, st.UpdatedAt
	}
	if err := s.checkAdmin(ctx, p, authID, "the lines"); err != nil {
		s.logger.WarnContext(ctx, "saving lines refused", slog.String("member_id", p.MemberID),
			slog.String("code", callbackline.ErrorCode(err)), slog.String("reason", callbackline.ErrorMessage(err)), slog.Any("err", errors.Unwrap(err)))
		v.Refused = callbackline.ErrorMessage(err)
		if lines, err := s.parseLines(ctx, p, text); err == nil {
			v.Rows = lineRows(lines)
		}
		return StatusOf(err), v, nil
	}
	if int64(len(text)) > v.MaxLength {
		v.Errors = []string{words.Page(pageLang(r, p), linesTooLong, len(text), v.MaxLength)}
		return http.StatusUnprocessableEntity, v, nil
	}
	lines, err := s.parseLines(ctx, p, text)
	if err != nil {
		v.Errors, v.parseErr = errorLines(err), err
		return http.StatusUnprocessableEntity, v, nil
	}
	now, err := s.commitLines(ctx, p, text, lines, s.changeBy(ctx, p, authID))
	if err != nil {
		return 0, nil, err
	}
	v.Own, v.UpdatedAt, v.Saved, v.Rows = true, now, true, lineRows(lines)
	return http.StatusOK, v, nil
}

// commitLines stores a portal's lines that parsed, with the audit log's
// entry of the change by (what changed against the lines before), then
// registers them in Bitrix24 (Settings.Saved) in the background. It
// returns when they were saved.
func (s *Server) commitLines(ctx context.Context, p *callbackline.Portal, text string, lines []callbackline.Line, by *callbackline.Change) (time.Time, error) {
	now := s.now().UTC()
	summary := callbackline.NewNote("audit_lines_replaced")
	if old := s.oldLines(ctx, p); old != nil {
		summary = linesSummary(old, lines)
	}
	if err := s.store.SaveSettings(ctx, &callbackline.Settings{MemberID: p.MemberID, Lines: text, UpdatedAt: now, UpdatedBy: by.UserID,
		Audit: audited(by, summary)}); err != nil {
		return time.Time{}, err
	}
	s.logger.InfoContext(ctx, "portal lines saved", slog.String("member_id", p.MemberID), slog.Int("lines", len(lines)))
	if s.settings.Saved != nil {
		portal := *p
		s.background(func(ctx context.Context) {
			if err := s.settings.Saved(ctx, &portal, lines); err != nil {
				s.logger.ErrorContext(ctx, "registering the portal's saved lines failed", slog.String("member_id", portal.MemberID), slog.Any("err", err))
			}
		})
	}
	return now, nil
}

// checkAdmin asks the portal, at its stored REST endpoint (never one from
// the request), whether authID is an administrator's access token. The
// error is EFORBIDDEN when it is not (or the portal does not accept it)
// and EUNAVAILABLE when the portal could not answer; what names what is
// being changed ("the lines").
func (s *Server) checkAdmin(ctx context.Context, p *callbackline.Portal, authID, what string) error {
	only := "only an administrator of the portal can change " + what
	if authID == "" || p.ClientEndpoint == "" {
		return callbackline.Errorf(callbackline.EFORBIDDEN, "%s; nothing was saved", only)
	}
	admin, err := s.oauth.IsAdmin(ctx, p.ClientEndpoint, authID)
	var ae *bitrix24.APIError
	switch {
	case errors.As(err, &ae):
		// The portal did not take the token: expired (the page was open
		// for long) or not this portal's.
		return callbackline.WrapError(err, callbackline.EFORBIDDEN,
			"%s, and the portal did not confirm this user (%s); reopen the application and try again; nothing was saved", only, ae.Code)
	case err != nil:
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE,
			"the portal could not confirm that you are an administrator; try again; nothing was saved")
	case !admin:
		return callbackline.Errorf(callbackline.EFORBIDDEN, "%s; nothing was saved", only)
	}
	return nil
}

// errorLines is each message of a (joined) error.
func errorLines(err error) []string {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var out []string
		for _, e := range j.Unwrap() {
			out = append(out, errorLines(e)...)
		}
		return out
	}
	return []string{err.Error()}
}

// lineRows is the page's table of lines.
func lineRows(lines []callbackline.Line) []lineRow {
	rows := make([]lineRow, 0, len(lines))
	for _, l := range lines {
		row := lineRow{Number: l.Number, Name: l.Name, RingMode: string(l.Policy.RingMode), Via: l.PlacesViaBitrix24(),
			FromLine: l.FromLine, Target: l.Target, TargetUser: l.TargetUser, Fallback: l.Fallback,
			Zone: "UTC", Always: l.Policy.Hours.Always()}
		ids := make([]string, len(l.Employees))
		for i, id := range l.Employees {
			ids[i] = strconv.FormatInt(id, 10)
		}
		row.Employees = strings.Join(ids, ", ")
		if loc := l.Policy.Hours.Location; loc != nil {
			row.Zone = loc.String()
		}
		rows = append(rows, row)
	}
	return rows
}

// Who is who answers the line's callbacks, in English (the operator
// API's "who").
func (r lineRow) Who() string {
	var who string
	switch {
	case r.Via:
		who = "Bitrix24 telephony from line " + r.FromLine
	case r.Target != "":
		who = "target " + r.Target
		if r.TargetUser != 0 {
			who += " (user " + strconv.FormatInt(r.TargetUser, 10) + ")"
		}
	case r.Employees != "":
		who = "employees " + r.Employees
	default:
		who = "the CRM responsible"
	}
	if r.Fallback {
		who += "; Bitrix24 line " + r.FromLine + " while SIP is down"
	}
	return who
}

// Hours is the line's time zone, and whether it is always open, in
// English (the operator API's "hours").
func (r lineRow) Hours() string {
	if r.Always {
		return r.Zone + " (always open)"
	}
	return r.Zone
}

// apiRingMode is the ring mode as the operator API shows it.
func (r lineRow) apiRingMode() string {
	if r.Via {
		return "Bitrix24's queue"
	}
	return r.RingMode
}
