package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/callbackline/callbackline/config"
)

// loadConfig reads the configuration and says which key is wrong when it is.
func loadConfig(path string, env []string) (*config.Config, error) {
	cfg, err := config.Load(path, env)
	if err != nil {
		return nil, fmt.Errorf("bad configuration, not starting:\n%w", err)
	}
	return cfg, nil
}

// newLogger returns the JSON (or text) logger the configuration asks for.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.Level()}
	if strings.EqualFold(cfg.LogFormat, "text") {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// serve runs the service until ctx is cancelled, then shuts down gracefully.
func serve(ctx context.Context, cfg *config.Config, stderr io.Writer) error {
	logger := newLogger(cfg, stderr)
	a, err := newApp(ctx, cfg, logger, appOptions{})
	if err != nil {
		return err
	}
	return a.run(ctx)
}

// redactDSN hides a password in a database URL for the log.
func redactDSN(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		rest := dsn[i+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			cred := rest[:at]
			if c := strings.Index(cred, ":"); c >= 0 {
				return dsn[:i+3] + cred[:c] + ":***" + rest[at:]
			}
		}
	}
	return dsn
}
