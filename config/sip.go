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

// checkSIP validates the sip section with sip.Config.Validate, its
// problem as an *Error under the key the sip package names ("sip.…").
func checkSIP(s sip.Config, bad func(key, format string, args ...any)) {
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
