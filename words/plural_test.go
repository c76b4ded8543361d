package words

import (
	"strings"
	"testing"
)

// A group of forms agrees with the count: Russian and Ukrainian by the
// last digits (1 and 21, 2–4 and 22, 5–20 and 11–14), English and German
// by one or more.
func TestPlural(t *testing.T) {
	ru := "{звонок|звонка|звонков}"
	for n, want := range map[int]string{
		0: "звонков", 1: "звонок", 2: "звонка", 3: "звонка", 4: "звонка", 5: "звонков", 11: "звонков",
		12: "звонков", 14: "звонков", 20: "звонков", 21: "звонок", 22: "звонка", 25: "звонков",
		101: "звонок", 111: "звонков", 112: "звонков", 122: "звонка", -1: "звонок",
	} {
		if got := plural("ru", n, ru); got != want {
			t.Errorf("plural(%d, ru) = %q, want %q", n, got, want)
		}
	}
	for n, want := range map[int]string{0: "Rückrufe", 1: "Rückruf", 2: "Rückrufe", 21: "Rückrufe"} {
		if got := plural("de", n, "{Rückruf|Rückrufe}"); got != want {
			t.Errorf("plural(%d, de) = %q, want %q", n, got, want)
		}
	}
	pl := "{oddzwonienie|oddzwonienia|oddzwonień}"
	for n, want := range map[int]string{1: "oddzwonienie", 2: "oddzwonienia", 4: "oddzwonienia", 5: "oddzwonień",
		12: "oddzwonień", 21: "oddzwonień", 22: "oddzwonienia", 25: "oddzwonień", 101: "oddzwonień"} {
		if got := plural("pl", n, pl); got != want {
			t.Errorf("plural(%d, pl) = %q, want %q", n, got, want)
		}
	}
	for _, s := range []string{"no group", "time_zone ([\"09:00-18:00\"])", "{not a group}", "a {} b"} {
		if got := plural("ru", 3, s); got != s {
			t.Errorf("plural(3, %q) = %q", s, got)
		}
	}
}

// The notice of callbacks failing in a row reads right for 1, 3, 5 and 21
// in Russian and Ukrainian, for 1, 3, 5 and 22 in Polish, and for 1 and 5
// in English, German, Spanish and Portuguese.
func TestNoticeCount(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"ru", 1, "1 обратный звонок подряд не удался"},
		{"ru", 3, "3 обратных звонка подряд не удались"},
		{"ru", 5, "5 обратных звонков подряд не удались"},
		{"ru", 21, "21 обратный звонок подряд не удался"},
		{"uk", 3, "3 зворотні дзвінки поспіль не вдалися"},
		{"uk", 5, "5 зворотних дзвінків поспіль не вдалися"},
		{"de", 1, "1 Rückruf ist nacheinander fehlgeschlagen"},
		{"de", 5, "5 Rückrufe sind nacheinander fehlgeschlagen"},
		{"pl", 1, "1 oddzwonienie się nie udało"},
		{"pl", 3, "3 oddzwonienia z rzędu się nie udały"},
		{"pl", 5, "5 oddzwonień z rzędu się nie udało"},
		{"pl", 21, "21 oddzwonień z rzędu się nie udało"},
		{"pl", 22, "22 oddzwonienia z rzędu się nie udały"},
		{"en", 1, "1 callback failed"},
		{"en", 5, "5 callbacks in a row failed"},
		{"es", 1, "1 devolución de llamada falló"},
		{"es", 5, "5 devoluciones de llamada seguidas fallaron"},
		{"pt", 1, "1 chamada de retorno falhou"},
		{"pt", 5, "5 chamadas de retorno seguidas falharam"},
	} {
		s := Notice(c.lang, "callbacks", "problem", "client_unreachable: busy", c.n)
		if !strings.Contains(s, c.want) || strings.Contains(s, "{") {
			t.Errorf("%s, %d: %q lacks %q", c.lang, c.n, s, c.want)
		}
	}
}

// The page's phrases agree with their first integer argument.
func TestPagePlural(t *testing.T) {
	for n, want := range map[int]string{1: "1 Nummer oder Präfix ist gesperrt", 4: "4 Nummern oder Präfixe sind gesperrt"} {
		if got := Page("de", "%d numbers or prefixes are blocked: requests for them are rejected and never called.", n); !strings.HasPrefix(got, want) {
			t.Errorf("%d blocked in German: %q, want it to start with %q", n, got, want)
		}
	}
	for n, want := range map[int]string{1: "Заблокирован 1 номер или префикс", 3: "Заблокировано 3 номера или префикса", 5: "Заблокировано 5 номеров или префиксов", 21: "Заблокирован 21 номер или префикс"} {
		if got := Page("ru", "%d numbers or prefixes are blocked: requests for them are rejected and never called.", n); !strings.HasPrefix(got, want) {
			t.Errorf("%d blocked in Russian: %q, want it to start with %q", n, got, want)
		}
	}
}
