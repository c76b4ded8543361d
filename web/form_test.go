package web_test

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

// formPost posts the lines' form with the frame's fields as the page
// does: LANG in the address, the button's action.
func (lh *linesHarness) formPost(auth, lang string, form url.Values) (int, string) {
	lh.t.Helper()
	form.Set("member_id", exampleMember)
	form.Set("APPLICATION_TOKEN", exampleToken)
	form.Set("AUTH_ID", auth)
	res, err := http.PostForm(lh.url("/bitrix24/app?DOMAIN=example.bitrix24.de&PROTOCOL=1&LANG="+lang), form)
	if err != nil {
		lh.t.Fatal(err)
	}
	return res.StatusCode, readAll(lh.t, res)
}

// northForm is a line as an administrator fills in the form.
func northForm() url.Values {
	return url.Values{"lines_n": {"1"}, "l0.number": {"north"}, "l0.name": {"North"}, "l0.employees[]": {"1269"},
		"l0.policy.ring_mode": {"all"}, "l0.policy.client_attempts": {"2"}, "l0.policy.client_retry_after": {"5m"},
		"l0.policy.require_accept": {"true"}, "l0.policy.hours.time_zone": {"Europe/Berlin"},
		"l0.hours.monday.from": {"09:00", ""}, "l0.hours.monday.to": {"18:00", ""},
		"l0.hours.tuesday.from": {"09:00", "14:00", ""}, "l0.hours.tuesday.to": {"13:00", "18:00", ""},
		"l0.policy.hours.holidays[]": {"2026-12-25", ""}, "l0.policy.announce": {""}, "action": {"save_form"}}
}

const northFormText = `- number: north
  name: North
  employees: [1269]
  policy:
    client_attempts: 2
    client_retry_after: 5m
    ring_mode: all
    require_accept: true
    hours:
      time_zone: Europe/Berlin
      monday: ["09:00-18:00"]
      tuesday: ["09:00-13:00", "14:00-18:00"]
      holidays: ["2026-12-25"]
`

// An administrator fills in the form and saves: the lines are stored as
// the YAML the advanced view shows, and the form shows them back; the
// YAML saved is shown in the form.
func TestLineFormSaves(t *testing.T) {
	lh := newLinesHarness(t)
	admin := lh.portal.IssueTokens(1)
	code, page := lh.formPost(admin.AccessToken, "en", url.Values{})
	if code != http.StatusOK || !strings.Contains(page, `id="line-form"`) || !strings.Contains(page, `name="l0.number" type="text" value="callbackline"`) {
		t.Fatalf("the page has no form of the service's line: %d\n%s", code, page)
	}
	code, page = lh.formPost(admin.AccessToken, "en", northForm())
	if code != http.StatusOK || !strings.Contains(page, `class="saved"`) {
		t.Fatalf("save: %d\n%s", code, page)
	}
	if got := lh.stored(); got != northFormText {
		t.Errorf("stored\n%s\nwant\n%s", got, northFormText)
	}
	for _, want := range []string{`name="l0.policy.client_attempts" type="number" value="2"`, `value="sequential">`,
		`<option value="all" selected>`, `name="l0.hours.tuesday.from" value="14:00"`, `name="l0.hours.tuesday.to" value="13:00"`,
		`name="l0.policy.hours.holidays[]" value="2026-12-25"`, "Max Müller (extension 101)", `name="l0.employees[]" value="1269"`,
		"- number: north", "client_retry_after: 5m"} {
		if !strings.Contains(page, want) {
			t.Errorf("the saved page lacks %q", want)
		}
	}
	// Saved in the YAML view, shown in the form.
	yaml := "- number: south\n  name: South\n  target: \"200\"\n  target_user: 1272\n  record: true\n  record_notice: true\n  policy:\n    todo: true\n"
	if code, _ := lh.save(exampleToken, admin.AccessToken, yaml); code != http.StatusOK {
		t.Fatalf("YAML save: %d", code)
	}
	_, page = lh.formPost(admin.AccessToken, "en", url.Values{})
	for _, want := range []string{`name="l0.number" type="text" value="south"`, `name="l0.target" type="text" value="200"`,
		`name="l0.target_user" type="number" value="1272"`, `<option value="true" selected>`, `name="lines_n" value="1"`,
		`<select id="l0-record" name="l0.record"><option value="">default</option><option value="true" selected>yes</option>`,
		`<select id="l0-record_notice" name="l0.record_notice"><option value="">default</option><option value="true" selected>yes</option>`} {
		if !strings.Contains(page, want) {
			t.Errorf("the form lacks %q after the YAML was saved", want)
		}
	}
}

