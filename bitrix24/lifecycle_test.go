package bitrix24_test

import (
	"context"
	"crypto/subtle"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

// testApp is a minimal callbackline: the install handler stores the
// portal and runs Setup, the events handler checks the application token
// and drops the portal on ONAPPUNINSTALL.
type testApp struct {
	t      *testing.T
	srv    *httptest.Server
	store  *memStore
	client *bitrix24.Client
	public string
	mu     sync.Mutex
	lines  []bitrix24.Line
	events []url.Values
}

func newTestApp(t *testing.T, sim *bitrix24test.Portal) *testApp {
	a := &testApp{t: t, store: newMemStore()}
	a.client = bitrix24.NewClient(sim.OAuth(), a.store)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /bitrix24/install", a.install)
	mux.HandleFunc("POST /bitrix24/events", a.event)
	a.srv = httptest.NewServer(mux)
	a.public = a.srv.URL
	t.Cleanup(a.srv.Close)
	return a
}

func (a *testApp) form(r *http.Request) url.Values {
	b, _ := io.ReadAll(r.Body)
	v, err := url.ParseQuery(string(b))
	if err != nil {
		a.t.Errorf("form: %v", err)
	}
	return v
}

func (a *testApp) install(w http.ResponseWriter, r *http.Request) {
	v := a.form(r)
	p := portalFromInstall(v)
	a.store.put(p)
	a.mu.Lock()
	lines := a.lines
	a.mu.Unlock()
	if err := a.client.Setup(r.Context(), a.store.get(p.MemberID), a.public, lines); err != nil {
		a.t.Errorf("setup: %v", err)
		http.Error(w, err.Error(), 500)
	}
}

func (a *testApp) event(w http.ResponseWriter, r *http.Request) {
	v := a.form(r)
	p := a.store.get(v.Get("auth[member_id]"))
	if p == nil || subtle.ConstantTimeCompare([]byte(p.ApplicationToken), []byte(v.Get("auth[application_token]"))) != 1 {
		http.Error(w, "unknown portal", http.StatusUnauthorized)
		return
	}
	a.mu.Lock()
	a.events = append(a.events, v)
	a.mu.Unlock()
	if v.Get("event") == "ONAPPUNINSTALL" {
		a.store.delete(p.MemberID)
		a.client.Forget(p.MemberID)
	}
}

func TestLifecycle(t *testing.T) {
	sim := bitrix24test.New(bitrix24test.Options{})
	defer sim.Close()
	app := newTestApp(t, sim)
	app.lines = []bitrix24.Line{{Number: "4930123456", Name: "Berlin"}, {Number: "4940123456", Name: "Hamburg", CRMAutoCreate: true}}
	ctx := context.Background()

	install := func() {
		t.Helper()
		resp, err := sim.SendInstall(ctx, app.srv.URL+"/bitrix24/install")
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("install: %v %v", resp, err)
		}
	}
	checkHandlers := func(public string) {
		t.Helper()
		hs := sim.Handlers()
		if len(hs) != 3 {
			t.Fatalf("%d handlers: %+v", len(hs), hs)
		}
		seen := map[string]bool{}
		for _, h := range hs {
			if h.Handler != public+"/bitrix24/events" || h.Offline {
				t.Errorf("handler %+v", h)
			}
			seen[h.Event] = true
		}
		for _, ev := range bitrix24.AppEvents {
			if !seen[ev] {
				t.Errorf("%s not bound", ev)
			}
		}
	}

	install()
	checkHandlers(app.public)
	lines := sim.Lines()
	if len(lines) != 2 || lines[0].Name != "Berlin" || lines[0].CRMAutoCreate || !lines[1].CRMAutoCreate {
		t.Fatalf("lines %+v", lines)
	}
	binds := len(sim.RESTCalls("event.bind"))

	// Installed twice: still bound once, no new event.bind.
	install()
	checkHandlers(app.public)
	if n := len(sim.RESTCalls("event.bind")); n != binds {
		t.Fatalf("event.bind called again (%d → %d)", binds, n)
	}
	if len(sim.Lines()) != 2 {
		t.Fatalf("lines %+v", sim.Lines())
	}

	// Configuration changes: lines re-synced, without pruning by Setup.
	p := app.store.get(sim.MemberID())
	res, err := app.client.SyncLines(ctx, p, []bitrix24.Line{{Number: "4930123456", Name: "Berlin office"}, {Number: "4989123456", Name: "München"}}, true)
	if err != nil || len(res.Added) != 1 || len(res.Updated) != 1 || len(res.Deleted) != 1 {
		t.Fatalf("sync: %+v %v", res, err)
	}
	if l := sim.Lines(); len(l) != 2 || l[0].Name != "Berlin office" || l[1].Number != "4989123456" {
		t.Fatalf("lines %+v", l)
	}

	// A handler bound by hand again is "already binded": success.
	if err := app.client.BindEvent(ctx, p, "ONEXTERNALCALLSTART", app.public+"/bitrix24/events"); err != nil {
		t.Fatal(err)
	}

	// The form's callback reaches the bound handler, tokenless.
	if err := sim.SubmitCallbackForm(ctx, bitrix24test.CallbackRequest{PhoneNumber: "+7 (495) 123-45-67", CRMEntityType: "CONTACT", CRMEntityID: "797", LineNumber: "4989123456"}); err != nil {
		t.Fatal(err)
	}
	app.mu.Lock()
	ev := app.events[len(app.events)-1]
	app.mu.Unlock()
	if ev.Get("event") != "ONEXTERNALCALLBACKSTART" || ev.Get("data[PHONE_NUMBER]") != "+7 (495) 123-45-67" || ev.Get("auth[access_token]") != "" || ev.Get("event_handler_id") == "1" {
		t.Fatalf("event %v", ev)
	}

	// The public URL moves: new handlers, the old ones unbound.
	old := app.public
	app.public = "http://127.0.0.2:1"
	if err := app.client.Setup(ctx, app.store.get(sim.MemberID()), app.public, nil); err != nil {
		t.Fatal(err)
	}
	checkHandlers(app.public)
	app.public = old
	if err := app.client.Setup(ctx, app.store.get(sim.MemberID()), app.public, nil); err != nil {
		t.Fatal(err)
	}
	checkHandlers(app.public)

	// Uninstall: the portal leaves work.
	if err := sim.Uninstall(ctx, true); err != nil {
		t.Fatal(err)
	}
	if app.store.get(sim.MemberID()) != nil {
		t.Fatal("portal still stored after ONAPPUNINSTALL")
	}
	if len(sim.Handlers()) != 0 || len(sim.Lines()) != 0 {
		t.Fatal("the portal kept handlers or lines")
	}
	if _, err := app.client.Lines(ctx, p); err == nil {
		t.Fatal("calls still work after uninstall")
	}
	if err := sim.SubmitCallbackForm(ctx, bitrix24test.CallbackRequest{PhoneNumber: "+491"}); err == nil {
		t.Fatal("an uninstalled application got an event")
	}
}
