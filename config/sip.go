package config

import (
	"errors"
	"reflect"
	"strings"

	"github.com/callbackline/callbackline/sip"
)

// secretFields are secrets in types of other packages, which carry no
// `secret:"true"` tag: redaction and messages treat them as tagged.
var secretFields = map[reflect.Type]map[string]bool{
	reflect.TypeFor[sip.Trunk](): {"Password": true},
}

// isSecret reports whether field sf of struct type t holds a secret.
func isSecret(t reflect.Type, sf reflect.StructField) bool {
	return sf.Tag.Get("secret") == "true" || secretFields[t][sf.Name]
}

// placeholderTrunk stands in for the missing trunk while the rest of the
// sip section is validated: a service without a trunk starts (its worker
// cannot dial, which readyz reports), so no trunk is not a configuration
// error.
var placeholderTrunk = sip.Trunk{
	Name:     "\x00none",
	Employee: "sip:{extension}@placeholder.invalid",
	Client:   "sip:{number}@placeholder.invalid",
}

// checkSIP validates the sip section with sip.Config.Validate, its
// problem as an *Error under the key the sip package names ("sip.…").
func checkSIP(s sip.Config, bad func(key, format string, args ...any)) {
	if len(s.Trunks) == 0 {
		s.Trunks = []sip.Trunk{placeholderTrunk}
	}
	err := s.Validate()
	if err == nil {
		return
	}
	var e *sip.Error
	if !errors.As(err, &e) || e.Field == "" {
		bad("sip", "%v", err)
		return
	}
	key := e.Field
	if !strings.HasPrefix(key, "sip") {
		key = "sip." + key
	}
	problem := e.Reason
	if e.Err != nil {
		problem += ": " + e.Err.Error()
	}
	bad(key, "%s", problem)
}
