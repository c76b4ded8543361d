package config_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/config"
	"github.com/callbackline/callbackline/sip"
	"github.com/callbackline/callbackline/words"
)

// Every problem code (config's, the page's other inputs' and the SIP
// account's) has words in every language of the app page, each
// saying all of the code's values, and words knows no other code.
func TestCodesHaveWords(t *testing.T) {
	codes := slices.Concat(callbackline.InputCodes, sip.Codes)
	for _, c := range config.Codes {
		if !slices.Contains(codes, string(c)) {
			codes = append(codes, string(c))
		}
	}
	slices.Sort(codes)
	if got := words.PageProblemCodes(); !slices.Equal(got, codes) {
		t.Errorf("words says the codes\n%v\nconfig makes\n%v", got, codes)
	}
	verb := regexp.MustCompile(`%\[(\d)\]`)
	for _, c := range codes {
		en, _ := words.PageProblem("en", c, nil)
		n := 0
		for _, m := range verb.FindAllStringSubmatch(en, -1) {
			n = max(n, int(m[1][0]-'0'))
		}
		args := make([]string, 0, n)
		for i := range n {
			args = append(args, fmt.Sprintf("v%dv", i+1))
		}
		for _, lang := range words.PageLanguages {
			s, ok := words.PageProblem(lang, c, args)
			if !ok {
				t.Errorf("%s has no words for %q", lang, c)
				continue
			}
			if strings.Contains(s, "%!") {
				t.Errorf("%s %q: %s", lang, c, s)
			}
			for _, a := range args {
				if !strings.Contains(s, a) {
					t.Errorf("%s %q does not say %s: %s", lang, c, a, s)
				}
			}
		}
	}
}

// The problems an administrator makes in a portal's lines carry their
// code and values; their English sentences are unchanged.
func TestProblemCodes(t *testing.T) {
	c := config.Default()
	text := `- number: north
  employees: [12, 12]
  policy:
    client_attempts: 0
    max_age: 9999h
    hours:
      time_zone: Mars/Olympus
      monday: ["18:00-09:00"]
      holidays: ["25.12.2026"]
- number: north
  policy:
    client_retry_after: soon
`
	_, err := c.PortalLines("m1", text)
	if err == nil {
		t.Fatal("no error")
	}
	want := map[string]struct {
		code    config.Code
		args    []string
		problem string
	}{
		"lines[1].policy.client_retry_after": {config.CodeNotDuration, []string{"soon"}, `"soon" is not a duration (e.g. 10m)`},
	}
	check := func(err error) {
		t.Helper()
		for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
			var ce *config.Error
			if !errors.As(e, &ce) {
				t.Fatalf("%T %v", e, e)
			}
			w, ok := want[ce.Key]
			if !ok {
				t.Errorf("unexpected %v", ce)
				continue
			}
			delete(want, ce.Key)
			if ce.Code != w.code || !slices.Equal(ce.Args, w.args) || ce.Problem != w.problem {
				t.Errorf("%s: %q %q %q; want %q %q %q", ce.Key, ce.Code, ce.Args, ce.Problem, w.code, w.args, w.problem)
			}
		}
		for k := range want {
			t.Errorf("no problem with %s", k)
		}
	}
	check(err)
	_, err = c.PortalLines("m1", strings.Replace(text, "soon", "5m", 1))
	want = map[string]struct {
		code    config.Code
		args    []string
		problem string
	}{
		"lines[0].employees":              {config.CodeEmployeeTwice, []string{"12"}, "user 12 is listed twice"},
		"lines[0].policy.client_attempts": {config.CodeAtLeast, []string{"0", "1"}, "is 0; must be at least 1 (1 calls the client once)"},
		"lines[0].policy.max_age":         {config.CodeLimitMost, []string{"9999h", "168h"}, "is 9999h; at most 168h (the operator's portal_limits.max_age)"},
		"lines[0].policy.hours.time_zone": {config.CodeZone, []string{"Mars/Olympus"}, `"Mars/Olympus" is not a known IANA time zone (e.g. Europe/Berlin, America/New_York, UTC)`},
		"lines[0].policy.hours.monday":    {config.CodeSpan, []string{"18:00-09:00"}, `"18:00-09:00" is not HH:MM-HH:MM with the end after the start (e.g. 09:00-18:00)`},
		"lines[0].policy.hours.holidays":  {config.CodeDate, []string{"25.12.2026"}, `"25.12.2026" is not a date YYYY-MM-DD (e.g. 2026-12-25)`},
		"lines[1].number":                 {config.CodeNumberTwice, []string{"north", "1"}, `"north" is the number of lines[0] too; line numbers must be unique`},
	}
	check(err)
}
