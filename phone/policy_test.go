package phone

import (
	"errors"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
)

func TestDefaultPolicyBlocksPremiumAndSharedCost(t *testing.T) {
	cases := []struct {
		raw, region, typ string
	}{
		{"0909 879 0000", "GB", PremiumRate},   // UK 09xx
		{"0870 123 4567", "GB", PremiumRate},   // UK 087x revenue sharing
		{"0900 1 234567", "DE", PremiumRate},   // DE 0900
		{"8-809-505-12-34", "RU", PremiumRate}, // RU 8-809
		{"1-900-234-5678", "US", PremiumRate},  // US 1-900
		{"08 99 12 34 56", "FR", PremiumRate},  // FR 0899
		{"0810 12 34 56", "FR", SharedCost},    // FR 081x
		{"0180 5 123456", "DE", SharedCost},    // DE 0180
		{"+7 000 000 00 00", "", Unknown},      // not in the plan (Check only: Normalize refuses it)
	}
	p := DefaultPolicy()
	for _, c := range cases {
		e164, err := Normalize(c.raw, c.region)
		if c.typ == Unknown {
			e164 = "+70000000000"
		} else if err != nil {
			t.Fatalf("Normalize(%q, %q): %v", c.raw, c.region, err)
		}
		err = p.Check(e164)
		var r *Rejection
		if !errors.As(err, &r) || r.Reason != callbackline.ReasonNumberType {
			t.Errorf("Check(%s) = %v, want a %s rejection", Mask(e164), err, callbackline.ReasonNumberType)
			continue
		}
		if !strings.Contains(r.Message, c.typ) || !strings.Contains(r.Message, "blocked number types") {
			t.Errorf("Check(%s): message %q does not name type %s and the rule", Mask(e164), r.Message, c.typ)
		}
		if strings.Contains(r.Message, e164) || strings.Contains(r.Message, e164[1:]) {
			t.Errorf("Check: message %q shows the whole number", r.Message)
		}
		if callbackline.ErrorCode(err) != callbackline.EFORBIDDEN {
			t.Errorf("Check(%s): code %q, want %q", Mask(e164), callbackline.ErrorCode(err), callbackline.EFORBIDDEN)
		}
	}
}

func TestDefaultPolicyAllows(t *testing.T) {
	for _, e164 := range []string{
		"+78005553535",   // RU toll free
		"+448001234567",  // UK toll free
		"+18005550199",   // US toll free
		"+74951234567",   // RU fixed line
		"+79161234567",   // RU mobile
		"+12125551234",   // US fixed line or mobile
		"+4915123456789", // DE mobile
		"+80012345678",   // international freephone
	} {
		if err := DefaultPolicy().Check(e164); err != nil {
			t.Errorf("Check(%s) = %v, want nil", e164, err)
		}
	}
}

func TestPolicyCountries(t *testing.T) {
	p := Policy{AllowedCountries: []string{"RU", "kz"}}
	for _, e164 := range []string{"+74951234567", "+77011234567"} {
		if err := p.Check(e164); err != nil {
			t.Errorf("Check(%s) = %v, want nil", e164, err)
		}
	}
	for _, c := range []struct{ e164, says string }{
		{"+49301234567", "DE"},
		{"+18762101234", "JM"}, // Jamaica shares +1 with the US
		{"+80012345678", "no country"},
	} {
		err := p.Check(c.e164)
		var r *Rejection
		if !errors.As(err, &r) || r.Reason != callbackline.ReasonCountry {
			t.Errorf("Check(%s) = %v, want a %s rejection", c.e164, err, callbackline.ReasonCountry)
			continue
		}
		if !strings.Contains(r.Message, c.says) || !strings.Contains(r.Message, "allowed countries (RU, kz)") {
			t.Errorf("Check(%s): message %q should name %s and the allowed countries", c.e164, r.Message, c.says)
		}
	}
}

func TestPolicyCustomTypes(t *testing.T) {
	p := Policy{BlockedTypes: []string{"MOBILE", TollFree}}
	if err := p.Check("+79161234567"); ReasonOf(err) != callbackline.ReasonNumberType {
		t.Errorf("mobile with mobile blocked: %v", err)
	}
	if err := p.Check("+78005553535"); ReasonOf(err) != callbackline.ReasonNumberType {
		t.Errorf("toll free with toll_free blocked: %v", err)
	}
	if err := p.Check("+78095051234"); err != nil {
		t.Errorf("premium rate with only mobile and toll_free blocked: %v", err)
	}
	if err := (Policy{}).Check("+70000000000"); err != nil {
		t.Errorf("zero policy must allow everything parseable: %v", err)
	}
}

func TestPolicyCheckNotE164(t *testing.T) {
	for _, s := range []string{"", "84951234567", "+", "+abc", "+7 495 123 45 67 " + strings.Repeat("x", MaxInput)} {
		if r := ReasonOf(DefaultPolicy().Check(s)); r != callbackline.ReasonInvalidNumber {
			t.Errorf("Check(%q) reason %q, want %s", s, r, callbackline.ReasonInvalidNumber)
		}
	}
}

func TestPolicyAccept(t *testing.T) {
	p := DefaultPolicy()
	e, err := p.Accept("8 (495) 123-45-67", "RU")
	if e != "+74951234567" || err != nil {
		t.Errorf("Accept fixed line = %q, %v", e, err)
	}
	e, err = p.Accept("8-809-505-12-34", "RU")
	if e != "+78095051234" || ReasonOf(err) != callbackline.ReasonNumberType {
		t.Errorf("Accept premium = %q, %v; want the number and a type rejection", e, err)
	}
	e, err = p.Accept("12", "RU")
	if e != "" || ReasonOf(err) != callbackline.ReasonInvalidNumber {
		t.Errorf("Accept junk = %q, %v", e, err)
	}
}

func TestPolicyValidate(t *testing.T) {
	if err := DefaultPolicy().Validate(); err != nil {
		t.Errorf("default policy: %v", err)
	}
	if err := (Policy{BlockedTypes: Types(), AllowedCountries: []string{"ru", "DE", "US"}}).Validate(); err != nil {
		t.Errorf("all types: %v", err)
	}
	err := Policy{BlockedTypes: []string{"premium", Mobile}, AllowedCountries: []string{"RUS", "XX", "RU"}}.Validate()
	if err == nil {
		t.Fatal("bad policy validated")
	}
	for _, want := range []string{`"premium" is not a number type`, "premium_rate", `"RUS" is not an ISO 3166`, `"XX"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate: %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), `"RU"`) || strings.Contains(err.Error(), `"mobile"`) {
		t.Errorf("Validate complains about valid entries: %v", err)
	}
}

func TestTypeNames(t *testing.T) {
	want := []string{"fixed_line", "mobile", "fixed_line_or_mobile", "toll_free", "premium_rate", "shared_cost",
		"voip", "personal_number", "pager", "uan", "voicemail", "unknown"}
	if got := strings.Join(Types(), ","); got != strings.Join(want, ",") {
		t.Errorf("Types() = %s", got)
	}
	if TypeOf("+78095051234") != PremiumRate || TypeOf("junk") != Unknown || TypeOf("+79161234567") != Mobile {
		t.Error("TypeOf gives wrong names")
	}
}
