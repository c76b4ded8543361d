package callback

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/phone"
)

// Countries is the one rule of which countries a portal may dial, applied
// at intake and again by the guard right before dialling: the countries
// its administrator (or the operator for it) chose, else the portal's
// own country, always narrowed to the operator's policy
// (intake.allowed_countries; empty allows any). The portal's own country
// is that of the first caller ID of its lines (its own, else the
// configured ones), else DefaultRegion, else its language's. It is safe
// for concurrent use.
type Countries struct {
	Store callbackline.SettingsStore
	// Lines give the portal's caller IDs; nil = the portal has none.
	Lines *Lines
	// Policy is the operator's toll-fraud guard (number types and
	// countries).
	Policy phone.Policy
	// DefaultRegion is the operator's default_region; "" = the portal's
	// language.
	DefaultRegion string

	mu     sync.Mutex
	guards map[string]builtGuard // by member id
}

// builtGuard is a portal's guard and what it was built from.
type builtGuard struct {
	inputs, language string // SettingsStore.GuardInputs, the portal's language
	policy           phone.Policy
}

// hint is said when a number's country is refused.
const countriesHint = "an administrator of the portal can allow more countries on the application page"

// Guard returns the toll-fraud guard for the portal p: the operator's
// policy narrowed to the portal's countries, with its blocked numbers.
// Every request asks it, at intake and again before dialling: the guard
// is built once and kept while the settings it is made of
// (SettingsStore.GuardInputs, one read) and the portal's language stay
// the same, on this instance or changed by another.
func (c *Countries) Guard(ctx context.Context, p *callbackline.Portal) (phone.Policy, error) {
	inputs, err := c.Store.GuardInputs(ctx, p.MemberID)
	if err != nil {
		return phone.Policy{}, err
	}
	c.mu.Lock()
	g, ok := c.guards[p.MemberID]
	c.mu.Unlock()
	if ok && g.inputs == inputs && g.language == p.Language {
		return g.policy, nil
	}
	policy, err := c.build(ctx, p)
	if err != nil {
		return phone.Policy{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.guards == nil {
		c.guards = map[string]builtGuard{}
	}
	// Built from reads after inputs: a change in between is seen at the
	// next request, whose inputs differ.
	c.guards[p.MemberID] = builtGuard{inputs: inputs, language: p.Language, policy: policy}
	return policy, nil
}

// build makes the portal's guard from its settings.
func (c *Countries) build(ctx context.Context, p *callbackline.Portal) (phone.Policy, error) {
	codes, _, err := c.Allowed(ctx, p)
	if err != nil {
		return phone.Policy{}, err
	}
	policy := c.Policy.Only(codes, countriesHint)
	b, err := c.Store.BlockedNumbers(ctx, p.MemberID)
	switch {
	case err == nil:
		policy = policy.Block(b.Entries)
	case callbackline.ErrorCode(err) != callbackline.ENOTFOUND:
		return phone.Policy{}, err
	}
	return policy, nil
}

// Allowed returns the countries the portal p may dial, and whether they
// were chosen for it (false: its own country, or none when that is not
// known or the operator does not allow it).
func (c *Countries) Allowed(ctx context.Context, p *callbackline.Portal) (codes []string, chosen bool, err error) {
	st, err := c.Store.Countries(ctx, p.MemberID)
	switch {
	case err == nil:
		return c.Policy.Only(st.Codes, "").AllowedCountries, true, nil
	case callbackline.ErrorCode(err) != callbackline.ENOTFOUND:
		return nil, false, err
	}
	home, err := c.Home(ctx, p)
	if err != nil {
		return nil, false, err
	}
	if home == "" {
		return nil, false, nil
	}
	return c.Policy.Only([]string{home}, "").AllowedCountries, false, nil
}

// Home returns the portal's own country: its first caller ID's, else
// DefaultRegion, else its language's; "" when none is known.
func (c *Countries) Home(ctx context.Context, p *callbackline.Portal) (string, error) {
	if c.Lines != nil {
		own, err := c.Lines.Own(ctx, p.MemberID)
		if err != nil {
			return "", err
		}
		if len(own) == 0 {
			own = c.Lines.configured
		}
		for _, l := range own {
			if r := phone.RegionOf(l.CallerID); r != "" {
				return r, nil
			}
		}
	}
	if c.DefaultRegion != "" {
		return strings.ToUpper(c.DefaultRegion), nil
	}
	return phone.RegionForLanguage(p.Language), nil
}

// Check normalises the countries an administrator or the operator wants
// for a portal (upper case, duplicates dropped) and returns them; the
// error (EINVALID) names each code that is not an ISO 3166 alpha-2 code
// or that the operator's list does not hold. At least one is needed.
func (c *Countries) Check(codes []string) ([]string, error) {
	var out, bad, outside []string
	for _, code := range codes {
		code = strings.ToUpper(strings.TrimSpace(code))
		switch {
		case code == "" || slices.Contains(out, code):
		case !phone.ValidRegion(code):
			bad = append(bad, code)
		case !c.Policy.Allows(code):
			outside = append(outside, code)
		default:
			out = append(out, code)
		}
	}
	var why []string
	var problems []error
	say := func(code, text string, args ...string) {
		why = append(why, text)
		problems = append(problems, &callbackline.InputError{Code: code, Args: args, Text: text})
	}
	if len(bad) > 0 {
		say(callbackline.InputNotCountry, "not ISO 3166 alpha-2 country codes (e.g. DE, AT, US): "+strings.Join(bad, ", "), strings.Join(bad, ", "))
	}
	if len(outside) > 0 {
		allowed := strings.Join(c.Policy.AllowedCountries, ", ")
		say(callbackline.InputCountryOutside, fmt.Sprintf("%s: outside the countries this service allows (%s)",
			strings.Join(outside, ", "), allowed), strings.Join(outside, ", "), allowed)
	}
	if len(why) == 0 && len(out) == 0 {
		say(callbackline.InputNoCountry, "no country given; allow at least one (e.g. DE)")
	}
	if len(why) > 0 {
		return nil, callbackline.WrapError(errors.Join(problems...), callbackline.EINVALID, "%s", strings.Join(why, "; "))
	}
	return out, nil
}

// Operator returns the operator's list of countries; empty allows any.
func (c *Countries) Operator() []string { return slices.Clone(c.Policy.AllowedCountries) }
