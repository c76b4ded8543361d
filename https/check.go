package https

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/url"
)

// Check connects to the host of the https URL raw and verifies the
// certificate it presents: a chain to roots (nil: the system's, which
// SSL_CERT_FILE and SSL_CERT_DIR can replace) valid now and for the host.
// It returns the leaf certificate on success; the error says what is
// wrong and what to do.
func Check(ctx context.Context, raw string, roots *x509.CertPool) (*x509.Certificate, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute URL", raw)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("%q is not https: Bitrix24 reaches applications over https only; "+
			"set tls.cert_file and tls.key_file (or tls.acme.domains), or put an HTTPS reverse proxy in front, and write https:// here", raw)
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	d := tls.Dialer{Config: &tls.Config{ServerName: u.Hostname(), RootCAs: roots, MinVersion: tls.VersionTLS12}}
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return nil, fmt.Errorf("no valid certificate for %s at %s: %w; the certificate must name the host, be current and chain "+
			"to a public CA (certbot's fullchain.pem, not cert.pem)", u.Hostname(), net.JoinHostPort(u.Hostname(), port), err)
	}
	defer conn.Close()
	return conn.(*tls.Conn).ConnectionState().PeerCertificates[0], nil
}
