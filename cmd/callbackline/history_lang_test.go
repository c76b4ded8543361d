package main

import (
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip/siptest"
)

// TestAppPageHistoryLanguage, through the binary: the worker's real steps
// (a callback connected, another given up after the client was busy
// twice) are shown on the app page in Russian and in German, the times in
// the page's time zone, the reason's details too; in English as stored.
func TestAppPageHistoryLanguage(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	r.editConf(func(s string) string {
		return strings.Replace(s, "    client_retry_after: 1s\n", "    client_retry_after: 1s\n    client_attempts: 2\n", 1)
	})
	const busy = "+494957654321"
	r.answer(crashExt)
	r.clientsAnswer(crashClient)
	r.phones.Set(busy, siptest.Behavior{Action: siptest.Busy, Delay: 100 * time.Millisecond})
	svc := r.start()
	defer svc.stop(t)
	r.installAndSubmit()
	r.submit("+49 495 7654321")
	if err := within(3*time.Minute, func() bool {
		page := r.appPage()
		return strings.Contains(page, `data-state="done"`) && strings.Contains(page, `data-state="failed"`)
	}); err != nil {
		t.Fatalf("the callbacks did not end:\n%s", r.appPage())
	}
	// later: a literal followed by a time in the page's time zone.
	later := func(s string) string { return regexp.QuoteMeta(s) + ` \(\d{4}-\d\d-\d\d \d\d:\d\d\)` }
	for lang, want := range map[string][]string{
		"ru": {"выбираем сотрудника", "карточка звонка создана", "звоним: Max Müller (внутр. 101)",
			"Max Müller (внутр. 101) принял(а) звонок; зачитываем заявку", "звоним клиенту +49495*****67 (звонок 1 из 2)",
			"клиент ответил: соединено", "записываем звонок в CRM (статус 200, ", "готово: сотрудник и клиент говорили ",
			later("клиент не ответил (статус 486); позвоним ещё раз позже"),
			"прекращаем попытки: не удалось дозвониться до клиента (2 звонка, последний статус 486)",
			"<td>не удалось дозвониться до клиента (2 звонка, последний статус 486)<details", "ответственный уведомлён"},
		"de": {"Mitarbeiter wird ausgewählt", "es klingelt bei: Max Müller (Durchwahl 101)",
			"Max Müller (Durchwahl 101) hat angenommen; die Anfrage wird vorgelesen", "der Kunde hat angenommen: verbunden",
			"erledigt: Mitarbeiter und Kunde haben ", later("der Kunde hat nicht angenommen (Status 486); er wird später erneut angerufen"),
			"<td>der Kunde war nicht erreichbar (2 Anrufe, zuletzt Status 486)<details", "verantwortliche Person benachrichtigt"},
		"en": {"choosing the employee", "ringing Max Müller (extension 101)", "the client answered: connected",
			later("the client did not answer (status 486); calling again later"), "responsible user notified"},
	} {
		_, page := r.appAs(1, url.Values{"LANG": {lang}})
		page = html.UnescapeString(page)
		for _, w := range want {
			re := w
			if !strings.HasSuffix(w, `\)`) { // not later's
				re = regexp.QuoteMeta(w)
			}
			if !regexp.MustCompile(re).MatchString(page) {
				t.Errorf("%s: the page lacks %q", lang, w)
			}
		}
		if lang != "en" {
			for _, en := range []string{"choosing the employee", "calling again later", "the client answered", "client_unreachable"} {
				if strings.Contains(page, en) {
					t.Errorf("%s: the page says %q", lang, en)
				}
			}
		}
		if t.Failed() {
			t.Fatalf("the %s page:\n%s", lang, page)
		}
	}
}
