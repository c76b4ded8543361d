package web

import (
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
)

// callbackJSON is a callback as the API shows it.
type callbackJSON struct {
	ID              int64      `json:"id"`
	MemberID        string     `json:"member_id"`
	Kind            string     `json:"kind"`
	Phone           string     `json:"phone"`
	PhoneRaw        string     `json:"phone_raw"`
	Text            string     `json:"text"`
	Voice           string     `json:"voice"`
	CRMEntityType   string     `json:"crm_entity_type"`
	CRMEntityID     int64      `json:"crm_entity_id"`
	LineNumber      string     `json:"line_number"`
	CallID          string     `json:"call_id,omitempty"`
	UserID          int64      `json:"user_id,omitempty"`
	State           string     `json:"state"`
	Reason          string     `json:"reason"`
	Duplicates      int        `json:"duplicates"`
	LastDuplicateAt *time.Time `json:"last_duplicate_at,omitempty"`
	EventAt         *time.Time `json:"event_at,omitempty"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

func toJSON(c *callbackline.Callback) callbackJSON {
	j := callbackJSON{
		ID: c.ID, MemberID: c.MemberID, Kind: string(c.Kind), Phone: c.Phone, PhoneRaw: c.PhoneRaw,
		Text: c.Text, Voice: c.Voice, CRMEntityType: c.CRMEntityType, CRMEntityID: c.CRMEntityID,
		LineNumber: c.LineNumber, CallID: c.CallID, UserID: c.UserID, State: string(c.State), Reason: c.Reason,
		Duplicates: c.Duplicates, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC(),
	}
	if !c.LastDuplicateAt.IsZero() {
		t := c.LastDuplicateAt.UTC()
		j.LastDuplicateAt = &t
	}
	if !c.EventAt.IsZero() {
		t := c.EventAt.UTC()
		j.EventAt = &t
	}
	return j
}

// authorize checks the admin token of an API request.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) bool {
	if s.adminToken == "" {
		s.writeError(w, r, callbackline.Errorf(callbackline.EFORBIDDEN, "the API is off: set admin_token (CALLBACKLINE_ADMIN_TOKEN) to turn it on"))
		return false
	}
	if !bearer(r, s.adminToken) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="callbackline"`)
		s.writeError(w, r, callbackline.Errorf(callbackline.EUNAUTHORIZED, "send the admin token as Authorization: Bearer <admin_token>"))
		return false
	}
	return true
}

