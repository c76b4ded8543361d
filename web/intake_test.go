package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/store/sqlite"
	"github.com/callbackline/callbackline/store/storetest"
	"github.com/callbackline/callbackline/web"
)

// backends lists the stores the end-to-end tests run on: a SQLite file,
// and PostgreSQL when CALLBACKLINE_TEST_POSTGRES names a database.
func backends() map[string]func(t testing.TB) storetest.Backend {
	return map[string]func(t testing.TB) storetest.Backend{
		"sqlite":   openSQLite,
		"postgres": openPostgres,
	}
}

func openSQLite(t testing.TB) storetest.Backend {
	t.Helper()
	st, err := sqlite.Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "callbackline.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// eachBackend runs f on every store.
func eachBackend(t *testing.T, f func(t *testing.T, open func(t testing.TB) storetest.Backend)) {
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) { f(t, open) })
	}
}

func TestInstallEvent(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t testing.TB) storetest.Backend) {
		h := newHarness(t, open(t), intake.Rules{})
		sentRefresh, _ := h.portal.InstallEnvelope().Pairs().Get("auth[refresh_token]")
		h.install()
		p, err := h.store.Portal(context.Background(), exampleMember)
		if err != nil {
			t.Fatal(err)
		}
		if p.Status != callbackline.PortalInstalled || p.ApplicationToken != exampleToken {
			t.Errorf("portal = %+v", p)
		}
		if p.ClientEndpoint != h.portal.RESTEndpoint() {
			t.Errorf("REST endpoint %q, want the OAuth server's answer %q", p.ClientEndpoint, h.portal.RESTEndpoint())
		}
		if p.RefreshToken == "" || p.AccessToken == "" || p.ExpiresAt.IsZero() {
			t.Errorf("tokens not stored: %+v", p)
		}
		if p.RefreshToken == sentRefresh {
			t.Errorf("the stored refresh token is the one from the request; after the verifying refresh it must be the rotated one")
		}
		if p.Language != "ru" {
			t.Errorf("language = %q", p.Language)
		}
		// Re-installation updates the row.
		h.install()
		list, err := h.store.Portals(context.Background())
		if err != nil || len(list) != 1 {
			t.Fatalf("portals after re-install: %d, %v", len(list), err)
		}
	})
}

func TestInstallFrame(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	res, err := h.portal.SendInstallFrame(context.Background(), h.url("/bitrix24/install"))
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "BX24.installFinish()") {
		t.Fatalf("frame install: %d %s", res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("content type %q", ct)
	}
	if res.Header.Get("X-Frame-Options") != "" {
		t.Errorf("the installer page must be frameable")
	}
	if _, err := h.store.Portal(context.Background(), exampleMember); err != nil {
		t.Fatal(err)
	}
}

func TestInstallRefused(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	env := h.portal.InstallEnvelope()

	// A refresh token the OAuth server does not know.
	forged := env
	forged.Auth.RefreshToken = "not-a-refresh-token"
	code, body := h.post("/bitrix24/install", "application/x-www-form-urlencoded", []byte(forged.Encode()))
	if code != http.StatusUnauthorized || errorCode(t, body) != callbackline.EUNAUTHORIZED {
		t.Errorf("unknown refresh token: %d %s", code, body)
	}

	// A genuine refresh token, but presented for another portal.
	other := h.portal.InstallEnvelope()
	other.Auth.MemberID = "ffffffffffffffffffffffffffffffff"
	code, body = h.post("/bitrix24/install", "application/x-www-form-urlencoded", []byte(other.Encode()))
	if code != http.StatusUnauthorized {
		t.Errorf("member mismatch: %d %s", code, body)
	}
	if list, _ := h.store.Portals(context.Background()); len(list) != 0 {
		t.Errorf("a refused installation stored %d portals", len(list))
	}
}

