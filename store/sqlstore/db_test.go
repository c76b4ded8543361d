package sqlstore

import (
	"strings"
	"testing"
	"time"
)

func TestRebind(t *testing.T) {
	d := &Dialect{Numbered: true}
	for in, want := range map[string]string{
		`SELECT 1`:                               `SELECT 1`,
		`a = ? AND b = ?`:                        `a = $1 AND b = $2`,
		`x = nullif(?, '') AND j ->> '$.a?' = ?`: `x = nullif($1, '') AND j ->> '$.a?' = $2`,
	} {
		if got := d.rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
	if got := (&Dialect{}).rebind(`a = ?`); got != `a = ?` {
		t.Errorf("rebind without Numbered = %q", got)
	}
}

func TestEncodeAndScanTimes(t *testing.T) {
	at := time.Date(2026, 12, 5, 8, 0, 0, 123456789, time.FixedZone("CET", 3600))
	for _, d := range []*Dialect{{Micros: true}, {}} {
		args := d.Encode([]any{at, time.Time{}, "x"})
		if args[1] != nil || args[2] != "x" {
			t.Fatalf("Micros %v: encoded %v", d.Micros, args)
		}
		var got, zero time.Time
		zero = at
		for _, v := range []struct {
			src  any
			dest *time.Time
		}{{args[0], &got}, {nil, &zero}} {
			if err := (timeDest{v.dest}).Scan(v.src); err != nil {
				t.Fatal(err)
			}
		}
		if !got.Equal(at.Truncate(time.Microsecond)) || got.Location() != time.UTC || !zero.IsZero() {
			t.Errorf("Micros %v: scanned %v and %v", d.Micros, got, zero)
		}
	}
}

// ClientID (the backends' ClientID) makes a River client id of any
// instance id: unsafe characters replaced, at most 100 characters.
func TestClientID(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "",
		"host-1.example:2":       "host-1.example:2",
		"host 1/é":               "host_1___",
		strings.Repeat("a", 120): strings.Repeat("a", 100),
	} {
		if got := ClientID(in); got != want {
			t.Errorf("ClientID(%q) = %q, want %q", in, got, want)
		}
	}
}
