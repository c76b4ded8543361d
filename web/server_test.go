package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/web"
)

// TestNoSetupAfterClose: the set-up after an installation runs in the
// background, owned by the Server; once Close has returned, an
// installation that still comes in starts none (nobody would wait for it).
func TestNoSetupAfterClose(t *testing.T) {
	p := bitrix24test.New(bitrix24test.Options{MemberID: exampleMember, ApplicationToken: exampleToken})
	t.Cleanup(p.Close)
	var runs atomic.Int32
	srv := web.NewServer(web.Options{
		Store:  openSQLite(t),
		OAuth:  p.OAuth(),
		Logger: testLogger(t),
		Installed: func(ctx context.Context, _ *callbackline.Portal) error {
			runs.Add(1)
			return nil
		},
	})
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)

	install := func() {
		t.Helper()
		res, err := p.SendInstall(context.Background(), hs.URL+"/bitrix24/install")
		if err != nil {
			t.Fatal(err)
		}
		if body := readAll(t, res); res.StatusCode != http.StatusOK {
			t.Fatalf("install: %d %s", res.StatusCode, body)
		}
	}
	install()
	srv.Close()
	if n := runs.Load(); n != 1 {
		t.Fatalf("set-up ran %d times before Close returned, want 1", n)
	}
	install()
	time.Sleep(100 * time.Millisecond)
	if n := runs.Load(); n != 1 {
		t.Errorf("set-up ran after Close: %d runs", n)
	}
}
