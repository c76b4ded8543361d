package web_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/store/storetest"
	"github.com/callbackline/callbackline/web"
)

// The member id and application token of the wire examples in
// testdata/events (docs/bitrix24.md §11), so they are genuine for the harness portal.
const (
	exampleMember = "a223c6b9410f85df78e9377d6c4f7213"
	exampleToken  = "51610fefc120afa4b628cc82d6298cce"
	adminToken    = "test-admin-token-0123456789"
)

// harness is callbackline's HTTP side on a real store, in front of a
// simulated Bitrix24 portal whose OAuth server is the configured one.
type harness struct {
	t      testing.TB
	portal *bitrix24test.Portal
	store  storetest.Backend
	intake *intake.Intake
	server *web.Server
	http   *httptest.Server
}

func (h *harness) url(path string) string { return h.http.URL + path }

// newHarness starts a portal, the server on the store, and returns both.
func newHarness(t testing.TB, st storetest.Backend, rules intake.Rules) *harness {
	t.Helper()
	return newHarnessLog(t, st, rules, testLogger(t))
}

// newHarnessLog is newHarness with the server logging to logger.
func newHarnessLog(t testing.TB, st storetest.Backend, rules intake.Rules, logger *slog.Logger) *harness {
	t.Helper()
	return newHarnessWith(t, st, rules, logger, nil)
}

// newHarnessWith is newHarnessLog with more options set by opts (when not
// nil) before the server starts.
func newHarnessWith(t testing.TB, st storetest.Backend, rules intake.Rules, logger *slog.Logger, opts func(*web.Options)) *harness {
	t.Helper()
	p := bitrix24test.New(bitrix24test.Options{MemberID: exampleMember, ApplicationToken: exampleToken, Language: "ru"})
	t.Cleanup(p.Close)
	if rules.DedupWindow == 0 {
		rules.DedupWindow = 10 * time.Minute
	}
	if rules.Policy.BlockedTypes == nil {
		rules.Policy = phone.DefaultPolicy()
	}
	in := intake.New(intake.Options{Store: st, Rules: rules, Logger: logger})
	o := web.Options{
		Store:  st,
		OAuth:  p.OAuth(),
		Intake: in, AdminToken: adminToken, Logger: logger,
	}
	if opts != nil {
		opts(&o)
	}
	srv := web.NewServer(o)
	t.Cleanup(func() { srv.Close() })
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return &harness{t: t, portal: p, store: st, intake: in, server: srv, http: hs}
}

// testLogger sends the server's logs to the test's log, shown on failure.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// install installs the application through the ONAPPINSTALL event.
func (h *harness) install() {
	h.t.Helper()
	res, err := h.portal.SendInstall(context.Background(), h.url("/bitrix24/install"))
	if err != nil {
		h.t.Fatal(err)
	}
	body := readAll(h.t, res)
	if res.StatusCode != http.StatusOK {
		h.t.Fatalf("install: %d %s", res.StatusCode, body)
	}
}

// post sends a raw body with a content type and returns status and body.
func (h *harness) post(path, contentType string, body []byte) (int, string) {
	h.t.Helper()
	res, err := http.Post(h.url(path), contentType, bytes.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	return res.StatusCode, readAll(h.t, res)
}

// get sends a GET with the admin token (when token is not "").
func (h *harness) get(path, token string) (int, string) {
	h.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, h.url(path), nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	return res.StatusCode, readAll(h.t, res)
}

// callbacks lists every stored callback.
func (h *harness) callbacks() []*callbackline.Callback {
	h.t.Helper()
	list, err := h.store.Callbacks(context.Background(), callbackline.CallbackFilter{Limit: 1000})
	if err != nil {
		h.t.Fatal(err)
	}
	return list
}

// jobs counts the queued callback jobs.
func (h *harness) jobs() int {
	h.t.Helper()
	n, err := h.store.CountJobs(context.Background(), callbackline.CallbackJob{}.Kind())
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

func readAll(t testing.TB, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wireExample reads testdata/events/NAME.http: a request line, headers, a
// blank line and the body (docs/bitrix24.md §11).
func wireExample(t testing.TB, name string) (contentType string, body []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "events", name+".http"))
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	sc.Scan() // request line
	for sc.Scan() && sc.Text() != "" {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.EqualFold(k, "Content-Type") {
			contentType = strings.TrimSpace(v)
		}
	}
	sc.Scan()
	return contentType, []byte(sc.Text())
}

// answer decodes an event answer.
func answer(t testing.TB, body string) (status string, id int64, reason string) {
	t.Helper()
	var a struct {
		Status     string `json:"status"`
		CallbackID int64  `json:"callback_id"`
		Reason     string `json:"reason"`
	}
	if err := json.Unmarshal([]byte(body), &a); err != nil {
		t.Fatalf("answer %q: %v", body, err)
	}
	return a.Status, a.CallbackID, a.Reason
}

// errorCode decodes an error answer's code.
func errorCode(t testing.TB, body string) string {
	t.Helper()
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == "" || e.Message == "" {
		t.Fatalf("not an error answer: %q (%v)", body, err)
	}
	return e.Error
}
