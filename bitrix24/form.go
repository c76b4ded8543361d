package bitrix24

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"math"
	"strconv"
	"strings"

	"github.com/callbackline/callbackline"
)

// Limits of DecodeForm and DecodeJSONForm. A body over any of them is
// refused with an ETOOLARGE error that wraps the matching Err… value, so
// that a hostile body cannot make the decoder build a huge tree.
const (
	// MaxFormDepth is how many bracket levels a key may have below its
	// name: data[X][0][Y] has 3. PHP allows 64 (max_input_nesting_level);
	// Bitrix24 sends at most 3.
	MaxFormDepth = 32
	// MaxFormFields is how many fields (name=value pairs, or JSON scalars)
	// a body may have. The same as PHP's max_input_vars.
	MaxFormFields = 1000
	// MaxFormKeyLen is the longest name or bracketed key, in bytes after
	// percent-decoding.
	MaxFormKeyLen = 256
)

// Errors wrapped by the errors of DecodeForm and DecodeJSONForm; test them
// with errors.Is. The error itself is a *callbackline.Error with code
// ETOOLARGE for the limits and EINVALID for ErrFormSyntax.
var (
	ErrFormTooDeep       = errors.New("form nested too deeply")
	ErrFormTooManyFields = errors.New("too many form fields")
	ErrFormKeyTooLong    = errors.New("form key too long")
	ErrFormSyntax        = errors.New("malformed body")
)

// Form is a node of a decoded form body: either a leaf holding a string or
// a map from keys to child nodes that keeps the order in which the keys
// first appeared on the wire. The root that DecodeForm returns is always a
// map.
//
// A Form is read-only once decoded and safe for concurrent reads. Every
// method works on a nil *Form as on an empty map, so lookups chain without
// checks: ev.Data.Child("QUERY").Get("x").
type Form struct {
	key   string
	value string
	first *Form // first child, in wire order
	last  *Form // last child
	next  *Form // next sibling
	index map[string]*Form
	n     int
	isMap bool
	// hasInt and nextInt are PHP's nNextFreeElement: the key that a[]
	// appends next. hasInt is false until an integer key was inserted.
	hasInt  bool
	nextInt int64
}

// formIndexAt is the number of children at which a map starts keeping a hash
// index; below it a linear scan is faster.
const formIndexAt = 16