// TestSecretStaysHome: endpoints named in requests are never trusted to
// receive a secret. The client secret only goes to the configured OAuth
// server, and the stored REST endpoint is the OAuth server's answer.
func TestSecretStaysHome(t *testing.T) {
	var evilHits int
	trap := newTrap(t, &evilHits)
	h := newHarness(t, openSQLite(t), intake.Rules{})

	env := h.portal.InstallEnvelope()
	env.Auth.ServerEndpoint = trap + "/rest/"
	env.Auth.ClientEndpoint = trap + "/rest/"
	env.Auth.Domain = strings.TrimPrefix(trap, "http://")
	code, body := h.post("/bitrix24/install", "application/x-www-form-urlencoded", []byte(env.Encode()))
	if code != http.StatusOK {
		t.Fatalf("install: %d %s", code, body)
	}
	p, err := h.store.Portal(context.Background(), exampleMember)
	if err != nil {
		t.Fatal(err)
	}
	if p.ClientEndpoint != h.portal.RESTEndpoint() {
		t.Errorf("stored endpoint %q came from the request", p.ClientEndpoint)
	}
	// A spoofed event: right member, wrong token, evil endpoints.
	code, _ = h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "+49 30 1234567"}, bitrix24test.EventOptions{ApplicationToken: "forged"})
	if code != http.StatusUnauthorized {
		t.Errorf("forged token: %d", code)
	}
	if evilHits != 0 {
		t.Errorf("the host named in the request received %d requests", evilHits)
	}
	for _, r := range h.portal.Requests() {
		if r.Query.Get("client_secret") != "" && r.Server != "oauth" {
			t.Errorf("client secret sent to %s %s", r.Server, r.Path)
		}
	}
	if n := len(h.portal.OAuthRequests()); n != 1 {
		t.Errorf("OAuth requests = %d, want 1 refresh", n)
	}
}

// sendCallback sends ONEXTERNALCALLBACKSTART as the portal does.
func (h *harness) sendCallback(c bitrix24test.CallbackRequest, opts bitrix24test.EventOptions) (int, string) {
	h.t.Helper()
	res, err := h.portal.SendCallbackStart(context.Background(), h.url("/bitrix24/events"), c, opts)
	if err != nil {
		h.t.Fatal(err)
	}
	return res.StatusCode, readAll(h.t, res)
}

func TestCallbackGenuine(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t testing.TB) storetest.Backend) {
		h := newHarness(t, open(t), intake.Rules{})
		h.install()
		code, body := h.sendCallback(bitrix24test.CallbackRequest{
			PhoneNumber: "+7 (495) 123-45-67", Text: "Перезвоните, пожалуйста", Voice: "ruinternalfemale",
			CRMEntityType: "CONTACT", CRMEntityID: "797", LineNumber: "4930123456",
		}, bitrix24test.EventOptions{})
		status, id, _ := answer(t, body)
		if code != http.StatusOK || status != "accepted" || id == 0 {
			t.Fatalf("genuine event: %d %s", code, body)
		}
		if n := h.jobs(); n != 1 {
			t.Errorf("jobs = %d, want 1", n)
		}
		cb, err := h.store.Callback(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		want := callbackline.Callback{Phone: "+74951234567", PhoneRaw: "+7 (495) 123-45-67", Text: "Перезвоните, пожалуйста",
			Voice: "ruinternalfemale", CRMEntityType: "CONTACT", CRMEntityID: 797, LineNumber: "4930123456",
			State: callbackline.StateReceived, Kind: callbackline.KindCallback, MemberID: exampleMember}
		if cb.Phone != want.Phone || cb.PhoneRaw != want.PhoneRaw || cb.Text != want.Text || cb.Voice != want.Voice ||
			cb.CRMEntityType != want.CRMEntityType || cb.CRMEntityID != want.CRMEntityID || cb.LineNumber != want.LineNumber ||
			cb.State != want.State || cb.Kind != want.Kind || cb.MemberID != want.MemberID || cb.EventAt.IsZero() {
			t.Errorf("stored %+v", cb)
		}
		// The same request with tokens in auth (handler bound with auth_type).
		code, body = h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "8 495 765 43 21", CRMEntityType: "LEAD", CRMEntityID: "5"},
			bitrix24test.EventOptions{Tokens: true})
		if status, _, _ := answer(t, body); code != http.StatusOK || status != "accepted" {
			t.Fatalf("event with tokens: %d %s", code, body)
		}
		if n := h.jobs(); n != 2 {
			t.Errorf("jobs = %d, want 2", n)
		}
	})
}

