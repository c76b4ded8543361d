package bitrix24_test

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
)

// wireRequest is one request of testdata/events: an HTTP request as text
// whose body is one line.
type wireRequest struct {
	Method, Path string
	Query        url.Values
	ContentType  string
	Body         []byte
}

// wireLoad reads testdata/events/<name>.
func wireLoad(tb testing.TB, name string) wireRequest {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "events", name))
	if err != nil {
		tb.Fatal(err)
	}
	head, body, ok := strings.Cut(string(raw), "\n\n")
	if !ok {
		tb.Fatalf("%s: no blank line between head and body", name)
	}
	lines := strings.Split(head, "\n")
	parts := strings.Fields(lines[0])
	if len(parts) != 3 {
		tb.Fatalf("%s: bad request line %q", name, lines[0])
	}
	u, err := url.Parse(parts[1])
	if err != nil {
		tb.Fatal(err)
	}
	req := wireRequest{Method: parts[0], Path: u.Path, Query: u.Query(), Body: []byte(strings.TrimSuffix(body, "\n"))}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ":")
		if strings.EqualFold(k, "Content-Type") {
			req.ContentType = strings.TrimSpace(v)
		}
	}
	if bytes.ContainsAny(req.Body, "\r\n") {
		tb.Fatalf("%s: the body must be one line", name)
	}
	return req
}

// wireFiles lists testdata/events.
func wireFiles(tb testing.TB) []string {
	tb.Helper()
	ents, err := os.ReadDir(filepath.Join("testdata", "events"))
	if err != nil {
		tb.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) < 6 {
		tb.Fatalf("only %d files in testdata/events", len(names))
	}
	return names
}

// wireDump writes a tree unambiguously, keys in order: {"a":"1","b":{"c":"2"}}.
func wireDump(f *bitrix24.Form) string {
	var b strings.Builder
	var walk func(*bitrix24.Form)
	walk = func(n *bitrix24.Form) {
		if n.IsLeaf() {
			b.WriteString(strconv.Quote(n.Value()))
			return
		}
		b.WriteByte('{')
		i := 0
		for k, c := range n.All() {
			if i > 0 {
				b.WriteByte(',')
			}
			i++
			b.WriteString(strconv.Quote(k))
			b.WriteByte(':')
			walk(c)
		}
		b.WriteByte('}')
	}
	walk(f)
	return b.String()
}

// wireCode checks the callbackline code of err and that the sentinel (if
// any) is in its chain.
func wireCode(tb testing.TB, err error, code string, sentinel error) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("no error, want code %s", code)
	}
	if got := callbackline.ErrorCode(err); got != code {
		tb.Fatalf("code %q, want %q (error: %v)", got, code, err)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		tb.Fatalf("error %v does not wrap %v", err, sentinel)
	}
}

