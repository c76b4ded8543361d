package phone

import (
	"errors"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
)

// Inputs as visitors type them into Bitrix24 CRM forms.
var normalizeCases = []struct {
	raw, region, want string
}{
	// Russia: +7, trunk prefix 8, international prefix 8~10.
	{"+7 (495) 123-45-67", "RU", "+74951234567"},
	{"+7 (495) 123-45-67", "", "+74951234567"},
	{"8 495 123 45 67", "RU", "+74951234567"},
	{"8(495)123-45-67", "RU", "+74951234567"},
	{"84951234567", "RU", "+74951234567"},
	{"7 495 123 45 67", "RU", "+74951234567"},
	{"79161234567", "RU", "+79161234567"},
	{"+7 916 123-45-67", "DE", "+79161234567"},
	{"8-916-123-45-67", "RU", "+79161234567"},
	{"00 7 495 123 45 67", "RU", "+74951234567"},
	{"007 916 123 45 67", "", "+79161234567"},
	{"8 10 49 30 1234567", "RU", "+49301234567"},
	{"Телефон: 8 (916) 123-45-67", "RU", "+79161234567"},
	{"+7 495 123 45 67 звонить после 18", "RU", "+74951234567"},
	{"+7 495 123-45-67 доб. 12", "RU", "+74951234567"},
	{"8 800 555-35-35", "RU", "+78005553535"},
	{"\u00a0+7\u00a0495\u00a0123\u00a045\u00a067\u00a0", "", "+74951234567"},
	{"＋７ ４９５ １２３ ４５ ６７", "", "+74951234567"},
	// Germany: national prefix 0, "(0)" after the country code.
	{"+49 (0) 30 1234567", "", "+49301234567"},
	{"+49 (0)30 1234567", "DE", "+49301234567"},
	{"0049 30 1234567", "DE", "+49301234567"},
	{"0049 30 1234567", "", "+49301234567"},
	{"0049 30 1234567", "RU", "+49301234567"},
	{"030 1234567", "DE", "+49301234567"},
	{"030/1234567", "DE", "+49301234567"},
	{"0151 23456789", "DE", "+4915123456789"},
	// Ukraine, Kazakhstan, Belarus.
	{"+380 44 123 4567", "", "+380441234567"},
	{"044 123 45 67", "UA", "+380441234567"},
	{"067 123 45 67", "UA", "+380671234567"},
	{"8 727 258 1234", "KZ", "+77272581234"},
	{"+7 701 123 4567", "", "+77011234567"},
	{"8 017 123-45-67", "BY", "+375171234567"},
	{"+375 29 123-45-67", "", "+375291234567"},
	// United States and Canada.
	{"(212) 555-1234", "US", "+12125551234"},
	{"212.555.1234", "US", "+12125551234"},
	{"1-212-555-1234", "US", "+12125551234"},
	{"+1 (416) 555-0123", "", "+14165550123"},
	{"1-800-FLOWERS", "US", "+18003569377"},
	{"+1 212 555 1234 ext. 42", "", "+12125551234"},
	// United Kingdom, France, Poland, Brazil, Italy.
	{"+44 20 7946 0958", "", "+442079460958"},
	{"020 7946 0958", "GB", "+442079460958"},
	{"07400 123456", "GB", "+447400123456"},
	{"01 23 45 67 89", "FR", "+33123456789"},
	{"+33 6 12 34 56 78", "", "+33612345678"},
	{"22 123 45 67", "PL", "+48221234567"},
	{"(11) 91234-5678", "BR", "+5511912345678"},
	{"06 1234 5678", "IT", "+390612345678"},
	{"+39 06 1234 5678", "", "+390612345678"},
	{"+39 312 345 6789", "", "+393123456789"},
	// Non-geographic.
	{"+800 1234 5678", "", "+80012345678"},
}

func TestNormalize(t *testing.T) {
	for _, c := range normalizeCases {
		got, err := Normalize(c.raw, c.region)
		if err != nil || got != c.want {
			t.Errorf("Normalize(%q, %q) = %q, %v; want %q", c.raw, c.region, got, err, c.want)
		}
	}
}

func TestNormalizeRejects(t *testing.T) {
	cases := []struct {
		raw, region, says string
	}{
		{"", "RU", "no phone number"},
		{"   ", "RU", "no phone number"},
		{"позвоните мне", "RU", "no phone number"},
		{"4951234567", "", "no country code"},
		{"8 495 123 45 67", "", "no country code"},
		{"+7 495 123", "", "too short"},
		{"8 495 12", "RU", "too short"},
		{"12", "RU", "too short"},
		{"+7 495 123 45 67 89 01 23", "", "too long"},
		{"+999 123 456 789", "", "country code"},
		{"+7 000 000 00 00", "", "not a valid number"},
		{"+49 30 1", "", "too short"},
		{strings.Repeat("1", MaxInput+1), "RU", "longer than any phone number"},
		{"+" + strings.Repeat("7", 40), "", "too long"},
		{"20100000000000", "DE", "longer than the 15 digits"},
		{"ab+cd", "US", "no phone number"},
	}
	for _, c := range cases {
		got, err := Normalize(c.raw, c.region)
		if err == nil {
			t.Errorf("Normalize(%q, %q) = %q, want an error", c.raw, c.region, got)
			continue
		}
		var r *Rejection
		if !errors.As(err, &r) || r.Reason != callbackline.ReasonInvalidNumber {
			t.Errorf("Normalize(%q, %q): %v is not a Rejection with %s", c.raw, c.region, err, callbackline.ReasonInvalidNumber)
			continue
		}
		if !strings.Contains(r.Message, c.says) {
			t.Errorf("Normalize(%q, %q): message %q does not say %q", c.raw, c.region, r.Message, c.says)
		}
		if !strings.HasPrefix(err.Error(), callbackline.ReasonInvalidNumber+": ") {
			t.Errorf("Normalize(%q, %q): Error() = %q, want the reason first", c.raw, c.region, err)
		}
		if callbackline.ErrorCode(err) != callbackline.EINVALID {
			t.Errorf("Normalize(%q, %q): code %q, want %q", c.raw, c.region, callbackline.ErrorCode(err), callbackline.EINVALID)
		}
		if got != "" {
			t.Errorf("Normalize(%q, %q) returned %q with an error", c.raw, c.region, got)
		}
		checkNoWholeNumber(t, c.raw, r.Message)
	}
}

// checkNoWholeNumber fails when msg carries a run of 7 or more digits of
// raw. A mask shows at most 6 in a row: a 3-digit country code and 3 more.
func checkNoWholeNumber(t *testing.T, raw, msg string) {
	t.Helper()
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, raw)
	for i := 0; i+7 <= len(digits); i++ {
		if strings.Contains(msg, digits[i:i+7]) {
			t.Errorf("message %q shows digits %s of the number %q", msg, digits[i:i+7], raw)
			return
		}
	}
}
