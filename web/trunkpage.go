package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/words"
)

// Trunks lets a portal's administrator enter the portal's own SIP account
// on the app page (callbackline.PortalTrunk): tested before it is stored,
// stored with its password sealed, and handed to the dialer. Nil in
// Options: the page shows no such form.
type Trunks struct {
	// Check tests the account (sip.Dialer.CheckTrunk): REGISTER or
	// OPTIONS. Its *sip.Error's Reason is shown to the administrator.
	Check func(ctx context.Context, t sip.Trunk) error
	// Apply hands the portal's account to the dialer (sip.Dialer.AddTrunk),
	// or, with nil, makes it forget it (RemoveTrunk).
	Apply func(memberID string, a *sip.Account) error
	// Status reports the registration of the portal's account
	// (sip.Dialer.TrunkStatus); nil when registered.
	Status func(memberID string) error
	// Sealed says the store encrypts passwords (encryption_key is set):
	// without it no account is taken.
	Sealed bool
	// Allow are the networks a portal's server may be in besides the
	// public internet (a self-hosted PBX; the tests' loopback).
	Allow []netip.Prefix
	// Lookup resolves the account's server name at save; nil is the
	// system resolver (netpolicy.Resolve).
	Lookup sip.Lookup
}

// The app page's actions for the portal's own SIP account.
const (
	actionSaveTrunk   = "save_trunk"
	actionDeleteTrunk = "delete_trunk"
)

// trunkView is the SIP account section of the app page. The password is
// never shown back.
type trunkView struct {
	Own                        bool
	Registrar, Proxy, Username string
	CallerIDs, Transport       string
	Options                    bool // tested with OPTIONS instead of REGISTER
	UpdatedAt                  time.Time
	Status                     string // the registration, when not registered
	Saved, Deleted             bool
	Refused                    string // why nothing was saved
	Field                      string // the form field at fault, if one is
	FieldError                 string // what is wrong with it, in the page's language
	AuthID                     string
}

// E is the problem of the form field f, "" when it has none.
func (v *trunkView) E(f string) string {
	if v.Field != f {
		return ""
	}
	return v.FieldError
}

// currentTrunk is the section for the portal's stored account, its
// status said in lang.
func (s *Server) currentTrunk(ctx context.Context, p *callbackline.Portal, authID, lang string) *trunkView {
	v := &trunkView{AuthID: authID, Transport: "udp"}
	t, err := s.store.PortalTrunk(ctx, p.MemberID)
	if err != nil {
		return v
	}
	v.Own, v.Registrar, v.Proxy, v.Username = true, t.Registrar, t.Proxy, t.Username
	v.CallerIDs, v.Transport, v.Options, v.UpdatedAt = strings.Join(t.CallerIDs, ", "), t.Transport, !t.Register, t.UpdatedAt
	if s.trunks.Status != nil {
		if err := s.trunks.Status(p.MemberID); err != nil {
			v.Status = trunkStatusIn(lang, err)
		}
	}
	return v
}

// trunkStatus is what the page says of an account that is not registered:
// a phrase of the catalogue (the template says it in the page's language)
// for the dialer's kinds of status, else the error's reason as it is.
func trunkStatus(err error) string {
	switch sip.KindOf(err) {
	case sip.KindUnreachable:
		return trunkNotRegistered
	case sip.KindNoRoute:
		return trunkNotInUse
	}
	return reasonOf(err)
}

// trunkStatusIn is trunkStatus said in the page's language lang, with
// the registrar's refusal when the dialer knows it.
func trunkStatusIn(lang string, err error) string {
	if e, ok := errors.AsType[*sip.Error](err); ok && e.Code != "" {
		if s, ok := words.PageProblem(lang, e.Code, e.Args); ok {
			return s
		}
	}
	return words.Page(lang, trunkStatus(err))
}

// reasonIn is reasonOf said in the page's language lang: a problem of
// the account with its code (sip.Error.Code) in lang's words, after the
// form field it is about; else as reasonOf says it.
func reasonIn(lang string, err error) string {
	e, ok := errors.AsType[*sip.Error](err)
	if words.PageLang(lang) == "en" || !ok || e.Code == "" {
		return reasonOf(err)
	}
	said, ok := words.PageProblem(lang, e.Code, e.Args)
	switch {
	case !ok:
		return reasonOf(err)
	case e.Field != "":
		return words.Page(lang, e.Field) + ": " + said
	}
	return said
}

// fieldProblem is the account form's field a problem is about and the
// problem in the page's language lang, without the field's name; "" for
// a problem of no one field.
func fieldProblem(lang string, err error) (field, problem string) {
	e, ok := errors.AsType[*sip.Error](err)
	if !ok || e.Field == "" {
		return "", ""
	}
	problem = e.Reason
	if s, ok := words.PageProblem(lang, e.Code, e.Args); ok && words.PageLang(lang) != "en" {
		problem = s
	}
	return e.Field, problem
}