// bearer reports whether the request carries Authorization: Bearer token
// (compared in constant time).
func bearer(r *http.Request, token string) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// guardMetrics asks for the metrics token when one is configured.
func (s *Server) guardMetrics(h http.Handler) http.Handler {
	if s.metricsTok == "" {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !bearer(r, s.metricsTok) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="callbackline metrics"`)
			s.writeError(w, r, callbackline.Errorf(callbackline.EUNAUTHORIZED, "send the metrics token as Authorization: Bearer <metrics_token>"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

// handleCallbacks lists callbacks: GET /api/v1/callbacks?member_id=&state=&before=&limit=.
func (s *Server) handleCallbacks(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet) || !s.authorize(w, r) {
		return
	}
	q := r.URL.Query()
	f := callbackline.CallbackFilter{MemberID: q.Get("member_id"), State: callbackline.State(q.Get("state"))}
	if f.State != "" && !f.State.Valid() {
		s.writeError(w, r, callbackline.Errorf(callbackline.EINVALID, "state %q is not a callback state", q.Get("state")))
		return
	}
	var err error
	if f.BeforeID, err = intParam(q.Get("before"), "before", 1, 1<<62); err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := intParam(q.Get("limit"), "limit", 1, 1000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	f.Limit = int(limit)
	list, err := s.store.Callbacks(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Callbacks []callbackJSON `json:"callbacks"`
	}{Callbacks: make([]callbackJSON, 0, len(list))}
	for _, c := range list {
		out.Callbacks = append(out.Callbacks, toJSON(c))
	}
	writeJSON(w, http.StatusOK, out)
}

// handleCallback shows one callback: GET /api/v1/callbacks/{id}.
func (s *Server) handleCallback(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet) || !s.authorize(w, r) {
		return
	}
	id, err := intParam(r.PathValue("id"), "id", 1, 1<<62)
	if err != nil || id == 0 {
		s.writeError(w, r, callbackline.Errorf(callbackline.EINVALID, "the callback id must be a positive whole number"))
		return
	}
	c, err := s.store.Callback(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Callback callbackJSON  `json:"callback"`
		Attempts []attemptJSON `json:"attempts"`
		History  []historyJSON `json:"history"`
	}{Callback: toJSON(c), Attempts: []attemptJSON{}, History: []historyJSON{}}
	if ws, ok := s.store.(callbackline.WorkStore); ok {
		attempts, err := ws.Attempts(r.Context(), id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, a := range attempts {
			out.Attempts = append(out.Attempts, attemptToJSON(a))
		}
		hist, err := ws.History(r.Context(), id)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, h := range hist {
			out.History = append(out.History, historyJSON{At: h.At.UTC(), State: string(h.State), AttemptID: h.AttemptID, Note: h.Note,
				Code: h.Said.Code, Args: h.Said.Args})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// attemptJSON is one call of a callback as the API shows it.
type attemptJSON struct {
	ID             int64      `json:"id"`
	Number         int        `json:"number"`
	ExternalCallID string     `json:"external_call_id"`
	CallID         string     `json:"call_id"`
	UserID         int64      `json:"user_id"`
	Extension      string     `json:"extension"`
	ClientDialled  bool       `json:"client_dialled"`
	Connected      bool       `json:"connected"`
	StatusCode     string     `json:"status_code"`
	Reason         string     `json:"reason"`
	Duration       int        `json:"duration"`
	FinishedAt     *time.Time `json:"finished_at,omitempty"`
	RecordFileID   int64      `json:"record_file_id,omitempty"`
	StartedAt      time.Time  `json:"started_at"`
	Dialer         string     `json:"dialer,omitempty"` // "bitrix24": handed to Bitrix24's telephony
}

func attemptToJSON(a *callbackline.Attempt) attemptJSON {
	j := attemptJSON{ID: a.ID, Number: a.Number, ExternalCallID: a.ExternalCallID, CallID: a.CallID, UserID: a.UserID,
		Extension: a.Extension, ClientDialled: a.ClientDialled, Connected: a.Connected, StatusCode: a.StatusCode,
		Reason: a.Reason, Duration: a.Duration, RecordFileID: a.RecordFileID, StartedAt: a.StartedAt.UTC(), Dialer: string(a.Dialer)}
	if !a.FinishedAt.IsZero() {
		t := a.FinishedAt.UTC()
		j.FinishedAt = &t
	}
	return j
}

// historyJSON is one step of a callback.
type historyJSON struct {
	At        time.Time `json:"at"`
	State     string    `json:"state"`
	AttemptID int64     `json:"attempt_id,omitempty"`
	Note      string    `json:"note"` // in English
	// Code and Args are the note's code and arguments (a text, or a
	// note of its own: {"code", "args"}); none for entries stored before
	// codes were kept.
	Code string             `json:"note_code,omitempty"`
	Args []callbackline.Arg `json:"note_args,omitempty"`
}

// portalJSON is a portal as the API shows it: no tokens.
type portalJSON struct {
	MemberID     string    `json:"member_id"`
	Domain       string    `json:"domain"`
	Status       string    `json:"status"`
	StatusReason string    `json:"status_reason"`
	AppStatus    string    `json:"app_status"`
	Language     string    `json:"language"`
	InstalledAt  time.Time `json:"installed_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// handlePortals lists the installed portals: GET /api/v1/portals. A portal
// whose OAuth refresh was refused shows status reinstall_required.
func (s *Server) handlePortals(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet) || !s.authorize(w, r) {
		return
	}
	list, err := s.store.Portals(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Portals []portalJSON `json:"portals"`
	}{Portals: make([]portalJSON, 0, len(list))}
	for _, p := range list {
		out.Portals = append(out.Portals, portalJSON{MemberID: p.MemberID, Domain: p.Domain, Status: string(p.Status),
			StatusReason: p.StatusReason, AppStatus: p.AppStatus, Language: p.Language,
			InstalledAt: p.InstalledAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()})
	}
	writeJSON(w, http.StatusOK, out)
}

// intParam parses an optional whole-number parameter in [min, max]; "" is 0.
func intParam(v, name string, min, max int64) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < min || n > max {
		return 0, callbackline.Errorf(callbackline.EINVALID, "%s must be a whole number from %d to %d", name, min, max)
	}
	return n, nil
}
