package siptest

import (
	"path/filepath"
	"testing"
)

func TestAnalyseTellsToneFromSpeech(t *testing.T) {
	dir := t.TempDir()
	tone, speech := filepath.Join(dir, "tone.wav"), filepath.Join(dir, "speech.wav")
	if err := WriteTone(tone, 1000, 8000, 1); err != nil {
		t.Fatal(err)
	}
	if err := WriteSpeechLike(speech, 8000, 2); err != nil {
		t.Fatal(err)
	}
	a, err := ReadWAV(tone)
	if err != nil {
		t.Fatal(err)
	}
	ws := a.Analyse(0, 0.1, 440, 1000)
	if s := Share(ws, 0, 1, "tone:1000"); s != 1 {
		t.Errorf("1 kHz tone: %s", Summary(ws))
	}
	if r := ws[0].RMS; r < 0.3 || r > 0.4 {
		t.Errorf("RMS of a half-scale sine %.3f, want 0.354", r)
	}
	b, err := ReadWAV(speech)
	if err != nil {
		t.Fatal(err)
	}
	ws = b.Analyse(0, 0.1, 425, 440, 1000)
	if s := Share(ws, 0, 2, "sound"); s < 0.6 {
		t.Errorf("speech-like: %s", Summary(ws))
	}
	for _, w := range ws {
		if w.Tone != 0 {
			t.Errorf("speech-like audio taken for a tone at %.1fs", w.Start)
		}
	}
}

func TestGoertzelSelective(t *testing.T) {
	x := make([]float64, 800)
	for i, v := range Tone(440, 8000, 800, 0.5) {
		x[i] = float64(v) / 32768
	}
	p := RMS(x) * RMS(x)
	if g := Goertzel(x, 440, 8000) / p; g < 0.9 {
		t.Errorf("440 Hz in a 440 Hz sine: %.2f of the power", g)
	}
	if g := Goertzel(x, 1000, 8000) / p; g > 0.05 {
		t.Errorf("1 kHz in a 440 Hz sine: %.2f of the power", g)
	}
}
