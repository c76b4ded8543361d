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
//
// Unknown member ids are remembered for the TTL as well, so that a forged
// event costs the same work (one store read per TTL) whether its member id
// is installed or not: the answer's timing does not tell them apart.
type portalCache struct {
	ttl  time.Duration
	now  func() time.Time
	mu   sync.Mutex
	m    map[string]portalEntry // found portals
	miss map[string]time.Time   // member ids the store did not know, and when
	gen  uint64                 // bumped by forget: a read begun before it is not cached
}

type portalEntry struct {
	p  *callbackline.Portal
	at time.Time
}

// maxCachedPortals bounds each of the two maps; a full map is emptied. The
// misses have their own map so that a flood of random member ids does not
// push out the installed portals.
const maxCachedPortals = 10000

func newPortalCache(ttl time.Duration, now func() time.Time) *portalCache {
	return &portalCache{ttl: ttl, now: now, m: map[string]portalEntry{}, miss: map[string]time.Time{}}
}

// get returns the portal from the cache or the store; an unknown member id
// is an ENOTFOUND error, also when it comes from the cache.
func (c *portalCache) get(ctx context.Context, st callbackline.PortalStore, memberID string) (*callbackline.Portal, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.m[memberID]
	missAt, missed := c.miss[memberID]
	gen := c.gen
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		return e.p, nil
	}
	if missed && now.Sub(missAt) < c.ttl {
		return nil, callbackline.Errorf(callbackline.ENOTFOUND, "no portal with this member id is installed")
	}
	p, err := st.Portal(ctx, memberID)
	found := err == nil
	if err != nil && callbackline.ErrorCode(err) != callbackline.ENOTFOUND {
		return nil, err
	}
	c.mu.Lock()
	// A forget since the read began means the row may have changed after
	// it was read: keep nothing, the next event reads it again.
	if c.gen == gen {
		if found {
			if len(c.m) >= maxCachedPortals {
				c.m = map[string]portalEntry{}
			}
			c.m[memberID] = portalEntry{p: p, at: now}
		} else {
			if len(c.miss) >= maxCachedPortals {
				c.miss = map[string]time.Time{}
			}
			c.miss[memberID] = now
		}
	}
	c.mu.Unlock()
	return p, err
}

// forget drops a portal, after this server changed it.
func (c *portalCache) forget(memberID string) {
	c.mu.Lock()
	delete(c.m, memberID)
	delete(c.miss, memberID)
	c.gen++
	c.mu.Unlock()
}
