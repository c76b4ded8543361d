package phone

import (
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
)

// Only narrows a policy to countries it allows; with none left every
// number is refused, the hint is said; RegionOf and Allows agree.
func TestOnly(t *testing.T) {
	base := Policy{BlockedTypes: []string{PremiumRate}, AllowedCountries: []string{"DE", "AT"}}
	p := base.Only([]string{"at", "FR", "AT", "XX"}, "ask the administrator")
	if strings.Join(p.AllowedCountries, ",") != "AT" || !p.Allows("at") || p.Allows("DE") {
		t.Fatalf("narrowed %+v", p)
	}
	if err := p.Check("+4315123456"); err != nil {
		t.Errorf("Vienna: %v", err)
	}
	err := p.Check("+4930123456")
	if rej, ok := err.(*Rejection); !ok || rej.Reason != callbackline.ReasonCountry || !strings.HasSuffix(rej.Message, "(AT); ask the administrator") {
		t.Errorf("Berlin: %v", err)
	}
	if err := p.Check("+4990012345678"); err == nil {
		t.Error("a German premium number passed")
	}
	none := base.Only([]string{"FR"}, "")
	for _, n := range []string{"+4930123456", "+33142685300", "+80012345678"} {
		if err := none.Check(n); err == nil || !strings.Contains(err.Error(), "allowed countries (none)") {
			t.Errorf("%s with no country: %v", n, err)
		}
	}
	if none.Allows("FR") || none.Allows("DE") {
		t.Error("a policy with no country allows one")
	}
	if all := (Policy{}).Only([]string{"FR", "us"}, ""); strings.Join(all.AllowedCountries, ",") != "FR,US" {
		t.Errorf("from any country: %+v", all)
	}
	if !(Policy{}).Allows("JP") || base.Allows("JP") {
		t.Error("Allows")
	}
	for n, want := range map[string]string{"+4930123456": "DE", "+4315123456": "AT", "+80012345678": "", "4930123456": "", "+": ""} {
		if got := RegionOf(n); got != want {
			t.Errorf("RegionOf(%q) = %q, want %q", n, got, want)
		}
	}
}
