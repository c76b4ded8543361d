package bitrix24_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

// listener is an HTTP server that counts what reaches it and fails the
// test for every request: nothing may be sent there.
type listener struct {
	*httptest.Server
	hits atomic.Int64
}

func newListener(t *testing.T, tls bool) *listener {
	l := &listener{}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.hits.Add(1)
		t.Errorf("a request reached %s: %s %s", r.Host, r.Method, r.URL.Path)
		w.Write([]byte(`{"result":true}`))
	})
	if tls {
		l.Server = httptest.NewTLSServer(h)
	} else {
		l.Server = httptest.NewServer(h)
	}
	t.Cleanup(l.Close)
	return l
}

// oauthServer is a hostile or honest OAuth server: it accepts any refresh
// token and names whatever endpoint the test sets.
type oauthServer struct {
	*httptest.Server
	mu       sync.Mutex
	endpoint string
	n        int
}

func newOAuthServer(t *testing.T, endpoint string) *oauthServer {
	o := &oauthServer{endpoint: endpoint}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.n++
		n, ep := o.n, o.endpoint
		o.mu.Unlock()
		json.NewEncoder(w).Encode(map[string]any{
			"access_token": "access-" + string(rune('a'+n)), "refresh_token": "refresh-" + string(rune('a'+n)),
			"expires_in": 3600, "member_id": "m1", "client_endpoint": ep,
		})
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *oauthServer) set(endpoint string) {
	o.mu.Lock()
	o.endpoint = endpoint
	o.mu.Unlock()
}

func (o *oauthServer) refreshes() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.n
}

func (o *oauthServer) client(allow ...netip.Prefix) *bitrix24.OAuth {
	return &bitrix24.OAuth{Server: o.URL, ClientID: "id", ClientSecret: "s3cr3t", AllowNetworks: allow}
}

func TestPublicAddresses(t *testing.T) {
	// The whole list of addresses is netpolicy's (TestPublic); these are
	// representatives, through the endpoint check.
	refused := []string{"127.0.0.1", "::1", "10.0.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0",
		"fe80::1%eth0", "fd12:3456::1", "::ffff:127.0.0.1", "64:ff9b::a00:1", "2002:a00:1::1"}
	public := []string{"8.8.8.8", "93.184.216.34", "2a00:1450:4001::1", "::ffff:8.8.8.8"}
	o := &bitrix24.OAuth{}
	for _, a := range refused {
		host := a
		if strings.Contains(a, ":") {
			host = "[" + strings.ReplaceAll(a, "%", "%25") + "]"
		}
		err := o.CheckEndpoint(context.Background(), "https://"+host+"/rest/")
		var ee *bitrix24.EndpointError
		if !errors.As(err, &ee) {
			t.Errorf("%s accepted (%v)", a, err)
		}
	}
	for _, a := range public {
		host := a
		if strings.Contains(a, ":") {
			host = "[" + a + "]"
		}
		if err := o.CheckEndpoint(context.Background(), "https://"+host+"/rest/"); err != nil {
			t.Errorf("%s refused: %v", a, err)
		}
		if err := o.CheckEndpoint(context.Background(), "http://"+host+"/rest/"); err == nil {
			t.Errorf("plain http to %s accepted", a)
		}
	}
	// An allowed network takes both schemes; other private ones stay out.
	o.AllowNetworks = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	for _, ep := range []string{"https://10.2.3.4/rest/", "http://10.2.3.4/rest/", "http://[::ffff:10.2.3.4]/rest/"} {
		if err := o.CheckEndpoint(context.Background(), ep); err != nil {
			t.Errorf("%s refused with 10.0.0.0/8 allowed: %v", ep, err)
		}
	}
	for _, ep := range []string{"https://192.168.1.1/rest/", "http://127.0.0.1/rest/", "http://8.8.8.8/rest/"} {
		if err := o.CheckEndpoint(context.Background(), ep); err == nil {
			t.Errorf("%s accepted with only 10.0.0.0/8 allowed", ep)
		}
	}
}

