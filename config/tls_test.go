package config

import (
	"errors"
	"strings"
	"testing"
)

// TestTLSChecks: each mistake in the tls section names its key and says
// what to do; a good section loads.
func TestTLSChecks(t *testing.T) {
	cases := []struct {
		env       []string
		key, says string
	}{
		{[]string{"CALLBACKLINE_TLS_CERT_FILE=/c.pem"}, "tls.key_file", "privkey.pem"},
		{[]string{"CALLBACKLINE_TLS_KEY_FILE=/k.pem"}, "tls.cert_file", "fullchain.pem"},
		{[]string{"CALLBACKLINE_TLS_CERT_FILE=/c.pem", "CALLBACKLINE_TLS_KEY_FILE=/k.pem", "CALLBACKLINE_TLS_ACME_DOMAINS=cb.example.com"},
			"tls.acme.domains", "either certificate files or ACME"},
		{[]string{"CALLBACKLINE_TLS_ACME_DOMAINS=cb.example.com,https://cb.example.com"}, "tls.acme.domains", `entry 1 ("https://cb.example.com") is not a host name`},
		{[]string{"CALLBACKLINE_TLS_ACME_DOMAINS=*.example.com"}, "tls.acme.domains", "no scheme, port, IP address or wildcard"},
		{[]string{"CALLBACKLINE_TLS_ACME_DOMAINS=203.0.113.5"}, "tls.acme.domains", "is not a host name"},
		{[]string{"CALLBACKLINE_TLS_ACME_DOMAINS=localhost"}, "tls.acme.domains", "is not a host name"},
		{[]string{"CALLBACKLINE_TLS_ACME_EMAIL=ops"}, "tls.acme.email", `"ops" is not an email address`},
		{[]string{"CALLBACKLINE_TLS_ACME_DIRECTORY=http://acme.example.com/dir"}, "tls.acme.directory", "must use https"},
		{[]string{"CALLBACKLINE_TLS_REDIRECT_LISTEN=:80"}, "tls.redirect_listen", "HTTPS is off"},
		{[]string{"CALLBACKLINE_TLS_REDIRECT_LISTEN=80", "CALLBACKLINE_TLS_ACME_DOMAINS=cb.example.com"}, "tls.redirect_listen", "is not host:port"},
		{[]string{"CALLBACKLINE_LISTEN=:443", "CALLBACKLINE_TLS_REDIRECT_LISTEN=127.0.0.1:443", "CALLBACKLINE_TLS_ACME_DOMAINS=cb.example.com"},
			"tls.redirect_listen", "has the port of listen"},
	}
	for _, c := range cases {
		_, err := Load("", c.env)
		var ce *Error
		if !errors.As(err, &ce) || ce.Key != c.key || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%v: got %v, want an error of %s saying %q", c.env, err, c.key, c.says)
		}
	}
	c, err := Load("", []string{"CALLBACKLINE_LISTEN=:443", "CALLBACKLINE_TLS_REDIRECT_LISTEN=:80",
		"CALLBACKLINE_TLS_CERT_FILE=/etc/callbackline/tls/fullchain.pem", "CALLBACKLINE_TLS_KEY_FILE=/etc/callbackline/tls/privkey.pem",
		"CALLBACKLINE_DATA_DIR=/var/lib/callbackline"})
	if err != nil {
		t.Fatal(err)
	}
	if !c.TLS.On() || c.ACMECacheDir() != "/var/lib/callbackline/acme" {
		t.Errorf("TLS on %v, ACME cache %s", c.TLS.On(), c.ACMECacheDir())
	}
	if d := Default(); d.TLS.On() {
		t.Error("HTTPS is on by default")
	}
}