// Wrong values: each problem is shown next to its field, the form keeps
// what was typed, nothing is stored; an employee cannot save at all.
func TestLineFormWrongValues(t *testing.T) {
	lh := newLinesHarness(t)
	admin, employee := lh.portal.IssueTokens(1), lh.portal.IssueTokens(1269)
	form := northForm()
	form.Set("l0.policy.client_attempts", "0")
	form.Set("l0.policy.hours.time_zone", "Mars/Olympus")
	form["l0.hours.monday.to"] = []string{"", ""}
	code, page := lh.formPost(admin.AccessToken, "en", form)
	if code != http.StatusUnprocessableEntity || strings.Contains(page, `class="saved"`) {
		t.Fatalf("wrong values: %d\n%s", code, page)
	}
	for _, field := range []string{"l0.policy.client_attempts", "l0.policy.hours.time_zone", "l0.hours.monday"} {
		re := fmt.Sprintf(`class="field-error" data-field="%s">`, field)
		if !strings.Contains(page, re) {
			t.Errorf("no error next to %s", field)
		}
	}
	if !strings.Contains(page, `name="l0.policy.client_attempts" type="number" value="0" class="invalid"`) ||
		!strings.Contains(page, `value="Mars/Olympus"`) {
		t.Errorf("the form does not keep what was typed:\n%s", page)
	}
	if got := lh.stored(); got != "" {
		t.Errorf("stored %q", got)
	}
	// In Russian and German each problem is said in that language next
	// to its field.
	form.Set("l0.policy.max_age", "9999h")
	form["l0.policy.hours.holidays[]"] = []string{"25.12.2026"}
	for lang, want := range map[string]map[string]string{
		"ru": {"l0.policy.client_attempts": "указано 0; должно быть не меньше 1",
			"l0.policy.hours.time_zone":  "«Mars/Olympus» — неизвестный часовой пояс",
			"l0.hours.monday":            "«09:00-» — не промежуток ЧЧ:ММ-ЧЧ:ММ",
			"l0.policy.max_age":          "указано 9999h; не больше 168h (ограничение сервиса)",
			"l0.policy.hours.holidays[]": "«25.12.2026» — не дата ГГГГ-ММ-ДД"},
		"de": {"l0.policy.client_attempts": "ist 0; muss mindestens 1 sein",
			"l0.policy.hours.time_zone":  "„Mars/Olympus“ ist keine bekannte Zeitzone",
			"l0.hours.monday":            "„09:00-“ ist kein Zeitraum HH:MM-HH:MM",
			"l0.policy.max_age":          "ist 9999h; höchstens 168h (Grenze des Dienstes)",
			"l0.policy.hours.holidays[]": "„25.12.2026“ ist kein Datum JJJJ-MM-TT"},
	} {
		code, page := lh.formPost(admin.AccessToken, lang, form)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("%s: wrong values: %d", lang, code)
		}
		for field, w := range want {
			if next := fmt.Sprintf(`class="field-error" data-field="%s">%s`, field, html.EscapeString(w)); !strings.Contains(page, next) {
				t.Errorf("%s: no %q next to %s", lang, w, field)
			}
		}
		for _, en := range []string{"must be at least", "is not a known IANA time zone", "is not HH:MM-HH:MM", "portal_limits", "is not a date"} {
			if strings.Contains(page, en) {
				t.Errorf("%s: the page says %q", lang, en)
			}
		}
	}
	code, page = lh.formPost(employee.AccessToken, "en", northForm())
	if code != http.StatusForbidden || !strings.Contains(page, "only an administrator of the portal can change the lines") {
		t.Errorf("an employee's save: %d", code)
	}
	if got := lh.stored(); got != "" {
		t.Errorf("an employee's save stored %q", got)
	}
}

