package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DefaultPath is the file Load reads when given no path, if it exists.
const DefaultPath = "callbackline.yaml"

// PathEnv names the file to read when Load gets no path; it must exist.
const PathEnv = "CALLBACKLINE_CONFIG"

// maxFile bounds the configuration file.
const maxFile = 1 << 20

// Load returns the configuration: Default, then the YAML file, then the
// CALLBACKLINE_* variables of env (os.Environ() form, "NAME=value").
//
// path "" reads $CALLBACKLINE_CONFIG when set, else ./callbackline.yaml
// when it exists, else nothing. A named file must exist. Unknown keys in
// the file and CALLBACKLINE_* variables that name no key are errors
// (CALLBACKLINE_CONFIG and CALLBACKLINE_TEST_* excepted). The result is
// validated; all problems come back at once, joined, each an *Error.
func Load(path string, env []string) (*Config, error) {
	vars := environ(env)
	explicit := path != ""
	if !explicit {
		if v, ok := vars[PathEnv]; ok && v != "" {
			path, explicit = v, true
		} else {
			path = DefaultPath
		}
	}
	c := Default()
	sources := map[string]string{}
	data, err := readFile(path)
	switch {
	case err == nil:
	case !explicit && errors.Is(err, fs.ErrNotExist):
		data = nil // run on defaults
	default:
		return nil, err
	}
	var errs []error
	if data != nil {
		errs = append(errs, decodeYAML(c, data, path, sources)...)
	}
	errs = append(errs, applyEnv(c, vars, sources)...)
	c.normalize()
	c.derivePaths(sources)
	errs = append(errs, c.validate(sources)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &wrapped{&Error{Problem: fmt.Sprintf("the configuration file %s does not exist; create it (see config/callbackline.example.yaml) or name none to run on defaults", path)}, err}
	}
	if err != nil {
		return nil, &Error{Problem: fmt.Sprintf("cannot read the configuration file: %v", err)}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, &Error{Problem: fmt.Sprintf("cannot read the configuration file: %v", err)}
	}
	if len(data) > maxFile {
		return nil, &Error{Problem: fmt.Sprintf("the configuration file %s is larger than %s; is it the right file?", path, formatSize(maxFile))}
	}
	return data, nil
}

// wrapped is an *Error that also matches its cause with errors.Is.
type wrapped struct {
	err   *Error
	cause error
}

func (w *wrapped) Error() string   { return w.err.Error() }
func (w *wrapped) Unwrap() []error { return []error{w.err, w.cause} }

// environ keeps the CALLBACKLINE_* variables of env; a later one wins.
func environ(env []string) map[string]string {
	vars := map[string]string{}
	for _, kv := range env {
		name, value, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(name, envPrefix) {
			vars[name] = value
		}
	}
	return vars
}

// applyEnv sets the keys named by CALLBACKLINE_* variables.
func applyEnv(c *Config, vars map[string]string, sources map[string]string) []error {
	byEnv := map[string]field{}
	var names []string
	for _, f := range fields() {
		byEnv[f.env] = f
		names = append(names, f.env)
	}
	var errs []error
	keys := make([]string, 0, len(vars))
	for name := range vars {
		keys = append(keys, name)
	}
	slices.Sort(keys)
	for _, name := range keys {
		f, ok := byEnv[name]
		if !ok {
			if name == PathEnv || strings.HasPrefix(name, envPrefix+"TEST_") {
				continue
			}
			problem := name + " names no configuration key"
			if s := suggest(name, names); s != "" {
				problem += "; did you mean " + s + "?"
			} else {
				problem += "; see config/callbackline.example.yaml for the keys"
			}
			errs = append(errs, &Error{Problem: problem})
			continue
		}
		if f.fileOnly {
			errs = append(errs, &Error{Key: f.key, Problem: name + " cannot be set in the environment: " + f.key + " is a list of mappings; write it in the configuration file", Source: name})
			continue
		}
		v, problem := parseText(f.typ, f.bytes, f.secret, vars[name])
		if problem != "" {
			errs = append(errs, &Error{Key: f.key, Problem: problem, Source: name})
			continue
		}
		reflect.ValueOf(c).Elem().FieldByIndex(f.index).Set(v)
		sources[f.key] = name
	}
	return errs
}

// decodeYAML sets the keys the file names. It walks the YAML tree itself,
// so that every problem names its key and line.
func decodeYAML(c *Config, data []byte, path string, sources map[string]string) []error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil // an empty file
		}
		return []error{&Error{Problem: fmt.Sprintf("%s is not valid YAML: %v", path, err)}}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return []error{&Error{Problem: fmt.Sprintf("%s holds more than one YAML document; keep one", path)}}
	}
	d := &yamlDecoder{path: path, sources: sources}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	d.decode(root, reflect.ValueOf(c).Elem(), "", false, false)
	return d.errs
}

