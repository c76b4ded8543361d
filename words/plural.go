package words

import (
	"regexp"
	"strings"
)

// forms is a group of a noun's (or a phrase's) forms in a catalogue
// phrase: {one|other} (English, German, Spanish, Portuguese) or
// {one|few|many} (Russian, Ukrainian: 1 and 21 звонок, 2–4 and 22 звонка,
// 5–20 and 25 звонков; Polish: only 1 takes one, so 21 oddzwonień).
var forms = regexp.MustCompile(`\{([^{}|]*(?:\|[^{}|]*)+)\}`)

// plural returns s with each group of forms replaced by the form for the
// count n in the language lang. A group of two forms is {one|other}; a
// group of three is {one|few|many} by the Russian and Ukrainian rule, or
// by the Polish one for "pl". A phrase without a group is returned as is.
func plural(lang string, n int, s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	if n < 0 {
		n = -n
	}
	return forms.ReplaceAllStringFunc(s, func(g string) string {
		f := strings.Split(g[1:len(g)-1], "|")
		switch {
		case len(f) == 2 && n == 1, len(f) == 3 && n == 1,
			len(f) == 3 && lang != "pl" && n%10 == 1 && n%100 != 11:
			return f[0]
		case len(f) == 2:
			return f[1]
		case len(f) == 3 && n%10 >= 2 && n%10 <= 4 && (n%100 < 12 || n%100 > 14):
			return f[1]
		case len(f) == 3:
			return f[2]
		}
		return g
	})
}

// count returns the first integer among args, and whether there is one:
// the count a phrase's forms agree with.
func count(args []any) (int, bool) {
	for _, a := range args {
		if n, ok := a.(int); ok {
			return n, true
		}
	}
	return 0, false
}
