package speech_test

import (
	"bufio"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/callbackline/callbackline/speech"
	"github.com/callbackline/callbackline/speech/speechtest"
)

type voiceCase struct{ id, name, gender string }

func readVoiceCases(t *testing.T) []voiceCase {
	t.Helper()
	f, err := os.Open("testdata/voices.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cs []voiceCase
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "#") || strings.TrimSpace(l) == "" {
			continue
		}
		f := strings.Fields(l)
		cs = append(cs, voiceCase{f[0], f[1], f[2]})
	}
	return cs
}

func TestVoiceIDsAreBitrix24s(t *testing.T) {
	var want []string
	for _, c := range readVoiceCases(t) {
		want = append(want, c.id)
	}
	got := speech.VoiceIDs()
	if len(got) != 42 || !slices.Equal(got, want) {
		t.Fatalf("VoiceIDs() = %v (%d)\nwant %v", got, len(got), want)
	}
}

// TestEveryVoiceMapsToEspeak checks each of the 42 ids against espeak-ng
// itself: the language exists (not only through MBROLA), espeak-ng's name
// for it is the id's language, and the gender is the id's.
func TestEveryVoiceMapsToEspeak(t *testing.T) {
	speechtest.NeedEspeak(t)
	langs, err := speechtest.Espeak().Languages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range readVoiceCases(t) {
		v := speech.VoiceFor(c.id)
		name, ok := langs[v.Language]
		switch {
		case v.ID != c.id:
			t.Errorf("%s: ID %q", c.id, v.ID)
		case !ok:
			t.Errorf("%s: language %q is not an espeak-ng voice", c.id, v.Language)
		case !strings.Contains(name, c.name):
			t.Errorf("%s: language %q is espeak-ng's %q, want %s", c.id, v.Language, name, c.name)
		}
		if v.Gender.String() != c.gender {
			t.Errorf("%s: gender %v, want %s", c.id, v.Gender, c.gender)
		}
	}
}

func TestVoiceFallback(t *testing.T) {
	cases := []struct {
		id, lang string
		gender   speech.Gender
		outID    string
	}{
		{"deinternalfemale", "de", speech.Female, "deinternalfemale"}, // the docs' example (docs/bitrix24.md §6.1)
		{"deinternalmale", "de", speech.Male, "deinternalmale"},
		{"usinternalmale", "en-us", speech.Male, "usinternalmale"}, // the EN docs' list
		{"usinternalfemale", "en-us", speech.Female, "usinternalfemale"},
		{"internalfemale", speech.DefaultLanguage, speech.Female, "internalfemale"},
		{"frinternalfemale", "fr-fr", speech.Female, "frinternalfemale"},
		{"uainternalfemale", "uk", speech.Female, "uainternalfemale"},
		{"ukinternalmale", "en-gb", speech.Male, "ukinternalmale"},
		{"eurenglishfemale", "en-gb", speech.Female, "eurenglishfemale"},
		{"brinternalmale", "pt-br", speech.Male, "brinternalmale"},
		{"usgermanmale", "de", speech.Male, "usgermanmale"},
		{"laspanishmale", "es-419", speech.Male, "laspanishmale"},
		{"  EurGermanFemale ", "de", speech.Female, "eurgermanfemale"},
		{"", "en-us", speech.Male, "usenglishmale"},
		{"xx", speech.DefaultLanguage, speech.Male, "xx"},
		{"../../etc/passwd", "en-us", speech.Male, "usenglishmale"},
		{"de+f3 -v", "en-us", speech.Male, "usenglishmale"},
		{strings.Repeat("de", 40) + "female", "en-us", speech.Male, "usenglishmale"},
	}
	for _, c := range cases {
		v := speech.VoiceFor(c.id)
		if v.Language != c.lang || v.Gender != c.gender || v.ID != c.outID {
			t.Errorf("VoiceFor(%q) = %+v, want %s %v %s", c.id, v, c.lang, c.gender, c.outID)
		}
	}
}

// TestBitrixDefaultVoices checks the default voice of each portal
// language (docs/bitrix24.md §7.2) speaks that language.
func TestBitrixDefaultVoices(t *testing.T) {
	for id, lang := range map[string]string{
		"ruinternalfemale": "ru", "usenglishmale": "en-us", "eurgermanfemale": "de",
		"eurspanishfemale": "es", "brportuguesefemale": "pt-br", "eurfrenchfemale": "fr-fr",
		"chchinesefemale": "cmn", "eurpolishfemale": "pl", "euritalianfemale": "it",
		"eurturkishfemale": "tr", "jpjapanesefemale": "ja",
	} {
		if v := speech.VoiceFor(id); v.Language != lang {
			t.Errorf("%s: %q, want %q", id, v.Language, lang)
		}
	}
}
