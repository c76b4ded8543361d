package bitrix24_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

func newOAuth(p *bitrix24test.Portal) *bitrix24.OAuth {
	return p.OAuth()
}

func TestOAuthRefreshRotates(t *testing.T) {
	p := bitrix24test.New(bitrix24test.Options{})
	defer p.Close()
	ctx := context.Background()
	first := p.InstallEvent()
	rt := first.Get("auth[refresh_token]")
	o := newOAuth(p)

	tok, err := o.Refresh(ctx, rt)
	if err != nil {
		t.Fatal(err)
	}
	if tok.AccessToken == "" || tok.RefreshToken == "" || tok.RefreshToken == rt {
		t.Fatalf("no new pair: %v", tok)
	}
	if tok.MemberID != p.MemberID() || tok.ClientEndpoint != p.RESTEndpoint() || tok.UserID != 1 || tok.Status != "L" {
		t.Fatalf("token: %+v", tok)
	}
	if d := time.Until(tok.ExpiresAt); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("expires in %s", d)
	}
	ts := tok.Tokens()
	if ts.Domain != p.Host() || ts.ClientEndpoint != p.RESTEndpoint() || ts.RefreshToken != tok.RefreshToken {
		t.Errorf("Tokens(): %+v", ts)
	}
	if strings.Contains(tok.String(), tok.AccessToken) || strings.Contains(tok.String(), tok.RefreshToken) {
		t.Errorf("String() shows a secret: %s", tok)
	}

	// The used refresh token is dead: invalid_grant, and that means reinstall.
	_, err = o.Refresh(ctx, rt)
	var oe *bitrix24.OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_grant" || !oe.NeedsReinstall() || !bitrix24.NeedsReinstall(err) {
		t.Fatalf("reused refresh token: %v", err)
	}
	// The new one works.
	if _, err := o.Refresh(ctx, tok.RefreshToken); err != nil {
		t.Fatal(err)
	}
}

func TestOAuthErrors(t *testing.T) {
	p := bitrix24test.New(bitrix24test.Options{})
	defer p.Close()
	ctx := context.Background()
	rt := p.InstallEvent().Get("auth[refresh_token]")

	bad := newOAuth(p)
	bad.ClientSecret = "wrong"
	_, err := bad.Refresh(ctx, rt)
	var oe *bitrix24.OAuthError
	if !errors.As(err, &oe) || oe.Code != "invalid_client" || oe.NeedsReinstall() || oe.HTTPStatus != 401 {
		t.Fatalf("wrong secret: %v", err)
	}
	if strings.Contains(err.Error(), "wrong") {
		t.Errorf("error shows the secret: %v", err)
	}

	p.SetPaymentRequired(true)
	_, err = newOAuth(p).Refresh(ctx, rt)
	if !errors.As(err, &oe) || oe.Code != "PAYMENT_REQUIRED" || !oe.NeedsReinstall() {
		t.Fatalf("payment required: %v", err)
	}

	// The secret went to the OAuth server and nowhere else.
	for _, r := range p.Requests() {
		if r.Server != "oauth" && (strings.Contains(r.Query.Encode(), p.ClientSecret()) || strings.Contains(r.Body, p.ClientSecret())) {
			t.Errorf("client secret sent to %s %s", r.Host, r.Path)
		}
	}
	for _, r := range p.OAuthRequests() {
		if r.Path != "/oauth/token/" || r.HTTPMethod != "GET" || r.Query.Get("grant_type") != "refresh_token" {
			t.Errorf("oauth request %s %s %v", r.HTTPMethod, r.Path, r.Query)
		}
		if !strings.HasPrefix(r.Header.Get("User-Agent"), "callbackline/") {
			t.Errorf("User-Agent %q", r.Header.Get("User-Agent"))
		}
	}
}

func TestOAuthValidatesAnswer(t *testing.T) {
	answers := map[string]string{
		"no member":       `{"access_token":"a","refresh_token":"r","client_endpoint":"https://x.bitrix24.de/rest/"}`,
		"no refresh":      `{"access_token":"a","member_id":"m","client_endpoint":"https://x.bitrix24.de/rest/"}`,
		"relative":        `{"access_token":"a","refresh_token":"r","member_id":"m","client_endpoint":"/rest/"}`,
		"not http":        `{"access_token":"a","refresh_token":"r","member_id":"m","client_endpoint":"ftp://x.bitrix24.de/rest/"}`,
		"not rest":        `{"access_token":"a","refresh_token":"r","member_id":"m","client_endpoint":"https://x.bitrix24.de/"}`,
		"not json":        `<html>`,
		"error no status": `{"error":"invalid_grant","error_description":"Invalid grant"}`,
	}
	for name, body := range answers {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(body)) }))
			defer srv.Close()
			o := &bitrix24.OAuth{Server: srv.URL, ClientID: "id", ClientSecret: "s3cr3t"}
			_, err := o.Refresh(context.Background(), "rt")
			var oe *bitrix24.OAuthError
			if !errors.As(err, &oe) {
				t.Fatalf("err %v", err)
			}
		})
	}
	// A redirect is not followed: it would carry the secret elsewhere.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("redirect followed to %s", r.URL)
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	defer srv.Close()
	o := &bitrix24.OAuth{Server: srv.URL + "/", ClientID: "id", ClientSecret: "s3cr3t"}
	if _, err := o.Refresh(context.Background(), "rt"); err == nil {
		t.Fatal("redirect accepted")
	}
	// Timeouts apply, and errors do not show the URL's secrets.
	// The server answers only once the client has given up, so the client's
	// timeout is the only way out, however slow the machine.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer slow.Close()
	o = &bitrix24.OAuth{Server: slow.URL, ClientID: "id", ClientSecret: "s3cr3t", Timeout: 50 * time.Millisecond}
	_, err := o.Refresh(context.Background(), "refresh-secret")
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "refresh-secret") {
		t.Fatalf("timeout error: %v", err)
	}
}
