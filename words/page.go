package words

import "fmt"

// PageLanguages are the languages the application page is shown in, as
// ISO 639-1 codes; English is the page's fallback.
var PageLanguages = []string{"en", "ru", "de"}

// PageLang returns the language the application page is shown in for a
// Bitrix24 language id or an ISO code (Bitrix24's LANG): one of
// PageLanguages, "en" for anything else.
func PageLang(id string) string {
	c := code(id)
	if _, ok := pageWords[c]; ok {
		return c
	}
	return "en"
}

// Page says a phrase of the application page in lang: the page's English
// words are the catalogue's keys; a phrase the language lacks is said in
// English. With args the phrase is a format (fmt.Sprintf).
func Page(lang, key string, args ...any) string {
	s, ok := pageWords[PageLang(lang)][key]
	if !ok {
		s = key
	}
	if len(args) == 0 {
		return s
	}
	return fmt.Sprintf(s, args...)
}

// HasPage reports whether lang has its own words for the page's phrase
// key (English has every phrase).
func HasPage(lang, key string) bool {
	if PageLang(lang) == "en" {
		return true
	}
	_, ok := pageWords[PageLang(lang)][key]
	return ok
}

// pageWords are the page's phrases by language, keyed by their English.
var pageWords = map[string]map[string]string{
	"en": {"monday": "Monday", "tuesday": "Tuesday", "wednesday": "Wednesday", "thursday": "Thursday",
		"friday": "Friday", "saturday": "Saturday", "sunday": "Sunday",
		"blocked_numbers": "blocked numbers", "time_zone": "time zone", "caller_ids": "caller IDs", "trunk": "SIP account"},
	"ru": pageRU,
	"de": pageDE,
}
