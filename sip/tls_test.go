package sip_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestTLSListener starts the dialer on transport tls with a self-signed
// certificate and completes a TLS handshake with it.
func TestTLSListener(t *testing.T) {
	certFile, keyFile, cert := selfSigned(t)
	cfg := validConfig()
	cfg.Listen, cfg.Transport = "127.0.0.1:0", "tls"
	cfg.TLS = sip.TLSConfig{CertFile: certFile, KeyFile: keyFile, CAFile: certFile}
	d := newDialer(t, cfg)
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", d.Addr(), &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"})
	if err != nil {
		t.Fatalf("TLS handshake with the dialer: %v", err)
	}
	c.Close()
}

// selfSigned writes a self-signed certificate for 127.0.0.1 and its key
// into a temporary directory.
func selfSigned(t *testing.T) (certFile, keyFile string, cert tls.Certificate) {
	t.Helper()
	dir := t.TempDir()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	if cert, err = tls.LoadX509KeyPair(certFile, keyFile); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

// TestTLSCall: a whole callback over SIP on TLS, both legs: the dialer
// verifies the far end against ca_file, the phones see the INVITEs arrive
// over TLS, and the call connects and ends as a plain one does.
func TestTLSCall(t *testing.T) {
	certFile, keyFile, cert := selfSigned(t)
	roots := x509.NewCertPool()
	roots.AddCert(cert.Leaf)
	ph, err := siptest.NewTLSPhone(context.Background(), &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: roots, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ph.Close)
	cfg := sip.Config{
		Listen: "127.0.0.1:0", Transport: "tls",
		TLS:      sip.TLSConfig{CertFile: certFile, KeyFile: keyFile, CAFile: certFile},
		RTPPorts: sip.PortRange{Min: 40000, Max: 44999},
		Trunks: []sip.Trunk{{Name: "tls",
			Employee: "sip:{extension}@" + ph.TLSAddr() + ";transport=tls",
			Client:   "sip:{number}@" + ph.TLSAddr() + ";transport=tls"}},
	}
	d, err := sip.New(context.Background(), cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	ph.Set("301", siptest.Behavior{Action: siptest.Answer})
	ph.Set(clientNumber, siptest.Behavior{Action: siptest.Answer, HangupAfter: time.Second})
	res := d.Callback(context.Background(), sip.Plan{Employees: []string{"301"}, Client: clientNumber, Timeouts: short})
	if res.Outcome != sip.OutcomeConnected || res.StatusCode != "200" || res.HungUp != sip.PartyClient {
		t.Fatalf("outcome %s %s hung up by %s (%s) err %v", res.Outcome, res.StatusCode, res.HungUp, res.EndReason, res.Err)
	}
	calls := ph.Calls()
	if len(calls) != 2 {
		t.Fatalf("%d calls reached the phone, want 2", len(calls))
	}
	for _, c := range calls {
		if c.Transport != "TLS" || c.Answered.IsZero() || c.Packets == 0 {
			t.Errorf("call to %s: transport %q answered %v packets %d, want TLS with audio", c.User, c.Transport, !c.Answered.IsZero(), c.Packets)
		}
	}

	// A far end whose certificate the dialer does not trust is refused:
	// an unreachable failure, not a call in the clear.
	other, _, _ := selfSigned(t)
	cfg.TLS.CAFile = other
	d.Close() // one dialer per process
	d2, err := sip.New(context.Background(), cfg, testLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d2.Close() })
	ph.Set("302", siptest.Behavior{Action: siptest.Answer})
	res = d2.Callback(context.Background(), sip.Plan{Employees: []string{"302"}, Client: clientNumber, Timeouts: short})
	if res.Outcome == sip.OutcomeConnected || res.StatusCode != "503" {
		t.Errorf("untrusted far end: outcome %s status %s err %v, want 503", res.Outcome, res.StatusCode, res.Err)
	}
	for _, c := range ph.Calls() {
		if c.User == "302" {
			t.Errorf("an INVITE reached a far end the dialer does not trust: %+v", c)
		}
	}
}
