package config

import (
	"testing"

	"github.com/callbackline/callbackline"
)

// A line's dialer keys: the Bitrix24 dialer needs one of the portal's own
// lines, never callbackline's own (Bitrix24 would send the request back);
// each mistake is named by its key.
func TestLineDialer(t *testing.T) {
	c := Default()
	for _, tc := range []struct{ text, key, says string }{
		{"- number: x\n  dialer: voximplant\n", "lines[0].dialer", `is "voximplant"; sip`},
		{"- number: x\n  dialer: bitrix24\n", "lines[0].from_line", "is empty"},
		{"- number: x\n  dialer: bitrix24\n  from_line: x\n", "lines[0].from_line", "one of callbackline's own lines"},
		{"- number: x\n- number: y\n  dialer: bitrix24\n  from_line: x\n", "lines[1].from_line", "one of callbackline's own lines"},
		{"- number: x\n  dialer: bitrix24\n  from_line: REST_APP:3\n", "lines[0].from_line", "one of callbackline's own lines"},
		{"- number: x\n  dialer: bitrix24\n  from_line: \"reg 1\"\n", "lines[0].from_line", "is not a Bitrix24 line id"},
		{"- number: x\n  from_line: reg1\n", "lines[0].from_line", "dials over SIP"},
		{"- number: x\n  dialer: bitrix24\n  from_line: reg1\n  fallback: bitrix24\n", "lines[0].fallback", "dials through Bitrix24 already"},
		{"- number: x\n  fallback: pstn\n  from_line: reg1\n", "lines[0].fallback", `is "pstn"`},
		{"- number: x\n  dialer: bitrix24\n  from_line: reg1\n  voice: \"<b>\"\n", "lines[0].voice", "is not a Bitrix24 voice id"},
	} {
		_, err := c.PortalLines(testMember, tc.text)
		hasProblem(t, err, tc.key, tc.says)
	}
	lines, err := c.PortalLines(testMember, "- number: x\n  dialer: bitrix24\n  from_line: reg151083\n  voice: eurgermanmale\n- number: y\n  fallback: bitrix24\n  from_line: sip7\n")
	if err != nil {
		t.Fatal(err)
	}
	if l := lines[0]; !l.PlacesViaBitrix24() || l.FromLine != "reg151083" || l.Voice != "eurgermanmale" || l.Fallback {
		t.Errorf("bitrix24 line %+v", l)
	}
	if l := lines[1]; l.Dialer != callbackline.DialerSIP || !l.Fallback || l.FromLine != "sip7" {
		t.Errorf("sip line with fallback %+v", l)
	}
}
