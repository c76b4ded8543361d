package speech

import (
	"sort"
	"strings"
)

// Gender is the gender of a voice.
type Gender uint8

// The genders Bitrix24 voice ids carry.
const (
	Male Gender = iota
	Female
)

// String returns "male" or "female".
func (g Gender) String() string {
	if g == Female {
		return "female"
	}
	return "male"
}

// Voice is what an engine needs to speak: the Bitrix24 voice id it was
// chosen for, the language as an espeak-ng voice name ("de", "en-us",
// "pt-br", "cmn", …; Command engines get it as {lang}) and the gender.
type Voice struct {
	ID       string
	Language string
	Gender   Gender
}

// DefaultVoiceID is the voice used for an empty or unknown id: Bitrix24's
// own default for languages it has no voice for.
const DefaultVoiceID = "usenglishmale"

// DefaultLanguage is the language of DefaultVoiceID.
const DefaultLanguage = "en-us"

// voices maps every voice id of voximplant.tts.voices.get (docs/bitrix24.md §7.2) to
// an espeak-ng language. espeak-ng 1.51 has no Australian English (British
// is closer than American) and no Canadian French besides MBROLA voices
// (France's French is used).
var voices = map[string]Voice{
	"auenglishfemale":     {Language: "en-gb", Gender: Female},
	"brportuguesefemale":  {Language: "pt-br", Gender: Female},
	"caenglishfemale":     {Language: "en-us", Gender: Female},
	"cafrenchfemale":      {Language: "fr-fr", Gender: Female},
	"cafrenchmale":        {Language: "fr-fr", Gender: Male},
	"chchinesefemale":     {Language: "cmn", Gender: Female},
	"chchinesemale":       {Language: "cmn", Gender: Male},
	"eurcatalanfemale":    {Language: "ca", Gender: Female},
	"eurczechfemale":      {Language: "cs", Gender: Female},
	"eurdanishfemale":     {Language: "da", Gender: Female},
	"eurdutchfemale":      {Language: "nl", Gender: Female},
	"eurfinnishfemale":    {Language: "fi", Gender: Female},
	"eurfrenchfemale":     {Language: "fr-fr", Gender: Female},
	"eurfrenchmale":       {Language: "fr-fr", Gender: Male},
	"eurgermanfemale":     {Language: "de", Gender: Female},
	"eurgermanmale":       {Language: "de", Gender: Male},
	"euritalianfemale":    {Language: "it", Gender: Female},
	"euritalianmale":      {Language: "it", Gender: Male},
	"eurnorwegianfemale":  {Language: "nb", Gender: Female},
	"eurpolishfemale":     {Language: "pl", Gender: Female},
	"eurportuguesefemale": {Language: "pt", Gender: Female},
	"eurportuguesemale":   {Language: "pt", Gender: Male},
	"eurspanishfemale":    {Language: "es", Gender: Female},
	"eurspanishmale":      {Language: "es", Gender: Male},
	"eurturkishfemale":    {Language: "tr", Gender: Female},
	"eurturkishmale":      {Language: "tr", Gender: Male},
	"hkchinesefemale":     {Language: "yue", Gender: Female},
	"huhungarianfemale":   {Language: "hu", Gender: Female},
	"jpjapanesefemale":    {Language: "ja", Gender: Female},
	"jpjapanesemale":      {Language: "ja", Gender: Male},
	"krkoreanfemale":      {Language: "ko", Gender: Female},
	"krkoreanmale":        {Language: "ko", Gender: Male},
	"ruinternalfemale":    {Language: "ru", Gender: Female},
	"ruinternalmale":      {Language: "ru", Gender: Male},
	"swswedishfemale":     {Language: "sv", Gender: Female},
	"twchinesefemale":     {Language: "cmn", Gender: Female},
	"ukenglishfemale":     {Language: "en-gb", Gender: Female},
	"ukenglishmale":       {Language: "en-gb", Gender: Male},
	"usenglishfemale":     {Language: "en-us", Gender: Female},
	"usenglishmale":       {Language: "en-us", Gender: Male},
	"usspanishfemale":     {Language: "es-419", Gender: Female},
	"usspanishmale":       {Language: "es-419", Gender: Male},
}

// languageNames finds the language of an unknown id by the language's
// English name inside it ("usgermanmale" → German).
var languageNames = []struct{ name, lang string }{
	{"english", "en-us"}, {"german", "de"}, {"french", "fr-fr"},
	{"spanish", "es"}, {"italian", "it"}, {"portuguese", "pt"},
	{"russian", "ru"}, {"ukrainian", "uk"}, {"polish", "pl"},
	{"turkish", "tr"}, {"japanese", "ja"}, {"korean", "ko"},
	{"chinese", "cmn"}, {"cantonese", "yue"}, {"mandarin", "cmn"},
	{"dutch", "nl"}, {"czech", "cs"}, {"danish", "da"}, {"finnish", "fi"},
	{"norwegian", "nb"}, {"swedish", "sv"}, {"hungarian", "hu"},
	{"catalan", "ca"}, {"greek", "el"}, {"romanian", "ro"},
	{"bulgarian", "bg"}, {"slovak", "sk"}, {"croatian", "hr"},
	{"serbian", "sr"}, {"vietnamese", "vi"}, {"arabic", "ar"},
	{"hebrew", "he"}, {"hindi", "hi"}, {"thai", "th"},
	{"indonesian", "id"}, {"kazakh", "kk"},
}

