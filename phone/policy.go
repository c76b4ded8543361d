package phone

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/callbackline/callbackline"
	"github.com/nyaruka/phonenumbers"
)

// Number type names, as a Policy lists them. They follow the types of
// libphonenumber; a number that is not valid in its numbering plan is
// "unknown".
const (
	FixedLine         = "fixed_line"
	Mobile            = "mobile"
	FixedLineOrMobile = "fixed_line_or_mobile" // countries where the two cannot be told apart (US, …)
	TollFree          = "toll_free"
	PremiumRate       = "premium_rate"
	SharedCost        = "shared_cost"
	VoIP              = "voip"
	PersonalNumber    = "personal_number"
	Pager             = "pager"
	UAN               = "uan" // universal access (company) numbers
	Voicemail         = "voicemail"
	Unknown           = "unknown"
)

// typeNames is indexed by phonenumbers.PhoneNumberType.
var typeNames = [...]string{
	phonenumbers.FIXED_LINE:           FixedLine,
	phonenumbers.MOBILE:               Mobile,
	phonenumbers.FIXED_LINE_OR_MOBILE: FixedLineOrMobile,
	phonenumbers.TOLL_FREE:            TollFree,
	phonenumbers.PREMIUM_RATE:         PremiumRate,
	phonenumbers.SHARED_COST:          SharedCost,
	phonenumbers.VOIP:                 VoIP,
	phonenumbers.PERSONAL_NUMBER:      PersonalNumber,
	phonenumbers.PAGER:                Pager,
	phonenumbers.UAN:                  UAN,
	phonenumbers.VOICEMAIL:            Voicemail,
	phonenumbers.UNKNOWN:              Unknown,
}

// Types returns every number type name a Policy may block.
func Types() []string { return slices.Clone(typeNames[:]) }

// ValidType reports whether name is one of Types (case-insensitive).
func ValidType(name string) bool {
	for _, t := range typeNames {
		if strings.EqualFold(t, name) {
			return true
		}
	}
	return false
}

// ValidRegion reports whether code is an ISO 3166 alpha-2 region code
// with a numbering plan (case-insensitive): "RU", "de", …
func ValidRegion(code string) bool {
	return len(code) == 2 && phonenumbers.GetSupportedRegions()[strings.ToUpper(code)]
}

// TypeOf returns the type name of an E.164 number, Unknown when it is not
// a valid number.
func TypeOf(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return Unknown
	}
	return typeName(phonenumbers.GetNumberType(n))
}

func typeName(t phonenumbers.PhoneNumberType) string {
	if int(t) >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return Unknown
}

// Policy is the toll-fraud guard: which numbers may be dialled. The zero
// Policy allows every valid number; DefaultPolicy is what callbackline
// uses unless configured otherwise.
type Policy struct {
	// BlockedTypes are number type names (see Types) never dialled.
	BlockedTypes []string
	// AllowedCountries are ISO 3166 alpha-2 region codes; empty allows
	// every country. Numbers of no country (+800, +881 satellite, …) are
	// allowed only when this is empty.
	AllowedCountries []string

	// Blocked are numbers never dialled, as ParseBlocked writes them:
	// E.164, or a prefix ending in "*" (Block sets them).
	Blocked []string

	none bool   // Only left no country: every number is refused
	hint string // said after a country refusal: how more are allowed
}

// DefaultPolicy blocks premium-rate, shared-cost and unknown numbers and
// allows every country.
func DefaultPolicy() Policy {
	return Policy{BlockedTypes: []string{PremiumRate, SharedCost, Unknown}}
}

// Validate reports every unknown type name or region code in p.
func (p Policy) Validate() error {
	var errs []error
	for _, t := range p.BlockedTypes {
		if !ValidType(t) {
			errs = append(errs, fmt.Errorf("%q is not a number type; use one of %s", t, strings.Join(typeNames[:], ", ")))
		}
	}
	for _, c := range p.AllowedCountries {
		if !ValidRegion(c) {
			errs = append(errs, fmt.Errorf("%q is not an ISO 3166 alpha-2 region code (e.g. RU, DE, US)", c))
		}
	}
	return errors.Join(errs...)
}

// Check returns nil when the E.164 number may be dialled, else a
// *Rejection: ReasonInvalidNumber when it is not an E.164 number,
// ReasonCountry when its country is not allowed, ReasonNumberType when its
// type is blocked.
func (p Policy) Check(e164 string) error {
	if len(e164) > MaxInput || !strings.HasPrefix(e164, "+") {
		return invalid("%s is not a number in E.164 form (+ and country code)", Mask(e164))
	}
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return invalid("%s is not a number in E.164 form (+ and country code)", Mask(e164))
	}
	t := phonenumbers.UNKNOWN
	if len(p.BlockedTypes) > 0 {
		t = phonenumbers.GetNumberType(n)
	}
	return p.check(n, t)
}

