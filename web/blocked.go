package web

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/words"
)

// The app page's action that saves the blocked numbers, and its field.
const (
	actionSaveBlocked = "save_blocked"
	blockedField      = "blocked"
)

// blockedView is the Blocked numbers section of the app page.
type blockedView struct {
	Entries []string // stored
	Text    string   // the textarea
	Saved   bool
	Refused string   // not an administrator
	Errors  []string // entries at fault
	AuthID  string
}

// blockedSection is the portal's blocked numbers, saved first when the
// form asks (action=save_blocked): only an administrator, only entries
// that parse (422 naming each else). status is the page's status then, 0
// else.
func (s *Server) blockedSection(r *http.Request, p *callbackline.Portal) (*blockedView, int, error) {
	ctx := r.Context()
	v := &blockedView{Entries: []string{}, AuthID: r.PostForm.Get("AUTH_ID")}
	b, err := s.store.BlockedNumbers(ctx, p.MemberID)
	switch {
	case err == nil:
		v.Entries = b.Entries
	case callbackline.ErrorCode(err) != callbackline.ENOTFOUND:
		return nil, 0, err
	}
	v.Text = strings.Join(v.Entries, "\n")
	if r.PostForm.Get(actionField) != actionSaveBlocked {
		return v, 0, nil
	}
	v.Text = strings.ReplaceAll(r.PostForm.Get(blockedField), "\r\n", "\n")
	if err := s.checkAdmin(ctx, p, v.AuthID, "the blocked numbers"); err != nil {
		s.logger.WarnContext(ctx, "saving blocked numbers refused", slog.String("member_id", p.MemberID),
			slog.String("code", callbackline.ErrorCode(err)), slog.String("reason", callbackline.ErrorMessage(err)))
		v.Refused = callbackline.ErrorMessage(err)
		return v, StatusOf(err), nil
	}
	if int64(len(v.Text)) > s.maxLinesText() {
		v.Errors = []string{words.Page(pageLang(r, p), blockedTooLong, s.maxLinesText())}
		return v, http.StatusUnprocessableEntity, nil
	}
	entries, err := phone.ParseBlocked(v.Text)
	if err != nil {
		v.Errors = problemsIn(pageLang(r, p), err)
		return v, http.StatusUnprocessableEntity, nil
	}
	by := s.changeBy(ctx, p, v.AuthID)
	if err := s.store.SaveBlockedNumbers(ctx, &callbackline.Blocked{MemberID: p.MemberID, Entries: entries, UpdatedAt: s.now().UTC(),
		UpdatedBy: by.UserID, Audit: audited(by, blockedSummary(v.Entries, entries))}); err != nil {
		return nil, 0, err
	}
	s.logger.InfoContext(ctx, "portal blocked numbers saved", slog.String("member_id", p.MemberID), slog.Int("entries", len(entries)))
	v.Entries, v.Text, v.Saved = entries, strings.Join(entries, "\n"), true
	return v, http.StatusOK, nil
}
