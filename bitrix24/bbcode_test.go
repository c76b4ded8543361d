package bitrix24

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPlain(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Bitte zurückrufen", "Bitte zurückrufen"},
		{"Please call me about order 4711 (invoice 2026-03/17), 10:30 > 9:00", "Please call me about order 4711 (invoice 2026-03/17), 10:30 > 9:00"},
		{"Перезвоните, пожалуйста: e-mail a.b@example.com", "Перезвоните, пожалуйста: e-mail a.b@example.com"},
		{"[url=https://evil.example]click[/url] [USER=1]boss[/USER]",
			"［url=https:／／evil.example］click［/url］ ［USER=1］boss［/USER］"},
		{"[img size=large]http://evil.example/x.png [/img]", "［img size=large］http:／／evil.example/x.png ［/img］"},
		{"see www.evil.example or WWW.Evil.example", "see www․evil.example or WWW․Evil.example"},
		{"ftp://x and a//b and https:/x", "ftp:／／x and a//b and https:/x"},
		{"line one\nline two\r\n>>quoted", "line one line two  > >quoted"},
		{">>>", "> > >"},
		{"tab\there\x00\x7f\u0085\u2028\u202e", "tab here     "},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"[send=/start]go[/send] [call=+19001234567]win[/call] [br]", "［send=/start］go［/send］ ［call=+19001234567］win［/call］ ［br］"},
	} {
		got := Plain(tc.in)
		if got != tc.want {
			t.Errorf("Plain(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzPlain checks what Plain promises on any input: no markup left,
// valid UTF-8, stable when applied again, and text without markup kept
// as it is.
func FuzzPlain(f *testing.F) {
	for _, s := range []string{
		"Bitte zurückrufen",
		"[url=https://evil.example]click[/url] [USER=1]boss[/USER]",
		"www.x http://y >>z\n[b]",
		"\xff[\u202e]",
		"::////www.www..>>>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Plain(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Plain(%q) = %q: invalid UTF-8", s, got)
		}
		for _, bad := range []string{"[", "]", "://", "\n", "\r", ">>"} {
			if strings.Contains(got, bad) {
				t.Fatalf("Plain(%q) = %q: holds %q", s, got, bad)
			}
		}
		if strings.Contains(strings.ToLower(got), "www.") {
			t.Fatalf("Plain(%q) = %q: holds www.", s, got)
		}
		if again := Plain(got); again != got {
			t.Fatalf("Plain is not stable: %q → %q → %q", s, got, again)
		}
		if !needsPlain(s) && got != s {
			t.Fatalf("Plain(%q) = %q, but nothing needed a change", s, got)
		}
		if needsPlain(s) && got == s {
			t.Fatalf("needsPlain(%q) but Plain keeps it", s)
		}
	})
}
