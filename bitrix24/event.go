package bitrix24

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
)

// Event names as Event.Name holds them (upper case; Bitrix24's own spelling
// varies, the comparison does not).
const (
	EventCallbackStart = "ONEXTERNALCALLBACKSTART" // a CRM form asked for a callback
	EventCallStart     = "ONEXTERNALCALLSTART"     // an employee clicked a number (click-to-call)
	EventAppInstall    = "ONAPPINSTALL"            // the application was installed
	EventAppUpdate     = "ONAPPUPDATE"             // the application was updated
	EventAppUninstall  = "ONAPPUNINSTALL"          // the application was uninstalled
	EventAppTest       = "ONAPPTEST"               // event.test: a delivery test
)

// Event is one event as Bitrix24 delivers it to a handler (docs/bitrix24.md §1.2).
// Nothing in it is trusted: check Auth.MemberID and Auth.ApplicationToken
// against the installed portal before acting on it.
type Event struct {
	Name      string    // event, in upper case, e.g. ONEXTERNALCALLBACKSTART
	HandlerID string    // event_handler_id: the bound handler (not an event id; there is none)
	TS        time.Time // ts: when the portal queued the event (UTC); zero if absent
	Data      *Form     // data[…]: the event's own fields; never nil (empty when absent)
	Auth      Auth      // auth[…]
}

// Auth is the auth[…] part of an event (docs/bitrix24.md §1.2). The tokens are
// present only when the event could be tied to a user; member_id, domain,
// the endpoints and application_token are always there.
type Auth struct {
	AccessToken      string    // access_token: OAuth token of the event's user, often absent
	RefreshToken     string    // refresh_token: normally absent (sent with ONAPPINSTALL)
	Scope            string    // scope: granted scopes, comma- (or space-) separated; see Scopes
	Domain           string    // domain: the portal's host
	ServerEndpoint   string    // server_endpoint: https://oauth.bitrix.info/rest/
	ClientEndpoint   string    // client_endpoint: https://<portal>/rest/ (never trust it with a secret)
	MemberID         string    // member_id: the portal's stable id, the tenant key
	Status           string    // status: L, F, D, T, P or S
	ApplicationToken string    // application_token: the secret shared with Bitrix24
	UserID           int64     // user_id: the token's user; 0 if absent
	Expires          time.Time // expires: when AccessToken expires (UTC); zero if absent
	ExpiresIn        int       // expires_in: the token's lifetime in seconds; 0 if absent
}

// Scopes splits Scope at commas and spaces.
func (a Auth) Scopes() []string { return scopeList(a.Scope) }

func scopeList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// emptyForm is the Data of events without data; Forms are read-only, so it
// is shared.
var emptyForm = &Form{isMap: true}

// ParseEvent decodes an event body. contentType is the request's
// Content-Type (parameters such as "; charset=utf-8" are allowed; the body
// is taken as UTF-8 whatever they say): application/x-www-form-urlencoded,
// as Bitrix24 sends, or application/json (also any "+json" type), decoded
// by DecodeJSONForm into the same tree.
//
// Errors: another media type is EUNSUPPORTED; a body that does not decode,
// or has no event name, or whose envelope fields are malformed (ts,
// auth[user_id], … not numbers; data or auth not maps) is EINVALID with a
// message that says what is wrong; a body over the decoder's limits is
// ETOOLARGE (see DecodeForm).
func ParseEvent(contentType string, body []byte) (*Event, error) {
	f, err := decodeEventBody(contentType, body)
	if err != nil {
		return nil, err
	}
	return EventFromForm(f)
}

// decodeEventBody decodes body by its media type.
func decodeEventBody(contentType string, body []byte) (*Form, error) {
	mt := contentType
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = mt[:i]
	}
	mt = strings.TrimSpace(mt)
	switch {
	case strings.EqualFold(mt, "application/x-www-form-urlencoded"):
		return DecodeForm(body)
	case strings.EqualFold(mt, "application/json"), len(mt) > 5 && strings.EqualFold(mt[len(mt)-5:], "+json"):
		return DecodeJSONForm(body)
	case mt == "":
		return nil, callbackline.Errorf(callbackline.EUNSUPPORTED,
			"the request has no content type; send application/x-www-form-urlencoded (as Bitrix24 does) or application/json")
	}
	return nil, callbackline.Errorf(callbackline.EUNSUPPORTED,
		"content type %q is not supported; send application/x-www-form-urlencoded (as Bitrix24 does) or application/json", wireClip(mt))
}

