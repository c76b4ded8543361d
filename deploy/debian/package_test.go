package main

import (
	"bufio"
	"crypto/tls"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
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
// credentials put in; the unit's command run as the unit runs it (its
// user, environment file, working directory and command line; systemd is
// not PID 1 here) serving HTTPS, and doctor green beside it; then dpkg -r
// (configuration and data kept) and dpkg -P (all gone, the user locked).
// It installs into this machine: it runs as root only, one at a time
// (a lock file), and purges the package even when it fails.
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
	serveAsUnit(t, unit, configure(t))

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

// unit is what the test reads from the installed unit file.
type unit struct {
	User, Group, WorkingDirectory, EnvironmentFile string
	ExecStart                                      []string
}

// readUnit checks the installed unit (systemd-analyze verify where it
// runs, the hardening) and returns how it runs the service.
func readUnit(t *testing.T) unit {
	t.Helper()
	if _, err := exec.LookPath("systemd-analyze"); err == nil {
		out, err := exec.Command("systemd-analyze", "verify", unitPath).CombinedOutput()
		if err != nil || strings.Contains(string(out), "callbackline.service:") {
			t.Errorf("systemd-analyze verify %s: %v\n%s", unitPath, err, out)
		}
	} else {
		t.Log("systemd-analyze is missing (Debian package systemd): the unit is not verified by systemd")
	}
	data, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	var u unit
	set := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		set[k] = v
		switch k {
		case "User":
			u.User = v
		case "Group":
			u.Group = v
		case "WorkingDirectory":
			u.WorkingDirectory = v
		case "EnvironmentFile":
			u.EnvironmentFile = strings.TrimPrefix(v, "-")
		case "ExecStart":
			u.ExecStart = strings.Fields(v)
		}
	}
	for k, want := range map[string]string{
		"User": "callbackline", "ProtectSystem": "strict", "NoNewPrivileges": "yes", "StateDirectory": "callbackline",
		"AmbientCapabilities": "CAP_NET_BIND_SERVICE", "CapabilityBoundingSet": "CAP_NET_BIND_SERVICE", "ProtectHome": "yes",
		"PrivateTmp": "yes", "EnvironmentFile": "-" + envPath, "WorkingDirectory": stateDir,
	} {
		if set[k] != want {
			t.Errorf("the unit's %s is %q, want %q", k, set[k], want)
		}
	}
	if len(u.ExecStart) == 0 || u.ExecStart[0] != "/usr/bin/callbackline" {
		t.Fatalf("the unit's ExecStart: %q", u.ExecStart)
	}
	return u
}

// setup is what configure put in: the service's HTTPS address and the
// CA its certificate chains to.
type setup struct {
	addr string
	ca   *httpstest.CA
}

// configure does what the README asks of the operator after installing:
// the certificate into /etc/callbackline/tls (readable by the service's
// group), the Bitrix24 credentials and the addresses into the
// environment file, the PBX's address into callbackline.yaml. The
// addresses are free ports above 1024: setpriv does not hand the unit's
// CAP_NET_BIND_SERVICE on, and 443 and 80 may be taken on a test machine. The
// simulated portal's OAuth server stands in for Bitrix24's; the test CA
// stands in for a public one (SSL_CERT_FILE), the trunk does not register
// (nothing answers SIP here).
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
	addr, plain, sipAddr, pbx := freePort(t, "tcp"), freePort(t, "tcp"), freePort(t, "udp"), freePort(t, "udp")
	env := "CALLBACKLINE_LISTEN=" + addr + "\n" +
		"CALLBACKLINE_TLS_REDIRECT_LISTEN=" + plain + "\n" +
		"CALLBACKLINE_PUBLIC_URL=https://" + addr + "/\n" +
		"CALLBACKLINE_TLS_CERT_FILE=" + tlsDir + "/fullchain.pem\n" +
		"CALLBACKLINE_TLS_KEY_FILE=" + tlsDir + "/privkey.pem\n" +
		"CALLBACKLINE_SIP_LISTEN=" + sipAddr + "\n" +
		"CALLBACKLINE_BITRIX24_CLIENT_ID=" + portal.ClientID() + "\n" +
		"CALLBACKLINE_BITRIX24_CLIENT_SECRET=" + portal.ClientSecret() + "\n" +
		"CALLBACKLINE_BITRIX24_OAUTH_SERVER=" + portal.OAuthServer() + "\n" +
		"CALLBACKLINE_ENCRYPTION_KEY=000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n" +
		"CALLBACKLINE_ADMIN_TOKEN=package-test-0123456789\n" +
		"CALLBACKLINE_METRICS_TOKEN=package-test-metrics-0123\n" +
		"SSL_CERT_FILE=" + tlsDir + "/test-ca.pem\n"
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
	edited := strings.ReplaceAll(strings.ReplaceAll(string(conf), "pbx.example.com", pbx), "register: true", "register: false")
	if err := os.WriteFile(confPath, []byte(edited), 0o640); err != nil {
		t.Fatal(err)
	}
	return setup{addr: addr, ca: ca}
}

