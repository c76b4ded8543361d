package speech

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// TestFallbackLanguagesExist checks that every language the prefix and
// name fallbacks can produce is an espeak-ng voice.
func TestFallbackLanguagesExist(t *testing.T) {
	if _, err := exec.LookPath("espeak-ng"); err != nil {
		t.Skip("espeak-ng not found: install the Debian package espeak-ng")
	}
	langs, err := (&Espeak{Timeout: time.Minute}).Languages(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	check := func(from, l string) {
		if langs[l] == "" {
			t.Errorf("%s → %q, which espeak-ng does not have", from, l)
		}
	}
	for p, l := range prefixes {
		check("prefix "+p, l)
	}
	for _, n := range languageNames {
		check("name "+n.name, n.lang)
	}
	for k, l := range regional {
		check("region "+k, l)
	}
	check("default", DefaultLanguage)
}
