package bitrix24

import (
	"context"
	"sync"
	"time"
)

// Limits is the leaky bucket of one portal (API.md §4.5): Rate requests a
// second drain the bucket, which holds Burst. A negative Rate turns the
// limiter off.
type Limits struct {
	Rate  float64
	Burst int
}

// The plans' limits: most plans 2 requests a second with a burst of 50;
// Enterprise 5 and 250.
var (
	DefaultLimits    = Limits{Rate: 2, Burst: 50}
	EnterpriseLimits = Limits{Rate: 5, Burst: 250}
)

// limiter is a token bucket equivalent to Bitrix24's leaky bucket: Burst
// requests at once, then Rate a second. Waiters are served in the order of
// their reservations.
type limiter struct {
	mu     sync.Mutex
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newLimiter(l Limits) *limiter {
	if l.Burst <= 0 {
		l.Burst = 1
	}
	return &limiter{rate: l.Rate, burst: float64(l.Burst), tokens: float64(l.Burst)}
}

func (l *limiter) advance(now time.Time) {
	if !l.last.IsZero() {
		l.tokens += now.Sub(l.last).Seconds() * l.rate
		if l.tokens > l.burst {
			l.tokens = l.burst
		}
	}
	l.last = now
}

// wait blocks until a request may go out.
func (l *limiter) wait(ctx context.Context) error {
	if l.rate < 0 {
		return ctx.Err()
	}
	l.mu.Lock()
	l.advance(time.Now())
	l.tokens--
	var d time.Duration
	if l.tokens < 0 {
		if l.rate == 0 {
			l.tokens++
			l.mu.Unlock()
			<-ctx.Done()
			return ctx.Err()
		}
		d = time.Duration(-l.tokens / l.rate * float64(time.Second))
	}
	l.mu.Unlock()
	if d == 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		l.tokens++ // give the reservation back
		l.mu.Unlock()
		return ctx.Err()
	}
}

// empty drains the local bucket after the portal said its bucket is full
// (QUERY_LIMIT_EXCEEDED: another application shares it), so that the
// following requests go out at the drain rate.
func (l *limiter) empty() {
	if l.rate < 0 {
		return
	}
	l.mu.Lock()
	l.advance(time.Now())
	if l.tokens > 0 {
		l.tokens = 0
	}
	l.mu.Unlock()
}
