package bitrix24test

import (
	"context"
	"testing"

	"github.com/callbackline/callbackline/bitrix24"
)

// TestOAuthHub: one OAuth server answers for each portal with that
// portal's own answer, and refuses a token no portal issued.
func TestOAuthHub(t *testing.T) {
	a, b := New(Options{}), New(Options{})
	defer a.Close()
	defer b.Close()
	hub := NewOAuthHub(a)
	defer hub.Close()
	hub.Add(b)
	o := &bitrix24.OAuth{Server: hub.URL(), ClientID: a.ClientID(), ClientSecret: a.ClientSecret(), AllowNetworks: Loopback}
	ctx := context.Background()
	for _, p := range []*Portal{a, b} {
		tok, err := o.Refresh(ctx, p.InstallEnvelope().Auth.RefreshToken)
		if err != nil {
			t.Fatalf("refresh through the hub: %v", err)
		}
		if tok.MemberID != p.MemberID() || tok.ClientEndpoint != p.RESTEndpoint() {
			t.Errorf("answer for %s names %s at %s", p.MemberID(), tok.MemberID, tok.ClientEndpoint)
		}
		if p.Refreshes() != 1 {
			t.Errorf("portal %s saw %d refreshes, want 1", p.MemberID(), p.Refreshes())
		}
	}
	if _, err := o.Refresh(ctx, "0123456789abcdef"); !bitrix24.NeedsReinstall(err) {
		t.Errorf("unknown refresh token: %v, want invalid_grant", err)
	}
}
