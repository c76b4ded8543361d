package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/callbackline/callbackline"
)

// Bounds of a portal's own lines (callbackline.Settings): an
// administrator of one portal sets them, so they may not stretch one
// job past what the operator's queue settings allow (see PortalBound).
const (
	MaxPortalLines     = 20              // lines a portal may have
	MaxPortalEmployees = 10              // employees on one line
	MaxPortalRing      = 2 * time.Minute // longest ring timeout, employee or client
)

// PortalLines parses a portal's own lines (callbackline.Settings.Lines:
// the YAML of a `lines:` list, with the keys of callbackline.yaml's
// `lines:`) and returns them as the service's lines, their policies
// merged over this configuration's defaults.policy. Every problem is an
// *Error naming its key (lines[0].policy.client_attempts) and its line
// in the text; they come joined.
func (c *Config) PortalLines(text string) ([]callbackline.Line, error) {
	const src = "settings"
	lines, errs := decodeLines(text, src)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sources := map[string]string{}
	bad := func(key, format string, args ...any) {
		errs = append(errs, &Error{Key: key, Problem: fmt.Sprintf(format, args...)})
	}
	switch {
	case len(lines) == 0:
		bad("lines", "are empty; give at least one line (- number: sales)")
	case len(lines) > MaxPortalLines:
		bad("lines", "are %d; at most %d lines per portal", len(lines), MaxPortalLines)
	}
	for i := range lines {
		if p := lines[i].Policy.RingMode; p != nil {
			lines[i].Policy.RingMode = new(callbackline.RingMode(strings.ToLower(string(*p))))
		}
	}
	errs = append(errs, checkLines(lines, c.Defaults.Policy, sources, bad)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cc := *c
	cc.Lines = lines
	out, err := cc.DomainLines()
	if err != nil {
		return nil, err
	}
	longest := c.longestCall()
	for i, l := range out {
		key := fmt.Sprintf("lines[%d]", i)
		if n := len(l.Employees); n > MaxPortalEmployees {
			bad(key+".employees", "are %d; at most %d per line", n, MaxPortalEmployees)
		}
		if l.Policy.EmployeeRingTimeout > MaxPortalRing {
			bad(key+".policy.employee_ring_timeout", "is %s; at most %s", formatDuration(l.Policy.EmployeeRingTimeout), formatDuration(MaxPortalRing))
		}
		if l.Policy.ClientRingTimeout > MaxPortalRing {
			bad(key+".policy.client_ring_timeout", "is %s; at most %s", formatDuration(l.Policy.ClientRingTimeout), formatDuration(MaxPortalRing))
		}
		if l.Policy.MaxCallLength > longest {
			bad(key+".policy.max_call_length", "is %s; this service allows at most %s (its operator sets it in defaults.policy)",
				formatDuration(l.Policy.MaxCallLength), formatDuration(longest))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// PortalBound is the longest line a portal's own settings can make: the
// queue's job timeout and stuck-job rescue must allow for it.
func (c *Config) PortalBound() callbackline.Line {
	p := callbackline.DefaultPolicy()
	p.EmployeeRingTimeout, p.ClientRingTimeout, p.MaxCallLength = MaxPortalRing, MaxPortalRing, c.longestCall()
	return callbackline.Line{Number: "portal bound", Employees: make([]int64, MaxPortalEmployees), Policy: p}
}

// longestCall is the longest max_call_length of the configured lines and
// defaults: the most a portal's own line may set.
func (c *Config) longestCall() time.Duration {
	longest := callbackline.DefaultPolicy().MaxCallLength
	if d := c.Defaults.Policy.MaxCallLength; d != nil {
		longest = *d
	}
	for _, l := range c.Lines {
		if d := l.Policy.MaxCallLength; d != nil {
			longest = max(longest, *d)
		}
	}
	return longest
}

// FormatLines writes lines as the YAML a portal's settings hold (what the
// app page shows before a portal has lines of its own): keys left unset
// are left out, durations read 30s, 10m, 1h.
func FormatLines(lines []Line) (string, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(node(reflect.ValueOf(lines))); err != nil {
		return "", err
	}
	if err := enc.Close(); err != nil {
		return "", err
	}
	return b.String(), nil
}

// node is v as a YAML node with the keys of the configuration; nil for
// what is unset (nil, empty, zero).
func node(v reflect.Value) *yaml.Node {
	switch {
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			return nil
		}
		return node(v.Elem())
	case v.Kind() == reflect.Struct:
		m := &yaml.Node{Kind: yaml.MappingNode}
		for i := range v.NumField() {
			name := yamlName(v.Type().Field(i))
			if name == "" {
				continue
			}
			if n := node(v.Field(i)); n != nil {
				m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: name}, n)
			}
		}
		if len(m.Content) == 0 {
			return nil
		}
		return m
	case v.Kind() == reflect.Slice:
		if v.Len() == 0 {
			return nil
		}
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		if v.Type().Elem().Kind() != reflect.Struct {
			seq.Style = yaml.FlowStyle
		}
		for i := range v.Len() {
			if n := node(v.Index(i)); n != nil {
				seq.Content = append(seq.Content, n)
			} else {
				seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.MappingNode})
			}
		}
		return seq
	case v.IsZero() && v.Kind() != reflect.Bool:
		return nil
	}
	n := &yaml.Node{Kind: yaml.ScalarNode}
	n.SetString(formatText(v, false))
	if v.Kind() != reflect.String {
		n.Tag, n.Style = "", 0 // numbers and booleans unquoted
		n.Value = formatText(v, false)
	}
	return n
}

// decodeLines decodes the YAML of a `lines:` list, naming each problem's
// key and line.
func decodeLines(text, src string) ([]Line, []error) {
	dec := yaml.NewDecoder(strings.NewReader(text))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, []error{&Error{Key: "lines", Problem: fmt.Sprintf("is not valid YAML: %v", err)}}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, []error{&Error{Key: "lines", Problem: "hold more than one YAML document; keep one list"}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.MappingNode && len(root.Content) == 2 && root.Content[0].Value == "lines" {
		root = root.Content[1] // "lines:" written out
	}
	if root.Kind != yaml.SequenceNode {
		return nil, []error{&Error{Key: "lines", Problem: "must be a list of lines (- number: sales)", Source: fmt.Sprintf("%s:%d", src, root.Line)}}
	}
	d := &yamlDecoder{path: src, sources: map[string]string{}}
	var lines []Line
	d.decode(root, reflect.ValueOf(&lines).Elem(), "lines", false, false)
	return lines, d.errs
}
