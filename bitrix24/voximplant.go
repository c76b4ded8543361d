package bitrix24

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
)

// EventCallEnd is ONVOXIMPLANTCALLEND: a call of the portal ended and its
// statistics record was written (docs/bitrix24.md §7.4). It fires for
// every call of the portal, not only the application's.
const EventCallEnd = "ONVOXIMPLANTCALLEND"

// Errors of voximplant.callback.start (docs/bitrix24.md §7.1), matched by
// errors.Is on an *APIError.
var (
	ErrNoSuchLine  = errors.New("bitrix24: no such Bitrix24 line")
	ErrBadToNumber = errors.New("bitrix24: Bitrix24 refused the number")
)

// StartCallback are voximplant.callback.start's parameters
// (docs/bitrix24.md §7.1).
type StartCallback struct {
	FromLine string // FROM_LINE: a line id of voximplant.line.get, e.g. reg151083
	ToNumber string // TO_NUMBER: the client, E.164
	Text     string // TEXT_TO_PRONOUNCE: spoken to the employee first
	Voice    string // VOICE: a voice id of voximplant.tts.voices.get; "" = the portal language's default
}

// ErrNoCallID says that voximplant.callback.start answered without a
// CALL_ID: Bitrix24 did not dial, because FROM_LINE is an application's
// line and the request went back to that application as
// ONEXTERNALCALLBACKSTART (docs/bitrix24.md §7.1).
var ErrNoCallID = errors.New("bitrix24: voximplant.callback.start placed no call (FROM_LINE is an application's line)")

// StartCallback asks Bitrix24's own telephony to call the employee, speak
// Text, then call the client, and returns the call's CALL_ID. It is never
// replayed: a second start would be a second call. The errors to expect:
// ErrNoSuchLine, ErrBadToNumber, ErrAccessDenied (the application's user
// lacks "Outgoing call — Execute"), ErrScope (scope call not granted) and
// ErrNoCallID.
func (c *Client) StartCallback(ctx context.Context, p *callbackline.Portal, s StartCallback) (string, error) {
	m := map[string]any{"FROM_LINE": s.FromLine, "TO_NUMBER": s.ToNumber, "TEXT_TO_PRONOUNCE": s.Text}
	if s.Voice != "" {
		m["VOICE"] = s.Voice
	}
	var r struct {
		Result Bool `json:"RESULT"`
		CallID Text `json:"CALL_ID"`
	}
	if err := c.Call(ctx, p, "voximplant.callback.start", m, &r, ReplaySafe(false)); err != nil {
		return "", err
	}
	if r.CallID == "" {
		return "", ErrNoCallID
	}
	return string(r.CallID), nil
}

// PortalLine is one of a portal's own Bitrix24 lines: a rented number, a
// SIP connector or a verified caller id (voximplant.line.get).
type PortalLine struct {
	ID   string // LINE_ID, what FROM_LINE takes
	Name string
}

