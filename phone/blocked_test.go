package phone_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/phone"
)

// TestParseBlocked: numbers and prefixes as an administrator writes them,
// normalised, each once; every entry at fault named by its position.
func TestParseBlocked(t *testing.T) {
	got, err := phone.ParseBlocked("+49 30 1234567\r\n\n+49 (900) *; +1 212-555-0100, +49 30 1234567")
	if err != nil || strings.Join(got, " ") != "+49301234567 +49900* +12125550100" {
		t.Fatalf("ParseBlocked = %q, %v", got, err)
	}
	_, err = phone.ParseBlocked("+49 30 1234567\n030 1234567\n+49*9\nabc\n+12\n+0049*")
	msg := callbackline.ErrorMessage(err)
	if callbackline.ErrorCode(err) != callbackline.EINVALID {
		t.Fatalf("error %v is not EINVALID", err)
	}
	for _, want := range []string{"entry 2:", "entry 3:", "entry 4:", "entry 5:", "entry 6:"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the error does not name %s: %s", want, msg)
		}
	}
	if strings.Contains(msg, "entry 1:") {
		t.Errorf("a good entry is named: %s", msg)
	}
	if _, err := phone.ParseBlocked(strings.Repeat("+4930*\n", 2) + strings.Repeat("x", 0)); err != nil {
		t.Errorf("duplicates: %v", err)
	}
}

// TestPolicyBlocked: a blocked number or prefix is refused with
// number_blocked and its number masked; others pass.
func TestPolicyBlocked(t *testing.T) {
	p := phone.DefaultPolicy().Block([]string{"+49301234567", "+4940*"})
	for _, c := range []struct {
		raw     string
		blocked bool
	}{
		{"+49 30 1234567", true}, {"+49 30 12345678", false}, {"+49 40 2222222", true}, {"+49 30 7654321", false},
	} {
		_, err := p.Accept(c.raw, "DE")
		var rej *phone.Rejection
		isBlocked := errors.As(err, &rej) && rej.Reason == callbackline.ReasonBlocked
		if isBlocked != c.blocked {
			t.Errorf("Accept(%s) = %v, blocked %v", c.raw, err, c.blocked)
		}
		if isBlocked && strings.Contains(err.Error(), "1234567") {
			t.Errorf("the refusal shows the whole number: %v", err)
		}
	}
	if err := p.Check("+49402222222"); err == nil {
		t.Error("Check lets a blocked prefix through")
	}
}

// FuzzParseBlocked: any text gives entries that are "+" and digits (a
// prefix with one "*" at the end), or EINVALID.
func FuzzParseBlocked(f *testing.F) {
	f.Add("+49 30 1234567\n+49 900*")
	f.Fuzz(func(t *testing.T, text string) {
		got, err := phone.ParseBlocked(text)
		if err != nil {
			if callbackline.ErrorCode(err) != callbackline.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		for _, e := range got {
			body := strings.TrimSuffix(strings.TrimPrefix(e, "+"), "*")
			if !strings.HasPrefix(e, "+") || body == "" || strings.Trim(body, "0123456789") != "" || len(body) > 15 {
				t.Fatalf("entry %q", e)
			}
		}
	})
}
