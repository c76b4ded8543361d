package callback_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/callbackline/callbackline/callback"
)

func TestPruneRecordings(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	write := func(name string, age time.Duration) {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("RIFF"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, now.Add(-age), now.Add(-age)); err != nil {
			t.Fatal(err)
		}
	}
	write("old.wav", 31*24*time.Hour)
	write("new.wav", 29*24*time.Hour)
	write("notes.txt", 100*24*time.Hour)
	n, err := callback.PruneRecordings(dir, 30*24*time.Hour, now)
	if err != nil || n != 1 {
		t.Fatalf("pruned %d, %v", n, err)
	}
	for name, want := range map[string]bool{"old.wav": false, "new.wav": true, "notes.txt": true} {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != want {
			t.Errorf("%s kept = %v, want %v", name, err == nil, want)
		}
	}
	if n, err := callback.PruneRecordings(dir, 0, now); n != 0 || err != nil {
		t.Errorf("keep 0 deleted %d (%v)", n, err)
	}
	if n, err := callback.PruneRecordings(filepath.Join(dir, "missing"), time.Hour, now); n != 0 || err != nil {
		t.Errorf("missing folder: %d %v", n, err)
	}
}
