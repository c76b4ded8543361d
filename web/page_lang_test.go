package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// The app page is in the language Bitrix24 passes in LANG (the frame's
// query, posted back by the page's forms): Russian and German have their
// own words, anything else is English.
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
		{"", []string{`<html lang="en">`, "Latest requests", "Save lines", "Dashboard"}, nil},
	}
	for _, c := range cases {
		page := open(c.query, url.Values{})
		for _, w := range c.want {
			if !strings.Contains(page, w) {
				t.Errorf("%q: the page lacks %q", c.query, w)
			}
		}
		for _, n := range c.not {
			if strings.Contains(page, n) {
				t.Errorf("%q: the page says %q", c.query, n)
			}
		}
	}
	// The page's forms post LANG back: a save answered in German.
	page := open("", url.Values{"LANG": {"de"}, "action": {"save_blocked"}, "blocked": {"+49 900*"}})
	if !strings.Contains(page, "Gespeichert.") || !strings.Contains(page, "Diese Nummern werden ab jetzt nie angerufen.") {
		t.Errorf("a save posted with LANG=de is not answered in German")
	}
}
