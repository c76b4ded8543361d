package speech

// The natural voices callbackline knows, from Debian packages, with the
// licence of each voice's data as its package's copyright file
// (/usr/share/doc/<package>/copyright) and the voice's own README state it
// (docs/speech.md lists them). Within a language, the order is the order
// of preference.

// Engine names of the voices.
const (
	EngineRHVoice = "rhvoice"   // RHVoice-test, Debian package rhvoice
	EnginePico    = "pico"      // pico2wave, Debian package libttspico-utils
	EngineEspeak  = "espeak-ng" // espeak-ng, the fallback for every language
)

// Debian packages of the engines.
const (
	RHVoicePackage = "rhvoice"
	PicoPackage    = "libttspico-utils"
)

// natural is one voice of a natural-sounding engine.
type natural struct {
	engine  string   // EngineRHVoice or EnginePico
	name    string   // RHVoice profile, or pico2wave language
	langs   []string // the languages (VoiceFor's names) it speaks
	gender  Gender
	license string // SPDX-like name of the voice data's licence
	nc      bool   // the licence forbids commercial use
	pkg     string // Debian package with the voice data
}

// catalog lists the natural voices in order of preference. RHVoice's
// voices of Artem Plaksin's newer set and the Polish ones are CC BY-NC-ND
// 4.0 (no commercial use); the older voices are LGPL-2.1+ like the
// program, aleksandr-hq and Leticia-F123 CC BY-SA 4.0, marianna and
// volodymyr CC BY-ND 4.0 (commercial use allowed, no adaptations of the
// voice). SVOX Pico's language data is Apache-2.0.
var catalog = []natural{
	// Russian
	{EngineRHVoice, "elena", []string{"ru"}, Female, "LGPL-2.1+", false, "rhvoice-russian"},
	{EngineRHVoice, "anna", []string{"ru"}, Female, "LGPL-2.1+", false, "rhvoice-russian"},
	{EngineRHVoice, "irina", []string{"ru"}, Female, "LGPL-2.1+", false, "rhvoice-russian"},
	{EngineRHVoice, "aleksandr-hq", []string{"ru"}, Male, "CC-BY-SA-4.0", false, "rhvoice-russian"},
	{EngineRHVoice, "aleksandr", []string{"ru"}, Male, "LGPL-2.1+", false, "rhvoice-russian"},
	{EngineRHVoice, "tatiana", []string{"ru"}, Female, "CC-BY-NC-ND-4.0", true, "rhvoice-russian"},
	{EngineRHVoice, "victoria", []string{"ru"}, Female, "CC-BY-NC-ND-4.0", true, "rhvoice-russian"},
	{EngineRHVoice, "arina", []string{"ru"}, Female, "CC-BY-NC-ND-4.0", true, "rhvoice-russian"},
	{EngineRHVoice, "mikhail", []string{"ru"}, Male, "CC-BY-NC-ND-4.0", true, "rhvoice-russian"},
	{EngineRHVoice, "yuriy", []string{"ru"}, Male, "CC-BY-NC-ND-4.0", true, "rhvoice-russian"},
	{EngineRHVoice, "pavel", []string{"ru"}, Male, "CC-BY-NC-ND-4.0", true, "rhvoice-russian"},
	{EngineRHVoice, "artemiy", []string{"ru"}, Male, "CC-BY-NC-ND-4.0", true, "rhvoice-russian"},
	{EngineRHVoice, "vitaliy", []string{"ru"}, Male, "CC-BY-NC-ND-4.0", true, "rhvoice-russian"},
	{EngineRHVoice, "evgeniy-rus", []string{"ru"}, Male, "CC-BY-NC-ND-4.0", true, "rhvoice-russian"},
	// Ukrainian
	{EngineRHVoice, "marianna", []string{"uk"}, Female, "CC-BY-ND-4.0", false, "rhvoice-ukrainian"},
	{EngineRHVoice, "natalia", []string{"uk"}, Female, "LGPL-2.1+", false, "rhvoice-ukrainian"},
	{EngineRHVoice, "volodymyr", []string{"uk"}, Male, "CC-BY-ND-4.0", false, "rhvoice-ukrainian"},
	{EngineRHVoice, "anatol", []string{"uk"}, Male, "LGPL-2.1+", false, "rhvoice-ukrainian"},
	// English
	{EngineRHVoice, "slt", []string{"en-us"}, Female, "LGPL-2.1+", false, "rhvoice-english"},
	{EngineRHVoice, "clb", []string{"en-us"}, Female, "LGPL-2.1+", false, "rhvoice-english"},
	{EngineRHVoice, "bdl", []string{"en-us"}, Male, "LGPL-2.1+", false, "rhvoice-english"},
	{EngineRHVoice, "alan", []string{"en-gb", "en-us"}, Male, "LGPL-2.1+", false, "rhvoice-english"},
	{EnginePico, "en-GB", []string{"en-gb"}, Female, "Apache-2.0", false, PicoPackage},
	{EnginePico, "en-US", []string{"en-us", "en-gb"}, Female, "Apache-2.0", false, PicoPackage},
	{EngineRHVoice, "lyubov", []string{"en-us", "en-gb"}, Female, "CC-BY-NC-ND-4.0", true, "rhvoice-english"},
	{EngineRHVoice, "evgeniy-eng", []string{"en-us", "en-gb"}, Male, "CC-BY-NC-ND-4.0", true, "rhvoice-english"},
	// German, French, Spanish, Italian: SVOX Pico has one female voice each.
	{EnginePico, "de-DE", []string{"de"}, Female, "Apache-2.0", false, PicoPackage},
	{EnginePico, "fr-FR", []string{"fr-fr", "fr-be"}, Female, "Apache-2.0", false, PicoPackage},
	{EnginePico, "es-ES", []string{"es", "es-419"}, Female, "Apache-2.0", false, PicoPackage},
	{EnginePico, "it-IT", []string{"it"}, Female, "Apache-2.0", false, PicoPackage},
	// Polish: both RHVoice voices are non-commercial.
	{EngineRHVoice, "magda", []string{"pl"}, Female, "CC-BY-NC-ND-4.0", true, "rhvoice-polish"},
	{EngineRHVoice, "natan", []string{"pl"}, Male, "CC-BY-NC-ND-4.0", true, "rhvoice-polish"},
	// Portuguese: a Brazilian voice, also for European Portuguese (its
	// accent is Brazilian, still far clearer than espeak-ng's).
	{EngineRHVoice, "Leticia-F123", []string{"pt-br", "pt"}, Female, "CC-BY-SA-4.0", false, "rhvoice-brazilian-portuguese"},
}

// speaks reports whether n speaks lang.
func (n natural) speaks(lang string) bool {
	for _, l := range n.langs {
		if l == lang {
			return true
		}
	}
	return false
}

// packages returns the Debian packages n needs: the engine's and the
// voice's.
func (n natural) packages() string {
	if n.engine == EngineRHVoice {
		return RHVoicePackage + " " + n.pkg
	}
	return n.pkg
}

// PackagesOf returns the Debian packages that bring a natural voice of
// the engine (EngineRHVoice or EnginePico): the engine's and the voice
// data's, "" for a voice not in the catalog.
func PackagesOf(engine, voice string) string {
	for _, n := range catalog {
		if n.engine == engine && n.name == voice {
			return n.packages()
		}
	}
	return ""
}
