package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/https"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/speech"
)

// doctor checks what callbackline needs and says what to fix: the
// configuration (already loaded), the database, the speech engine, the
// SIP trunks, the Bitrix24 credentials and the public URL. It returns an
// error when something blocks callbacks.
func doctor(ctx context.Context, cfg *config.Config, out io.Writer) error {
	var problems int
	check := func(what string, err error, fix string) {
		if err == nil {
			fmt.Fprintf(out, "ok    %s\n", what)
			return
		}
		problems++
		fmt.Fprintf(out, "FAIL  %s: %v\n      %s\n", what, err, fix)
	}
	warn := func(what, why string) { fmt.Fprintf(out, "warn  %s: %s\n", what, why) }
	fmt.Fprintln(out, "ok    configuration")

	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	st, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler), nil, "", 0, false)
	if err == nil {
		err = st.Ping(ctx)
		portals, perr := st.Portals(ctx)
		if perr == nil {
			fmt.Fprintf(out, "      %d portal(s) installed\n", len(portals))
			if len(portals) > 1 && len(cfg.SIP.Trunks) > 0 && !cfg.SIP.Granted() {
				warn("SIP trunks", fmt.Sprintf("no trunk names the portals it serves, so every trunk carries the calls of all %d portals "+
					"(and their caller IDs): in a shared deployment give each trunk portals: [member_id, …] (or [\"*\"])", len(portals)))
			}
			for _, p := range portals {
				// Lines a portal saved that this configuration refuses are
				// not used: the portal runs on the configured lines.
				own, serr := st.Settings(ctx, p.MemberID)
				if serr != nil {
					continue
				}
				if _, lerr := cfg.PortalLines(p.MemberID, own.Lines); lerr != nil {
					warn("lines of "+p.Domain+" ("+p.MemberID+")", fmt.Sprintf(
						"its own lines no longer pass this configuration, so it uses the configured lines: %v; "+
							"its administrator saves them again on the app page, or loosen the bound", lerr))
				}
			}
		}
		problems += instances(ctx, cfg, st, out)
		st.Close()
	}
	check("database "+redactDSN(cfg.Database), err, "check the database setting and that the server or file is reachable")

	if eng := cfg.SpeechEngine(); eng == nil {
		warn("speech", "engine none: employees hear a short tone instead of the request")
	} else {
		check("speech ("+eng.Name()+")", speech.Check(ctx, eng), "install the Debian package espeak-ng, or configure speech.command")
		if a, ok := eng.(*speech.Auto); ok {
			if why := speechFallbacks(a); why != "" {
				warn("speech voices", why)
			}
		}
	}
	if _, err := exec.LookPath("baresip"); err != nil {
		warn("baresip", "not installed: the real-phone tests and the demo's baresip phones need the Debian package baresip-core (optional)")
	}

	switch {
	case !cfg.Cluster.Calls:
		fmt.Fprintln(out, "ok    SIP: not used, an intake instance (cluster.calls: false); the instances that place calls need it")
	case len(cfg.SIP.Trunks) == 0:
		problems++
		fmt.Fprintln(out, "FAIL  SIP: no trunk configured (sip.trunks): requests are stored but nobody is called\n      add your PBX or provider account under sip.trunks")
	default:
		checkSIP(ctx, cfg, check)
	}
	if cfg.Bitrix24.ClientID == "" || cfg.Bitrix24.ClientSecret == "" {
		problems++
		fmt.Fprintln(out, "FAIL  Bitrix24 application: bitrix24.client_id and bitrix24.client_secret are not set\n      register a local application in Bitrix24 (see README) and set them")
	} else {
		o := &bitrix24.OAuth{Server: cfg.Bitrix24.OAuthServer, ClientID: cfg.Bitrix24.ClientID, ClientSecret: cfg.Bitrix24.ClientSecret,
			AllowNetworks: cfg.Bitrix24.Networks()}
		_, err := o.Refresh(ctx, "callbackline-doctor-probe")
		// A made-up refresh token must be refused as such; a refused client
		// means wrong credentials; no answer means the server is unreachable.
		if oe, ok := err.(*bitrix24.OAuthError); ok && oe.Code != bitrix24.OAuthInvalidClient {
			err = nil
		}
		check("Bitrix24 OAuth server "+cfg.Bitrix24.OAuthServer, err, "check bitrix24.client_id, bitrix24.client_secret and the network")
	}
	for _, n := range cfg.Bitrix24.Networks() {
		if n.Bits() == 0 {
			warn("bitrix24.allow_networks", n.String()+" lets a portal's address be any address, internal services included; list only the self-hosted portals' networks")
		}
	}
	for _, r := range risks(cfg) {
		warn(r.key, r.why)
	}
	if cfg.PublicURL == "" {
		problems++
		fmt.Fprintln(out, "FAIL  public_url: not set: events cannot be bound in installed portals\n      set it to the https address Bitrix24 reaches this service at")
	} else {
		checkPublic(ctx, cfg.PublicURL, check, warn)
	}
	if problems > 0 {
		return fmt.Errorf("%d problem(s) found", problems)
	}
	fmt.Fprintln(out, "callbackline is ready")
	return nil
}