// PortalLines returns the portal's own Bitrix24 lines, sorted by id
// (voximplant.line.get; the application's lines are not among them).
func (c *Client) PortalLines(ctx context.Context, p *callbackline.Portal) ([]PortalLine, error) {
	var m map[string]Text
	if err := c.Call(ctx, p, "voximplant.line.get", nil, &m); err != nil {
		return nil, err
	}
	out := make([]PortalLine, 0, len(m))
	for id, name := range m {
		out = append(out, PortalLine{ID: id, Name: string(name)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// CallRecord is one record of the telephony statistics
// (voximplant.statistic.get, docs/bitrix24.md §7.5); the fields
// callbackline reads.
type CallRecord struct {
	CallID       Text `json:"CALL_ID"`
	PortalNumber Text `json:"PORTAL_NUMBER"`
	PhoneNumber  Text `json:"PHONE_NUMBER"`
	CallType     ID   `json:"CALL_TYPE"`
	UserID       ID   `json:"PORTAL_USER_ID"`
	Duration     ID   `json:"CALL_DURATION"`
	StartDate    Text `json:"CALL_START_DATE"`
	FailedCode   Text `json:"CALL_FAILED_CODE"`
	FailedReason Text `json:"CALL_FAILED_REASON"`
}

// Started is when the call started; zero when the date is not ISO 8601.
func (r CallRecord) Started() time.Time {
	t, err := time.Parse(time.RFC3339, string(r.StartDate))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// CallStatistics returns the first page (50 records) of the statistics
// that filter selects, e.g. {"CALL_ID": id} or {"PHONE_NUMBER": n,
// ">=CALL_START_DATE": t}. A time in filter is sent as ISO 8601.
func (c *Client) CallStatistics(ctx context.Context, p *callbackline.Portal, filter map[string]any) ([]CallRecord, error) {
	f := make(map[string]any, len(filter))
	for k, v := range filter {
		if t, ok := v.(time.Time); ok {
			v = t.Format(time.RFC3339)
		}
		f[k] = v
	}
	var out []CallRecord
	err := c.Call(ctx, p, "voximplant.statistic.get", map[string]any{"FILTER": f, "SORT": "ID", "ORDER": "DESC"}, &out)
	return out, err
}

// CallEnd is the data of ONVOXIMPLANTCALLEND (docs/bitrix24.md §7.4).
type CallEnd struct {
	CallID       string // CALL_ID
	CallType     int64  // CALL_TYPE: 1 outgoing … 4 callback, 5 info call
	PhoneNumber  string // PHONE_NUMBER: the client
	PortalNumber string // PORTAL_NUMBER: the line
	Duration     int    // CALL_DURATION: seconds
	FailedCode   string // CALL_FAILED_CODE: 200, 304, 486, …
	FailedReason string // CALL_FAILED_REASON: text for people
}

// CallEnd reads the data of an ONVOXIMPLANTCALLEND event. It is an
// EINVALID error for another event, an empty CALL_ID, a CALL_DURATION or
// CALL_TYPE that is not a number, or a CALL_FAILED_CODE longer than 16
// characters.
func (e *Event) CallEnd() (CallEnd, error) {
	if err := e.want(EventCallEnd); err != nil {
		return CallEnd{}, err
	}
	r := groupReader{f: e.Data, group: "data"}
	c := CallEnd{
		CallID:       r.str("CALL_ID"),
		CallType:     r.int("CALL_TYPE"),
		PhoneNumber:  r.str("PHONE_NUMBER"),
		PortalNumber: r.str("PORTAL_NUMBER"),
		Duration:     r.seconds("CALL_DURATION"),
		FailedCode:   strings.TrimSpace(r.str("CALL_FAILED_CODE")),
		FailedReason: r.str("CALL_FAILED_REASON"),
	}
	switch {
	case r.err != nil:
		return CallEnd{}, r.err
	case c.CallID == "" || len(c.CallID) > 200:
		return CallEnd{}, callbackline.Errorf(callbackline.EINVALID, "data[CALL_ID] is empty or longer than 200 characters")
	case len(c.FailedCode) > 16:
		return CallEnd{}, callbackline.Errorf(callbackline.EINVALID, "data[CALL_FAILED_CODE] is %q, not a status code", wireClip(c.FailedCode))
	}
	return c, nil
}

// DialerError says in an administrator's words what a failed
// voximplant.* call means and what to do about it; "" when err is none
// of the known refusals.
func DialerError(err error, fromLine string) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, ErrScope):
		return "the portal has not granted the application the scope \"call\" (and \"telephony\"): add them to the application's permissions in Bitrix24 and install it again"
	case errors.Is(err, ErrAccessDenied):
		return "Bitrix24 refused (ACCESS_DENIED): the user who installed the application lacks the telephony permission \"Outgoing call — Execute\" (Telephony → Permissions)"
	case errors.Is(err, ErrNoSuchLine):
		return fmt.Sprintf("Bitrix24 has no line %q: choose one of the portal's own lines (rented number, SIP connector) on the application page, or rent a number or connect a SIP PBX in Bitrix24 Telephony", fromLine)
	case errors.Is(err, ErrBadToNumber):
		return "Bitrix24 refused the client's number as not correct"
	case errors.Is(err, ErrNoCallID):
		return fmt.Sprintf("Bitrix24 did not dial: %q is an application's line, and Bitrix24 sent the request back to the application instead; choose one of the portal's own lines", fromLine)
	}
	return ""
}

// Voice is a text-to-speech voice of the portal (voximplant.tts.voices.get).
type Voice struct {
	ID, Name string
}

// Telephony is what an administrator needs to choose the Bitrix24
// dialer's line and voice: the portal's own lines and voices, and, when
// the portal did not list them, why and what to do.
type Telephony struct {
	Lines   []PortalLine
	Voices  []Voice
	Problem string
	// Missing says what happens because the portal did not grant the
	// scope "call" at its installation (CallScope); "" when it did.
	Missing string
}

// CallScope says what happens on a portal whose granted scopes (from its
// installation, comma- or space-separated) lack "call", which
// voximplant.callback.start needs (docs/bitrix24.md §6.4); "" when call
// is granted or the scopes are not known.
func CallScope(granted string) string {
	list := scopeList(granted)
	if len(list) == 0 || slices.Contains(list, "call") {
		return ""
	}
	return NoCallScope
}

// What Telephony and CallScope say of a portal that did not grant what
// the Bitrix24 dialer needs (the application page says them in its
// language).
const (
	NoCallScope = "the portal has not granted the application the scope \"call\": a line on the Bitrix24 dialer (or its fallback) cannot place calls, " +
		"Bitrix24 answers insufficient_scope and the callback fails; add \"call\" (and \"telephony\") to the application's permissions in Bitrix24 and install it again"
	NoTelephonyScope = "the portal has not granted the application the scope \"telephony\": add it (and \"call\") to the application's permissions in Bitrix24 and install it again"
	LinesDenied      = "Bitrix24 did not list the portal's lines (ACCESS_DENIED): the user who installed the application lacks the telephony permission \"Management of numbers — modification\""
)

// Telephony asks the portal for its own lines and voices.
func (c *Client) Telephony(ctx context.Context, p *callbackline.Portal) Telephony {
	var t Telephony
	lines, err := c.PortalLines(ctx, p)
	switch {
	case errors.Is(err, ErrScope):
		t.Problem = NoTelephonyScope
	case errors.Is(err, ErrAccessDenied):
		t.Problem = LinesDenied
	case err != nil:
		t.Problem = "Bitrix24 did not list the portal's lines: " + err.Error()
	}
	t.Lines = lines
	voices, err := c.TTSVoices(ctx, p)
	if err != nil && t.Problem == "" {
		t.Problem = "Bitrix24 did not list the voices: " + err.Error()
	}
	for id, name := range voices {
		t.Voices = append(t.Voices, Voice{ID: id, Name: name})
	}
	sort.Slice(t.Voices, func(i, j int) bool { return t.Voices[i].ID < t.Voices[j].ID })
	t.Missing = CallScope(p.Scope)
	return t
}