// DecodeForm decodes an application/x-www-form-urlencoded body the way PHP's
// parse_str does, into a tree: data%5BPHONE_NUMBER%5D=%2B49… becomes the
// leaf "+49…" under the key PHONE_NUMBER of the map under data.
//
// The rules, PHP's unless said otherwise:
//   - Fields are separated by "&" only (not ";"); empty fields are skipped.
//     A field without "=" has the empty value.
//   - Names and values are percent-decoded; "+" is a space; a "%" not
//     followed by two hex digits stays as it is.
//   - A key is a name followed by bracket groups: a[b][c]. The name is
//     the part before the first "["; each group is the text up to the next
//     "]", so a[b[c]] is the key "b[c" under a. Text after a closing
//     bracket that does not start another group is ignored: a[b]c is a[b],
//     a[b][c is a[b].
//   - a[] (or a[ ]) appends under the next integer key: one more than the
//     largest integer key so far, 0 in an empty map (PHP 8.3: after a[-5],
//     a[] is a[-4]). Integer keys are the canonical ones: "5", "-5", not
//     "05" or "+5". An append that would overflow is dropped, as in PHP.
//   - A repeated key keeps its first position and takes the last value.
//     That holds across kinds too: a=1&a[b]=2 makes a the map {b: 2};
//     a[b]=2&a=1 makes a the string "1".
//   - A field with an empty name (=x, [a]=x) is dropped.
//
// Unlike PHP, names are not mangled: PHP turns spaces and dots in a name
// into "_", strips leading spaces, and turns an unclosed "[" into "_"
// (a[b becomes a_b). Here the name is kept byte for byte, and a key whose
// first "[" is never closed is a plain name: a[b is the key "a[b".
//
// Errors: the limits MaxFormDepth, MaxFormFields and MaxFormKeyLen (code
// ETOOLARGE). Any other byte sequence decodes. The caller limits the size of
// the body.
func DecodeForm(body []byte) (*Form, error) {
	// Pass 1: percent-decode every field into one buffer (decoding never
	// makes text longer, so the buffer never grows), remembering where each
	// key and value lies.
	buf := make([]byte, 0, len(body))
	var spanStore [48]fieldSpan
	spans := spanStore[:0]
	nodes := 1
	for rest := body; len(rest) > 0; {
		var field []byte
		if i := bytes.IndexByte(rest, '&'); i >= 0 {
			field, rest = rest[:i], rest[i+1:]
		} else {
			field, rest = rest, nil
		}
		if len(field) == 0 {
			continue
		}
		if len(spans) == MaxFormFields {
			return nil, callbackline.WrapError(ErrFormTooManyFields, callbackline.ETOOLARGE,
				"the form has more than %d fields", MaxFormFields)
		}
		key, val := field, []byte(nil)
		if i := bytes.IndexByte(field, '='); i >= 0 {
			key, val = field[:i], field[i+1:]
		}
		start := len(buf)
		var groups int
		buf, groups = appendPHPUnescape(buf, key)
		keyEnd := len(buf)
		buf, _ = appendPHPUnescape(buf, val)
		spans = append(spans, fieldSpan{start, keyEnd, len(buf)})
		nodes += 1 + min(groups, MaxFormDepth+1)
	}
	text := string(buf)

	// Pass 2: build the tree. Nodes come from an arena sized for the worst
	// case (every path segment a new node), at most 256 at first.
	b := formBuilder{arena: make([]Form, 0, min(nodes, 256))}
	root := b.alloc()
	root.isMap = true
	var segStore [8]keySegment
	for _, sp := range spans {
		segs, err := splitKey(text[sp.start:sp.keyEnd], sp.start, segStore[:0])
		if err != nil {
			return nil, err
		}
		if len(segs) == 0 {
			continue
		}
		b.set(root, text, segs, text[sp.keyEnd:sp.end])
	}
	return root, nil
}

// fieldSpan locates one decoded field in the text of DecodeForm: the key is
// text[start:keyEnd], the value text[keyEnd:end].
type fieldSpan struct{ start, keyEnd, end int }

// keySegment is one part of a key: the name or a bracket group, as offsets in
// the decoded text. appendKey marks an empty group (a[]).
type keySegment struct {
	start, end int
	appendKey  bool
}

// splitKey splits the decoded key (which starts at offset base in the text)
// into its name and bracket groups. An empty name gives no segments.
func splitKey(key string, base int, segs []keySegment) ([]keySegment, error) {
	open := strings.IndexByte(key, '[')
	if open < 0 || strings.IndexByte(key[open+1:], ']') < 0 {
		// A plain name; an unclosed "[" is part of it.
		if len(key) > MaxFormKeyLen {
			return nil, formKeyTooLong(key)
		}
		if key == "" {
			return nil, nil
		}
		return append(segs, keySegment{start: base, end: base + len(key)}), nil
	}
	if open == 0 {
		return nil, nil
	}
	if open > MaxFormKeyLen {
		return nil, formKeyTooLong(key)
	}
	segs = append(segs, keySegment{start: base, end: base + open})
	for p := open; p < len(key) && key[p] == '['; {
		closing := strings.IndexByte(key[p+1:], ']')
		if closing < 0 {
			break // an unclosed group after a closed one is ignored (PHP)
		}
		inner := key[p+1 : p+1+closing]
		if len(segs) > MaxFormDepth {
			return nil, callbackline.WrapError(ErrFormTooDeep, callbackline.ETOOLARGE,
				"the form key %q has more than %d bracket levels", wireClip(key), MaxFormDepth)
		}
		if len(inner) > MaxFormKeyLen {
			return nil, formKeyTooLong(inner)
		}
		s := keySegment{start: base + p + 1, end: base + p + 1 + closing}
		if inner == "" || inner == " " {
			s.appendKey = true
		}
		segs = append(segs, s)
		p += closing + 2
	}
	return segs, nil
}

func formKeyTooLong(key string) error {
	return callbackline.WrapError(ErrFormKeyTooLong, callbackline.ETOOLARGE,
		"the form key %q… is longer than %d bytes", wireClip(key), MaxFormKeyLen)
}

