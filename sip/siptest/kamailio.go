package siptest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

// KamailioOptions configures the test PBX started by StartKamailio.
type KamailioOptions struct {
	// Users are the subscribers, auth user -> password. A user registers
	// as itself (sip:USER@realm) and authenticates REGISTER (401) and
	// INVITE (407) with its password. Users and passwords may hold only
	// letters, digits and ._-. Default: {"101": "pw101"}.
	Users map[string]string
	// Realm is the digest realm, also accepted as the PBX's own domain
	// (sip:101@REALM). Default "pbx.test".
	Realm string
	// Trunk is host:port where Request-URIs whose user is an E.164 number
	// ("+" and digits) are sent; requests from this address are trusted
	// without authentication, like an IP-authenticated carrier. Empty: such
	// numbers get 404.
	Trunk string
	// MaxExpires caps the registration lifetime the registrar grants
	// (Contact ;expires= in its 200 OK). Default 3600 s.
	MaxExpires time.Duration
	// Port is the UDP port to listen on; 0 picks a free one. A test that
	// replaces a running Kamailio (say, with a changed password) starts
	// the new one on the old one's Port after stopping it.
	Port int
}

// Kamailio is a running Kamailio on 127.0.0.1 acting as registrar and
// proxy with digest authentication: REGISTER is challenged with 401,
// INVITE and MESSAGE with 407, a wrong password or an unknown user gets
// 403. Extensions (3 digits) are routed to their registered contact,
// E.164 numbers to KamailioOptions.Trunk; the proxy record-routes, so a
// dialog's ACK, BYE and re-INVITE go through it too.
type Kamailio struct {
	// Host and Port are where Kamailio listens (UDP).
	Host string
	Port int
	// Realm is the digest realm and the PBX's domain.
	Realm string
	// Users are the subscribers and their passwords.
	Users map[string]string

	ctl  string // binrpc socket for kamcmd
	cmd  *exec.Cmd
	log  *lockedBuffer
	done chan struct{}
}

// kamailioBin finds a program of the kamailio package: Debian installs
// them in /usr/sbin, which is not on a normal user's PATH.
func kamailioBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	p := filepath.Join("/usr/sbin", name)
	if _, err := os.Stat(p); err != nil {
		return "", ErrNoKamailio
	}
	return p, nil
}

// ErrNoKamailio says that Kamailio is not installed (Debian package
// kamailio).
var ErrNoKamailio = errors.New("kamailio not found: install the Debian package kamailio")

// StartKamailio writes a test kamailio.cfg into t.TempDir(), starts
// `kamailio -DD -E -f CFG -Y RUNDIR` on a free loopback port and waits
// until it answers OPTIONS with 200. It skips the test when Kamailio is not
// installed, stops it (SIGTERM) when the test ends, and logs its output if
// the test failed. Start the phones that register at it afterwards, so
// that they stop (and unregister) before it does.
func StartKamailio(t testing.TB, o KamailioOptions) *Kamailio {
	t.Helper()
	bin, err := kamailioBin("kamailio")
	if err != nil {
		t.Skip("kamailio not found: install the Debian package kamailio")
	}
	k, err := launchKamailio(bin, t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		k.Stop()
		if t.Failed() {
			t.Logf("kamailio log:\n%s", k.Log())
		}
	})
	return k
}

var reKamToken = regexp.MustCompile(`^[0-9A-Za-z._-]{1,64}$`)

