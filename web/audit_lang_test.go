package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
)

// auditIn is the app page's audit log section as an administrator reads
// it in lang, unescaped.
func (h *harness) auditIn(authID, lang string) string {
	h.t.Helper()
	res, err := http.PostForm(h.url("/bitrix24/app?DOMAIN=example.bitrix24.de&PROTOCOL=1&LANG="+lang), url.Values{
		"member_id": {exampleMember}, "APPLICATION_TOKEN": {exampleToken}, "AUTH_ID": {authID}})
	if err != nil {
		h.t.Fatal(err)
	}
	page := readAll(h.t, res)
	i := strings.Index(page, `id="audit-log"`)
	if res.StatusCode != http.StatusOK || i < 0 {
		h.t.Fatalf("%s: %d, no audit log:\n%s", lang, res.StatusCode, page)
	}
	return html.UnescapeString(page[i:])
}

// wantAudit checks that the audit log read in each language says every
// phrase of want, and none of the English words of notEnglish.
func wantAudit(t *testing.T, h *harness, authID string, want map[string][]string, notEnglish []string) {
	t.Helper()
	for lang, ws := range want {
		log := h.auditIn(authID, lang)
		for _, w := range ws {
			if !strings.Contains(log, "<td>"+w+"</td>") {
				t.Errorf("%s: the audit log lacks %q:\n%s", lang, w, log)
			}
		}
		if lang == "en" {
			continue
		}
		for _, e := range notEnglish {
			if strings.Contains(log, e) {
				t.Errorf("%s: the audit log says %q in English:\n%s", lang, e, log)
			}
		}
	}
}

// TestAuditLanguage: the blocked numbers, time zone and lines an
// administrator saves on the app page are logged with their English
// summary (the API's), and the page's audit log says what changed in its
// language, values as they are; an entry stored before codes were kept
// shows its English in every language.
func TestAuditLanguage(t *testing.T) {
	lh := newLinesHarness(t)
	admin := lh.portal.IssueTokens(1).AccessToken
	north := strings.Replace(northFormText, "    require_accept: true\n", "", 1)
	north = strings.Replace(north, "client_attempts: 2", "client_attempts: 3", 1)
	north = strings.Replace(north, `      tuesday: ["09:00-13:00", "14:00-18:00"]`, `      tuesday: ["09:00-18:00"]`, 1)
	steps := []url.Values{
		{"action": {"save_blocked"}, "blocked": {"+74951234567\n+49900*"}},
		{"action": {"save_blocked"}, "blocked": {"+49900*"}},
		{"action": {"save_blocked"}, "blocked": {"+49900*"}},
		{"action": {"save_time_zone"}, "time_zone": {"Europe/Berlin"}},
		{"action": {"save_lines"}, "lines": {northFormText}},
		{"action": {"save_lines"}, "lines": {north}},
	}
	for _, f := range steps {
		if code, page := lh.formPost(admin, "ru", f); code != http.StatusOK {
			t.Fatalf("%v: %d\n%s", f, code, page)
		}
	}
	// An entry of an older version: English only.
	if err := lh.store.SaveTimeZone(context.Background(), &callbackline.TimeZone{MemberID: exampleMember, Name: "Europe/Moscow",
		Audit: &callbackline.Change{UserName: "Anna Admin", UserID: 1, Summary: "an entry of an older version"}}); err != nil {
		t.Fatal(err)
	}
	list, err := lh.store.AuditLog(context.Background(), callbackline.AuditFilter{MemberID: exampleMember})
	if err != nil {
		t.Fatal(err)
	}
	lines := "line North: client calls 2 → 3, accept by key on → off, " +
		"hours Mon 09:00-18:00, Tue 09:00-13:00 14:00-18:00 (Europe/Berlin), holidays 2026-12-25 → Mon–Tue 09:00-18:00 (Europe/Berlin), holidays 2026-12-25"
	if len(list) != len(steps)+1 || list[1].Summary != lines || list[1].Said.Code == "" || list[0].Said.Code != "" {
		for _, c := range list {
			t.Logf("%s: %q %+v", c.What, c.Summary, c.Said)
		}
		t.Fatalf("the stored log: %d entries, want %d, the lines' change %q", len(list), len(steps)+1, lines)
	}
	for _, c := range list {
		if c.Said.Code != "" && c.Summary != c.Said.English() {
			t.Errorf("%s: the summary %q is not its note's English %q", c.What, c.Summary, c.Said.English())
		}
	}
	wantAudit(t, lh.harness, admin, map[string][]string{
		"en": {"an entry of an older version", lines, "line North: added; line callbackline: removed", "UTC → Europe/Berlin", "saved unchanged", "removed +7495*****67", "added +7495*****67, +49900*"},
		"ru": {"an entry of an older version", "линия North: добавлена; линия callbackline: удалена",
			"линия North: звонков клиенту: 2 → 3, приём звонка клавишей: вкл. → выкл., " +
				"рабочее время: Пн 09:00-18:00, Вт 09:00-13:00 14:00-18:00 (Europe/Berlin), праздничные дни 2026-12-25 → Пн–Вт 09:00-18:00 (Europe/Berlin), праздничные дни 2026-12-25",
			"UTC → Europe/Berlin", "сохранено без изменений", "удалено: +7495*****67", "добавлено: +7495*****67, +49900*"},
		"de": {"an entry of an older version", "Leitung North: hinzugefügt; Leitung callbackline: entfernt",
			"Leitung North: Anrufe beim Kunden: 2 → 3, Annahme per Taste: an → aus, " +
				"Arbeitszeiten: Mo 09:00-18:00, Di 09:00-13:00 14:00-18:00 (Europe/Berlin), Feiertage 2026-12-25 → Mo–Di 09:00-18:00 (Europe/Berlin), Feiertage 2026-12-25",
			"UTC → Europe/Berlin", "unverändert gespeichert", "entfernt: +7495*****67", "hinzugefügt: +7495*****67, +49900*"},
	}, []string{"added", "removed", "unchanged", "hours", "client calls", "accept by key", "line North", "Mon", "holidays"})
	// The API keeps the English, with the code.
	var found bool
	for _, c := range lh.auditPage("?limit=10") {
		if c["summary"] == lines {
			found = c["summary_code"] == "parts" && c["summary_args"] != nil
		}
		if c["summary"] == "an entry of an older version" && (c["summary_code"] != nil || c["summary_args"] != nil) {
			t.Errorf("an older entry on the API has a code: %+v", c)
		}
	}
	if !found {
		t.Errorf("the API lacks the lines' change in English with its code: %+v", lh.auditPage("?limit=10"))
	}
}

