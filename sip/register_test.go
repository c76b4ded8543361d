package sip

import (
	"testing"
	"time"

	sipgosip "github.com/emiago/sipgo/sip"
)

// TestGrantedExpiry: the refresh follows the lifetime the registrar granted
// to our own Contact (Kamailio puts it only there), then the Expires
// header, then what was asked for.
func TestGrantedExpiry(t *testing.T) {
	mine := sipgosip.Uri{Scheme: "sip", User: "callbackline", Host: "127.0.0.1", Port: 5070}
	res := func(hdrs ...string) *sipgosip.Response {
		r := sipgosip.NewResponse(200, "OK")
		for i := 0; i+1 < len(hdrs); i += 2 {
			r.AppendHeader(sipgosip.NewHeader(hdrs[i], hdrs[i+1]))
		}
		return r
	}
	for _, c := range []struct {
		name string
		res  *sipgosip.Response
		want time.Duration
	}{
		{"contact param", res("Contact", "<sip:callbackline@127.0.0.1:5070;transport=udp>;expires=2"), 2 * time.Second},
		{"ours among others", res("Contact", `"x, y" <sip:other@127.0.0.1:5080>;expires=99, <sip:callbackline@127.0.0.1:5070;transport=udp>;expires=7;received="sip:1.2.3.4"`), 7 * time.Second},
		{"separate headers", res("Contact", "<sip:other@127.0.0.1:5080>;expires=99", "Contact", "<sip:callbackline@127.0.0.1:5070>;expires=8"), 8 * time.Second},
		{"param wins over header", res("Contact", "<sip:callbackline@127.0.0.1:5070>;expires=3", "Expires", "60"), 3 * time.Second},
		{"expires header", res("Contact", "<sip:other@127.0.0.1:5080>;expires=99", "Expires", "45"), 45 * time.Second},
		{"nothing: as asked", res(), 5 * time.Minute},
	} {
		if got := grantedExpiry(c.res, mine, 5*time.Minute); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// TestRefreshAfter: short grants are refreshed at half, long ones 32 s
// before they run out.
func TestRefreshAfter(t *testing.T) {
	for g, want := range map[time.Duration]time.Duration{
		2 * time.Second:   time.Second,
		60 * time.Second:  30 * time.Second,
		300 * time.Second: 268 * time.Second,
		time.Second / 2:   500 * time.Millisecond,
	} {
		if got := refreshAfter(g); got != want {
			t.Errorf("refreshAfter(%s) = %s, want %s", g, got, want)
		}
	}
}
