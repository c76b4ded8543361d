package main

import (
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/https"
)

// setupTLS makes the HTTP listener serve HTTPS when the tls section says
// so, and opens the redirect listener when tls.redirect_listen names one.
// Called by listen, once a.hs and a.ln exist.
func (a *app) setupTLS() error {
	cfg := a.cfg.TLS
	if !cfg.On() {
		return nil
	}
	var fallback http.Handler
	_, port, _ := net.SplitHostPort(a.addr())
	public, _ := url.Parse(a.cfg.PublicURL) // checked when the configuration loaded
	redirect := https.Redirect(public, port)
	if cfg.CertFile != "" {
		files, err := https.LoadFiles(cfg.CertFile, cfg.KeyFile, a.logger)
		if err != nil {
			return callbackline.WrapError(err, callbackline.EINVALID,
				"the HTTPS certificate does not load: put the certificate chain at tls.cert_file and its key at tls.key_file, readable by this service's user")
		}
		a.hs.TLSConfig, fallback = https.ServerConfig(files.GetCertificate), redirect
	} else {
		m, err := https.NewACME(https.ACME{Domains: cfg.ACME.Domains, Email: cfg.ACME.Email, Directory: cfg.ACME.Directory,
			CacheDir: a.cfg.ACMECacheDir(), HTTP: &http.Client{Timeout: time.Minute}})
		if err != nil {
			return callbackline.WrapError(err, callbackline.EINVALID, "ACME (config key tls.acme)")
		}
		a.hs.TLSConfig, fallback = m.TLSConfig(), m.HTTPHandler(redirect)
	}
	if cfg.RedirectListen == "" {
		return nil
	}
	ln, err := https.Listen(cfg.RedirectListen)
	if err != nil {
		return callbackline.WrapError(err, callbackline.EUNAVAILABLE, "cannot listen on %s (config key tls.redirect_listen)", cfg.RedirectListen)
	}
	a.redirectLn = ln
	a.redirect = &http.Server{Handler: fallback, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 15 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 90 * time.Second, ErrorLog: a.hs.ErrorLog}
	return nil
}

// serveHTTP serves the HTTP listener, over TLS when setupTLS configured
// it (HTTP/2 included), and the redirect listener when there is one, until
// they are shut down; errc gets each one's end.
func (a *app) serveHTTP(errc chan<- error) {
	if a.redirect != nil {
		go func() { errc <- a.redirect.Serve(a.redirectLn) }()
	}
	if a.hs.TLSConfig != nil {
		errc <- a.hs.ServeTLS(a.ln, "", "")
		return
	}
	errc <- a.hs.Serve(a.ln)
}

// tlsMode names how the HTTP listener serves, for the start log.
func (a *app) tlsMode() string {
	switch {
	case a.cfg.TLS.CertFile != "":
		return "https (certificate files)"
	case len(a.cfg.TLS.ACME.Domains) > 0:
		return "https (ACME)"
	}
	return "http"
}
