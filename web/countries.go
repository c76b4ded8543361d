package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/words"
)

// Countries is the rule of the countries each portal may dial
// (*callback.Countries): the app page and the operator API show and
// change them through it.
type Countries interface {
	// Allowed returns the countries the portal may dial now, and whether
	// they were chosen for it (else: its own country).
	Allowed(ctx context.Context, p *callbackline.Portal) (codes []string, chosen bool, err error)
	// Check normalises wanted countries; its EINVALID error names each
	// code that is not ISO 3166 alpha-2 or outside the operator's list.
	Check(codes []string) ([]string, error)
	// Operator returns the operator's list; empty allows any country.
	Operator() []string
}

// The app page's action that saves the countries, and its field.
const (
	actionSaveCountries = "save_countries"
	countriesField      = "countries"
)

// countriesView is the Countries section of the app page.
type countriesView struct {
	Codes    []string // allowed now
	Chosen   bool     // chosen for the portal (else its own country)
	Operator []string // the operator's list; empty: any
	Text     string   // the input field
	Saved    bool
	Refused  string // why nothing was saved (not an administrator)
	Error    string // why the countries are not valid
	AuthID   string
}

// currentCountries is the Countries section for a portal.
func (s *Server) currentCountries(ctx context.Context, p *callbackline.Portal, authID string) (*countriesView, error) {
	codes, chosen, err := s.countries.Allowed(ctx, p)
	if err != nil {
		return nil, err
	}
	return &countriesView{Codes: codes, Chosen: chosen, Operator: s.countries.Operator(),
		Text: strings.Join(codes, ", "), AuthID: authID}, nil
}

// saveCountries handles action=save_countries: only an administrator's
// AUTH_ID may save, and only countries the operator allows (422 else).
func (s *Server) saveCountries(r *http.Request, p *callbackline.Portal) (int, *countriesView, error) {
	ctx := r.Context()
	authID := r.PostForm.Get("AUTH_ID")
	v, err := s.currentCountries(ctx, p, authID)
	if err != nil {
		return 0, nil, err
	}
	v.Text = r.PostForm.Get(countriesField)
	if err := s.checkAdmin(ctx, p, authID, "the countries"); err != nil {
		s.logger.WarnContext(ctx, "saving countries refused", slog.String("member_id", p.MemberID),
			slog.String("code", callbackline.ErrorCode(err)), slog.String("reason", callbackline.ErrorMessage(err)), slog.Any("err", errors.Unwrap(err)))
		v.Refused = callbackline.ErrorMessage(err)
		return StatusOf(err), v, nil
	}
	codes, err := s.countries.Check(splitCountries(v.Text))
	if err != nil {
		v.Error = callbackline.ErrorMessage(err)
		if lang := pageLang(r, p); words.PageLang(lang) != "en" {
			v.Error = strings.Join(problemsIn(lang, err), "; ")
		}
		return http.StatusUnprocessableEntity, v, nil
	}
	if err := s.commitCountries(ctx, p, codes, s.changeBy(ctx, p, authID)); err != nil {
		return 0, nil, err
	}
	v.Codes, v.Chosen, v.Saved, v.Text = codes, true, true, strings.Join(codes, ", ")
	return http.StatusOK, v, nil
}

// commitCountries stores a portal's checked countries, with the audit
// log's entry of the change by.
func (s *Server) commitCountries(ctx context.Context, p *callbackline.Portal, codes []string, by *callbackline.Change) error {
	old, _, err := s.countries.Allowed(ctx, p)
	if err != nil {
		return err
	}
	if err := s.store.SaveCountries(ctx, &callbackline.Countries{MemberID: p.MemberID, Codes: codes, UpdatedAt: s.now().UTC(),
		UpdatedBy: by.UserID, Audit: audited(by, countriesSummary(old, codes))}); err != nil {
		return err
	}
	s.logger.InfoContext(ctx, "portal countries saved", slog.String("member_id", p.MemberID), slog.String("countries", strings.Join(codes, ",")))
	return nil
}

// splitCountries splits "DE, AT CH" into codes.
func splitCountries(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
}

// countriesJSON is a portal's countries as the API shows them.
type countriesJSON struct {
	MemberID  string   `json:"member_id"`
	Countries []string `json:"countries"` // allowed now
	Chosen    bool     `json:"chosen"`    // false: the portal's own country
	Operator  []string `json:"operator"`  // the operator's list; empty allows any
}

// handlePortalCountries reads or replaces the countries a portal may dial,
// for the operator: GET|PUT /api/v1/portals/{member_id}/countries (bearer
// admin token). PUT takes {"countries": ["DE", "AT"]}; a code that is not
// ISO 3166 alpha-2 or outside intake.allowed_countries is refused (422),
// nothing saved.
func (s *Server) handlePortalCountries(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet, http.MethodPut) || !s.authorize(w, r) {
		return
	}
	if s.countries == nil {
		s.writeError(w, r, callbackline.Errorf(callbackline.EFORBIDDEN, "this service does not let portals choose their countries"))
		return
	}
	p, err := s.store.Portal(r.Context(), r.PathValue("member_id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if r.Method == http.MethodPut {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.maxBody))
		var in struct {
			Countries *[]string `json:"countries"`
		}
		if err != nil || json.Unmarshal(body, &in) != nil || in.Countries == nil {
			s.writeError(w, r, callbackline.Errorf(callbackline.EINVALID, `the body must be JSON {"countries": ["DE", "AT"]}`))
			return
		}
		codes, err := s.countries.Check(*in.Countries)
		if err != nil {
			writeJSON(w, http.StatusUnprocessableEntity, errorBody{Error: callbackline.ErrorCode(err), Message: callbackline.ErrorMessage(err)})
			return
		}
		if err := s.commitCountries(r.Context(), p, codes, s.operatorChange()); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	codes, chosen, err := s.countries.Allowed(r.Context(), p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if codes == nil {
		codes = []string{}
	}
	op := s.countries.Operator()
	if op == nil {
		op = []string{}
	}
	writeJSON(w, http.StatusOK, countriesJSON{MemberID: p.MemberID, Countries: codes, Chosen: chosen, Operator: op})
}
