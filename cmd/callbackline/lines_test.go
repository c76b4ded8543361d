package main

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

// TestLinesSyncedAtStart: a line added to the configuration reaches the
// installed portal when the service starts again, without a reinstall.
func TestLinesSyncedAtStart(t *testing.T) {
	bin := buildBinary(t)
	r := newCallRig(t, bin, "none")
	svc := r.start()
	res, err := r.portal.SendInstall(context.Background(), "http://"+r.addr+"/bitrix24/install")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("install: %v %v", res, err)
	}
	res.Body.Close()
	if err := within(10*time.Second, func() bool { return len(r.portal.Lines()) == 1 }); err != nil {
		t.Fatalf("lines after install: %+v", r.portal.Lines())
	}
	svc.stop(t)

	conf, err := os.ReadFile(r.conf)
	if err != nil {
		t.Fatal(err)
	}
	conf = []byte(strings.Replace(string(conf), "lines:\n", "lines:\n  - number: \"4930123456\"\n    name: Sales\n", 1))
	if err := os.WriteFile(r.conf, conf, 0o600); err != nil {
		t.Fatal(err)
	}
	svc = r.start()
	defer svc.stop(t)
	if err := within(10*time.Second, func() bool { return len(r.portal.Lines()) == 2 }); err != nil {
		t.Fatalf("lines after the restart: %+v", r.portal.Lines())
	}
	for _, h := range r.portal.Handlers() {
		if h.Handler != "http://"+r.addr+"/bitrix24/events" {
			t.Errorf("handler %+v", h)
		}
	}
	if n := len(r.portal.Handlers()); n != 3 {
		t.Errorf("%d handlers bound after two starts, want 3", n)
	}
}
