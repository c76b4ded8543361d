package bitrix24_test

import (
	"context"
	"errors"
	"testing"

	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

// CurrentUser names the owner of a frame's access token; IsAdmin says
// whether they administer the portal; a token the portal does not know is
// an *APIError for both.
func TestCurrentUserAndIsAdmin(t *testing.T) {
	p := bitrix24test.New(bitrix24test.Options{})
	defer p.Close()
	p.InstallEvent()
	p.SetUser(bitrix24test.User{ID: 7, Name: "Anna", LastName: "Schmidt", Active: true, Admin: true})
	p.SetUser(bitrix24test.User{ID: 8, Name: "Ivan", Active: true})
	ctx := context.Background()
	o := p.OAuth()
	for _, c := range []struct {
		id    int64
		name  string
		admin bool
	}{{7, "Anna Schmidt", true}, {8, "Ivan", false}} {
		tok := p.IssueTokens(c.id).AccessToken
		u, err := o.CurrentUser(ctx, p.RESTEndpoint(), tok)
		if err != nil || int64(u.ID) != c.id || u.FullName() != c.name {
			t.Errorf("user %d: %+v, %v", c.id, u, err)
		}
		admin, err := o.IsAdmin(ctx, p.RESTEndpoint(), tok)
		if err != nil || admin != c.admin {
			t.Errorf("user %d: admin %v, %v", c.id, admin, err)
		}
	}
	var ae *bitrix24.APIError
	if _, err := o.CurrentUser(ctx, p.RESTEndpoint(), "not-a-token"); !errors.As(err, &ae) {
		t.Errorf("an unknown token: %v, want an *APIError", err)
	}
	if _, err := o.IsAdmin(ctx, p.RESTEndpoint(), "not-a-token"); !errors.As(err, &ae) {
		t.Errorf("IsAdmin with an unknown token: %v, want an *APIError", err)
	}
}
