package https

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"testing"

	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"
	"github.com/miekg/dns"
)

// TestACMEPebble obtains a certificate from Pebble, Let's Encrypt's ACME
// test server, run in this process: the first handshake for the domain
// makes the manager order it, Pebble checks the TLS-ALPN challenge by
// connecting to the HTTPS listener, and the certificate presented chains
// to Pebble's root; the next handshake is served from the cache.
func TestACMEPebble(t *testing.T) {
	const domain = "cb.callbackline.test"
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")      // Pebble otherwise waits up to 5 s before each check
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0") // and refuses 5 % of nonces (the client retries; this keeps the run short)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	quiet := log.New(io.Discard, "", 0)
	store := db.NewMemoryStore()
	authority := ca.New(quiet, store, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default"}})
	validator := va.New(quiet, 0, port, false, loopbackDNS(t), store)
	front := wfe.New(quiet, store, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 0, 0)
	directory := httptest.NewTLSServer(front.Handler())
	defer directory.Close()
	management := httptest.NewTLSServer(front.ManagementHandler())
	defer management.Close()

	cache := t.TempDir()
	m, err := NewACME(ACME{Domains: []string{domain}, Email: "ops@example.com", Directory: directory.URL + wfe.DirectoryPath,
		CacheDir: cache, HTTP: directory.Client()})
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{TLSConfig: m.TLSConfig(), ErrorLog: quiet, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.ServeTLS(ln, "", "") }()
	defer func() { srv.Close(); <-done }()

	roots := x509.NewCertPool()
	res, err := management.Client().Get(management.URL + wfe.RootCertPath + "0")
	if err != nil {
		t.Fatal(err)
	}
	rootPEM, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if block, _ := pem.Decode(rootPEM); block == nil || !roots.AppendCertsFromPEM(rootPEM) {
		t.Fatalf("Pebble's root: %q", rootPEM)
	}
	handshake := func() *x509.Certificate {
		t.Helper()
		conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), &tls.Config{ServerName: domain, RootCAs: roots})
		if err != nil {
			t.Fatalf("handshake for %s: %v", domain, err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0]
	}
	first := handshake()
	if len(first.DNSNames) != 1 || first.DNSNames[0] != domain {
		t.Errorf("the certificate names %v, want [%s]", first.DNSNames, domain)
	}
	if again := handshake(); again.SerialNumber.Cmp(first.SerialNumber) != 0 {
		t.Errorf("the second handshake got another certificate (serial %v, first %v): not from the cache", again.SerialNumber, first.SerialNumber)
	}
	if _, err := os.Stat(cache + "/" + domain); err != nil {
		t.Errorf("the certificate is not in the cache directory: %v", err)
	}
	// A name not listed is refused, not ordered.
	if conn, err := tls.Dial("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), &tls.Config{ServerName: "other.example.com", RootCAs: roots}); err == nil {
		conn.Close()
		t.Error("a handshake for a name not in Domains succeeded")
	}
}

// loopbackDNS serves DNS over TCP on loopback until the test ends: every
// name's A record is 127.0.0.1 (Pebble resolves the domain it checks
// here), nothing else is answered. It returns the server's address.
func loopbackDNS(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{Listener: ln, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, r *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(r)
		for _, q := range r.Question {
			if q.Qtype == dns.TypeA {
				m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
					A: net.IPv4(127, 0, 0, 1)})
			}
		}
		_ = w.WriteMsg(m)
	})}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.ActivateAndServe() }()
	t.Cleanup(func() { _ = srv.Shutdown(); <-done })
	return ln.Addr().String()
}
