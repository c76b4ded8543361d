package web

import (
	"context"
	"log/slog"
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
// configured) answers within a second. The causes of a failure are logged,
// not shown.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	if !s.allow(w, r, http.MethodGet, http.MethodHead) {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	checks := map[string]string{"store": "ok"}
	status := http.StatusOK
	// The answer is public: it says what is not ready, the log says why
	// (causes name hosts and accounts).
	if err := s.store.Ping(ctx); err != nil {
		checks["store"], status = "unavailable", http.StatusServiceUnavailable
		s.logger.WarnContext(r.Context(), "not ready: the store does not answer", slog.Any("err", err))
	}
	if s.ready != nil {
		checks["dependencies"] = "ok"
		if err := s.ready(ctx); err != nil {
			checks["dependencies"], status = "unavailable", http.StatusServiceUnavailable
			s.logger.WarnContext(r.Context(), "not ready: a dependency is not ready", slog.Any("err", err))
		}
	}
	if status != http.StatusOK {
		checks["status"] = "unavailable"
	} else {
		checks["status"] = "ok"
	}
	writeJSON(w, status, checks)
}
