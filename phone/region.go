package phone

import "strings"

// regions maps Bitrix24 portal languages to the region of numbers typed
// without a country code. Languages spoken in many countries (la: Latin
// American Spanish, ar) have none: guessing would dial the wrong country.
var regions = map[string]string{
	"ru": "RU", "ua": "UA", "by": "BY", "kz": "KZ", "uz": "UZ",
	"en": "US", "de": "DE", "br": "BR", "fr": "FR", "pl": "PL",
	"it": "IT", "tr": "TR", "ja": "JP", "sc": "CN", "tc": "TW",
	"vn": "VN", "id": "ID", "ms": "MY", "th": "TH", "es": "ES",
}

// RegionForLanguage returns the default region (ISO 3166 alpha-2) for a
// Bitrix24 portal language such as "ru", "ua", "en", "de", "br", "kz",
// "by", "pl", "sc" (China) or "tc" (Taiwan); "" when the language names
// no single country (la, ar) or is unknown. Case is ignored.
func RegionForLanguage(lang string) string {
	return regions[strings.ToLower(strings.TrimSpace(lang))]
}
