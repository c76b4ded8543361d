//go:build demo

// The demo is compiled only with the build tag demo (make demo): it runs
// the simulated Bitrix24 portal and the test phones, which the production
// binary does not carry.

package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/internal/wait"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// The demo's cast: the simulated portal's seeded lead 5785 and contact
// 797 belong to Max Müller (user 1269), whose extension is 101.
const (
	demoExtension = "101"
	demoClient    = "+49 495 1234567" // as the visitor types it
)

// demoRequests are the demo's callback forms: a German visitor's and a
// Russian one's, each in its language's voice, so the employee hears
// both voices (natural ones when RHVoice and SVOX Pico are installed).
var demoRequests = []bitrix24test.CallbackRequest{
	{PhoneNumber: demoClient, Voice: "eurgermanfemale", CRMEntityType: "LEAD", CRMEntityID: "5785",
		Text: "Hallo Max. Ein Besucher der Website bittet um Rückruf zum Jahresvertrag. Sie werden jetzt mit dem Kunden verbunden."},
	{PhoneNumber: demoClient, Voice: "ruinternalfemale", CRMEntityType: "CONTACT", CRMEntityID: "797",
		Text: "Клиент оставил заявку на сайте и просит перезвонить по поводу доставки заказа."},
}

// demoOptions tune a demo run (tests shorten it).
type demoOptions struct {
	Recording string        // where the recording is written; "" = ./demo-recording.wav
	Talk      time.Duration // how long the client stays on the line
	Timeout   time.Duration // the whole demo
	Quiet     bool          // no warnings on stderr
	Phones    string        // "baresip", "go", or "" (baresip when installed)
	Dialer    string        // "bitrix24": the line uses Bitrix24's own telephony (no phones); else SIP
}

// demoRun is one run of the demo: its options, its temporary folder, the
// simulated portal, and the timeline it prints.
type demoRun struct {
	o      demoOptions
	out    io.Writer
	start  time.Time
	dir    string
	client string // the client's number in E.164
	portal *bitrix24test.Portal
	app    *app
	base   string // the service's URL
	// heard returns the path of what the employee's phone heard in its
	// n-th call (from 1), once the call is over.
	heard func(ctx context.Context, n int) (string, error)
}

// demo shows the whole flow on one machine with nothing to configure: a
// simulated Bitrix24 portal, the service on SQLite in a temporary folder,
// an employee's and a client's phone, an installation, a callback form,
// and the call written into the CRM with its recording.
func demo(ctx context.Context, out io.Writer, o demoOptions) error {
	o.setDefaults()
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	d, cleanup, err := newDemoRun(out, o)
	if err != nil {
		return err
	}
	defer cleanup()
	if o.Dialer == "bitrix24" {
		return d.bitrix24Demo(ctx)
	}
	return d.sipDemo(ctx)
}

// sipDemo shows a line on the SIP dialer: the employee's and the client's
// phones behind one SIP trunk, each request heard by the employee's phone,
// and the call's recording in the CRM.
func (d *demoRun) sipDemo(ctx context.Context) error {
	empHost, cliHost, stopPhones, err := d.phones(ctx)
	if err != nil {
		return err
	}
	defer stopPhones()
	d.portal = bitrix24test.New(bitrix24test.Options{Language: "en"})
	defer d.portal.Close()
	d.say("simulated Bitrix24 portal %s (OAuth server %s)", d.portal.Host(), d.portal.OAuthServer())
	trunk := func(cfg *config.Config) {
		cfg.SIP.Trunks = []sip.Trunk{{Name: "demo", Employee: "sip:{extension}@" + empHost, Client: "sip:{number}@" + cliHost}}
	}
	return d.serve(ctx, trunk, d.sipCalls)
}

