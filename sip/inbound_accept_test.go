package sip_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestInboundAccepted configures inbound calls to be answered with an
// announcement: a caller hears it and is then hung up on.
func TestInboundAccepted(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	ann := filepath.Join(dir, "closed.wav")
	if err := siptest.WriteTone(ann, 1000, 8000, 1); err != nil {
		t.Fatal(err)
	}
	ph := siptest.StartPhone(t)
	cfg := validConfig()
	cfg.Listen, cfg.RTPPorts = "127.0.0.1:0", sip.PortRange{Min: 40000, Max: 44999}
	cfg.Inbound = sip.Inbound{Accept: true, Announcement: ann}
	d := newDialer(t, cfg)
	rec := filepath.Join(dir, "heard.wav")
	c, err := ph.Dial(ctx, "sip:callbackline@"+d.Addr(), rec, 5*time.Second+slack)
	if err != nil {
		t.Fatal(err)
	}
	if !c.RemoteBye {
		t.Errorf("the dialer did not hang up after the announcement")
	}
	if dur := c.Ended.Sub(c.Answered); dur < 900*time.Millisecond || dur > 2*time.Second+slack {
		t.Errorf("call lasted %s, want about the 1s announcement", dur)
	}
	heard := analyse(t, rec, 0)
	if !hears(heard, 0.1, 0.9, "tone:1000") {
		t.Errorf("caller heard %s", siptest.Summary(heard))
	}
}
