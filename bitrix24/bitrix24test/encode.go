package bitrix24test

import (
	"net/url"
	"sort"
	"strings"
)

// Pair is one key and value of a form body. Keys carry PHP's bracket
// syntax already: "data[PHONE_NUMBER]", "auth[member_id]".
type Pair struct {
	Key, Value string
}

// Pairs is an ordered form body: the order Bitrix24 writes its fields in.
type Pairs []Pair

// P builds Pairs from alternating keys and values: P("A", "1", "B", "2").
// An odd last key gets the value "".
func P(kv ...string) Pairs {
	ps := make(Pairs, 0, (len(kv)+1)/2)
	for i := 0; i < len(kv); i += 2 {
		v := ""
		if i+1 < len(kv) {
			v = kv[i+1]
		}
		ps = append(ps, Pair{kv[i], v})
	}
	return ps
}

// PairsFromMap returns the map's entries ordered by key.
func PairsFromMap(m map[string]string) Pairs {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ps := make(Pairs, 0, len(m))
	for _, k := range keys {
		ps = append(ps, Pair{k, m[k]})
	}
	return ps
}

// Add appends a pair.
func (ps *Pairs) Add(key, value string) { *ps = append(*ps, Pair{key, value}) }

// Get returns the value of the first pair with the key.
func (ps Pairs) Get(key string) (string, bool) {
	for _, p := range ps {
		if p.Key == key {
			return p.Value, true
		}
	}
	return "", false
}

// Prefixed nests every key under prefix the way PHP does:
// "PHONE_NUMBER" → "data[PHONE_NUMBER]", "X[0][Y]" → "data[X][0][Y]".
func (ps Pairs) Prefixed(prefix string) Pairs {
	out := make(Pairs, 0, len(ps))
	for _, p := range ps {
		head, rest := p.Key, ""
		if i := strings.IndexByte(p.Key, '['); i > 0 {
			head, rest = p.Key[:i], p.Key[i:]
		}
		out = append(out, Pair{prefix + "[" + head + "]" + rest, p.Value})
	}
	return out
}

// Values returns the pairs as url.Values (the order is lost).
func (ps Pairs) Values() url.Values {
	v := url.Values{}
	for _, p := range ps {
		v.Add(p.Key, p.Value)
	}
	return v
}

// Encode writes the pairs as PHP's http_build_query does with its default
// PHP_QUERY_RFC1738 encoding: each key and value passes through urlencode(),
// so brackets become %5B and %5D, a space becomes '+', and every byte but
// ASCII letters, digits, '-', '_' and '.' is written as %XX in upper case
// ('~' too, unlike Go's url.QueryEscape). Pairs are joined by '&'.
func (ps Pairs) Encode() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(URLEncode(p.Key))
		b.WriteByte('=')
		b.WriteString(URLEncode(p.Value))
	}
	return b.String()
}

// URLEncode is PHP's urlencode().
func URLEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s) * 3 / 2)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
			b.WriteByte(c)
		case c == ' ':
			b.WriteByte('+')
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// BuildQuery is http_build_query for nested values as PHP arrays hold
// them: map[string]any (keys in sorted order), []any (keys 0, 1, …),
// Pairs (in order), and scalars. nil values and empty arrays vanish, true
// and false become "1" and "0", like in PHP.
func BuildQuery(v map[string]any) string {
	var ps Pairs
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		flatten(&ps, k, v[k])
	}
	return ps.Encode()
}

func flatten(ps *Pairs, key string, v any) {
	switch x := v.(type) {
	case nil:
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			flatten(ps, key+"["+k+"]", x[k])
		}
	case []any:
		for i, e := range x {
			flatten(ps, key+"["+itoa(int64(i))+"]", e)
		}
	case []string:
		for i, e := range x {
			flatten(ps, key+"["+itoa(int64(i))+"]", e)
		}
	case Pairs:
		for _, p := range x {
			flatten(ps, key+"["+p.Key+"]", p.Value)
		}
	default:
		ps.Add(key, scalarString(x))
	}
}
