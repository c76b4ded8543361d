package web

import (
	"encoding/json"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/sip"
)

// FuzzCallerIDs: whatever the body of PUT /api/v1/portals/{id}/caller_ids,
// it is refused with EINVALID and a short, valid message, or accepted as
// at most maxAssignedCallerIDs distinct E.164 numbers, exactly those the
// body lists.
func FuzzCallerIDs(f *testing.F) {
	for _, b := range []string{`{"caller_ids": ["+4930123456"]}`, `{"caller_ids": []}`, `{"caller_ids": null}`, `{}`,
		`{"caller_ids": ["+4930123456", "+4930123456"]}`, `{"caller_ids": ["030 123456"]}`, `{"caller_ids": ["+49301234567890123"]}`,
		`{"caller_ids": "+4930123456"}`, `[]`, `{"caller_ids": ["+4930123456\u0000"]}`, `{"caller_ids": ["\xff\xfe+49"]}`} {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		numbers, err := parseCallerIDs(body)
		if err != nil {
			msg := callbackline.ErrorMessage(err)
			if callbackline.ErrorCode(err) != callbackline.EINVALID || !utf8.ValidString(msg) || len(msg) > 200 {
				t.Fatalf("refused with %s: %q", callbackline.ErrorCode(err), msg)
			}
			return
		}
		var in struct {
			CallerIDs []string `json:"caller_ids"`
		}
		if json.Unmarshal(body, &in) != nil || !slices.Equal(numbers, in.CallerIDs) {
			t.Fatalf("accepted %q from %q", numbers, body)
		}
		if numbers == nil || len(numbers) > maxAssignedCallerIDs {
			t.Fatalf("accepted %d numbers", len(numbers))
		}
		for i, n := range numbers {
			if !sip.ValidE164(n) || slices.Contains(numbers[:i], n) {
				t.Fatalf("accepted %q", n)
			}
		}
	})
}