// TestWireExamples posts the raw bodies of docs/bitrix24.md §11 as they arrive.
func TestWireExamples(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	for _, tc := range []struct {
		name, status, phone string
	}{
		{"callbackstart-tokens", "accepted", "+494951234567"},
		{"callbackstart-anonymous", "accepted", "+74951234567"},
		{"callstart", "accepted", "+494951234567"},
	} {
		ct, body := wireExample(t, tc.name)
		code, resp := h.post("/bitrix24/events", ct, body)
		status, id, _ := answer(t, resp)
		if code != http.StatusOK || status != tc.status {
			t.Errorf("%s: %d %s", tc.name, code, resp)
			continue
		}
		cb, err := h.store.Callback(context.Background(), id)
		if err != nil || cb.Phone != tc.phone {
			t.Errorf("%s: stored %+v, %v", tc.name, cb, err)
		}
	}
	cb := h.callbacks()
	for _, c := range cb {
		if c.Kind == callbackline.KindCall && c.CallID != "externalCall.89350264e026dace3f2b14d1f438257c.1773236989" {
			t.Errorf("click-to-call CALL_ID = %q", c.CallID)
		}
	}
	if n := h.jobs(); n != 3 {
		t.Errorf("jobs = %d, want 3", n)
	}
	// The uninstall example, last: answered at once, nothing changes yet;
	// its check with the portal is queued.
	ct, body := wireExample(t, "appuninstall")
	code, resp := h.post("/bitrix24/events", ct, body)
	if status, _, _ := answer(t, resp); code != http.StatusOK || status != intake.Checking {
		t.Fatalf("uninstall: %d %s", code, resp)
	}
	if p, err := h.store.Portal(context.Background(), exampleMember); err != nil || p.Status != callbackline.PortalInstalled {
		t.Errorf("the uninstall event changed the portal before its check: %+v %v", p, err)
	}
	if n := len(h.callbacks()); n != 3 {
		t.Errorf("after the uninstall event, %d callbacks are left, want 3", n)
	}
	if n, err := h.store.CountJobs(context.Background(), callbackline.UninstallJob{}.Kind()); err != nil || n != 1 {
		t.Errorf("uninstall checks = %d (%v), want 1", n, err)
	}
}

func TestCallbackJSON(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	body := fmt.Sprintf(`{"event":"onExternalCallBackStart","event_handler_id":"7","data":{"PHONE_NUMBER":"+49 30 901820","TEXT":"Hallo","VOICE":"eurgermanfemale","CRM_ENTITY_TYPE":"LEAD","CRM_ENTITY_ID":5785,"LINE_NUMBER":""},"ts":"1773234727","auth":{"member_id":%q,"application_token":%q,"domain":"example.bitrix24.de"}}`, exampleMember, exampleToken)
	code, resp := h.post("/bitrix24/events", "application/json; charset=utf-8", []byte(body))
	status, id, _ := answer(t, resp)
	if code != http.StatusOK || status != "accepted" {
		t.Fatalf("JSON event: %d %s", code, resp)
	}
	cb, err := h.store.Callback(context.Background(), id)
	if err != nil || cb.Phone != "+4930901820" || cb.CRMEntityID != 5785 || cb.Text != "Hallo" {
		t.Errorf("stored %+v, %v", cb, err)
	}
}

