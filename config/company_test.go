package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
)

// companyPassword is the trunk password in callbackline.company.yaml.
const companyPassword = "change-me-7f3a9c"

func loadCompany(t *testing.T) *Config {
	t.Helper()
	c, err := Load("callbackline.company.yaml", []string{"CALLBACKLINE_BITRIX24_CLIENT_SECRET=" + secretClient})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCompanyFile loads the documented single-company setup and checks
// it means what its comments say.
func TestCompanyFile(t *testing.T) {
	c := loadCompany(t)
	if err := c.SIP.Validate(); err != nil {
		t.Errorf("the dialer refuses the company's sip section: %v", err)
	}
	tr := c.SIP.Trunks
	if len(tr) != 1 || tr[0].Name != "pbx" || tr[0].Username != "callbackline" || tr[0].Password != companyPassword ||
		!strings.Contains(tr[0].Employee, "pbx.example.com") || !strings.Contains(tr[0].Client, "pbx.example.com") {
		t.Errorf("trunk = %+v", c.Redacted().SIP.Trunks)
	}
	if c.SIP.ExternalAddress != "203.0.113.5" || c.SIP.Listen != "0.0.0.0:5060" {
		t.Errorf("sip = %+v", c.Redacted().SIP)
	}
	lines, err := c.DomainLines()
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || lines[0].Number != "sales" || lines[1].Number != "support" {
		t.Fatalf("lines = %+v", lines)
	}
	sales, support := lines[0], lines[1]
	if !reflect.DeepEqual(sales.Employees, []int64{12, 34}) || sales.Policy.RingMode != callbackline.RingAll ||
		sales.Policy.ClientAttempts != 5 || !sales.Policy.SkipAbsent || !sales.Policy.Announce {
		t.Errorf("sales = %+v", sales)
	}
	if sales.Language != "" || support.Language != "de" {
		t.Errorf("languages: sales %q (want the portal's), support %q (want de)", sales.Language, support.Language)
	}
	if support.Target != "600" || support.TargetUser != 1 || support.Policy.Announce || support.Policy.ClientAttempts != 3 {
		t.Errorf("support = %+v", support)
	}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		h := l.Policy.Hours
		if h.Location.String() != "Europe/Berlin" {
			t.Errorf("%s zone = %v", l.Number, h.Location)
		}
		for day := time.Monday; day <= time.Friday; day++ {
			if want := []callbackline.Span{{From: 9 * time.Hour, To: 18 * time.Hour}}; !reflect.DeepEqual(h.Days[day], want) {
				t.Errorf("%s %v = %v", l.Number, day, h.Days[day])
			}
		}
		if len(h.Days[time.Sunday]) != 0 || !h.Holidays["2026-12-25"] {
			t.Errorf("%s: sunday %v, holidays %v", l.Number, h.Days[time.Sunday], h.Holidays)
		}
		// Christmas 2026 is a Friday: closed; the next opening is Monday 09:00.
		xmas := time.Date(2026, 12, 25, 10, 0, 0, 0, berlin)
		if h.Open(xmas) {
			t.Errorf("%s open on Christmas", l.Number)
		}
		// 17:30 UTC in December is 18:30 in Berlin: closed.
		if h.Open(time.Date(2026, 12, 7, 17, 30, 0, 0, time.UTC)) || !h.Open(time.Date(2026, 12, 7, 16, 30, 0, 0, time.UTC)) {
			t.Errorf("%s: hours not in Berlin time", l.Number)
		}
	}
	sat := time.Date(2026, 12, 12, 11, 0, 0, 0, berlin)
	if sales.Policy.Hours.Open(sat) || !support.Policy.Hours.Open(sat) {
		t.Error("only support opens on Saturday mornings")
	}
	if next := sales.Policy.Hours.Next(time.Date(2026, 12, 25, 10, 0, 0, 0, berlin)); !next.Equal(time.Date(2026, 12, 28, 9, 0, 0, 0, berlin)) {
		t.Errorf("sales after Christmas opens %v, want Monday 09:00", next)
	}
	if c.Speech.Espeak.Speed != 150 || c.Recordings.KeepDays != 90 || c.RecordingsDir() != "/var/lib/callbackline/recordings" {
		t.Errorf("speech/recordings = %+v %+v", c.Speech, c.Recordings)
	}
}

// TestNoTrunkPasswordInAnyOutput prints the company configuration every
// way a program might; the trunk password never shows.
func TestNoTrunkPasswordInAnyOutput(t *testing.T) {
	c := loadCompany(t)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "config", c, "value", *c)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "config", c)
	js, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	r := c.Redacted()
	outputs := map[string]string{
		"String":           c.String(),
		"%v":               fmt.Sprintf("%v", c),
		"%+v":              fmt.Sprintf("%+v", *c),
		"%#v":              fmt.Sprintf("%#v", c),
		"Redacted sip %+v": fmt.Sprintf("%+v", r.SIP),
		"Redacted trunk":   fmt.Sprintf("%#v", r.SIP.Trunks),
		"slog":             logs.String(),
		"json":             string(js),
	}
	for how, out := range outputs {
		for _, s := range []string{companyPassword, secretClient} {
			if strings.Contains(out, s) {
				t.Errorf("%s shows a secret:\n%s", how, out)
			}
		}
	}
	if r.SIP.Trunks[0].Password != redactedText || r.SIP.Trunks[0].Username != "callbackline" {
		t.Errorf("redacted trunk = %+v", r.SIP.Trunks[0])
	}
	if !strings.Contains(c.String(), "password: '[redacted]'") {
		t.Errorf("String does not mark the password as set:\n%s", c)
	}
	// The original keeps its password.
	if c.SIP.Trunks[0].Password != companyPassword {
		t.Error("Redacted changed the original")
	}
	// A trunk without password stays without.
	c.SIP.Trunks = append(c.SIP.Trunks, sip.Trunk{Name: "open"})
	if p := c.Redacted().SIP.Trunks[1].Password; p != "" {
		t.Errorf("unset password redacted as %q", p)
	}
}

// TestTrunkPasswordNotInErrors: a bad value next to a password never
// echoes the password.
func TestTrunkPasswordNotInErrors(t *testing.T) {
	path := write(t, "sip:\n  trunks:\n    - name: pbx\n      employee: \"sip:{extension}@h\"\n      client: \"sip:h\"\n      username: u\n      password: "+companyPassword+"\n    - password: [a, "+companyPassword+"]\n")
	_, err := Load(path, nil)
	if err == nil {
		t.Fatal("loaded")
	}
	if strings.Contains(err.Error(), companyPassword) {
		t.Errorf("error shows the password: %v", err)
	}
	hasProblem(t, err, "sip.trunks[1].password", "must be a single value")
}
