package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/speech"
)

// voices prints how each Bitrix24 voice id is spoken with this
// configuration: the engine and voice, its licence, whether it is a
// natural voice or the espeak-ng fallback, and what to install (or allow)
// for a natural one.
func voices(cfg *config.Config, out io.Writer) error {
	a, ok := cfg.SpeechEngine().(*speech.Auto)
	if !ok {
		name := "none (a beep)"
		if e := cfg.SpeechEngine(); e != nil {
			name = e.Name()
		}
		fmt.Fprintf(out, "speech.engine is %s: every voice is spoken by it; engine auto picks a natural voice per language\n", name)
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VOICE ID\tLANGUAGE\tGENDER\tENGINE\tVOICE\tLICENCE\tKIND\tFOR A NATURAL VOICE")
	docs := speech.DocVoiceIDs()
	for _, id := range append(speech.VoiceIDs(), docs...) {
		c := a.Choose(speech.VoiceFor(id))
		if slices.Contains(docs, id) {
			id += " (docs only)"
		}
		kind, license := "natural", c.License
		if !c.Natural {
			kind, license = "fallback", "GPL-3.0+"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, c.Voice.Language, c.Gender, c.Engine, c.Name, license, kind, improve(c))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if pkgs := missingPackages(a); len(pkgs) > 0 {
		fmt.Fprintf(out, "\nFor natural voices install (Debian contrib/non-free; make deps enables them): apt-get install %s\n", strings.Join(pkgs, " "))
	}
	return nil
}

// improve says what gives c's language a natural voice.
func improve(c speech.Choice) string {
	switch {
	case c.Natural:
		return ""
	case c.NonCommercial != "":
		return "speech.allow_noncommercial: true (" + c.NonCommercial + ")"
	case c.Install != "":
		return "apt-get install " + c.Install
	}
	return "none packaged (espeak-ng only)"
}

// missingPackages returns the Debian packages that would give a natural
// voice to the languages that fall back, sorted.
func missingPackages(a *speech.Auto) []string {
	var pkgs []string
	for _, c := range a.Table() {
		if !c.Natural {
			for _, p := range strings.Fields(c.Install) {
				if !slices.Contains(pkgs, p) {
					pkgs = append(pkgs, p)
				}
			}
		}
	}
	slices.Sort(pkgs)
	return pkgs
}

// speechFallbacks says, for doctor, which languages espeak-ng speaks and
// why: no voice packaged, one to install, or a non-commercial one not
// allowed. "" when every language of the voice map has a natural voice.
func speechFallbacks(a *speech.Auto) string {
	seen := map[string]bool{}
	var parts []string
	for _, c := range a.Table() {
		l := c.Voice.Language
		if c.Natural || seen[l] {
			continue
		}
		seen[l] = true
		switch {
		case c.NonCommercial != "":
			parts = append(parts, l+" (set speech.allow_noncommercial for "+c.NonCommercial+")")
		case c.Install != "":
			parts = append(parts, l+" (install "+c.Install+")")
		default:
			parts = append(parts, l)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "these languages are spoken by espeak-ng, not a natural voice: " + strings.Join(parts, ", ") + "; `callbackline voices` prints the table"
}