func TestCallbackNotGenuine(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t testing.TB) storetest.Backend) {
		var skew atomic.Int64 // the server's clock runs ahead by this
		h := newHarnessWith(t, open(t), intake.Rules{}, testLogger(t), func(o *web.Options) {
			o.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
		})
		req := bitrix24test.CallbackRequest{PhoneNumber: "+49 30 1234567", CRMEntityType: "LEAD", CRMEntityID: "1"}

		// Before installation the portal is unknown.
		if code, body := h.sendCallback(req, bitrix24test.EventOptions{}); code != http.StatusUnauthorized || errorCode(t, body) != callbackline.EUNAUTHORIZED {
			t.Errorf("unknown portal: %d %s", code, body)
		}
		h.install()
		for name, opts := range map[string]bitrix24test.EventOptions{
			"forged token":   {ApplicationToken: "00000000000000000000000000000000"},
			"empty token":    {ApplicationToken: " "},
			"unknown member": {MemberID: "0123456789abcdef0123456789abcdef"},
		} {
			if code, body := h.sendCallback(req, opts); code != http.StatusUnauthorized {
				t.Errorf("%s: %d %s", name, code, body)
			}
		}
		if n, cbs := h.jobs(), h.callbacks(); n != 0 || len(cbs) != 0 {
			t.Errorf("refused events left %d jobs and %d callbacks", n, len(cbs))
		}
		// After a confirmed uninstall without CLEAN (callback.UninstallWorker
		// marks it), events are refused too, once the portal cache's entry
		// has expired.
		if err := h.store.SetPortalStatus(context.Background(), exampleMember, callbackline.PortalUninstalled, "test"); err != nil {
			t.Fatal(err)
		}
		skew.Store(int64(time.Minute))
		if code, _ := h.sendCallback(req, bitrix24test.EventOptions{}); code != http.StatusUnauthorized {
			t.Errorf("event after uninstall: %d", code)
		}
		// Re-installation brings it back.
		h.install()
		if code, _ := h.sendCallback(req, bitrix24test.EventOptions{}); code != http.StatusOK {
			t.Errorf("event after re-install: %d", code)
		}
	})
}

func TestCallbackDuplicate(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t testing.TB) storetest.Backend) {
		h := newHarness(t, open(t), intake.Rules{})
		h.install()
		req := bitrix24test.CallbackRequest{PhoneNumber: "+7 (495) 123-45-67", CRMEntityType: "LEAD", CRMEntityID: "42"}
		_, first := h.sendCallback(req, bitrix24test.EventOptions{})
		// The visitor types the same number differently the second time.
		req.PhoneNumber = "8 495 123 45 67"
		code, second := h.sendCallback(req, bitrix24test.EventOptions{})
		s1, id1, _ := answer(t, first)
		s2, id2, _ := answer(t, second)
		if code != http.StatusOK || s1 != "accepted" || s2 != "duplicate" || id1 != id2 {
			t.Fatalf("answers %s / %s", first, second)
		}
		if n := h.jobs(); n != 1 {
			t.Errorf("jobs = %d, want 1", n)
		}
		cb, _ := h.store.Callback(context.Background(), id1)
		if cb.Duplicates != 1 || cb.LastDuplicateAt.IsZero() {
			t.Errorf("duplicates = %d, last %v", cb.Duplicates, cb.LastDuplicateAt)
		}
	})
}

