package https

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// ACME obtains certificates for Domains from an ACME certificate
// authority and renews them before they expire (golang.org/x/crypto's
// autocert): the CA checks the name over TLS-ALPN on the HTTPS listener
// (port 443) or over HTTP on the redirect listener (port 80).
type ACME struct {
	// Domains are the only host names a certificate is asked for.
	Domains []string
	// Email is the account's contact; "" is none.
	Email string
	// Directory is the CA's ACME directory URL.
	Directory string
	// CacheDir keeps the account key and the certificates (created 0700).
	CacheDir string
	// HTTP reaches the CA; nil is a client trusting the system's roots.
	HTTP *http.Client
}

// Manager is ACME at work: its GetCertificate serves (and obtains) the
// certificates, its HTTPHandler answers the CA's HTTP challenges.
type Manager struct {
	m *autocert.Manager
}

// NewACME makes the manager; nothing is asked of the CA until a client
// names one of the domains.
func NewACME(a ACME) (*Manager, error) {
	if len(a.Domains) == 0 {
		return nil, errors.New("no domain to obtain a certificate for (tls.acme.domains)")
	}
	if a.CacheDir == "" {
		return nil, errors.New("no directory to keep the certificates in (tls.acme.cache_dir)")
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(a.CacheDir),
		HostPolicy: autocert.HostWhitelist(a.Domains...),
		Email:      a.Email,
		Client:     &acme.Client{DirectoryURL: a.Directory, HTTPClient: a.HTTP},
	}
	return &Manager{m: m}, nil
}

// GetCertificate is tls.Config's GetCertificate: the cached certificate
// of the name the client asks for, obtained first when there is none, and
// the CA's TLS-ALPN challenge certificates.
func (m *Manager) GetCertificate(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	cert, err := m.m.GetCertificate(hello)
	if err != nil {
		return nil, fmt.Errorf("ACME certificate for %q: %w", hello.ServerName, err)
	}
	return cert, nil
}

// TLSConfig is ServerConfig with the ACME TLS-ALPN protocol offered too.
func (m *Manager) TLSConfig() *tls.Config {
	c := ServerConfig(m.GetCertificate)
	c.NextProtos = append(slices.Clone(c.NextProtos), acme.ALPNProto)
	return c
}

// HTTPHandler answers the CA's HTTP challenges and hands every other
// request to fallback (Redirect).
func (m *Manager) HTTPHandler(fallback http.Handler) http.Handler { return m.m.HTTPHandler(fallback) }