// formCases are bodies with their decoded tree; they are also fuzz seeds.
var formCases = []struct{ body, want string }{
	{"", `{}`},
	{"a=1&b=2", `{"a":"1","b":"2"}`},
	{"a=1&a=2", `{"a":"2"}`},
	{"a=1&b=2&a=3", `{"a":"3","b":"2"}`},
	{"a", `{"a":""}`},
	{"a=", `{"a":""}`},
	{"a=b=c", `{"a":"b=c"}`},
	{"&&a=1&&", `{"a":"1"}`},
	{"=1&[a]=2&%5Bb%5D=3&b", `{"b":""}`},
	{"a;b=1", `{"a;b":"1"}`},
	{"a.b+c=1", `{"a.b c":"1"}`},
	{"+a=1", `{" a":"1"}`},
	{"%61=%2B7+%28495%29+123-45-67", `{"a":"+7 (495) 123-45-67"}`},
	{"a=%zz%4%", `{"a":"%zz%4%"}`},
	{"a=%e2%82%ac%E2%82%AC", `{"a":"€€"}`},
	{"a=%00", `{"a":"\x00"}`},
	{"data%5BPHONE_NUMBER%5D=%2B49&auth%5Bmember_id%5D=m", `{"data":{"PHONE_NUMBER":"+49"},"auth":{"member_id":"m"}}`},
	{"data[PHONE_NUMBER]=1&data%5bTEXT%5d=2", `{"data":{"PHONE_NUMBER":"1","TEXT":"2"}}`},
	{"data[X][0][Y]=v&data[X][0][Z]=w&data[X][1][Y]=u", `{"data":{"X":{"0":{"Y":"v","Z":"w"},"1":{"Y":"u"}}}}`},
	{"a[]=x&a[]=y", `{"a":{"0":"x","1":"y"}}`},
	{"a[5]=x&a[]=y", `{"a":{"5":"x","6":"y"}}`},
	{"a[x]=1&a[]=2", `{"a":{"x":"1","0":"2"}}`},
	{"a[-5]=x&a[]=y", `{"a":{"-5":"x","-4":"y"}}`},
	{"a[05]=x&a[%2B5]=y&a[-0]=z&a[]=w", `{"a":{"05":"x","+5":"y","-0":"z","0":"w"}}`},
	{"a[3]=x&a[1]=y&a[]=z", `{"a":{"3":"x","1":"y","4":"z"}}`},
	{"a[ ]=x&a[]=y&a[  ]=z&a[ b]=w", `{"a":{"0":"x","1":"y","  ":"z"," b":"w"}}`},
	{"a[][x]=1&a[][x]=2", `{"a":{"0":{"x":"1"},"1":{"x":"2"}}}`},
	{"a[9223372036854775807]=x&a[]=y", `{"a":{"9223372036854775807":"x"}}`},
	{"a[9223372036854775806]=x&a[]=y&a[]=z", `{"a":{"9223372036854775806":"x","9223372036854775807":"y"}}`},
	{"a[9223372036854775808]=x&a[]=y", `{"a":{"9223372036854775808":"x","0":"y"}}`},
	{"a[b=1", `{"a[b":"1"}`},
	{"a[=1", `{"a[":"1"}`},
	{"a]b=1", `{"a]b":"1"}`},
	{"a]b[c]=1", `{"a]b":{"c":"1"}}`},
	{"a[b]c=1", `{"a":{"b":"1"}}`},
	{"a[b][c=1", `{"a":{"b":"1"}}`},
	{"a[b]]=1", `{"a":{"b":"1"}}`},
	{"a[b[c]]=1", `{"a":{"b[c":"1"}}`},
	{"a[b]=1&a[b][c]=2", `{"a":{"b":{"c":"2"}}}`},
	{"a=1&a[b]=2", `{"a":{"b":"2"}}`},
	{"a[b]=2&a=1", `{"a":"1"}`},
	{"a[b]=1&c=2&a=3&a[d]=4", `{"a":{"d":"4"},"c":"2"}`},
	{"a[]=1&a=2&a[]=3", `{"a":{"0":"3"}}`},
	{"a[7]=1&a=2&a[]=3", `{"a":{"0":"3"}}`},
}

func TestDecodeForm(t *testing.T) {
	for _, tc := range formCases {
		f, err := bitrix24.DecodeForm([]byte(tc.body))
		if err != nil {
			t.Errorf("DecodeForm(%q): %v", tc.body, err)
			continue
		}
		if got := wireDump(f); got != tc.want {
			t.Errorf("DecodeForm(%q)\n got %s\nwant %s", tc.body, got, tc.want)
		}
	}
}