func TestCallbackRejected(t *testing.T) {
	eachBackend(t, func(t *testing.T, open func(t testing.TB) storetest.Backend) {
		h := newHarness(t, open(t), intake.Rules{NumberLimit: 3})
		h.install()
		for _, tc := range []struct{ raw, entity, reason string }{
			{"12", "1", callbackline.ReasonInvalidNumber},
			{"call me maybe", "2", callbackline.ReasonInvalidNumber},
			{"+44 909 876 5432", "3", callbackline.ReasonNumberType}, // UK premium rate
			{"+49 900 1234567", "4", callbackline.ReasonNumberType},  // DE premium rate
		} {
			code, body := h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: tc.raw, CRMEntityType: "LEAD", CRMEntityID: tc.entity}, bitrix24test.EventOptions{})
			status, id, reason := answer(t, body)
			if code != http.StatusOK || status != "rejected" || !strings.HasPrefix(reason, tc.reason+":") {
				t.Errorf("%q: %d %s", tc.raw, code, body)
				continue
			}
			cb, err := h.store.Callback(context.Background(), id)
			if err != nil || cb.State != callbackline.StateRejected || cb.PhoneRaw != tc.raw || !strings.HasPrefix(cb.Reason, tc.reason) {
				t.Errorf("%q stored as %+v, %v", tc.raw, cb, err)
			}
		}
		// The number limit: the fourth request for one number within the hour.
		for i := range 4 {
			code, body := h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "+49 30 1234567", CRMEntityType: "LEAD", CRMEntityID: fmt.Sprint(100 + i)}, bitrix24test.EventOptions{})
			status, _, reason := answer(t, body)
			want := "accepted"
			if i == 3 {
				want = "rejected"
			}
			if code != http.StatusOK || status != want || (i == 3 && !strings.HasPrefix(reason, callbackline.ReasonNumberRate)) {
				t.Errorf("request %d for one number: %d %s", i+1, code, body)
			}
		}
		if n := h.jobs(); n != 3 {
			t.Errorf("jobs = %d, want 3 (rejected requests are never queued)", n)
		}
	})
}

func TestBadInput(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	form := "application/x-www-form-urlencoded"
	big := "event=ONEXTERNALCALLBACKSTART&data%5BTEXT%5D=" + strings.Repeat("a", 70<<10)
	for _, tc := range []struct {
		name, method, ct, body string
		status                 int
		code                   string
	}{
		{"too large", http.MethodPost, form, big, http.StatusRequestEntityTooLarge, callbackline.ETOOLARGE},
		{"wrong method", http.MethodGet, "", "", http.StatusMethodNotAllowed, callbackline.EMETHOD},
		{"put", http.MethodPut, form, "event=X", http.StatusMethodNotAllowed, callbackline.EMETHOD},
		{"text/plain", http.MethodPost, "text/plain", "event=X", http.StatusUnsupportedMediaType, callbackline.EUNSUPPORTED},
		{"no content type", http.MethodPost, "", "event=X", http.StatusUnsupportedMediaType, callbackline.EUNSUPPORTED},
		{"event not a name", http.MethodPost, form, "event%5Ba%5D=1&data%5BPHONE_NUMBER%5D=1", http.StatusBadRequest, callbackline.EINVALID},
		{"binary", http.MethodPost, form, "\x00\xff\xfe", http.StatusBadRequest, callbackline.EINVALID},
		{"no event", http.MethodPost, form, "data%5BPHONE_NUMBER%5D=1", http.StatusBadRequest, callbackline.EINVALID},
		{"bad json", http.MethodPost, "application/json", `{"event":`, http.StatusBadRequest, callbackline.EINVALID},
		{"json array", http.MethodPost, "application/json", `[1,2]`, http.StatusBadRequest, callbackline.EINVALID},
	} {
		req, _ := http.NewRequest(tc.method, h.url("/bitrix24/events"), strings.NewReader(tc.body))
		if tc.ct != "" {
			req.Header.Set("Content-Type", tc.ct)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, res)
		if res.StatusCode != tc.status || errorCode(t, body) != tc.code {
			t.Errorf("%s: %d %s, want %d %s", tc.name, res.StatusCode, body, tc.status, tc.code)
		}
	}
	if n, cbs := h.jobs(), h.callbacks(); n != 0 || len(cbs) != 0 {
		t.Errorf("bad input left %d jobs and %d callbacks", n, len(cbs))
	}
	// The install endpoint validates too.
	if code, body := h.post("/bitrix24/install", form, []byte("AUTH_ID=x")); code != http.StatusBadRequest {
		t.Errorf("install without member_id: %d %s", code, body)
	}
	if code, _ := h.get("/bitrix24/install", ""); code != http.StatusMethodNotAllowed {
		t.Errorf("GET install: %d", code)
	}
	if code, body := h.get("/nowhere", ""); code != http.StatusNotFound || errorCode(t, body) != callbackline.ENOTFOUND {
		t.Errorf("unknown path: %d %s", code, body)
	}
}