// wireClip shortens text for an error message.
func wireClip(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

// formBuilder allocates nodes from arenas: one sized by the caller, then
// fresh chunks, so that a node never moves.
type formBuilder struct {
	arena []Form
}

func (b *formBuilder) alloc() *Form {
	if len(b.arena) == cap(b.arena) {
		b.arena = make([]Form, 0, max(16, cap(b.arena)))
	}
	b.arena = b.arena[:len(b.arena)+1]
	return &b.arena[len(b.arena)-1]
}

// set stores value at the path segs (offsets into text), creating and
// replacing nodes the way PHP does.
func (b *formBuilder) set(root *Form, text string, segs []keySegment, value string) {
	node := root
	for i, s := range segs {
		var child *Form
		if s.appendKey {
			key, ok := node.appendKey()
			if !ok {
				return
			}
			child = b.add(node, key)
		} else {
			key := text[s.start:s.end]
			if child = node.find(key); child == nil {
				child = b.add(node, key)
			}
		}
		if i == len(segs)-1 {
			child.setLeaf(value)
			return
		}
		if !child.isMap {
			child.setMap()
		}
		node = child
	}
}

// add appends a new child under key, which must not be there yet.
func (b *formBuilder) add(f *Form, key string) *Form {
	c := b.alloc()
	c.key = key
	if f.last == nil {
		f.first = c
	} else {
		f.last.next = c
	}
	f.last = c
	f.n++
	if f.index != nil {
		f.index[key] = c
	} else if f.n == formIndexAt {
		f.index = make(map[string]*Form, 2*formIndexAt)
		for x := f.first; x != nil; x = x.next {
			f.index[x.key] = x
		}
	}
	if v, ok := phpIntKey(key); ok && (!f.hasInt || v >= f.nextInt) {
		f.hasInt = true
		f.nextInt = v
		if v < math.MaxInt64 {
			f.nextInt = v + 1
		}
	}
	return c
}

// appendKey is the key that a[] would insert under f, or false when that
// key is taken (only after the key math.MaxInt64).
func (f *Form) appendKey() (string, bool) {
	var k int64
	if f.hasInt {
		k = f.nextInt
	}
	var key string
	if k >= 0 && k < int64(len(formSmallInts)) {
		key = formSmallInts[k]
	} else {
		key = strconv.FormatInt(k, 10)
	}
	return key, f.find(key) == nil
}

// formSmallInts avoids allocating the keys of short lists.
var formSmallInts = func() (s [64]string) {
	for i := range s {
		s[i] = strconv.Itoa(i)
	}
	return s
}()

// setLeaf makes f the leaf value, dropping any children.
func (f *Form) setLeaf(value string) {
	f.clear()
	f.isMap = false
	f.value = value
}

// setMap makes f an empty map (PHP replaces a string by a new array).
func (f *Form) setMap() {
	f.clear()
	f.isMap = true
	f.value = ""
}

func (f *Form) clear() {
	f.first, f.last, f.index, f.n, f.hasInt, f.nextInt = nil, nil, nil, 0, false, 0
}

// remove unlinks the child under key, if any.
func (f *Form) remove(key string) {
	var prev *Form
	for c := f.first; c != nil; prev, c = c, c.next {
		if c.key != key {
			continue
		}
		if prev == nil {
			f.first = c.next
		} else {
			prev.next = c.next
		}
		if f.last == c {
			f.last = prev
		}
		c.next = nil
		f.n--
		if f.index != nil {
			delete(f.index, key)
		}
		return
	}
}

// phpIntKey reports whether PHP treats the array key as an integer: a
// canonical decimal ("0", "17", "-3"; not "05", "+5", "-0") in int64 range.
func phpIntKey(s string) (int64, bool) {
	if s == "" || len(s) > 20 {
		return 0, false
	}
	d := s
	if d[0] == '-' {
		d = d[1:]
		if d == "" || d[0] == '0' {
			return 0, false
		}
	}
	if d[0] == '0' && len(d) > 1 {
		return 0, false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

// appendPHPUnescape appends the PHP-urldecoded src to dst and counts the "["
// it produced.
func appendPHPUnescape(dst, src []byte) ([]byte, int) {
	brackets := 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch {
		case c == '+':
			c = ' '
		case c == '%' && i+2 < len(src) && formIsHex(src[i+1]) && formIsHex(src[i+2]):
			c = formUnhex(src[i+1])<<4 | formUnhex(src[i+2])
			i += 2
		}
		if c == '[' {
			brackets++
		}
		dst = append(dst, c)
	}
	return dst, brackets
}

func formIsHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func formUnhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// find returns the child under key, or nil.
func (f *Form) find(key string) *Form {
	if f.index != nil {
		return f.index[key]
	}
	for c := f.first; c != nil; c = c.next {
		if c.key == key {
			return c
		}
	}
	return nil
}

// Child returns the node under key, or nil when f is not a map or has no
// such key.
func (f *Form) Child(key string) *Form {
	if f == nil || !f.isMap {
		return nil
	}
	return f.find(key)
}

// Lookup follows the path of keys from f and returns the string at its end.
// ok is false when a key is missing or the path ends at a map. With no
// path it returns f's own value when f is a leaf.
func (f *Form) Lookup(path ...string) (value string, ok bool) {
	for _, k := range path {
		if f = f.Child(k); f == nil {
			return "", false
		}
	}
	if f == nil || f.isMap {
		return "", false
	}
	return f.value, true
}

// Get is Lookup without ok: "" when there is no string at the path.
func (f *Form) Get(path ...string) string {
	v, _ := f.Lookup(path...)
	return v
}

// Value returns the string of a leaf, "" for a map.
func (f *Form) Value() string {
	if f == nil {
		return ""
	}
	return f.value
}

// IsLeaf reports whether f holds a string rather than a map.
func (f *Form) IsLeaf() bool { return f != nil && !f.isMap }

// Len is the number of keys of a map, 0 for a leaf.
func (f *Form) Len() int {
	if f == nil {
		return 0
	}
	return f.n
}

// Keys lists the keys of a map in the order they first appeared on the
// wire; nil for a leaf.
func (f *Form) Keys() []string {
	if f.Len() == 0 {
		return nil
	}
	keys := make([]string, 0, f.n)
	for c := f.first; c != nil; c = c.next {
		keys = append(keys, c.key)
	}
	return keys
}

// All iterates over the keys and child nodes of a map in wire order.
func (f *Form) All() iter.Seq2[string, *Form] {
	return func(yield func(string, *Form) bool) {
		if f == nil {
			return
		}
		for c := f.first; c != nil; c = c.next {
			if !yield(c.key, c) {
				return
			}
		}
	}
}

// Encode returns f as an application/x-www-form-urlencoded body, as PHP's
// http_build_query would build it from the same array: fields in tree
// order, keys as name[k1][k2] with brackets percent-encoded, bytes other
// than letters, digits and -_. percent-encoded, spaces as "+". Maps without
// any leaf produce nothing.
//
// DecodeForm(Encode(f)) gives f back for every f that DecodeForm returned.
// Trees from DecodeJSONForm round-trip too, except for keys that have no
// form encoding: empty keys, " " below the top level, keys containing "]",
// and top-level names containing "[".
func (f *Form) Encode() string {
	if f == nil || !f.isMap {
		return ""
	}
	out, key := make([]byte, 0, 512), make([]byte, 0, 64)
	for c := f.first; c != nil; c = c.next {
		key = appendPHPEscape(key[:0], c.key)
		out, key = encodeNode(out, key, c)
	}
	return string(out)
}

// encodeNode appends the fields of node, whose escaped key is key; it
// returns key's buffer for reuse.
func encodeNode(out, key []byte, node *Form) ([]byte, []byte) {
	if !node.isMap {
		if len(out) > 0 {
			out = append(out, '&')
		}
		out = append(out, key...)
		out = append(out, '=')
		return appendPHPEscape(out, node.value), key
	}
	n := len(key)
	for c := node.first; c != nil; c = c.next {
		key = append(key[:n], "%5B"...)
		key = appendPHPEscape(key, c.key)
		key = append(key, "%5D"...)
		out, key = encodeNode(out, key, c)
	}
	return out, key[:n]
}

// appendPHPEscape appends s encoded like PHP's urlencode.
func appendPHPEscape(dst []byte, s string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '_', c == '.':
			dst = append(dst, c)
		case c == ' ':
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return dst
}

// DecodeJSONForm decodes a JSON object into the tree that DecodeForm would
// build from the form body PHP's http_build_query makes of the same object,
// so that code reading events serves JSON bodies unchanged:
//   - strings are leaves; numbers are leaves holding their literal text
//     (1e3 stays "1e3"); true and false are "1" and "0";
//   - objects are maps; arrays are maps with the keys "0", "1", …;
//   - null is omitted (an array keeps the indexes of its other elements),
//     and so are objects and arrays that end up without any leaf;
//   - a repeated key keeps its first position and takes the last value
//     (a null or empty last value removes it).
//
// The same limits as DecodeForm apply (leaves count as fields). A body
// that is not one JSON object is an EINVALID error wrapping ErrFormSyntax.
func DecodeJSONForm(body []byte) (*Form, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, formJSONSyntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, callbackline.WrapError(ErrFormSyntax, callbackline.EINVALID, "the JSON body is not an object")
	}
	j := formJSONBuilder{dec: dec}
	root := j.alloc()
	root.isMap = true
	if err := j.object(root, 0); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, callbackline.WrapError(ErrFormSyntax, callbackline.EINVALID, "the JSON body has data after its object")
	}
	return root, nil
}

