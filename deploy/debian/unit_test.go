package main

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// unit is what the test reads from the installed unit file.
type unit struct {
	User, Group, WorkingDirectory, EnvironmentFile string
	ExecStart                                      []string
	set                                            map[string]string // each Key=Value (the last of a repeated key)
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
	u := unit{set: map[string]string{}}
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if ok && !strings.HasPrefix(k, "#") {
			u.set[k] = v
		}
	}
	u.User, u.Group, u.WorkingDirectory = u.set["User"], u.set["Group"], u.set["WorkingDirectory"]
	u.EnvironmentFile, u.ExecStart = strings.TrimPrefix(u.set["EnvironmentFile"], "-"), strings.Fields(u.set["ExecStart"])
	for k, want := range map[string]string{
		"User": "callbackline", "ProtectSystem": "strict", "NoNewPrivileges": "yes", "StateDirectory": "callbackline",
		"AmbientCapabilities": "CAP_NET_BIND_SERVICE", "CapabilityBoundingSet": "CAP_NET_BIND_SERVICE", "ProtectHome": "yes",
		"PrivateTmp": "yes", "EnvironmentFile": "-" + envPath, "WorkingDirectory": stateDir, "UMask": "0027",
	} {
		if u.set[k] != want {
			t.Errorf("the unit's %s is %q, want %q", k, u.set[k], want)
		}
	}
	if len(u.ExecStart) == 0 || u.ExecStart[0] != "/usr/bin/callbackline" {
		t.Fatalf("the unit's ExecStart: %q", u.ExecStart)
	}
	return u
}

// env is the unit's environment: systemd's base environment for a
// service with User=, then the unit's environment file, then extra (the
// test's own additions, never the unit's).
func (u unit) env(t *testing.T, extra ...string) []string {
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
	return append(env, extra...)
}

// asUser runs a command the README's way for doctor: as the unit's user
// and group (setpriv), with its environment and working directory, and
// extra variables.
func asUser(t *testing.T, u unit, extra []string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command("setpriv", append([]string{"--reuid=" + u.User, "--regid=" + u.Group, "--init-groups", "--"}, args...)...)
	cmd.Env, cmd.Dir = u.env(t, extra...), u.WorkingDirectory
	return cmd
}

// sandbox is the part of the unit's hardening this test applies where
// systemd is not PID 1, in a mount namespace of the command's own
// (unshare), before setpriv drops to the unit's user:
//   - UMask=;
//   - ProtectSystem=strict with StateDirectory=: every mount read-only
//     but /proc, /sys, /dev and the state directory;
//   - ProtectHome=yes: /home, /root and /run/user empty and closed;
//   - PrivateTmp=yes: /tmp and /var/tmp of its own.
//
// setpriv then gives User=, Group=, NoNewPrivileges=, and the
// capabilities: CapabilityBoundingSet= and AmbientCapabilities= (or none
// at all). Not exercised here, since they need systemd: PrivateDevices=,
// ProtectKernelTunables=, ProtectKernelModules=, ProtectKernelLogs=,
// ProtectControlGroups=, ProtectClock=, ProtectHostname=, ProtectProc=,
// ProcSubset=, RestrictAddressFamilies=, RestrictNamespaces=,
// RestrictRealtime=, RestrictSUIDSGID=, RemoveIPC=, LockPersonality=,
// MemoryDenyWriteExecute=, SystemCallArchitectures=, SystemCallFilter=
// (systemd-analyze verify reads them), and Restart=, KillSignal= and
// TimeoutStopSec= (the test sends SIGTERM itself).
const sandbox = `set -e
umask "$1"; state="$2"; shift 2
mount --bind "$state" "$state"
for m in $(awk '{print $5}' /proc/self/mountinfo | sort -u); do
	case "$m" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|"$state") continue;; esac
	mount -o remount,bind,ro "$m"
done
for d in /home /root /run/user; do
	if [ -d "$d" ]; then mount -t tmpfs -o ro,mode=0000 tmpfs "$d"; fi
done
for d in /tmp /var/tmp; do mount -t tmpfs -o mode=1777 tmpfs "$d"; done
cd "$state"
exec setpriv "$@"
`

// asUnit runs a command as the unit runs its ExecStart where systemd is
// not PID 1: sandbox, then the unit's user, group, environment and
// working directory, no new privileges, and the unit's capabilities when
// caps is set (else none at all). It runs in a process group of its own.
func asUnit(t *testing.T, u unit, caps bool, args ...string) *exec.Cmd {
	t.Helper()
	if u.WorkingDirectory != stateDir || u.set["StateDirectory"] != "callbackline" {
		t.Fatalf("the sandbox makes %s writable, the unit's state directory is %s", stateDir, u.set["StateDirectory"])
	}
	ambient, bounding := "-all", "-all"
	if caps {
		ambient, bounding = setprivCaps(u.set["AmbientCapabilities"]), setprivCaps(u.set["CapabilityBoundingSet"])
	}
	setpriv := []string{"--reuid=" + u.User, "--regid=" + u.Group, "--init-groups", "--no-new-privs",
		"--inh-caps=" + ambient, "--ambient-caps=" + ambient, "--bounding-set=" + bounding, "--"}
	cmd := exec.Command("unshare", append([]string{"--mount", "--propagation", "private", "--",
		"/bin/sh", "-c", sandbox, "sandbox", u.set["UMask"], stateDir}, append(setpriv, args...)...)...)
	cmd.Env, cmd.Dir = u.env(t), u.WorkingDirectory
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// setprivCaps turns a unit's capability list (CAP_NET_BIND_SERVICE …)
// into setpriv's: -all,+net_bind_service….
func setprivCaps(list string) string {
	s := "-all"
	for c := range strings.FieldsSeq(list) {
		s += ",+" + strings.ToLower(strings.TrimPrefix(c, "CAP_"))
	}
	return s
}

// checkConfined reads what the kernel says of the running service (pid):
// its user, the one capability the unit grants (effective, ambient and
// bounding: CAP_NET_BIND_SERVICE is bit 10), no new privileges, the
// umask, and its mounts: the root read-only, the state directory
// writable, /tmp its own.
func checkConfined(t *testing.T, u unit, pid int) {
	t.Helper()
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Fatal(err)
	}
	uid := output(t, "id", "-u", u.User)
	for _, want := range []string{"Uid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid, "CapEff:\t0000000000000400",
		"CapPrm:\t0000000000000400", "CapAmb:\t0000000000000400", "CapBnd:\t0000000000000400", "NoNewPrivs:\t1", "Umask:\t0027"} {
		if !strings.Contains(string(status), want+"\n") {
			t.Errorf("the service's /proc status lacks %q:\n%s", want, status)
		}
	}
	mounts, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	opts := map[string]string{}
	for line := range strings.SplitSeq(strings.TrimSpace(string(mounts)), "\n") {
		if f := strings.Fields(line); len(f) > 5 {
			opts[f[4]] = f[5] // the last mount at a point is the one seen
		}
	}
	for point, want := range map[string]string{"/": "ro", stateDir: "rw", "/tmp": "rw"} {
		if got := opts[point]; !strings.HasPrefix(got+",", want+",") {
			t.Errorf("the service sees %s mounted %q, want %s", point, got, want)
		}
	}
}