// freePort returns a loopback address with a port nobody listens on now.
func freePort(t *testing.T, network string) string {
	t.Helper()
	if network == "udp" {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().String()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// asUnit is the unit's way of running a command where systemd is not PID
// 1: its user and group (setpriv), no new privileges, its environment
// file over systemd's base environment, its working directory.
func asUnit(t *testing.T, u unit, args ...string) *exec.Cmd {
	t.Helper()
	env := []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + stateDir,
		"USER=" + u.User, "LOGNAME=" + u.User, "SHELL=/usr/sbin/nologin"}
	data, err := os.ReadFile(u.EnvironmentFile)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") && strings.Contains(line, "=") {
			env = append(env, line)
		}
	}
	cmd := exec.Command("setpriv", append([]string{"--reuid=" + u.User, "--regid=" + u.Group, "--init-groups", "--no-new-privs", "--"}, args...)...)
	cmd.Env, cmd.Dir = env, u.WorkingDirectory
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// serveAsUnit runs the unit's ExecStart as the unit would, waits for it
// to answer over HTTPS, runs doctor beside it (green), and stops it with
// SIGTERM as systemd would.
func serveAsUnit(t *testing.T, u unit, s setup) {
	t.Helper()
	logf, err := os.Create(filepath.Join(t.TempDir(), "service.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	log := func() string { b, _ := os.ReadFile(logf.Name()); return string(b) }
	svc := asUnit(t, u, u.ExecStart...)
	svc.Stdout, svc.Stderr = logf, logf
	if err := svc.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- svc.Wait() }()
	stopped := false
	defer func() {
		if !stopped {
			_ = syscall.Kill(-svc.Process.Pid, syscall.SIGKILL)
			<-done
		}
	}()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.ca.Pool}}}
	defer client.CloseIdleConnections()
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if res, err := client.Get("https://" + s.addr + "/healthz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-done:
			stopped = true
			t.Fatalf("the service exited while starting: %v\n%s", err, log())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("the service did not answer https://%s/healthz within 2 minutes:\n%s", s.addr, log())
		}
	}

	doctorArgs := append([]string{u.ExecStart[0], "doctor"}, u.ExecStart[2:]...) // serve → doctor, same --config
	out, err := asUnit(t, u, doctorArgs...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "callbackline is ready") || !strings.Contains(string(out), "ok    public_url https://"+s.addr+"/") {
		t.Errorf("doctor as the unit's user: %v\n%s", err, out)
	}
	if got := output(t, "stat", "-c", "%U", stateDir+"/callbackline.db"); got != u.User {
		t.Errorf("the database belongs to %s, want %s", got, u.User)
	}

	_ = syscall.Kill(svc.Process.Pid, syscall.SIGTERM)
	select {
	case err := <-done:
		stopped = true
		if err != nil {
			t.Errorf("the service did not stop cleanly on SIGTERM: %v\n%s", err, log())
		}
	case <-time.After(time.Minute):
		t.Errorf("the service did not stop within a minute of SIGTERM:\n%s", log())
	}
}
