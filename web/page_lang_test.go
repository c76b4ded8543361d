package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/web"
)

// The app page is in the language Bitrix24 passes in LANG (the frame's
// query, posted back by the page's forms): Russian and German have their
// own words, anything else is English; without LANG, the portal's own
// language.
func TestAppPageLanguage(t *testing.T) {
	lh := newLinesHarness(t)
	admin := lh.portal.IssueTokens(1)
	open := func(query string, form url.Values) string {
		t.Helper()
		form.Set("member_id", exampleMember)
		form.Set("APPLICATION_TOKEN", exampleToken)
		form.Set("AUTH_ID", admin.AccessToken)
		res, err := http.PostForm(lh.url("/bitrix24/app?DOMAIN=example.bitrix24.de&PROTOCOL=1"+query), form)
		if err != nil {
			t.Fatal(err)
		}
		page := readAll(t, res)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", query, res.StatusCode, page)
		}
		return page
	}
	cases := []struct {
		query     string
		want, not []string
	}{
		{"&LANG=ru", []string{`<html lang="ru">`, "Последние заявки", "Сводка", "Заблокированные номера", "Сохранить линии",
			"по очереди", `name="LANG" value="ru"`}, []string{"Latest requests", "Save lines"}},
		{"&LANG=de", []string{`<html lang="de">`, "Neueste Anfragen", "Übersicht", "Gesperrte Nummern", "Leitungen speichern",
			"nacheinander", `name="LANG" value="de"`}, []string{"Latest requests", "Save lines"}},
		{"&LANG=ua", []string{`<html lang="en">`, "Latest requests", "Save lines"}, nil},
		{"&LANG=en", []string{`<html lang="en">`, "Latest requests", "Save lines", "Dashboard"}, nil},
		// Without LANG the page is in the portal's own language (ru here,
		// stored at its installation).
		{"", []string{`<html lang="ru">`, "Последние заявки", "Сводка"}, []string{"Latest requests", "Save lines"}},
	}
	for _, c := range cases {
		page := open(c.query, url.Values{})
		says(t, fmt.Sprintf("%q", c.query), page, c.want, c.not)
	}
	// The page's forms post LANG back: a save answered in German.
	page := open("", url.Values{"LANG": {"de"}, "action": {"save_blocked"}, "blocked": {"+49 900*"}})
	if !strings.Contains(page, "Gespeichert.") || !strings.Contains(page, "Diese Nummern werden ab jetzt nie angerufen.") {
		t.Errorf("a save posted with LANG=de is not answered in German")
	}
}

