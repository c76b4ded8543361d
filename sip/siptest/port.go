package siptest

import (
	"net"
	"strconv"
)

var strconvItoa = strconv.Itoa

// FreeUDPPort asks the OS for a free UDP port on 127.0.0.1.
func FreeUDPPort() (int, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port, nil
}

// FreePortPair returns a port p such that p and p+1 are free for UDP and
// TCP on 127.0.0.1 (baresip binds SIP on p and TLS on p+1).
func FreePortPair() (int, error) {
	for i := 0; i < 50; i++ {
		p, err := FreeUDPPort()
		if err != nil {
			return 0, err
		}
		if p >= 65534 {
			continue
		}
		if free(p) && free(p+1) {
			return p, nil
		}
	}
	return 0, &net.AddrError{Err: "no free port pair", Addr: "127.0.0.1"}
}

func free(p int) bool {
	addr := net.JoinHostPort("127.0.0.1", itoa(p))
	u, err := net.ListenPacket("udp", addr)
	if err != nil {
		return false
	}
	defer u.Close()
	t, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	t.Close()
	return true
}

func itoa(i int) string { return strconvItoa(i) }
