package speech_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callbackline/callbackline/internal/wait"
	"github.com/callbackline/callbackline/speech"
	"github.com/callbackline/callbackline/speech/speechtest"
)

func newCache(t testing.TB, e speech.Engine) *speech.Cache {
	t.Helper()
	c, err := speech.NewCache(e, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// assertPlayable parses the file the way diago's PlayFile needs it: WAV,
// PCM, mono, 16 bits, 8000 Hz.
func assertPlayable(t *testing.T, path string) *speech.Audio {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	if len(b) < 44 || le.Uint16(b[20:]) != 1 || le.Uint16(b[22:]) != 1 || le.Uint32(b[24:]) != 8000 || le.Uint16(b[34:]) != 16 {
		t.Fatalf("%s is not PCM mono 16-bit 8000 Hz: % x", path, b[:min(len(b), 44)])
	}
	a, err := speech.ParseWAV(b)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestCacheSynthesisesOnce(t *testing.T) {
	speechtest.NeedEspeak(t)
	eng := &speechtest.Counting{Engine: speechtest.Espeak()}
	c := newCache(t, eng)
	ctx := context.Background()
	p1, err := c.File(ctx, announcement, "deinternalfemale")
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.File(ctx, "  "+announcement+"\n", "DEinternalfemale")
	if err != nil {
		t.Fatal(err)
	}
	if p1 != p2 || eng.Calls() != 1 {
		t.Fatalf("two requests: %d syntheses, paths %s %s", eng.Calls(), p1, p2)
	}
	assertSpeech(t, assertPlayable(t, p1))
	if filepath.Dir(p1) != c.Dir {
		t.Errorf("file %s outside %s", p1, c.Dir)
	}
	// Another voice or text is another file.
	p3, err := c.File(ctx, announcement, "eurgermanmale")
	if err != nil || p3 == p1 || eng.Calls() != 2 {
		t.Errorf("another voice: %s, %v, %d calls", p3, err, eng.Calls())
	}
	// A new Cache on the same directory (a restart) still hits.
	c2, _ := speech.NewCache(eng, c.Dir)
	if p, err := c2.File(ctx, announcement, "deinternalfemale"); err != nil || p != p1 || eng.Calls() != 2 {
		t.Errorf("after restart: %s, %v, %d calls", p, err, eng.Calls())
	}
	// No temporary files are left.
	names, _ := filepath.Glob(filepath.Join(c.Dir, ".tmp-*"))
	if len(names) > 0 {
		t.Errorf("temporary files left: %v", names)
	}
}

func TestCacheSingleFlight(t *testing.T) {
	speechtest.NeedEspeak(t)
	eng := &speechtest.Counting{Engine: speechtest.Espeak()}
	c := newCache(t, eng)
	var wg sync.WaitGroup
	paths := make([]string, 16)
	errs := make([]error, 16)
	for i := range paths {
		wg.Go(func() {
			paths[i], errs[i] = c.File(context.Background(), "Здравствуйте, это обратный звонок.", "ruinternalfemale")
		})
	}
	wg.Wait()
	for i := range paths {
		if errs[i] != nil || paths[i] != paths[0] {
			t.Fatalf("request %d: %s, %v", i, paths[i], errs[i])
		}
	}
	if n := eng.Calls(); n != 1 {
		t.Fatalf("16 concurrent requests: %d syntheses, want 1", n)
	}
	assertSpeech(t, assertPlayable(t, paths[0]))
}

func TestCacheWaiterGivesUp(t *testing.T) {
	// A slow program: the waiter gives up at its deadline, and a later
	// request starts afresh instead of joining the abandoned synthesis.
	// The program would take ten minutes: only the waiter's deadline ends
	// the wait well before, however busy the machine.
	eng := &speechtest.Counting{Engine: &speech.Command{Path: "sleep", Args: []string{"600"}, Timeout: time.Hour}}
	c := newCache(t, eng)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.File(ctx, "hello", "")
	if speech.ReasonOf(err) != speech.ReasonCanceled || time.Since(start) > time.Minute {
		t.Fatalf("%v after %v", err, time.Since(start))
	}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	c.File(ctx2, "hello", "")
	// The second synthesis starts in the background, maybe after File
	// gave up: wait for it rather than look at once.
	_ = wait.Within(time.Minute, 10*time.Millisecond, func() bool { return eng.Calls() >= 2 })
	if n := eng.Calls(); n != 2 {
		t.Errorf("%d syntheses, want 2 (the first was abandoned)", n)
	}
}

func TestAnnounceFallsBackToBeep(t *testing.T) {
	c := newCache(t, &speech.Espeak{Path: "/nonexistent/espeak-ng"})
	a, err := c.Announce(context.Background(), speech.Script{Text: "Hello", Voice: "usenglishmale"})
	if err != nil {
		t.Fatal(err)
	}
	var e *speech.Error
	if a.Speech || !errors.As(a.Err, &e) || e.Reason != speech.ReasonMissing || e.Package != "espeak-ng" {
		t.Fatalf("announcement %+v", a)
	}
	got := assertPlayable(t, a.Path)
	if !slices.Equal(got.Samples, speech.Beep().Samples) {
		t.Error("fallback file is not the beep")
	}
}

func TestAnnounceSpeechAndEmptyText(t *testing.T) {
	speechtest.NeedEspeak(t)
	c := newCache(t, speechtest.Espeak())
	a, err := c.Announce(context.Background(), speech.Script{Text: strings.Repeat("Callback request. ", 100), Voice: "eurgermanfemale"})
	if err != nil || !a.Speech || a.Err != nil {
		t.Fatalf("%+v, %v", a, err)
	}
	assertSpeech(t, assertPlayable(t, a.Path))
	a, err = c.Announce(context.Background(), speech.Script{Text: " ", Voice: "eurgermanfemale"})
	if err != nil || a.Speech || speech.ReasonOf(a.Err) != speech.ReasonEmpty {
		t.Fatalf("empty text: %+v, %v", a, err)
	}
	assertPlayable(t, a.Path)
}

func TestCachePrune(t *testing.T) {
	c := newCache(t, speechtest.Espeak())
	var buf bytes.Buffer
	speech.Tone(440, time.Second).WriteWAV(&buf)
	c.MaxBytes = 3 * int64(buf.Len()) // three files
	c.MaxAge = 24 * time.Hour
	now := time.Now()
	write := func(name string, used time.Time) string {
		p := filepath.Join(c.Dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, used, used)
		return p
	}
	key := func(i int) string { return fmt.Sprintf("%064x.wav", i) }
	expired := write(key(1), now.Add(-25*time.Hour))
	old1 := write(key(2), now.Add(-5*time.Hour))
	old2 := write(key(3), now.Add(-4*time.Hour))
	mid := write(key(4), now.Add(-3*time.Hour))
	recent1 := write(key(5), now.Add(-time.Minute)) // in use: kept
	recent2 := write(key(6), now)
	other := write("notes.txt", now.Add(-100*time.Hour)) // not a cache file
	tmp := write(".tmp-123.wav", now.Add(-2*time.Hour))  // left by a crash
	if err := c.Prune(); err != nil {
		t.Fatal(err)
	}
	exists := func(p string) bool { _, err := os.Stat(p); return err == nil }
	for p, want := range map[string]bool{expired: false, old1: false, old2: false, mid: true,
		recent1: true, recent2: true, other: true, tmp: false} {
		if exists(p) != want {
			t.Errorf("%s: exists %v, want %v", filepath.Base(p), !want, want)
		}
	}
}

func TestCheckCustomEngine(t *testing.T) {
	speechtest.NeedEspeak(t)
	ok := &speech.Command{Path: "espeak-ng", Args: []string{"--stdin", "--stdout"}}
	if err := speech.Check(context.Background(), ok); err != nil {
		t.Errorf("working command: %v", err)
	}
	silent := &speech.Command{Path: "sox", Args: []string{"-n", "-r", "8000", "-t", "wav", "-", "trim", "0", "1"}}
	if _, err := exec.LookPath("sox"); err == nil {
		if err := speech.Check(context.Background(), silent); speech.ReasonOf(err) != speech.ReasonBadOutput {
			t.Errorf("silent command: %v", err)
		}
	}
}

// BenchmarkSynthesize measures espeak-ng on a typical request of 150
// characters (Russian, the most common portal language), from process
// start to 8 kHz samples.
func BenchmarkSynthesize(b *testing.B) {
	speechtest.NeedEspeak(b)
	e := speechtest.Espeak()
	v := speech.VoiceFor("ruinternalfemale")
	text := "Здравствуйте! Клиент Иван Петров оставил заявку на сайте и просит срочно перезвонить по поводу доставки заказа номер 4512 в Москву. Соединяю."
	b.ReportMetric(float64(len([]rune(text))), "chars")
	for b.Loop() {
		if _, err := e.Synthesize(context.Background(), text, v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCacheMiss measures a first request: synthesis, WAV file
// written and synced, pruning.
func BenchmarkCacheMiss(b *testing.B) {
	speechtest.NeedEspeak(b)
	c := newCache(b, speechtest.Espeak())
	i := 0
	for b.Loop() {
		i++
		if _, err := c.File(context.Background(), fmt.Sprintf("%s Request %d.", announcement, i), "usenglishfemale"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCacheHit measures a repeated request.
func BenchmarkCacheHit(b *testing.B) {
	speechtest.NeedEspeak(b)
	c := newCache(b, speechtest.Espeak())
	if _, err := c.File(context.Background(), announcement, "usenglishfemale"); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.File(context.Background(), announcement, "usenglishfemale"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPrune measures a pass over a full cache: 2,500 files, as many
// as the default 256 MiB bound holds of 10-second announcements.
func BenchmarkPrune(b *testing.B) {
	c := newCache(b, speechtest.Espeak())
	for i := range 2500 {
		if err := os.WriteFile(filepath.Join(c.Dir, fmt.Sprintf("%064x.wav", i)), nil, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	for b.Loop() {
		if err := c.Prune(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCacheEvictsAfterNewFile(t *testing.T) {
	speechtest.NeedEspeak(t)
	c := newCache(t, speechtest.Espeak())
	c.MaxBytes = 1 // only files in use stay
	old := filepath.Join(c.Dir, fmt.Sprintf("%064x.wav", 7))
	var buf bytes.Buffer
	speech.Tone(440, time.Second).WriteWAV(&buf)
	if err := os.WriteFile(old, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	hourAgo := time.Now().Add(-time.Hour)
	os.Chtimes(old, hourAgo, hourAgo)
	p, err := c.File(context.Background(), "New request.", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("old file still there: %v", err)
	}
	assertPlayable(t, p) // the new one, in use, is kept
}