// The OAuth server's answer names an internal address: the installation
// (Refresh, then IsAdmin) is refused with an *EndpointError, and nothing
// reaches a listener at that address.
func TestInternalEndpointRefused(t *testing.T) {
	plain := newListener(t, false)                                    // http://127.0.0.1:port
	secure := newListener(t, true)                                    // https://127.0.0.1:port
	named := strings.Replace(secure.URL, "127.0.0.1", "localhost", 1) // a name resolving to loopback
	for _, ep := range []string{plain.URL + "/rest/", secure.URL + "/rest/", named + "/rest/", "https://10.0.0.1/rest/", "https://[::ffff:127.0.0.1]:1/rest/"} {
		t.Run(ep, func(t *testing.T) {
			o := newOAuthServer(t, ep).client()
			tok, err := o.Refresh(context.Background(), "rt")
			var ee *bitrix24.EndpointError
			if !errors.As(err, &ee) || ee.Endpoint != ep || tok == nil {
				t.Fatalf("Refresh: %v, %v; want the token and an *EndpointError", tok, err)
			}
			if !strings.Contains(err.Error(), "allow_networks") {
				t.Errorf("the error does not say how to allow a network: %v", err)
			}
			// Even when asked, the portal is not contacted.
			if _, err := o.IsAdmin(context.Background(), ep, tok.AccessToken); !errors.As(err, &ee) {
				t.Errorf("IsAdmin: %v, want an *EndpointError", err)
			}
		})
	}
	if plain.hits.Load()+secure.hits.Load() != 0 {
		t.Fatal("a request reached the internal address")
	}
}

// A portal stored with an address the rule refuses (the name resolved
// elsewhere when it was stored: DNS rebinding) is not reached: the check
// holds as the connection is made.
func TestConnectionChecked(t *testing.T) {
	l := newListener(t, true)
	named := strings.Replace(l.URL, "127.0.0.1", "localhost", 1) + "/rest/"
	store := newMemStore()
	p := &callbackline.Portal{MemberID: "m1", ClientEndpoint: named, AccessToken: "a", RefreshToken: "r",
		ExpiresAt: time.Now().Add(time.Hour), Status: callbackline.PortalInstalled}
	store.put(p)
	c := bitrix24.NewClient(newOAuthServer(t, named).client(), store)
	c.MaxRetries = 1
	c.MaxBackoff = time.Millisecond
	_, err := c.AppInfo(context.Background(), p)
	var ee *bitrix24.EndpointError
	if !errors.As(err, &ee) {
		t.Fatalf("AppInfo: %v, want an *EndpointError", err)
	}
	if l.hits.Load() != 0 {
		t.Fatal("the request reached the loopback listener")
	}
}

// A redirect from the portal is never followed: the token does not reach
// the redirect's target, and the portal does not move while the OAuth
// server names the same address; when the OAuth server names a new
// address (a genuine rename), the portal moves there, not to the
// redirect's target.
func TestRedirectNeverMovesThePortal(t *testing.T) {
	var moved atomic.Int64
	renamed := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		moved.Add(1)
		w.Write([]byte(`{"result":{"ID":1,"INSTALLED":true}}`))
	}))
	t.Cleanup(renamed.Close)
	evil := newListener(t, false)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+r.URL.RequestURI(), http.StatusFound)
	}))
	t.Cleanup(front.Close)
	frontEP := front.URL + "/rest/"
	oauth := newOAuthServer(t, frontEP)
	store := newMemStore()
	p := &callbackline.Portal{MemberID: "m1", ClientEndpoint: frontEP, Domain: front.Listener.Addr().String(),
		AccessToken: "a", RefreshToken: "r", ExpiresAt: time.Now().Add(time.Hour), Status: callbackline.PortalInstalled}
	store.put(p)
	c := bitrix24.NewClient(oauth.client(bitrix24test.Loopback...), store)

	_, err := c.AppInfo(context.Background(), p)
	var re *bitrix24.RedirectError
	if !errors.As(err, &re) || re.Status != http.StatusFound {
		t.Fatalf("AppInfo: %v, want a *RedirectError", err)
	}
	if oauth.refreshes() != 1 {
		t.Errorf("%d refreshes; the OAuth server is asked once where the portal is", oauth.refreshes())
	}
	if got := store.get("m1"); got.ClientEndpoint != frontEP {
		t.Fatalf("the portal moved to %s on a redirect alone", got.ClientEndpoint)
	}

	// The portal really moved: the OAuth server names the new address.
	oauth.set(renamed.URL + "/rest/")
	p = store.get("m1")
	if _, err := c.AppInfo(context.Background(), p); err != nil {
		t.Fatalf("after the rename: %v", err)
	}
	if got := store.get("m1"); got.ClientEndpoint != renamed.URL+"/rest/" || got.Domain != renamed.Listener.Addr().String() || moved.Load() != 1 {
		t.Fatalf("stored %s %s, want %s/rest/ (%d calls there)", got.ClientEndpoint, got.Domain, renamed.URL, moved.Load())
	}
	if evil.hits.Load() != 0 {
		t.Fatal("the redirect's target was reached")
	}
}

