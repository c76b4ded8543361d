package speech

import (
	"regexp"
	"strconv"
	"strings"
)

// Engines read plain numbers well in their languages, but not phone
// numbers (a number in the billions), times or dates. Normalize rewrites
// those into what a person would say, with the words of the language:
// phone numbers in digit groups, times with the language's hour words,
// dates with the month's name. Numbers that remain are left to the engine.

// words are a language's words for Normalize.
type words struct {
	plus   string
	zero   string     // said before a minute under 10 ("14:05" → "14 oh 5"), "" for none
	hour   string     // "%h %m" pattern of a time, with %h and %m
	oclock string     // pattern of a full hour, with %h
	date   string     // pattern of a date, with %d, %m (month name), %y
	months [12]string // in the form dates use (genitive in Slavic languages)
}

var langWords = map[string]words{
	"ru": {"плюс", "ноль", "%h %m", "%h ноль-ноль", "%d %m %y года", [12]string{"января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"}},
	"uk": {"плюс", "нуль", "%h %m", "%h нуль-нуль", "%d %m %y року", [12]string{"січня", "лютого", "березня", "квітня", "травня", "червня", "липня", "серпня", "вересня", "жовтня", "листопада", "грудня"}},
	"en": {"plus", "oh", "%h %m", "%h o'clock", "%m %d, %y", [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"}},
	"de": {"plus", "", "%h Uhr %m", "%h Uhr", "%d. %m %y", [12]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"}},
	"pl": {"plus", "zero", "%h %m", "%h zero zero", "%d %m %y", [12]string{"stycznia", "lutego", "marca", "kwietnia", "maja", "czerwca", "lipca", "sierpnia", "września", "października", "listopada", "grudnia"}},
	"es": {"más", "", "%h y %m", "%h en punto", "%d de %m de %y", [12]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}},
	"pt": {"mais", "", "%h e %m", "%h horas", "%d de %m de %y", [12]string{"janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro"}},
	"fr": {"plus", "", "%h heures %m", "%h heures", "%d %m %y", [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}},
	"it": {"più", "", "%h e %m", "%h in punto", "%d %m %y", [12]string{"gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre", "ottobre", "novembre", "dicembre"}},
}

var (
	dateDMY = regexp.MustCompile(`\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b`)
	dateISO = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	clock   = regexp.MustCompile(`\b([01]?\d|2[0-3]):([0-5]\d)\b`)
	// phoneRun is a run of digits with the separators phone numbers are
	// written with, optionally after '+'.
	phoneRun = regexp.MustCompile(`\+?\d[\d \-()]*\d`)
	digitRun = regexp.MustCompile(`\d+`)
)

// Normalize rewrites phone numbers, times and dates in text for speaking
// in lang (VoiceFor's language names: "ru", "en-us", "de", …). Languages
// without their own words get English ones for dates and times; phone
// numbers are grouped in every language.
func Normalize(text, lang string) string {
	w, ok := langWords[base(lang)]
	if !ok {
		w = langWords["en"]
	}
	us := lang == "en-us"
	text = dateISO.ReplaceAllStringFunc(text, func(s string) string {
		m := dateISO.FindStringSubmatch(s)
		return w.sayDate(m[3], m[2], m[1], s)
	})
	text = dateDMY.ReplaceAllStringFunc(text, func(s string) string {
		m := dateDMY.FindStringSubmatch(s)
		if us && strings.Contains(s, "/") {
			return w.sayDate(m[2], m[1], m[3], s)
		}
		return w.sayDate(m[1], m[2], m[3], s)
	})
	text = clock.ReplaceAllStringFunc(text, func(s string) string {
		m := clock.FindStringSubmatch(s)
		return w.sayTime(m[1], m[2])
	})
	return phoneRun.ReplaceAllStringFunc(text, w.sayPhone)
}

// sayDate says day, month (1–12) and year, or returns orig when they are
// not a date.
func (w words) sayDate(d, m, y, orig string) string {
	day, _ := strconv.Atoi(d)
	mon, _ := strconv.Atoi(m)
	if day < 1 || day > 31 || mon < 1 || mon > 12 {
		return orig
	}
	return strings.NewReplacer("%d", strconv.Itoa(day), "%m", w.months[mon-1], "%y", strings.TrimLeft(y, "0")).Replace(w.date)
}

// sayTime says hours and minutes.
func (w words) sayTime(h, m string) string {
	hour, _ := strconv.Atoi(h)
	min, _ := strconv.Atoi(m)
	if min == 0 {
		return strings.ReplaceAll(w.oclock, "%h", strconv.Itoa(hour))
	}
	ms := strconv.Itoa(min)
	if min < 10 && w.zero != "" {
		ms = w.zero + " " + ms
	}
	return strings.NewReplacer("%h", strconv.Itoa(hour), "%m", ms).Replace(w.hour)
}

// sayPhone says a run of digits as a phone number in groups ("+7 916
// 123-45-67" → "plus 7, 916, 123, 45, 67") when it looks like one: at
// least 7 digits, and a '+', a '-' or '(' in it, 10 digits or more, or no
// separator at all (an order number is clearer in groups too). Numbers
// written in thousands ("1 000 000") are joined for the engine to read.
func (w words) sayPhone(s string) string {
	groups := digitRun.FindAllString(s, -1)
	n := 0
	for _, g := range groups {
		n += len(g)
	}
	marked := strings.ContainsAny(s, "+-(")
	if n < 7 || (!marked && n < 10 && len(groups) > 1) {
		if !marked && thousands(groups) {
			return strings.Join(groups, "")
		}
		return s
	}
	var parts []string
	for _, g := range groups {
		for _, p := range split(g) {
			parts = append(parts, sayGroup(p))
		}
	}
	if strings.HasPrefix(s, "+") {
		parts[0] = w.plus + " " + parts[0]
	}
	return strings.Join(parts, ", ")
}

// thousands reports whether groups are a number written in thousands:
// 1–3 digits, then groups of exactly 3.
func thousands(groups []string) bool {
	if len(groups) < 2 || len(groups[0]) > 3 {
		return false
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return false
		}
	}
	return true
}

// split cuts a group of digits into groups of 3, ending in 2+2 ("1234567"
// → 123 45 67).
func split(g string) []string {
	var out []string
	for len(g) > 4 {
		out, g = append(out, g[:3]), g[3:]
	}
	if len(g) == 4 {
		return append(out, g[:2], g[2:])
	}
	return append(out, g)
}

// sayGroup says a group of digits: as a number, or digit by digit when it
// starts with 0 ("05" → "0 5").
func sayGroup(g string) string {
	if len(g) > 1 && g[0] == '0' {
		return strings.Join(strings.Split(g, ""), " ")
	}
	return g
}
