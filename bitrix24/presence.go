package bitrix24

import (
	"context"
	"errors"
	"time"

	"github.com/callbackline/callbackline"
)

// Presence is what a portal says about the application.
type Presence int

// What a portal can say about the application.
const (
	// PresenceUnknown: no answer that proves anything (a 5xx, a timeout,
	// PAYMENT_REQUIRED, an unknown error, or tokens that were refused
	// before).
	PresenceUnknown Presence = iota
	// Installed: app.info says the application is installed.
	Installed
	// NotInstalled: app.info says it is not, or the portal and the OAuth
	// server refuse the stored tokens as revoked.
	NotInstalled
)

func (p Presence) String() string {
	switch p {
	case Installed:
		return "installed"
	case NotInstalled:
		return "not installed"
	}
	return "unknown"
}

// youngPair is how long after its issue a refused refresh token still
// proves a revocation: the shortest lifetime the documents give a refresh
// token is 28 days (docs/bitrix24.md §3.2); an older one may simply have
// expired.
const youngPair = 27 * 24 * time.Hour

// Presence asks the portal, with its stored tokens at its stored
// endpoint, whether the application is still installed (docs/bitrix24.md
// §2.4, §2.5, §3.3). It is NotInstalled only on proof: app.info answers
// INSTALLED false; the portal refuses the access token (invalid_token
// after a refresh, NO_AUTH_FOUND); or the OAuth server refuses a refresh
// token issued less than 27 days ago (invalid_grant). Anything else is
// PresenceUnknown with the error: a 5xx answer is not replayed here, the
// caller asks again later. The client's memory of an earlier refusal is
// not an answer: the portal is asked again. With err nil the answer is
// Installed or NotInstalled.
func (c *Client) Presence(ctx context.Context, p *callbackline.Portal) (Presence, error) {
	if p != nil && p.Status == callbackline.PortalReinstall {
		// The refusal the client remembers came before this question.
		c.Forget(p.MemberID)
		q := *p
		q.Status = callbackline.PortalInstalled
		p = &q
	}
	var info AppInfo
	err := c.Call(ctx, p, "app.info", nil, &info, ReplaySafe(false))
	if err == nil {
		if info.Installed {
			return Installed, nil
		}
		return NotInstalled, nil
	}
	var oe *OAuthError
	if errors.As(err, &oe) && oe.Code == OAuthInvalidGrant && time.Since(p.ExpiresAt.Add(-time.Hour)) < youngPair {
		return NotInstalled, nil
	}
	var ae *APIError
	if errors.As(err, &ae) && (errors.Is(ae, ErrInvalidToken) || errors.Is(ae, ErrNoAuth)) {
		return NotInstalled, nil
	}
	return PresenceUnknown, err
}