// sipCalls submits each of demoRequests in turn, waits until the
// employee's phone heard it, checks what it heard and prints the report.
func (d *demoRun) sipCalls(ctx context.Context) error {
	var (
		cb  *callbackline.Callback
		err error
	)
	heard := make([]string, len(demoRequests)) // what the employee's phone heard in each call
	for i, req := range demoRequests {
		if cb, err = d.requestCallback(ctx, req); err != nil {
			return err
		}
		if cb.State != callbackline.StateDone {
			return fmt.Errorf("the callback ended %s: %s", cb.State, cb.Reason)
		}
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		heard[i], err = d.heard(wctx, i+1)
		cancel()
		if err != nil {
			return fmt.Errorf("what the employee heard: %w", err)
		}
	}
	for i, path := range heard {
		if err := d.checkHeard(i, path); err != nil {
			return err
		}
	}
	return d.report(cb)
}

// newDemoRun starts a run in a new temporary folder, which cleanup
// removes.
func newDemoRun(out io.Writer, o demoOptions) (*demoRun, func(), error) {
	dir, err := os.MkdirTemp("", "callbackline-demo-")
	if err != nil {
		return nil, nil, err
	}
	// The worker prints the timeline from its own goroutine.
	d := &demoRun{o: o, out: &lockedWriter{w: out}, start: time.Now(), dir: dir}
	d.client, _ = phone.Normalize(demoClient, "DE")
	return d, func() { os.RemoveAll(dir) }, nil
}

func (o *demoOptions) setDefaults() {
	if o.Recording == "" {
		o.Recording = "demo-recording.wav"
	}
	if o.Talk == 0 {
		o.Talk = 4 * time.Second
	}
	if o.Timeout == 0 {
		o.Timeout = 3 * time.Minute
	}
}

// say prints one step of the timeline with the time since the start.
func (d *demoRun) say(format string, args ...any) {
	fmt.Fprintf(d.out, "%6.2fs  %s\n", time.Since(d.start).Seconds(), fmt.Sprintf(format, args...))
}

// phones starts the employee's and the client's phones: two baresip phones
// when baresip is installed, else in-process Go phones; both play a tone
// (employee 440 Hz, client 1000 Hz) and answer by themselves. It returns
// where each phone listens and how to stop them.
func (d *demoRun) phones(ctx context.Context) (empHost, cliHost string, stop func(), err error) {
	emp, cli, err := demoBaresip(d.dir, d.client, d.o.Phones)
	if err == nil {
		d.say("baresip phones ready: the employee's extension %s at %s, the client %s at %s",
			demoExtension, emp.HostPort(), phone.Mask(d.client), cli.HostPort())
		d.heard = func(ctx context.Context, n int) (string, error) {
			return nthFile(ctx, filepath.Join(d.dir, "employee", "rec", "dump-*-dec.wav"), n)
		}
		return emp.HostPort(), cli.HostPort(), func() { cli.Stop(); emp.Stop() }, nil
	}
	if d.o.Phones == "baresip" {
		return "", "", nil, err
	}
	why := err
	phones, err := siptest.NewPhone(ctx)
	if err != nil {
		return "", "", nil, fmt.Errorf("starting the demo phones: %w", err)
	}
	// The employee's phone writes what it hears when a call ends; each
	// call gets its own file (set before the next call starts).
	heardPath := func(n int) string { return filepath.Join(d.dir, fmt.Sprintf("employee-heard-%d.wav", n)) }
	employee := func(n int) siptest.Behavior {
		return siptest.Behavior{Action: siptest.Answer, Delay: 1500 * time.Millisecond, ToneHz: 440, Record: heardPath(n)}
	}
	phones.Set(demoExtension, employee(1))
	d.heard = func(ctx context.Context, n int) (string, error) {
		path, err := nthFile(ctx, heardPath(n), 1)
		phones.Set(demoExtension, employee(n+1))
		return path, err
	}
	phones.Set(d.client, siptest.Behavior{Action: siptest.Answer, Delay: 2 * time.Second, ToneHz: 1000, HangupAfter: d.o.Talk})
	d.say("Go phones ready at %s (no baresip: %v): the employee's extension %s, the client %s",
		phones.Addr(), why, demoExtension, phone.Mask(d.client))
	return phones.Addr(), phones.Addr(), func() { phones.Close() }, nil
}