func TestUnknownEventIgnored(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	res, err := h.portal.SendEvent(context.Background(), h.url("/bitrix24/events"), "ONCRMLEADADD", bitrix24test.P("FIELDS[ID]", "5"), bitrix24test.EventOptions{})
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if status, _, _ := answer(t, body); res.StatusCode != http.StatusOK || status != "ignored" {
		t.Errorf("unknown event: %d %s", res.StatusCode, body)
	}
	if n := len(h.callbacks()); n != 0 {
		t.Errorf("an ignored event stored %d callbacks", n)
	}
}

func TestAPI(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	_, body := h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "+49 30 1234567", Text: "Rückruf", CRMEntityType: "LEAD", CRMEntityID: "9"}, bitrix24test.EventOptions{})
	_, id, _ := answer(t, body)

	if code, body := h.get("/api/v1/callbacks", ""); code != http.StatusUnauthorized || errorCode(t, body) != callbackline.EUNAUTHORIZED {
		t.Errorf("no token: %d %s", code, body)
	}
	if code, _ := h.get("/api/v1/callbacks", "wrong-token-wrong-token"); code != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", code)
	}
	code, body := h.get("/api/v1/callbacks", adminToken)
	if code != http.StatusOK {
		t.Fatalf("list: %d %s", code, body)
	}
	for _, key := range []string{`"callbacks":[`, `"id":`, `"member_id":"` + exampleMember, `"phone":"+49301234567"`, `"phone_raw":"+49 30 1234567"`,
		`"text":"Rückruf"`, `"voice":`, `"crm_entity_type":"LEAD"`, `"crm_entity_id":9`, `"line_number":""`, `"state":"received"`,
		`"reason":""`, `"duplicates":0`, `"created_at":`} {
		if !strings.Contains(body, key) {
			t.Errorf("list lacks %s: %s", key, body)
		}
	}
	if code, body := h.get(fmt.Sprintf("/api/v1/callbacks/%d", id), adminToken); code != http.StatusOK || !strings.Contains(body, `"phone":"+49301234567"`) ||
		!strings.Contains(body, `"attempts":[]`) || !strings.Contains(body, `"history":[]`) {
		t.Errorf("get: %d %s", code, body)
	}
	// A portal whose refresh token was refused shows in the API and metrics.
	if err := h.store.SetPortalStatus(context.Background(), exampleMember, callbackline.PortalReinstall, "invalid_grant"); err != nil {
		t.Fatal(err)
	}
	if code, body := h.get("/api/v1/portals", adminToken); code != http.StatusOK ||
		!strings.Contains(body, `"status":"reinstall_required"`) || strings.Contains(body, "token") {
		t.Errorf("portals: %d %s", code, body)
	}
	if _, body := h.get("/metrics", ""); !strings.Contains(body, `callbackline_portals{status="reinstall_required"} 1`) {
		t.Errorf("metrics lack the portal that must reinstall")
	}
	if code, body := h.get("/api/v1/callbacks/999999", adminToken); code != http.StatusNotFound || errorCode(t, body) != callbackline.ENOTFOUND {
		t.Errorf("missing: %d %s", code, body)
	}
	if code, _ := h.get("/api/v1/callbacks/abc", adminToken); code != http.StatusBadRequest {
		t.Errorf("bad id: %d", code)
	}
	if code, _ := h.get("/api/v1/callbacks?state=nonsense", adminToken); code != http.StatusBadRequest {
		t.Errorf("bad state: %d", code)
	}
	q := url.Values{"member_id": {"someone-else"}}
	if code, body := h.get("/api/v1/callbacks?"+q.Encode(), adminToken); code != http.StatusOK || !strings.Contains(body, `"callbacks":[]`) {
		t.Errorf("filter: %d %s", code, body)
	}

	// Without an admin token configured the API is off.
	off := web.NewServer(web.Options{Store: h.store})
	defer off.Close()
	rec := newRecorder(off, http.MethodGet, "/api/v1/callbacks", "Bearer anything")
	if rec.Code != http.StatusForbidden {
		t.Errorf("API without admin token: %d", rec.Code)
	}
}

