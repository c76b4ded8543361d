package web

import (
	"context"
	"net/http"
	"time"
)

// handleHealth answers GET /healthz: the process is alive.
func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// handleReady answers GET /readyz: the store (and whatever else was
// configured) answers within a second.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	checks := map[string]string{"store": "ok"}
	status := http.StatusOK
	if err := s.store.Ping(ctx); err != nil {
		checks["store"], status = "unavailable", http.StatusServiceUnavailable
	}
	if s.ready != nil {
		checks["dependencies"] = "ok"
		if err := s.ready(ctx); err != nil {
			checks["dependencies"], status = err.Error(), http.StatusServiceUnavailable
		}
	}
	if status != http.StatusOK {
		checks["status"] = "unavailable"
	} else {
		checks["status"] = "ok"
	}
	writeJSON(w, status, checks)
}
