package phone

import "testing"

func TestRegionForLanguage(t *testing.T) {
	cases := map[string]string{
		"ru": "RU", "ua": "UA", "en": "US", "de": "DE", "br": "BR", "kz": "KZ", "by": "BY",
		"pl": "PL", "fr": "FR", "it": "IT", "tr": "TR", "ja": "JP", "sc": "CN", "tc": "TW",
		"RU": "RU", " de ": "DE", "la": "", "ar": "", "xx": "", "": "",
	}
	for lang, want := range cases {
		if got := RegionForLanguage(lang); got != want {
			t.Errorf("RegionForLanguage(%q) = %q, want %q", lang, got, want)
		}
		if got := RegionForLanguage(lang); got != "" && !ValidRegion(got) {
			t.Errorf("RegionForLanguage(%q) = %q, not a region the parser knows", lang, got)
		}
	}
	// "8 495 …" means Moscow to a Russian portal.
	if e, err := Normalize("8 495 123 45 67", RegionForLanguage("ru")); e != "+74951234567" || err != nil {
		t.Errorf("Normalize with the ru portal's region = %q, %v", e, err)
	}
}
