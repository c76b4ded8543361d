package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// formSteps is a script of a same-origin page that opens the app page in
// an iframe as Bitrix24 does (LANG=lang) and, at each load of it, runs the
// next step: a user's typing and clicking in the app page's own form. The
// body of every page loaded is copied out, one div a step.
const formSteps = `<!DOCTYPE html><html><body>
<form id="open" method="post" target="app" action="/bitrix24/app?DOMAIN=example.bitrix24.de&amp;PROTOCOL=1&amp;LANG=%s">
<input name="AUTH_ID" value="%s"><input name="member_id" value="%s"><input name="APPLICATION_TOKEN" value="%s"></form>
<iframe name="app" id="app"></iframe><div id="result"></div>
<script>
var loads = 0;
function set(d, name, value) { d.querySelector('[name="' + name + '"]').value = value; }
function click(d, value) { d.querySelector('button[value="' + value + '"]').click(); }
var steps = [
  function (d) { set(d, "l0.number", "north"); set(d, "l0.name", "North"); set(d, "l0.policy.client_attempts", "0");
    set(d, "l0.policy.hours.time_zone", "Europe/Berlin"); set(d, "l0.hours.monday.from", "09:00"); set(d, "l0.hours.monday.to", "18:00");
    click(d, "save_form"); },
  function (d) { set(d, "l0.policy.client_attempts", "2"); set(d, "s0", "schm"); click(d, "search 0"); },
  function (d) { click(d, "add_employee 0 1272"); },
  function (d) { click(d, "add_line"); },
  function (d) { set(d, "l1.number", "south"); set(d, "l1.target", "200"); set(d, "l1.target_user", "1272"); click(d, "save_form"); },
  function (d) { click(d, "remove_line 1"); },
  function (d) { click(d, "save_form"); },
];
document.getElementById("app").onload = function () {
  var d = this.contentDocument;
  if (!d || d.location.pathname !== "/bitrix24/app") { return; }
  var step = document.createElement("div");
  step.className = "step";
  step.innerHTML = d.body.innerHTML;
  document.getElementById("result").appendChild(step);
  if (loads < steps.length) { steps[loads++](d); }
};
document.getElementById("open").submit();
</script></body></html>`

// TestLineFormInBrowser fills in and submits the lines' form in Chromium
// as an administrator would, in Russian: a wrong value is shown next to
// its field, in Russian (in German on the German page), and nothing is
// saved; the employee search finds by name, the
// employee is added; a line is added, saved, removed and saved again.
func TestLineFormInBrowser(t *testing.T) {
	lh := newLinesHarness(t)
	admin := lh.portal.IssueTokens(1)
	mux := http.NewServeMux()
	mux.Handle("/", lh.server)
	mux.HandleFunc("/frame", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, formSteps, r.URL.Query().Get("lang"), html.EscapeString(admin.AccessToken), exampleMember, exampleToken)
	})
	same := httptest.NewServer(mux)
	defer same.Close()

	dom := chromium(t, same.URL+"/frame?lang=ru")
	_, rest, _ := strings.Cut(dom, `<div id="result">`)
	steps := strings.Split(rest, `<div class="step">`)[1:]
	if len(steps) != 8 {
		t.Fatalf("%d pages loaded, want 8:\n%s", len(steps), dom)
	}
	check := func(i int, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(steps[i], w) {
				t.Errorf("page %d lacks %q", i, w)
			}
		}
	}
	check(0, "Кто отвечает", "Рабочее время", "Для опытных: линии в формате YAML", `value="callbackline"`)
	check(1, `data-field="l0.policy.client_attempts">указано 0; должно быть не меньше 1<`, "Не сохранено: в линиях есть ошибки.", `value="0" class="invalid"`, `value="north"`)
	if strings.Contains(steps[1], "Сохранено.") {
		t.Error("a wrong value was saved")
	}
	check(2, "Lena Schmidt (внутр. 104)", `value="add_employee 0 1272"`)
	check(3, `name="l0.employees[]" value="1272"`, "Изменено, но ещё не сохранено")
	check(4, `id="line-1"`, `name="lines_n" value="2"`)
	check(5, "Сохранено.", `value="south"`, "- number: south")
	check(6, `name="lines_n" value="1"`)
	check(7, "Сохранено.")
	if strings.Contains(steps[7], `value="south"`) {
		t.Error("the removed line is still shown")
	}
	want := "- number: north\n  name: North\n  employees: [1272]\n  policy:\n    client_attempts: 2\n    hours:\n      time_zone: Europe/Berlin\n      monday: [\"09:00-18:00\"]\n"
	if got := lh.stored(); got != want {
		t.Errorf("stored\n%s\nwant\n%s", got, want)
	}

	dom = chromium(t, same.URL+"/frame?lang=de")
	if !strings.Contains(dom, "Wer antwortet") || !strings.Contains(dom, "Nicht gespeichert: Die Leitungen enthalten Fehler.") ||
		!strings.Contains(dom, `data-field="l0.policy.client_attempts">ist 0; muss mindestens 1 sein<`) {
		t.Errorf("the German form:\n%s", dom)
	}
}
