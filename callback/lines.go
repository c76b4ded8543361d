package callback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
)

// Lines gives each portal its lines: its own (callbackline.Settings, saved
// on the app page) when it has them, else the configured ones. Parsed
// lines are kept until the portal saves new ones or its assigned caller
// IDs change. Its Own method is what Config.PortalLines wants. It is safe
// for concurrent use.
type Lines struct {
	store      LinesStore
	configured []callbackline.Line
	parse      ParseLines
	logger     *slog.Logger

	mu    sync.Mutex
	cache map[string]parsedLines // by member id
}

type parsedLines struct {
	at       time.Time // Settings.UpdatedAt they were parsed from
	assigned string    // the assigned caller IDs they were checked with
	lines    []callbackline.Line
}

// LinesStore is what Lines reads: a portal's settings, the caller IDs
// assigned to it and its own SIP account.
type LinesStore interface {
	callbackline.SettingsStore
	callbackline.TrunkStore
}

// ParseLines checks a portal's saved lines against the configuration
// (config.Config.PortalLinesFor); assigned are the caller IDs assigned to
// the portal outside the configuration (callbackline.AssignedCallerIDs).
type ParseLines func(memberID, text string, assigned []string) ([]callbackline.Line, error)

// NewLines returns the line choice on st: configured are the service's
// lines, parse checks a portal's saved lines. A nil logger is
// slog.Default().
func NewLines(st LinesStore, configured []callbackline.Line, parse ParseLines, logger *slog.Logger) *Lines {
	if logger == nil {
		logger = slog.Default()
	}
	return &Lines{store: st, configured: configured, parse: parse, logger: logger, cache: map[string]parsedLines{}}
}

// Own returns the portal's own lines, nil when it has none. Saved lines
// that this configuration no longer accepts (the operator lowered a
// bound) are logged and not used: the portal falls back to the
// configured lines until its administrator saves them again.
func (l *Lines) Own(ctx context.Context, memberID string) ([]callbackline.Line, error) {
	st, err := l.store.Settings(ctx, memberID)
	if callbackline.ErrorCode(err) == callbackline.ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	assigned, err := callbackline.AssignedCallerIDs(ctx, l.store, memberID)
	if err != nil {
		return nil, err
	}
	key := strings.Join(assigned, ",")
	l.mu.Lock()
	c, ok := l.cache[memberID]
	l.mu.Unlock()
	if ok && c.at.Equal(st.UpdatedAt) && c.assigned == key {
		return c.lines, nil
	}
	lines, err := l.parse(memberID, st.Lines, assigned)
	if err != nil {
		l.logger.Warn("the portal's own lines are not valid with this configuration: it uses the configured lines until an administrator saves its lines again",
			slog.String("member_id", memberID), slog.Any("err", err))
		lines = nil
	}
	l.mu.Lock()
	l.cache[memberID] = parsedLines{at: st.UpdatedAt, assigned: key, lines: lines}
	l.mu.Unlock()
	return lines, nil
}

// ForBitrix24 returns the lines to register in the portal: its own, else
// the configured ones.
func (l *Lines) ForBitrix24(ctx context.Context, memberID string) ([]bitrix24.Line, error) {
	own, err := l.Own(ctx, memberID)
	if err != nil {
		return nil, err
	}
	if len(own) > 0 {
		return Bitrix24Lines(own), nil
	}
	return Bitrix24Lines(l.configured), nil
}

// UseBitrix24 reports whether any of the portal's lines (its own, else
// the configured ones) may hand calls to Bitrix24's telephony (the
// Bitrix24 dialer, or a fallback to it).
func (l *Lines) UseBitrix24(ctx context.Context, memberID string) (bool, error) {
	lines, err := l.Own(ctx, memberID)
	if err != nil {
		return false, err
	}
	if len(lines) == 0 {
		lines = l.configured
	}
	for _, x := range lines {
		if x.PlacesViaBitrix24() || x.Fallback {
			return true, nil
		}
	}
	return false, nil
}

// Bitrix24Lines are lines as Bitrix24 registers them: number and name.
func Bitrix24Lines(lines []callbackline.Line) []bitrix24.Line {
	out := make([]bitrix24.Line, 0, len(lines))
	for _, l := range lines {
		out = append(out, bitrix24.Line{Number: l.Number, Name: l.Name})
	}
	return out
}

