package web

// dashHTML is the app page's Dashboard section: figures, the requests per
// day as inline SVG, outcomes, by line, by employee, failed requests and
// the filter; and the settings' time zone form (zone). It runs no script
// (the page's policy forbids it); the filter is a form posted back with
// the frame's fields.
const dashHTML = `{{define "dashboard"}}{{with .Dash}}
<h2 id="dashboard">{{t "Dashboard"}}</h2>
<form method="post" class="filter">
{{template "frame" $}}
<label>{{t "From"}} <input type="date" name="from" value="{{.From}}" required{{if eq .Field "from"}} class="invalid" aria-invalid="true" aria-describedby="filter-error"{{end}}></label>
<label>{{t "to"}} <input type="date" name="to" value="{{.To}}" required{{if eq .Field "to"}} class="invalid" aria-invalid="true" aria-describedby="filter-error"{{end}}></label>
<label>{{t "Line"}} <select name="line"{{if eq .Field "line"}} class="invalid" aria-invalid="true" aria-describedby="filter-error"{{end}}><option value="">{{t "every line"}}</option>{{range .Lines}}<option{{if eq . $.Dash.Line}} selected{{end}}>{{.}}</option>{{end}}</select></label>
<button type="submit">{{t "Show"}}</button>
</form>
{{if .Error}}<p class="errors field-error" id="filter-error"><strong>{{t "Filter not applied:"}}</strong> {{.Error}}. {{t "Shown: the last 30 days."}}</p>{{end}}
<p class="period">{{.From}} – {{.To}}{{if .Line}}, {{t "line %s" .Line}}{{end}}; {{t "times in %s." $.Zone.Name}}</p>
<div class="figures">
<div class="figure"><span class="n" id="requests">{{.Requests}}</span> {{t "requests"}}</div>
<div class="figure"><span class="n" id="share">{{.Share}}</span> {{t "called back (%d)" .Connected}}</div>
<div class="figure"><span class="n" id="to-employee">{{.ToEmp}}</span> {{t "to the employee's answer (median / 90 %)"}}</div>
<div class="figure"><span class="n" id="to-client">{{.ToClient}}</span> {{t "to the client's answer (median / 90 %)"}}</div>
</div>
<h3>{{t "Requests per day"}}</h3>
{{with .Chart}}<svg class="chart" role="img" aria-label="{{t "requests per day"}}" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" xmlns="http://www.w3.org/2000/svg">
<line x1="34" y1="{{.Top}}" x2="{{.Width}}" y2="{{.Top}}" stroke="#ddd"/><line x1="34" y1="{{.Base}}" x2="{{.Width}}" y2="{{.Base}}" stroke="#999"/>
<text x="30" y="{{.Top}}" text-anchor="end" dominant-baseline="middle" font-size="11">{{.Max}}</text><text x="30" y="{{.Base}}" text-anchor="end" dominant-baseline="middle" font-size="11">0</text>
{{range .Bars}}<g class="day"><title>{{t "%s: %d requests, %d called back" .Date .Requests .Called}}</title><rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="#c6d4e6"/><rect x="{{.X}}" y="{{.CY}}" width="{{.W}}" height="{{.CH}}" fill="#2f8f5b"/></g>
{{end}}{{range .Ticks}}<text x="{{.X}}" y="166" font-size="11">{{.Text}}</text>{{end}}
</svg>{{end}}
<p class="legend"><span class="key all"></span> {{t "requests"}} <span class="key called"></span> {{t "called back"}}</p>
<h3>{{t "Outcomes"}}</h3>
<table class="outcomes">
{{range .Outcomes}}<tr class="outcome" data-outcome="{{.Name}}"><td>{{t .Label}}</td><td class="num">{{.N}}</td><td class="num">{{.Percent}}</td><td><svg width="202" height="12" role="img" aria-label="{{.Percent}}" xmlns="http://www.w3.org/2000/svg"><rect x="0" y="1" width="{{.Width}}" height="10" fill="{{if eq .Name "connected"}}#2f8f5b{{else if eq .Name "pending"}}#c6d4e6{{else}}#c8553d{{end}}"/></svg></td></tr>
{{end}}</table>
<h3>{{t "By line"}}</h3>
{{template "groups" .ByLine}}
<h3>{{t "By employee"}}</h3>
{{template "groups" .ByUser}}
<h3 id="failed">{{t "Failed requests"}}</h3>
{{if .Failed}}<table class="failed">
<tr><th>#</th><th>{{t "received"}}</th><th>{{t "line"}}</th><th>{{t "outcome"}}</th><th>{{t "reason"}}</th><th>CRM</th></tr>
{{range .Failed}}<tr class="failure"><td>{{.ID}}</td><td>{{.At.Format "2006-01-02 15:04"}}</td><td>{{.Line}}</td><td data-outcome="{{.Outcome}}">{{t .Label}}</td><td>{{reason .Reason}}</td><td>{{if .CRMLink}}<a href="{{.CRMLink}}" target="_top" rel="noopener noreferrer">{{.CRM}}</a>{{else}}{{.CRM}}{{end}}</td></tr>
{{end}}</table>{{if .MoreFailed}}<p>{{t "and %d more; choose a shorter period to see them." .MoreFailed}}</p>{{end}}{{else}}<p>{{t "No request failed in this period."}}</p>{{end}}
{{end}}{{end}}
{{define "zone"}}{{with .Zone}}<section>
<h2 id="time-zone">{{t "Time zone"}}</h2>
<form method="post" class="zone">
{{template "frame" $}}
<input type="hidden" name="action" value="save_time_zone">
{{if .Saved}}<p class="saved"><strong>{{t "Saved."}}</strong> {{t "The page shows times in %s." .Name}}</p>{{end}}
{{if .Refused}}<p class="refused"><strong>{{t "Not saved:"}}</strong> {{t .Refused}}.</p>{{end}}
<p><label for="time-zone-text">{{t "Time zone of this page"}} ({{if .Chosen}}{{t "chosen for the portal"}}{{else}}{{t "the first line's, until an administrator chooses"}}{{end}})</label> <input id="time-zone-text" name="time_zone" value="{{.Text}}" maxlength="64" size="24" list="zones"{{if .Error}} class="invalid" aria-invalid="true" aria-describedby="zone-error"{{end}}> <button type="submit">{{t "Save time zone"}}</button></p>
{{if .Error}}<p class="errors field-error" id="zone-error"><strong>{{t "Not saved:"}}</strong> {{.Error}}.</p>{{end}}
</form>
{{template "zones"}}
</section>{{end}}{{end}}
{{define "groups"}}<table class="groups">
<tr><th></th><th>{{t "requests"}}</th><th>{{t "called back"}}</th><th>{{t "to the employee"}}</th><th>{{t "to the client"}}</th><th>{{t "connected"}}</th><th>{{t "client no answer"}}</th><th>{{t "no employee"}}</th><th>{{t "outside hours"}}</th><th>{{t "rejected"}}</th><th>{{t "failed"}}</th><th>{{t "in progress"}}</th></tr>
{{range .}}<tr class="group"><td>{{if .Arg}}{{t .Key .Arg}}{{else}}{{t .Key}}{{end}}</td><td class="num">{{.Requests}}</td><td class="num">{{.Share}}</td><td>{{.ToEmp}}</td><td>{{.ToClient}}</td>{{range .Outcomes}}<td class="num">{{.}}</td>{{end}}</tr>
{{else}}<tr><td colspan="12">{{t "No requests in this period."}}</td></tr>{{end}}
</table>{{end}}`
