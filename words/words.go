// Package words holds every word callbackline itself says or writes to a
// portal's people, in the portal's language: the announcement when a form
// sends no text, the "press 1" prompt, and the notification, timeline
// comment and to-do of a callback given up. English, Russian, Ukrainian,
// German, Polish, Spanish and Portuguese; English for any other language.
// The application page's words are here too (Page): in English, Russian
// and German (PageLanguages), English for any other language.
//
// What comes from outside (the visitor's text, names, reasons) is put in
// as is: the caller escapes the whole for BB-code (bitrix24.Plain).
package words

import (
	"fmt"
	"strings"
)

// Languages are the languages with their own words, as ISO 639-1 codes.
var Languages = []string{"en", "ru", "uk", "de", "pl", "es", "pt"}

// aliases are Bitrix24's own language ids (LANGUAGE_ID, LANG;
// docs/bitrix24.md §7.2) that are not the ISO code of their language.
var aliases = map[string]string{"ua": "uk", "la": "es", "br": "pt"}

// Lang returns the language whose words are used for a Bitrix24 language
// id or an ISO code ("ru", "ua", "de-AT", "pt_BR", "la"): one of
// Languages, "en" for anything else.
func Lang(id string) string {
	if l := known(id); l != "" {
		return l
	}
	return "en"
}

// Known reports whether id names one of Languages, as an ISO code or a
// Bitrix24 language id.
func Known(id string) bool { return known(id) != "" }

// known returns the language of id, "" when it has no words of its own.
func known(id string) string {
	id = code(id)
	if _, ok := phrasebook[id]; ok {
		return id
	}
	return ""
}

// code returns the ISO 639-1 code in a language id: lower case, without
// its region ("pt-BR" → "pt"), Bitrix24's own ids read ("ua" → "uk").
func code(id string) string {
	id = strings.ToLower(strings.TrimSpace(id))
	if i := strings.IndexAny(id, "-_"); i >= 0 {
		id = id[:i]
	}
	if a, ok := aliases[id]; ok {
		id = a
	}
	return id
}

func of(lang string) *phrases { return phrasebook[Lang(lang)] }

// NoText is what the employee hears when the form sent no text.
func NoText(lang string) string { return of(lang).noText }

// Recorded is what the client hears when they answer, before being
// connected, on a line that announces its recording (record_notice).
func Recorded(lang string) string { return of(lang).recorded }

// PressOne is the prompt after the announcement when the line's policy
// asks the employee to accept the call with the key 1 (2 declines).
func PressOne(lang string) string { return of(lang).pressOne }

// CallBack is the title of the to-do of a callback given up, for the
// client's masked number (phone.Mask).
func CallBack(lang, masked string) string { return fmt.Sprintf(of(lang).todo, masked) }

// Call is one call made for a callback, as the failure text lists it.
type Call struct {
	Number        int    // the attempt's number, from 1
	At            string // when it started, formatted for the line's time zone
	Extension     string // the employee's extension rung
	Bitrix24      bool   // placed through Bitrix24's telephony (no extension)
	ClientDialled bool   // whether the client was dialled
	Status        string // its STATUS_CODE; "" when none
}

// Failure is what the responsible employee is told of a callback given up.
type Failure struct {
	Phone   string // the client's number
	Reason  string // the callback's reason: "<code>: <details>"
	Request string // the visitor's text; "" when none
	Calls   []Call // the calls made
	Tried   string // what was tried, as recorded; "" when nothing
}

// Text returns the failure text in lang: what could not be done and why,
// the request, the calls made, what was tried, and the request to call the
// client back. The reason's code is said in lang; its details, like Tried,
// are given as recorded.
func (f Failure) Text(lang string) string {
	p := of(lang)
	var b strings.Builder
	fmt.Fprintf(&b, p.failed, f.Phone, p.reason(f.Reason))
	if f.Request != "" {
		b.WriteString(" " + fmt.Sprintf(p.request, f.Request))
	}
	if len(f.Calls) > 0 {
		parts := make([]string, len(f.Calls))
		for i, c := range f.Calls {
			parts[i] = p.call(c)
		}
		b.WriteString(" " + p.calls + " " + strings.Join(parts, "; ") + ".")
	}
	if f.Tried != "" {
		b.WriteString(" " + p.tried + " " + f.Tried)
	}
	return b.String() + " " + p.please
}

// reason says a callback's reason in the language: its code's sentence
// with the details in parentheses; an unknown code as recorded.
func (p *phrases) reason(r string) string {
	code, details, _ := strings.Cut(r, ":")
	s, ok := p.reasons[strings.TrimSpace(code)]
	if !ok {
		return r
	}
	if d := strings.TrimSpace(details); d != "" {
		s += " (" + d + ")"
	}
	return s
}

func (p *phrases) call(c Call) string {
	s := fmt.Sprintf(p.callAt, c.Number, c.At, c.Extension)
	if c.Bitrix24 {
		s = fmt.Sprintf(p.callVia, c.Number, c.At)
	}
	if c.ClientDialled {
		s += ", " + p.dialled
	}
	if c.Status != "" {
		s += ", " + fmt.Sprintf(p.status, c.Status)
	}
	return s
}