// EventFromForm reads an event from a decoded body (see ParseEvent).
func EventFromForm(f *Form) (*Event, error) {
	name, err := topLeaf(f, "event")
	if err != nil {
		return nil, err
	}
	name = strings.ToUpper(strings.TrimSpace(name))
	if name == "" {
		return nil, callbackline.Errorf(callbackline.EINVALID, "the body is not a Bitrix24 event: the field event (the event's name) is missing or empty")
	}
	ev := &Event{Name: name, Data: emptyForm}
	if ev.HandlerID, err = topLeaf(f, "event_handler_id"); err != nil {
		return nil, err
	}
	if ev.TS, err = topUnixTime(f, "ts"); err != nil {
		return nil, err
	}
	if ev.Data, err = topMap(f, "data"); err != nil {
		return nil, err
	}
	auth, err := topMap(f, "auth")
	if err != nil {
		return nil, err
	}
	r := groupReader{f: auth, group: "auth"}
	ev.Auth = Auth{
		AccessToken:      r.str("access_token"),
		RefreshToken:     r.str("refresh_token"),
		Scope:            r.str("scope"),
		Domain:           r.str("domain"),
		ServerEndpoint:   r.str("server_endpoint"),
		ClientEndpoint:   r.str("client_endpoint"),
		MemberID:         r.str("member_id"),
		Status:           r.str("status"),
		ApplicationToken: r.str("application_token"),
		UserID:           r.int("user_id"),
		Expires:          r.time("expires"),
		ExpiresIn:        r.seconds("expires_in"),
	}
	if r.err != nil {
		return nil, r.err
	}
	return ev, nil
}

// CallbackStart is the data of ONEXTERNALCALLBACKSTART (docs/bitrix24.md §6.1).
type CallbackStart struct {
	PhoneNumber   string // PHONE_NUMBER: as the visitor typed it, not normalised; may be empty
	Text          string // TEXT: what to say to the employee; may be empty
	Voice         string // VOICE: Bitrix24 TTS voice id, e.g. ruinternalfemale
	CRMEntityType string // CRM_ENTITY_TYPE: LEAD, CONTACT, COMPANY (as sent); may be empty
	CRMEntityID   int64  // CRM_ENTITY_ID: 0 when empty or "0"
	LineNumber    string // LINE_NUMBER: the external line's NUMBER; "" for the generic line or when absent (old portals)
}

// CallbackStart reads the data of an ONEXTERNALCALLBACKSTART event. It is
// an EINVALID error for another event, for a field that is a map instead
// of a string, and for a CRM_ENTITY_ID that is not a number. The phone
// number is not checked: that is the phone package's job.
func (e *Event) CallbackStart() (CallbackStart, error) {
	if err := e.want(EventCallbackStart); err != nil {
		return CallbackStart{}, err
	}
	r := groupReader{f: e.Data, group: "data"}
	c := CallbackStart{
		PhoneNumber:   r.str("PHONE_NUMBER"),
		Text:          r.str("TEXT"),
		Voice:         r.str("VOICE"),
		CRMEntityType: r.str("CRM_ENTITY_TYPE"),
		CRMEntityID:   r.int("CRM_ENTITY_ID"),
		LineNumber:    r.str("LINE_NUMBER"),
	}
	if r.err != nil {
		return CallbackStart{}, r.err
	}
	return c, nil
}

// CallStart is the data of ONEXTERNALCALLSTART, click-to-call (docs/bitrix24.md §6.2).
// Bitrix24 has registered the call already: finish it with CallID.
type CallStart struct {
	PhoneNumber              string // PHONE_NUMBER: as clicked
	PhoneNumberInternational string // PHONE_NUMBER_INTERNATIONAL: E.164, may be empty
	Extension                string // EXTENSION: often empty
	UserID                   int64  // USER_ID: the employee who clicked
	CallListID               int64  // CALL_LIST_ID: 0 when none
	LineNumber               string // LINE_NUMBER: the external line's NUMBER; "" for the generic line
	IsMobile                 bool   // IS_MOBILE: clicked in the mobile app
	CallID                   string // CALL_ID: the registered call
	CRMEntityType            string // CRM_ENTITY_TYPE: CONTACT, COMPANY, LEAD, … or empty
	CRMEntityID              int64  // CRM_ENTITY_ID: 0 when empty or "0"
}

// CallStart reads the data of an ONEXTERNALCALLSTART event. It is an
// EINVALID error for another event, for a field that is a map instead of a
// string, for USER_ID, CALL_LIST_ID or CRM_ENTITY_ID that are not numbers
// and for an IS_MOBILE other than 0/1 (or N/Y, false/true).
func (e *Event) CallStart() (CallStart, error) {
	if err := e.want(EventCallStart); err != nil {
		return CallStart{}, err
	}
	r := groupReader{f: e.Data, group: "data"}
	c := CallStart{
		PhoneNumber:              r.str("PHONE_NUMBER"),
		PhoneNumberInternational: r.str("PHONE_NUMBER_INTERNATIONAL"),
		Extension:                r.str("EXTENSION"),
		UserID:                   r.int("USER_ID"),
		CallListID:               r.int("CALL_LIST_ID"),
		LineNumber:               r.str("LINE_NUMBER"),
		IsMobile:                 r.flag("IS_MOBILE"),
		CallID:                   r.str("CALL_ID"),
		CRMEntityType:            r.str("CRM_ENTITY_TYPE"),
		CRMEntityID:              r.int("CRM_ENTITY_ID"),
	}
	if r.err != nil {
		return CallStart{}, r.err
	}
	return c, nil
}

