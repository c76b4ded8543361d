package callback_test

import (
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
	"github.com/callbackline/callbackline/sip/siptest"
)

// TestFallbackTrunkRefused: a SIP line with fallback: bitrix24 whose trunk
// is registered but refuses every INVITE (before any phone rings) hands
// the callback to Bitrix24's telephony in the same run, and the history
// says why; an employee who is busy or declines is no reason to fall
// back: the callback keeps to SIP's rounds.
func TestFallbackTrunkRefused(t *testing.T) {
	cases := []struct {
		name     string
		employee siptest.Behavior
		fallback bool
	}{
		{name: "403 from the trunk", employee: siptest.Behavior{Action: siptest.Refuse, Status: 403}, fallback: true},
		{name: "480 from the trunk", employee: siptest.Behavior{Action: siptest.Refuse, Status: 480}, fallback: true},
		{name: "503 from the trunk", employee: siptest.Behavior{Action: siptest.Refuse, Status: 503}, fallback: true},
		{name: "employee busy", employee: siptest.Behavior{Action: siptest.Busy}},
		{name: "employee declines", employee: siptest.Behavior{Action: siptest.Decline}},
		{name: "busy without ringing", employee: siptest.Behavior{Action: siptest.Refuse, Status: 486}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := quick()
			e := newEnv(t, callbackline.Line{Policy: p, Fallback: true, FromLine: "reg151083"}, nil)
			e.portal.AddVoxLine(bitrix24test.VoxLine{ID: "reg151083", Name: "Cloud PBX (9)"})
			e.phones.Set("", tc.employee)
			id := e.request(clientRaw, "LEAD", 5785)
			e.run(id)
			cb, notes := e.callback(id), e.notes(id)
			invites := len(e.phones.Calls())
			if invites == 0 {
				t.Fatal("no INVITE went out over SIP")
			}
			vox := e.portal.VoxCalls()
			if !tc.fallback {
				if len(vox) != 0 || cb.State == callbackline.StatePlaced || strings.Contains(notes, "fallback") {
					t.Errorf("fell back to Bitrix24 (%d calls), state %s:\n%s", len(vox), cb.State, notes)
				}
				return
			}
			if len(vox) != 1 || vox[0].FromLine != "reg151083" || vox[0].ToNumber != clientE164 {
				t.Fatalf("Bitrix24 calls %+v", vox)
			}
			if cb.State != callbackline.StatePlaced || !strings.Contains(notes, "fallback to Bitrix24 (the SIP trunk refused every INVITE") {
				t.Errorf("state %s, history:\n%s", cb.State, notes)
			}
			// The SIP attempt's call card is closed with the trunk's status.
			if calls := e.checkCRM(); len(calls) != 1 || calls[0].StatusCode == "200" {
				t.Errorf("CRM calls %+v", calls)
			}
		})
	}
}
