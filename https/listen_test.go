package https

import (
	"errors"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
)

// A port below 1024 refused for want of privilege is explained: the
// capability, the port and the ways out are named, and the cause is kept.
// Other refusals, and ports above 1023, pass unchanged. (deploy/debian's
// TestPackage sees the real refusal: the installed binary as its
// unprivileged user, with and without the capability.)
func TestListenExplainsLowPorts(t *testing.T) {
	denied := &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EACCES)}
	err := explainListen(":443", denied)
	for _, want := range []string{"port 443", "CAP_NET_BIND_SERVICE", "AmbientCapabilities", "setpriv --ambient-caps +net_bind_service", "above 1023", "permission denied"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error lacks %q: %v", want, err)
		}
	}
	if !errors.Is(err, syscall.EACCES) {
		t.Errorf("the cause is lost: %v", err)
	}
	for addr, cause := range map[string]error{
		":8443": denied, // not a privileged port: something else refused it
		":443":  &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EADDRINUSE)},
		"x":     denied,
	} {
		if got := explainListen(addr, cause); got != cause {
			t.Errorf("explainListen(%q, %v) = %v, want the error unchanged", addr, cause, got)
		}
	}
}

// Listen opens a listener where it may.
func TestListen(t *testing.T) {
	ln, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if _, err := Listen("127.0.0.1:99999"); err == nil {
		t.Error("port 99999 listened")
	}
}
