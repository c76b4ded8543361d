package siptest

import (
	"net"
	"sync"

	"github.com/emiago/sipgo/sip"
)

// StuckPhone answers every INVITE with 100 Trying and 180 Ringing and then
// ignores everything, CANCEL included: a broken target that leaves the
// caller's transactions to their 32 s timers. It counts what it receives.
type StuckPhone struct {
	conn net.PacketConn
	mu   sync.Mutex
	seen map[string]int
	done chan struct{}
}

// NewStuckPhone starts a StuckPhone on a free UDP port of 127.0.0.1.
func NewStuckPhone() (*StuckPhone, error) {
	c, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	s := &StuckPhone{conn: c, seen: map[string]int{}, done: make(chan struct{})}
	go s.serve()
	return s, nil
}

// Addr is the phone's SIP address, 127.0.0.1:port.
func (s *StuckPhone) Addr() string { return s.conn.LocalAddr().String() }

// Count returns how many requests of the method arrived (retransmissions
// included).
func (s *StuckPhone) Count(method string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[method]
}

// Close stops the phone.
func (s *StuckPhone) Close() {
	s.conn.Close()
	<-s.done
}

func (s *StuckPhone) serve() {
	defer close(s.done)
	buf := make([]byte, 65535)
	for {
		n, from, err := s.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		msg, err := sip.ParseMessage(append([]byte(nil), buf[:n]...))
		if err != nil {
			continue
		}
		req, ok := msg.(*sip.Request)
		if !ok {
			continue
		}
		s.mu.Lock()
		s.seen[req.Method.String()]++
		s.mu.Unlock()
		if req.Method != sip.INVITE {
			continue
		}
		for _, st := range []struct {
			code   int
			reason string
		}{{100, "Trying"}, {180, "Ringing"}} {
			res := sip.NewResponseFromRequest(req, st.code, st.reason, nil)
			if st.code > 100 {
				if to := res.To(); to != nil && !to.Params.Has("tag") {
					to.Params.Add("tag", "stuck")
				}
			}
			_, _ = s.conn.WriteTo([]byte(res.String()), from)
		}
	}
}