func TestDecodeFormManyKeys(t *testing.T) {
	// Past a dozen keys a map keeps an index; order and last-wins must
	// hold on both sides of that switch.
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "k%d=%d&m[k%d]=%d&", i, i, i, i)
	}
	for i := range 40 {
		fmt.Fprintf(&b, "k%d=x%d&m[k%d]=x%d&", i, i, i, i)
	}
	b.WriteString("m[]=appended")
	f, err := bitrix24.DecodeForm([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if f.Len() != 41 || f.Child("m").Len() != 41 {
		t.Fatalf("root has %d keys, m has %d; want 41 each", f.Len(), f.Child("m").Len())
	}
	want := []string{"k0", "m"}
	for i := 1; i < 40; i++ {
		want = append(want, "k"+strconv.Itoa(i))
	}
	if got := strings.Join(f.Keys(), ","); got != strings.Join(want, ",") {
		t.Fatalf("keys %s", got)
	}
	for i := range 40 {
		if got := f.Get("k" + strconv.Itoa(i)); got != "x"+strconv.Itoa(i) {
			t.Fatalf("k%d = %q", i, got)
		}
		if got := f.Get("m", "k"+strconv.Itoa(i)); got != "x"+strconv.Itoa(i) {
			t.Fatalf("m[k%d] = %q", i, got)
		}
	}
	if got := f.Get("m", "0"); got != "appended" {
		t.Fatalf("m[0] = %q", got)
	}
}

func TestFormAccessors(t *testing.T) {
	f, err := bitrix24.DecodeForm([]byte("event=X&data%5BQUERY%5D%5Ba%5D=1&data%5BQUERY%5D%5Bb%5D%5B%5D=2&data%5BEMPTY%5D="))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := f.Lookup("data", "QUERY", "a"); !ok || got != "1" {
		t.Errorf(`Lookup(data, QUERY, a) = %q, %v`, got, ok)
	}
	if got, ok := f.Lookup("data", "EMPTY"); !ok || got != "" {
		t.Errorf(`Lookup(data, EMPTY) = %q, %v; want "", true`, got, ok)
	}
	for _, path := range [][]string{{"data"}, {"data", "QUERY"}, {"nope"}, {"event", "x"}, {"data", "QUERY", "a", "x"}, {}} {
		if got, ok := f.Lookup(path...); ok || got != "" {
			t.Errorf("Lookup(%q) = %q, %v; want not found", path, got, ok)
		}
	}
	if got := f.Get("data", "QUERY", "b", "0"); got != "2" {
		t.Errorf("Get(data, QUERY, b, 0) = %q", got)
	}
	if got, ok := f.Child("event").Lookup(); !ok || got != "X" {
		t.Errorf("Child(event).Lookup() = %q, %v", got, ok)
	}
	if got := strings.Join(f.Keys(), ","); got != "event,data" {
		t.Errorf("Keys() = %s", got)
	}
	if got := strings.Join(f.Child("data").Keys(), ","); got != "QUERY,EMPTY" {
		t.Errorf("data Keys() = %s", got)
	}
	if f.Len() != 2 || f.Child("event").Len() != 0 || f.Child("event").Keys() != nil {
		t.Errorf("Len: %d, leaf Len %d", f.Len(), f.Child("event").Len())
	}
	if !f.Child("event").IsLeaf() || f.IsLeaf() || f.Child("data").IsLeaf() {
		t.Error("IsLeaf is wrong")
	}
	if f.Child("event").Child("x") != nil {
		t.Error("a leaf has a child")
	}
	// A nil *Form is an empty map for every reader.
	var none *bitrix24.Form = f.Child("missing")
	if none != nil || none.Child("a").Get("b") != "" || none.Len() != 0 || none.Keys() != nil ||
		none.Value() != "" || none.IsLeaf() || none.Encode() != "" {
		t.Error("the nil Form is not empty")
	}
	for range none.All() {
		t.Error("the nil Form has children")
	}
	n := 0
	for k := range f.All() {
		n++
		if k == "event" {
			break
		}
	}
	if n != 1 {
		t.Errorf("All did not stop: %d", n)
	}
}

func TestDecodeFormLimits(t *testing.T) {
	deep := func(n int) string { return "a" + strings.Repeat("[x]", n) + "=1" }
	if f, err := bitrix24.DecodeForm([]byte(deep(bitrix24.MaxFormDepth))); err != nil {
		t.Errorf("depth %d: %v", bitrix24.MaxFormDepth, err)
	} else if got := f.Get(append([]string{"a"}, strings.Split(strings.Repeat("x", bitrix24.MaxFormDepth), "")...)...); got != "1" {
		t.Errorf("depth %d: the leaf is %q", bitrix24.MaxFormDepth, got)
	}
	_, err := bitrix24.DecodeForm([]byte(deep(bitrix24.MaxFormDepth + 1)))
	wireCode(t, err, callbackline.ETOOLARGE, bitrix24.ErrFormTooDeep)
	_, err = bitrix24.DecodeForm([]byte("a" + strings.Repeat("[]", 100000) + "=1"))
	wireCode(t, err, callbackline.ETOOLARGE, bitrix24.ErrFormTooDeep)
	// Ignored text after the key does not count.
	if _, err := bitrix24.DecodeForm([]byte("a[b]" + strings.Repeat("[", 1000) + "=1")); err != nil {
		t.Errorf("unclosed brackets after a key: %v", err)
	}

	fields := func(n int) string { return strings.Repeat("a[]=1&", n-1) + "b=2" }
	if f, err := bitrix24.DecodeForm([]byte(fields(bitrix24.MaxFormFields))); err != nil {
		t.Errorf("%d fields: %v", bitrix24.MaxFormFields, err)
	} else if f.Child("a").Len() != bitrix24.MaxFormFields-1 {
		t.Errorf("%d fields: a has %d", bitrix24.MaxFormFields, f.Child("a").Len())
	}
	_, err = bitrix24.DecodeForm([]byte(fields(bitrix24.MaxFormFields + 1)))
	wireCode(t, err, callbackline.ETOOLARGE, bitrix24.ErrFormTooManyFields)
	// Empty fields are not fields.
	if _, err := bitrix24.DecodeForm([]byte(strings.Repeat("&", 5000) + "a=1")); err != nil {
		t.Errorf("empty fields: %v", err)
	}

	long := strings.Repeat("k", bitrix24.MaxFormKeyLen)
	for _, body := range []string{long + "=1", "a[" + long + "]=1", long + "[" + long + "]=1", "a[" + long[2:] + "=1"} {
		if _, err := bitrix24.DecodeForm([]byte(body)); err != nil {
			t.Errorf("key of %d bytes: %v", bitrix24.MaxFormKeyLen, err)
		}
	}
	for _, body := range []string{long + "k=1", "a[" + long + "k]=1", long + "k[a]=1", "a[" + long + "=1", "a%5B" + long + "=1"} {
		_, err = bitrix24.DecodeForm([]byte(body))
		wireCode(t, err, callbackline.ETOOLARGE, bitrix24.ErrFormKeyTooLong)
	}
	// The limit is on decoded bytes: %41 is one byte.
	if _, err := bitrix24.DecodeForm([]byte(strings.Repeat("%41", bitrix24.MaxFormKeyLen) + "=1")); err != nil {
		t.Errorf("percent-encoded key: %v", err)
	}
}

func TestFormEncode(t *testing.T) {
	// Every form example of docs/bitrix24.md §11 is PHP's http_build_query output;
	// Encode must give it back byte for byte.
	for _, name := range wireFiles(t) {
		req := wireLoad(t, name)
		if !strings.HasPrefix(req.ContentType, "application/x-www-form-urlencoded") {
			continue
		}
		f, err := bitrix24.DecodeForm(req.Body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := f.Encode(); got != string(req.Body) {
			t.Errorf("%s: Encode\n got %s\nwant %s", name, got, req.Body)
		}
	}
	for _, tc := range []struct{ body, want string }{
		{"a=~!*'()", "a=%7E%21%2A%27%28%29"},
		{"a+b=c+d&x.y-z_=", "a+b=c+d&x.y-z_="},
		{"a[]=1&a[]=2&b[c][]=3", "a%5B0%5D=1&a%5B1%5D=2&b%5Bc%5D%5B0%5D=3"},
		{"a[b[c]]=1&a[b]d=2", "a%5Bb%5Bc%5D=1&a%5Bb%5D=2"},
		{"a[b=1&a=2", "a%5Bb=1&a=2"},
		{"x=%00%FF", "x=%00%FF"},
	} {
		f, err := bitrix24.DecodeForm([]byte(tc.body))
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Encode(); got != tc.want {
			t.Errorf("Encode(%q) = %q, want %q", tc.body, got, tc.want)
		}
		if got := f.Child("a").Child("0").Encode(); got != "" {
			t.Errorf("Encode of a leaf = %q", got)
		}
	}
	// Encode works on any map node: its keys become the names.
	f, _ := bitrix24.DecodeForm([]byte("data[X][0]=1&data[Y]=2"))
	if got := f.Child("data").Encode(); got != "X%5B0%5D=1&Y=2" {
		t.Errorf("Encode of a subtree = %q", got)
	}
}

func TestDecodeJSONForm(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{`{}`, `{}`},
		{` {"a":"1"} `, `{"a":"1"}`},
		{`{"a":1,"b":-2.50,"c":1e3,"d":true,"e":false,"f":null,"g":""}`, `{"a":"1","b":"-2.50","c":"1e3","d":"1","e":"0","g":""}`},
		{`{"a":{"b":{"c":"x"}},"l":["x",null,"z",[],{}, [1]]}`, `{"a":{"b":{"c":"x"}},"l":{"0":"x","2":"z","5":{"0":"1"}}}`},
		{`{"a":{},"b":[],"c":{"d":null,"e":[null]}}`, `{}`},
		{`{"a":"1","b":"2","a":"3"}`, `{"a":"3","b":"2"}`},
		{`{"a":"1","b":"2","a":{"x":"y"}}`, `{"a":{"x":"y"},"b":"2"}`},
		{`{"a":{"x":"y"},"b":"2","a":"1"}`, `{"a":"1","b":"2"}`},
		{`{"a":"1","b":"2","a":null}`, `{"b":"2"}`},
		{`{"a":"1","b":"2","a":{}}`, `{"b":"2"}`},
		{`{"a":"\u20ac\n\"","a[b]":"k"}`, `{"a":"€\n\"","a[b]":"k"}`},
		{`{"data":{"PHONE_NUMBER":"+7 (495) 123-45-67"}}`, `{"data":{"PHONE_NUMBER":"+7 (495) 123-45-67"}}`},
	} {
		f, err := bitrix24.DecodeJSONForm([]byte(tc.body))
		if err != nil {
			t.Errorf("DecodeJSONForm(%s): %v", tc.body, err)
			continue
		}
		if got := wireDump(f); got != tc.want {
			t.Errorf("DecodeJSONForm(%s)\n got %s\nwant %s", tc.body, got, tc.want)
		}
	}
	for _, body := range []string{``, ` `, `[]`, `"a"`, `1`, `null`, `{`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{"a":1}{}`, `{"a":1} x`, `{"a":[1,]}`, `{'a':1}`, `{"a":01}`} {
		_, err := bitrix24.DecodeJSONForm([]byte(body))
		wireCode(t, err, callbackline.EINVALID, bitrix24.ErrFormSyntax)
	}

	nest := func(n int) string { return `{"a":` + strings.Repeat(`{"x":`, n) + `"1"` + strings.Repeat(`}`, n) + `}` }
	if f, err := bitrix24.DecodeJSONForm([]byte(nest(bitrix24.MaxFormDepth))); err != nil {
		t.Errorf("depth %d: %v", bitrix24.MaxFormDepth, err)
	} else if f2, _ := bitrix24.DecodeForm([]byte("a" + strings.Repeat("[x]", bitrix24.MaxFormDepth) + "=1")); wireDump(f) != wireDump(f2) {
		t.Errorf("depth %d: JSON and form trees differ", bitrix24.MaxFormDepth)
	}
	_, err := bitrix24.DecodeJSONForm([]byte(nest(bitrix24.MaxFormDepth + 1)))
	wireCode(t, err, callbackline.ETOOLARGE, bitrix24.ErrFormTooDeep)
	_, err = bitrix24.DecodeJSONForm([]byte(`{"a":` + strings.Repeat(`[`, 100000)))
	wireCode(t, err, callbackline.ETOOLARGE, bitrix24.ErrFormTooDeep)

	list := func(n int) string { return `{"a":[` + strings.TrimSuffix(strings.Repeat(`1,`, n), ",") + `]}` }
	if _, err := bitrix24.DecodeJSONForm([]byte(list(bitrix24.MaxFormFields))); err != nil {
		t.Errorf("%d values: %v", bitrix24.MaxFormFields, err)
	}
	_, err = bitrix24.DecodeJSONForm([]byte(list(bitrix24.MaxFormFields + 1)))
	wireCode(t, err, callbackline.ETOOLARGE, bitrix24.ErrFormTooManyFields)

	long := strings.Repeat("k", bitrix24.MaxFormKeyLen)
	if _, err := bitrix24.DecodeJSONForm([]byte(`{"` + long + `":1}`)); err != nil {
		t.Errorf("key of %d bytes: %v", bitrix24.MaxFormKeyLen, err)
	}
	_, err = bitrix24.DecodeJSONForm([]byte(`{"a":{"` + long + `k":1}}`))
	wireCode(t, err, callbackline.ETOOLARGE, bitrix24.ErrFormKeyTooLong)
}

// TestJSONFormEquivalence: every JSON example in testdata/events decodes to
// the tree of its form twin (numbers, booleans and nulls included).
func TestJSONFormEquivalence(t *testing.T) {
	n := 0
	for _, name := range wireFiles(t) {
		twin, ok := strings.CutSuffix(name, ".json.http")
		if !ok {
			continue
		}
		n++
		js, form := wireLoad(t, name), wireLoad(t, twin+".http")
		fj, err := bitrix24.DecodeJSONForm(js.Body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ff, err := bitrix24.DecodeForm(form.Body)
		if err != nil {
			t.Fatalf("%s: %v", twin, err)
		}
		if a, b := wireDump(fj), wireDump(ff); a != b {
			t.Errorf("%s and its form twin differ:\n%s\n%s", name, a, b)
		}
		if got := fj.Encode(); got != string(form.Body) {
			t.Errorf("%s: Encode gives\n%s\nnot the form twin\n%s", name, got, form.Body)
		}
	}
	if n < 4 {
		t.Fatalf("only %d JSON examples", n)
	}
}

// FuzzDecodeForm: DecodeForm never panics, and a decoded tree survives
// Encode and DecodeForm unchanged.
func FuzzDecodeForm(f *testing.F) {
	for _, tc := range formCases {
		f.Add([]byte(tc.body))
	}
	for _, name := range wireFiles(f) {
		f.Add(wireLoad(f, name).Body)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		form, err := bitrix24.DecodeForm(body)
		if err != nil {
			if code := callbackline.ErrorCode(err); code != callbackline.ETOOLARGE {
				t.Fatalf("error with code %q: %v", code, err)
			}
			return
		}
		enc := form.Encode()
		again, err := bitrix24.DecodeForm([]byte(enc))
		if err != nil {
			t.Fatalf("the encoding %q does not decode: %v", enc, err)
		}
		if a, b := wireDump(form), wireDump(again); a != b {
			t.Fatalf("round trip changed the tree:\nbody %q\nenc  %q\n%s\n%s", body, enc, a, b)
		}
		if enc2 := again.Encode(); enc2 != enc {
			t.Fatalf("Encode is not stable: %q, then %q", enc, enc2)
		}
	})
}

func BenchmarkDecodeForm(b *testing.B) {
	body := wireLoad(b, "11.1-callbackstart-tokens.http").Body
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := bitrix24.DecodeForm(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFormEncode(b *testing.B) {
	f, err := bitrix24.DecodeForm(wireLoad(b, "11.1-callbackstart-tokens.http").Body)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = f.Encode()
	}
}
