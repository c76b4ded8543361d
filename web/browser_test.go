package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/intake"
)

// chromium renders url headless and returns the DOM after scripts ran.
func chromium(t *testing.T, url string) string {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not found: install the Debian package chromium")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
		"--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir="+t.TempDir(), "--virtual-time-budget=5000", "--dump-dom", url).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	return string(out)
}

// TestAppPageInBrowser opens the application page the way Bitrix24 does
// (a form POST into the frame with member_id and APPLICATION_TOKEN) in a
// real browser, and checks that it shows the portal's callbacks; a wrong
// token shows no data.
func TestAppPageInBrowser(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "+49 30 1234567", Text: "Rückruf", CRMEntityType: "LEAD", CRMEntityID: "5785"}, bitrix24test.EventOptions{})
	h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "12", CRMEntityType: "LEAD", CRMEntityID: "5786"}, bitrix24test.EventOptions{})

	// The Bitrix24 frame: a page that posts the form into the app.
	frame := func(token string) string {
		return fmt.Sprintf(`<!DOCTYPE html><html><body onload="document.forms[0].submit()">
<form method="post" action="%s/bitrix24/app?DOMAIN=example.bitrix24.de&amp;PROTOCOL=1&amp;LANG=de">
<input name="AUTH_ID" value="x"><input name="member_id" value="%s"><input name="APPLICATION_TOKEN" value="%s">
<input name="PLACEMENT" value="DEFAULT"></form></body></html>`, h.http.URL, exampleMember, html.EscapeString(token))
	}
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, frame(r.URL.Query().Get("token")))
	}))
	defer portal.Close()

	dom := chromium(t, portal.URL+"/?token="+exampleToken)
	for _, want := range []string{"+49301234567", "Lead 5785", "<td>eingegangen</td>", "<td>abgelehnt</td>", "keine wählbare Telefonnummer", `data-state="received"`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the app page lacks %q:\n%s", want, dom)
		}
	}
	dom = chromium(t, portal.URL+"/?token=forged")
	if strings.Contains(dom, "+49301234567") || !strings.Contains(dom, "Öffnen Sie diese Seite aus Ihrem Bitrix24-Portal") {
		t.Errorf("a forged token saw data:\n%s", dom)
	}
}

// TestAppLinesInBrowser opens the app page in a real browser the way
// Bitrix24 does and checks that it shows the service's lines in the
// editor; then, from a page of the same origin, it edits the textarea of
// the app page's own form and submits it (the page's policy allows forms
// to post back to it only) as an administrator and as an employee.
func TestAppLinesInBrowser(t *testing.T) {
	lh := newLinesHarness(t)
	admin, employee := lh.portal.IssueTokens(1), lh.portal.IssueTokens(1269)

	// The Bitrix24 frame: a page of the portal that posts the form into
	// the app.
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!DOCTYPE html><html><body onload="document.forms[0].submit()">
<form method="post" action="%s/bitrix24/app?DOMAIN=example.bitrix24.de&amp;PROTOCOL=1&amp;LANG=de">
<input name="AUTH_ID" value="%s"><input name="member_id" value="%s"><input name="APPLICATION_TOKEN" value="%s">
<input name="PLACEMENT" value="DEFAULT"></form></body></html>`, lh.http.URL, html.EscapeString(admin.AccessToken), exampleMember, exampleToken)
	}))
	defer portal.Close()
	dom := chromium(t, portal.URL+"/")
	for _, want := range []string{"<textarea", "- number: callbackline", "keine eigenen Leitungen", `<td>callbackline</td>`, `<html lang="de">`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the app page lacks %q:\n%s", want, dom)
		}
	}

	// The same origin as the app, so that a script can fill in and submit
	// the app page's own form in an iframe and copy the answer out.
	mux := http.NewServeMux()
	mux.Handle("/", lh.server)
	mux.HandleFunc("/frame", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!DOCTYPE html><html><body>
<form id="open" method="post" target="app" action="/bitrix24/app?DOMAIN=example.bitrix24.de&amp;PROTOCOL=1&amp;LANG=de">
<input name="AUTH_ID" value="%s"><input name="member_id" value="%s"><input name="APPLICATION_TOKEN" value="%s"></form>
<iframe name="app" id="app"></iframe><div id="result"></div>
<script>
var loads = 0;
document.getElementById("app").onload = function () {
  var d = this.contentDocument;
  if (!d || d.location.pathname !== "/bitrix24/app") { return; }
  loads++;
  if (loads === 1) {
    d.querySelector("textarea[name=lines]").value = "- number: north\n  name: North\n  employees: [1269]\n";
    d.querySelector("textarea[name=lines]").form.submit();
    return;
  }
  document.getElementById("result").innerHTML = d.body.innerHTML;
};
document.getElementById("open").submit();
</script></body></html>`, html.EscapeString(r.URL.Query().Get("auth")), exampleMember, exampleToken)
	})
	same := httptest.NewServer(mux)
	defer same.Close()

	dom = chromium(t, same.URL+"/frame?auth="+employee.AccessToken)
	if !strings.Contains(dom, "nur ein Administrator des Portals kann die Leitungen ändern") || strings.Contains(dom, "Gespeichert.") {
		t.Errorf("an employee's save:\n%s", dom)
	}
	if got := lh.stored(); got != "" {
		t.Fatalf("an employee's save stored %q", got)
	}
	dom = chromium(t, same.URL+"/frame?auth="+admin.AccessToken)
	for _, want := range []string{"Gespeichert.", `<tr class="line"><td>north</td><td>North</td><td>Mitarbeiter 1269</td>`} {
		if !strings.Contains(dom, want) {
			t.Errorf("the saved page lacks %q:\n%s", want, dom)
		}
	}
	if got := lh.stored(); got != "- number: north\n  name: North\n  employees: [1269]\n" {
		t.Errorf("stored %q", got)
	}
}
