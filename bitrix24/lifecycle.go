package bitrix24

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/callbackline/callbackline"
)

// AppEvents are the events callbackline binds after an installation: both
// telephony events (the newer core resolves callback lines only for
// applications that also handle ONEXTERNALCALLSTART, docs/bitrix24.md §9 item 9) and
// the uninstallation.
var AppEvents = []string{"ONEXTERNALCALLBACKSTART", "ONEXTERNALCALLSTART", "ONAPPUNINSTALL"}

// EventsPath is where callbackline receives events, under its public URL.
const EventsPath = "/bitrix24/events"

// EventsURL is the events handler address for a public base URL.
func EventsURL(publicURL string) string { return strings.TrimRight(publicURL, "/") + EventsPath }

// BoundHandler is one row of event.get.
type BoundHandler struct {
	Event    Text `json:"event"`
	Handler  Text `json:"handler"`
	AuthType ID   `json:"auth_type"` // 0: the triggering user
	Offline  Bool `json:"offline"`
}

// EventHandlers lists the application's bound handlers (event.get).
func (c *Client) EventHandlers(ctx context.Context, p *callbackline.Portal) ([]BoundHandler, error) {
	var hs []BoundHandler
	err := c.Call(ctx, p, "event.get", nil, &hs)
	return hs, err
}

// BindEvent binds an online handler; "Handler already binded" counts as
// success.
func (c *Client) BindEvent(ctx context.Context, p *callbackline.Portal, event, handler string) error {
	err := c.Call(ctx, p, "event.bind", map[string]any{"event": event, "handler": handler}, nil)
	if errors.Is(err, ErrAlreadyBound) {
		return nil
	}
	return err
}

// UnbindEvent removes an online handler bound without auth_type and
// returns how many handlers went.
func (c *Client) UnbindEvent(ctx context.Context, p *callbackline.Portal, event, handler string) (int, error) {
	var r struct {
		Count ID `json:"count"`
	}
	err := c.Call(ctx, p, "event.unbind", map[string]any{"event": event, "handler": handler, "auth_type": 0}, &r)
	return int(r.Count), err
}

// BindEvents makes AppEvents (and extra, e.g. EventCallEnd for a portal
// with a line on the Bitrix24 dialer) go to <publicURL>/bitrix24/events: it reads
// event.get, binds only what is missing, and unbinds the same events bound
// to another address of callbackline (a changed public URL), so each event
// arrives once. It returns the events it bound.
func (c *Client) BindEvents(ctx context.Context, p *callbackline.Portal, publicURL string, extra ...string) ([]string, error) {
	target := EventsURL(publicURL)
	hs, err := c.EventHandlers(ctx, p)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, h := range hs {
		if !bool(h.Offline) && string(h.Handler) == target {
			have[strings.ToUpper(string(h.Event))] = true
		}
	}
	var bound []string
	for _, ev := range append(append([]string(nil), AppEvents...), extra...) {
		if have[ev] {
			continue
		}
		if err := c.BindEvent(ctx, p, ev, target); err != nil {
			return bound, fmt.Errorf("binding %s: %w", ev, err)
		}
		bound = append(bound, ev)
	}
	for _, h := range hs {
		ev := strings.ToUpper(string(h.Event))
		if bool(h.Offline) || string(h.Handler) == target || !isAppEvent(ev) || !strings.HasSuffix(string(h.Handler), EventsPath) {
			continue
		}
		if _, err := c.UnbindEvent(ctx, p, ev, string(h.Handler)); err != nil {
			c.logger().Warn("bitrix24: unbinding a stale handler failed", "portal", p.MemberID, "event", ev, "err", err)
		}
	}
	return bound, nil
}

func isAppEvent(ev string) bool {
	for _, e := range append(AppEvents, EventCallEnd) {
		if e == ev {
			return true
		}
	}
	return false
}

// LineSync says what SyncLines changed.
type LineSync struct {
	Added, Updated, Deleted []string // line numbers
}

// SyncLines makes the application's external lines match lines (number,
// name, CRM_AUTO_CREATE): telephony.externalLine.get, then add and update.
// With prune, lines the configuration no longer has are deleted (a CRM form
// that still uses one falls back to nothing, so prune is a choice).
func (c *Client) SyncLines(ctx context.Context, p *callbackline.Portal, lines []Line, prune bool) (LineSync, error) {
	var res LineSync
	have, err := c.Lines(ctx, p)
	if err != nil {
		return res, err
	}
	byNumber := map[string]Line{}
	for _, l := range have {
		byNumber[l.Number] = l
	}
	want := map[string]bool{}
	for _, l := range lines {
		l.Number = strings.TrimSpace(l.Number)
		if l.Number == "" || want[l.Number] {
			continue
		}
		want[l.Number] = true
		cur, ok := byNumber[l.Number]
		switch {
		case !ok:
			if _, err := c.AddLine(ctx, p, l); err != nil && !errors.Is(err, ErrLineExists) {
				return res, fmt.Errorf("adding line %s: %w", l.Number, err)
			}
			res.Added = append(res.Added, l.Number)
		case cur.Name != l.Name || cur.CRMAutoCreate != l.CRMAutoCreate:
			if _, err := c.UpdateLine(ctx, p, l); err != nil {
				return res, fmt.Errorf("updating line %s: %w", l.Number, err)
			}
			res.Updated = append(res.Updated, l.Number)
		}
	}
	if prune {
		for _, l := range have {
			if want[l.Number] {
				continue
			}
			if err := c.DeleteLine(ctx, p, l.Number); err != nil && !errors.Is(err, ErrLineNotFound) {
				return res, fmt.Errorf("deleting line %s: %w", l.Number, err)
			}
			res.Deleted = append(res.Deleted, l.Number)
		}
	}
	return res, nil
}

// Setup does what follows a verified installation: the events (AppEvents
// and extra) bound to <publicURL>/bitrix24/events and the lines
// synchronised (not pruned). It
// is safe to run again: nothing is bound twice.
func (c *Client) Setup(ctx context.Context, p *callbackline.Portal, publicURL string, lines []Line, extra ...string) error {
	if _, err := c.BindEvents(ctx, p, publicURL, extra...); err != nil {
		return fmt.Errorf("bitrix24 setup of portal %s: %w", p.MemberID, err)
	}
	if _, err := c.SyncLines(ctx, p, lines, false); err != nil {
		return fmt.Errorf("bitrix24 setup of portal %s: %w", p.MemberID, err)
	}
	return nil
}

// AppInfo is app.info's answer (docs/bitrix24.md §2.5).
type AppInfo struct {
	ID             ID   `json:"ID"`
	Code           Text `json:"CODE"`
	Version        Text `json:"VERSION"`
	Status         Text `json:"STATUS"`
	Installed      Bool `json:"INSTALLED"`
	PaymentExpired Bool `json:"PAYMENT_EXPIRED"`
	Days           ID   `json:"DAYS"`
	LanguageID     Text `json:"LANGUAGE_ID"`
	License        Text `json:"LICENSE"`
}

// AppInfo returns the application's state on the portal.
func (c *Client) AppInfo(ctx context.Context, p *callbackline.Portal) (*AppInfo, error) {
	var a AppInfo
	if err := c.Call(ctx, p, "app.info", nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}
