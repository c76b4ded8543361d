package bitrix24_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

// TestPresence: the portal's answers that prove the application gone
// (app.info, tokens refused as revoked) and the ones that prove nothing
// (5xx, PAYMENT_REQUIRED, a refusal that came before, an old pair).
func TestPresence(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name   string
		before func(*fixture, *callbackline.Portal)
		want   bitrix24.Presence
	}{
		{"installed", func(*fixture, *callbackline.Portal) {}, bitrix24.Installed},
		{"uninstalled: tokens revoked", func(f *fixture, _ *callbackline.Portal) { f.sim.Uninstall(ctx, false) }, bitrix24.NotInstalled},
		{"503", func(f *fixture, _ *callbackline.Portal) {
			f.sim.InjectFault("app.info", bitrix24test.Fault{Status: http.StatusServiceUnavailable, Times: 1})
		}, bitrix24.PresenceUnknown},
		{"timeout", func(f *fixture, _ *callbackline.Portal) {
			f.client.Timeout = 50 * time.Millisecond
			f.sim.InjectFault("app.info", bitrix24test.Fault{Delay: time.Second, Times: 1})
		}, bitrix24.PresenceUnknown},
		{"PAYMENT_REQUIRED at the OAuth server", func(f *fixture, _ *callbackline.Portal) {
			f.sim.SetPaymentRequired(true)
			f.sim.Advance(2 * time.Hour)
		}, bitrix24.PresenceUnknown},
		{"PAYMENT_REQUIRED from app.info", func(f *fixture, _ *callbackline.Portal) {
			f.sim.InjectFault("app.info", bitrix24test.Fault{Status: http.StatusPaymentRequired, Code: "PAYMENT_REQUIRED", Times: 1})
		}, bitrix24.PresenceUnknown},
		{"refresh token refused, pair older than its shortest life", func(f *fixture, p *callbackline.Portal) {
			p.ExpiresAt = time.Now().Add(-60 * 24 * time.Hour)
			f.sim.RevokeTokens()
		}, bitrix24.PresenceUnknown},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, bitrix24test.Options{})
			f.sim.FinishInstall()
			p := f.portal(t)
			c.before(f, p)
			got, err := f.client.Presence(ctx, p)
			if got != c.want {
				t.Fatalf("Presence = %s (%v), want %s", got, err, c.want)
			}
			if (got == bitrix24.PresenceUnknown) != (err != nil) {
				t.Errorf("Presence = %s with error %v", got, err)
			}
		})
	}
}

// TestPresenceAsksAgain: a portal flagged for reinstallation is asked
// again, not answered from the client's memory: PAYMENT_REQUIRED still
// proves nothing; once the application really is gone the refused tokens
// prove it.
func TestPresenceAsksAgain(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, bitrix24test.Options{})
	f.sim.FinishInstall()
	f.sim.SetPaymentRequired(true)
	f.sim.Advance(2 * time.Hour)
	if _, err := f.client.TimemanStatus(ctx, f.portal(t), 1); !bitrix24.NeedsReinstall(err) {
		t.Fatalf("PAYMENT_REQUIRED: %v", err)
	}
	p := f.portal(t)
	if p.Status != callbackline.PortalReinstall {
		t.Fatalf("status %s", p.Status)
	}
	n := len(f.sim.OAuthRequests())
	if got, err := f.client.Presence(ctx, p); got != bitrix24.PresenceUnknown || err == nil {
		t.Fatalf("Presence with PAYMENT_REQUIRED = %s (%v)", got, err)
	}
	if len(f.sim.OAuthRequests()) == n {
		t.Fatal("Presence answered from memory: the OAuth server was not asked")
	}
	f.sim.Uninstall(ctx, false)
	if got, err := f.client.Presence(ctx, f.portal(t)); got != bitrix24.NotInstalled {
		t.Fatalf("Presence after the uninstallation = %s (%v)", got, err)
	}
}

// TestPresenceNotInstalled: app.info's INSTALLED false (the installation
// was never finished) is proof.
func TestPresenceNotInstalled(t *testing.T) {
	sim := bitrix24test.New(bitrix24test.Options{})
	t.Cleanup(sim.Close)
	fr := sim.InstallFrame()
	p := &callbackline.Portal{MemberID: fr.MemberID, ClientEndpoint: sim.RESTEndpoint(), AccessToken: fr.AuthID,
		RefreshToken: fr.RefreshID, ExpiresAt: time.Now().Add(time.Hour), Status: callbackline.PortalInstalled}
	c := bitrix24.NewClient(sim.OAuth(), nil)
	if got, err := c.Presence(context.Background(), p); got != bitrix24.NotInstalled || err != nil {
		t.Fatalf("Presence = %s (%v), want not installed", got, err)
	}
}
