package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/callbackline/callbackline"
)

// PortalLines parses a portal's own lines (callbackline.Settings.Lines:
// the YAML of a `lines:` list, with the keys of callbackline.yaml's
// `lines:`) and returns them as the service's lines, their policies
// merged over this configuration's defaults.policy. What the portal's
// administrator writes stays within portal_limits, and a line shows only
// numbers the configuration gives the portal memberID (see Portal). Every
// problem is an *Error naming its key (lines[0].policy.client_attempts)
// and its line in the text; they come joined.
func (c *Config) PortalLines(memberID, text string) ([]callbackline.Line, error) {
	return c.PortalLinesFor(memberID, text, nil)
}

// PortalLinesFor is PortalLines where the portal's lines may also show
// the numbers of assigned: those the operator assigned to it over the API
// and its own SIP account's (callbackline.AssignedCallerIDs). The
// configuration's and these both count.
func (c *Config) PortalLinesFor(memberID, text string, assigned []string) ([]callbackline.Line, error) {
	const src = "settings"
	lines, errs := decodeLines(text, src)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sources := map[string]string{}
	bad := func(key, format string, args ...any) {
		errs = append(errs, newError(key, "", format, args))
	}
	switch {
	case len(lines) == 0:
		bad("lines", "are empty; give at least one line (- number: sales)", with(CodeLinesEmpty))
	case len(lines) > c.PortalLimits.Lines:
		bad("lines", "are %d; at most %d lines per portal (the operator's portal_limits.lines)", len(lines), c.PortalLimits.Lines,
			with(CodeTooManyLines, len(lines), c.PortalLimits.Lines))
	}
	for i := range lines {
		if p := lines[i].Policy.RingMode; p != nil {
			lines[i].Policy.RingMode = new(callbackline.RingMode(strings.ToLower(string(*p))))
		}
	}
	// The portal's lines are checked against the trunks that serve it
	// (their extension rules), as its calls are dialled.
	own := c.SIP.ForPortal(memberID)
	errs = append(errs, checkLines(lines, c.Defaults.Policy, &own, sources, bad)...)
	for i, l := range lines {
		c.checkPortalLine(memberID, assigned, fmt.Sprintf("lines[%d]", i), l, bad)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cc := *c
	cc.Lines, cc.SIP = lines, own
	return cc.DomainLines()
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
		return nil, []error{newError("lines", "", "is not valid YAML: %v", []any{err, with(CodeNotYAML, err)})}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, []error{&Error{Key: "lines", Problem: "hold more than one YAML document; keep one list", Code: CodeDocuments}}
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind == yaml.MappingNode && len(root.Content) == 2 && root.Content[0].Value == "lines" {
		root = root.Content[1] // "lines:" written out
	}
	if root.Kind != yaml.SequenceNode {
		return nil, []error{&Error{Key: "lines", Problem: "must be a list of lines (- number: sales)", Source: fmt.Sprintf("%s:%d", src, root.Line), Code: CodeNotList}}
	}
	d := &yamlDecoder{path: src, sources: map[string]string{}}
	var lines []Line
	d.decode(root, reflect.ValueOf(&lines).Elem(), "lines", false, false)
	return lines, d.errs
}
