package main

import (
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/https/httpstest"
)

// The paths the package installs and the unit uses.
const (
	unitPath = "/lib/systemd/system/callbackline.service"
	confPath = "/etc/callbackline/callbackline.yaml"
	envPath  = "/etc/callbackline/environment"
	tlsDir   = "/etc/callbackline/tls"
	stateDir = "/var/lib/callbackline"
)

// TestPackage builds the .deb and follows the README's Production path on
// this machine: dpkg -i; the files, the conffile, the user and the unit
// (systemd-analyze verify where it runs); a certificate and the Bitrix24
// credentials put in; the unit's command run as the unit runs it where
// systemd is not PID 1 (asUnit: its user, environment file, working
// directory, umask, capabilities and as much of its sandbox as a mount
// namespace gives), first without its CAP_NET_BIND_SERVICE (refused with
// a message that says what to do), then with it, serving HTTPS on 443
// and redirecting 80, confined as the unit says, and doctor green beside
// it; then dpkg -r (configuration and data kept) and dpkg -P (all gone,
// the user locked). It installs into this machine: it runs as root only,
// one at a time (a lock file), and purges the package even when it fails.
func TestPackage(t *testing.T) {
	requirePackaging(t)
	unlock := lockMachine(t)
	defer unlock()
	dir := t.TempDir()
	bin := filepath.Join(dir, "callbackline")
	// As make package does: the static binary, then this builder run as a
	// program of its own (built without -race, which slows its gzip
	// tenfold).
	builder := filepath.Join(dir, "debian")
	for pkg, out := range map[string]string{"../../cmd/callbackline": bin, ".": builder} {
		gobuild := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, pkg)
		gobuild.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := gobuild.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", pkg, err, out)
		}
	}
	deb := output(t, builder, "-root", "../..", "-binary", bin, "-version", "v0.0.1-test", "-arch", runtime.GOARCH, "-out", dir)
	t.Cleanup(func() { purge(t) })
	run(t, "dpkg", "-i", deb)

	checkInstalled(t)
	unit := readUnit(t)
	s := configure(t)
	refusedWithoutCapability(t, unit, s)
	serveAsUnit(t, unit, s)

	run(t, "dpkg", "-r", "callbackline")
	for _, gone := range []string{"/usr/bin/callbackline", unitPath} {
		if _, err := os.Stat(gone); err == nil {
			t.Errorf("dpkg -r left %s", gone)
		}
	}
	for _, kept := range []string{confPath, envPath, stateDir + "/callbackline.db"} {
		if _, err := os.Stat(kept); err != nil {
			t.Errorf("dpkg -r removed %s (configuration and data stay until purge): %v", kept, err)
		}
	}
	if st := query(t, "${Status}"); st != "deinstall ok config-files" {
		t.Errorf("after dpkg -r the status is %q", st)
	}
	// The operator's own files (the certificate) are the operator's to
	// delete; the package removes what it made.
	if err := os.RemoveAll(tlsDir); err != nil {
		t.Fatal(err)
	}
	run(t, "dpkg", "-P", "callbackline")
	for _, gone := range []string{"/etc/callbackline", stateDir} {
		if _, err := os.Stat(gone); err == nil {
			t.Errorf("dpkg -P left %s", gone)
		}
	}
	if out, err := exec.Command("dpkg-query", "-W", "callbackline").CombinedOutput(); err == nil {
		t.Errorf("dpkg -P: the package is still known: %s", out)
	}
	if fields := strings.Fields(output(t, "passwd", "-S", "callbackline")); len(fields) < 2 || fields[1] != "L" {
		t.Errorf("after purge the user callbackline is not locked: %v", fields)
	}
}

// requirePackaging skips unless this machine can install a package:
// root, dpkg, setpriv (util-linux), useradd (passwd), and the package's
// dependency espeak-ng installed.
func requirePackaging(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("installing a Debian package needs root (dpkg -i)")
	}
	for tool, pkg := range map[string]string{"dpkg": "dpkg", "dpkg-query": "dpkg", "setpriv": "util-linux", "useradd": "passwd", "passwd": "passwd"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is missing (Debian package %s): not a Debian machine", tool, pkg)
		}
	}
	if out, _ := exec.Command("dpkg-query", "-W", "-f=${Status}", "espeak-ng").Output(); string(out) != "install ok installed" {
		t.Skip("the package depends on espeak-ng: install the Debian package espeak-ng (make test does)")
	}
	if out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", "callbackline").Output(); err == nil && strings.HasSuffix(string(out), " installed") {
		if _, err := os.Stat(stateDir + "/.package-test"); err != nil {
			t.Skip("callbackline is installed on this machine, not by this test: the test would purge it")
		}
	}
}

