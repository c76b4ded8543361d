package web

// dashHTML is the app page's Dashboard section: figures, the requests per
// day as inline SVG, outcomes, by line, by employee, failed requests, the
// filter and the time zone. It runs no script (the page's policy forbids
// it); the filter is a form posted back with the frame's fields.
const dashHTML = `{{define "dashboard"}}{{with .Dash}}
<h2 id="dashboard">Dashboard</h2>
<form method="post" class="filter">
<input type="hidden" name="member_id" value="{{$.Portal.MemberID}}">
<input type="hidden" name="APPLICATION_TOKEN" value="{{$.Token}}">
<input type="hidden" name="AUTH_ID" value="{{$.Zone.AuthID}}">
<label>From <input type="date" name="from" value="{{.From}}" required></label>
<label>to <input type="date" name="to" value="{{.To}}" required></label>
<label>Line <select name="line"><option value="">every line</option>{{range .Lines}}<option{{if eq . $.Dash.Line}} selected{{end}}>{{.}}</option>{{end}}</select></label>
<button type="submit">Show</button>
</form>
{{if .Error}}<p class="errors" id="filter-error"><strong>Filter not applied:</strong> {{.Error}}. Shown: the last 30 days.</p>{{end}}
<p class="period">{{.From}} – {{.To}}{{if .Line}}, line {{.Line}}{{end}}; times in {{$.Zone.Name}}.</p>
<div class="figures">
<div class="figure"><span class="n" id="requests">{{.Requests}}</span> requests</div>
<div class="figure"><span class="n" id="share">{{.Share}}</span> called back ({{.Connected}})</div>
<div class="figure"><span class="n" id="to-employee">{{.ToEmp}}</span> to the employee's answer (median / 90 %)</div>
<div class="figure"><span class="n" id="to-client">{{.ToClient}}</span> to the client's answer (median / 90 %)</div>
</div>
<h3>Requests per day</h3>
{{with .Chart}}<svg class="chart" role="img" aria-label="requests per day" width="{{.Width}}" height="{{.Height}}" viewBox="0 0 {{.Width}} {{.Height}}" xmlns="http://www.w3.org/2000/svg">
<line x1="34" y1="{{.Top}}" x2="{{.Width}}" y2="{{.Top}}" stroke="#ddd"/><line x1="34" y1="{{.Base}}" x2="{{.Width}}" y2="{{.Base}}" stroke="#999"/>
<text x="30" y="{{.Top}}" text-anchor="end" dominant-baseline="middle" font-size="11">{{.Max}}</text><text x="30" y="{{.Base}}" text-anchor="end" dominant-baseline="middle" font-size="11">0</text>
{{range .Bars}}<g class="day"><title>{{.Date}}: {{.Requests}} requests, {{.Called}} called back</title><rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="#c6d4e6"/><rect x="{{.X}}" y="{{.CY}}" width="{{.W}}" height="{{.CH}}" fill="#2f8f5b"/></g>
{{end}}{{range .Ticks}}<text x="{{.X}}" y="166" font-size="11">{{.Text}}</text>{{end}}
</svg>{{end}}
<p class="legend"><span class="key all"></span> requests <span class="key called"></span> called back</p>
<h3>Outcomes</h3>
<table class="outcomes">
{{range .Outcomes}}<tr class="outcome" data-outcome="{{.Name}}"><td>{{.Label}}</td><td class="num">{{.N}}</td><td class="num">{{.Percent}}</td><td><svg width="202" height="12" role="img" aria-label="{{.Percent}}" xmlns="http://www.w3.org/2000/svg"><rect x="0" y="1" width="{{.Width}}" height="10" fill="{{if eq .Name "connected"}}#2f8f5b{{else if eq .Name "pending"}}#c6d4e6{{else}}#c8553d{{end}}"/></svg></td></tr>
{{end}}</table>
<h3>By line</h3>
{{template "groups" .ByLine}}
<h3>By employee</h3>
{{template "groups" .ByUser}}
<h3 id="failed">Failed requests</h3>
{{if .Failed}}<table class="failed">
<tr><th>#</th><th>received</th><th>line</th><th>outcome</th><th>reason</th><th>CRM</th></tr>
{{range .Failed}}<tr class="failure"><td>{{.ID}}</td><td>{{.At.Format "2006-01-02 15:04"}}</td><td>{{.Line}}</td><td data-outcome="{{.Outcome}}">{{.Label}}</td><td>{{.Reason}}</td><td>{{if .CRMLink}}<a href="{{.CRMLink}}" target="_top" rel="noopener noreferrer">{{.CRM}}</a>{{else}}{{.CRM}}{{end}}</td></tr>
{{end}}</table>{{if .MoreFailed}}<p>and {{.MoreFailed}} more; choose a shorter period to see them.</p>{{end}}{{else}}<p>No request failed in this period.</p>{{end}}
{{end}}
{{with .Zone}}<form method="post" class="zone">
<input type="hidden" name="member_id" value="{{$.Portal.MemberID}}">
<input type="hidden" name="APPLICATION_TOKEN" value="{{$.Token}}">
<input type="hidden" name="AUTH_ID" value="{{.AuthID}}">
<input type="hidden" name="action" value="save_time_zone">
{{if .Saved}}<p class="saved"><strong>Saved.</strong> The page shows times in {{.Name}}.</p>{{end}}
{{if .Refused}}<p class="refused"><strong>Not saved:</strong> {{.Refused}}.</p>{{end}}
{{if .Error}}<p class="errors" id="zone-error"><strong>Not saved:</strong> {{.Error}}.</p>{{end}}
<p><label>Time zone of this page ({{if .Chosen}}chosen for the portal{{else}}the first line's, until an administrator chooses{{end}}) <input name="time_zone" value="{{.Text}}" maxlength="64" size="24"></label> <button type="submit">Save time zone</button></p>
</form>{{end}}
{{end}}
{{define "groups"}}<table class="groups">
<tr><th></th><th>requests</th><th>called back</th><th>to the employee</th><th>to the client</th><th>connected</th><th>client no answer</th><th>no employee</th><th>outside hours</th><th>rejected</th><th>failed</th><th>in progress</th></tr>
{{range .}}<tr class="group"><td>{{.Key}}</td><td class="num">{{.Requests}}</td><td class="num">{{.Share}}</td><td>{{.ToEmp}}</td><td>{{.ToClient}}</td>{{range .Outcomes}}<td class="num">{{.}}</td>{{end}}</tr>
{{else}}<tr><td colspan="12">No requests in this period.</td></tr>{{end}}
</table>{{end}}`