func launchKamailio(bin, dir string, o KamailioOptions) (*Kamailio, error) {
	if o.Users == nil {
		o.Users = map[string]string{"101": "pw101"}
	}
	if o.Realm == "" {
		o.Realm = "pbx.test"
	}
	if o.MaxExpires == 0 {
		o.MaxExpires = time.Hour
	}
	for u, p := range o.Users {
		if !reKamToken.MatchString(u) || !reKamToken.MatchString(p) {
			return nil, fmt.Errorf("kamailio: user %q or its password holds characters other than letters, digits and ._-", u)
		}
	}
	if !reKamToken.MatchString(o.Realm) {
		return nil, fmt.Errorf("kamailio: realm %q holds characters other than letters, digits and ._-", o.Realm)
	}
	trunkHost, trunkPort := "", 0
	if o.Trunk != "" {
		h, p, err := net.SplitHostPort(o.Trunk)
		if err != nil || net.ParseIP(h) == nil {
			return nil, fmt.Errorf("kamailio: trunk %q is not IP:port", o.Trunk)
		}
		trunkHost = h
		trunkPort, _ = strconv.Atoi(p)
	}
	port := o.Port
	if port == 0 {
		p, err := FreeUDPPort()
		if err != nil {
			return nil, err
		}
		port = p
	}
	run := filepath.Join(dir, "run")
	if err := os.Mkdir(run, 0o755); err != nil {
		return nil, err
	}
	k := &Kamailio{Host: "127.0.0.1", Port: port, Realm: o.Realm, Users: maps.Clone(o.Users),
		ctl: filepath.Join(run, "ctl.sock"), log: &lockedBuffer{}, done: make(chan struct{})}
	cfg := kamailioConfig(k, trunkHost, trunkPort, int(o.MaxExpires/time.Second))
	path := filepath.Join(dir, "kamailio.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	// Small memory pools: a test PBX holds a handful of registrations.
	k.cmd = exec.Command(bin, "-DD", "-E", "-f", path, "-Y", run, "-m", "32", "-M", "4")
	k.cmd.Dir = dir
	// Its own process group, so Stop reaches the workers it forks; and
	// Wait does not hang on a pipe a worker still holds.
	k.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	k.cmd.WaitDelay = 5 * time.Second
	pr, pw := io.Pipe()
	k.cmd.Stdout, k.cmd.Stderr = pw, pw
	if err := k.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start kamailio: %w", err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			k.log.WriteLine(sc.Text())
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	go func() {
		_ = k.cmd.Wait()
		pw.Close()
		close(k.done)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // only against a hang
	defer cancel()
	if err := k.waitReady(ctx); err != nil {
		k.Stop()
		return nil, fmt.Errorf("kamailio not ready: %w\n%s", err, k.Log())
	}
	return k, nil
}

// waitReady sends OPTIONS to Kamailio until it answers 200 (the
// configuration answers OPTIONS to itself as a health probe).
func (k *Kamailio) waitReady(ctx context.Context) error {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer c.Close()
	lport := c.LocalAddr().(*net.UDPAddr).Port
	dst := &net.UDPAddr{IP: net.ParseIP(k.Host), Port: k.Port}
	buf := make([]byte, 4096)
	for i := 0; ; i++ {
		select {
		case <-k.done:
			return errors.New("kamailio exited")
		default:
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		branch := strconv.FormatInt(time.Now().UnixNano(), 36) + strconv.Itoa(i)
		msg := fmt.Sprintf("OPTIONS sip:%s SIP/2.0\r\n"+
			"Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\n"+
			"Max-Forwards: 70\r\n"+
			"From: <sip:probe@127.0.0.1>;tag=%s\r\n"+
			"To: <sip:%s>\r\n"+
			"Call-ID: %s@probe\r\n"+
			"CSeq: %d OPTIONS\r\n"+
			"Content-Length: 0\r\n\r\n", k.Addr(), lport, sip.GenerateBranch(), branch, k.Addr(), branch, i+1)
		if _, err := c.WriteTo([]byte(msg), dst); err != nil {
			return err
		}
		_ = c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		for {
			n, _, err := c.ReadFrom(buf)
			if err != nil {
				break // timeout (or ICMP refused while it starts): send again
			}
			if strings.HasPrefix(string(buf[:n]), "SIP/2.0 200") {
				return nil
			}
		}
	}
}

// Addr is Kamailio's SIP address, 127.0.0.1:port: the outbound proxy and
// registrar address to configure.
func (k *Kamailio) Addr() string { return net.JoinHostPort(k.Host, strconv.Itoa(k.Port)) }

// Log returns what Kamailio printed.
func (k *Kamailio) Log() string { return k.log.String() }

// Events returns the test events the configuration logged, in order:
// lines of the form "EVENT key=value ...", without the Kamailio log
// prefix. Events: "challenge" (method, status), "auth-ok" (method, user),
// "auth-failed" (method, user), "registered" (user, expires),
// "route-extension" (user), "route-trunk" (method, from: the caller ID
// the carrier sees), "preloaded-route" (method),
// "in-dialog" (method).
func (k *Kamailio) Events(name string) []string {
	var out []string
	for _, l := range strings.Split(k.Log(), "\n") {
		i := strings.Index(l, "CBLTEST ")
		if i < 0 {
			continue
		}
		e := l[i+len("CBLTEST "):]
		if e == name || strings.HasPrefix(e, name+" ") {
			out = append(out, e)
		}
	}
	return out
}

// WaitEvent waits until at least n events named name (see Events) were
// logged and returns them.
func (k *Kamailio) WaitEvent(ctx context.Context, name string, n int) ([]string, error) {
	for {
		ev := k.Events(name)
		if len(ev) >= n {
			return ev, nil
		}
		select {
		case <-ctx.Done():
			return ev, fmt.Errorf("kamailio: %d of %d %q events: %w", len(ev), n, name, ctx.Err())
		case <-k.done:
			return ev, errors.New("kamailio exited")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Contacts returns the contacts registered for user in Kamailio's
// location table (asked with kamcmd ul.lookup), none when it has no
// registration.
func (k *Kamailio) Contacts(ctx context.Context, user string) ([]string, error) {
	bin, err := kamailioBin("kamcmd")
	if err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(ctx, bin, "-s", "unix:"+k.ctl, "ul.lookup", "location", user+"@"+k.Realm).CombinedOutput()
	s := string(out)
	if err != nil {
		if strings.Contains(s, "AOR not found") || strings.Contains(s, "404") {
			return nil, nil
		}
		return nil, fmt.Errorf("kamcmd ul.lookup: %v: %s", err, s)
	}
	var cs []string
	for _, m := range reKamContact.FindAllStringSubmatch(s, -1) {
		cs = append(cs, m[1])
	}
	return cs, nil
}

var reKamContact = regexp.MustCompile(`Address:\s*(\S+)`)

// WaitRegistered waits until user has a registered contact and returns
// the contacts.
func (k *Kamailio) WaitRegistered(ctx context.Context, user string) ([]string, error) {
	for {
		cs, err := k.Contacts(ctx, user)
		if err == nil && len(cs) > 0 {
			return cs, nil
		}
		select {
		case <-ctx.Done():
			if err == nil {
				err = ctx.Err()
			}
			return nil, fmt.Errorf("kamailio: %s not registered: %w", user, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Stop sends SIGTERM and waits for Kamailio (and its workers) to exit,
// killing it after 5 s.
func (k *Kamailio) Stop() {
	select {
	case <-k.done:
		return
	default:
	}
	_ = k.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-k.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-k.cmd.Process.Pid, syscall.SIGKILL)
		<-k.done
	}
}

// StartPhone starts a baresip phone (see StartBaresip) that registers at
// Kamailio as user with the user's password from Users, answers every call
// at once, and records what it hears. It waits until Kamailio has the
// registration, and stops the phone when the test ends (before Kamailio,
// when Kamailio was started first).
func (k *Kamailio) StartPhone(t testing.TB, user string, toneHz float64) *Baresip {
	t.Helper()
	if _, err := exec.LookPath("baresip"); err != nil {
		t.Skip("baresip not found: install the Debian package baresip-core")
	}
	pw, ok := k.Users[user]
	if !ok {
		t.Fatalf("kamailio: no user %q", user)
	}
	b, err := LaunchBaresip(t.TempDir(), BaresipOptions{User: user, ToneHz: toneHz, Registrar: k.Addr(), Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		b.Stop()
		if t.Failed() {
			t.Logf("baresip %s log:\n%s", user, b.Log())
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // only against a hang
	defer cancel()
	if _, err := k.WaitRegistered(ctx, user); err != nil {
		t.Fatalf("%v\nbaresip log:\n%s", err, b.Log())
	}
	return b
}

// kamailioConfig renders the test configuration. Events for the test are
// logged as "CBLTEST name key=value" (see Kamailio.Events); they never
// hold passwords or the numbers dialled.
func kamailioConfig(k *Kamailio, trunkHost string, trunkPort, maxExpires int) string {
	var subs strings.Builder
	for _, u := range slices.Sorted(maps.Keys(k.Users)) {
		fmt.Fprintf(&subs, "\t\tcase \"%s\": $var(pw) = \"%s\"; break;\n", u, k.Users[u])
	}
	auth := "\troute(AUTH);\n"
	trunk := "\t\tsl_send_reply(\"404\", \"No Trunk\");\n\t\texit;\n"
	if trunkHost != "" {
		auth = fmt.Sprintf("\tif (!($si == \"%s\" && $sp == %d)) {\n\t\troute(AUTH);\n\t}\n", trunkHost, trunkPort)
		trunk = fmt.Sprintf("\t\t$rd = \"%s\";\n\t\t$rp = %d;\n\t\txlog(\"L_NOTICE\", \"CBLTEST route-trunk method=$rm from=$fU\\n\");\n\t\troute(RELAY);\n", trunkHost, trunkPort)
	}
	r := strings.NewReplacer(
		"@PORT@", strconv.Itoa(k.Port),
		"@REALM@", k.Realm,
		"@CTL@", k.ctl,
		"@SUBSCRIBERS@", subs.String(),
		"@AUTH_UNLESS_TRUNK@", auth,
		"@TO_TRUNK@", trunk,
		"@MAX_EXPIRES@", strconv.Itoa(max(maxExpires, 1)),
	)
	return r.Replace(kamailioTemplate)
}

// kamailioTemplate is a registrar and record-routing proxy with digest
// auth, for tests on loopback: static subscribers, memory-only location
// table, no DNS.
const kamailioTemplate = `#!KAMAILIO
# callbackline test PBX (written by sip/siptest/kamailio.go; loopback only).

debug=2
log_stderror=yes
log_prefix="{$mt $ci} "
fork=yes
children=2
disable_tcp=yes
auto_aliases=no
listen=udp:127.0.0.1:@PORT@
alias=127.0.0.1:@PORT@
alias="@REALM@"
dns=no
rev_dns=no
use_dns_cache=no
dns_try_ipv6=no

loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "ctl.so"

modparam("ctl", "binrpc", "unix:@CTL@")
modparam("usrloc", "db_mode", 0)
modparam("registrar", "min_expires", 1)
modparam("registrar", "max_expires", @MAX_EXPIRES@)
modparam("registrar", "default_expires", @MAX_EXPIRES@)
modparam("rr", "append_fromtag", 1)
modparam("auth", "nonce_expire", 300)
modparam("tm", "fr_timer", 3000)
modparam("tm", "fr_inv_timer", 60000)

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (!sanity_check("1511", "7")) {
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	if (!is_method("ACK")) {
		if (t_precheck_trans()) {
			t_check_trans();
			exit;
		}
		t_check_trans();
	}
	route(DIALOG);

	# Initial requests from here on. A Route to us (outbound proxy) is
	# noted and dropped.
	if (is_present_hf("Route")) {
		xlog("L_NOTICE", "CBLTEST preloaded-route method=$rm\n");
		remove_hf("Route");
	}
	if (is_method("REGISTER")) {
		route(REGISTRAR);
	}
	if (is_method("OPTIONS") && uri == myself && $rU == $null) {
		sl_send_reply("200", "Ready");
		exit;
	}
	if (!is_method("INVITE|MESSAGE")) {
		sl_send_reply("405", "Method Not Allowed");
		exit;
	}
	# Requests from the trunk are trusted by address; all others authenticate.
@AUTH_UNLESS_TRUNK@	record_route();
	route(TARGET);
}

route[AUTH] {
	if ($au == $null) {
		route(CHALLENGE);
	}
	$var(pw) = "";
	switch ($au) {
@SUBSCRIBERS@	}
	$var(rc) = -3;
	if ($var(pw) != "") {
		if (is_method("REGISTER")) {
			pv_www_authenticate("@REALM@", "$var(pw)", "0");
		} else {
			pv_proxy_authenticate("@REALM@", "$var(pw)", "0");
		}
		$var(rc) = $rc;
	}
	if ($var(rc) > 0) {
		xlog("L_NOTICE", "CBLTEST auth-ok method=$rm user=$au\n");
		consume_credentials();
		return;
	}
	if ($var(rc) == -2 || $var(rc) == -3) {
		xlog("L_NOTICE", "CBLTEST auth-failed method=$rm user=$au\n");
		sl_send_reply("403", "Forbidden");
		exit;
	}
	route(CHALLENGE);
}

route[CHALLENGE] {
	if (is_method("REGISTER")) {
		xlog("L_NOTICE", "CBLTEST challenge method=$rm status=401\n");
		www_challenge("@REALM@", "1");
	} else {
		xlog("L_NOTICE", "CBLTEST challenge method=$rm status=407\n");
		proxy_challenge("@REALM@", "1");
	}
	exit;
}

route[REGISTRAR] {
	route(AUTH);
	if ($au != $tU) {
		sl_send_reply("403", "Auth user does not match To user");
		exit;
	}
	if (!save("location")) {
		sl_reply_error();
		exit;
	}
	xlog("L_NOTICE", "CBLTEST registered user=$tU expires=$hdr(Expires)\n");
	exit;
}

route[TARGET] {
	if ($rU =~ "^\+[0-9]+$") {
@TO_TRUNK@	}
	if (!lookup("location")) {
		sl_send_reply("404", "Not Found");
		exit;
	}
	xlog("L_NOTICE", "CBLTEST route-extension user=$tU\n");
	route(RELAY);
}

route[DIALOG] {
	if (!has_totag()) {
		return;
	}
	if (loose_route()) {
		xlog("L_NOTICE", "CBLTEST in-dialog method=$rm\n");
		route(RELAY);
	}
	if (is_method("ACK")) {
		if (t_check_trans()) {
			route(RELAY);
		}
		exit;
	}
	sl_send_reply("404", "Not here");
	exit;
}

route[RELAY] {
	if (!t_relay()) {
		sl_reply_error();
	}
	exit;
}
`