// The callbacks list and the dashboard's failed requests say a callback's
// state and reason in the page's language; the reason's details stay as
// recorded.
func TestAppPageStatesAndReasons(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	ctx := context.Background()
	failed := h.stored(h.pendingCallback("+4930901820"))
	failed.State, failed.Reason = callbackline.StateFailed, "no_employee: 3 attempts"
	if err := h.store.Advance(ctx, failed, 0, callbackline.Plain("given up")); err != nil {
		t.Fatal(err)
	}
	cancelled := h.stored(h.pendingCallback("+4930901821"))
	cancelled.State, cancelled.Reason = callbackline.StateFailed, callbackline.ReasonCancelled+": by user 1"
	if err := h.store.Advance(ctx, cancelled, 0, callbackline.Plain("cancelled")); err != nil {
		t.Fatal(err)
	}
	h.pendingCallback("+4930901822") // scheduled
	admin := h.portal.IssueTokens(1)
	cases := []struct {
		lang      string
		want, not []string
	}{
		{"de", []string{"kein Mitarbeiter hat den Anruf angenommen (3 attempts)", "von einem Administrator abgebrochen (by user 1)",
			"<td>wartet</td>", "<td>fehlgeschlagen</td>"}, []string{"no_employee:", "cancelled:", "<td>scheduled</td>", "<td>failed</td>"}},
		{"ru", []string{"ни один сотрудник не принял звонок (3 attempts)", "отменено администратором (by user 1)",
			"<td>ожидает</td>", "<td>ошибка</td>"}, []string{"no_employee:", "cancelled:", "<td>scheduled</td>"}},
		{"en", []string{"no employee took the call (3 attempts)", "cancelled by an administrator (by user 1)",
			"<td>scheduled</td>", "<td>failed</td>"}, []string{"no_employee:"}},
	}
	for _, c := range cases {
		res, err := http.PostForm(h.url("/bitrix24/app?DOMAIN=example.bitrix24.de&PROTOCOL=1&LANG="+c.lang), url.Values{
			"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "AUTH_ID": {admin.AccessToken}})
		if err != nil {
			t.Fatal(err)
		}
		page := readAll(t, res)
		says(t, c.lang, page, c.want, c.not)
	}
}

// The YAML view's problems are said in the page's language, each with
// its key and its line in the text; in English as the configuration says
// them.
func TestAppPageYAMLErrorsLanguage(t *testing.T) {
	lh := newLinesHarness(t)
	admin := lh.portal.IssueTokens(1)
	text := "- number: north\n  policy:\n    client_attempts: 0\n    max_age: soon\n  languag: de\n"
	for lang, want := range map[string][]string{
		"en": {"config: lines[0].policy.max_age: &#34;soon&#34; is not a duration (e.g. 10m) (at settings:4)",
			"config: lines[0].languag: is not a known key; did you mean lines[0].language? (at settings:5)"},
		"ru": {"lines[0].policy.max_age: «soon» — не длительность (например, 30s, 10m, 2h) (строка 4 текста)",
			"lines[0].languag: неизвестный ключ; возможно, имелся в виду lines[0].language? (строка 5 текста)"},
		"de": {"lines[0].policy.max_age: „soon“ ist keine Dauer (z. B. 30s, 10m, 2h) (Zeile 4 des Textes)",
			"lines[0].languag: ist kein bekannter Schlüssel; meinten Sie lines[0].language? (Zeile 5 des Textes)"},
	} {
		code, page := lh.formPost(admin.AccessToken, lang, url.Values{"action": {"save_lines"}, "lines": {text}})
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d", lang, code)
		}
		for _, w := range want {
			if !strings.Contains(page, `<li class="error">`+w+`</li>`) {
				t.Errorf("%s: the page lacks %q", lang, w)
			}
		}
		if lang != "en" && strings.Contains(page, "is not a duration") {
			t.Errorf("%s: the problem is in English", lang)
		}
	}
	// Once more after checks past the decoding.
	text = "- number: north\n  policy:\n    client_attempts: 0\n"
	_, page := lh.formPost(admin.AccessToken, "de", url.Values{"action": {"save_lines"}, "lines": {text}})
	if !strings.Contains(page, `<li class="error">lines[0].policy.client_attempts: ist 0; muss mindestens 1 sein</li>`) {
		t.Errorf("de: the check's problem is not in German")
	}
	// The YAML's shape.
	_, page = lh.formPost(admin.AccessToken, "ru", url.Values{"action": {"save_lines"}, "lines": {"- number: north\n  policy: 5\n"}})
	if !strings.Contains(page, `<li class="error">lines[0].policy: должно быть набором ключей (ключ: значение) (строка 2 текста)</li>`) {
		t.Errorf("ru: a policy that is no mapping is not said in Russian")
	}
}

// Wrong countries, blocked numbers and time zone are refused in the
// page's language next to their field; in English as the API says them.
func TestAppPageInputErrorsLanguage(t *testing.T) {
	h := newCountriesHarness(t)
	admin := h.portal.IssueTokens(1)
	cases := []struct {
		lang string
		form url.Values
		id   string // the element next to the field
		want []string
	}{
		{"en", url.Values{"action": {"save_countries"}, "countries": {"XX, FR"}}, "countries-error",
			[]string{"not ISO 3166 alpha-2 country codes (e.g. DE, AT, US): XX; FR: outside the countries this service allows (RU, DE)"}},
		{"ru", url.Values{"action": {"save_countries"}, "countries": {"XX, FR"}}, "countries-error",
			[]string{"это не коды стран (ISO 3166, например RU, DE, US): XX; FR: этих стран нет среди разрешённых сервисом (RU, DE)"}},
		{"de", url.Values{"action": {"save_countries"}, "countries": {" "}}, "countries-error",
			[]string{"kein Land angegeben; erlauben Sie mindestens eines (z. B. DE)"}},
		{"en", url.Values{"action": {"save_blocked"}, "blocked": {"+49 900*\n0301234567\n+49 9*0"}}, "blocked-errors",
			[]string{"entry 2: &#34;0301234567&#34;: start with &#43; and the country code, e.g. &#43;49 30 1234567", `entry 3: &#34;&#43;49 9*0&#34;: &#34;*&#34; may only end a prefix`}},
		{"ru", url.Values{"action": {"save_blocked"}, "blocked": {"+49 900*\n0301234567\n+49 9*0"}}, "blocked-errors",
			[]string{"запись 2, «0301234567»: начните с &#43; и кода страны, например &#43;7 495 1234567", "запись 3, «&#43;49 9*0»: «*» может стоять только в конце префикса"}},
		{"de", url.Values{"action": {"save_blocked"}, "blocked": {"+12\nabc"}}, "blocked-errors",
			[]string{"Eintrag 1, „&#43;12“: eine Nummer hat nach dem &#43; 4 bis 15 Ziffern, ein Präfix 1 bis 15",
				"Eintrag 2, „abc“: schreiben Sie eine Nummer als &#43;49 30 1234567 oder ein Präfix als &#43;49 900*"}},
		{"en", url.Values{"action": {"save_time_zone"}, "time_zone": {"Mars/Olympus"}}, "zone-error",
			[]string{"time_zone: &#34;Mars/Olympus&#34; is not a known IANA time zone (e.g. Europe/Berlin)"}},
		{"ru", url.Values{"action": {"save_time_zone"}, "time_zone": {"Mars/Olympus"}}, "zone-error",
			[]string{"«Mars/Olympus» — неизвестный часовой пояс (например, Europe/Moscow, UTC)"}},
		{"de", url.Values{"action": {"save_time_zone"}, "time_zone": {"Mars/Olympus"}}, "zone-error",
			[]string{"„Mars/Olympus“ ist keine bekannte Zeitzone (z. B. Europe/Berlin, UTC)"}},
	}
	for _, c := range cases {
		c.form.Set("LANG", c.lang)
		code, page := h.appForm(admin.AccessToken, c.form)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("%s %s: %d", c.lang, c.form.Get("action"), code)
		}
		_, next, ok := strings.Cut(page, `id="`+c.id+`"`)
		if !ok {
			t.Errorf("%s %s: no %s on the page", c.lang, c.form.Get("action"), c.id)
			continue
		}
		next, _, _ = strings.Cut(next, "</p>\n")
		for _, w := range c.want {
			if !strings.Contains(next, w) {
				t.Errorf("%s %s: %s lacks %q:\n%s", c.lang, c.form.Get("action"), c.id, w, next)
			}
		}
	}
	if got := h.storedCountries(); got != "-" {
		t.Errorf("countries stored: %s", got)
	}
}

