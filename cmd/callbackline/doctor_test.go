package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/sip"
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
	st, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler), nil, "", 0, false)
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

// TestDoctorSharedTrunks: with more than one portal installed, doctor
// warns while no trunk names the portals it serves (every trunk carries
// every portal's calls), and not once the trunks name them.
func TestDoctorSharedTrunks(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.Database = "sqlite:" + filepath.Join(t.TempDir(), "cb.db")
	cfg.Speech.Engine = "none"
	cfg.SIP.Listen = "127.0.0.1:0"
	cfg.SIP.Trunks = []sip.Trunk{{Name: "pbx", Employee: "sip:{extension}@127.0.0.1:9", Client: "sip:{number}@127.0.0.1:9"}}
	st, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler), nil, "", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"m1", "m2"} {
		if err := st.SavePortal(ctx, &callbackline.Portal{MemberID: m, Domain: m + ".bitrix24.de", Status: callbackline.PortalInstalled}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	const warning = "warn  SIP trunks: no trunk names the portals it serves"
	var out bytes.Buffer
	_ = doctor(ctx, cfg, &out)
	if !strings.Contains(out.String(), warning) {
		t.Errorf("no warning about a trunk shared by 2 portals:\n%s", out.String())
	}
	cfg.SIP.Trunks[0].Portals = []string{"m1", "m2"}
	out.Reset()
	_ = doctor(ctx, cfg, &out)
	if got := out.String(); strings.Contains(got, warning) || !strings.Contains(got, "2 portal(s) installed") || !strings.Contains(got, "ok    SIP (1 trunk(s)") {
		t.Errorf("trunks that name their portals:\n%s", got)
	}
}

// TestDoctorInstances: doctor names every instance on the database and
// fails when a living one does not share this configuration's shared
// settings.
func TestDoctorInstances(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.Database = "sqlite:" + filepath.Join(t.TempDir(), "cb.db")
	cfg.Speech.Engine = "none"
	st, err := openStore(ctx, cfg, slog.New(slog.DiscardHandler), nil, "", 0, false)
	if err != nil {
		t.Fatal(err)
	}
	other := *cfg
	other.EncryptionKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	for id, fp := range map[string]string{"host-a:8080": cfg.Fingerprint(), "host-b:8080": other.Fingerprint()} {
		if _, err := st.Join(ctx, &callbackline.Instance{ID: id, Fingerprint: fp, Version: "test"}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	var out bytes.Buffer
	_ = doctor(ctx, cfg, &out)
	got := out.String()
	for _, want := range []string{
		"ok    instance host-a:8080 (version test, last heartbeat",
		"FAIL  instance host-b:8080 (version test): its shared settings differ",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("doctor's report lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, other.EncryptionKey) {
		t.Error("doctor shows the encryption key")
	}
}

// TestDoctorAsksRunningService: while the running service holds
// sip.listen, doctor asks its /readyz whether its trunks are registered
// instead of failing on the busy port.
func TestDoctorAsksRunningService(t *testing.T) {
	ctx := context.Background()
	held, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	var ready atomic.Int32
	ready.Store(http.StatusOK)
	svc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/readyz" {
			http.NotFound(w, r)
			return
		}
		w.WriteHeader(int(ready.Load()))
		fmt.Fprint(w, `{"status":"trunk pbx is not registered"}`)
	}))
	defer svc.Close()
	cfg := config.Default()
	cfg.Database = "sqlite:" + filepath.Join(t.TempDir(), "cb.db")
	cfg.Speech.Engine = "none"
	cfg.Listen = svc.Listener.Addr().String()
	cfg.SIP.Listen = held.LocalAddr().String()
	cfg.SIP.Trunks = []sip.Trunk{{Name: "pbx", Employee: "sip:{extension}@127.0.0.1:9", Client: "sip:{number}@127.0.0.1:9"}}
	var out bytes.Buffer
	_ = doctor(ctx, cfg, &out)
	if want := "ok    SIP (sip.listen " + cfg.SIP.Listen + " is in use, by the running service: its /readyz)"; !strings.Contains(out.String(), want) {
		t.Errorf("doctor with the service ready lacks %q:\n%s", want, out.String())
	}
	ready.Store(http.StatusServiceUnavailable)
	out.Reset()
	_ = doctor(ctx, cfg, &out)
	if got := out.String(); !strings.Contains(got, "FAIL  SIP (sip.listen") || !strings.Contains(got, "trunk pbx is not registered") {
		t.Errorf("doctor with the service not ready:\n%s", got)
	}
}
