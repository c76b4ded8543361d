package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
)

// linesJSON is a portal's lines as the API shows them.
type linesJSON struct {
	MemberID  string     `json:"member_id"`
	Own       bool       `json:"own"` // the portal's own lines; false: the service's
	Lines     string     `json:"lines"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	Parsed    []lineJSON `json:"parsed"`
}

type lineJSON struct {
	Number   string `json:"number"`
	Name     string `json:"name"`
	Who      string `json:"who"`
	RingMode string `json:"ring_mode"`
	Hours    string `json:"hours"`
}

// handlePortalLines reads or replaces a portal's own lines for the
// operator: GET|PUT /api/v1/portals/{member_id}/lines (bearer admin
// token). PUT takes the YAML of a `lines:` list as the body (text/yaml,
// application/yaml, text/plain) or {"lines": "…"} as JSON; lines that do
// not parse are refused with every problem named (400), nothing saved.
func (s *Server) handlePortalLines(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet, http.MethodPut) || !s.authorize(w, r) {
		return
	}
	if s.settings == nil || s.settings.Parse == nil {
		s.writeError(w, r, callbackline.Errorf(callbackline.EFORBIDDEN, "this service does not let portals have lines of their own"))
		return
	}
	p, err := s.store.Portal(r.Context(), r.PathValue("member_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if r.Method == http.MethodPut {
		text, err := s.readLines(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		lines, perr := s.parseLines(r.Context(), p, text)
		if perr != nil {
			s.writeError(w, r, callbackline.Errorf(callbackline.EINVALID, "the lines were not saved: %s",
				strings.Join(errorLines(perr), "; ")))
			return
		}
		if _, err := s.commitLines(r.Context(), p, text, lines, s.operatorChange()); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	v, err := s.currentLines(r.Context(), p, "")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := linesJSON{MemberID: p.MemberID, Own: v.Own, Lines: v.Text, Parsed: make([]lineJSON, 0, len(v.Rows))}
	if v.Own {
		at := v.UpdatedAt.UTC()
		out.UpdatedAt = &at
	}
	for _, row := range v.Rows {
		out.Parsed = append(out.Parsed, lineJSON{Number: row.Number, Name: row.Name, Who: row.Who(), RingMode: row.apiRingMode(), Hours: row.Hours()})
	}
	writeJSON(w, http.StatusOK, out)
}

// readLines reads the lines text of a PUT.
func (s *Server) readLines(w http.ResponseWriter, r *http.Request) (string, error) {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = ""
	}
	switch mt {
	case "application/json", "text/yaml", "application/yaml", "application/x-yaml", "text/plain":
	default:
		return "", callbackline.Errorf(callbackline.EUNSUPPORTED,
			"content type %q is not supported; send the lines as text/yaml or as JSON {\"lines\": \"…\"}", ct)
	}
	limit := s.maxLinesText()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return "", callbackline.Errorf(callbackline.ETOOLARGE, "the lines are larger than %d bytes", limit)
		}
		return "", callbackline.WrapError(err, callbackline.EINVALID, "the body could not be read")
	}
	text := string(body)
	if mt == "application/json" {
		var in struct {
			Lines *string `json:"lines"`
		}
		if err := json.Unmarshal(body, &in); err != nil || in.Lines == nil {
			return "", callbackline.Errorf(callbackline.EINVALID, `the body must be JSON {"lines": "<YAML of the lines>"}`)
		}
		text = *in.Lines
	}
	return strings.ReplaceAll(text, "\r\n", "\n"), nil
}
