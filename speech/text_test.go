package speech_test

import (
	"testing"
	"unicode/utf8"

	"github.com/callbackline/callbackline/speech"
)

func TestClean(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"  Hello,\n\tworld!  ", 0, "Hello, world!"},
		{"a\x00b\x1bc\u200bd", 0, "a b c\u200bd"},
		{"bad \xff utf-8", 0, "bad utf-8"},
		{"say [[h@'loU]] now", 0, "say [ [h@'loU] ] now"},
		{"one two three four", 12, "one two"},
		{"Grüße aus Köln", 5, "Grüße"},
		{"\ufeffBOM", 0, "BOM"},
		{"-v xx", 0, "-v xx"},
	}
	for _, c := range cases {
		if got := speech.Clean(c.in, c.max); got != c.want {
			t.Errorf("Clean(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
	long := make([]byte, 5000)
	for i := range long {
		long[i] = 'a' + byte(i%7)
		if i%6 == 5 {
			long[i] = ' '
		}
	}
	if n := utf8.RuneCountInString(speech.Clean(string(long), 0)); n > speech.DefaultMaxText || n < speech.DefaultMaxText-10 {
		t.Errorf("5000 characters cleaned to %d, want just under %d", n, speech.DefaultMaxText)
	}
}
