package speech

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeInstall returns an Auto whose RHVoice and Pico find the catalog's
// voices (those for which keep is true) in temporary directories, with
// an existing program ("true") standing in for the engines' programs:
// the choice depends only on what is installed and allowed.
func fakeInstall(t *testing.T, keep func(natural) bool) *Auto {
	t.Helper()
	rdir, pdir := t.TempDir(), t.TempDir()
	for _, n := range catalog {
		if !keep(n) {
			continue
		}
		switch n.engine {
		case EngineRHVoice:
			if err := os.MkdirAll(filepath.Join(rdir, n.name), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(rdir, n.name, "voice.info"), []byte("name="+n.name), 0o644); err != nil {
				t.Fatal(err)
			}
		case EnginePico:
			if err := os.WriteFile(filepath.Join(pdir, n.name+"_ta.bin"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return &Auto{RHVoice: &RHVoice{Path: "true", Dir: rdir}, Pico: &Pico{Path: "true", Dir: pdir}}
}

func all(natural) bool { return true }

// allIDs are the voice ids of voximplant.tts.voices.get and those of the
// documentation only.
func allIDs() []string { return append(VoiceIDs(), DocVoiceIDs()...) }

// TestVoiceTableEveryID: every voice id maps to an engine and a voice;
// a natural voice speaks the id's language, has a licence, and is a
// non-commercial one only when allowed; espeak-ng gets the id's language.
func TestVoiceTableEveryID(t *testing.T) {
	if n := len(VoiceIDs()); n != 42 {
		t.Fatalf("%d voice ids, Bitrix24 lists 42", n)
	}
	for _, nc := range []bool{false, true} {
		a := fakeInstall(t, all)
		a.AllowNonCommercial = nc
		for _, id := range allIDs() {
			v := VoiceFor(id)
			c := a.Choose(v)
			switch {
			case c.Voice != v || c.Engine == "" || c.Name == "":
				t.Errorf("%s: incomplete choice %+v", id, c)
			case c.Natural && c.License == "":
				t.Errorf("%s: natural voice %s without a licence", id, c.Name)
			case c.Natural && !nc && strings.Contains(c.License, "-NC-"):
				t.Errorf("%s: %s (%s) used without speech.allow_noncommercial", id, c.Name, c.License)
			case !c.Natural && (c.Engine != EngineEspeak || !strings.HasPrefix(c.Name, v.Language)):
				t.Errorf("%s: fallback %s %q, want espeak-ng -v %s…", id, c.Engine, c.Name, v.Language)
			}
			if c.Natural {
				n, _ := pick(v, nc, func(i int) bool { return catalog[i].name == c.Name })
				if !n.speaks(v.Language) {
					t.Errorf("%s (%s): %s does not speak it", id, v.Language, c.Name)
				}
			}
		}
	}
}

// TestVoiceTableChoices pins the rule on the ids the portals use most.
func TestVoiceTableChoices(t *testing.T) {
	cases := []struct {
		id, engine, name string
		gender           Gender
		nc               bool // with speech.allow_noncommercial
	}{
		{"ruinternalfemale", EngineRHVoice, "elena", Female, false},
		{"ruinternalmale", EngineRHVoice, "aleksandr-hq", Male, false},
		{"usenglishfemale", EngineRHVoice, "slt", Female, false},
		{"usenglishmale", EngineRHVoice, "bdl", Male, false},
		{"ukenglishmale", EngineRHVoice, "alan", Male, false},
		{"ukenglishfemale", EnginePico, "en-GB", Female, false},
		{"auenglishfemale", EnginePico, "en-GB", Female, false},
		{"eurgermanfemale", EnginePico, "de-DE", Female, false},
		{"deinternalfemale", EnginePico, "de-DE", Female, false},
		{"eurgermanmale", EnginePico, "de-DE", Female, false}, // Pico has no male voice: natural beats the gender
		{"eurfrenchmale", EnginePico, "fr-FR", Female, false},
		{"cafrenchfemale", EnginePico, "fr-FR", Female, false},
		{"eurspanishfemale", EnginePico, "es-ES", Female, false},
		{"usspanishmale", EnginePico, "es-ES", Female, false},
		{"euritalianfemale", EnginePico, "it-IT", Female, false},
		{"brportuguesefemale", EngineRHVoice, "Leticia-F123", Female, false},
		{"eurportuguesemale", EngineRHVoice, "Leticia-F123", Female, false},
		{"eurpolishfemale", EngineEspeak, "pl+f3", Female, false}, // both Polish voices are CC BY-NC-ND
		{"eurpolishfemale", EngineRHVoice, "magda", Female, true},
		{"ruinternalmale", EngineRHVoice, "aleksandr-hq", Male, true}, // allowed NC voices do not displace the preferred
		{"eurturkishmale", EngineEspeak, "tr", Male, false},
		{"jpjapanesefemale", EngineEspeak, "ja+f3", Female, false},
		{"usinternalfemale", EngineRHVoice, "slt", Female, false},
		{"internalfemale", EngineRHVoice, "slt", Female, false},
	}
	a := fakeInstall(t, all)
	for _, c := range cases {
		a.AllowNonCommercial = c.nc
		got := a.Choose(VoiceFor(c.id))
		if got.Engine != c.engine || got.Name != c.name || got.Gender != c.gender {
			t.Errorf("%s (nc %v): %s %s %s, want %s %s %s", c.id, c.nc, got.Engine, got.Name, got.Gender, c.engine, c.name, c.gender)
		}
	}
	a.AllowNonCommercial = false
	if got := a.Choose(VoiceFor("eurpolishfemale")); got.NonCommercial != "magda (CC-BY-NC-ND-4.0)" {
		t.Errorf("Polish without speech.allow_noncommercial: NonCommercial %q, want the voice left unused named", got.NonCommercial)
	}
}

// TestVoiceTableMissingEngines: with nothing installed every id falls
// back to espeak-ng, and the choice names the Debian packages that would
// give its language a natural voice.
func TestVoiceTableMissingEngines(t *testing.T) {
	a := fakeInstall(t, func(natural) bool { return false })
	want := map[string]string{
		"ruinternalfemale":   "rhvoice rhvoice-russian",
		"usenglishmale":      "rhvoice rhvoice-english",
		"eurgermanfemale":    PicoPackage,
		"euritalianmale":     PicoPackage,
		"brportuguesefemale": "rhvoice rhvoice-brazilian-portuguese",
		"eurpolishfemale":    "", // no commercial-use voice to install
		"eurturkishfemale":   "",
	}
	for id, pkg := range want {
		c := a.Choose(VoiceFor(id))
		if c.Natural || c.Engine != EngineEspeak || c.Install != pkg {
			t.Errorf("%s: %s natural=%v install %q, want espeak-ng and %q", id, c.Engine, c.Natural, c.Install, pkg)
		}
	}
	// Only Russian's RHVoice installed: Ukrainian still falls back, and says what to add.
	a = fakeInstall(t, func(n natural) bool { return n.pkg == "rhvoice-russian" })
	if c := a.Choose(VoiceFor("ruinternalfemale")); c.Name != "elena" {
		t.Errorf("Russian with rhvoice-russian: %+v", c)
	}
	if c := a.Choose(Voice{ID: "x", Language: "uk", Gender: Female}); c.Natural || c.Install != "rhvoice rhvoice-ukrainian" {
		t.Errorf("Ukrainian without rhvoice-ukrainian: %+v", c)
	}
}

// TestAutoKeyFollowsInstallation: installing a voice or allowing the
// non-commercial ones changes the cache key, so no stale audio is served.
func TestAutoKeyFollowsInstallation(t *testing.T) {
	none := fakeInstall(t, func(natural) bool { return false })
	some := fakeInstall(t, func(n natural) bool { return n.name == "elena" })
	some.RHVoice.Path, some.Pico.Path = none.RHVoice.Path, none.Pico.Path
	k1, k2 := none.Key(), some.Key()
	some.AllowNonCommercial = true
	if k3 := some.Key(); k1 == k2 || k2 == k3 {
		t.Errorf("keys %s, %s, %s: must differ", k1, k2, k3)
	}
}