// The dashboard's waits and the CRM entities are said in the page's
// language: units of time and the CRM's names of its entities.
func TestDashboardUnitsLanguage(t *testing.T) {
	h := newDashHarness(t)
	generateMonth(t, h)
	admin := h.portal.IssueTokens(1)
	cases := []struct {
		lang      string
		want, not []string
	}{
		{"ru", []string{" мин ", " с / ", ">Лид 5"}, []string{" min ", ">LEAD 5"}},
		{"de", []string{" min ", " s / ", ">Lead 5"}, []string{">LEAD 5"}},
		{"en", []string{" min ", " s / ", ">LEAD 5"}, nil},
	}
	for _, c := range cases {
		code, page := h.appForm(admin.AccessToken, url.Values{"LANG": {c.lang}, "from": {"2026-11-01"}, "to": {"2026-11-30"}})
		if code != http.StatusOK {
			t.Fatalf("%s: %d", c.lang, code)
		}
		says(t, c.lang, page, c.want, c.not)
	}
}

// What the portal did not grant the Bitrix24 dialer is said in the
// page's language; an employee's search of the portal's users is refused
// in it too.
func TestTelephonyProblemLanguage(t *testing.T) {
	h := newHarnessWith(t, openSQLite(t), intake.Rules{}, testLogger(t), func(o *web.Options) {
		o.Telephony = func(context.Context, *callbackline.Portal) bitrix24.Telephony {
			return bitrix24.Telephony{Problem: bitrix24.LinesDenied, Missing: bitrix24.NoCallScope}
		}
	})
	h.install()
	admin := h.portal.IssueTokens(1)
	for lang, want := range map[string][]string{
		"ru": {"Битрикс24 не выдал список линий портала (ACCESS_DENIED)", "Портал не дал приложению право доступа «Совершение звонков» (call)"},
		"de": {"Bitrix24 hat die Leitungen des Portals nicht aufgelistet (ACCESS_DENIED)", "Das Portal hat der Anwendung das Zugriffsrecht „call“ nicht gewährt"},
		"en": {"Bitrix24 did not list the portal&#39;s lines (ACCESS_DENIED)", "the portal has not granted the application the scope &#34;call&#34;"},
	} {
		_, page := h.appForm(admin.AccessToken, url.Values{"LANG": {lang}})
		for i, id := range []string{"telephony-problem", "scope-missing"} {
			_, p, _ := strings.Cut(page, `id="`+id+`">`)
			if !strings.HasPrefix(p, want[i]) {
				t.Errorf("%s: %s does not begin with %q: %.200s", lang, id, want[i], p)
			}
		}
	}
}

