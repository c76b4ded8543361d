package speech_test

import (
	"context"
	"errors"
	"fmt"
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
	a := &speech.Auto{Espeak: speechtest.Espeak(), RHVoice: &speech.RHVoice{Timeout: time.Minute}, Pico: &speech.Pico{Timeout: time.Minute}}
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
	missing := &speech.Auto{Espeak: speechtest.Espeak(), RHVoice: &speech.RHVoice{Path: "/nonexistent/RHVoice-test"}, Pico: &speech.Pico{Path: "/nonexistent/pico2wave"}}
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
	broken := &speech.Auto{Espeak: speechtest.Espeak(), RHVoice: &speech.RHVoice{Path: "false", Dir: dir}}
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

// BenchmarkSynthesizeNatural measures the natural engines on the same
// 141-character Russian request (German for Pico), from process start to
// telephone audio at 8 kHz (ForPhone).
func BenchmarkSynthesizeNatural(b *testing.B) {
	ru := "Здравствуйте! Клиент Иван Петров оставил заявку на сайте и просит срочно перезвонить по поводу доставки заказа номер 4512 в Москву. Соединяю."
	de := "Guten Tag! Der Kunde Jan Peters hat auf der Website eine Anfrage hinterlassen und bittet um Rückruf wegen der Lieferung der Bestellung 4512."
	for _, c := range []struct {
		name, text, id string
		need           func(testing.TB)
	}{
		{"rhvoice-elena", ru, "ruinternalfemale", func(tb testing.TB) { speechtest.NeedRHVoice(tb, "elena") }},
		{"pico-de-DE", de, "eurgermanfemale", func(tb testing.TB) { speechtest.NeedPico(tb, "de-DE") }},
	} {
		b.Run(c.name, func(b *testing.B) {
			c.need(b)
			a := &speech.Auto{}
			v := speech.VoiceFor(c.id)
			for b.Loop() {
				au, err := a.Synthesize(context.Background(), c.text, v)
				if err != nil {
					b.Fatal(err)
				}
				speech.ForPhone(au)
			}
		})
	}
}

// BenchmarkAnnounceScript measures a cache miss of an announcement said
// twice and followed by the accept prompt, with the fastest natural
// engine (Pico): two syntheses, normalisation, level, the WAV written.
func BenchmarkAnnounceScript(b *testing.B) {
	speechtest.NeedPico(b, "de-DE")
	c := newCache(b, &speech.Auto{})
	i := 0
	for b.Loop() {
		i++
		s := speech.Script{Text: fmt.Sprintf("Der Kunde bittet um Rückruf unter +49 30 1234567, Anfrage %d.", i), Voice: "eurgermanfemale",
			Repeat: 2, Prompt: "Drücken Sie 1, um verbunden zu werden."}
		if a, err := c.Announce(context.Background(), s); err != nil || !a.Speech {
			b.Fatal(a.Err, err)
		}
	}
}

// TestPicoTextIsNeverAnOption: a text that looks like pico2wave's options
// is spoken, and no file it names is written.
func TestPicoTextIsNeverAnOption(t *testing.T) {
	speechtest.NeedPico(t, "en-US")
	evil := filepath.Join(t.TempDir(), "evil.wav")
	a, err := (&speech.Pico{Timeout: time.Minute}).Synthesize(context.Background(), "-w "+evil+" --lang=de-DE", speech.VoiceFor("usenglishfemale"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Duration() < 500*time.Millisecond || a.RMS() < 0.01 {
		t.Errorf("the text was not spoken: %v, RMS %.4f", a.Duration(), a.RMS())
	}
	if _, err := os.Stat(evil); !os.IsNotExist(err) {
		t.Errorf("pico2wave took the text for an option and wrote %s", evil)
	}
}

// TestRHVoiceMarkupIsText: SSML in a visitor's text is not obeyed (a
// 20-second break would make the announcement that long).
func TestRHVoiceMarkupIsText(t *testing.T) {
	speechtest.NeedRHVoice(t, "slt")
	a, err := (&speech.RHVoice{Timeout: time.Minute}).Speak(context.Background(), `<speak>Hello <break time="20s"/> there</speak>`, "slt")
	if err != nil {
		t.Fatal(err)
	}
	if d := a.Duration(); d < 500*time.Millisecond || d > 15*time.Second {
		t.Errorf("%v of audio: the markup was obeyed, or nothing spoken", d)
	}
}
