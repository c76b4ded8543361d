package web

import (
	"net"
	"net/http"
	"net/netip"
	"sync"

	"golang.org/x/time/rate"
)

// Installation requests are checked at the OAuth server with the
// application's client id and secret. Anybody can post them, so the checks
// are rate limited: a flood of forged ones must not make callbackline
// hammer the OAuth server in the application's name (which could get the
// application blocked for every portal). Genuine installations are rare.
//
// The checks are limited per source, so that a flood of
// forged installations from one source empties only that source's bucket
// and genuine installations from elsewhere (Bitrix24's servers, an
// administrator's browser) still go through; a global ceiling above that
// keeps many sources together from hammering the OAuth server.
const (
	verifyRate       = 2   // checks per second and source, sustained
	verifyBurst      = 20  // checks at once per source
	verifyGlobalRate = 20  // checks per second in all
	verifyGlobalMax  = 100 // checks at once in all
	maxSources       = 4096
)

// sourceLimits are the installation checks' token buckets: one per source
// (an IPv4 address, an IPv6 /64) and one for all. The map holds at most
// maxSources buckets; full ones (idle sources) are dropped first.
type sourceLimits struct {
	all *rate.Limiter

	mu      sync.Mutex
	sources map[netip.Prefix]*rate.Limiter
}

func newSourceLimits() *sourceLimits {
	return &sourceLimits{all: rate.NewLimiter(verifyGlobalRate, verifyGlobalMax), sources: map[netip.Prefix]*rate.Limiter{}}
}

// allow takes a check for the request's source, then from the global
// ceiling: a source over its limit never uses up the others' share.
func (l *sourceLimits) allow(r *http.Request) bool {
	return l.source(sourceOf(r)).Allow() && l.all.Allow()
}

// source returns the bucket of a source, making room when the map is full.
func (l *sourceLimits) source(key netip.Prefix) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.sources[key]; ok {
		return b
	}
	if len(l.sources) >= maxSources {
		for k, b := range l.sources {
			if b.Tokens() >= verifyBurst {
				delete(l.sources, k)
			}
		}
		if len(l.sources) >= maxSources {
			// Every bucket is in use: a flood from many sources. They
			// share one bucket until some fill up again.
			key = netip.Prefix{}
			if b, ok := l.sources[key]; ok {
				return b
			}
		}
	}
	b := rate.NewLimiter(verifyRate, verifyBurst)
	l.sources[key] = b
	return b
}

// sourceOf is the request's source network: its IPv4 address, or the /64
// of its IPv6 address (one host holds a whole /64).
func sourceOf(r *http.Request) netip.Prefix {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Prefix{}
	}
	a = a.Unmap()
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, _ := a.Prefix(bits)
	return p
}
