package words

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
)

func TestLang(t *testing.T) {
	for in, want := range map[string]string{
		"ru": "ru", "ua": "uk", "uk": "uk", "de": "de", "DE-at": "de", "pl": "pl", "la": "es",
		"es": "es", "br": "pt", "pt_BR": "pt", "en": "en", "fr": "en", "tr": "en", "": "en", "xx": "en",
	} {
		if got := Lang(in); got != want {
			t.Errorf("Lang(%q) = %q, want %q", in, got, want)
		}
	}
}

var verb = regexp.MustCompile(`%[a-z]`)

// TestPhrasebook: every language has every phrase and every reason, with
// the format verbs of English in the same order, and its own words.
func TestPhrasebook(t *testing.T) {
	en := phrasebook["en"]
	for _, l := range Languages {
		p := phrasebook[l]
		if p == nil {
			t.Fatalf("no phrases for %s", l)
		}
		pv, ev := reflect.ValueOf(*p), reflect.ValueOf(*en)
		for i := range pv.NumField() {
			f := pv.Type().Field(i).Name
			if f == "reasons" {
				continue
			}
			s, e := pv.Field(i).String(), ev.Field(i).String()
			if s == "" || !slices.Equal(verb.FindAllString(s, -1), verb.FindAllString(e, -1)) {
				t.Errorf("%s.%s = %q: empty or not the verbs of %q", l, f, s, e)
			}
			if l != "en" && s == e && f != "status" {
				t.Errorf("%s.%s is the English %q", l, f, s)
			}
		}
		if len(p.reasons) != len(en.reasons) {
			t.Errorf("%s has %d reasons, English %d", l, len(p.reasons), len(en.reasons))
		}
		for code := range en.reasons {
			if p.reasons[code] == "" {
				t.Errorf("%s has no words for the reason %s", l, code)
			}
		}
	}
	if len(phrasebook) != len(Languages) {
		t.Errorf("phrasebook has %d languages, Languages %d", len(phrasebook), len(Languages))
	}
}

func TestFailureText(t *testing.T) {
	f := Failure{
		Phone: "+79161234567", Reason: "no_employee: no employee took the call in 3 round(s)",
		Request: "Перезвоните по заказу",
		Calls: []Call{
			{Number: 1, At: "2026-12-05 10:00 MSK", Extension: "101", Status: "304"},
			{Number: 2, At: "2026-12-05 10:10 MSK", Extension: "102", ClientDialled: true, Status: "486"},
		},
		Tried: "Max Müller (extension 101) did not take the call; ",
	}
	got := f.Text("ru")
	for _, want := range []string{
		"Заявку на обратный звонок с номера +79161234567 выполнить не удалось: ни один сотрудник не принял звонок (no employee took the call in 3 round(s)).",
		"Текст заявки: «Перезвоните по заказу».",
		"Звонки: звонок 1 в 2026-12-05 10:00 MSK на внутренний номер 101, статус 304; звонок 2 в 2026-12-05 10:10 MSK на внутренний номер 102, клиенту звонили, статус 486.",
		"Подробности: Max Müller (extension 101) did not take the call;",
		"Пожалуйста, перезвоните клиенту.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the Russian failure text lacks %q:\n%s", want, got)
		}
	}
	en := Failure{Phone: "+4930123456", Reason: "something_new: details"}.Text("fr")
	if en != "Callback request from +4930123456 could not be completed: something_new: details. Please call the client back." {
		t.Errorf("an unknown reason in an unknown language: %s", en)
	}
}

func TestShortPhrases(t *testing.T) {
	if got := NoText("ua"); !strings.Contains(got, "зворотний дзвінок") {
		t.Errorf("NoText(ua) = %q", got)
	}
	if got := PressOne("de"); got != "Drücken Sie 1, um mit dem Kunden verbunden zu werden, oder 2, um abzulehnen." {
		t.Errorf("PressOne(de) = %q", got)
	}
	if got := CallBack("ru", "+7916*****67"); got != "Перезвонить +7916*****67" {
		t.Errorf("CallBack(ru) = %q", got)
	}
	if got := NoText("it"); got != phrasebook["en"].noText {
		t.Errorf("NoText(it) = %q, want English", got)
	}
}

func TestKnown(t *testing.T) {
	for _, id := range []string{"ru", "ua", "en", "EN-us", "pt_BR", "la", "de"} {
		if !Known(id) {
			t.Errorf("Known(%q) = false", id)
		}
	}
	for _, id := range []string{"", "fr", "xx", "english"} {
		if Known(id) {
			t.Errorf("Known(%q) = true", id)
		}
	}
}

func TestSample(t *testing.T) {
	for lang, want := range map[string]string{
		"de": "Ein Besucher", "pt-br": "Um visitante", "fr-fr": "Un visiteur", "en-gb": "A visitor",
		"ua": "Відвідувач", "tr": "Web sitesinin", "cmn": "A visitor", "": "A visitor",
	} {
		if got := Sample(lang); !strings.HasPrefix(got, want) {
			t.Errorf("Sample(%q) = %q, want it to start with %q", lang, got, want)
		}
	}
}

// Every language says every notice, with the verbs of the English one.
func TestNoticeEveryLanguage(t *testing.T) {
	for _, lang := range Languages {
		for _, problem := range []string{"reinstall", "trunk", "callbacks"} {
			for _, kind := range []string{"problem", "fixed"} {
				s := Notice(lang, problem, kind, "invalid_grant", 5)
				if s == "" || strings.Contains(s, "%!") || !strings.HasPrefix(s, "callbackline: ") {
					t.Errorf("%s %s.%s: %q", lang, problem, kind, s)
				}
				if kind == "problem" && problem != "callbacks" && !strings.Contains(s, "invalid_grant") {
					t.Errorf("%s %s.%s lacks the detail: %q", lang, problem, kind, s)
				}
			}
		}
		if s := Notice(lang, "callbacks", "problem", "client_unreachable: busy", 7); !strings.Contains(s, "7") || strings.Contains(s, "client_unreachable") {
			t.Errorf("%s callbacks: %q", lang, s)
		}
	}
	if Notice("de", "weather", "problem", "", 0) != "" {
		t.Error("an unknown problem has words")
	}
}
