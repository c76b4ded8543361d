package web

import (
	"crypto/subtle"
	"errors"
	"html/template"
	"net/http"

	"github.com/callbackline/callbackline"
)

// handleApp serves the application page that Bitrix24 opens in its frame
// (GET|POST /bitrix24/app). The frame POST carries member_id and
// APPLICATION_TOKEN; the page shows that portal's recent callbacks.
func (s *Server) handleApp(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet, http.MethodPost) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.intake.MaxBody)
	if err := r.ParseForm(); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			s.writeError(w, r, callbackline.Errorf(callbackline.ETOOLARGE, "the body is larger than %d bytes", s.intake.MaxBody))
			return
		}
		s.writeError(w, r, callbackline.Errorf(callbackline.EINVALID, "the form could not be read"))
		return
	}
	// The page shows clients' numbers: no cache keeps it. It runs no
	// script and loads nothing, so a policy can forbid both (the page must
	// stay frameable: Bitrix24 shows it in its frame).
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
	member, token := r.PostForm.Get("member_id"), r.PostForm.Get("APPLICATION_TOKEN")
	p, err := s.store.Portal(r.Context(), member)
	if member == "" || token == "" || err != nil || p.Status == callbackline.PortalUninstalled ||
		subtle.ConstantTimeCompare([]byte(p.ApplicationToken), []byte(token)) != 1 {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		_ = appPage.Execute(w, nil)
		return
	}
	list, err := s.store.Callbacks(r.Context(), callbackline.CallbackFilter{MemberID: p.MemberID, Limit: 50})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rows := make([]appRow, 0, len(list))
	ws, _ := s.store.(callbackline.WorkStore)
	for _, c := range list {
		row := appRow{Callback: c}
		if ws != nil {
			if hist, err := ws.History(r.Context(), c.ID); err == nil && len(hist) > 0 {
				row.Last = hist[len(hist)-1].Note
			}
		}
		rows = append(rows, row)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_ = appPage.Execute(w, struct {
		Portal    *callbackline.Portal
		Callbacks []appRow
	}{p, rows})
}

// appRow is one callback on the app page with its latest step.
type appRow struct {
	*callbackline.Callback
	Last string
}

var appPage = template.Must(template.New("app").Parse(`<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>callbackline</title>
<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3em .6em;text-align:left}</style>
</head>
<body>
<h1>callbackline</h1>
{{if not .}}<p>Open this page from your Bitrix24 portal (Applications → callbackline).</p>{{else}}
<p>Portal {{.Portal.Domain}}: {{.Portal.Status}}</p>
<table>
<tr><th>#</th><th>received (UTC)</th><th>number</th><th>CRM</th><th>line</th><th>state</th><th>latest step</th><th>calls to the client</th><th>repeats</th></tr>
{{range .Callbacks}}<tr class="callback" data-state="{{.State}}"><td>{{.ID}}</td><td>{{.CreatedAt.Format "2006-01-02 15:04:05"}}</td><td>{{if .Phone}}{{.Phone}}{{else}}{{.PhoneRaw}}{{end}}</td><td>{{.CRMEntityType}} {{if .CRMEntityID}}{{.CRMEntityID}}{{end}}</td><td>{{.LineNumber}}</td><td>{{.State}}</td><td>{{if .Reason}}{{.Reason}}{{else}}{{.Last}}{{end}}</td><td>{{.ClientAttempts}}</td><td>{{.Duplicates}}</td></tr>
{{else}}<tr><td colspan="9">No callback requests yet.</td></tr>{{end}}
</table>{{end}}
</body>
</html>
`))