// demoBaresip starts the employee's and the client's baresip phones, unless
// the Go phones are asked for or baresip is not installed.
func demoBaresip(dir, client, which string) (emp, cli *siptest.Baresip, err error) {
	if which == "go" {
		return nil, nil, errors.New("Go phones asked for")
	}
	for _, d := range []string{"employee", "client"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o750); err != nil {
			return nil, nil, err
		}
	}
	if emp, err = siptest.LaunchBaresip(filepath.Join(dir, "employee"), siptest.BaresipOptions{User: demoExtension, ToneHz: 440}); err != nil {
		return nil, nil, err
	}
	if cli, err = siptest.LaunchBaresip(filepath.Join(dir, "client"), siptest.BaresipOptions{User: client, ToneHz: 1000}); err != nil {
		emp.Stop()
		return nil, nil, err
	}
	return emp, cli, nil
}

// config is the service's configuration for the demo: SQLite in the
// temporary folder, the simulated portal's OAuth server, no SIP trunk yet
// (each dialer's demo adds what its line needs).
func (d *demoRun) config(listen string) *config.Config {
	cfg := config.Default()
	cfg.Listen = listen
	cfg.PublicURL = d.base
	cfg.Database = "sqlite:" + filepath.Join(d.dir, "callbackline.db")
	cfg.DataDir = d.dir
	// The demo company is German: its portal dials Germany (its own
	// country) and no other until its administrator allows more.
	cfg.DefaultRegion = "DE"
	cfg.Bitrix24.ClientID, cfg.Bitrix24.ClientSecret, cfg.Bitrix24.OAuthServer = d.portal.ClientID(), d.portal.ClientSecret(), d.portal.OAuthServer()
	cfg.Bitrix24.AllowNetworks = bitrix24test.LoopbackNetworks // the simulated portal runs on loopback
	cfg.SIP.Listen = "127.0.0.1:0"
	talk := d.o.Talk // baresip phones never hang up: the call ends after this
	cfg.Defaults.Policy.MaxCallLength = &talk
	cfg.Speech.CacheDir = filepath.Join(d.dir, "speech")
	cfg.Recordings.Dir = filepath.Join(d.dir, "recordings")
	cfg.ShutdownGrace = 5 * time.Second
	return cfg
}

// serve runs callbackline on a free local port with the demo's
// configuration as edit completes it, installs the application in the
// portal, runs calls, and stops the service. It returns the first error
// of these, the stop's included.
func (d *demoRun) serve(ctx context.Context, edit func(*config.Config), calls func(context.Context) error) (err error) {
	stopApp, err := d.startService(ctx, edit)
	if err != nil {
		return err
	}
	defer func() {
		if serr := stopApp(); err == nil {
			err = serr
		}
	}()
	if err := d.install(ctx); err != nil {
		return err
	}
	return calls(ctx)
}

// startService runs callbackline on a free local port with the demo's
// configuration as edit completes it, its timeline printed, and returns
// how to stop it (which waits for it).
func (d *demoRun) startService(ctx context.Context, edit func(*config.Config)) (stop func() error, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	d.base = "http://" + ln.Addr().String()
	cfg := d.config(ln.Addr().String())
	edit(cfg)
	if err := cfg.Validate(); err != nil {
		ln.Close()
		return nil, err
	}
	return d.runService(ctx, ln, cfg)
}