// prefixes finds the language of an unknown id by its first letters: the
// region codes Bitrix24 uses in its ids (us, uk, au, br, hk, tw, jp, kr,
// sw = Sweden, ca = Canada) and portal language codes (de, fr, la = Latin
// America, ua = Ukraine, …): the first two letters of the id.
var prefixes = map[string]string{
	"us": "en-us", "en": "en-us", "ca": "en-us", "uk": "en-gb", "gb": "en-gb",
	"au": "en-gb", "ie": "en-gb", "de": "de", "at": "de", "fr": "fr-fr",
	"be": "fr-be", "es": "es", "la": "es-419", "mx": "es-419", "it": "it",
	"pt": "pt", "br": "pt-br", "ru": "ru", "by": "ru", "ua": "uk",
	"pl": "pl", "tr": "tr", "jp": "ja", "ja": "ja", "kr": "ko",
	"ko": "ko", "ch": "cmn", "cn": "cmn", "zh": "cmn", "sc": "cmn",
	"tc": "cmn", "tw": "cmn", "hk": "yue", "nl": "nl", "cs": "cs",
	"cz": "cs", "da": "da", "dk": "da", "fi": "fi", "no": "nb",
	"nb": "nb", "sw": "sv", "se": "sv", "sv": "sv", "hu": "hu",
	"vn": "vi", "vi": "vi", "id": "id", "kz": "kk", "ro": "ro",
	"gr": "el", "el": "el", "il": "he", "he": "he", "th": "th",
}

// regional refines a language found by name with the id's region code.
var regional = map[string]string{
	"en-us/uk": "en-gb", "en-us/gb": "en-gb", "en-us/au": "en-gb",
	"en-us/eur": "en-gb", "en-us/ie": "en-gb",
	"es/us": "es-419", "es/la": "es-419", "es/mx": "es-419",
	"pt/br": "pt-br", "cmn/hk": "yue",
}

// VoiceFor returns the voice for a Bitrix24 voice id (the VOICE field of
// ONEXTERNALCALLBACKSTART). Ids of docs/bitrix24.md §7.2 map as listed; other ids
// are read as <language or region><anything><female|male>, so
// "deinternalfemale" is German female, "usinternalmale" English male and
// "internalfemale" DefaultLanguage female; an empty or unreadable id gets
// DefaultVoiceID. The result's ID is the id asked for, lower-cased, or
// DefaultVoiceID when it was empty or unreadable.
func VoiceFor(id string) Voice {
	id = strings.ToLower(strings.TrimSpace(id))
	if v, ok := voices[id]; ok {
		v.ID = id
		return v
	}
	def := voices[DefaultVoiceID]
	def.ID = DefaultVoiceID
	if id == "" || len(id) > 64 {
		return def
	}
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return def
		}
	}
	v := Voice{ID: id, Language: DefaultLanguage, Gender: Male}
	stem := id
	switch {
	case strings.HasSuffix(stem, "female"):
		v.Gender, stem = Female, strings.TrimSuffix(stem, "female")
	case strings.HasSuffix(stem, "male"):
		stem = strings.TrimSuffix(stem, "male")
	}
	region := ""
	if strings.HasPrefix(stem, "eur") {
		region = "eur"
	} else if len(stem) >= 2 {
		region = stem[:2]
	}
	for _, n := range languageNames {
		if strings.Contains(stem, n.name) {
			v.Language = n.lang
			if l, ok := regional[n.lang+"/"+region]; ok {
				v.Language = l
			}
			return v
		}
	}
	if l, ok := prefixes[region]; ok {
		v.Language = l
	}
	return v
}

// VoiceIDs returns the 42 voice ids Bitrix24 knows (docs/bitrix24.md §7.2), sorted.
func VoiceIDs() []string {
	ids := make([]string, 0, len(voices))
	for id := range voices {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// docVoiceIDs are voice ids that appear only in Bitrix24's documentation
// (docs/bitrix24.md §7.2): VoiceFor reads them by their letters.
var docVoiceIDs = []string{"deinternalfemale", "internalfemale", "usinternalfemale", "usinternalmale"}

// DocVoiceIDs returns the voice ids of Bitrix24's documentation that are
// not in its voice list (deinternalfemale, …), sorted.
func DocVoiceIDs() []string {
	return append([]string(nil), docVoiceIDs...)
}

// KnownVoice reports whether id (any case) is one of VoiceIDs or
// DocVoiceIDs.
func KnownVoice(id string) bool {
	id = strings.ToLower(strings.TrimSpace(id))
	if _, ok := voices[id]; ok {
		return true
	}
	for _, d := range docVoiceIDs {
		if d == id {
			return true
		}
	}
	return false
}
