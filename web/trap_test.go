package web_test

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// newTrap starts a server that stands for a host named in a forged request;
// it counts every request that reaches it.
func newTrap(t testing.TB, hits *int) string {
	t.Helper()
	var mu sync.Mutex
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		*hits++
		mu.Unlock()
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(s.Close)
	return s.URL
}
