package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/sip"
)

// TestDoctorRisks: doctor warns on each risky setting (no encryption_key,
// with the trunk passwords it would leave in the clear; no country limit;
// /metrics open on an address other hosts reach; an extension rule that
// lets *, #, +, a leading 0 or long numbers through) and on none of them
// once each is closed.
func TestDoctorRisks(t *testing.T) {
	risky := func() *config.Config {
		cfg := config.Default()
		cfg.Database = "sqlite:" + filepath.Join(t.TempDir(), "cb.db")
		cfg.Speech.Engine = "none"
		cfg.Listen = ":8080"
		cfg.SIP.Trunks = []sip.Trunk{
			{Name: "pbx", Employee: "sip:{extension}@127.0.0.1:1", Client: "sip:{number}@127.0.0.1:1", Username: "u", Password: "secret-pw",
				ExtensionPattern: `[0-9*#+]{1,15}`},
			{Name: "plain", Employee: "sip:{extension}@127.0.0.1:1", Client: "sip:{number}@127.0.0.1:1"},
		}
		return cfg
	}
	var out bytes.Buffer
	_ = doctor(context.Background(), risky(), &out)
	got := out.String()
	for _, want := range []string{
		"warn  encryption_key: not set: the portals' tokens are stored in the clear",
		"1 trunk password(s) of this configuration would be stored in the clear",
		"warn  intake.allowed_countries: empty: no country limit",
		`warn  metrics_token: not set while listen ":8080" is reachable from other hosts`,
		`warn  sip.trunks[0].extension_pattern: "[0-9*#+]{1,15}" allows *, #, +, a leading 0, more than 6 digits`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("doctor's report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "sip.trunks[1]") || strings.Contains(got, "secret-pw") {
		t.Errorf("doctor warns on the default rule or shows a password:\n%s", got)
	}

	// Each warning on its own.
	for _, tc := range []struct {
		pattern, want string
	}{
		{`\*[0-9]{3}|[1-9][0-9]{1,5}`, "*"},
		{`[1-9][0-9]{1,4}#?`, "#"},
		{`\+?[1-9][0-9]{1,5}`, "+"},
		{`[0-9]{2,6}`, "a leading 0"},
		{`[1-9][0-9]{1,9}`, "more than 6 digits"},
		{`[1-9][0-9]{1,5}`, ""},
		{`1[0-9]{2}|2[0-9]{3}`, ""},
		{"", ""},
	} {
		if got := wideExtensions(tc.pattern); got != tc.want {
			t.Errorf("wideExtensions(%q) = %q, want %q", tc.pattern, got, tc.want)
		}
	}
	for listen, public := range map[string]bool{
		":8080": true, "0.0.0.0:8080": true, "[::]:8080": true, "192.0.2.10:80": true, "example.com:80": true,
		"127.0.0.1:8080": false, "[::1]:8080": false, "localhost:8080": false,
	} {
		if got := publicListen(listen); got != public {
			t.Errorf("publicListen(%q) = %v", listen, got)
		}
	}

	// Closed: no risk is left.
	safe := risky()
	safe.EncryptionKey = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
	safe.Intake.AllowedCountries = []string{"DE"}
	safe.SIP.Trunks[0].ExtensionPattern = ""
	if r := risks(safe); len(r) != 1 || r[0].key != "metrics_token" {
		t.Errorf("risks with the key, countries and rule set: %+v", r)
	}
	safe.MetricsToken = "a-metrics-token-0123456789"
	if r := risks(safe); len(r) != 0 {
		t.Errorf("risks of a safe configuration: %+v", r)
	}
	safe.MetricsToken, safe.Listen = "", "127.0.0.1:8080"
	if r := risks(safe); len(r) != 0 {
		t.Errorf("risks with /metrics on loopback only: %+v", r)
	}
}
