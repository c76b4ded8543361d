package speech

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os/exec"
)

// Auto is the Engine that speaks each language with the best engine
// installed for it: a natural voice of RHVoice or SVOX Pico when one is
// installed and its licence allows it (see Choose), else espeak-ng. By
// default only voices whose licence allows commercial use are used;
// AllowNonCommercial adds the CC BY-NC voices (docs/speech.md). The zero
// value is ready to use.
type Auto struct {
	Espeak             *Espeak  // nil is the zero Espeak
	RHVoice            *RHVoice // nil is the zero RHVoice
	Pico               *Pico    // nil is the zero Pico
	AllowNonCommercial bool
}

// Choice is how Auto speaks a voice.
type Choice struct {
	Voice   Voice  // the voice asked for
	Engine  string // EngineRHVoice, EnginePico or EngineEspeak
	Name    string // the engine's voice: RHVoice profile, pico2wave language or espeak-ng -v
	Gender  Gender // of the voice used: Pico's voices are all female
	License string // of the voice data, "" for espeak-ng (GPL-3+ with the program)
	Natural bool   // false: the espeak-ng fallback
	// Install names the Debian packages that would give the language a
	// natural voice ("" when none is known or one is used).
	Install string
	// NonCommercial names an installed voice left unused because its
	// licence forbids commercial use and AllowNonCommercial is off.
	NonCommercial string
}

func (a *Auto) espeak() *Espeak {
	if a.Espeak == nil {
		return &Espeak{}
	}
	return a.Espeak
}

func (a *Auto) rhvoice() *RHVoice {
	if a.RHVoice == nil {
		return &RHVoice{}
	}
	return a.RHVoice
}

func (a *Auto) pico() *Pico {
	if a.Pico == nil {
		return &Pico{}
	}
	return a.Pico
}

// Name returns "auto".
func (a *Auto) Name() string { return "auto" }

// installed reports which catalog voices are installed, by index.
func (a *Auto) installed() []bool {
	r, p := a.rhvoice(), a.pico()
	rOK, pOK := programFound(r.path()), programFound(p.path())
	in := make([]bool, len(catalog))
	for i, n := range catalog {
		switch n.engine {
		case EngineRHVoice:
			in[i] = rOK && r.Installed(n.name)
		case EnginePico:
			in[i] = pOK && p.Installed(n.name)
		}
	}
	return in
}

// Key identifies the voices Auto would use and espeak-ng's settings, for
// the Cache: installing a voice, or allowing non-commercial ones, changes
// it, so no stale audio is served.
func (a *Auto) Key() string {
	h := sha256.New()
	fmt.Fprintf(h, "nc=%v %s %s %s\x00", a.AllowNonCommercial, a.espeak().Key(), a.rhvoice().path(), a.pico().path())
	for i, ok := range a.installed() {
		if ok {
			fmt.Fprintf(h, "%s/%s\x00", catalog[i].engine, catalog[i].name)
		}
	}
	return "auto " + hex.EncodeToString(h.Sum(nil)[:8])
}

// Choose returns how v is spoken: the first installed natural voice of
// v's language whose licence is allowed, of v's gender if there is one,
// else of the other; else espeak-ng, with what to install.
func (a *Auto) Choose(v Voice) Choice {
	return a.choose(v, a.installed())
}

func (a *Auto) choose(v Voice, in []bool) Choice {
	usable := func(i int) bool { return in[i] }
	if n, ok := pick(v, a.AllowNonCommercial, usable); ok {
		return Choice{Voice: v, Engine: n.engine, Name: n.name, Gender: n.gender, License: n.license, Natural: true}
	}
	c := Choice{Voice: v, Engine: EngineEspeak, Name: a.espeak().VoiceName(v), Gender: v.Gender,
		Install: installHint(v.Language, "")}
	if n, ok := pick(v, true, usable); ok && n.nc {
		c.NonCommercial = n.name + " (" + n.license + ")"
	}
	return c
}

// Table returns the choice for every Bitrix24 voice id of VoiceIDs, in
// that order.
func (a *Auto) Table() []Choice {
	in := a.installed()
	ids := VoiceIDs()
	out := make([]Choice, len(ids))
	for i, id := range ids {
		out[i] = a.choose(VoiceFor(id), in)
	}
	return out
}

// Synthesize speaks text with the voice Choose picks and returns it at
// 8 kHz. When the natural voice fails (its program missing or broken),
// espeak-ng speaks instead.
func (a *Auto) Synthesize(ctx context.Context, text string, v Voice) (*Audio, error) {
	return toRate(a.SynthesizeNative(ctx, text, v))
}

// SynthesizeNative is Synthesize at the chosen engine's own rate.
func (a *Auto) SynthesizeNative(ctx context.Context, text string, v Voice) (*Audio, error) {
	c := a.Choose(v)
	var au *Audio
	var err error
	switch c.Engine {
	case EngineRHVoice:
		au, err = a.rhvoice().Speak(ctx, text, c.Name)
	case EnginePico:
		au, err = a.pico().Speak(ctx, text, c.Name)
	default:
		return a.espeak().SynthesizeNative(ctx, text, v)
	}
	switch r := ReasonOf(err); {
	case err == nil:
		return au, nil
	case r == ReasonCanceled || r == ReasonEmpty || r == ReasonTooLong || ctx.Err() != nil:
		return nil, err
	}
	au, ferr := a.espeak().SynthesizeNative(ctx, text, v)
	if ferr != nil {
		return nil, errors.Join(err, ferr)
	}
	return au, nil
}

// Check reports whether espeak-ng, the fallback of every language, works
// (see Espeak.Check); the natural voices are reported by Table.
func (a *Auto) Check(ctx context.Context) error {
	return a.espeak().Check(ctx)
}

// pick returns the first voice of the catalog that speaks v's language,
// is usable (by its index) and allowed (allowNC: also the non-commercial ones), of v's
// gender if one is, else of the other.
func pick(v Voice, allowNC bool, usable func(i int) bool) (natural, bool) {
	var other *natural
	for i := range catalog {
		n := catalog[i]
		if !n.speaks(v.Language) || (n.nc && !allowNC) || !usable(i) {
			continue
		}
		if n.gender == v.Gender {
			return n, true
		}
		if other == nil {
			other = &catalog[i]
		}
	}
	if other != nil {
		return *other, true
	}
	return natural{}, false
}

// installHint returns the Debian packages of the first voice of the
// catalog for lang whose licence allows commercial use (of the engine,
// if engine is not ""), or "".
func installHint(lang, engine string) string {
	for _, n := range catalog {
		if n.speaks(lang) && !n.nc && (engine == "" || n.engine == engine) {
			return n.packages()
		}
	}
	return ""
}

// programFound reports whether the program is installed: a path that
// exists, or a name found in PATH.
func programFound(path string) bool {
	_, err := exec.LookPath(path)
	return err == nil
}
