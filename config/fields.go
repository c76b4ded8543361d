package config

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// LineFields are one line's keys as a form holds them: the key's path
// ("name", "policy.client_attempts") and its text; a list's path ends in
// "[]" ("employees[]", "policy.hours.monday[]") and holds one text per
// item. A key left out, or empty, is unset (the default applies).
type LineFields = map[string][]string

// FieldsOf reads the YAML of a portal's lines (as PortalLines takes it)
// into each line's fields, the keys it sets only. Its error names the key
// at fault, as PortalLines does, when the text cannot be read.
func FieldsOf(text string) ([]LineFields, error) {
	lines, errs := decodeLines(text, "settings")
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	out := make([]LineFields, len(lines))
	for i := range lines {
		out[i] = LineFields{}
		flatten(reflect.ValueOf(lines[i]), "", out[i])
	}
	return out, nil
}

// flatten puts the keys v sets into f under prefix.
func flatten(v reflect.Value, prefix string, f LineFields) {
	for i := range v.NumField() {
		name := yamlName(v.Type().Field(i))
		if name == "" {
			continue
		}
		fv, key := v.Field(i), prefix+name
		switch {
		case fv.Kind() == reflect.Struct && fv.Type() != durationType:
			flatten(fv, key+".", f)
		case fv.Kind() == reflect.Slice:
			for j := range fv.Len() {
				f[key+"[]"] = append(f[key+"[]"], formatText(fv.Index(j), false))
			}
		case fv.Kind() == reflect.Pointer && fv.IsNil(), fv.Kind() == reflect.String && fv.Len() == 0,
			fv.Kind() == reflect.Int64 && fv.Int() == 0:
		default:
			f[key] = []string{formatText(fv, false)}
		}
	}
}

// FieldsText writes lines given as fields as the YAML PortalLines reads,
// the keys in the order of callbackline.yaml's lines: a value that is
// empty, and a key the lines do not have, are left out. What the fields
// say is not checked here: PortalLines checks the text and names each key
// at fault.
func FieldsText(lines []LineFields) (string, error) {
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for i, f := range lines {
		for k, vs := range f {
			for _, v := range vs {
				if !utf8.ValidString(v) {
					return "", &Error{Key: fmt.Sprintf("lines[%d].%s", i, strings.TrimSuffix(k, "[]")), Problem: "is not valid UTF-8 text"}
				}
			}
		}
		m := fieldsNode(reflect.TypeFor[Line](), "", f)
		if m == nil {
			m = &yaml.Node{Kind: yaml.MappingNode}
		}
		seq.Content = append(seq.Content, m)
	}
	if len(seq.Content) == 0 {
		return "", nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(seq); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// fieldsNode is the mapping of the keys of type t that f sets under
// prefix; nil when it sets none.
func fieldsNode(t reflect.Type, prefix string, f LineFields) *yaml.Node {
	m := &yaml.Node{Kind: yaml.MappingNode}
	for i := range t.NumField() {
		name := yamlName(t.Field(i))
		if name == "" {
			continue
		}
		ft, key := t.Field(i).Type, prefix+name
		var n *yaml.Node
		switch {
		case ft.Kind() == reflect.Struct && ft != durationType:
			n = fieldsNode(ft, key+".", f)
		case ft.Kind() == reflect.Slice:
			n = listNode(f[key+"[]"], isText(ft.Elem()))
		case len(f[key]) > 0 && strings.TrimSpace(f[key][0]) != "":
			n = scalarNode(strings.TrimSpace(f[key][0]), isText(ft))
		}
		if n != nil {
			m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, n)
		}
	}
	if len(m.Content) == 0 {
		return nil
	}
	return m
}

// isText reports whether a key of type t holds text (else a number,
// duration or boolean).
func isText(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Kind() == reflect.String
}

// listNode is the flow sequence of the items that are not empty; nil
// without any.
func listNode(items []string, text bool) *yaml.Node {
	seq := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, it := range items {
		if it = strings.TrimSpace(it); it != "" {
			seq.Content = append(seq.Content, scalarNode(it, text))
		}
	}
	if len(seq.Content) == 0 {
		return nil
	}
	return seq
}

// scalarNode is s as YAML: text quoted only where YAML would read it as
// something else (0123, null, true); other values plain, as typed
// (PortalLines reads them), quoted only where YAML would read null or
// more than one value.
func scalarNode(s string, text bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode}
	if text {
		n.SetString(s)
		// Quoted the way the examples quote: in double quotes.
		out, err := yaml.Marshal(s)
		if err != nil || strings.ContainsAny(string(out[:1]), `'"`) || strings.ContainsAny(s, ":#,[]{}&*!|>%@`'\"") {
			n.Style = yaml.DoubleQuotedStyle
		}
		return n
	}
	n.Value = s
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil || v == nil {
		n.Tag = "!!str"
	}
	switch v.(type) {
	case map[string]any, []any:
		n.Tag = "!!str"
	}
	return n
}

// FieldKey is the key of a problem with a portal's lines as the line's
// fields name it: the line's index, the field's path and the problem
// ("lines[0].policy.client_attempts" → 0, "policy.client_attempts";
// "lines[1].employees[2]" → 1, "employees[]"); -1 and "" for a problem
// of all the lines, or an error that is neither an *Error nor one that
// names its key (Place, as callbackline.InputError does, its text
// beginning with the key).
func FieldKey(err error) (line int, key, problem string) {
	var e *Error
	if !errors.As(err, &e) {
		p, ok := errors.AsType[interface {
			error
			Place() (key, source string)
		}](err)
		if !ok {
			return -1, "", ""
		}
		k, _ := p.Place()
		e = &Error{Key: k, Problem: strings.TrimPrefix(p.Error(), k+": ")}
	}
	if !strings.HasPrefix(e.Key, "lines[") {
		return -1, "", ""
	}
	idx, rest, ok := strings.Cut(strings.TrimPrefix(e.Key, "lines["), "]")
	n, perr := strconv.Atoi(idx)
	if !ok || perr != nil || n < 0 || strings.Trim(idx, "0123456789") != "" {
		return -1, "", ""
	}
	rest = strings.TrimPrefix(rest, ".")
	if i := strings.Index(rest, "["); i >= 0 {
		rest = rest[:i]
	}
	if listKey(reflect.TypeFor[Line](), rest) {
		rest += "[]"
	}
	return n, rest, e.Problem
}

// listKey reports whether the key path names a list in t.
func listKey(t reflect.Type, path string) bool {
	name, rest, nested := strings.Cut(path, ".")
	for i := range t.NumField() {
		if yamlName(t.Field(i)) != name {
			continue
		}
		ft := t.Field(i).Type
		if nested {
			return ft.Kind() == reflect.Struct && listKey(ft, rest)
		}
		return ft.Kind() == reflect.Slice
	}
	return false
}
