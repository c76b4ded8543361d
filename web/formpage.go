package web

// formHTML is the lines as a form (template lineform, given the page's
// data): every key of a line has its input, what the form has no input
// for rides along hidden; buttons post the form back with an action (the
// page runs no script). The first button, off screen, is the one Enter
// presses: it shows the form again and runs the searches typed.
const formHTML = `{{define "lineform"}}{{with .Lines.Form}}
<form method="post" class="lineform" id="line-form">
{{template "frame" $}}
<button type="submit" name="action" value="form" class="offscreen" tabindex="-1" aria-hidden="true">{{t "Apply"}}</button>
<input type="hidden" name="lines_n" value="{{len .Lines}}">
{{if $.Lines.Editing}}<p class="hint" id="form-unsaved">{{t "Changed, not saved yet: press Save lines to keep the changes."}}</p>{{end}}
{{if .Errors}}<div class="errors" id="form-errors"><p><strong>{{t "Not saved: the lines have errors."}}</strong> {{t "The stored lines are unchanged."}}</p><ul>{{range .Errors}}<li class="error">{{.}}</li>{{end}}</ul></div>{{else if $.Lines.Errors}}<p class="errors" id="form-errors"><strong>{{t "Not saved: the lines have errors."}}</strong> {{t "Each is shown next to its field; the stored lines are unchanged."}}</p>{{end}}
{{range $l := .Lines}}{{$p := printf "l%d." $l.I}}
<fieldset class="line" id="line-{{$l.I}}">
<legend>{{t "Line %d" (inc $l.I)}}{{with $l.V "name"}}: {{.}}{{end}}</legend>
{{range $l.Problems}}<p class="field-error">{{.}}</p>{{end}}
{{template "row" (field $l "number" "text" "Number in Bitrix24 (unique; required)")}}
{{template "row" (field $l "name" "text" "Name in Bitrix24")}}
<h4>{{t "Who answers"}}</h4>
<div class="field"><span class="label">{{t "Employees, in order, after the CRM responsible"}}</span>
<ul class="employees">{{range $l.Employees}}<li class="employee">{{.Name}}{{if .Ext}} ({{t "extension %s" .Ext}}){{end}}<input type="hidden" name="{{$p}}employees[]" value="{{if .ID}}{{.ID}}{{else}}{{.Name}}{{end}}"> <button type="submit" name="action" value="remove_employee {{$l.I}} {{.ID}}">{{t "Remove"}}</button></li>{{else}}<li>{{t "none: only the CRM responsible is called"}}</li>{{end}}</ul>
{{template "ferr" (field $l "employees[]" "" "")}}
<label for="s{{$l.I}}">{{t "Find an employee by name"}}</label> <input type="search" id="s{{$l.I}}" name="s{{$l.I}}" value="{{$l.Search}}" maxlength="100"> <button type="submit" name="action" value="search {{$l.I}}">{{t "Search"}}</button>
{{if $l.SearchErr}}<p class="field-error">{{t $l.SearchErr}}</p>{{end}}
{{if $l.Searched}}<ul class="matches" id="matches-{{$l.I}}">{{range $l.Matches}}<li class="match">{{.Name}}{{if .Ext}} ({{t "extension %s" .Ext}}){{else}} ({{t "no extension"}}){{end}} <button type="submit" name="action" value="add_employee {{$l.I}} {{.ID}}">{{t "Add"}}</button></li>{{else}}<li>{{t "Nobody found."}}</li>{{end}}</ul>{{if $l.More}}<p class="hint">{{t "More employees match: type more of the name."}}</p>{{end}}{{end}}
</div>
{{template "row" (field $l "target" "text" "Or a fixed target instead of employees (an extension: queue, ring group)")}}
{{template "row" (field $l "target_user" "number" "Bitrix24 user the target's calls are registered for (id)")}}
<div class="field"><label for="{{(field $l "policy.ring_mode" "" "").ID}}">{{t "Ring mode"}}</label> <select id="{{(field $l "policy.ring_mode" "" "").ID}}" name="{{$p}}policy.ring_mode"><option value="">{{t "default"}}</option><option value="sequential"{{if eq ($l.V "policy.ring_mode") "sequential"}} selected{{end}}>{{t "one after another"}}</option><option value="all"{{if eq ($l.V "policy.ring_mode") "all"}} selected{{end}}>{{t "all at once"}}</option></select>{{template "ferr" (field $l "policy.ring_mode" "" "")}}</div>
{{template "row" (field $l "policy.employee_ring_timeout" "text" "How long an employee's phone rings" "20s")}}
{{template "row" (field $l "policy.employee_rounds" "number" "Rounds over the employees")}}
{{template "row" (field $l "policy.employee_retry_after" "text" "Time between rounds" "10m")}}
{{template "yesno" (field $l "policy.skip_absent" "" "Skip employees marked absent")}}
{{template "yesno" (field $l "policy.require_workday" "" "Skip employees whose workday is not open")}}
{{template "yesno" (field $l "policy.require_accept" "" "The employee accepts by pressing 1 (2 declines)")}}
{{template "yesno" (field $l "policy.announce" "" "Speak the request to the employee")}}
{{template "row" (field $l "policy.announce_repeat" "number" "Times the request is said (1–3)")}}
<div class="field"><label for="{{(field $l "policy.voice" "" "").ID}}">{{t "Voice"}}</label> <select id="{{(field $l "policy.voice" "" "").ID}}" name="{{$p}}policy.voice"><option value="">{{t "default"}}</option>{{range $.Lines.Form.Voices}}<option value="{{.ID}}"{{if eq .ID ($l.V "policy.voice")}} selected{{end}}>{{.Name}}</option>{{end}}{{with $l.V "policy.voice"}}{{if not (hasVoice $.Lines.Form.Voices .)}}<option selected>{{.}}</option>{{end}}{{end}}</select> <button type="submit" name="action" value="listen_line {{$l.I}}">{{t "Listen"}}</button>{{template "ferr" (field $l "policy.voice" "" "")}}
{{if $l.SampleURL}}<audio id="sample-{{$l.I}}" controls preload="none" src="{{$l.SampleURL}}"></audio> {{$l.SampleName}}{{end}}</div>
<h4>{{t "Calls to the client"}}</h4>
{{template "row" (field $l "policy.client_attempts" "number" "Calls to the client (busy, no answer)")}}
{{template "row" (field $l "policy.client_retry_after" "text" "Time between calls to the client" "10m")}}
{{template "row" (field $l "policy.client_ring_timeout" "text" "How long the client's phone rings" "30s")}}
{{template "row" (field $l "policy.max_age" "text" "Requests older than this are not called" "24h")}}
{{template "row" (field $l "policy.max_call_length" "text" "A call is ended after" "1h")}}
{{template "yesno" (field $l "policy.todo" "" "A to-do for the responsible when a callback fails")}}
{{template "yesno" (field $l "record" "" "Record the calls (attached to the call in Bitrix24)")}}
{{template "yesno" (field $l "record_notice" "" "Tell the client the call is recorded, in the portal's language")}}
{{template "row" (field $l "caller_id" "text" "Number shown to the client")}}
{{template "row" (field $l "caller_name" "text" "Name shown to the client")}}
<div class="field"><label for="{{(field $l "language" "" "").ID}}">{{t "Language of what callbackline says and writes"}}</label> <select id="{{(field $l "language" "" "").ID}}" name="{{$p}}language"><option value="">{{t "the portal's"}}</option>{{range languages}}<option{{if eq . ($l.V "language")}} selected{{end}}>{{.}}</option>{{end}}</select>{{template "ferr" (field $l "language" "" "")}}</div>
<h4>{{t "Working hours"}}</h4>
{{template "row" (field $l "policy.hours.time_zone" "zone" "Time zone" "Europe/Berlin")}}
<p class="hint">{{t "No day filled in: open every day, all day. Otherwise a day without times is closed."}}</p>
<table class="hours">{{range $l.Days}}{{$d := .Key}}<tr class="day" data-day="{{$d}}"><td>{{t $d}}</td><td>{{range .Spans}}<span class="span"><input type="time" name="{{$p}}hours.{{$d}}.from" value="{{index . 0}}" aria-label="{{t "from"}}">–<input type="time" name="{{$p}}hours.{{$d}}.to" value="{{index . 1}}" aria-label="{{t "until"}}"></span> {{end}}{{range .Err}}<span class="field-error" data-field="{{$p}}hours.{{$d}}">{{.}}</span>{{end}}</td></tr>{{end}}</table>
<div class="field"><span class="label">{{t "Holidays (closed)"}}</span> {{range $l.Holidays}}<input type="date" name="{{$p}}policy.hours.holidays[]" value="{{.}}"> {{end}}{{template "ferr" (field $l "policy.hours.holidays[]" "" "")}}</div>
<h4>{{t "Dialer"}}</h4>
<div class="field"><label for="{{(field $l "dialer" "" "").ID}}">{{t "Calls are placed"}}</label> <select id="{{(field $l "dialer" "" "").ID}}" name="{{$p}}dialer"><option value="">{{t "by callbackline over SIP (default)"}}</option><option value="sip"{{if eq ($l.V "dialer") "sip"}} selected{{end}}>{{t "by callbackline over SIP"}}</option><option value="bitrix24"{{if eq ($l.V "dialer") "bitrix24"}} selected{{end}}>{{t "by Bitrix24's own telephony"}}</option></select>{{template "ferr" (field $l "dialer" "" "")}}</div>
<div class="field"><label for="{{(field $l "from_line" "" "").ID}}">{{t "Bitrix24 line the calls come from"}}</label> <select id="{{(field $l "from_line" "" "").ID}}" name="{{$p}}from_line"><option value="">{{t "none"}}</option>{{with $.Telephony}}{{range .Lines}}<option value="{{.ID}}"{{if eq .ID ($l.V "from_line")}} selected{{end}}>{{.Name}} ({{.ID}})</option>{{end}}{{end}}{{with $l.V "from_line"}}{{if not (hasLine $.Telephony .)}}<option selected>{{.}}</option>{{end}}{{end}}</select>{{template "ferr" (field $l "from_line" "" "")}}</div>
<div class="field"><label for="{{(field $l "fallback" "" "").ID}}">{{t "While SIP has no way out"}}</label> <select id="{{(field $l "fallback" "" "").ID}}" name="{{$p}}fallback"><option value="">{{t "SIP only: the callback fails, or is tried again later"}}</option><option value="bitrix24"{{if eq ($l.V "fallback") "bitrix24"}} selected{{end}}>{{t "call through the Bitrix24 line above"}}</option></select>{{template "ferr" (field $l "fallback" "" "")}}</div>
<div class="field"><label for="{{(field $l "voice" "" "").ID}}">{{t "Voice of Bitrix24's telephony"}}</label> <select id="{{(field $l "voice" "" "").ID}}" name="{{$p}}voice"><option value="">{{t "the request's"}}</option>{{with $.Telephony}}{{range .Voices}}<option value="{{.ID}}"{{if eq .ID ($l.V "voice")}} selected{{end}}>{{.Name}}</option>{{end}}{{end}}{{with $l.V "voice"}}{{if not (hasTelVoice $.Telephony .)}}<option selected>{{.}}</option>{{end}}{{end}}</select>{{template "ferr" (field $l "voice" "" "")}}</div>
<p class="hint">{{t "With Bitrix24's telephony, Bitrix24 rings the employees of the line's queue: the employees, target, number and name shown to the client, ring mode, rings, rounds, absence, workday, acceptance and announcement above do not apply; calls to the client, their times, the age of requests, call length, working hours and the to-do do."}}</p>
{{range $l.Hidden}}<input type="hidden" name="{{index . 0}}" value="{{index . 1}}">{{end}}
<p><button type="submit" name="action" value="remove_line {{$l.I}}">{{t "Remove this line"}}</button></p>
</fieldset>
{{end}}
<p><button type="submit" name="action" value="add_line">{{t "Add a line"}}</button> <button type="submit" name="action" value="save_form" class="primary">{{t "Save lines"}}</button></p>
</form>
{{end}}{{end}}
{{define "row"}}<div class="field"><label for="{{.ID}}">{{t .Label}}</label> {{template "input" .}}</div>{{end}}
{{define "input"}}<input id="{{.ID}}" name="{{.Name}}" {{if eq .Type "zone"}}list="zones"{{else}}type="{{.Type}}"{{end}} value="{{.L.V .Key}}"{{if .Hint}} placeholder="{{.Hint}}"{{end}}{{if .L.E .Key}} class="invalid" aria-invalid="true"{{end}}>{{template "ferr" .}}{{end}}
{{define "ferr"}}{{$n := .Name}}{{range .L.E .Key}} <span class="field-error" data-field="{{$n}}">{{.}}</span>{{end}}{{end}}
{{define "yesno"}}{{$v := .L.V .Key}}<div class="field"><label for="{{.ID}}">{{t .Label}}</label> <select id="{{.ID}}" name="{{.Name}}"><option value="">{{t "default"}}</option><option value="true"{{if eq $v "true"}} selected{{end}}>{{t "yes"}}</option><option value="false"{{if eq $v "false"}} selected{{end}}>{{t "no"}}</option></select>{{template "ferr" .}}</div>{{end}}`
