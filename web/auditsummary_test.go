package web

import (
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

// The summaries say what changed in words, mask whole numbers and never
// show a password.
func TestAuditSummaries(t *testing.T) {
	span := func(s string) []callbackline.Span {
		sp, err := callbackline.ParseSpan(s)
		if err != nil {
			t.Fatal(err)
		}
		return []callbackline.Span{sp}
	}
	line := func(from string) callbackline.Line {
		l := callbackline.Line{Number: "1", Name: "Sales", Policy: callbackline.DefaultPolicy()}
		for d := time.Monday; d <= time.Friday; d++ {
			l.Policy.Hours.Days[d] = span(from + "-18:00")
		}
		return l
	}
	before, after := line("09:00"), line("08:00")
	after.Policy.RingMode = callbackline.RingAll
	other := callbackline.Line{Number: "+4930123456", Policy: callbackline.DefaultPolicy()}
	got := linesSummary([]callbackline.Line{before, other}, []callbackline.Line{after}).English()
	want := "line Sales: ring mode sequential → all, hours Mon–Fri 09:00-18:00 → Mon–Fri 08:00-18:00; line +493*****56: removed"
	if got != want {
		t.Errorf("lines:\n got %s\nwant %s", got, want)
	}
	if got := linesSummary([]callbackline.Line{before}, []callbackline.Line{before}).English(); got != "lines saved unchanged" {
		t.Errorf("unchanged lines: %s", got)
	}
	old := &callbackline.PortalTrunk{Registrar: "sip.example:5060", Username: "u", Password: "secret-1", CallerIDs: []string{"+4930123456"}, Transport: "udp", Register: true}
	nw := *old
	nw.Password, nw.Transport, nw.CallerIDs = "secret-2", "tls", []string{"+4940123456"}
	got = trunkSummary(old, &nw).English()
	if got != "SIP account: transport udp → tls; caller IDs: added +494*****56; removed +493*****56; password changed" || strings.Contains(got, "secret") {
		t.Errorf("trunk: %s", got)
	}
	if got := trunkSummary(nil, old).English(); strings.Contains(got, "secret") || got != "SIP account added: u@sip.example:5060" {
		t.Errorf("trunk added: %s", got)
	}
	if got := blockedSummary([]string{"+74951234567"}, []string{"+74951234567", "+7495*"}).English(); got != "added +7495*" {
		t.Errorf("blocked: %s", got)
	}
	if got := countriesSummary([]string{"DE"}, []string{"DE"}).English(); got != "saved unchanged" {
		t.Errorf("countries unchanged: %s", got)
	}
}