// An action by hand that does not apply is refused in the page's
// language; in English as the API says it.
func TestAppControlRefusedLanguage(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	admin := h.portal.IssueTokens(1)
	id := h.pendingCallback("+74951234567")
	post := func(lang, do string, id int64) string {
		t.Helper()
		res, err := http.PostForm(h.url("/bitrix24/app"), url.Values{"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "LANG": {lang},
			"AUTH_ID": {admin.AccessToken}, "action": {"control"}, "callback_id": {strconv.FormatInt(id, 10)}, "do": {do}})
		if err != nil {
			t.Fatal(err)
		}
		page := readAll(t, res)
		_, refused, _ := strings.Cut(page, `id="control-refused">`)
		refused, _, _ = strings.Cut(refused, "</p>")
		return refused
	}
	n := strconv.FormatInt(id, 10)
	for _, c := range []struct{ lang, do, want string }{
		{"ru", "retry", "заявка " + n + " не завершилась ошибкой: повторить можно только заявку с ошибкой"},
		{"de", "retry", "Rückruf " + n + " ist nicht fehlgeschlagen: Nur ein fehlgeschlagener Rückruf kann wiederholt werden"},
		{"en", "retry", "callback " + n + " is scheduled: only a failed callback can be retried"},
	} {
		if got := post(c.lang, c.do, id); !strings.Contains(got, c.want) {
			t.Errorf("%s %s: %q, want %q", c.lang, c.do, got, c.want)
		}
	}
	if got := post("ru", "cancel", 999999); !strings.Contains(got, "заявка 999999 не найдена") {
		t.Errorf("ru, an unknown callback: %q", got)
	}
}

// The check of a line's from_line against the portal (Settings.Check)
// is said next to the field in the page's language, and with its key in
// the YAML view; in English as it names its key.
func TestFromLineCheckLanguage(t *testing.T) {
	cfg := config.Default()
	h := newHarnessWith(t, openSQLite(t), intake.Rules{}, testLogger(t), func(o *web.Options) {
		o.Settings = &web.Settings{Parse: cfg.PortalLinesFor, Default: "- number: north\n",
			Check: func(_ context.Context, _ *callbackline.Portal, lines []callbackline.Line) error {
				return &callbackline.InputError{Key: "lines[0].from_line", Code: callbackline.InputNoSuchLine, Args: []string{lines[0].FromLine, "reg1, reg2"},
					Text: "lines[0].from_line: Bitrix24 has no line \"" + lines[0].FromLine + "\"; the portal's own lines are: reg1, reg2"}
			},
			Form: &web.LineForm{Fields: config.FieldsOf, Text: config.FieldsText, Key: config.FieldKey}}
	})
	h.install()
	admin := h.portal.IssueTokens(1)
	form := url.Values{"lines_n": {"1"}, "l0.number": {"north"}, "l0.dialer": {"bitrix24"}, "l0.from_line": {"reg9"}, "action": {"save_form"}}
	for lang, want := range map[string]string{
		"ru": "в Битрикс24 нет линии «reg9»; собственные линии портала: reg1, reg2",
		"de": "Bitrix24 hat keine Leitung „reg9“; die eigenen Leitungen des Portals sind: reg1, reg2",
		"en": "Bitrix24 has no line &#34;reg9&#34;; the portal&#39;s own lines are: reg1, reg2",
	} {
		form.Set("LANG", lang)
		code, page := h.appForm(admin.AccessToken, form)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("%s: %d", lang, code)
		}
		if !strings.Contains(page, `data-field="l0.from_line">`+want+`</span>`) {
			t.Errorf("%s: no %q next to from_line", lang, want)
		}
		if !strings.Contains(page, `<li class="error">lines[0].from_line: `+want+`</li>`) {
			t.Errorf("%s: the YAML view lacks %q", lang, want)
		}
	}
}

// says checks that the page (named by what) holds each of want and none
// of not.
func says(t *testing.T, what, page string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(page, w) {
			t.Errorf("%s: the page lacks %q", what, w)
		}
	}
	for _, n := range not {
		if strings.Contains(page, n) {
			t.Errorf("%s: the page says %q", what, n)
		}
	}
}