// TestAuditLanguageCountriesTrunk: the countries and the portal's SIP
// account an administrator saves are said in the page's language too,
// the password never.
func TestAuditLanguageCountriesTrunk(t *testing.T) {
	h := newCountriesHarness(t)
	admin := h.portal.IssueTokens(1).AccessToken
	for _, codes := range []string{"DE", "RU, DE", "RU, DE"} {
		if code, page := h.countries(admin, codes); code != http.StatusOK {
			t.Fatalf("countries %s: %d\n%s", codes, code, page)
		}
	}
	wantAudit(t, h, admin, map[string][]string{
		"en": {"added DE; removed RU", "added RU", "saved unchanged"},
		"ru": {"добавлено: DE; удалено: RU", "добавлено: RU", "сохранено без изменений"},
		"de": {"hinzugefügt: DE; entfernt: RU", "hinzugefügt: RU", "unverändert gespeichert"},
	}, []string{"added", "removed", "unchanged"})

	th := newTrunkHarness(t, true)
	admin = th.portal.IssueTokens(1).AccessToken
	if code, page := th.save(admin); code != http.StatusOK {
		t.Fatalf("the SIP account: %d\n%s", code, page)
	}
	if code, page := th.save(admin, "caller_ids", "+4930123456\n+4940123456"); code != http.StatusOK {
		t.Fatalf("the SIP account again: %d\n%s", code, page)
	}
	list, err := th.store.AuditLog(context.Background(), callbackline.AuditFilter{MemberID: exampleMember})
	if err != nil || len(list) != 2 {
		t.Fatalf("the trunk's log: %v %+v", err, list)
	}
	added := "SIP account added: acme@" + th.provider.Addr()
	if list[1].Summary != added {
		t.Errorf("the first save: %q, want %q", list[1].Summary, added)
	}
	if want := "SIP account: caller IDs: added +494*****56"; list[0].Summary != want {
		t.Errorf("the second save: %q, want %q", list[0].Summary, want)
	}
	wantAudit(t, th.harness, admin, map[string][]string{
		"en": {added, list[0].Summary},
		"ru": {"SIP-аккаунт добавлен: acme@" + th.provider.Addr(), "SIP-аккаунт: номера для АОН: добавлено: +494*****56"},
		"de": {"SIP-Konto hinzugefügt: acme@" + th.provider.Addr(), "SIP-Konto: angezeigte Rufnummern: hinzugefügt: +494*****56"},
	}, []string{"SIP account", "caller IDs", "added"})
	for _, lang := range []string{"ru", "de"} {
		if log := th.auditIn(admin, lang); strings.Contains(log, "right-password") {
			t.Errorf("%s: the password is in the log", lang)
		}
	}
}