// lockMachine takes a lock file so that only one package test installs
// at a time on this machine (parallel test runs); it waits up to ten
// minutes.
func lockMachine(t *testing.T) func() {
	f, err := os.OpenFile("/run/lock/callbackline-package-test.lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Minute)
	for syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
		if time.Now().After(deadline) {
			t.Fatal("another package test held the lock for ten minutes")
		}
		time.Sleep(time.Second)
	}
	return func() { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }
}

// purge removes the package and what the test put beside it, whatever
// state the test left.
func purge(t *testing.T) {
	_ = os.RemoveAll(tlsDir)
	if out, err := dpkg("-P", "callbackline"); err != nil {
		t.Logf("cleanup: dpkg -P: %v\n%s", err, out)
	}
}

// dpkg runs dpkg, again while another dpkg or apt holds the lock (up to
// five minutes).
func dpkg(args ...string) (string, error) {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		out, err := exec.Command("dpkg", args...).CombinedOutput()
		if err == nil || !strings.Contains(string(out), "lock") || time.Now().After(deadline) {
			return string(out), err
		}
		time.Sleep(2 * time.Second)
	}
}

// run runs dpkg with args, or another command, failing the test when it
// fails.
func run(t *testing.T, name string, args ...string) {
	t.Helper()
	var out string
	var err error
	if name == "dpkg" {
		out, err = dpkg(args...)
	} else {
		var b []byte
		b, err = exec.Command(name, args...).CombinedOutput()
		out = string(b)
	}
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// output runs a command and returns its output, failing the test when
// it fails.
func output(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// query returns a dpkg-query field of the installed package.
func query(t *testing.T, field string) string {
	t.Helper()
	return output(t, "dpkg-query", "-W", "-f="+field, "callbackline")
}

// checkInstalled checks what dpkg -i left: files, conffile, dependencies,
// the user, owners and modes.
func checkInstalled(t *testing.T) {
	t.Helper()
	if err := os.WriteFile(stateDir+"/.package-test", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	list := query(t, "${Conffiles}")
	if !strings.Contains(list, confPath) {
		t.Errorf("%s is not a conffile: %q", confPath, list)
	}
	if deps := query(t, "${Depends}"); !strings.Contains(deps, "espeak-ng") {
		t.Errorf("Depends: %q lacks espeak-ng", deps)
	}
	if sugg := query(t, "${Suggests}"); !strings.Contains(sugg, "rhvoice") || !strings.Contains(sugg, "libttspico-utils") {
		t.Errorf("Suggests: %q lacks the better voices", sugg)
	}
	files := output(t, "dpkg", "-L", "callbackline")
	for _, f := range []string{"/usr/bin/callbackline", unitPath, confPath, stateDir} {
		if !strings.Contains(files, f+"\n") && !strings.HasSuffix(files, f) {
			t.Errorf("dpkg -L lacks %s", f)
		}
	}
	if v := output(t, "/usr/bin/callbackline", "version"); !strings.HasPrefix(v, "callbackline ") {
		t.Errorf("callbackline version: %q", v)
	}
	pw := strings.Split(output(t, "getent", "passwd", "callbackline"), ":")
	if len(pw) != 7 || pw[5] != stateDir || pw[6] != "/usr/sbin/nologin" {
		t.Errorf("the user callbackline: %v; want home %s and shell /usr/sbin/nologin", pw, stateDir)
	}
	for path, want := range map[string]string{
		stateDir: "callbackline:callbackline 750", confPath: "root:callbackline 640", envPath: "root:callbackline 640",
		"/usr/bin/callbackline": "root:root 755", unitPath: "root:root 644",
	} {
		if got := output(t, "stat", "-c", "%U:%G %a", path); got != want {
			t.Errorf("%s is %s, want %s", path, got, want)
		}
	}
}

// setup is what configure put in: the service's HTTPS address, its
// public URL, the redirect's address and the CA its certificate chains
// to.
type setup struct {
	addr, public, plain string
	ca                  *httpstest.CA
}

// configure does what the README asks of the operator after installing:
// the certificate into /etc/callbackline/tls (readable by the service's
// group), the Bitrix24 credentials and the addresses into the
// environment file, the PBX's address into callbackline.yaml. The
// service listens on 443 and redirects from 80 as the configuration
// says, on loopback (other ports below 1024 where those are taken). The
// simulated portal's OAuth server stands in for Bitrix24's, the test CA
// for a public one (its certificate beside the service's, given to
// doctor as SSL_CERT_FILE: only this test does that), and the trunk does
// not register (nothing answers SIP here).
func configure(t *testing.T) setup {
	t.Helper()
	ca := httpstest.NewCA(t)
	cert, key := ca.Issue(t, 1, time.Now().Add(-time.Hour), "127.0.0.1")
	if err := os.MkdirAll(tlsDir, 0o750); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"fullchain.pem": cert, "privkey.pem": key, "test-ca.pem": ca.PEM} {
		if err := os.WriteFile(filepath.Join(tlsDir, name), data, 0o640); err != nil {
			t.Fatal(err)
		}
	}
	run(t, "chgrp", "-R", "callbackline", tlsDir)
	portal := bitrix24test.New(bitrix24test.Options{})
	t.Cleanup(portal.Close)
	s := setup{addr: lowPort(t, 443, ""), ca: ca}
	s.plain = lowPort(t, 80, s.addr)
	s.public = "https://127.0.0.1/"
	if !strings.HasSuffix(s.addr, ":443") {
		s.public = "https://" + s.addr + "/"
	}
	t.Logf("the service listens on %s (%s) and redirects from %s", s.addr, s.public, s.plain)
	env := "CALLBACKLINE_LISTEN=" + s.addr + "\n" +
		"CALLBACKLINE_TLS_REDIRECT_LISTEN=" + s.plain + "\n" +
		"CALLBACKLINE_PUBLIC_URL=" + s.public + "\n" +
		"CALLBACKLINE_SIP_LISTEN=" + freeUDP(t) + "\n" +
		"CALLBACKLINE_BITRIX24_CLIENT_ID=" + portal.ClientID() + "\n" +
		"CALLBACKLINE_BITRIX24_CLIENT_SECRET=" + portal.ClientSecret() + "\n" +
		"CALLBACKLINE_BITRIX24_OAUTH_SERVER=" + portal.OAuthServer() + "\n" +
		"CALLBACKLINE_ENCRYPTION_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n" +
		"CALLBACKLINE_ADMIN_TOKEN=package-test-0123456789\n" +
		"CALLBACKLINE_METRICS_TOKEN=package-test-metrics-0123\n"
	f, err := os.OpenFile(envPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(env); err != nil {
		t.Fatal(err)
	}
	f.Close()
	conf, err := os.ReadFile(confPath)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.ReplaceAll(strings.ReplaceAll(string(conf), "pbx.example.com", freeUDP(t)), "register: true", "register: false")
	if err := os.WriteFile(confPath, []byte(edited), 0o640); err != nil {
		t.Fatal(err)
	}
	return s
}

// lowPort returns 127.0.0.1:prefer when nothing listens there now, else
// another free loopback port below 1024 (not taken).
func lowPort(t *testing.T, prefer int, taken string) string {
	t.Helper()
	for _, p := range append([]int{prefer}, rangeDown(1023, 900)...) {
		addr := "127.0.0.1:" + strconv.Itoa(p)
		if addr == taken {
			continue
		}
		if l, err := net.Listen("tcp", addr); err == nil {
			l.Close()
			return addr
		}
	}
	t.Fatal("no port below 1024 is free on 127.0.0.1")
	return ""
}

// rangeDown returns from, from-1, … to.
func rangeDown(from, to int) []int {
	var r []int
	for p := from; p >= to; p-- {
		r = append(r, p)
	}
	return r
}

// freeUDP returns a loopback UDP address nobody listens on now.
func freeUDP(t *testing.T) string {
	t.Helper()
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().String()
}

// service is the unit's ExecStart running as the test started it.
type service struct {
	cmd  *exec.Cmd
	done chan error
	log  string // its output's file
	over bool   // it has exited (done was read)
}

// start runs the unit's ExecStart as the unit would (asUnit), with the
// unit's capabilities or none.
func start(t *testing.T, u unit, caps bool) *service {
	t.Helper()
	s := &service{cmd: asUnit(t, u, caps, u.ExecStart...), done: make(chan error, 1), log: filepath.Join(t.TempDir(), "service.log")}
	logf, err := os.Create(s.log)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if !s.over {
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.done
		}
	})
	return s
}

// output returns what the service wrote so far.
func (s *service) output() string { b, _ := os.ReadFile(s.log); return string(b) }

// exited returns the service's end when it has exited within d.
func (s *service) exited(d time.Duration) (err error, ok bool) {
	select {
	case err = <-s.done:
		s.over = true
		return err, true
	case <-time.After(d):
		return nil, false
	}
}

// refusedWithoutCapability starts the unit's command without the unit's
// CAP_NET_BIND_SERVICE: it must exit, and say that the port below 1024
// needs that capability, and how to give it. (Linux lets anyone bind
// from net.ipv4.ip_unprivileged_port_start up; where that is below the
// port, there is nothing to refuse.)
func refusedWithoutCapability(t *testing.T, u unit, s setup) {
	t.Helper()
	_, p, _ := net.SplitHostPort(s.addr)
	port, _ := strconv.Atoi(p)
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_unprivileged_port_start"); err == nil {
		if least, _ := strconv.Atoi(strings.TrimSpace(string(b))); least <= port {
			t.Logf("net.ipv4.ip_unprivileged_port_start is %d: any user may bind port %d here, nothing to refuse", least, port)
			return
		}
	}
	svc := start(t, u, false)
	err, ok := svc.exited(2 * time.Minute)
	if !ok {
		t.Fatalf("without CAP_NET_BIND_SERVICE the service still runs after 2 minutes:\n%s", svc.output())
	}
	out := svc.output()
	for _, want := range []string{"config key listen", "port " + p + " is below 1024", "CAP_NET_BIND_SERVICE", "setpriv --ambient-caps +net_bind_service"} {
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("without CAP_NET_BIND_SERVICE: exit %v; the output lacks %q:\n%s", err, want, out)
		}
	}
}

