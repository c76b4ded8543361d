package config

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// redactedText replaces a secret that is set.
const redactedText = "[redacted]"

// Redacted returns a copy of c with every secret (client_secret,
// admin_token, encryption_key, the password of a database URL, and any
// field tagged `secret:"true"`, in lists too) replaced by "[redacted]"; a
// secret that is not set stays "".
func (c *Config) Redacted() *Config {
	r := *c
	redact(reflect.ValueOf(&r).Elem())
	r.Database = redactURL(r.Database)
	return &r
}

// redact replaces the secrets in v, a copy: slices are copied before
// their elements change, so the original keeps its values.
func redact(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := v.Field(i)
			if !t.Field(i).IsExported() {
				continue
			}
			if isSecret(t, t.Field(i)) && f.Kind() == reflect.String {
				if f.String() != "" {
					f.SetString(redactedText)
				}
				continue
			}
			redact(f)
		}
	case reflect.Slice:
		if v.IsNil() {
			return
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		reflect.Copy(c, v)
		v.Set(c)
		for i := range c.Len() {
			redact(c.Index(i))
		}
	}
}

// String renders c as YAML without secrets: a file Load reads back.
func (c Config) String() string {
	out, err := yaml.Marshal(render(reflect.ValueOf(c.Redacted()).Elem(), false))
	if err != nil {
		return "config: " + err.Error()
	}
	return string(out)
}

// Format prints c as String does, whatever the verb (%v, %+v, %#v, %d, …),
// so that no verb prints a secret.
func (c Config) Format(f fmt.State, _ rune) { fmt.Fprint(f, c.String()) }

// LogValue logs c without secrets, one attribute per key.
func (c Config) LogValue() slog.Value { return logValue(reflect.ValueOf(c.Redacted()).Elem()) }

// MarshalJSON encodes c without secrets.
func (c Config) MarshalJSON() ([]byte, error) {
	return marshalJSON(reflect.ValueOf(c.Redacted()).Elem())
}

// redacted returns a copy of b without its secret.
func (b Bitrix24) redacted() Bitrix24 {
	redact(reflect.ValueOf(&b).Elem())
	return b
}

// String renders b as YAML without the client secret.
func (b Bitrix24) String() string {
	out, err := yaml.Marshal(render(reflect.ValueOf(b.redacted()), false))
	if err != nil {
		return "config: " + err.Error()
	}
	return string(out)
}

// Format prints b as String does, whatever the verb.
func (b Bitrix24) Format(f fmt.State, _ rune) { fmt.Fprint(f, b.String()) }

// LogValue logs b without the client secret.
func (b Bitrix24) LogValue() slog.Value { return logValue(reflect.ValueOf(b.redacted())) }

// MarshalJSON encodes b without the client secret.
func (b Bitrix24) MarshalJSON() ([]byte, error) { return marshalJSON(reflect.ValueOf(b.redacted())) }

// render builds the YAML of a configuration value.
func render(v reflect.Value, bytes bool) *yaml.Node {
	switch {
	case v.Kind() == reflect.Struct:
		n := &yaml.Node{Kind: yaml.MappingNode}
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			name := yamlName(sf)
			if name == "" {
				continue
			}
			n.Content = append(n.Content,
				&yaml.Node{Kind: yaml.ScalarNode, Value: name},
				render(v.Field(i), sf.Tag.Get("unit") == "bytes"))
		}
		return n
	case (v.Kind() == reflect.Pointer || v.Kind() == reflect.Slice) && v.IsNil():
		// Not set: null, which Load reads as "keep the default".
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "~"}
	case v.Kind() == reflect.Pointer:
		return render(v.Elem(), bytes)
	case v.Kind() == reflect.Slice:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		if v.Type().Elem().Kind() != reflect.Struct {
			n.Style = yaml.FlowStyle
		}
		for i := range v.Len() {
			n.Content = append(n.Content, render(v.Index(i), false))
		}
		return n
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Value: formatText(v, bytes)}
	if v.Kind() == reflect.String {
		n.SetString(v.String()) // quoted when it would read as something else
	}
	return n
}

func logValue(v reflect.Value) slog.Value {
	var attrs []slog.Attr
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name := yamlName(sf)
		fv := v.Field(i)
		if fv.Kind() == reflect.Pointer && !fv.IsNil() {
			fv = fv.Elem()
		}
		switch {
		case name == "":
		case fv.Kind() == reflect.Struct:
			attrs = append(attrs, slog.Attr{Key: name, Value: logValue(fv)})
		case fv.Kind() == reflect.Slice:
			var items any
			if err := render(fv, false).Decode(&items); err != nil {
				items = err.Error()
			}
			attrs = append(attrs, slog.Any(name, items))
		default:
			attrs = append(attrs, slog.String(name, formatText(fv, sf.Tag.Get("unit") == "bytes")))
		}
	}
	return slog.GroupValue(attrs...)
}

func marshalJSON(v reflect.Value) ([]byte, error) {
	var m map[string]any
	if err := render(v, false).Decode(&m); err != nil {
		return nil, err
	}
	return json.Marshal(m)
}
