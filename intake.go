package callbackline

import (
	"strings"
	"time"
	"unicode/utf8"
)

// NewCallback validates the request for a store and returns the callback
// to keep: state received unless rejected, kind callback unless set,
// CreatedAt now when zero, times in UTC to the microsecond (what every
// store can hold), text as valid UTF-8 without NUL, a rejected one cut
// (Callback.Shrink). ID and the duplicate fields are cleared: the store
// sets them.
func (r IntakeRequest) NewCallback() (Callback, error) {
	if r.Callback == nil {
		return Callback{}, Errorf(EINVALID, "intake: no callback")
	}
	cb := *r.Callback
	if cb.MemberID == "" {
		return cb, Errorf(EINVALID, "intake: no member id")
	}
	switch cb.State {
	case "":
		cb.State = StateReceived
	case StateReceived, StateRejected:
	default:
		return cb, Errorf(EINVALID, "intake: a new callback must be received or rejected, not %q", cb.State)
	}
	if cb.Kind == "" {
		cb.Kind = KindCallback
	}
	if r.DedupWindow < 0 || r.NumberLimit < 0 || r.PortalLimit < 0 {
		return cb, Errorf(EINVALID, "intake: negative window or limit")
	}
	if cb.CreatedAt.IsZero() {
		cb.CreatedAt = time.Now()
	}
	cb.CreatedAt = StoredTime(cb.CreatedAt)
	cb.EventAt = StoredTime(cb.EventAt)
	for _, f := range []*string{&cb.MemberID, &cb.Phone, &cb.PhoneRaw, &cb.Text, &cb.Voice, &cb.CRMEntityType,
		&cb.LineNumber, &cb.CallID, &cb.Reason} {
		*f = CleanText(*f)
	}
	cb.ID, cb.Duplicates, cb.LastDuplicateAt = 0, 0, time.Time{}
	cb.Shrink()
	return cb, nil
}

// DedupNumber is the number part of a callback's de-duplication key: the
// E.164 number, or what the visitor typed when it could not be parsed.
func (c *Callback) DedupNumber() string {
	if c.Phone != "" {
		return c.Phone
	}
	return c.PhoneRaw
}

// CleanText makes s storable in every backend: valid UTF-8 without NUL
// (PostgreSQL refuses both), bad bytes replaced by U+FFFD.
func CleanText(s string) string {
	if utf8.ValidString(s) && !strings.ContainsRune(s, 0) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

// StoredTime is t as stores keep it: UTC, whole microseconds; the zero
// time stays zero.
func StoredTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Truncate(time.Microsecond)
}
