package https

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"syscall"
)

// Listen opens a TCP listener on addr for the HTTP side (the HTTPS
// listener or the redirect one). When the port is below 1024 and the
// system refuses it for want of privilege, the error says so and what to
// do: Linux lets a process without CAP_NET_BIND_SERVICE bind only ports
// from net.ipv4.ip_unprivileged_port_start (1024 by default) up.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, explainListen(addr, err)
	}
	return ln, nil
}

// explainListen turns a refusal to bind a port below 1024 into an error
// that names the capability and what to do; other errors pass as they are.
func explainListen(addr string, err error) error {
	if !errors.Is(err, syscall.EACCES) && !errors.Is(err, syscall.EPERM) {
		return err
	}
	_, p, _ := net.SplitHostPort(addr)
	port, perr := strconv.Atoi(p)
	if perr != nil || port <= 0 || port >= 1024 {
		return err
	}
	return fmt.Errorf("port %d is below 1024 and this process lacks the capability CAP_NET_BIND_SERVICE to bind it: "+
		"start it with systemd's unit (its AmbientCapabilities=CAP_NET_BIND_SERVICE grants it), "+
		"or as its user with setpriv --ambient-caps +net_bind_service --inh-caps +net_bind_service, "+
		"or listen on a port above 1023 behind a reverse proxy: %w", port, err)
}
