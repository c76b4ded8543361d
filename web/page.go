package web

import (
	"html/template"
	"net/http"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/words"
)

// appPages are the app page's templates by language (words.PageLanguages):
// the same page whose t says the catalogue's words in that language.
var appPages = func() map[string]*template.Template {
	base := template.Must(template.Must(template.Must(template.Must(template.New("app").Funcs(pageFuncs("en")).
		Parse(appHTML)).Parse(dashHTML)).Parse(zonesHTML)).Parse(formHTML))
	template.Must(base.Parse(auditHTML))
	template.Must(base.Parse(controlHTML))
	out := map[string]*template.Template{}
	for _, lang := range words.PageLanguages {
		t := template.Must(base.Clone())
		out[lang] = t.Funcs(pageFuncs(lang))
	}
	return out
}()

// pageFuncs are the template functions of the page in lang: t says a
// phrase of the catalogue (words.Page) with its arguments, lang is the
// page's language.
func pageFuncs(lang string) template.FuncMap {
	return template.FuncMap{
		"t":           func(key string, args ...any) string { return words.Page(lang, key, args...) },
		"lang":        func() string { return lang },
		"state":       func(st callbackline.State) string { return words.Page(lang, string(st)) },
		"reason":      func(r string) string { return words.PageReason(lang, r) },
		"field":       field,
		"inc":         func(i int) int { return i + 1 },
		"languages":   func() []string { return words.Languages },
		"hasVoice":    hasVoice,
		"hasLine":     hasLine,
		"hasTelVoice": hasTelVoice,
	}
}

// pageLang is the language the app page is shown in: Bitrix24's LANG
// (the frame's query, posted back by the page's forms); without it the
// portal's own language (stored at its installation; p may be nil);
// English when it has no words for it.
func pageLang(r *http.Request, p *callbackline.Portal) string {
	if l := r.FormValue("LANG"); l != "" || p == nil {
		return words.PageLang(l)
	}
	return words.PageLang(p.Language)
}

// appPage is the app page's template in the language of the request for
// portal p (nil when unknown).
func appPage(r *http.Request, p *callbackline.Portal) *template.Template {
	return appPages[pageLang(r, p)]
}

// Time is t in the page's time zone, as the page shows a moment.
func (z *zoneView) Time(t time.Time) string {
	loc := time.UTC
	if z != nil && z.loc != nil {
		loc = z.loc
	}
	return t.In(loc).Format("2006-01-02 15:04") + " (" + loc.String() + ")"
}
