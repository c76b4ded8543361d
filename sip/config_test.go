package sip_test

import (
	"errors"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/callbackline/callbackline/sip"
)

func validConfig() sip.Config {
	return sip.Config{Trunks: []sip.Trunk{{Employee: "sip:{extension}@pbx.example.com", Client: "sip:{number}@pbx.example.com"}}}
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		field string
		edit  func(*sip.Config)
	}{
		{"sip.listen", func(c *sip.Config) { c.Listen = "pbx:5060" }},
		{"sip.listen", func(c *sip.Config) { c.Listen = "0.0.0.0:70000" }},
		{"sip.transport", func(c *sip.Config) { c.Transport = "sctp" }},
		{"sip.tls", func(c *sip.Config) { c.Transport = "tls" }},
		{"sip.external_address", func(c *sip.Config) { c.ExternalAddress = "bad host!" }},
		{"sip.rtp_ports", func(c *sip.Config) { c.RTPPorts = sip.PortRange{Min: 100, Max: 200} }},
		{"sip.rtp_ports", func(c *sip.Config) { c.RTPPorts = sip.PortRange{Min: 20000, Max: 20001} }},
		{"sip.codecs[1]", func(c *sip.Config) { c.Codecs = []string{"pcmu", "opus"} }},
		{"sip.trunks[0].employee", func(c *sip.Config) { c.Trunks[0].Employee = "sip:101@pbx.example.com" }},
		{"sip.trunks[0].employee", func(c *sip.Config) { c.Trunks[0].Employee = "sip:x{extension}@pbx.example.com" }},
		{"sip.trunks[0].employee", func(c *sip.Config) { c.Trunks[0].Employee = "sip:pbx.example.com;user={extension}" }},
		{"sip.trunks[0].employee", func(c *sip.Config) { c.Trunks[0].Employee = "http://{extension}@pbx.example.com" }},
		{"sip.trunks[0].client", func(c *sip.Config) { c.Trunks[0].Client = "sip:{number}{digits}@pbx.example.com" }},
		{"sip.trunks[0].client", func(c *sip.Config) { c.Trunks[0].Client = "sip:{number}@pbx.example.com?Subject=x" }},
		{"sip.trunks[0].username", func(c *sip.Config) { c.Trunks[0].Password = "secret" }},
		{"sip.trunks[0].outbound_proxy", func(c *sip.Config) { c.Trunks[0].OutboundProxy = "user@proxy" }},
		{"sip.trunks[0].caller_id", func(c *sip.Config) { c.Trunks[0].CallerID = sip.CallerID{Number: "+49 30"} }},
		{"sip.trunks[0].caller_id", func(c *sip.Config) { c.Trunks[0].CallerID = sip.CallerID{Name: "a\"b"} }},
		{"sip.trunks[1].name", func(c *sip.Config) { c.Trunks = append(c.Trunks, c.Trunks[0]) }},
		{"sip.lines[0].trunk", func(c *sip.Config) { c.Lines = []sip.Line{{Number: "+4930111", Trunk: "nope"}} }},
		{"sip.lines[0].number", func(c *sip.Config) { c.Lines = []sip.Line{{}} }},
	}
	for _, tc := range cases {
		c := validConfig()
		tc.edit(&c)
		err := c.Validate()
		var e *sip.Error
		if !errors.As(err, &e) || e.Kind != sip.KindInvalid || e.Field != tc.field {
			t.Errorf("%s: got %v, want an invalid error for the field", tc.field, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.field) {
			t.Errorf("message %q does not name %s", err, tc.field)
		}
	}
	c := validConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("valid config: %v", err)
	}
}

func TestConfigYAML(t *testing.T) {
	src := `
listen: 0.0.0.0:5070
transport: tcp
external_address: 203.0.113.5
rtp_ports: {min: 30000, max: 31000}
codecs: [pcma]
trunks:
  - name: main
    employee: "sip:{extension}@pbx.example.com"
    client: "sip:{digits}@pbx.example.com;transport=tcp"
    username: cb
    password: secret
    register: true
    register_expiry: 10m
    outbound_proxy: proxy.example.com:5080
    caller_id: {number: "+4930123", name: Acme}
lines:
  - number: "+4930999"
    trunk: main
inbound: {accept: false}
`
	var c sip.Config
	if err := yaml.Unmarshal([]byte(src), &c); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	tr := c.Trunks[0]
	if c.Transport != "tcp" || c.RTPPorts.Max != 31000 || tr.RegisterExpiry.Minutes() != 10 || !tr.Register || tr.CallerID.Name != "Acme" || c.Lines[0].Trunk != "main" {
		t.Errorf("decoded %+v", c)
	}
}

func TestTargets(t *testing.T) {
	for s, ok := range map[string]bool{"101": true, "*99": true, "sales.1": true, "": false, "1 0": false, "101@x": false, "10;1": false, "a<b": false, strings.Repeat("1", 33): false} {
		if sip.ValidExtension(s) != ok {
			t.Errorf("ValidExtension(%q) = %v", s, !ok)
		}
	}
	for s, ok := range map[string]bool{"+4930123456": true, "+14155550100": true, "4930123456": false, "+0301234567": false, "+49301234567890123": false, "+4930 123": false, "+4930123456;x": false} {
		if sip.ValidE164(s) != ok {
			t.Errorf("ValidE164(%q) = %v", s, !ok)
		}
	}
}

func TestStatusCode(t *testing.T) {
	for status, want := range map[int]string{200: "200", 486: "486", 600: "486", 603: "603", 404: "404", 484: "484", 480: "480", 408: "480", 403: "403", 402: "402", 500: "503", 502: "503", 503: "503", 488: "OTHER", 415: "OTHER"} {
		if got := sip.StatusCode(status); got != want {
			t.Errorf("StatusCode(%d) = %s, want %s", status, got, want)
		}
	}
}

func TestErrorStatusCode(t *testing.T) {
	for _, tc := range []struct {
		e    *sip.Error
		want string
	}{
		{&sip.Error{Kind: sip.KindNoAnswer, Status: 487}, "304"},
		{&sip.Error{Kind: sip.KindNoResponse}, "480"},
		{&sip.Error{Kind: sip.KindBusy, Status: 486}, "486"},
		{&sip.Error{Kind: sip.KindDeclined, Status: 603}, "603"},
		{&sip.Error{Kind: sip.KindHungUp}, "603"},
		{&sip.Error{Kind: sip.KindCancelled}, "603-S"},
		{&sip.Error{Kind: sip.KindUnreachable}, "503"},
		{&sip.Error{Kind: sip.KindRejected, Status: 404}, "404"},
		{&sip.Error{Kind: sip.KindRejected, Status: 484}, "484"},
		{&sip.Error{Kind: sip.KindRejected, Status: 408}, "480"},
		{&sip.Error{Kind: sip.KindRejected, Status: 403}, "403"},
		{&sip.Error{Kind: sip.KindRejected, Status: 402}, "402"},
		{&sip.Error{Kind: sip.KindRejected, Status: 502}, "503"},
		{&sip.Error{Kind: sip.KindRejected, Status: 488}, "OTHER"},
		{&sip.Error{Kind: sip.KindDeadPeer}, "OTHER"},
		{&sip.Error{Kind: sip.KindMedia}, "OTHER"},
	} {
		if got := tc.e.StatusCode(); got != tc.want {
			t.Errorf("%s %d: %s, want %s", tc.e.Kind, tc.e.Status, got, tc.want)
		}
	}
}