// PortalSetup binds callbackline's events and registers its lines in the
// portals.
type PortalSetup struct {
	CRM   *bitrix24.Client
	Lines *Lines
	// PublicURL is where Bitrix24 reaches the handlers; without it nothing
	// is bound (with a warning).
	PublicURL string
	// OfflineEvents binds the call requests as offline events too (the
	// safety net, bitrix24.OfflinePoller).
	OfflineEvents bool
	Logger        *slog.Logger // nil = slog.Default()
}

func (s *PortalSetup) logger() *slog.Logger {
	if s.Logger == nil {
		return slog.Default()
	}
	return s.Logger
}

// Portal sets up a portal that was just installed (or whose lines or
// configuration changed).
func (s *PortalSetup) Portal(ctx context.Context, p *callbackline.Portal) error {
	if s.PublicURL == "" {
		s.logger().Warn("public_url is not set: events are not bound and lines not registered in the portal; set public_url and reinstall",
			slog.String("member_id", p.MemberID))
		return nil
	}
	lines, err := s.Lines.ForBitrix24(ctx, p.MemberID)
	if err != nil {
		return err
	}
	var extra []string
	if b24, err := s.Lines.UseBitrix24(ctx, p.MemberID); err != nil {
		return err
	} else if b24 {
		extra = append(extra, bitrix24.EventCallEnd) // the outcome of the calls it places
	}
	if err := s.CRM.Setup(ctx, p, s.PublicURL, lines, extra...); err != nil {
		return err
	}
	if s.OfflineEvents {
		if err := s.CRM.BindOfflineEvents(ctx, p); err != nil {
			return err
		}
	}
	s.logger().Info("portal set up: events bound, lines registered", slog.String("member_id", p.MemberID), slog.Int("lines", len(lines)))
	return nil
}

// All re-binds the events and re-syncs the lines of every installed
// portal (at start), so a changed configuration (lines, public URL)
// reaches the portals without a reinstall. Failures are logged.
func (s *PortalSetup) All(ctx context.Context, st callbackline.PortalStore) {
	portals, err := st.Portals(ctx)
	if err != nil {
		s.logger().Warn("listing portals for the line sync failed", slog.Any("err", err))
		return
	}
	for _, p := range portals {
		if ctx.Err() != nil {
			return
		}
		if p.Status != callbackline.PortalInstalled {
			continue
		}
		if err := s.Portal(ctx, p); err != nil {
			s.logger().Warn("syncing a portal's events and lines failed", slog.String("member_id", p.MemberID), slog.Any("err", err))
		}
	}
}

// CheckDialer checks a portal's lines against the portal before they are
// saved: a from_line must not be one of the application's own lines in
// the portal (Bitrix24 would send the request back instead of dialling,
// docs/bitrix24.md §7.1) and must be one of the portal's own Bitrix24
// lines when the portal lists them. What the portal cannot answer is not
// held against the lines (the start says it later).
func (s *PortalSetup) CheckDialer(ctx context.Context, p *callbackline.Portal, lines []callbackline.Line) error {
	if !slices.ContainsFunc(lines, func(l callbackline.Line) bool { return l.FromLine != "" }) {
		return nil
	}
	var errs []error
	bad := map[int]bool{}
	if own, err := s.CRM.Lines(ctx, p); err == nil {
		for i, l := range lines {
			if l.FromLine != "" && slices.ContainsFunc(own, func(o bitrix24.Line) bool { return o.Number == l.FromLine }) {
				bad[i] = true
				errs = append(errs, &callbackline.InputError{Key: fmt.Sprintf("lines[%d].from_line", i), Code: "from_line_own", Args: []string{l.FromLine},
					Text: fmt.Sprintf("lines[%d].from_line: %q is one of callbackline's own lines in the portal: Bitrix24 would not dial but send the request back; choose one of the portal's own Bitrix24 lines", i, l.FromLine)})
			}
		}
	}
	vox, err := s.CRM.PortalLines(ctx, p)
	if err != nil {
		return errors.Join(errs...)
	}
	ids := make([]string, 0, len(vox))
	for _, v := range vox {
		ids = append(ids, v.ID)
	}
	for i, l := range lines {
		if l.FromLine != "" && !bad[i] && !slices.Contains(ids, l.FromLine) {
			errs = append(errs, &callbackline.InputError{Key: fmt.Sprintf("lines[%d].from_line", i), Code: callbackline.InputNoSuchLine,
				Args: []string{l.FromLine, strings.Join(ids, ", ")},
				Text: fmt.Sprintf("lines[%d].from_line: Bitrix24 has no line %q; the portal's own lines are: %s", i, l.FromLine, strings.Join(ids, ", "))})
		}
	}
	return errors.Join(errs...)
}
