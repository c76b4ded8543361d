package bitrix24

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
)

// The offline safety net (off by default). Events are delivered online at
// most once and a lost delivery is never repeated (docs/bitrix24.md §1.3). As a
// safety net the telephony events can also be bound as offline events,
// which the portal keeps in a queue that the application polls
// (event.offline.get with clear=0 to reserve, event.offline.clear to
// confirm, docs/bitrix24.md §1.5). An event seen on both paths reaches the intake
// twice; the intake's de-duplication (same portal, number and CRM entity
// within a window) folds them into one.
//
// Whether Bitrix24 queues telephony events for offline handlers at all is
// not confirmed (docs/bitrix24.md §12): on a real portal this may never yield an
// event. It costs one request per portal and interval.

// OfflineEvents are the events bound offline by the safety net.
var OfflineEvents = []string{"ONEXTERNALCALLBACKSTART", "ONEXTERNALCALLSTART"}

// OfflineEvent is one entry of the portal's offline queue.
type OfflineEvent struct {
	ID         ID              `json:"ID"`
	Timestamp  Text            `json:"TIMESTAMP_X"`
	Name       Text            `json:"EVENT_NAME"`
	Data       json.RawMessage `json:"EVENT_DATA"`
	Additional json.RawMessage `json:"EVENT_ADDITIONAL"`
	MessageID  Text            `json:"MESSAGE_ID"`
}

// Event turns the entry into an Event as the online path would have
// delivered it, with the auth part taken from the stored portal (the
// entry came over the portal's own authenticated REST API).
func (e *OfflineEvent) Event(p *callbackline.Portal) (*Event, error) {
	data := e.Data
	if len(data) == 0 || data[0] != '{' {
		data = json.RawMessage("{}")
	}
	var ts int64
	if t, err := time.Parse(time.RFC3339, string(e.Timestamp)); err == nil {
		ts = t.Unix()
	}
	body, err := json.Marshal(map[string]any{
		"event": strings.ToUpper(string(e.Name)), "event_handler_id": "0", "data": data, "ts": strconv.FormatInt(ts, 10),
		"auth": map[string]string{"member_id": p.MemberID, "domain": p.Domain, "client_endpoint": p.ClientEndpoint,
			"application_token": p.ApplicationToken},
	})
	if err != nil {
		return nil, err
	}
	return ParseEvent("application/json", body)
}

// BindOfflineEvents binds OfflineEvents as offline events (needs the
// administrator's tokens), skipping those already bound.
func (c *Client) BindOfflineEvents(ctx context.Context, p *callbackline.Portal) error {
	hs, err := c.EventHandlers(ctx, p)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, h := range hs {
		if bool(h.Offline) {
			have[strings.ToUpper(string(h.Event))] = true
		}
	}
	for _, ev := range OfflineEvents {
		if have[ev] {
			continue
		}
		err := c.Call(ctx, p, "event.bind", map[string]any{"event": ev, "event_type": "offline"}, nil)
		if err != nil && !errors.Is(err, ErrAlreadyBound) {
			return fmt.Errorf("binding %s offline: %w", ev, err)
		}
	}
	return nil
}

// FetchOfflineEvents reserves up to limit queued events (clear=0) and
// returns the reservation's process id ("" when nothing was queued).
func (c *Client) FetchOfflineEvents(ctx context.Context, p *callbackline.Portal, limit int) (string, []OfflineEvent, error) {
	if limit <= 0 || limit > 50 {
		limit = 50
	}
	var r struct {
		ProcessID Text           `json:"process_id"`
		Events    []OfflineEvent `json:"events"`
	}
	err := c.Call(ctx, p, "event.offline.get", map[string]any{"clear": 0, "limit": limit}, &r)
	return string(r.ProcessID), r.Events, err
}

// ClearOfflineEvents confirms reserved events: all of the process, or only
// the given message ids.
func (c *Client) ClearOfflineEvents(ctx context.Context, p *callbackline.Portal, processID string, messageIDs ...string) error {
	m := map[string]any{"process_id": processID}
	if len(messageIDs) > 0 {
		m["message_id"] = messageIDs
	}
	return c.Call(ctx, p, "event.offline.clear", m, nil)
}

// OfflinePoller polls the offline queue of every installed portal and
// hands each event to Handle: the same intake as the online path
// (intake.Intake.TakeRequest).
type OfflinePoller struct {
	Client   *Client
	Portals  func(ctx context.Context) ([]*callbackline.Portal, error)
	Handle   func(ctx context.Context, p *callbackline.Portal, ev *Event) error
	Interval time.Duration // 0: one minute
}

// PollOnce polls every installed portal once. Events whose handling
// failed stay reserved and unconfirmed; the others are confirmed.
func (o *OfflinePoller) PollOnce(ctx context.Context) error {
	portals, err := o.Portals(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, p := range portals {
		if p.Status != callbackline.PortalInstalled {
			continue
		}
		if err := o.pollPortal(ctx, p); err != nil {
			errs = append(errs, fmt.Errorf("portal %s: %w", p.MemberID, err))
		}
	}
	return errors.Join(errs...)
}

func (o *OfflinePoller) pollPortal(ctx context.Context, p *callbackline.Portal) error {
	pid, evs, err := o.Client.FetchOfflineEvents(ctx, p, 50)
	if err != nil || pid == "" || len(evs) == 0 {
		return err
	}
	var done []string
	var errs []error
	for i := range evs {
		ev, err := evs[i].Event(p)
		if err == nil {
			err = o.Handle(ctx, p, ev)
		}
		if err != nil {
			errs = append(errs, err)
			continue
		}
		done = append(done, string(evs[i].MessageID))
	}
	if len(done) > 0 {
		if err := o.Client.ClearOfflineEvents(ctx, p, pid, done...); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Run polls until ctx ends.
func (o *OfflinePoller) Run(ctx context.Context) error {
	iv := o.Interval
	if iv <= 0 {
		iv = time.Minute
	}
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		if err := o.PollOnce(ctx); err != nil && ctx.Err() == nil {
			o.Client.logger().Warn("bitrix24 offline events", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
