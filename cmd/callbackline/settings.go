package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/config"
)

// portalLines gives each portal its lines: its own (callbackline.Settings,
// saved on the app page) when it has them, else the configured ones.
// Parsed lines are kept until the portal saves new ones.
type portalLines struct {
	cfg    *config.Config
	store  callbackline.SettingsStore
	logger *slog.Logger

	mu    sync.Mutex
	cache map[string]parsedLines // by member id
}

type parsedLines struct {
	at    time.Time // Settings.UpdatedAt they were parsed from
	lines []callbackline.Line
}

func newPortalLines(cfg *config.Config, st callbackline.SettingsStore, logger *slog.Logger) *portalLines {
	return &portalLines{cfg: cfg, store: st, logger: logger, cache: map[string]parsedLines{}}
}

// own returns the portal's own lines, nil when it has none. Saved lines
// that this configuration no longer accepts (the operator lowered a
// bound) are logged and not used: the portal falls back to the
// configured lines until its administrator saves them again.
func (pl *portalLines) own(ctx context.Context, memberID string) ([]callbackline.Line, error) {
	st, err := pl.store.Settings(ctx, memberID)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	pl.mu.Lock()
	c, ok := pl.cache[memberID]
	pl.mu.Unlock()
	if ok && c.at.Equal(st.UpdatedAt) {
		return c.lines, nil
	}
	lines, err := pl.cfg.PortalLines(memberID, st.Lines)
	if err != nil {
		pl.logger.Warn("the portal's own lines are not valid with this configuration: it uses the configured lines until an administrator saves its lines again",
			slog.String("member_id", memberID), slog.Any("err", err))
		lines = nil
	}
	pl.mu.Lock()
	pl.cache[memberID] = parsedLines{at: st.UpdatedAt, lines: lines}
	pl.mu.Unlock()
	return lines, nil
}

// forBitrix24 returns the lines to register in the portal.
func (pl *portalLines) forBitrix24(ctx context.Context, memberID string) ([]bitrix24.Line, error) {
	own, err := pl.own(ctx, memberID)
	if err != nil {
		return nil, err
	}
	if len(own) > 0 {
		return bitrix24Lines(own), nil
	}
	out := make([]bitrix24.Line, 0, len(pl.cfg.Lines))
	for _, l := range pl.cfg.Lines {
		out = append(out, bitrix24.Line{Number: l.Number, Name: l.Name})
	}
	return out, nil
}

// bitrix24Lines are lines as Bitrix24 registers them: number and name.
func bitrix24Lines(lines []callbackline.Line) []bitrix24.Line {
	out := make([]bitrix24.Line, 0, len(lines))
	for _, l := range lines {
		out = append(out, bitrix24.Line{Number: l.Number, Name: l.Name})
	}
	return out
}
