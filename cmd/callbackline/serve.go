package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/web"
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
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(cfg.LogFormat, "text") {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// serve runs the service until ctx is cancelled, then shuts down gracefully.
func serve(ctx context.Context, cfg *config.Config, stderr io.Writer) error {
	logger := newLogger(cfg, stderr)
	st, err := openStore(ctx, cfg, logger)
	if err != nil {
		return err
	}
	defer st.Close()

	policy := phone.Policy{BlockedTypes: cfg.Intake.BlockedNumberTypes, AllowedCountries: cfg.Intake.AllowedCountries}
	oauth := &bitrix24.OAuth{
		Server: cfg.Bitrix24.OAuthServer, ClientID: cfg.Bitrix24.ClientID, ClientSecret: cfg.Bitrix24.ClientSecret,
		HTTP: &http.Client{Timeout: 15 * time.Second},
	}
	crm := bitrix24.NewClient(oauth, st)
	crm.Logger = logger
	crm.Limits = bitrix24.Limits{Rate: cfg.Bitrix24.Rate, Burst: cfg.Bitrix24.Burst}
	srv := web.NewServer(web.Options{
		Store: st,
		OAuth: oauth,
		Installed: func(ctx context.Context, p *callbackline.Portal) error {
			return setupPortal(ctx, crm, p, cfg, logger)
		},
		Intake: web.Intake{
			DedupWindow: cfg.Intake.DedupWindow, NumberLimit: cfg.Intake.NumberLimit, PortalLimit: cfg.Intake.PortalLimit,
			Policy: policy, DefaultRegion: cfg.DefaultRegion, MaxBody: int64(cfg.Intake.MaxBody),
		},
		AdminToken: cfg.AdminToken,
		Logger:     logger,
	})
	defer srv.Close()

	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "cannot listen on %s (config key listen)", cfg.Listen)
	}
	hs := &http.Server{
		Handler: srv, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 90 * time.Second,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	logger.Info("callbackline started", slog.String("version", callbackline.Version),
		slog.String("listen", ln.Addr().String()), slog.String("database", redactDSN(cfg.Database)),
		slog.String("public_url", cfg.PublicURL))

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down", slog.String("grace", cfg.ShutdownGrace.String()))
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownGrace)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		logger.Warn("HTTP shutdown", slog.Any("err", err))
	}
	<-errc
	return nil
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

// setupPortal binds callbackline's events and registers its lines in a
// portal that was just installed. Without a public URL Bitrix24 could not
// reach the handlers, so binding is skipped with a warning.
func setupPortal(ctx context.Context, crm *bitrix24.Client, p *callbackline.Portal, cfg *config.Config, logger *slog.Logger) error {
	if cfg.PublicURL == "" {
		logger.Warn("public_url is not set: events are not bound and lines not registered in the portal; set public_url and reinstall",
			slog.String("member_id", p.MemberID))
		return nil
	}
	lines := make([]bitrix24.Line, 0, len(cfg.Lines))
	for _, l := range cfg.Lines {
		lines = append(lines, bitrix24.Line{Number: l.Number, Name: l.Name})
	}
	if err := crm.Setup(ctx, p, cfg.PublicURL, lines); err != nil {
		return err
	}
	logger.Info("portal set up: events bound, lines registered", slog.String("member_id", p.MemberID), slog.Int("lines", len(lines)))
	return nil
}
