package phone

import (
	"strings"
	"testing"
)

func TestMask(t *testing.T) {
	cases := []struct{ in, want string }{
		{"+74951234567", "+7495*****67"},
		{"+442079460958", "+44207*****58"},
		{"+4915123456789", "+49151******89"},
		{"+380441234567", "+38044*****67"},
		{"+33612345678", "+3361*****78"},
		{"+4930123456", "+493*****56"},
		{"+80012345678", "+8001*****78"},
		{"+7 (495) 123-45-67", "+7495*****67"},
		{"8 (495) 123-45-67", "*********67"},
		{"+7 495", "+7***"},
		{"12345", "***45"},
		{"1234", "****"},
		{"", ""},
		{"no digits", ""},
		{"+0200000000000", "+***********00"},
		{"+0" + strings.Repeat("9", 40), "+************99"},
		{strings.Repeat("9", 200), "*************99"[1:]},
	}
	for _, c := range cases {
		if got := Mask(c.in); got != c.want {
			t.Errorf("Mask(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestMaskNeverWhole masks every number of the Normalize table and checks
// that the result never carries the whole number.
func TestMaskNeverWhole(t *testing.T) {
	for _, c := range normalizeCases {
		m := Mask(c.want)
		digits := strings.Count(m, "*")
		if digits < 5 || strings.Contains(m, c.want[1:]) || !strings.HasPrefix(m, "+") {
			t.Errorf("Mask(%q) = %q hides too little", c.want, m)
		}
	}
}
