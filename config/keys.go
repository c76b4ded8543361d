package config

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// field is one key of the configuration, found from the yaml tags.
type field struct {
	key    string // dotted path: "intake.dedup_window"
	env    string // CALLBACKLINE_INTAKE_DEDUP_WINDOW
	index  []int  // reflect index path into Config
	typ    reflect.Type
	secret bool // never shown: `secret:"true"`
	bytes  bool // a size in bytes: `unit:"bytes"`
	// fileOnly is a list of mappings (sip.trunks): no variable sets it.
	fileOnly bool
}

const envPrefix = "CALLBACKLINE_"

var durationType = reflect.TypeFor[time.Duration]()

// fields lists every key of Config in declaration order.
var fields = sync.OnceValue(func() []field { return collect(reflect.TypeFor[Config](), "", nil) })

func collect(t reflect.Type, prefix string, index []int) []field {
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		name := yamlName(sf)
		if name == "" {
			continue
		}
		idx := append(slices.Clone(index), i)
		if sf.Type.Kind() == reflect.Struct {
			out = append(out, collect(sf.Type, prefix+name+".", idx)...)
			continue
		}
		key := prefix + name
		out = append(out, field{
			key:      key,
			env:      envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_")),
			index:    idx,
			typ:      sf.Type,
			secret:   isSecret(t, sf),
			bytes:    sf.Tag.Get("unit") == "bytes",
			fileOnly: sf.Type.Kind() == reflect.Slice && sf.Type.Elem().Kind() == reflect.Struct && sf.Type != reflect.TypeFor[[]Line](),
		})
	}
	return out
}

func yamlName(sf reflect.StructField) string {
	name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
	if name == "-" || !sf.IsExported() {
		return ""
	}
	return name
}

// Keys returns every configuration key ("listen", "bitrix24.client_id",
// …) in the order of Config. A list of mappings (lines, sip.trunks) is
// one key.
func Keys() []string {
	var out []string
	for _, f := range fields() {
		out = append(out, f.key)
	}
	return out
}

// EnvName returns the environment variable of a key:
// "intake.dedup_window" → "CALLBACKLINE_INTAKE_DEDUP_WINDOW".
func EnvName(key string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// parseText turns the text of a value (an environment variable or a YAML
// scalar) into a value of type t; problem says what is wrong for a person.
func parseText(t reflect.Type, bytes, secret bool, s string) (v reflect.Value, problem string) {
	s = strings.TrimSpace(s)
	switch {
	case t.Kind() == reflect.Pointer:
		v, problem := parseText(t.Elem(), bytes, secret, s)
		if problem != "" {
			return v, problem
		}
		p := reflect.New(t.Elem())
		p.Elem().Set(v)
		return p, ""
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Struct:
		items := splitList(s)
		out := reflect.MakeSlice(t, 0, len(items))
		for _, item := range items {
			v, problem := parseText(t.Elem(), bytes, secret, item)
			if problem != "" {
				return v, problem
			}
			out = reflect.Append(out, v)
		}
		return out, ""
	case t == reflect.TypeFor[[]Line]():
		lines := []Line{}
		for _, item := range splitList(s) {
			number, name, _ := strings.Cut(item, "=")
			lines = append(lines, Line{Number: strings.TrimSpace(number), Name: strings.TrimSpace(name)})
		}
		return reflect.ValueOf(lines), ""
	}
	shown := strconv.Quote(s)
	if secret {
		shown = "the value"
	}
	return parseScalar(t, bytes, shown, s)
}

// parseScalar is parseText for a single value; shown is how a problem
// names it.
func parseScalar(t reflect.Type, bytes bool, shown, s string) (v reflect.Value, problem string) {
	switch {
	case t == durationType:
		d, err := time.ParseDuration(s)
		if err != nil {
			return v, shown + " is not a duration (e.g. 10m)"
		}
		return reflect.ValueOf(d), ""
	case t.Kind() == reflect.String:
		return reflect.ValueOf(s).Convert(t), ""
	case t.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return v, shown + " is not true or false"
		}
		return reflect.ValueOf(b), ""
	case t.Kind() == reflect.Int64 && bytes:
		n, ok := parseSize(s)
		if !ok {
			return v, shown + " is not a size (e.g. 65536, 64KiB, 1MiB)"
		}
		return reflect.ValueOf(n), ""
	case t.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return v, shown + " is not a whole number (e.g. 42)"
		}
		return reflect.ValueOf(n).Convert(t), ""
	case t.Kind() == reflect.Int:
		n, err := strconv.Atoi(s)
		if err != nil {
			return v, shown + " is not a whole number (e.g. 3)"
		}
		return reflect.ValueOf(n), ""
	case t.Kind() == reflect.Float64:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return v, shown + " is not a number (e.g. 2 or 0.5)"
		}
		return reflect.ValueOf(f), ""
	}
	panic(fmt.Sprintf("config: no parser for %v", t)) // a new field type needs a case here
}

// formatText is the inverse of parseText, for rendering.
func formatText(v reflect.Value, bytes bool) string {
	switch {
	case v.Kind() == reflect.Pointer && v.IsNil():
		return ""
	case v.Kind() == reflect.Pointer:
		return formatText(v.Elem(), bytes)
	case v.Type() == durationType:
		return formatDuration(time.Duration(v.Int()))
	case v.Kind() == reflect.Int64 && bytes:
		return formatSize(v.Int())
	case v.Kind() == reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, 64)
	}
	return fmt.Sprint(v.Interface())
}

// formatDuration writes 10m rather than 10m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	out := []string{}
	for item := range strings.SplitSeq(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

var sizeUnits = []struct {
	suffix string
	factor int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"kb", 1 << 10}, {"mb", 1 << 20},
	{"k", 1 << 10}, {"m", 1 << 20}, {"b", 1},
}

// parseSize reads a byte count: 65536, 64KiB, 64 KiB, 64k, 1MiB (K and M
// are powers of 1024).
func parseSize(s string) (int64, bool) {
	t := strings.ToLower(strings.TrimSpace(s))
	factor := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.suffix) {
			t, factor = strings.TrimSpace(strings.TrimSuffix(t, u.suffix)), u.factor
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/factor {
		return 0, false
	}
	return n * factor, true
}

func formatSize(n int64) string {
	switch {
	case n != 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n != 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10)
}

// suggest returns the candidate closest to s when it is close enough to
// be a typo, else "".
func suggest(s string, candidates []string) string {
	best, bestD := "", 4
	for _, c := range candidates {
		if d := distance(strings.ToLower(s), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