// A moved portal whose new address is refused keeps its old address and
// its new token pair (the old one is used up).
func TestRenameToInternalAddressRefused(t *testing.T) {
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://10.0.0.1"+r.URL.RequestURI(), http.StatusFound)
	}))
	t.Cleanup(front.Close)
	frontEP := front.URL + "/rest/"
	oauth := newOAuthServer(t, "http://10.0.0.1/rest/")
	store := newMemStore()
	p := &callbackline.Portal{MemberID: "m1", ClientEndpoint: frontEP, AccessToken: "a", RefreshToken: "r",
		ExpiresAt: time.Now().Add(time.Hour), Status: callbackline.PortalInstalled}
	store.put(p)
	c := bitrix24.NewClient(oauth.client(bitrix24test.Loopback...), store)
	_, err := c.AppInfo(context.Background(), p)
	var ee *bitrix24.EndpointError
	if !errors.As(err, &ee) || callbackline.ErrorCode(err) != callbackline.EFORBIDDEN {
		t.Fatalf("AppInfo: %v, want an *EndpointError", err)
	}
	got := store.get("m1")
	if got.ClientEndpoint != frontEP || got.RefreshToken != "refresh-b" {
		t.Fatalf("stored %s with %s; want the old address with the new pair", got.ClientEndpoint, got.RefreshToken)
	}
}

// Error texts carry no more of a hostile answer than a short, clean code
// and description.
func TestErrorTextsAreShort(t *testing.T) {
	long := strings.Repeat("internal stack trace line\n", 200)
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": "BAD\r\nX-Injected: 1" + long, "error_description": long})
	}))
	t.Cleanup(portal.Close)
	store := newMemStore()
	p := &callbackline.Portal{MemberID: "m1", ClientEndpoint: portal.URL + "/rest/", AccessToken: "a", RefreshToken: "r",
		ExpiresAt: time.Now().Add(time.Hour), Status: callbackline.PortalInstalled}
	store.put(p)
	c := bitrix24.NewClient(&bitrix24.OAuth{AllowNetworks: bitrix24test.Loopback}, store)
	_, err := c.Lines(context.Background(), p)
	if err == nil || len(err.Error()) > 400 || strings.ContainsAny(err.Error(), "\r\n") {
		t.Fatalf("error text %d bytes: %q", len(err.Error()), err)
	}
	oauth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": "invalid_grant\n" + long, "error_description": long})
	}))
	t.Cleanup(oauth.Close)
	_, err = (&bitrix24.OAuth{Server: oauth.URL, ClientID: "id", ClientSecret: "s"}).Refresh(context.Background(), "rt")
	if err == nil || len(err.Error()) > 400 || strings.ContainsAny(err.Error(), "\r\n") {
		t.Fatalf("OAuth error text %d bytes: %q", len(err.Error()), err)
	}
}