// The employee picker searches the portal's users by name on the server
// (user.search, a page of 50), adds and removes employees, and lines are
// added and removed; none of it is saved until Save.
func TestLineFormEmployeesAndLines(t *testing.T) {
	lh := newLinesHarness(t)
	for i := range 60 {
		lh.portal.SetUser(bitrix24test.User{ID: int64(5000 + i), Name: "Paul", LastName: fmt.Sprintf("Sales%02d", i), Active: true, PhoneInner: fmt.Sprint(300 + i)})
	}
	admin := lh.portal.IssueTokens(1)
	form := northForm()
	form.Set("s0", "schm")
	form.Set("action", "search 0")
	code, page := lh.formPost(admin.AccessToken, "en", form)
	if code != http.StatusOK || !strings.Contains(page, "Lena Schmidt (extension 104)") || !strings.Contains(page, `value="add_employee 0 1272"`) ||
		strings.Contains(page, "Paul Sales") {
		t.Fatalf("search schm: %d\n%s", code, page)
	}
	form.Set("s0", "paul")
	_, page = lh.formPost(admin.AccessToken, "en", form)
	if n := strings.Count(page, `<li class="match">`); n != 50 || !strings.Contains(page, "More employees match") {
		t.Errorf("search paul: %d matches shown", n)
	}
	form.Set("s0", "nobody")
	if _, page = lh.formPost(admin.AccessToken, "en", form); !strings.Contains(page, "Nobody found.") {
		t.Error("a search without matches says nothing")
	}

	form.Set("action", "add_employee 0 1272")
	_, page = lh.formPost(admin.AccessToken, "en", form)
	if !strings.Contains(page, `name="l0.employees[]" value="1272"`) || !strings.Contains(page, `name="l0.employees[]" value="1269"`) ||
		!strings.Contains(page, "Changed, not saved yet") {
		t.Errorf("add_employee: the employees are not both on the form")
	}
	form["l0.employees[]"] = []string{"1269", "1272"}
	form.Set("action", "remove_employee 0 1269")
	_, page = lh.formPost(admin.AccessToken, "en", form)
	if strings.Contains(page, `name="l0.employees[]" value="1269"`) || !strings.Contains(page, `name="l0.employees[]" value="1272"`) {
		t.Errorf("remove_employee: 1269 is still there")
	}
	form.Set("action", "add_line")
	_, page = lh.formPost(admin.AccessToken, "en", form)
	if !strings.Contains(page, `name="lines_n" value="2"`) || !strings.Contains(page, `id="line-1"`) {
		t.Errorf("add_line: no second line")
	}
	form.Set("lines_n", "2")
	form.Set("l1.number", "south")
	form.Set("action", "remove_line 0")
	_, page = lh.formPost(admin.AccessToken, "en", form)
	if !strings.Contains(page, `name="lines_n" value="1"`) || !strings.Contains(page, `name="l0.number" type="text" value="south"`) {
		t.Errorf("remove_line 0: south is not the only line")
	}
	if got := lh.stored(); got != "" {
		t.Errorf("editing stored %q", got)
	}
	// Only an administrator searches the portal's users.
	employee := lh.portal.IssueTokens(1269)
	form.Set("s0", "schm")
	form.Set("action", "search 0")
	lh.portal.ResetRequests()
	_, page = lh.formPost(employee.AccessToken, "en", form)
	if strings.Contains(page, `value="add_employee 0 1272"`) || !strings.Contains(page, "only an administrator of the portal can change the lines") {
		t.Errorf("an employee searched the portal's users")
	}
	if n := len(lh.portal.RESTCalls("user.search")); n != 0 {
		t.Errorf("an employee's search asked user.search %d times", n)
	}
	// The refusal in the page's language.
	if _, page = lh.formPost(employee.AccessToken, "ru", form); !strings.Contains(page, "только администратор портала может менять линии") {
		t.Errorf("the refused search is not said in Russian")
	}
}

// The form is in the page's language.
func TestLineFormLanguage(t *testing.T) {
	lh := newLinesHarness(t)
	admin := lh.portal.IssueTokens(1)
	for lang, want := range map[string][]string{"ru": {"Кто отвечает", "Рабочее время", "понедельник", "Для опытных: линии в формате YAML"},
		"de": {"Wer antwortet", "Arbeitszeiten", "Montag", "Erweitert: die Leitungen als YAML"}} {
		_, page := lh.formPost(admin.AccessToken, lang, url.Values{})
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: the form lacks %q", lang, w)
			}
		}
	}
}
