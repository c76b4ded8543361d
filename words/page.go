package words

import (
	"fmt"
	"sort"
	"strings"
)

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
// English. With args the phrase is a format (fmt.Sprintf) whose groups of
// forms ({одна|две|пять}) agree with its first integer argument.
func Page(lang, key string, args ...any) string {
	s, ok := pageWords[PageLang(lang)][key]
	if !ok {
		s = key
	}
	if len(args) == 0 {
		return s
	}
	if n, ok := count(args); ok {
		s = plural(PageLang(lang), n, s)
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
		"blocked_numbers": "blocked numbers", "time_zone": "time zone", "caller_ids": "caller IDs", "trunk": "SIP account",
		"ringing_employee": "ringing the employee", "ringing_client": "ringing the client",
		"announcing": "announcing to the employee", "finishing": "writing the result to the CRM",
		"notifying": "telling the responsible", "placed": "call placed", "routing": "choosing the employee"},
	"ru": pageRU,
	"de": pageDE,
}

// pageReasons are the sentences, in English, of the reason codes the
// phrasebook does not say (it says those of a callback given up): a
// request refused, a callback ended by hand or by the client's own call.
// The page says them in its language through the catalogue (Page).
var pageReasons = map[string]string{
	"invalid_number":      "not a phone number that can be dialled",
	"number_type_blocked": "this type of number may not be called",
	"country_not_allowed": "the number's country is not allowed",
	"number_rate_limited": "too many requests for this number",
	"portal_rate_limited": "too many requests for this portal",
	"number_blocked":      "the number is on the list of blocked numbers",
	"dial_rate_limited":   "too many calls at once; the call waits",
	"cancelled":           "cancelled by an administrator",
	"already_called":      "client already reached (closed automatically)",
	"outcome_unknown":     "the call's outcome could not be learnt",
}

// PageReasons are the reason codes the page says in its language: those
// of a callback given up and those of pageReasons.
func PageReasons() []string {
	var out []string
	for c := range phrasebook["en"].reasons {
		out = append(out, c)
	}
	for c := range pageReasons {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// PageReason says a callback's reason ("<code>: <details>") on the page
// in lang: its code's sentence with the details, as recorded, in
// parentheses; an unknown code as recorded.
func PageReason(lang, r string) string {
	lang = PageLang(lang)
	code, details, _ := strings.Cut(r, ":")
	code = strings.TrimSpace(code)
	if _, ok := phrasebook[lang].reasons[code]; ok {
		return phrasebook[lang].reason(r)
	}
	en, ok := pageReasons[code]
	if !ok {
		return r
	}
	s := Page(lang, en)
	if d := strings.TrimSpace(details); d != "" {
		s += " (" + d + ")"
	}
	return s
}

// HasPageReason reports whether lang has its own words for the reason
// code on the page (English has every known code).
func HasPageReason(lang, code string) bool {
	if _, ok := phrasebook[PageLang(lang)].reasons[code]; ok {
		return true
	}
	en, ok := pageReasons[code]
	return ok && HasPage(lang, en)
}
