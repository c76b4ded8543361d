package sip_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline/sip"
)

// TestInboundRejected sends a raw INVITE to the dialer: it must answer 403.
func TestInboundRejected(t *testing.T) {
	r := newRig(t)
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	laddr := conn.LocalAddr().String()
	msg := strings.Join([]string{
		"INVITE sip:callbackline@" + r.d.Addr() + " SIP/2.0",
		"Via: SIP/2.0/UDP " + laddr + ";branch=z9hG4bK-inbound-1;rport",
		"Max-Forwards: 70",
		"From: <sip:intruder@" + laddr + ">;tag=abc",
		"To: <sip:callbackline@" + r.d.Addr() + ">",
		"Call-ID: inbound-test-1",
		"CSeq: 1 INVITE",
		"Contact: <sip:intruder@" + laddr + ">",
		"Content-Length: 0",
		"", "",
	}, "\r\n")
	dst, _ := net.ResolveUDPAddr("udp", r.d.Addr())
	if _, err := conn.WriteTo([]byte(msg), dst); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	for {
		_ = conn.SetReadDeadline(time.Now().Add(3*time.Second + slack))
		n, _, err := conn.ReadFrom(buf)
		if err != nil {
			t.Fatalf("no final response: %v", err)
		}
		line, _, _ := strings.Cut(string(buf[:n]), "\r\n")
		var code int
		fmt.Sscanf(line, "SIP/2.0 %d", &code)
		if code >= 200 {
			if code != 403 {
				t.Fatalf("inbound INVITE got %q, want 403", line)
			}
			return
		}
	}
}

func TestOneDialerPerProcess(t *testing.T) {
	r := newRig(t)
	_ = r
	c := validConfig()
	c.Listen = "127.0.0.1:0"
	if _, err := sip.New(context.Background(), c, nil); sip.KindOf(err) != sip.KindInvalid {
		t.Fatalf("second dialer: %v", err)
	}
}
