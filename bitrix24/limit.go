package bitrix24

import (
	"context"
	"time"

	"golang.org/x/time/rate"
)

// Limits is the leaky bucket of one portal (docs/bitrix24.md §4.5): Rate requests a
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

// limiter is a token bucket (golang.org/x/time/rate) equivalent to
// Bitrix24's leaky bucket: Burst requests at once, then Rate a second.
type limiter struct {
	lim *rate.Limiter // nil: no limit (Rate < 0)
}

func newLimiter(l Limits) *limiter {
	if l.Rate < 0 {
		return &limiter{}
	}
	if l.Burst <= 0 {
		l.Burst = 1
	}
	return &limiter{lim: rate.NewLimiter(rate.Limit(l.Rate), l.Burst)}
}

// wait blocks until a request may go out.
func (l *limiter) wait(ctx context.Context) error {
	if l.lim == nil {
		return ctx.Err()
	}
	return l.lim.Wait(ctx)
}

// empty drains the local bucket after the portal said its bucket is full
// (QUERY_LIMIT_EXCEEDED: another application shares it), so that the
// following requests go out at the drain rate.
func (l *limiter) empty() {
	if l.lim == nil {
		return
	}
	now := time.Now()
	if n := int(l.lim.TokensAt(now)); n > 0 {
		l.lim.ReserveN(now, n)
	}
}
