package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
)

// handleApp serves the application page that Bitrix24 opens in its frame
// (GET|POST /bitrix24/app). The frame POST carries member_id and
// APPLICATION_TOKEN; the page shows that portal's recent callbacks and,
// with Options.Settings, its lines. The page posts its form back here with
// action=save_lines: an administrator's AUTH_ID (asked of the portal)
// saves the lines.
func (s *Server) handleApp(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxBody)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.writeError(w, r, callbackline.Errorf(callbackline.ETOOLARGE, "the body is larger than %d bytes", s.maxBody))
			return
		}
		s.writeError(w, r, callbackline.Errorf(callbackline.EINVALID, "the form could not be read"))
		return
	}
	// The page shows clients' numbers: no cache keeps it. It runs no
	// script and loads nothing but a voice sample from this server, so a
	// policy can forbid the rest; its forms post back here (the page must
	// stay frameable: Bitrix24 shows it in its frame).
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; media-src 'self'; base-uri 'none'; form-action 'self'")
	member, token := r.PostForm.Get("member_id"), r.PostForm.Get("APPLICATION_TOKEN")
	p, err := s.store.Portal(r.Context(), member)
	if member == "" || token == "" || err != nil || p.Status == callbackline.PortalUninstalled ||
		subtle.ConstantTimeCompare([]byte(p.ApplicationToken), []byte(token)) != 1 {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		_ = appPage(r, nil).Execute(w, nil)
		return
	}
	status := http.StatusOK
	var lines *linesView
	switch {
	case s.settings == nil && r.PostForm.Get(actionField) == actionSaveLine:
		s.writeError(w, r, callbackline.Errorf(callbackline.EFORBIDDEN, "this service does not let portals change their lines"))
		return
	case s.settings == nil:
	case r.PostForm.Get(actionField) == actionSaveLine:
		status, lines, err = s.saveLines(r, p, r.PostForm.Get(linesField))
	case s.settings.Form != nil && lineFormPosted(r):
		status, lines, err = s.postForm(r, p)
	default:
		lines, err = s.currentLines(r.Context(), p, r.PostForm.Get("AUTH_ID"))
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	countries, cstatus, err := s.appCountries(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if cstatus != 0 {
		status = cstatus
	}
	trunkStatus, trunk, err := s.trunkSection(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if trunkStatus != http.StatusOK {
		status = trunkStatus
	}
	zone, dash, zstatus, err := s.dashSections(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if zstatus != 0 {
		status = zstatus
	}
	blocked, bstatus, err := s.blockedSection(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if bstatus != 0 {
		status = bstatus
	}
	ctl, ctlStatus, err := s.controlSection(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ctlStatus != 0 {
		status = ctlStatus
	}
	list, err := s.store.Callbacks(r.Context(), callbackline.CallbackFilter{MemberID: p.MemberID, Limit: 50})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rows := s.appRows(r.Context(), list, pageLang(r, p), zone.loc)
	withControls(rows, &controlForm{MemberID: p.MemberID, Token: token, AuthID: r.PostForm.Get("AUTH_ID")})
	listen, err := s.listenSection(r, p)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	audit, err := s.auditSection(r.Context(), p, pageLang(r, p), zone.loc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var noRoute string
	if s.route != nil {
		if err := s.route(p.MemberID); err != nil {
			noRoute = problemIn(pageLang(r, p), err, callbackline.ErrorMessage(err))
		}
	}
	var tel *bitrix24.Telephony
	if s.telephony != nil {
		t := s.telephony(r.Context(), p)
		tel = &t
	}
	s.fillForm(r, p, lines, tel)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = appPage(r, p).Execute(w, struct {
		AuthID    string
		Portal    *callbackline.Portal
		Callbacks []appRow
		Lines     *linesView
		Countries *countriesView
		Token     string
		NoRoute   string
		Trunk     *trunkView
		Zone      *zoneView
		Dash      *dashView
		Telephony *bitrix24.Telephony
		Blocked   *blockedView
		Listen    *sampleView
		Audit     *auditView
		Control   *controlView
	}{r.PostForm.Get("AUTH_ID"), p, rows, lines, countries, token, noRoute, trunk, zone, dash, tel, blocked, listen, audit, ctl})
}

// dashSections are the page's time zone (saved first when the form asks;
// status is the page's status then, 0 else) and its dashboard.
func (s *Server) dashSections(r *http.Request, p *callbackline.Portal) (*zoneView, *dashView, int, error) {
	zone, status, err := s.zoneSection(r, p)
	if err != nil {
		return nil, nil, 0, err
	}
	dash, err := s.dashboard(r, p, zone.loc)
	return zone, dash, status, err
}

// appCountries is the app page's Countries section (nil without
// Options.Countries), saved first when the form asks (action=
// save_countries); status is the page's status then, 0 else.
func (s *Server) appCountries(r *http.Request, p *callbackline.Portal) (*countriesView, int, error) {
	save := r.PostForm.Get(actionField) == actionSaveCountries
	switch {
	case s.countries == nil && save:
		return nil, 0, callbackline.Errorf(callbackline.EFORBIDDEN, "this service does not let portals choose their countries")
	case s.countries == nil:
		return nil, 0, nil
	case save:
		status, v, err := s.saveCountries(r, p)
		return v, status, err
	}
	v, err := s.currentCountries(r.Context(), p, r.PostForm.Get("AUTH_ID"))
	return v, 0, err
}

// trunkSection is the page's section of the portal's own SIP account:
// saved or removed when the form asks (with the status to answer), else
// as stored; nil when the service takes no such accounts.
func (s *Server) trunkSection(r *http.Request, p *callbackline.Portal) (int, *trunkView, error) {
	act := r.PostForm.Get(actionField)
	asks := act == actionSaveTrunk || act == actionDeleteTrunk
	switch {
	case s.trunks == nil && asks:
		return 0, nil, callbackline.Errorf(callbackline.EFORBIDDEN, "this service does not let portals use their own SIP accounts")
	case s.trunks == nil:
		return http.StatusOK, nil, nil
	case asks:
		status, v := s.saveTrunk(r, p)
		return status, v, nil
	}
	return http.StatusOK, s.currentTrunk(r.Context(), p, r.PostForm.Get("AUTH_ID"), pageLang(r, p)), nil
}

// appRows are the callbacks with their history, when the store keeps it,
// said in lang, their times in loc.
func (s *Server) appRows(ctx context.Context, list []*callbackline.Callback, lang string, loc *time.Location) []appRow {
	rows := make([]appRow, 0, len(list))
	for _, c := range list {
		c.CreatedAt = c.CreatedAt.In(loc)
		row := appRow{Callback: c}
		hist, err := s.store.History(ctx, c.ID)
		if err == nil && len(hist) > 0 {
			row.History = make([]historyRow, len(hist))
			for i, h := range hist {
				row.History[i] = historyRow{At: h.At.In(loc), State: h.State, Note: sayNote(lang, loc, h)}
			}
			row.Last = row.History[len(hist)-1].Note
		}
		row.Why = sayReason(lang, loc, c.Reason, hist)
		rows = append(rows, row)
	}
	return rows
}

// historyRow is one step of a callback as the page shows it.
type historyRow struct {
	At    time.Time
	State callbackline.State
	Note  string // in the page's language
}

// appRow is one callback on the app page with its latest step and its
// whole history (shown folded).
type appRow struct {
	History []historyRow
	*callbackline.Callback
	Last string       // the latest step, in the page's language
	Why  string       // the Reason, in the page's language
	Form *controlForm // the buttons' form (actions by hand)
}

// appHTML is the app page; its Dashboard section is dashHTML. Every word
// on it goes through t (words.Page in the page's language).
const appHTML = `<!DOCTYPE html>
<html lang="{{lang}}">
<head><meta charset="utf-8"><title>callbackline</title>
<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}textarea{font-family:monospace;width:100%;max-width:60em}.errors,.refused,.field-error{color:#a00}.saved{color:#070}td,th{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left}td.num{text-align:right}.figures{display:flex;flex-wrap:wrap;gap:1em;margin:1em 0}.figure{border:1px solid #ddd;border-radius:4px;padding:.6em 1em;min-width:12em}.figure .n{display:block;font-size:1.6em;font-weight:bold}.key{display:inline-block;width:1em;height:.8em}.key.all{background:#c6d4e6}.key.called{background:#2f8f5b}form.filter label{margin-right:1em}.settings>section{border-top:2px solid #c6d4e6;margin-top:1.5em}nav.settings-nav a{margin-right:1em}fieldset{border:1px solid #ccc;border-radius:4px;margin:1em 0;max-width:60em}fieldset.line{background:#fafbfd}.field{margin:.4em 0}.field label{display:inline-block;min-width:24em}.hint{color:#555;font-size:.9em}.invalid{border-color:#a00;background:#fff3f3}table.hours td{border:0;padding:.1em .4em}.offscreen{position:absolute;left:-9999px}</style>
</head>
<body>
<h1>callbackline</h1>
{{if not .}}<p>{{t "Open this page from your Bitrix24 portal (Applications → callbackline)."}}</p>{{else}}
<p>{{t "Portal %s: %s" .Portal.Domain (t (print .Portal.Status))}}</p>
{{if .NoRoute}}<p class="refused" id="no-trunk"><strong>{{t "This portal cannot place calls:"}}</strong> {{.NoRoute}}. {{t "Requests are kept and shown here, but nobody is called."}}</p>{{end}}
{{template "dashboard" .}}
<h2 id="callbacks">{{t "Latest requests"}}</h2>
{{template "control-outcome" .Control}}
<table>
<tr><th>#</th><th>{{t "received (%s)" .Zone.Name}}</th><th>{{t "number"}}</th><th>CRM</th><th>{{t "line"}}</th><th>{{t "state"}}</th><th>{{t "latest step"}}</th><th>{{t "calls to the client"}}</th><th>{{t "repeats"}}</th><th></th></tr>
{{range .Callbacks}}<tr class="callback" data-state="{{.State}}"><td>{{.ID}}</td><td>{{.CreatedAt.Format "2006-01-02 15:04:05"}}</td><td>{{if .Phone}}{{.Phone}}{{else}}{{.PhoneRaw}}{{end}}</td><td>{{t .CRMEntityType}} {{if .CRMEntityID}}{{.CRMEntityID}}{{end}}</td><td>{{.LineNumber}}</td><td>{{state .State}}</td><td>{{if .Reason}}{{.Why}}{{else}}{{.Last}}{{end}}{{if .History}}<details class="history"><summary>{{t "history"}}</summary><ol>{{range .History}}<li>{{.At.Format "15:04:05"}} {{state .State}}: {{.Note}}</li>{{end}}</ol></details>{{end}}</td><td>{{.ClientAttempts}}</td><td>{{.Duplicates}}</td><td>{{template "callback-actions" .}}</td></tr>
{{else}}<tr><td colspan="10">{{t "No callback requests yet."}}</td></tr>{{end}}
</table>
<div class="settings" id="settings">
<h2>{{t "Settings"}}</h2>
<nav class="settings-nav">{{if .Lines}}<a href="#lines">{{t "Lines"}}</a>{{end}}{{if .Telephony}}<a href="#bitrix24-telephony">{{t "Bitrix24 telephony"}}</a>{{end}}{{if .Countries}}<a href="#countries">{{t "Countries"}}</a>{{end}}{{if .Blocked}}<a href="#blocked">{{t "Blocked numbers"}}</a>{{end}}{{if .Trunk}}<a href="#sip-account">{{t "SIP account"}}</a>{{end}}{{if .Listen}}<a href="#listen">{{t "Voices"}}</a>{{end}}<a href="#time-zone">{{t "Time zone"}}</a></nav>
<p class="hint">{{t "Only an administrator of the portal can save settings; everyone can see them."}}</p>
{{with .Lines}}<section>
<h2 id="lines">{{t "Lines"}}</h2>
{{if .Saved}}<p class="saved"><strong>{{t "Saved."}}</strong> {{t "The portal's calls use these lines from now on."}}</p>{{end}}
{{if .Refused}}<p class="refused"><strong>{{t "Not saved:"}}</strong> {{t .Refused}}. {{t "The text below is as you typed it."}}</p>{{end}}
{{if .Errors}}<div class="errors"><p><strong>{{t "Not saved: the lines have errors."}}</strong> {{t "The text below is as you typed it; the stored lines are unchanged."}}</p><ul>{{range .Errors}}<li class="error">{{.}}</li>{{end}}</ul></div>{{end}}
<p class="source">{{if .Own}}{{t "This portal's own lines"}}{{if not .UpdatedAt.IsZero}}, {{t "saved %s" ($.Zone.Time .UpdatedAt)}}{{end}}.{{else}}{{t "This portal has no lines of its own yet: it uses the service's lines shown here. Saving makes them its own."}}{{end}}</p>
{{if .Rows}}<table class="lines">
<tr><th>{{t "number"}}</th><th>{{t "name"}}</th><th>{{t "employees or target"}}</th><th>{{t "ring mode"}}</th><th>{{t "hours (time zone)"}}</th></tr>
{{range .Rows}}<tr class="line"><td>{{.Number}}</td><td>{{.Name}}</td><td>{{template "who" .}}</td><td>{{if .Via}}{{t "Bitrix24's queue"}}{{else}}{{t .RingMode}}{{end}}</td><td>{{.Zone}}{{if .Always}} {{t "(always open)"}}{{end}}</td></tr>
{{end}}</table>{{end}}
{{if .Form}}{{if .Form.Broken}}<p class="refused" id="form-broken">{{t "The lines' YAML cannot be shown as a form: correct it below."}}</p>{{else}}{{template "lineform" $}}{{end}}{{end}}
<details class="advanced" id="advanced"{{if .AdvancedOpen}} open{{end}}><summary>{{t "Advanced: the lines as YAML"}}</summary>
<p class="hint">{{t "The same settings as the form above: saving either shows the same in the other."}}</p>
<form method="post">
{{template "frame" $}}
<input type="hidden" name="action" value="save_lines">
<p><label for="lines-text">{{t "The lines as YAML (a list, one entry per line). Only an administrator of the portal can save them."}}</label></p>
<textarea id="lines-text" name="lines" rows="20" cols="80" maxlength="{{.MaxLength}}" spellcheck="false">{{.Text}}</textarea>
<p><button type="submit">{{t "Save lines"}}</button></p>
</form>
<details><summary>{{t "Keys"}}</summary>
<dl>
<dt>number</dt><dd>{{t "the line's number in Bitrix24 (unique; required)"}}</dd>
<dt>name</dt><dd>{{t "its name in Bitrix24"}}</dd>
<dt>caller_id, caller_name</dt><dd>{{t "the number and name shown to the client"}}</dd>
<dt>employees</dt><dd>{{t "Bitrix24 user ids tried after the CRM responsible, in order: [12, 34]"}}</dd>
<dt>target, target_user</dt><dd>{{t "a fixed extension (queue, ring group) instead of employees, and the Bitrix24 user its calls are registered for; the extension must pass the PBX's extension rule (by default 2–6 digits without a leading 0), as must every employee's internal number: an employee whose number breaks it is skipped, and the callback's history says so"}}</dd>
<dt>policy</dt><dd>{{t "employee_ring_timeout, client_ring_timeout (20s, 30s), client_attempts, client_retry_after, employee_rounds, employee_retry_after, max_age, max_call_length (durations like 30s, 10m, 1h), ring_mode (sequential or all), skip_absent, require_workday, require_accept, announce, todo (true or false), announce_repeat (1–3), voice (the voice callbackline speaks with when a request names none)"}}</dd>
<dt>policy.hours</dt><dd>{{t "time_zone (Europe/Berlin), monday … sunday ([\"09:00-18:00\"]), holidays ([\"2025-12-25\"])"}}</dd>
<dt>dialer</dt><dd>{{t "sip (the default: callbackline calls over a SIP trunk or PBX) or bitrix24: each call goes to the portal's own Bitrix24 telephony, which rings the employees of the line's queue in Bitrix24, speaks the request, calls the client, logs the call and bills it to the portal's telephony balance."}} {{t "On such a line employees, target, caller_id, caller_name and the policy keys employee_ring_timeout, client_ring_timeout, employee_rounds, employee_retry_after, ring_mode, skip_absent, require_workday, require_accept, announce, announce_repeat and voice do not apply (Bitrix24 routes the employee side and speaks the request itself); client_attempts, client_retry_after, max_age, max_call_length, hours and todo do"}}</dd>
<dt>from_line</dt><dd>{{t "with dialer: bitrix24 (or fallback), the portal's own Bitrix24 line the calls come from (see \"Bitrix24 telephony\" below); never one of these lines: Bitrix24 would send the request back instead of dialling"}}</dd>
<dt>voice</dt><dd>{{t "the Bitrix24 voice the request is spoken in (see below); default the request's, the portal language's"}}</dd>
<dt>fallback</dt><dd>{{t "bitrix24: a sip line's callbacks go out through from_line while no SIP trunk serves the portal or its registration fails, and when the trunk refused every call to the employees before any phone rang (not when an employee is busy or declines); the history says so"}}</dd>
</dl>
</details>
</details>
</section>{{end}}
{{with .Telephony}}<section>
<h2 id="bitrix24-telephony">{{t "Bitrix24 telephony"}}</h2>
<p>{{t "A line with dialer: bitrix24 calls through one of these lines of the portal's own telephony (its from_line). The application needs the scopes \"telephony\" and \"call\", and the installing user the telephony permission \"Outgoing call — Execute\"."}}</p>
{{if .Problem}}<p class="refused" id="telephony-problem">{{t .Problem}}</p>{{end}}
{{if .Missing}}<p class="refused" id="scope-missing">{{t .Missing}}</p>{{end}}
{{if .Lines}}<table class="vox-lines"><tr><th>from_line</th><th>{{t "name"}}</th></tr>
{{range .Lines}}<tr class="vox-line"><td>{{.ID}}</td><td>{{.Name}}</td></tr>
{{end}}</table>{{else if not .Problem}}<p id="no-vox-lines">{{t "The portal has no telephony lines of its own: rent a number or connect a SIP PBX in Bitrix24 Telephony to use the Bitrix24 dialer."}}</p>{{end}}
{{if .Voices}}<details><summary>{{t "Voices (%d)" (len .Voices)}}</summary><table class="voices"><tr><th>{{t "voice"}}</th><th>{{t "name"}}</th></tr>
{{range .Voices}}<tr class="voice"><td>{{.ID}}</td><td>{{.Name}}</td></tr>
{{end}}</table></details>{{end}}
</section>{{end}}
{{with .Countries}}<section>
<h2 id="countries">{{t "Countries"}}</h2>
{{if .Saved}}<p class="saved"><strong>{{t "Saved."}}</strong> {{t "The portal's calls go only to these countries from now on."}}</p>{{end}}
{{if .Refused}}<p class="refused"><strong>{{t "Not saved:"}}</strong> {{t .Refused}}.</p>{{end}}
<p class="countries">{{if .Codes}}{{t "Calls go only to numbers of:"}} <strong>{{range $i, $c := .Codes}}{{if $i}}, {{end}}{{$c}}{{end}}</strong>{{else}}{{t "No country is allowed: no call is placed"}}{{end}} {{if .Chosen}}{{t "(chosen for this portal)"}}{{else}}{{t "(the portal's own country, until an administrator chooses)"}}{{end}}.</p>
<p>{{if .Operator}}{{t "This service allows:"}} {{range $i, $c := .Operator}}{{if $i}}, {{end}}{{$c}}{{end}}.{{else}}{{t "This service allows any country."}}{{end}}</p>
<form method="post">
{{template "frame" $}}
<input type="hidden" name="action" value="save_countries">
<p><label for="countries-text">{{t "Countries the portal may call, as ISO codes (DE, AT, CH)."}}</label></p>
<input id="countries-text" name="countries" size="40" maxlength="400" value="{{.Text}}"{{if .Error}} class="invalid" aria-invalid="true" aria-describedby="countries-error"{{end}}>
{{if .Error}}<p class="errors field-error" id="countries-error"><strong>{{t "Not saved:"}}</strong> {{.Error}}. {{t "The stored countries are unchanged."}}</p>{{end}}
<p><button type="submit">{{t "Save countries"}}</button></p>
</form>
</section>{{end}}
{{with .Blocked}}<section>
<h2 id="blocked">{{t "Blocked numbers"}}</h2>
{{if .Saved}}<p class="saved"><strong>{{t "Saved."}}</strong> {{t "These numbers are never called from now on."}}</p>{{end}}
{{if .Refused}}<p class="refused" id="blocked-refused"><strong>{{t "Not saved:"}}</strong> {{t .Refused}}.</p>{{end}}
<p>{{if .Entries}}{{t "%d numbers or prefixes are blocked: requests for them are rejected and never called." (len .Entries)}}{{else}}{{t "No number is blocked."}}{{end}}</p>
<form method="post">
{{template "frame" $}}
<input type="hidden" name="action" value="save_blocked">
<p><label for="blocked-text">{{t "One number a line in international form (+49 30 1234567), or a prefix ending in * (+49 900*)."}}</label></p>
<textarea id="blocked-text" name="blocked" rows="6" cols="40" spellcheck="false"{{if .Errors}} class="invalid" aria-invalid="true" aria-describedby="blocked-errors"{{end}}>{{.Text}}</textarea>
{{if .Errors}}<div class="errors field-error" id="blocked-errors"><p><strong>{{t "Not saved: the list has errors."}}</strong> {{t "The stored list is unchanged."}}</p><ul>{{range .Errors}}<li class="error">{{.}}</li>{{end}}</ul></div>{{end}}
<p><button type="submit">{{t "Save blocked numbers"}}</button></p>
</form>
</section>{{end}}
{{with .Trunk}}<section>
<h2 id="sip-account">{{t "The portal's own SIP account"}}</h2>
<p class="source">{{if .Own}}{{t "This portal's calls go out through its own SIP account"}}{{if not .UpdatedAt.IsZero}}, {{t "saved %s" ($.Zone.Time .UpdatedAt)}}{{end}}.{{else}}{{t "This portal has no SIP account of its own: its calls go out through a trunk the service's operator grants it, if any."}}{{end}}</p>
{{if .Saved}}<p class="saved"><strong>{{t "Saved."}}</strong> {{t "The account answered the test; the portal's calls go out through it from now on."}}</p>{{end}}
{{if .Deleted}}<p class="saved"><strong>{{t "Removed."}}</strong></p>{{end}}
{{if .Status}}<p class="refused" id="trunk-status">{{t .Status}}</p>{{end}}
{{if .Refused}}<p class="refused" id="trunk-refused"><strong>{{t "Not saved:"}}</strong> {{t .Refused}}</p>{{end}}
<form method="post">
{{template "frame" $}}
<input type="hidden" name="action" value="save_trunk">
<p><label>{{t "Registrar or proxy (host or host:port)"}} <input name="registrar" value="{{.Registrar}}" maxlength="128"{{if .E "registrar"}} class="invalid" aria-invalid="true" aria-describedby="trunk-registrar-error"{{end}}>{{with .E "registrar"}} <span class="field-error" id="trunk-registrar-error" data-field="registrar">{{.}}</span>{{end}}</label></p>
<p><label>{{t "Outbound proxy (optional)"}} <input name="proxy" value="{{.Proxy}}" maxlength="128"{{if .E "proxy"}} class="invalid" aria-invalid="true" aria-describedby="trunk-proxy-error"{{end}}>{{with .E "proxy"}} <span class="field-error" id="trunk-proxy-error" data-field="proxy">{{.}}</span>{{end}}</label></p>
<p><label>{{t "User name"}} <input name="username" value="{{.Username}}" maxlength="128" autocomplete="off"{{if .E "username"}} class="invalid" aria-invalid="true" aria-describedby="trunk-username-error"{{end}}>{{with .E "username"}} <span class="field-error" id="trunk-username-error" data-field="username">{{.}}</span>{{end}}</label></p>
<p><label>{{t "Password"}} <input name="password" type="password" value="" maxlength="128" autocomplete="new-password"{{if .E "password"}} class="invalid" aria-invalid="true" aria-describedby="trunk-password-error"{{end}}>{{with .E "password"}} <span class="field-error" id="trunk-password-error" data-field="password">{{.}}</span>{{end}}</label> {{t "(stored encrypted, never shown again)"}}</p>
<p><label>{{t "Caller IDs, E.164, comma separated; the first is the default"}} <input name="caller_ids" value="{{.CallerIDs}}" maxlength="400"{{if .E "caller_ids"}} class="invalid" aria-invalid="true" aria-describedby="trunk-caller_ids-error"{{end}}>{{with .E "caller_ids"}} <span class="field-error" id="trunk-caller_ids-error" data-field="caller_ids">{{.}}</span>{{end}}</label></p>
<p><label>{{t "Transport"}} <select name="transport"><option{{if eq .Transport "udp"}} selected{{end}}>udp</option><option{{if eq .Transport "tcp"}} selected{{end}}>tcp</option><option{{if eq .Transport "tls"}} selected{{end}}>tls</option></select></label>
<label><input type="checkbox" name="check" value="options"{{if .Options}} checked{{end}}> {{t "no registration (tested with OPTIONS)"}}</label></p>
<p><button type="submit">{{t "Test and save"}}</button></p>
</form>
{{if .Own}}<form method="post">{{template "frame" $}}<input type="hidden" name="action" value="delete_trunk"><p><button type="submit">{{t "Remove the account"}}</button></p></form>{{end}}
</section>{{end}}
{{with .Listen}}<section>
<h2 id="listen">{{t "Voices"}}</h2>
<p>{{t "Hear a voice as the employee's phone plays it before the client is called (a request's text is spoken in the voice its form sends)."}}</p>
<form method="post">
{{template "frame" $}}
<input type="hidden" name="action" value="listen">
<p><label>{{t "Voice"}} <select name="voice">{{range .Voices}}<option{{if eq . $.Listen.Voice}} selected{{end}}>{{.}}</option>{{end}}</select></label>
<button type="submit">{{t "Listen"}}</button></p>
</form>
{{if .URL}}<p><audio id="sample" controls preload="none" src="{{.URL}}"></audio> {{.Voice}}</p>{{end}}
</section>{{end}}
{{template "zone" .}}
{{template "audit" .Audit}}
</div>{{end}}
</body>
</html>
{{define "frame"}}<input type="hidden" name="member_id" value="{{.Portal.MemberID}}">
<input type="hidden" name="APPLICATION_TOKEN" value="{{.Token}}">
<input type="hidden" name="AUTH_ID" value="{{.AuthID}}">
<input type="hidden" name="LANG" value="{{lang}}">{{end}}
{{define "who"}}{{if .Via}}{{t "Bitrix24 telephony from line %s" .FromLine}}{{else if .Target}}{{t "target %s" .Target}}{{if .TargetUser}} ({{t "user %d" .TargetUser}}){{end}}{{else if .Employees}}{{t "employees %s" .Employees}}{{else}}{{t "the CRM responsible"}}{{end}}{{if .Fallback}}; {{t "Bitrix24 line %s while SIP is down" .FromLine}}{{end}}{{end}}
`