// The phrases of trunkStatus.
const (
	trunkNotRegistered = "The SIP account is not registered: check the registrar, the user name and the password."
	trunkNotInUse      = "The SIP account is not in use by the dialer yet; save it again if this stays."
)

// reasonOf is what an error says to the administrator: a *sip.Error's
// reason, else the service's message.
func reasonOf(err error) string {
	if e, ok := errors.AsType[*sip.Error](err); ok {
		if e.Field != "" {
			return e.Field + ": " + e.Reason
		}
		return e.Reason
	}
	return callbackline.ErrorMessage(err)
}

// saveTrunk handles the form of the portal's own SIP account: only an
// administrator's; checked, tested at the server, stored sealed, then
// learned by the dialer. Nothing is stored when any step fails.
func (s *Server) saveTrunk(r *http.Request, p *callbackline.Portal) (int, *trunkView) {
	ctx := r.Context()
	authID := r.PostForm.Get("AUTH_ID")
	lang := pageLang(r, p)
	v := s.currentTrunk(ctx, p, authID, lang)
	// refuse logs why in English and shows it as said in the page's
	// language (the template says a phrase of the catalogue in it too).
	refuse := func(status int, why string, said ...string) (int, *trunkView) {
		v.Refused = why
		if len(said) > 0 {
			v.Refused = said[0]
		}
		s.logger.WarnContext(ctx, "portal SIP account not saved", slog.String("member_id", p.MemberID), slog.String("why", why))
		return status, v
	}
	if err := s.checkAdmin(ctx, p, authID, "the SIP account"); err != nil {
		return refuse(StatusOf(err), callbackline.ErrorMessage(err))
	}
	if r.PostForm.Get(actionField) == actionDeleteTrunk {
		if err := s.store.DeletePortalTrunk(ctx, p.MemberID, audited(s.changeBy(ctx, p, authID), trunkSummary(nil, nil))); err != nil {
			return refuse(StatusOf(err), callbackline.ErrorMessage(err))
		}
		if err := s.trunks.Apply(p.MemberID, nil); err != nil {
			s.logger.WarnContext(ctx, "forgetting a portal's SIP account", slog.String("member_id", p.MemberID), slog.Any("err", err))
		}
		*v = trunkView{AuthID: authID, Transport: "udp", Deleted: true}
		return http.StatusOK, v
	}
	if !s.trunks.Sealed {
		return refuse(http.StatusUnprocessableEntity, "this service stores SIP passwords only encrypted, and its operator has not set encryption_key; nothing was saved")
	}
	a, err := parseTrunkForm(r.PostForm, s.trunks.Allow)
	if err != nil {
		v.Field, v.FieldError = fieldProblem(lang, err)
		return refuse(http.StatusUnprocessableEntity, reasonOf(err), reasonIn(lang, err))
	}
	v.Registrar, v.Proxy, v.Username = a.Registrar, a.Proxy, a.Username
	v.CallerIDs, v.Transport, v.Options = strings.Join(a.CallerIDs, ", "), a.Transport, !a.Register
	if err := a.CheckAddrs(ctx, s.trunks.Allow, s.trunks.Lookup); err != nil {
		v.Field, v.FieldError = fieldProblem(lang, err)
		return refuse(http.StatusUnprocessableEntity, reasonOf(err), reasonIn(lang, err))
	}
	tr := a.Trunk()
	tr.Portals = []string{p.MemberID}
	if err := s.trunks.Check(ctx, tr); err != nil {
		return refuse(http.StatusUnprocessableEntity, "the account was tested and did not work: "+reasonOf(err),
			words.Page(lang, "the account was tested and did not work: %s", reasonIn(lang, err)))
	}
	now := s.now().UTC()
	pt := &callbackline.PortalTrunk{MemberID: p.MemberID, Registrar: a.Registrar, Proxy: a.Proxy, Username: a.Username,
		Password: a.Password, CallerIDs: a.CallerIDs, Transport: a.Transport, Register: a.Register, UpdatedAt: now}
	old, err := s.store.PortalTrunk(ctx, p.MemberID)
	if err != nil {
		old = nil
	}
	pt.Audit = audited(s.changeBy(ctx, p, authID), trunkSummary(old, pt))
	pt.UpdatedBy = pt.Audit.UserID
	if err := s.store.SavePortalTrunk(ctx, pt); err != nil {
		return refuse(StatusOf(err), callbackline.ErrorMessage(err))
	}
	if err := s.trunks.Apply(p.MemberID, &a); err != nil {
		return refuse(http.StatusInternalServerError, "stored, but the dialer did not take it: "+reasonOf(err),
			words.Page(lang, "stored, but the dialer did not take it: %s", reasonIn(lang, err)))
	}
	s.logger.InfoContext(ctx, "portal SIP account saved", slog.String("member_id", p.MemberID), slog.String("registrar", a.Registrar))
	v.Own, v.Saved, v.UpdatedAt, v.Status = true, true, now, ""
	return http.StatusOK, v
}
