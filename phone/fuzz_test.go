package phone

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
)

var e164RE = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// FuzzNormalize feeds arbitrary visitor input: Normalize never panics, and
// what it returns is E.164 that normalises to itself from any region,
// passes Check's parsing, and masks to something shorter than itself.
func FuzzNormalize(f *testing.F) {
	for _, c := range normalizeCases {
		f.Add(c.raw, c.region)
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		got, err := Normalize(raw, region)
		if err != nil {
			var r *Rejection
			if !errors.As(err, &r) || r.Reason != callbackline.ReasonInvalidNumber {
				t.Fatalf("Normalize(%q, %q): %v is not an invalid-number Rejection", raw, region, err)
			}
			if got != "" {
				t.Fatalf("Normalize(%q, %q) = %q with an error", raw, region, got)
			}
			checkNoWholeNumber(t, raw, r.Message)
			return
		}
		if !e164RE.MatchString(got) {
			t.Fatalf("Normalize(%q, %q) = %q, not E.164", raw, region, got)
		}
		for _, reg := range []string{"", region, "RU", "US"} {
			if again, err := Normalize(got, reg); again != got || err != nil {
				t.Fatalf("Normalize(%q, %q) = %q, %v; want it unchanged", got, reg, again, err)
			}
		}
		if err := (Policy{}).Check(got); err != nil {
			t.Fatalf("Check(%q) on a normalised number: %v", got, err)
		}
		if m := Mask(got); strings.Contains(m, got[1:]) || !strings.Contains(m, "*") {
			t.Fatalf("Mask(%q) = %q", got, m)
		}
	})
}

// FuzzMask checks that Mask never returns all the digits of its input.
func FuzzMask(f *testing.F) {
	f.Add("+74951234567")
	f.Add("8 (495) 123-45-67")
	f.Add("12")
	f.Fuzz(func(t *testing.T, s string) {
		m := Mask(s)
		if strings.Trim(m, "+*") != m && !strings.Contains(m, "*") {
			t.Fatalf("Mask(%q) = %q hides nothing", s, m)
		}
	})
}
