package web_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/callbackline/callbackline/web"
)

// TestReadyHidesCauses: /readyz is public; it says what is not ready but
// not why (a SIP error names registrars and accounts), which goes to the
// log instead.
func TestReadyHidesCauses(t *testing.T) {
	var logged strings.Builder
	srv := web.NewServer(web.Options{
		Store:  openSQLite(t),
		Logger: newBufLogger(&logged),
		Ready: func(context.Context) error {
			return errors.New(`trunk "main" is not registered: 403 Forbidden from sip:alice@registrar.internal.example`)
		},
	})
	t.Cleanup(func() { srv.Close() })
	rec := newRecorder(srv, http.MethodGet, "/readyz", "")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "registrar.internal") || strings.Contains(rec.Body.String(), "alice") {
		t.Errorf("readyz shows the cause to anybody: %s", rec.Body)
	}
	if !strings.Contains(rec.Body.String(), `"dependencies":"unavailable"`) {
		t.Errorf("readyz does not say what is not ready: %s", rec.Body)
	}
	if !strings.Contains(logged.String(), "registrar.internal") {
		t.Errorf("the cause is not logged: %q", logged.String())
	}
}

// newBufLogger logs JSON lines into w.
func newBufLogger(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }
