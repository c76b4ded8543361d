// Package https serves callbackline's HTTP side over TLS: modern server
// settings, a certificate read from files again whenever they change
// (Files), certificates obtained over ACME (NewACME), a plain-HTTP
// listener that only redirects (Redirect), listeners whose refusal of a
// port below 1024 names the capability (Listen), and the check that a public
// address presents a certificate valid for its host (Check).
package https

import (
	"crypto/tls"
)

// ServerConfig returns the TLS settings of the HTTPS listener with get as
// the certificate source: TLS 1.2 and 1.3 only; on TLS 1.2 only ECDHE key
// exchange with AEAD ciphers (forward secrecy, no CBC, no RSA key
// exchange); HTTP/2 and HTTP/1.1 offered by ALPN.
func ServerConfig(get func(*tls.ClientHelloInfo) (*tls.Certificate, error)) *tls.Config {
	return &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: get,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		NextProtos: []string{"h2", "http/1.1"},
	}
}
