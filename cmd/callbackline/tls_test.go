package main

import (
	"crypto/tls"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/https/httpstest"
)

// TestHTTPSBinary runs the built binary with tls.cert_file and
// tls.redirect_listen: it serves HTTP/2 over TLS, the plain listener only
// redirects, a renewed certificate written over the files is presented
// without a restart, and doctor (trusting the test CA through
// SSL_CERT_FILE, as it trusts the system's roots) passes public_url while
// it is https with a valid certificate for its host, and fails it when it
// is not.
func TestHTTPSBinary(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	ca := httpstest.NewCA(t)
	caFile, certFile, keyFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "fullchain.pem"), filepath.Join(dir, "privkey.pem")
	writeFile(t, caFile, ca.PEM)
	c1, k1 := ca.Issue(t, 1, time.Now().Add(-time.Hour), "127.0.0.1")
	writeFile(t, certFile, c1)
	writeFile(t, keyFile, k1)
	addr, plain := freeAddr(t), freeAddr(t)
	env := []string{
		"CALLBACKLINE_LISTEN=" + addr,
		"CALLBACKLINE_PUBLIC_URL=https://" + addr + "/",
		"CALLBACKLINE_TLS_CERT_FILE=" + certFile,
		"CALLBACKLINE_TLS_KEY_FILE=" + keyFile,
		"CALLBACKLINE_TLS_REDIRECT_LISTEN=" + plain,
		"CALLBACKLINE_DATABASE=sqlite:" + filepath.Join(dir, "cb.db"),
		"CALLBACKLINE_DATA_DIR=" + dir,
		"CALLBACKLINE_SPEECH_ENGINE=none",
		"CALLBACKLINE_LOG_LEVEL=warn",
	}
	client := &http.Client{Transport: &http.Transport{ForceAttemptHTTP2: true, TLSClientConfig: &tls.Config{RootCAs: ca.Pool}}}
	defer client.CloseIdleConnections()
	logf, err := os.Create(filepath.Join(dir, "service.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	svc := startUntil(t, bin, env, logf, func() bool {
		res, err := client.Get("https://" + addr + "/healthz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusOK && res.ProtoMajor == 2
	})
	defer svc.stop(t)

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := noFollow.Post("http://"+plain+"/bitrix24/events?x=1", "application/x-www-form-urlencoded", strings.NewReader("event=ONAPPINSTALL"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if want := "https://" + addr + "/bitrix24/events?x=1"; res.StatusCode != http.StatusPermanentRedirect || res.Header.Get("Location") != want {
		t.Errorf("plain HTTP POST: %d to %q, want 308 to %q", res.StatusCode, res.Header.Get("Location"), want)
	}

	serial := func() int64 {
		conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: ca.Pool})
		if err != nil {
			return -1
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
	}
	c2, k2 := ca.Issue(t, 2, time.Now().Add(-time.Minute), "127.0.0.1")
	writeFile(t, certFile, c2)
	writeFile(t, keyFile, k2)
	if err := within(time.Minute, func() bool { return serial() == 2 }); err != nil {
		b, _ := os.ReadFile(logf.Name())
		t.Fatalf("the renewed certificate was not presented within a minute; log:\n%s", b)
	}

	doctor := func(publicURL string) string {
		cmd := exec.Command(bin, "doctor")
		cmd.Env = append(os.Environ(), append(env, "SSL_CERT_FILE="+caFile, "CALLBACKLINE_PUBLIC_URL="+publicURL)...)
		out, _ := cmd.CombinedOutput() // fails: no SIP trunk, no Bitrix24 credentials
		return string(out)
	}
	if out := doctor("https://" + addr + "/"); !strings.Contains(out, "ok    public_url https://"+addr+"/ (https, certificate valid for its host)") {
		t.Errorf("doctor on a valid https public_url:\n%s", out)
	}
	if out := doctor("http://" + plain + "/"); !strings.Contains(out, "FAIL  public_url http://"+plain+"/") || !strings.Contains(out, "is not https") {
		t.Errorf("doctor on an http public_url:\n%s", out)
	}
	if out := doctor("https://localhost:" + strings.Split(addr, ":")[1] + "/"); !strings.Contains(out, "FAIL  public_url https://localhost") ||
		!strings.Contains(out, "no valid certificate for localhost") {
		t.Errorf("doctor on a host the certificate does not name:\n%s", out)
	}
}

// writeFile writes data to path (0600), failing the test when it cannot.
func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
