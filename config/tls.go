package config

import (
	"net"
	"path/filepath"
	"strconv"
	"strings"
)

// LetsEncrypt is the ACME directory tls.acme.directory defaults to.
const LetsEncrypt = "https://acme-v02.api.letsencrypt.org/directory"

// TLS serves the HTTP side over HTTPS: with a certificate in files
// (cert_file, key_file: read again when they change, e.g. renewed by
// certbot) or with certificates obtained over ACME (acme.domains).
// Neither: plain HTTP, for a reverse proxy in front.
type TLS struct {
	// CertFile is the PEM certificate chain, leaf first (certbot's
	// fullchain.pem).
	CertFile string `yaml:"cert_file"`
	// KeyFile is the PEM private key of CertFile (certbot's privkey.pem).
	KeyFile string `yaml:"key_file"`
	// RedirectListen is a second, plain-HTTP listen address (":80") that
	// only redirects to HTTPS (and answers ACME's HTTP challenges); ""
	// opens none.
	RedirectListen string `yaml:"redirect_listen"`
	// ACME obtains and renews certificates automatically.
	ACME ACME `yaml:"acme"`
}

// ACME obtains certificates from an ACME certificate authority (Let's
// Encrypt by default) for the listed domains, answering its TLS-ALPN
// challenge on listen (which must then be reachable on port 443) or its
// HTTP challenge on redirect_listen (port 80).
type ACME struct {
	// Domains are the host names certificates are obtained for; empty
	// turns ACME off. Listing them agrees to the CA's terms of service.
	Domains []string `yaml:"domains"`
	// Email is the contact the CA writes to about expiring certificates.
	Email string `yaml:"email"`
	// Directory is the ACME directory URL of the CA.
	Directory string `yaml:"directory"`
	// CacheDir keeps the account key and certificates; "" is
	// <data_dir>/acme.
	CacheDir string `yaml:"cache_dir"`
}

// On reports whether the HTTP listener serves HTTPS.
func (t *TLS) On() bool { return t.CertFile != "" || t.KeyFile != "" || len(t.ACME.Domains) > 0 }

// ACMECacheDir is tls.acme.cache_dir, or <data_dir>/acme when it is empty.
func (c *Config) ACMECacheDir() string {
	if c.TLS.ACME.CacheDir != "" {
		return c.TLS.ACME.CacheDir
	}
	return filepath.Join(c.DataDir, "acme")
}

// check reports the problems of the tls section; listen is the HTTP
// listen address.
func (t *TLS) check(listen string, bad func(key, format string, args ...any)) {
	switch {
	case t.CertFile != "" && t.KeyFile == "":
		bad("tls.key_file", "is empty while tls.cert_file is set; name the certificate's private key (certbot: privkey.pem)")
	case t.KeyFile != "" && t.CertFile == "":
		bad("tls.cert_file", "is empty while tls.key_file is set; name the certificate chain (certbot: fullchain.pem)")
	case t.CertFile != "" && len(t.ACME.Domains) > 0:
		bad("tls.acme.domains", "is set together with tls.cert_file; use either certificate files or ACME, not both")
	}
	t.ACME.check(bad)
	if t.RedirectListen == "" {
		return
	}
	if p := checkListen(t.RedirectListen); p != "" {
		bad("tls.redirect_listen", "%s", p)
	} else if !t.On() {
		bad("tls.redirect_listen", "is set but HTTPS is off; set tls.cert_file and tls.key_file (or tls.acme.domains), or leave it empty")
	} else if samePort(t.RedirectListen, listen) {
		bad("tls.redirect_listen", "%q has the port of listen; the redirect needs its own (e.g. :80 with listen :443)", t.RedirectListen)
	}
}

// check reports the problems of the acme section.
func (a *ACME) check(bad func(key, format string, args ...any)) {
	for i, d := range a.Domains {
		if !hostName(d) {
			bad("tls.acme.domains", "entry %d (%q) is not a host name (e.g. callback.example.com; no scheme, port, IP address or wildcard)", i, d)
		}
	}
	if a.Email != "" && (!strings.Contains(a.Email, "@") || strings.ContainsAny(a.Email, " \t\r\n<>,")) {
		bad("tls.acme.email", "%q is not an email address", a.Email)
	}
	if p := checkURL(a.Directory, true); p != "" {
		bad("tls.acme.directory", "%s", p)
	}
}

// checkListen returns what is wrong with a host:port listen address, ""
// when nothing is.
func checkListen(s string) string {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return strconv.Quote(s) + " is not host:port (e.g. :8080 or 127.0.0.1:8080)"
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return strconv.Quote(s) + " has no port number 0–65535 (e.g. :8080)"
	}
	if strings.ContainsAny(host, " /") {
		return strconv.Quote(s) + " has no valid host (e.g. :8080 or 127.0.0.1:8080)"
	}
	return ""
}

// samePort reports whether two listen addresses name the same non-zero
// port.
func samePort(a, b string) bool {
	_, pa, _ := net.SplitHostPort(a)
	_, pb, _ := net.SplitHostPort(b)
	return pa == pb && pa != "0"
}

// hostName reports whether s is a DNS host name with at least one dot:
// letters, digits and hyphens in labels of 1–63 characters.
func hostName(s string) bool {
	if len(s) > 253 || !strings.Contains(s, ".") || net.ParseIP(s) != nil {
		return false
	}
	for label := range strings.SplitSeq(s, ".") {
		if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}
