package https

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/https/httpstest"
)

// handshake connects to addr as host with roots and returns the serial of
// the certificate the server presented (-1 when the handshake failed).
func handshake(addr, host string, roots *x509.CertPool) int64 {
	conn, err := tls.Dial("tcp", addr, &tls.Config{ServerName: host, RootCAs: roots})
	if err != nil {
		return -1
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// TestFilesReload: a certificate renewed in its files (rewritten, renamed
// over, or a symlink moved as certbot does) is presented at the very next
// handshake, without a restart; files that do not load leave the previous
// certificate in use.
func TestFilesReload(t *testing.T) {
	ca := httpstest.NewCA(t)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "fullchain.pem"), filepath.Join(dir, "privkey.pem")
	c1, k1 := ca.Issue(t, 1, time.Now().Add(-time.Hour), "cb.example.com")
	writeAtomic(t, certFile, c1)
	writeAtomic(t, keyFile, k1)
	f, err := LoadFiles(certFile, keyFile, nil)
	if err != nil {
		t.Fatal(err)
	}
	addr := serveTLS(t, ServerConfig(f.GetCertificate))
	if got := handshake(addr, "cb.example.com", ca.Pool); got != 1 {
		t.Fatalf("first handshake: serial %d, want 1", got)
	}

	// A deploy hook copies the renewed pair over the old one.
	c2, k2 := ca.Issue(t, 2, time.Now().Add(-time.Minute), "cb.example.com")
	writeAtomic(t, certFile, c2)
	writeAtomic(t, keyFile, k2)
	if got := handshake(addr, "cb.example.com", ca.Pool); got != 2 {
		t.Errorf("the renewed certificate (serial 2): the next handshake got serial %d", got)
	}

	// Half a renewal: a new certificate whose key is not there yet. The
	// handshake goes on with the previous pair.
	c3, k3 := ca.Issue(t, 3, time.Now().Add(-time.Minute), "cb.example.com")
	writeAtomic(t, certFile, c3)
	if got := handshake(addr, "cb.example.com", ca.Pool); got != 2 {
		t.Errorf("with a certificate whose key is not written yet: serial %d, want the previous 2", got)
	}
	if err := os.WriteFile(keyFile, []byte("not a key"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := handshake(addr, "cb.example.com", ca.Pool); got != 2 {
		t.Errorf("with a broken key file: serial %d, want the previous 2", got)
	}
	if err := os.WriteFile(keyFile, k3, 0o600); err != nil { // rewritten in place
		t.Fatal(err)
	}
	if got := handshake(addr, "cb.example.com", ca.Pool); got != 3 {
		t.Errorf("the certificate once its key is written (serial 3): the next handshake got serial %d", got)
	}

	// certbot: live/ holds symlinks into archive/, moved to the new files.
	c4, k4 := ca.Issue(t, 4, time.Now().Add(-time.Minute), "cb.example.com")
	archive := filepath.Join(dir, "archive")
	if err := os.Mkdir(archive, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"fullchain4.pem": c4, "privkey4.pem": k4} {
		if err := os.WriteFile(filepath.Join(archive, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{certFile: "archive/fullchain4.pem", keyFile: "archive/privkey4.pem"} {
		tmp := link + ".link"
		if err := os.Symlink(target, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, link); err != nil {
			t.Fatal(err)
		}
	}
	if got := handshake(addr, "cb.example.com", ca.Pool); got != 4 {
		t.Errorf("the certificate behind the moved symlinks (serial 4): the next handshake got serial %d", got)
	}
}

// TestLoadFilesErrors: missing or mismatched files are refused at start
// with the key to fix.
func TestLoadFilesErrors(t *testing.T) {
	ca := httpstest.NewCA(t)
	dir := t.TempDir()
	c1, _ := ca.Issue(t, 1, time.Now(), "cb.example.com")
	_, k2 := ca.Issue(t, 2, time.Now(), "cb.example.com")
	certFile, keyFile := filepath.Join(dir, "c.pem"), filepath.Join(dir, "k.pem")
	if _, err := LoadFiles(certFile, keyFile, nil); err == nil || !strings.Contains(err.Error(), "tls.cert_file") {
		t.Errorf("missing certificate: %v", err)
	}
	writeAtomic(t, certFile, c1)
	if _, err := LoadFiles(certFile, keyFile, nil); err == nil || !strings.Contains(err.Error(), "tls.key_file") {
		t.Errorf("missing key: %v", err)
	}
	writeAtomic(t, keyFile, k2)
	if _, err := LoadFiles(certFile, keyFile, nil); err == nil || !strings.Contains(err.Error(), "private key does not match") {
		t.Errorf("a key of another certificate: %v", err)
	}
}

// TestServerConfig: HTTP/2 over TLS 1.3 or 1.2 with a forward-secret AEAD
// cipher; TLS 1.1, and TLS 1.2 with only CBC ciphers, are refused.
func TestServerConfig(t *testing.T) {
	ca := httpstest.NewCA(t)
	c, k := ca.Issue(t, 1, time.Now().Add(-time.Hour), "127.0.0.1")
	pair, err := tls.X509KeyPair(c, k)
	if err != nil {
		t.Fatal(err)
	}
	addr := serveTLS(t, ServerConfig(func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return &pair, nil }))

	for _, max := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		client := &http.Client{Transport: &http.Transport{ForceAttemptHTTP2: true,
			TLSClientConfig: &tls.Config{RootCAs: ca.Pool, MaxVersion: max}}}
		res, err := client.Get("https://" + addr + "/")
		if err != nil {
			t.Fatalf("TLS %x: %v", max, err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.ProtoMajor != 2 || string(body) != "ok" || res.TLS.Version != max {
			t.Errorf("TLS %x: %s, TLS %x, body %q; want HTTP/2", max, res.Proto, res.TLS.Version, body)
		}
		client.CloseIdleConnections()
	}
	refused := map[string]*tls.Config{
		"TLS 1.1":  {RootCAs: ca.Pool, MaxVersion: tls.VersionTLS11},
		"CBC only": {RootCAs: ca.Pool, MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}},
	}
	for name, conf := range refused {
		if conn, err := tls.Dial("tcp", addr, conf); err == nil {
			conn.Close()
			t.Errorf("%s: the handshake succeeded", name)
		}
	}
}