// Uninstall is the data of ONAPPUNINSTALL (docs/bitrix24.md §2.4).
type Uninstall struct {
	Clean    bool   // CLEAN is 1: the administrator asked to delete the application's data
	Language string // LANGUAGE_ID
}

// Uninstall reads the data of an ONAPPUNINSTALL event; for other events
// (or odd values) Clean is false.
func (e *Event) Uninstall() Uninstall {
	clean := e.Data.Get("CLEAN")
	return Uninstall{
		Clean:    clean == "1" || strings.EqualFold(clean, "Y"),
		Language: e.Data.Get("LANGUAGE_ID"),
	}
}

// want checks the event's name.
func (e *Event) want(name string) error {
	if e.Name != name {
		return callbackline.Errorf(callbackline.EINVALID, "the event is %s, not %s", wireClip(e.Name), name)
	}
	return nil
}

// topLeaf returns the string under the top-level key; "" when absent, an
// EINVALID error when it is a map.
func topLeaf(f *Form, key string) (string, error) {
	c := f.Child(key)
	if c == nil {
		return "", nil
	}
	if c.isMap {
		return "", callbackline.Errorf(callbackline.EINVALID, "the field %s is a map, not a string", key)
	}
	return c.value, nil
}

// topMap returns the map under the top-level key; the empty form when
// absent or "", an EINVALID error when it is another string.
func topMap(f *Form, key string) (*Form, error) {
	c := f.Child(key)
	if c == nil || c.isMap && c.n == 0 || !c.isMap && c.value == "" {
		return emptyForm, nil
	}
	if !c.isMap {
		return nil, callbackline.Errorf(callbackline.EINVALID, "the field %s is a string, not %s[…] fields", key, key)
	}
	return c, nil
}

// topUnixTime parses the top-level key as unix seconds (a fraction is
// allowed); absent, "" and "0" are the zero time.
func topUnixTime(f *Form, key string) (time.Time, error) {
	s, err := topLeaf(f, key)
	if err != nil {
		return time.Time{}, err
	}
	t, ok := parseWireUnix(s)
	if !ok {
		return time.Time{}, callbackline.Errorf(callbackline.EINVALID, "%s is %q, not a unix time", key, wireClip(s))
	}
	return t, nil
}

// groupReader reads the fields of one group (data or auth), keeping the
// first error, so that a struct can be filled in one expression.
type groupReader struct {
	f     *Form
	group string
	err   error
}

func (r *groupReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = callbackline.Errorf(callbackline.EINVALID, format, args...)
	}
}

// str returns group[key]; "" when absent; an error when it is a map.
func (r *groupReader) str(key string) string {
	c := r.f.Child(key)
	if c == nil {
		return ""
	}
	if c.isMap {
		r.fail("the field %s[%s] is a map, not a string", r.group, key)
		return ""
	}
	return c.value
}

// int parses group[key] as a non-negative integer; "" and absent are 0.
func (r *groupReader) int(key string) int64 {
	s := r.str(key)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		r.fail("%s[%s] is %q, not a number", r.group, key, wireClip(s))
		return 0
	}
	return v
}

// seconds parses group[key] as a duration in seconds of at most 68 years.
func (r *groupReader) seconds(key string) int {
	v := r.int(key)
	if v > math.MaxInt32 {
		r.fail("%s[%s] is out of range", r.group, key)
		return 0
	}
	return int(v)
}

// flag parses group[key] as a boolean: 1/0, Y/N, true/false; "" is false.
func (r *groupReader) flag(key string) bool {
	switch s := r.str(key); strings.ToLower(s) {
	case "", "0", "n", "false":
		return false
	case "1", "y", "true":
		return true
	default:
		r.fail("%s[%s] is %q, not 0 or 1", r.group, key, wireClip(s))
		return false
	}
}

// time parses group[key] as unix seconds; absent, "" and "0" are zero.
func (r *groupReader) time(key string) time.Time {
	s := r.str(key)
	t, ok := parseWireUnix(s)
	if !ok {
		r.fail("%s[%s] is %q, not a unix time", r.group, key, wireClip(s))
	}
	return t
}

// maxWireUnix keeps times within what every store can hold (year 9999).
const maxWireUnix = 253402300799

func parseWireUnix(s string) (time.Time, bool) {
	if s == "" || s == "0" {
		return time.Time{}, true
	}
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		if v < 0 || v > maxWireUnix {
			return time.Time{}, false
		}
		return time.Unix(v, 0).UTC(), true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v >= 0 && v <= maxWireUnix) { // also refuses NaN
		return time.Time{}, false
	}
	sec, frac := math.Modf(v)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}
