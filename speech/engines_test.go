package speech_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/callbackline/callbackline/speech"
	"github.com/callbackline/callbackline/speech/speechtest"
)

// phrases are a callback text per language.
var phrases = map[string]string{
	"ru":    "Клиент оставил заявку на сайте и просит перезвонить.",
	"uk":    "Клієнт залишив заявку на сайті і просить передзвонити.",
	"en-us": "The client left a request on the website and asks for a call back.",
	"en-gb": "The client left a request on the website and asks for a call back.",
	"de":    "Der Kunde hat auf der Website eine Anfrage hinterlassen und bittet um Rückruf.",
	"fr-fr": "Le client a laissé une demande sur le site et souhaite être rappelé.",
	"es":    "El cliente dejó una solicitud en el sitio web y pide que le llamen.",
	"it":    "Il cliente ha lasciato una richiesta sul sito e chiede di essere richiamato.",
	"pl":    "Klient zostawił zgłoszenie na stronie i prosi o oddzwonienie.",
	"pt-br": "O cliente deixou um pedido no site e pede para ligar de volta.",
}

// assertSentence checks that a is audible speech of a sentence at 8 kHz.
func assertSentence(t *testing.T, what string, a *speech.Audio) {
	t.Helper()
	if a.Rate != speech.Rate || a.Duration() < time.Second || a.Duration() > 20*time.Second || a.RMS() < 0.01 {
		t.Errorf("%s: %v at %d Hz, RMS %.4f: want a sentence of audible speech at %d Hz", what, a.Duration(), a.Rate, a.RMS(), speech.Rate)
	}
}

// TestRHVoiceSpeaks: each language's RHVoice voices (a female and a male
// one where there are, the non-commercial Polish ones too) speak at 8 kHz.
func TestRHVoiceSpeaks(t *testing.T) {
	for _, c := range []struct{ voice, lang string }{
		{"elena", "ru"}, {"aleksandr-hq", "ru"}, {"marianna", "uk"}, {"volodymyr", "uk"},
		{"slt", "en-us"}, {"bdl", "en-us"}, {"alan", "en-gb"}, {"Leticia-F123", "pt-br"}, {"magda", "pl"},
	} {
		t.Run(c.voice, func(t *testing.T) {
			speechtest.NeedRHVoice(t, c.voice)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			r := &speech.RHVoice{Timeout: time.Minute}
			a, err := r.Speak(ctx, phrases[c.lang], c.voice)
			if err != nil {
				t.Fatal(err)
			}
			if a.Rate < 16000 {
				t.Errorf("RHVoice's own rate %d, want its 16 or 24 kHz", a.Rate)
			}
			assertSentence(t, c.voice, a.Resample(speech.Rate))
		})
	}
}

// TestPicoSpeaks: each of SVOX Pico's languages speaks at 8 kHz.
func TestPicoSpeaks(t *testing.T) {
	for _, c := range []struct{ pico, lang string }{
		{"de-DE", "de"}, {"fr-FR", "fr-fr"}, {"es-ES", "es"}, {"it-IT", "it"}, {"en-US", "en-us"}, {"en-GB", "en-gb"},
	} {
		t.Run(c.pico, func(t *testing.T) {
			speechtest.NeedPico(t, c.pico)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			p := &speech.Pico{Timeout: time.Minute}
			a, err := p.Synthesize(ctx, phrases[c.lang], speech.Voice{ID: "x", Language: c.lang, Gender: speech.Female})
			if err != nil {
				t.Fatal(err)
			}
			assertSentence(t, c.pico, a)
		})
	}
}

// TestAutoSpeaksEveryLanguage: the Auto engine speaks each language's
// Bitrix24 voice at 8 kHz with the engine its table names.
func TestAutoSpeaksEveryLanguage(t *testing.T) {
	speechtest.NeedEspeak(t)
	a := &speech.Auto{RHVoice: &speech.RHVoice{Timeout: time.Minute}, Pico: &speech.Pico{Timeout: time.Minute}}
	for _, c := range []struct{ id, lang string }{
		{"ruinternalfemale", "ru"}, {"eurgermanfemale", "de"}, {"usenglishmale", "en-us"}, {"eurpolishfemale", "pl"},
		{"eurfrenchfemale", "fr-fr"}, {"eurspanishmale", "es"}, {"euritalianfemale", "it"}, {"brportuguesefemale", "pt-br"},
	} {
		ch := a.Choose(speech.VoiceFor(c.id))
		t.Logf("%s: %s %s (natural %v, install %q)", c.id, ch.Engine, ch.Name, ch.Natural, ch.Install)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		au, err := a.Synthesize(ctx, phrases[c.lang], speech.VoiceFor(c.id))
		cancel()
		if err != nil {
			t.Errorf("%s: %v", c.id, err)
			continue
		}
		assertSentence(t, c.id, au)
	}
}

// TestAutoFallsBackToEspeak: a language whose natural engine is missing
// is spoken by espeak-ng, and the choice says which packages to install;
// a natural voice whose program fails is replaced by espeak-ng too.
func TestAutoFallsBackToEspeak(t *testing.T) {
	speechtest.NeedEspeak(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	missing := &speech.Auto{RHVoice: &speech.RHVoice{Path: "/nonexistent/RHVoice-test"}, Pico: &speech.Pico{Path: "/nonexistent/pico2wave"}}
	for id, pkg := range map[string]string{"ruinternalfemale": "rhvoice rhvoice-russian", "eurgermanfemale": speech.PicoPackage} {
		c := missing.Choose(speech.VoiceFor(id))
		if c.Natural || c.Engine != speech.EngineEspeak || c.Install != pkg {
			t.Errorf("%s without its engine: %+v, want espeak-ng and install %q", id, c, pkg)
		}
		a, err := missing.Synthesize(ctx, phrases[speech.VoiceFor(id).Language], speech.VoiceFor(id))
		if err != nil {
			t.Fatal(err)
		}
		assertSentence(t, id+" by espeak-ng", a)
	}
	// RHVoice's voice is installed but its program fails.
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "elena"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "elena", "voice.info"), []byte("name=Elena"), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := &speech.Auto{RHVoice: &speech.RHVoice{Path: "false", Dir: dir}}
	if c := broken.Choose(speech.VoiceFor("ruinternalfemale")); c.Engine != speech.EngineRHVoice || c.Name != "elena" {
		t.Fatalf("choice %+v, want RHVoice elena", c)
	}
	a, err := broken.Synthesize(ctx, phrases["ru"], speech.VoiceFor("ruinternalfemale"))
	if err != nil {
		t.Fatal(err)
	}
	assertSentence(t, "broken RHVoice replaced by espeak-ng", a)
	// An engine on its own names the package of a missing voice.
	_, err = (&speech.RHVoice{Dir: t.TempDir()}).Synthesize(ctx, "text", speech.VoiceFor("ruinternalfemale"))
	var e *speech.Error
	if !errors.As(err, &e) || e.Reason != speech.ReasonMissing || e.Package != "rhvoice rhvoice-russian" {
		t.Errorf("RHVoice without Russian voices: %v, want missing with the packages rhvoice rhvoice-russian", err)
	}
}
