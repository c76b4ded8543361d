package https

import (
	"context"
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/https/httpstest"
)

// TestCheck: a public address with a current certificate for its host,
// chaining to a trusted root, passes; http, another host's certificate,
// an expired one or an unknown CA fail with what to do.
func TestCheck(t *testing.T) {
	ca := httpstest.NewCA(t)
	serve := func(notBefore time.Time, names ...string) string {
		c, k := ca.Issue(t, 1, notBefore, names...)
		pair, err := tls.X509KeyPair(c, k)
		if err != nil {
			t.Fatal(err)
		}
		return serveTLS(t, ServerConfig(func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return &pair, nil }))
	}
	ctx := context.Background()
	good := serve(time.Now().Add(-time.Hour), "127.0.0.1")
	leaf, err := Check(ctx, "https://"+good+"/", ca.Pool)
	if err != nil || leaf == nil || leaf.SerialNumber.Int64() != 1 {
		t.Fatalf("a valid certificate: %v", err)
	}
	other := serve(time.Now().Add(-time.Hour), "cb.example.com")
	expired := serve(time.Now().Add(-48*time.Hour), "127.0.0.1")
	for what, c := range map[string]struct {
		url   string
		roots bool
		says  string
	}{
		"http":          {"http://" + good + "/", true, "is not https"},
		"another host":  {"https://" + other + "/", true, "no valid certificate for 127.0.0.1"},
		"expired":       {"https://" + expired + "/", true, "expired"},
		"unknown CA":    {"https://" + good + "/", false, "unknown authority"},
		"not listening": {"https://127.0.0.1:1/", true, "no valid certificate"},
	} {
		roots := ca.Pool
		if !c.roots {
			roots = httpstest.NewCA(t).Pool
		}
		if _, err := Check(ctx, c.url, roots); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want an error saying %q", what, err, c.says)
		}
	}
}