func formJSONSyntax(err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return callbackline.WrapError(ErrFormSyntax, callbackline.EINVALID, "the body is not valid JSON (%v)", err)
}

type formJSONBuilder struct {
	formBuilder
	dec    *json.Decoder
	fields int
}

// object reads the members of an object into the map f, up to its "}".
func (j *formJSONBuilder) object(f *Form, depth int) error {
	for j.dec.More() {
		tok, err := j.dec.Token()
		if err != nil {
			return formJSONSyntax(err)
		}
		key, _ := tok.(string) // the decoder only gives strings as keys
		if len(key) > MaxFormKeyLen {
			return formKeyTooLong(key)
		}
		if err := j.value(f, key, depth); err != nil {
			return err
		}
	}
	if _, err := j.dec.Token(); err != nil {
		return formJSONSyntax(err)
	}
	return nil
}

// array reads the elements of an array into the map f, up to its "]".
func (j *formJSONBuilder) array(f *Form, depth int) error {
	for i := 0; j.dec.More(); i++ {
		key := strconv.Itoa(i)
		if i < len(formSmallInts) {
			key = formSmallInts[i]
		}
		if err := j.value(f, key, depth); err != nil {
			return err
		}
	}
	if _, err := j.dec.Token(); err != nil {
		return formJSONSyntax(err)
	}
	return nil
}

