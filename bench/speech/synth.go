package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/zaf/g711"

	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/speech"
)

// whisperRate is the rate Whisper listens at; every file is written at it.
const whisperRate = 16000

// The two ways a voice is heard.
const (
	pathPhone  = "telephone" // the cached 8 kHz announcement through G.711 µ-law
	pathNative = "native"    // the engine's own output, before the telephone step
)

// manifest lists what synth wrote, for transcribe.mjs and score.
type manifest struct {
	Engine string `json:"engine"`
	Items  []item `json:"items"`
}

// item is one WAV file: a language's texts spoken with a voice, one
// after the other with a pause, heard one way. Whisper works on windows
// of 30 s whatever the length, so one file per voice costs a third of one
// per text.
type item struct {
	File  string `json:"file"`
	Lang  string `json:"lang"`
	Voice string `json:"voice"`
	Texts []int  `json:"texts"` // indexes into texts, in the order spoken
	Path  string `json:"path"`  // pathPhone or pathNative
	Rate  int    `json:"rate"`  // the rate the engine or the phone gave
	// By is what spoke the texts with engine auto ("rhvoice elena",
	// "espeak-ng pl+f3"): a missing package shows here, not only in
	// the numbers.
	By string `json:"by,omitempty"`
}

// pause is the silence between two texts of one file.
const pause = 700 * time.Millisecond

// synth writes the benchmark's audio.
type synth struct {
	config string
	langs  []string
	native bool
	first  bool // only the default voice of each language
}

// pick returns the languages named in a comma-separated list, all when empty.
func pick(list string) ([]string, error) {
	if list == "" {
		return languages, nil
	}
	var out []string
	for _, l := range strings.Split(list, ",") {
		l = strings.TrimSpace(l)
		if !slices.Contains(languages, l) {
			return nil, fmt.Errorf("-langs: unknown language %q (have %s)", l, strings.Join(languages, ","))
		}
		out = append(out, l)
	}
	return out, nil
}

func (s *synth) run(ctx context.Context, dir string) error {
	if dir == "" {
		return errDir
	}
	cfg, err := config.Load(s.config, os.Environ())
	if err != nil {
		return err
	}
	eng := cfg.SpeechEngine()
	if eng == nil {
		return fmt.Errorf("speech.engine is %q: there is nothing to measure", cfg.Speech.Engine)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	cache, err := speech.NewCache(eng, filepath.Join(dir, "cache"))
	if err != nil {
		return err
	}
	m := manifest{Engine: eng.Name()}
	for _, l := range s.langs {
		vs := voices[l]
		if s.first {
			vs = vs[:1]
		}
		for _, v := range vs {
			its, err := s.speak(ctx, dir, cache, eng, l, v)
			if err != nil {
				return fmt.Errorf("%s %s: %w", l, v, err)
			}
			m.Items = append(m.Items, its...)
		}
	}
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o644)
}

// speak writes the texts of lang spoken with voice id as the phone hears
// them and, when asked and the engine can, at the engine's own rate.
func (s *synth) speak(ctx context.Context, dir string, cache *speech.Cache, eng speech.Engine, lang, id string) ([]item, error) {
	n, native := eng.(speech.Native)
	native = native && s.native
	phone := item{Lang: lang, Voice: id, Path: pathPhone, Rate: speech.Rate}
	ref := item{Lang: lang, Voice: id, Path: pathNative}
	var heard, raw []*speech.Audio
	for i, t := range texts {
		if t.lang != lang {
			continue
		}
		a, err := announcement(ctx, cache, t.say, id)
		if err != nil {
			return nil, fmt.Errorf("text %d: %w", i, err)
		}
		phone.Texts = append(phone.Texts, i)
		phone.By = spokenBy(eng, t.say, id)
		ref.By = phone.By
		heard = append(heard, ulaw(a))
		if !native {
			continue
		}
		say := speech.Clean(t.say, speech.DefaultMaxText)
		v := speech.VoiceForText(id, say) // as the cache chooses it
		r, err := n.SynthesizeNative(ctx, speech.Normalize(say, v.Language), v)
		if err != nil {
			return nil, fmt.Errorf("text %d at the engine's rate: %w", i, err)
		}
		ref.Texts, ref.Rate = append(ref.Texts, i), r.Rate
		raw = append(raw, r)
	}
	if err := write(dir, &phone, heard); err != nil || !native {
		return []item{phone}, err
	}
	return []item{phone, ref}, write(dir, &ref, raw)
}

// spokenBy names the engine and voice auto speaks text with voice id as
// the cache chooses it, "" for another engine.
func spokenBy(eng speech.Engine, text, id string) string {
	a, ok := eng.(*speech.Auto)
	if !ok {
		return ""
	}
	c := a.Choose(speech.VoiceForText(id, speech.Clean(text, speech.DefaultMaxText)))
	return c.Engine + " " + c.Name
}

// announcement returns the file the employee's phone would be played for
// text and voice id: the cache's 8 kHz WAV.
func announcement(ctx context.Context, cache *speech.Cache, text, id string) (*speech.Audio, error) {
	a, err := cache.Announce(ctx, speech.Script{Text: text, Voice: id})
	if err != nil {
		return nil, err
	}
	if !a.Speech {
		return nil, fmt.Errorf("no speech, the employee would hear a beep: %w", a.Err)
	}
	b, err := os.ReadFile(a.Path)
	if err != nil {
		return nil, err
	}
	au, err := speech.ParseWAV(b)
	if err != nil {
		return nil, err
	}
	if au.Rate != speech.Rate {
		return nil, fmt.Errorf("the announcement is at %d Hz, not %d", au.Rate, speech.Rate)
	}
	return au, nil
}

// ulaw returns 8 kHz audio as the phone decodes it after G.711 µ-law
// (PCMU, the first codec callbackline offers).
func ulaw(a *speech.Audio) *speech.Audio {
	out := &speech.Audio{Samples: make([]int16, len(a.Samples)), Rate: a.Rate}
	for i, s := range a.Samples {
		out.Samples[i] = g711.DecodeUlawFrame(g711.EncodeUlawFrame(s))
	}
	return out
}

// write names it, joins the parts with a pause, resamples them to
// Whisper's rate and writes them.
func write(dir string, it *item, parts []*speech.Audio) error {
	it.File = fmt.Sprintf("%s-%s-%s.wav", it.Lang, it.Voice, it.Path)
	all := &speech.Audio{Rate: it.Rate}
	for i, p := range parts {
		if i > 0 {
			all.Samples = append(all.Samples, make([]int16, int(pause.Seconds()*float64(it.Rate)))...)
		}
		all.Samples = append(all.Samples, p.Samples...)
	}
	var b bytes.Buffer
	if err := all.Resample(whisperRate).WriteWAV(&b); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, it.File), b.Bytes(), 0o644)
}
