package config

import (
	"os"
	"reflect"
	"regexp"
	"testing"
)

// TestExampleListsItemKeys: the keys inside the items of a list of
// mappings (lines, sip.trunks, sip.lines, portals, and what they nest,
// such as a trunk's caller_id) are not keys of their own in Keys, so
// TestExampleFile does not see them: each must still be in the example
// file, as a key or in the comment that shows an item, so that a key
// added to an item's struct is documented where the operator looks.
func TestExampleListsItemKeys(t *testing.T) {
	data, err := os.ReadFile("callbackline.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	items := 0
	for _, f := range fields() {
		if f.typ.Kind() != reflect.Slice || f.typ.Elem().Kind() != reflect.Struct {
			continue
		}
		items++
		for _, k := range itemKeys(f.typ.Elem()) {
			if !regexp.MustCompile(`(?m)^[\s#-]*` + regexp.QuoteMeta(k) + `:`).Match(data) {
				t.Errorf("callbackline.example.yaml does not show %s[].%s", f.key, k)
			}
		}
	}
	if items < 4 {
		t.Errorf("found %d lists of mappings, want lines, sip.trunks, sip.lines and portals", items)
	}
}

// itemKeys lists the yaml names of an item's fields and of the structs
// they nest; a policy's keys are those of defaults.policy, listed there.
func itemKeys(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		sf := t.Field(i)
		name := yamlName(sf)
		if name == "" {
			continue
		}
		out = append(out, name)
		if sf.Type.Kind() == reflect.Struct && name != "policy" {
			out = append(out, itemKeys(sf.Type)...)
		}
	}
	return out
}
