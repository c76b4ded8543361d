package speech

import (
	"strings"
	"unicode"
)

// The text's own language wins over the voice's when it clearly differs:
// a Ukrainian portal's forms send ruinternalfemale (Bitrix24's default for
// ua) with Ukrainian text, and a Russian voice cannot read Latin script.
// Detection is cheap and offline: the script, then letters only one
// language uses, then its most frequent short words.

// cue is what marks a language in text written in its script.
type cue struct {
	lang    string // VoiceFor's language name
	letters string // letters (lower case) only this language (of the set) uses
	words   []string
}

var cyrillicCues = []cue{
	{"uk", "іїєґ", []string{"що", "це", "та", "як", "ви", "будь", "ласка", "дзвінок", "клієнт", "замовлення", "зателефонувати", "його", "він", "вона", "щодо", "на", "у", "з"}},
	{"ru", "ыэъё", []string{"что", "это", "и", "как", "вы", "пожалуйста", "звонок", "клиент", "заказ", "перезвонить", "его", "он", "она", "по", "на", "в", "с"}},
}

var latinCues = []cue{
	{"en", "", []string{"the", "and", "is", "to", "of", "you", "please", "call", "with", "for", "this", "about", "back", "wants", "client", "customer", "order"}},
	{"de", "äß", []string{"der", "die", "das", "und", "ist", "nicht", "bitte", "mit", "für", "ein", "eine", "zu", "sie", "ich", "auf", "um", "kunde", "rückruf"}},
	{"fr", "èêœùîë", []string{"le", "les", "et", "est", "une", "des", "pour", "vous", "avec", "du", "au", "sur", "merci", "rappeler", "client", "commande"}},
	{"es", "ñ¿¡", []string{"el", "los", "las", "y", "es", "una", "por", "para", "con", "del", "que", "usted", "favor", "llamar", "cliente", "pedido"}},
	{"it", "ìò", []string{"il", "lo", "gli", "e", "è", "una", "per", "con", "che", "di", "non", "sono", "richiamare", "cliente", "ordine"}},
	{"pt", "ãõ", []string{"o", "os", "as", "e", "é", "um", "uma", "para", "com", "do", "da", "que", "não", "você", "ligar", "cliente", "pedido"}},
	{"pl", "ąćęłńśźż", []string{"i", "w", "z", "na", "się", "nie", "jest", "do", "że", "proszę", "pan", "pani", "klient", "zamówienie", "oddzwonić"}},
	{"tr", "ğış", []string{"ve", "bir", "bu", "için", "ile", "lütfen", "değil", "müşteri", "sipariş", "aramak"}},
	{"nl", "", []string{"de", "het", "een", "en", "van", "niet", "met", "voor", "klant", "bestelling", "terugbellen"}},
}

// cyrillicLangs are the voice languages written in Cyrillic.
var cyrillicLangs = map[string]bool{"ru": true, "uk": true, "bg": true, "sr": true, "kk": true, "be": true, "mk": true}

// base returns the language without its region: "en-us" → "en".
func base(lang string) string {
	b, _, _ := strings.Cut(lang, "-")
	return b
}

// VoiceForText returns the voice for a Bitrix24 voice id (see VoiceFor),
// with the text's language instead of the voice's when the text is
// clearly in another one (see TextLanguage). The gender stays.
func VoiceForText(id, text string) Voice {
	v := VoiceFor(id)
	v.Language = TextLanguage(text, v.Language)
	return v
}

// TextLanguage returns the language text is written in, as VoiceFor
// names languages, when it clearly differs from voice (the voice's
// language): text in another script than the voice's (Latin text for a
// Russian voice), or in the same script with clear marks of another
// language (і, ї, є, ґ and Ukrainian words for a Russian voice). Else it
// returns voice. A regional voice keeps its region ("en-gb" stays for
// English text).
func TextLanguage(text, voice string) string {
	cyr, lat := 0, 0
	for _, r := range text {
		switch {
		case unicode.Is(unicode.Cyrillic, r):
			cyr++
		case unicode.Is(unicode.Latin, r):
			lat++
		}
	}
	if cyr+lat < 3 {
		return voice
	}
	cyrText := cyr > 2*lat
	if !cyrText && lat <= 2*cyr {
		return voice // mixed scripts: not clear
	}
	cues := latinCues
	if cyrText {
		cues = cyrillicCues
	}
	scores := score(text, cues)
	best, bestScore := "", 0
	for _, c := range cues {
		if scores[c.lang] > bestScore {
			best, bestScore = c.lang, scores[c.lang]
		}
	}
	switch {
	case cyrText != cyrillicLangs[base(voice)]: // the voice cannot read the script
		if best == "" && cyrText {
			best = "ru"
		} else if best == "" {
			best = "en"
		}
	case best == "" || best == base(voice) || bestScore < 2 || bestScore < 2*scores[base(voice)]+1:
		return voice
	}
	return withRegion(best, voice)
}

// score counts each language's marks in text: 3 for each letter only it
// uses, 1 for each of its frequent words.
func score(text string, cues []cue) map[string]int {
	s := map[string]int{}
	lower := strings.ToLower(text)
	for _, c := range cues {
		for _, r := range lower {
			if strings.ContainsRune(c.letters, r) {
				s[c.lang] += 3
			}
		}
	}
	words := strings.FieldsFunc(lower, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '’' })
	for _, c := range cues {
		for _, w := range words {
			for _, cw := range c.words {
				if w == cw {
					s[c.lang]++
				}
			}
		}
	}
	return s
}

// withRegion returns VoiceFor's name of language lang, keeping the region
// of voice when it is of the same language.
func withRegion(lang, voice string) string {
	if base(voice) == lang {
		return voice
	}
	switch lang {
	case "en":
		return "en-us"
	case "fr":
		return "fr-fr"
	}
	return lang
}
