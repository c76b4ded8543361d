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
	"strings"
	"sync"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/sip/siptest"
)

// The demo's cast: the simulated portal's seeded lead 5785 belongs to
// Max Müller (user 1269), whose extension is 101.
const (
	demoExtension = "101"
	demoClient    = "+49 495 1234567" // as the visitor types it
	demoText      = "Hello Max. A visitor of the website asks for a callback about the annual contract. Connecting you with the client now."
)

// demoOptions tune a demo run (tests shorten it).
type demoOptions struct {
	Recording string        // where the recording is written; "" = ./demo-recording.wav
	Talk      time.Duration // how long the client stays on the line
	Timeout   time.Duration // the whole demo
	Quiet     bool          // no warnings on stderr
	Phones    string        // "baresip", "go", or "" (baresip when installed)
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

// demo shows the whole flow on one machine with nothing to configure: a
// simulated Bitrix24 portal, the service on SQLite in a temporary folder,
// an employee's and a client's phone, an installation, a callback form,
// and the call written into the CRM with its recording.
func demo(ctx context.Context, out io.Writer, o demoOptions) (err error) {
	if o.Recording == "" {
		o.Recording = "demo-recording.wav"
	}
	if o.Talk == 0 {
		o.Talk = 4 * time.Second
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	dir, err := os.MkdirTemp("", "callbackline-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	out = &lockedWriter{w: out} // the worker prints the timeline from its own goroutine
	say := func(format string, args ...any) {
		fmt.Fprintf(out, "%6.2fs  %s\n", time.Since(start).Seconds(), fmt.Sprintf(format, args...))
	}

	// The phones: two baresip phones when baresip is installed, else
	// in-process Go phones; both play a tone (employee 440 Hz, client
	// 1000 Hz) and answer by themselves.
	clientE164, _ := phone.Normalize(demoClient, "DE")
	var empHost, cliHost string
	if emp, cli, err := demoBaresip(dir, clientE164, o.Phones); err == nil {
		defer emp.Stop()
		defer cli.Stop()
		empHost, cliHost = emp.HostPort(), cli.HostPort()
		say("baresip phones ready: the employee's extension %s at %s, the client %s at %s", demoExtension, empHost, phone.Mask(clientE164), cliHost)
	} else {
		if o.Phones == "baresip" {
			return err
		}
		why := err
		phones, err := siptest.NewPhone(ctx)
		if err != nil {
			return fmt.Errorf("starting the demo phones: %w", err)
		}
		defer phones.Close()
		phones.Set(demoExtension, siptest.Behavior{Action: siptest.Answer, Delay: 1500 * time.Millisecond, ToneHz: 440})
		phones.Set(clientE164, siptest.Behavior{Action: siptest.Answer, Delay: 2 * time.Second, ToneHz: 1000, HangupAfter: o.Talk})
		empHost, cliHost = phones.Addr(), phones.Addr()
		say("Go phones ready at %s (no baresip: %v): the employee's extension %s, the client %s", phones.Addr(), why, demoExtension, phone.Mask(clientE164))
	}

	portal := bitrix24test.New(bitrix24test.Options{Language: "en"})
	defer portal.Close()
	say("simulated Bitrix24 portal %s (OAuth server %s)", portal.Host(), portal.OAuthServer())

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	cfg := config.Default()
	cfg.Listen = ln.Addr().String()
	cfg.PublicURL = base
	cfg.Database = "sqlite:" + filepath.Join(dir, "callbackline.db")
	cfg.DataDir = dir
	cfg.Bitrix24.ClientID, cfg.Bitrix24.ClientSecret, cfg.Bitrix24.OAuthServer = portal.ClientID(), portal.ClientSecret(), portal.OAuthServer()
	cfg.SIP.Listen = "127.0.0.1:0"
	cfg.SIP.Trunks = []sip.Trunk{{Name: "demo", Employee: "sip:{extension}@" + empHost, Client: "sip:{number}@" + cliHost}}
	talk := o.Talk // baresip phones never hang up: the call ends after this
	cfg.Defaults.Policy.MaxCallLength = &talk
	cfg.Speech.CacheDir = filepath.Join(dir, "speech")
	cfg.Recordings.Dir = filepath.Join(dir, "recordings")
	cfg.ShutdownGrace = 5 * time.Second
	if err := cfg.Validate(); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if o.Quiet {
		logger = slog.New(slog.DiscardHandler)
	}
	a, err := newApp(ctx, cfg, logger, appOptions{Listener: ln, Timeline: func(cb *callbackline.Callback, note string) {
		say("callback %d [%s] %s", cb.ID, cb.State, note)
	}})
	if err != nil {
		return err
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- a.run(runCtx) }()
	defer func() {
		stop()
		if rerr := <-done; err == nil {
			err = rerr
		}
	}()
	say("callbackline listening on %s (SQLite in %s)", base, dir)

	res, err := portal.SendInstall(ctx, base+"/bitrix24/install")
	if err != nil {
		return fmt.Errorf("installing: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		return fmt.Errorf("installing: the service answered %s", res.Status)
	}
	say("installed: the OAuth server confirmed the tokens")
	if err := waitFor(ctx, func() bool { return len(portal.Handlers()) >= 3 && len(portal.Lines()) > 0 }); err != nil {
		return errors.New("the events were not bound in the portal")
	}
	portal.FinishInstall()
	for _, h := range portal.Handlers() {
		say("event bound: %s → %s", h.Event, h.Handler)
	}
	for _, l := range portal.Lines() {
		say("line registered: %s (%s)", l.Number, l.Name)
	}

	say("a visitor submits the callback form: %s, lead 5785", phone.Mask(clientE164))
	if err := portal.SubmitCallbackForm(ctx, bitrix24test.CallbackRequest{PhoneNumber: demoClient, Text: demoText,
		Voice: "usenglishmale", CRMEntityType: "LEAD", CRMEntityID: "5785"}); err != nil {
		return fmt.Errorf("submitting the form: %w", err)
	}
	say("ONEXTERNALCALLBACKSTART delivered and accepted")

	var cb *callbackline.Callback
	if err := waitFor(ctx, func() bool {
		list, err := a.store.Callbacks(ctx, callbackline.CallbackFilter{Limit: 1})
		if err != nil || len(list) == 0 {
			return false
		}
		cb = list[0]
		return cb.State.Final()
	}); err != nil {
		return fmt.Errorf("the callback did not finish in time (state %v)", cb.State)
	}

	fmt.Fprintln(out, "\nThe CRM's call log:")
	var record []byte
	for _, c := range portal.Calls() {
		fmt.Fprintf(out, "  %s  type %d  user %d  number %s  %s %d\n    finished: %v  status %s  duration %d s  recordings %d\n",
			c.CallID, c.Type, c.UserID, phone.Mask("+"+strings.TrimPrefix(c.PhoneNumber, "+")), c.CRMEntityType, c.CRMEntityID,
			c.Finished, c.StatusCode, c.Duration, len(c.Records))
		if n := len(c.Records); n > 0 {
			record = c.Records[n-1].Content
		}
	}
	if cb.State != callbackline.StateDone {
		return fmt.Errorf("the callback ended %s: %s", cb.State, cb.Reason)
	}
	if record == nil {
		return errors.New("no recording was attached to the call")
	}
	if err := os.WriteFile(o.Recording, record, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nThe recording (left: employee, right: client) is in %s\n", o.Recording)
	return nil
}

// waitFor polls ok until it holds or ctx ends.
func waitFor(ctx context.Context, ok func() bool) error {
	for !ok() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
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
