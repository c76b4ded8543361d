package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestRun: every body is posted once, the targets are used in turn, and an
// answer without the expected text counts as a failure.
func TestRun(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	perTarget := map[string]int{}
	handler := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			seen[string(b)]++
			perTarget[name]++
			mu.Unlock()
			if string(b) == "n=13" {
				fmt.Fprint(w, `{"status":"rejected"}`)
				return
			}
			fmt.Fprint(w, `{"status":"accepted"}`)
		}
	}
	a, b := httptest.NewServer(handler("a")), httptest.NewServer(handler("b"))
	defer a.Close()
	defer b.Close()
	var lines []string
	for i := range 100 {
		lines = append(lines, fmt.Sprintf("n=%d", i))
	}
	file := filepath.Join(t.TempDir(), "bodies.txt")
	if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	o, err := parse([]string{"-url", a.URL + "," + b.URL, "-bodies", file, "-conns", "8", "-expect", `"accepted"`})
	if err != nil {
		t.Fatal(err)
	}
	r := run(o)
	if r.Sent != 100 || r.Accepted != 99 || r.Failed != 1 || !strings.Contains(r.FirstFail, "rejected") {
		t.Errorf("result %+v", r)
	}
	for _, l := range lines {
		if seen[l] != 1 {
			t.Errorf("%s posted %d times", l, seen[l])
		}
	}
	if perTarget["a"] != 50 || perTarget["b"] != 50 {
		t.Errorf("targets used %v, want 50 each", perTarget)
	}
	if _, err := parse([]string{"-conns", "8"}); err == nil {
		t.Error("no -url accepted")
	}
}
