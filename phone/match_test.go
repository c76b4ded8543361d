package phone

import (
	"testing"
	"unicode/utf8"
)

func TestSame(t *testing.T) {
	for _, c := range []struct {
		e164, logged string
		want         bool
	}{
		{"+19061234567", "+19061234567", true},
		{"+19061234567", "19061234567", true},
		{"+74951234567", "84951234567", true},
		{"+74951234567", "+7 (495) 123-45-67", true},
		{"+4930123456", "030123456", true},
		{"+4930123456", "+4930123457", false},
		{"+4930123456", "99994930123456", false}, // more than a prefix before it
		{"+4930123456", "+49301234567", false},
		{"+4930123456", "", false},
		{"+4930123456", "4930123456x", false},
		{"not a number", "+4930123456", false},
	} {
		if got := Same(c.e164, c.logged); got != c.want {
			t.Errorf("Same(%q, %q) = %v, want %v", c.e164, c.logged, got, c.want)
		}
	}
}

// FuzzSame: any logged text (Bitrix24's PHONE_NUMBER) is compared without
// panicking, and a match always ends with the national number.
func FuzzSame(f *testing.F) {
	for _, s := range []string{"+74951234567", "84951234567", "+7 (495) 123-45-67", "", "++", "7495123456\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, logged string) {
		if Same("+74951234567", logged) && !utf8.ValidString(logged) {
			t.Fatalf("%q matched but is not text", logged)
		}
	})
}
