package speech_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/callbackline/callbackline/speech"
)

// FuzzNormalize: the form's TEXT is outside input. Normalize never
// panics, keeps valid UTF-8 valid, leaves text without digits alone and
// grows a text by a bounded factor (a digit becomes at most a few words).
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"+7 916 123-45-67 в 14:30, 05.12.2026", "2026-03-11 9:00 030 1234567", "12/24/2026", "1 000 000", "((((--))))", "+", "0000000000000000"} {
		f.Add(s, "ru")
		f.Add(s, "en-us")
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		out := speech.Normalize(text, lang)
		if utf8.ValidString(text) && !utf8.ValidString(out) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", text, out)
		}
		if !strings.ContainsAny(text, "0123456789") && out != text {
			t.Fatalf("Normalize(%q) = %q: changed a text without digits", text, out)
		}
		if len(out) > 8*len(text)+64 {
			t.Fatalf("Normalize grew %d bytes to %d", len(text), len(out))
		}
	})
}

// FuzzTextLanguage: TextLanguage never panics and returns the voice's
// language or one it detects, never an empty one.
func FuzzTextLanguage(f *testing.F) {
	for _, s := range []string{"Клієнт просить передзвонити", "Der Kunde bittet um Rückruf", "iPhone 15 заказ", "ąćęłńśźż ğış ñ"} {
		f.Add(s, "ru")
		f.Add(s, "de")
	}
	f.Fuzz(func(t *testing.T, text, voice string) {
		if voice == "" {
			return
		}
		got := speech.TextLanguage(text, voice)
		if got == "" {
			t.Fatalf("TextLanguage(%q, %q) is empty", text, voice)
		}
	})
}
