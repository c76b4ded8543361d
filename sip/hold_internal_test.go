package sip

import (
	"testing"
	"time"
)

func TestSDPDirection(t *testing.T) {
	const head = "v=0\r\no=- 1 2 IN IP4 10.0.0.1\r\ns=-\r\n"
	cases := []struct{ name, sdp, want string }{
		{"sendonly", head + "c=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n", "sendonly"},
		{"inactive", head + "c=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=inactive\r\n", "inactive"},
		{"recvonly", head + "c=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=recvonly\r\n", "recvonly"},
		{"sendrecv", head + "c=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n", "sendrecv"},
		{"no attribute", head + "c=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", "sendrecv"},
		{"RFC 2543 hold", head + "c=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", "inactive"},
		{"garbage", "not an SDP at all", ""},
	}
	for _, tc := range cases {
		if got := sdpDirection([]byte(tc.sdp)); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestLegHold(t *testing.T) {
	l := &leg{}
	old := time.Now().Add(-time.Hour)
	l.last.Store(old.UnixNano())
	limit := time.Second
	if !l.dead(time.Now(), limit) {
		t.Fatal("a silent leg not on hold is not dead")
	}
	// An update diago applied without a re-INVITE we saw changes nothing.
	if changed, _ := l.mediaUpdated(); changed || l.onHold() {
		t.Fatal("media update without an offer changed the hold")
	}
	l.offer("sendonly")
	if changed, dir := l.mediaUpdated(); !changed || dir != "sendonly" || !l.onHold() {
		t.Fatalf("hold not taken: changed %v dir %q", changed, dir)
	}
	if l.dead(time.Now(), limit) {
		t.Fatal("a held leg counts as dead")
	}
	// A second hold (e.g. inactive) is no change; the offer is used once.
	l.offer("inactive")
	if changed, _ := l.mediaUpdated(); changed || !l.onHold() {
		t.Fatal("a second hold changed the state")
	}
	if changed, _ := l.mediaUpdated(); changed {
		t.Fatal("an offer was used twice")
	}
	l.offer("sendrecv")
	if changed, _ := l.mediaUpdated(); !changed || l.onHold() {
		t.Fatal("unhold not taken")
	}
	if l.dead(time.Now(), limit) {
		t.Fatal("unhold did not restart the silence clock")
	}
	if !l.dead(time.Now().Add(2*limit), limit) {
		t.Fatal("the dead-peer rule does not apply after the unhold")
	}
}