// check applies the policy to n, whose type is t (worked out by the
// caller, once).
func (p Policy) check(n *phonenumbers.PhoneNumber, typ phonenumbers.PhoneNumberType) error {
	if len(p.Blocked) > 0 {
		if entry := p.blockedBy(phonenumbers.Format(n, phonenumbers.E164)); entry != "" {
			return &Rejection{Reason: callbackline.ReasonBlocked, Message: fmt.Sprintf(
				"%s is on the portal's list of blocked numbers (%s)", mask(n), maskEntry(entry))}
		}
	}
	if p.none || len(p.AllowedCountries) > 0 {
		region := phonenumbers.GetRegionCodeForNumber(n)
		if !slices.ContainsFunc(p.AllowedCountries, func(c string) bool { return strings.EqualFold(c, region) }) {
			what := "a country"
			if region != "" && region != "001" && region != "ZZ" {
				what = region
			} else if region == "001" {
				what = "no country (a global service)"
			}
			list := strings.Join(p.AllowedCountries, ", ")
			if p.none {
				list = "none"
			}
			return &Rejection{Reason: callbackline.ReasonCountry, Message: fmt.Sprintf(
				"%s belongs to %s outside the allowed countries (%s)%s",
				mask(n), what, list, p.hint)}
		}
	}
	if len(p.BlockedTypes) > 0 {
		t := typeName(typ)
		if slices.ContainsFunc(p.BlockedTypes, func(b string) bool { return strings.EqualFold(b, t) }) {
			what := "a " + t + " number"
			if t == Unknown {
				what = "not a number in use in its country's numbering plan (type unknown)"
			}
			return &Rejection{Reason: callbackline.ReasonNumberType, Message: fmt.Sprintf(
				"%s is %s; the blocked number types are %s",
				mask(n), what, strings.Join(p.BlockedTypes, ", "))}
		}
	}
	return nil
}

// Accept normalises raw input like Normalize and checks it against the
// policy, parsing once: the intake's hot path. e164 is set whenever the
// input is a valid number, even when the policy rejects it; err is nil or
// a *Rejection.
func (p Policy) Accept(raw, region string) (e164 string, err error) {
	n, t, err := parse(raw, region)
	if err != nil {
		return "", err
	}
	return phonenumbers.Format(n, phonenumbers.E164), p.check(n, t)
}

func mask(n *phonenumbers.PhoneNumber) string {
	return Mask(phonenumbers.Format(n, phonenumbers.E164))
}

// Only returns p narrowed to the countries codes (ISO 3166 alpha-2) that p
// allows: all of codes when p allows every country, else those also in
// p.AllowedCountries, in the order of codes. When none is left, the
// returned Policy refuses every number (ReasonCountry). hint, when not
// empty, is added to the message of a country refusal (how to allow
// more). A portal's countries are the operator's policy narrowed this
// way.
func (p Policy) Only(codes []string, hint string) Policy {
	q := p
	q.AllowedCountries, q.hint = nil, ""
	if hint != "" {
		q.hint = "; " + hint
	}
	for _, c := range codes {
		c = strings.ToUpper(c)
		if !ValidRegion(c) || slices.Contains(q.AllowedCountries, c) {
			continue
		}
		if len(p.AllowedCountries) == 0 || slices.ContainsFunc(p.AllowedCountries, func(a string) bool { return strings.EqualFold(a, c) }) {
			q.AllowedCountries = append(q.AllowedCountries, c)
		}
	}
	q.none = len(q.AllowedCountries) == 0
	return q
}

// Allows reports whether the policy allows numbers of the country code
// (ISO 3166 alpha-2, case-insensitive).
func (p Policy) Allows(code string) bool {
	if p.none {
		return false
	}
	return len(p.AllowedCountries) == 0 || slices.ContainsFunc(p.AllowedCountries, func(a string) bool { return strings.EqualFold(a, code) })
}

// RegionOf returns the country (ISO 3166 alpha-2) of an E.164 number, ""
// when it is not one or belongs to no country.
func RegionOf(e164 string) string {
	if len(e164) > MaxInput || !strings.HasPrefix(e164, "+") {
		return ""
	}
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	r := phonenumbers.GetRegionCodeForNumber(n)
	if !ValidRegion(r) {
		return ""
	}
	return r
}