func TestHealthAndMetrics(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "+49 30 1234567"}, bitrix24test.EventOptions{})
	h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "+49 30 1234567"}, bitrix24test.EventOptions{ApplicationToken: "forged"})
	if code, body := h.get("/healthz", ""); code != http.StatusOK {
		t.Errorf("healthz: %d %s", code, body)
	}
	if code, body := h.get("/readyz", ""); code != http.StatusOK || !strings.Contains(body, `"store":"ok"`) {
		t.Errorf("readyz: %d %s", code, body)
	}
	code, body := h.get("/metrics", "")
	if code != http.StatusOK {
		t.Fatalf("metrics: %d", code)
	}
	for _, line := range []string{
		`callbackline_events_total{event="onexternalcallbackstart",outcome="accepted"} 1`,
		`callbackline_events_total{event="onexternalcallbackstart",outcome="unauthorized"} 1`,
		`callbackline_callbacks{state="received"} 1`,
		`callbackline_installs_total{outcome="installed"} 1`,
		`callbackline_intake_seconds_bucket{event="onexternalcallbackstart",le="0.1"}`,
	} {
		if !strings.Contains(body, line) {
			t.Errorf("metrics lack %s", line)
		}
	}
}

// TestInstallOnlyByAdmin: every user who opens the application gets tokens
// in the Bitrix24 frame; an employee's tokens must not replace the
// administrator's installation.
func TestInstallOnlyByAdmin(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	before, err := h.store.Portal(context.Background(), exampleMember)
	if err != nil {
		t.Fatal(err)
	}
	employee := h.portal.IssueTokens(1269) // Max Müller: not an administrator
	env := h.portal.InstallEnvelope()
	env.Auth.AccessToken, env.Auth.RefreshToken, env.Auth.UserID = employee.AccessToken, employee.RefreshToken, 1269
	code, body := h.post("/bitrix24/install", "application/x-www-form-urlencoded", []byte(env.Encode()))
	if code != http.StatusForbidden || errorCode(t, body) != callbackline.EFORBIDDEN {
		t.Fatalf("an employee's installation: %d %s", code, body)
	}
	after, err := h.store.Portal(context.Background(), exampleMember)
	if err != nil || after.RefreshToken != before.RefreshToken || after.UserID != before.UserID {
		t.Errorf("the refused installation changed the portal: %+v", after)
	}
}

// TestUninstallAnsweredAtOnce: the application token is in every user's
// frame POST, so a forged ONAPPUNINSTALL with CLEAN=1 is answered 200
// "checking" and changes nothing here: the portal and its callbacks stay,
// the Bitrix24 client keeps its tokens, the next request is taken. (The
// check with the portal: callback's TestUninstall…)
func TestUninstallAnsweredAtOnce(t *testing.T) {
	h := newHarness(t, openSQLite(t), intake.Rules{})
	h.install()
	ctx := context.Background()
	h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "+49 30 1234567"}, bitrix24test.EventOptions{})
	res, err := h.portal.SendUninstall(ctx, h.url("/bitrix24/events"), true)
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, res)
	if status, _, _ := answer(t, body); res.StatusCode != http.StatusOK || status != intake.Checking {
		t.Fatalf("uninstall: %d %s", res.StatusCode, body)
	}
	if pp := mustPortal(t, h.store); pp.Status != callbackline.PortalInstalled || len(h.callbacks()) != 1 {
		t.Fatalf("the uninstall event changed the portal: %+v", pp)
	}
	if code, body := h.sendCallback(bitrix24test.CallbackRequest{PhoneNumber: "+49 30 7654321"}, bitrix24test.EventOptions{}); code != http.StatusOK {
		t.Errorf("a request after the uninstall event: %d %s", code, body)
	}
}

func mustPortal(t *testing.T, st callbackline.PortalStore) *callbackline.Portal {
	t.Helper()
	p, err := st.Portal(context.Background(), exampleMember)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