type yamlDecoder struct {
	path    string
	sources map[string]string
	errs    []error
}

func (d *yamlDecoder) where(n *yaml.Node) string { return fmt.Sprintf("%s:%d", d.path, n.Line) }

func (d *yamlDecoder) fail(key string, n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, newError(key, d.where(n), format, args))
}

// decode sets v from n. key is v's dotted path ("" for the root).
func (d *yamlDecoder) decode(n *yaml.Node, v reflect.Value, key string, bytes, secret bool) {
	n = unalias(n)
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" {
		return // no value: keep the default
	}
	switch {
	case v.Kind() == reflect.Struct:
		if n.Kind != yaml.MappingNode {
			d.fail(key, n, "must be a mapping of keys (key: value)", with(CodeNotMapping))
			return
		}
		d.mapping(n, v, key)
	case v.Kind() == reflect.Pointer:
		d.pointer(n, v, key, bytes, secret)
	case v.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		d.sequence(n, v, key, bytes, secret)
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct && v.Type() != reflect.TypeFor[[]Line]():
		d.fail(key, n, "must be a list of mappings (- name: …)", with(CodeNotMappings))
	case n.Kind == yaml.ScalarNode:
		val, problem := parseText(v.Type(), bytes, secret, n.Value)
		if problem != "" {
			d.fail(key, n, "%s", problem, parseCode(v.Type(), bytes, secret, n.Value))
			return
		}
		v.Set(val)
		d.sources[key] = d.where(n)
	default:
		d.fail(key, n, "must be a single value%s", map[bool]string{true: " or a list", false: ""}[v.Kind() == reflect.Slice], with(CodeNotValue))
	}
}

// unalias follows an alias (*name) to its node, at most 16 deep.
func unalias(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 16; i++ {
		n = n.Alias
	}
	return n
}

// pointer sets the pointer v from n; it stays as it was when n is not
// valid.
func (d *yamlDecoder) pointer(n *yaml.Node, v reflect.Value, key string, bytes, secret bool) {
	p := reflect.New(v.Type().Elem())
	if !v.IsNil() {
		p.Elem().Set(v.Elem())
	}
	before := len(d.errs)
	d.decode(n, p.Elem(), key, bytes, secret)
	if len(d.errs) == before {
		v.Set(p)
	}
}

// sequence sets the slice v from the YAML list n, whole or not at all.
func (d *yamlDecoder) sequence(n *yaml.Node, v reflect.Value, key string, bytes, secret bool) {
	items := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	before := len(d.errs)
	for i, item := range n.Content {
		ik := fmt.Sprintf("%s[%d]", key, i)
		if v.Type().Elem().Kind() == reflect.Struct {
			d.decode(item, items.Index(i), ik, false, false)
			continue
		}
		item = unalias(item)
		if item.Kind != yaml.ScalarNode {
			d.fail(ik, item, "must be a single value, not a list or mapping", with(CodeNotValue))
			continue
		}
		val, problem := parseText(v.Type().Elem(), bytes, secret, item.Value)
		if problem != "" {
			d.fail(key, item, "%s", problem, parseCode(v.Type().Elem(), bytes, secret, item.Value))
			continue
		}
		items.Index(i).Set(val)
	}
	if len(d.errs) == before {
		v.Set(items)
		d.sources[key] = d.where(n)
	}
}

func (d *yamlDecoder) mapping(n *yaml.Node, v reflect.Value, key string) {
	prefix := ""
	if key != "" {
		prefix = key + "."
	}
	t := v.Type()
	var known []string
	byName := map[string]int{}
	for i := range t.NumField() {
		if name := yamlName(t.Field(i)); name != "" {
			byName[name] = i
			known = append(known, name)
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		name := k.Value
		if line, dup := seen[name]; dup {
			d.fail(prefix+name, k, "is given twice (first at line %d)", line, with(CodeTwice, line))
			continue
		}
		seen[name] = k.Line
		idx, ok := byName[name]
		if !ok {
			problem, code := "is not a known key", with(CodeUnknownKeyHere, strings.Join(known, ", "))
			if s := suggest(name, known); s != "" {
				problem += "; did you mean " + prefix + s + "?"
				code = with(CodeUnknownKey, prefix+s)
			} else {
				where := "here"
				if key != "" {
					where = "in " + key
				}
				problem += "; known " + where + ": " + strings.Join(known, ", ")
			}
			d.fail(prefix+name, k, "%s", problem, code)
			continue
		}
		sf := t.Field(idx)
		d.decode(val, v.Field(idx), prefix+name, sf.Tag.Get("unit") == "bytes", isSecret(t, sf))
	}
}
