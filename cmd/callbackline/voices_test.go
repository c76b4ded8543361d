package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/speech"
	"github.com/callbackline/callbackline/speech/speechtest"
)

// TestVoicesCommand: `callbackline voices` prints a row for every voice
// id (the documentation's too) with its engine and kind, natural where
// the voice is installed, else the fallback and what to install.
func TestVoicesCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run(context.Background(), []string{"voices"}, []string{"CALLBACKLINE_DATA_DIR=" + t.TempDir()}, &out, &errOut); err != nil {
		t.Fatalf("voices: %v\n%s", err, errOut.String())
	}
	rows := map[string][]string{}
	for _, l := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			rows[f[0]] = f
		}
	}
	for _, id := range append(speech.VoiceIDs(), speech.DocVoiceIDs()...) {
		f := rows[id]
		if len(f) < 7 || !strings.Contains(strings.Join(f, " "), "natural") && !strings.Contains(strings.Join(f, " "), "fallback") {
			t.Errorf("no row for %s:\n%s", id, out.String())
		}
	}
	ru := strings.Join(rows["ruinternalfemale"], " ")
	if (&speech.RHVoice{}).Installed("elena") {
		if !strings.Contains(ru, "rhvoice elena LGPL-2.1+ natural") {
			t.Errorf("ruinternalfemale with RHVoice installed: %s", ru)
		}
	} else if !strings.Contains(ru, "espeak-ng ru+f3 GPL-3.0+ fallback apt-get install rhvoice rhvoice-russian") {
		t.Errorf("ruinternalfemale without RHVoice: %s", ru)
	}
	if tr := strings.Join(rows["eurturkishmale"], " "); !strings.Contains(tr, "fallback none packaged") {
		t.Errorf("Turkish has no natural voice packaged: %s", tr)
	}
	out.Reset()
	if err := run(context.Background(), []string{"voices"}, []string{"CALLBACKLINE_SPEECH_ENGINE=espeak"}, &out, &errOut); err != nil || !strings.Contains(out.String(), "speech.engine is espeak-ng") {
		t.Errorf("voices with engine espeak: %v %q", err, out.String())
	}
}

// TestDoctorNamesSpeechFallbacks: doctor names the languages espeak-ng
// speaks, and the Polish voices left out for their non-commercial
// licence until the operator allows them.
func TestDoctorNamesSpeechFallbacks(t *testing.T) {
	speechtest.NeedEspeak(t)
	speechtest.NeedRHVoice(t, "magda")
	for _, nc := range []bool{false, true} {
		cfg := config.Default()
		cfg.Database = "sqlite:" + filepath.Join(t.TempDir(), "cb.db")
		cfg.Speech.AllowNonCommercial = nc
		var out bytes.Buffer
		_ = doctor(context.Background(), cfg, &out) // fails: no trunk, no credentials
		got := out.String()
		hint := "pl (set speech.allow_noncommercial for magda (CC-BY-NC-ND-4.0))"
		if !strings.Contains(got, "ok    speech (auto)") || !strings.Contains(got, "warn  speech voices:") || !strings.Contains(got, "tr") {
			t.Errorf("nc %v: doctor does not report the speech engine and its fallbacks:\n%s", nc, got)
		}
		if strings.Contains(got, hint) == nc {
			t.Errorf("nc %v: Polish hint present = %v:\n%s", nc, !nc, got)
		}
	}
}
