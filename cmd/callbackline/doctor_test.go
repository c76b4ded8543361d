package main

import (
	"bytes"
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/config"
)

// TestDoctor: doctor says what works and what to fix, fails while
// something blocks callbacks, and names a portal whose own lines this
// configuration no longer accepts.
func TestDoctor(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.Database = "sqlite:" + filepath.Join(t.TempDir(), "cb.db")
	cfg.Speech.Engine = "none"
	cfg.Bitrix24.AllowNetworks = []string{"10.0.0.0/8", "::/0"}
	st, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler), nil, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	p := &callbackline.Portal{MemberID: "m1", Domain: "example.bitrix24.de", Status: callbackline.PortalInstalled}
	if err := st.SavePortal(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveSettings(ctx, &callbackline.Settings{MemberID: "m1",
		Lines: "- number: north\n  policy:\n    max_call_length: 3h\n"}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	var out bytes.Buffer
	err = doctor(ctx, cfg, &out)
	got := out.String()
	if err == nil {
		t.Errorf("doctor passed without a SIP trunk or Bitrix24 credentials:\n%s", got)
	}
	for _, want := range []string{
		"ok    configuration",
		"ok    database sqlite:",
		"1 portal(s) installed",
		"warn  lines of example.bitrix24.de (m1): its own lines no longer pass",
		"lines[0].policy.max_call_length",
		"warn  speech",
		"warn  bitrix24.allow_networks: ::/0 lets a portal's address be any address",
		"FAIL  SIP: no trunk configured",
		"FAIL  Bitrix24 application: bitrix24.client_id and bitrix24.client_secret are not set",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("doctor's report lacks %q:\n%s", want, got)
		}
	}
}