// runService runs callbackline with cfg on ln, its timeline printed, and
// returns how to stop it (which waits for it).
func (d *demoRun) runService(ctx context.Context, ln net.Listener, cfg *config.Config) (stop func() error, err error) {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if d.o.Quiet {
		logger = slog.New(slog.DiscardHandler)
	}
	d.app, err = newApp(ctx, cfg, logger, appOptions{Listener: ln, Timeline: func(cb *callbackline.Callback, note string) {
		d.say("callback %d [%s] %s", cb.ID, cb.State, note)
	}})
	if err != nil {
		ln.Close()
		return nil, err
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.app.run(runCtx) }()
	d.say("callbackline listening on %s (SQLite in %s)", d.base, d.dir)
	return func() error { cancel(); return <-done }, nil
}

// install installs the application in the portal and waits until the
// service has bound its events and registered its lines there.
func (d *demoRun) install(ctx context.Context) error {
	res, err := d.portal.SendInstall(ctx, d.base+"/bitrix24/install")
	if err != nil {
		return fmt.Errorf("installing: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		return fmt.Errorf("installing: the service answered %s", res.Status)
	}
	d.say("installed: the OAuth server confirmed the tokens")
	if err := wait.Until(ctx, 50*time.Millisecond, func() bool { return len(d.portal.Handlers()) >= 3 && len(d.portal.Lines()) > 0 }); err != nil {
		return errors.New("the events were not bound in the portal")
	}
	d.portal.FinishInstall()
	for _, h := range d.portal.Handlers() {
		d.say("event bound: %s → %s", h.Event, h.Handler)
	}
	for _, l := range d.portal.Lines() {
		d.say("line registered: %s (%s)", l.Number, l.Name)
	}
	return nil
}

// requestCallback submits the portal's callback form as a visitor would
// and waits until the callback reaches a final state.
func (d *demoRun) requestCallback(ctx context.Context, req bitrix24test.CallbackRequest) (*callbackline.Callback, error) {
	d.say("a visitor submits the callback form: %s, %s %s, voice %s: %q", phone.Mask(d.client),
		strings.ToLower(req.CRMEntityType), req.CRMEntityID, req.Voice, req.Text)
	if err := d.portal.SubmitCallbackForm(ctx, req); err != nil {
		return nil, fmt.Errorf("submitting the form: %w", err)
	}
	d.say("ONEXTERNALCALLBACKSTART delivered and accepted")
	var cb *callbackline.Callback
	if err := wait.Until(ctx, 50*time.Millisecond, func() bool {
		list, err := d.app.store.Callbacks(ctx, callbackline.CallbackFilter{Limit: 1})
		if err != nil || len(list) == 0 || strconv.FormatInt(list[0].CRMEntityID, 10) != req.CRMEntityID {
			return false
		}
		cb = list[0]
		return cb.State.Final()
	}); err != nil {
		state := "not stored"
		if cb != nil {
			state = string(cb.State)
		}
		return nil, fmt.Errorf("the callback did not finish in time (state %s)", state)
	}
	return cb, nil
}

// report prints the CRM's call log and writes the recording attached to
// the call.
func (d *demoRun) report(cb *callbackline.Callback) error {
	fmt.Fprintln(d.out, "\nThe CRM's call log:")
	var record []byte
	for _, c := range d.portal.Calls() {
		fmt.Fprintf(d.out, "  %s  type %d  user %d  number %s  %s %d\n    finished: %v  status %s  duration %d s  recordings %d\n",
			c.CallID, c.Type, c.UserID, phone.Mask("+"+strings.TrimPrefix(c.PhoneNumber, "+")), c.CRMEntityType, c.CRMEntityID,
			c.Finished, c.StatusCode, c.Duration, len(c.Records))
		if n := len(c.Records); n > 0 {
			record = c.Records[n-1].Content
		}
	}
	if record == nil {
		return errors.New("no recording was attached to the call")
	}
	if err := os.WriteFile(d.o.Recording, record, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "\nThe recording (left: employee, right: client) is in %s\n", d.o.Recording)
	return nil
}

// lockedWriter serialises writes from several goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}