// serveAsUnit runs the unit's ExecStart as the unit would, with its
// capability on the ports below 1024, waits for it to answer over HTTPS
// and to redirect plain HTTP, reads its confinement from /proc, runs
// doctor beside it as the README says (green), and stops it with SIGTERM
// as systemd would.
func serveAsUnit(t *testing.T, u unit, s setup) {
	t.Helper()
	svc := start(t, u, true)
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.ca.Pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	defer client.CloseIdleConnections()
	for deadline := time.Now().Add(2 * time.Minute); ; {
		if res, err := client.Get("https://" + s.addr + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		if err, over := svc.exited(100 * time.Millisecond); over {
			t.Fatalf("the service exited while starting: %v\n%s", err, svc.output())
		}
		if time.Now().After(deadline) {
			t.Fatalf("the service did not answer https://%s/healthz within 2 minutes:\n%s", s.addr, svc.output())
		}
	}
	res, err := client.Get("http://" + s.plain + "/bitrix24/app")
	if err != nil {
		t.Fatalf("the redirect listener %s: %v", s.plain, err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); res.StatusCode/100 != 3 || loc != strings.TrimSuffix(s.public, "/")+"/bitrix24/app" {
		t.Errorf("http://%s/bitrix24/app: %d to %q, want a redirect to %sbitrix24/app", s.plain, res.StatusCode, loc, s.public)
	}
	checkConfined(t, u, svc.cmd.Process.Pid)

	doctorArgs := append([]string{u.ExecStart[0], "doctor"}, u.ExecStart[2:]...) // serve → doctor, same --config
	out, err := asUser(t, u, []string{"SSL_CERT_FILE=" + tlsDir + "/test-ca.pem"}, doctorArgs...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "callbackline is ready") || !strings.Contains(string(out), "ok    public_url "+s.public) {
		t.Errorf("doctor as the unit's user: %v\n%s", err, out)
	}
	if got := output(t, "stat", "-c", "%U", stateDir+"/callbackline.db"); got != u.User {
		t.Errorf("the database belongs to %s, want %s", got, u.User)
	}

	_ = syscall.Kill(svc.cmd.Process.Pid, syscall.SIGTERM)
	if err, over := svc.exited(time.Minute); !over {
		t.Errorf("the service did not stop within a minute of SIGTERM:\n%s", svc.output())
	} else if err != nil {
		t.Errorf("the service did not stop cleanly on SIGTERM: %v\n%s", err, svc.output())
	}
}
