package web

import (
	"context"
	"sync"
	"time"

	"github.com/callbackline/callbackline"
)

// portalCache keeps the portals the intake authenticates events against for
// a short while: every event needs its portal, and a burst of events from
// one portal should not read the same row for each. Installation and
// uninstallation through this server forget the entry at once; a change
// made by another instance is seen within the TTL.
type portalCache struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[string]portalEntry
}

type portalEntry struct {
	p  *callbackline.Portal
	at time.Time
}

// maxCachedPortals bounds the cache; it is emptied when full.
const maxCachedPortals = 10000

func newPortalCache(ttl time.Duration, now func() time.Time) *portalCache {
	return &portalCache{ttl: ttl, now: now, m: map[string]portalEntry{}}
}

// get returns the portal from the cache or the store. Only found portals
// are cached, so an unknown member id always reaches the store.
func (c *portalCache) get(ctx context.Context, st callbackline.PortalStore, memberID string) (*callbackline.Portal, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.m[memberID]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		return e.p, nil
	}
	p, err := st.Portal(ctx, memberID)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= maxCachedPortals {
		c.m = map[string]portalEntry{}
	}
	c.m[memberID] = portalEntry{p: p, at: now}
	c.mu.Unlock()
	return p, nil
}

// forget drops a portal, after this server changed it.
func (c *portalCache) forget(memberID string) {
	c.mu.Lock()
	delete(c.m, memberID)
	c.mu.Unlock()
}