// value reads one value and stores it under key in the map parent.
func (j *formJSONBuilder) value(parent *Form, key string, depth int) error {
	tok, err := j.dec.Token()
	if err != nil {
		return formJSONSyntax(err)
	}
	var topLeaf string
	switch t := tok.(type) {
	case nil:
		parent.remove(key)
		return nil
	case json.Delim:
		if depth+1 > MaxFormDepth {
			return callbackline.WrapError(ErrFormTooDeep, callbackline.ETOOLARGE,
				"the JSON body nests deeper than %d levels at %q", MaxFormDepth, wireClip(key))
		}
		child := parent.find(key)
		if child == nil {
			child = j.add(parent, key)
		}
		child.setMap()
		if t == '{' {
			err = j.object(child, depth+1)
		} else {
			err = j.array(child, depth+1)
		}
		if err != nil {
			return err
		}
		if child.n == 0 {
			parent.remove(key)
		}
		return nil
	case string:
		topLeaf = t
	case json.Number:
		topLeaf = string(t)
	case bool:
		topLeaf = "0"
		if t {
			topLeaf = "1"
		}
	}
	if j.fields++; j.fields > MaxFormFields {
		return callbackline.WrapError(ErrFormTooManyFields, callbackline.ETOOLARGE,
			"the JSON body has more than %d values", MaxFormFields)
	}
	child := parent.find(key)
	if child == nil {
		child = j.add(parent, key)
	}
	child.setLeaf(topLeaf)
	return nil
}
