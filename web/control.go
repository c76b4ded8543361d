package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/callbackline/callbackline"
)

// Control carries out an action on a callback by hand
// (callback.Worker.Control: a retry is checked against the rules that
// still apply first). Nil in Options: the store's Control.
type Control func(ctx context.Context, req callbackline.ControlRequest) (*callbackline.Callback, error)

// The app page's action that acts on a callback by hand, and its fields.
const (
	actionControl = "control"
	controlID     = "callback_id"
	controlWhat   = "do"
)

// controlForm is what each callback row's buttons post back.
type controlForm struct {
	MemberID, Token, AuthID string
}

// controlView is the outcome of an action on a callback, shown above the
// list of requests.
type controlView struct {
	Done    string // what was done: a phrase of the page's catalogue with the callback's id
	ID      int64  // the callback's id
	Refused string // why nothing was done
}

// control runs the configured Control, else the store's.
func (s *Server) control(ctx context.Context, req callbackline.ControlRequest) (*callbackline.Callback, error) {
	if s.controller != nil {
		return s.controller(ctx, req)
	}
	return s.store.Control(ctx, req)
}

// controlSection carries out action=control from the app page: only a
// portal administrator's AUTH_ID, only the portal's own callbacks. It
// returns the page's status (0 when nothing was asked) and the outcome;
// an error when the store failed (answered as JSON).
func (s *Server) controlSection(r *http.Request, p *callbackline.Portal) (*controlView, int, error) {
	if r.PostForm.Get(actionField) != actionControl {
		return nil, 0, nil
	}
	ctx := r.Context()
	a := callbackline.Action(r.PostForm.Get(controlWhat))
	id, err := strconv.ParseInt(r.PostForm.Get(controlID), 10, 64)
	if !a.Valid() || err != nil || id <= 0 {
		return &controlView{Refused: "the form asked for no known action on a callback; reload the page"}, http.StatusUnprocessableEntity, nil
	}
	who, err := s.admin(ctx, p, r.PostForm.Get("AUTH_ID"))
	if err != nil {
		s.logger.WarnContext(ctx, "a callback action refused", slog.String("member_id", p.MemberID), slog.Int64("callback_id", id),
			slog.String("code", callbackline.ErrorCode(err)), slog.String("reason", callbackline.ErrorMessage(err)))
		return &controlView{Refused: callbackline.ErrorMessage(err)}, StatusOf(err), nil
	}
	cb, err := s.control(ctx, callbackline.ControlRequest{ID: id, MemberID: p.MemberID, Action: a, By: who, At: s.now().UTC()})
	switch code := callbackline.ErrorCode(err); {
	case err == nil || (cb != nil && code == callbackline.EUNAVAILABLE):
		return &controlView{Done: done(a), ID: cb.ID}, http.StatusOK, nil
	case code == callbackline.ENOTFOUND || code == callbackline.ECONFLICT || code == callbackline.EINVALID:
		return &controlView{Refused: problemIn(pageLang(r, p), err, callbackline.ErrorMessage(err))}, StatusOf(err), nil
	}
	return nil, 0, err
}

// done says what an action did.
func done(a callbackline.Action) string {
	switch a {
	case callbackline.ActionCallNow:
		return doneCallNow
	case callbackline.ActionCancel:
		return doneCancel
	}
	return doneRetry
}

// What the page says was done by hand (phrases of the page's catalogue,
// with the callback's id).
const (
	doneCallNow = "Callback %d is being dialled now, even outside working hours."
	doneCancel  = "Callback %d is cancelled: nothing is dialled for it."
	doneRetry   = "Callback %d is retried: a new round of calls starts now (within working hours)."
)

// admin checks that authID is an administrator's (checkAdmin) and names
// them for the history as the audit log does (changeBy): "Name Last
// (user 12)".
func (s *Server) admin(ctx context.Context, p *callbackline.Portal, authID string) (string, error) {
	if err := s.checkAdmin(ctx, p, authID, "a callback by hand"); err != nil {
		return "", err
	}
	c := s.changeBy(ctx, p, authID)
	if c.UserID == 0 {
		return c.UserName, nil
	}
	return c.UserName + " (user " + strconv.FormatInt(c.UserID, 10) + ")", nil
}

// withControls gives each row the form its buttons post.
func withControls(rows []appRow, f *controlForm) {
	for i := range rows {
		rows[i].Form = f
	}
}

// handleCallbackAction acts on a callback for the operator:
// POST /api/v1/callbacks/{id}/{action} with action call, cancel or retry.
// 200 with the callback as stored after it; 404 for an unknown id, 409
// when the action does not apply to its state, 422 when a retry's rules
// refuse the number.
func (s *Server) handleCallbackAction(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodPost) || !s.authorize(w, r) {
		return
	}
	id, err := intParam(r.PathValue("id"), "id", 1, 1<<62)
	if err != nil || id == 0 {
		s.writeError(w, r, callbackline.Errorf(callbackline.EINVALID, "the callback id must be a positive whole number"))
		return
	}
	a := callbackline.Action(r.PathValue("action"))
	if !a.Valid() {
		s.writeError(w, r, callbackline.Errorf(callbackline.ENOTFOUND, "no action %q on a callback: use call, cancel or retry", clipText(r.PathValue("action"))))
		return
	}
	cb, err := s.control(r.Context(), callbackline.ControlRequest{ID: id, Action: a, By: "the operator", At: s.now().UTC()})
	if err != nil && cb == nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Callback callbackJSON `json:"callback"`
		Done     string       `json:"done"`
	}{toJSON(cb), fmt.Sprintf(done(a), cb.ID)})
}

// clipText cuts what a request named to a length fit for an error.
func clipText(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// controlHTML are the app page's parts of the actions by hand: the
// outcome above the list, and each row's buttons.
const controlHTML = `{{define "control-outcome"}}{{with .}}{{if .Done}}<p class="saved" id="control-done"><strong>{{t "Done."}}</strong> {{t .Done .ID}}</p>{{end}}{{if .Refused}}<p class="refused" id="control-refused"><strong>{{t "Not done:"}}</strong> {{t .Refused}}.</p>{{end}}{{end}}{{end}}
{{define "callback-actions"}}{{if and .Form (or .Pending .Retryable (eq .State "received"))}}<form method="post" class="control">
<input type="hidden" name="member_id" value="{{.Form.MemberID}}">
<input type="hidden" name="APPLICATION_TOKEN" value="{{.Form.Token}}">
<input type="hidden" name="AUTH_ID" value="{{.Form.AuthID}}">
<input type="hidden" name="LANG" value="{{lang}}">
<input type="hidden" name="action" value="control">
<input type="hidden" name="callback_id" value="{{.ID}}">
{{if .Pending}}<button type="submit" name="do" value="call" title="{{t "Dials at once, even outside working hours"}}">{{t "Call now (even outside working hours)"}}</button>{{end}}
{{if or .Pending (eq .State "received")}}<button type="submit" name="do" value="cancel">{{t "Cancel"}}</button>{{end}}
{{if .Retryable}}<button type="submit" name="do" value="retry" title="{{t "A new round of calls, if the number may still be called"}}">{{t "Retry"}}</button>{{end}}
</form>{{end}}{{end}}`
