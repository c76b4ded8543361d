package web

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/callbackline/callbackline/sip"
)

// The form fields of a portal's own SIP account on the app page.
const (
	fieldRegistrar = "registrar"
	fieldProxy     = "proxy"
	fieldUsername  = "username"
	fieldPassword  = "password"
	fieldCallerIDs = "caller_ids"
	fieldTransport = "transport"
	fieldCheck     = "check" // "register" (default) or "options"
)

// maxTrunkField bounds each field before it is looked at.
const maxTrunkField = 1024

// parseTrunkForm reads a portal's own SIP account from the app page's
// form and checks it (sip.Account.Validate); allow are the networks its
// servers may be in besides the public internet. Caller IDs are
// separated by commas, spaces or line breaks; spaces, dashes and
// parentheses inside a number are dropped. The error is an *sip.Error of
// KindInvalid naming the form field.
func parseTrunkForm(f url.Values, allow []netip.Prefix) (sip.Account, error) {
	get := func(k string) string {
		v := f.Get(k)
		if len(v) > maxTrunkField {
			v = v[:maxTrunkField]
		}
		return v
	}
	a := sip.Account{
		Registrar: strings.TrimSpace(get(fieldRegistrar)),
		Proxy:     strings.TrimSpace(get(fieldProxy)),
		Username:  strings.TrimSpace(get(fieldUsername)),
		Password:  get(fieldPassword),
		Transport: strings.ToLower(strings.TrimSpace(get(fieldTransport))),
		Register:  strings.TrimSpace(get(fieldCheck)) != "options",
	}
	for _, n := range strings.FieldsFunc(get(fieldCallerIDs), func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' }) {
		n = strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '-' || r == '(' || r == ')' || r == '.' {
				return -1
			}
			return r
		}, n)
		if n != "" {
			a.CallerIDs = append(a.CallerIDs, n)
		}
	}
	if err := a.Validate(allow); err != nil {
		return sip.Account{}, err
	}
	return a, nil
}
