package web

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/words"
)

// The app page's action that saves the portal's time zone, and its field.
const (
	actionSaveZone = "save_time_zone"
	zoneField      = "time_zone"
)

// zoneView is the time zone the page shows times in, and its form.
type zoneView struct {
	Name    string // IANA name
	Chosen  bool   // chosen by an administrator (else the first line's)
	Text    string // the input field
	Saved   bool
	Refused string // not an administrator
	Error   string // not a known zone
	AuthID  string
	loc     *time.Location
}

// zoneSection is the portal's time zone, saved first when the form asks
// (action=save_time_zone): only an administrator, only a known IANA zone.
// status is the page's status then, 0 else.
func (s *Server) zoneSection(r *http.Request, p *callbackline.Portal) (*zoneView, int, error) {
	ctx := r.Context()
	loc, chosen, err := s.portalZone(ctx, p)
	if err != nil {
		return nil, 0, err
	}
	v := &zoneView{Name: loc.String(), Chosen: chosen, Text: loc.String(), AuthID: r.PostForm.Get("AUTH_ID"), loc: loc}
	if r.PostForm.Get(actionField) != actionSaveZone {
		return v, 0, nil
	}
	v.Text = strings.TrimSpace(r.PostForm.Get(zoneField))
	if err := s.checkAdmin(ctx, p, v.AuthID, "the time zone"); err != nil {
		s.logger.WarnContext(ctx, "saving the time zone refused", slog.String("member_id", p.MemberID),
			slog.String("code", callbackline.ErrorCode(err)), slog.String("reason", callbackline.ErrorMessage(err)))
		v.Refused = callbackline.ErrorMessage(err)
		return v, StatusOf(err), nil
	}
	loc, err = callbackline.LoadZone(v.Text)
	if err != nil {
		v.Error = "time_zone: " + callbackline.ErrorMessage(err)
		if lang := pageLang(r, p); words.PageLang(lang) != "en" {
			v.Error = problemIn(lang, err, v.Error)
		}
		return v, http.StatusUnprocessableEntity, nil
	}
	by := s.changeBy(ctx, p, v.AuthID)
	if err := s.store.SaveTimeZone(ctx, &callbackline.TimeZone{MemberID: p.MemberID, Name: loc.String(), UpdatedAt: s.now().UTC(),
		UpdatedBy: by.UserID, Audit: audited(by, zoneSummary(v.Name, loc.String()))}); err != nil {
		return nil, 0, err
	}
	s.logger.InfoContext(ctx, "portal time zone saved", slog.String("member_id", p.MemberID), slog.String("time_zone", loc.String()))
	v.Name, v.Chosen, v.Saved, v.Text, v.loc = loc.String(), true, true, loc.String(), loc
	return v, http.StatusOK, nil
}