// syncLines registers the lines in every installed portal, its own when
// it has them, else the configured ones (telephony.externalLine.add and
// update), e.g. after the configured lines changed.
func syncLines(ctx context.Context, cfg *config.Config, out io.Writer, prune bool) error {
	logger := slog.New(slog.DiscardHandler)
	st, err := openStore(ctx, cfg, logger, nil, "", 0, false)
	if err != nil {
		return err
	}
	defer st.Close()
	oauth := &bitrix24.OAuth{Server: cfg.Bitrix24.OAuthServer, ClientID: cfg.Bitrix24.ClientID, ClientSecret: cfg.Bitrix24.ClientSecret,
		AllowNetworks: cfg.Bitrix24.Networks()}
	crm := bitrix24.NewClient(oauth, st)
	crm.Logger = logger
	configured, err := cfg.DomainLines()
	if err != nil {
		return err
	}
	pl := callback.NewLines(st, configured, cfg.PortalLinesFor, logger)
	portals, err := st.Portals(ctx)
	if err != nil {
		return err
	}
	failed := 0
	for _, p := range portals {
		if p.Status != "installed" {
			continue
		}
		lines, err := pl.ForBitrix24(ctx, p.MemberID)
		if err != nil {
			failed++
			fmt.Fprintf(out, "%s (%s): %v\n", p.Domain, p.MemberID, err)
			continue
		}
		res, err := crm.SyncLines(ctx, p, lines, prune)
		if err != nil {
			failed++
			fmt.Fprintf(out, "%s (%s): %v\n", p.Domain, p.MemberID, err)
			continue
		}
		fmt.Fprintf(out, "%s (%s): %+v\n", p.Domain, p.MemberID, res)
	}
	if failed > 0 {
		return fmt.Errorf("lines could not be synced in %d portal(s)", failed)
	}
	return nil
}

// checkPublic checks that public_url is https and presents a certificate
// valid for its host, chaining to a root this machine trusts (as
// Bitrix24's servers must); it warns when the certificate expires within
// two weeks.
func checkPublic(ctx context.Context, publicURL string, check func(what string, err error, fix string), warn func(what, why string)) {
	leaf, err := https.Check(ctx, publicURL, nil)
	check("public_url "+publicURL+" (https, certificate valid for its host)", err,
		"Bitrix24 calls the application only over https with a valid certificate: see the README's Production section")
	if err == nil {
		if left := time.Until(leaf.NotAfter); left < 14*24*time.Hour {
			warn("public_url certificate", fmt.Sprintf("expires on %s (in %s): renew it (certbot renew, or ACME)",
				leaf.NotAfter.UTC().Format(time.DateOnly), left.Round(time.Hour)))
		}
	}
}

// instances reports the instances recorded on the database and whether
// each living one shares this configuration's shared settings (the same
// fingerprint, see config.Fingerprint); it returns the problems found.
func instances(ctx context.Context, cfg *config.Config, st backend, out io.Writer) int {
	list, err := st.Instances(ctx)
	if err != nil || len(list) == 0 {
		return 0
	}
	mine, problems := cfg.Fingerprint(), 0
	for _, in := range list {
		switch {
		case !in.Alive():
			fmt.Fprintf(out, "      instance %s: declared dead at %s, taken over by %s\n", in.ID, in.DeadAt.Format(time.RFC3339), in.TakenBy)
		case in.Fingerprint != mine:
			problems++
			fmt.Fprintf(out, "FAIL  instance %s (version %s): its shared settings differ from this configuration's (fingerprint %s, here %s)\n"+
				"      give every instance the same encryption_key, bitrix24, public_url, intake, lines, defaults, portal_limits, portals, retention and cluster settings\n",
				in.ID, in.Version, in.Fingerprint, mine)
		default:
			fmt.Fprintf(out, "ok    instance %s (version %s, last heartbeat %s ago): same shared settings\n",
				in.ID, in.Version, time.Since(in.HeartbeatAt).Round(time.Second))
		}
	}
	return problems
}

// checkSIP starts the dialer on sip.listen and waits for its trunks to
// register. When the running service holds sip.listen, its /readyz says
// instead whether its trunks are registered.
func checkSIP(ctx context.Context, cfg *config.Config, check func(what string, err error, fix string)) {
	d, err := sip.New(ctx, cfg.SIP, slog.New(slog.DiscardHandler))
	if errors.Is(err, syscall.EADDRINUSE) {
		check(fmt.Sprintf("SIP (sip.listen %s is in use, by the running service: its /readyz)", cfg.SIP.Listen), askReady(ctx, cfg),
			"the service's log says which trunk does not register; or stop the service and run doctor again")
		return
	}
	if err == nil {
		deadline := time.Now().Add(10 * time.Second)
		for err = d.Ready(); err != nil && time.Now().Before(deadline); err = d.Ready() {
			time.Sleep(200 * time.Millisecond)
		}
		d.Close()
	}
	check(fmt.Sprintf("SIP (%d trunk(s), listening on %s)", len(cfg.SIP.Trunks), cfg.SIP.Listen), err,
		"check sip.listen (is the port free?), the trunk addresses and credentials")
}

// askReady asks the service running on this host with cfg for /readyz
// (its store and its trunks). Over TLS the certificate is not checked:
// this is the local service, asked nothing secret, and the public_url
// check judges its certificate.
func askReady(ctx context.Context, cfg *config.Config) error {
	host, port, err := net.SplitHostPort(cfg.Listen)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	scheme := "http"
	if cfg.TLS.On() {
		scheme = "https"
	}
	client := &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // the local service, see above
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, scheme+"://"+net.JoinHostPort(host, port)+"/readyz", nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("the service does not answer at %s: %w", cfg.Listen, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("the service is not ready (%s): %s", res.Status, strings.TrimSpace(string(body)))
	}
	return nil
}
