package bitrix24

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/url"
	"strings"
	"time"

	"github.com/callbackline/callbackline"
)

// Text is a string that Bitrix24 sometimes sends as a number, and empty
// as null or false.
type Text string

// UnmarshalJSON accepts strings, numbers, true/false and null.
func (t *Text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0, string(b) == "null", string(b) == "false", string(b) == "[]", string(b) == "{}":
		*t = ""
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = Text(s)
	default:
		*t = Text(b)
	}
	return nil
}

// Bool is a flag that arrives as true/false, "Y"/"N" or 1/0.
type Bool bool

// UnmarshalJSON accepts true, "Y", "1", 1, "true" as true; anything else as false.
func (v *Bool) UnmarshalJSON(b []byte) error {
	switch strings.ToLower(strings.Trim(string(bytes.TrimSpace(b)), `"`)) {
	case "true", "y", "1", "yes":
		*v = true
	default:
		*v = false
	}
	return nil
}

// Line is an external line of the application (docs/bitrix24.md §5.1): callbackline's
// lines, selectable as a CRM form's callback line.
type Line struct {
	Number        string // NUMBER: what arrives as LINE_NUMBER (≤ 50 characters)
	Name          string
	CRMAutoCreate bool // CRM_AUTO_CREATE
}

func yesNo(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// Lines returns the application's external lines (telephony.externalLine.get).
func (c *Client) Lines(ctx context.Context, p *callbackline.Portal) ([]Line, error) {
	var rows []struct {
		Number        Text `json:"NUMBER"`
		Name          Text `json:"NAME"`
		CRMAutoCreate Bool `json:"CRM_AUTO_CREATE"`
	}
	if err := c.Call(ctx, p, "telephony.externalLine.get", nil, &rows); err != nil {
		return nil, err
	}
	out := make([]Line, 0, len(rows))
	for _, r := range rows {
		out = append(out, Line{Number: string(r.Number), Name: string(r.Name), CRMAutoCreate: bool(r.CRMAutoCreate)})
	}
	return out, nil
}

// AddLine creates an external line and returns its id.
func (c *Client) AddLine(ctx context.Context, p *callbackline.Portal, l Line) (int64, error) {
	var r struct {
		ID ID `json:"ID"`
	}
	err := c.Call(ctx, p, "telephony.externalLine.add",
		map[string]any{"NUMBER": l.Number, "NAME": l.Name, "CRM_AUTO_CREATE": yesNo(l.CRMAutoCreate)}, &r)
	return int64(r.ID), err
}

// UpdateLine changes an external line's name and CRM_AUTO_CREATE and
// returns its id (which Bitrix24 sends as a string here).
func (c *Client) UpdateLine(ctx context.Context, p *callbackline.Portal, l Line) (int64, error) {
	var r struct {
		ID ID `json:"ID"`
	}
	err := c.Call(ctx, p, "telephony.externalLine.update",
		map[string]any{"NUMBER": l.Number, "NAME": l.Name, "CRM_AUTO_CREATE": yesNo(l.CRMAutoCreate)}, &r)
	return int64(r.ID), err
}

// DeleteLine removes an external line.
func (c *Client) DeleteLine(ctx context.Context, p *callbackline.Portal, number string) error {
	return c.Call(ctx, p, "telephony.externalLine.delete", map[string]any{"NUMBER": number}, nil)
}

// CallType is register's TYPE.
type CallType int

// Call types (docs/bitrix24.md §5.2).
const (
	CallOutgoing         CallType = 1
	CallIncoming         CallType = 2
	CallIncomingRedirect CallType = 3
	CallCallback         CallType = 4
	CallInfo             CallType = 5
)

// RegisterCall are telephony.externalCall.register's parameters
// (docs/bitrix24.md §5.2). Show and CRMCreate are always sent as given.
type RegisterCall struct {
	UserID         int64  // or UserPhoneInner
	UserPhoneInner string // the employee's extension
	PhoneNumber    string // the client's number, E.164
	Type           CallType
	CallStartDate  time.Time // zero: now
	CRMCreate      bool
	CRMSource      string
	CRMEntityType  string // CONTACT, COMPANY, LEAD
	CRMEntityID    int64
	Show           bool // push the call card to the user
	LineNumber     string
	ExternalCallID string // unique per attempt: makes register's de-duplication precise
}

func (r RegisterCall) params() map[string]any {
	m := map[string]any{"PHONE_NUMBER": r.PhoneNumber, "TYPE": int(r.Type), "CRM_CREATE": b01(r.CRMCreate), "SHOW": b01(r.Show)}
	if r.UserID != 0 {
		m["USER_ID"] = r.UserID
	}
	if r.UserPhoneInner != "" {
		m["USER_PHONE_INNER"] = r.UserPhoneInner
	}
	if !r.CallStartDate.IsZero() {
		m["CALL_START_DATE"] = r.CallStartDate.Format(time.RFC3339)
	}
	if r.CRMSource != "" {
		m["CRM_SOURCE"] = r.CRMSource
	}
	if r.CRMEntityType != "" && r.CRMEntityID > 0 {
		m["CRM_ENTITY_TYPE"], m["CRM_ENTITY_ID"] = r.CRMEntityType, r.CRMEntityID
	}
	if r.LineNumber != "" {
		m["LINE_NUMBER"] = r.LineNumber
	}
	if r.ExternalCallID != "" {
		m["EXTERNAL_CALL_ID"] = r.ExternalCallID
	}
	return m
}

func b01(b bool) int {
	if b {
		return 1
	}
	return 0
}

// EntityRef names a CRM entity.
type EntityRef struct {
	EntityType string `json:"ENTITY_TYPE"`
	EntityID   ID     `json:"ENTITY_ID"`
}

// Registered is register's result.
type Registered struct {
	CallID             string      `json:"CALL_ID"`
	CRMCreatedLead     ID          `json:"CRM_CREATED_LEAD"`
	CRMCreatedEntities []EntityRef `json:"CRM_CREATED_ENTITIES"`
	CRMEntityType      Text        `json:"CRM_ENTITY_TYPE"`
	CRMEntityID        ID          `json:"CRM_ENTITY_ID"`
	LeadCreationError  Text        `json:"LEAD_CREATION_ERROR"`
}

// RegisterCall registers a call in the portal's telephony (the card, the
// CRM binding). The same parameters within 30 minutes return the same
// CALL_ID, so it is replayed after a network error.
func (c *Client) RegisterCall(ctx context.Context, p *callbackline.Portal, r RegisterCall) (*Registered, error) {
	var out Registered
	if err := c.Call(ctx, p, "telephony.externalCall.register", r.params(), &out); err != nil {
		return nil, err
	}
	if out.CallID == "" {
		return nil, fmt.Errorf("bitrix24 telephony.externalCall.register: no CALL_ID in the answer")
	}
	return &out, nil
}

// FinishCall are telephony.externalCall.finish's parameters (docs/bitrix24.md §5.3).
type FinishCall struct {
	CallID         string
	UserID         int64 // or UserPhoneInner
	UserPhoneInner string
	Duration       int    // seconds; > 0 means the call was answered
	StatusCode     string // 200, 304, 603, 603-S, 403, 404, 486, 484, 503, 480, 402, 423, OTHER; "" lets Bitrix24 choose
	FailedReason   string
	Cost           float64
	CostCurrency   string
	RecordURL      string // deprecated: use AttachRecord
	Vote           int    // 1..5, 0 none
	AddToChat      bool   // always sent as given
}

// Finished is finish's result: the statistics record.
type Finished struct {
	CallID           string `json:"CALL_ID"`
	ExternalCallID   Text   `json:"EXTERNAL_CALL_ID"`
	PortalUserID     ID     `json:"PORTAL_USER_ID"`
	PhoneNumber      Text   `json:"PHONE_NUMBER"`
	PortalNumber     Text   `json:"PORTAL_NUMBER"`
	Incoming         ID     `json:"INCOMING"`
	CallDuration     ID     `json:"CALL_DURATION"`
	CallStatus       ID     `json:"CALL_STATUS"`
	CallVote         ID     `json:"CALL_VOTE"`
	Cost             Float  `json:"COST"`
	CostCurrency     Text   `json:"COST_CURRENCY"`
	CallFailedCode   Text   `json:"CALL_FAILED_CODE"`
	CallFailedReason Text   `json:"CALL_FAILED_REASON"`
	CRMActivityID    ID     `json:"CRM_ACTIVITY_ID"`
	CRMEntityType    Text   `json:"CRM_ENTITY_TYPE"`
	CRMEntityID      ID     `json:"CRM_ENTITY_ID"`
	ID               ID     `json:"ID"`
	Errors           map[string]Text
}

// FinishCall ends a registered call: the CRM call activity, statistics and
// the chat message. It is not idempotent and never replayed: a second
// finish fails with ErrCallNotFound (also when the first one took effect
// but its answer was lost).
func (c *Client) FinishCall(ctx context.Context, p *callbackline.Portal, f FinishCall) (*Finished, error) {
	m := map[string]any{"CALL_ID": f.CallID, "DURATION": f.Duration, "ADD_TO_CHAT": b01(f.AddToChat)}
	if f.UserID != 0 {
		m["USER_ID"] = f.UserID
	}
	if f.UserPhoneInner != "" {
		m["USER_PHONE_INNER"] = f.UserPhoneInner
	}
	if f.StatusCode != "" {
		m["STATUS_CODE"] = f.StatusCode
	}
	if f.FailedReason != "" {
		m["FAILED_REASON"] = f.FailedReason
	}
	if f.Cost != 0 {
		m["COST"] = f.Cost
	}
	if f.CostCurrency != "" {
		m["COST_CURRENCY"] = f.CostCurrency
	}
	if f.RecordURL != "" {
		m["RECORD_URL"] = f.RecordURL
	}
	if f.Vote != 0 {
		m["VOTE"] = f.Vote
	}
	var raw json.RawMessage
	if err := c.Call(ctx, p, "telephony.externalCall.finish", m, &raw); err != nil {
		return nil, err
	}
	var out Finished
	if err := decodeResult("telephony.externalCall.finish", raw, &out); err != nil {
		return nil, err
	}
	var extra struct {
		Errors map[string]Text `json:"ERRORS"`
	}
	if json.Unmarshal(raw, &extra) == nil {
		out.Errors = extra.Errors
	}
	return &out, nil
}

// ShowCall shows the call card to the users (none: the registering user).
// false means the call was not found.
func (c *Client) ShowCall(ctx context.Context, p *callbackline.Portal, callID string, userIDs ...int64) (bool, error) {
	return c.showHide(ctx, p, "telephony.externalCall.show", callID, userIDs)
}

// HideCall hides the call card from the users (none: the registering user).
func (c *Client) HideCall(ctx context.Context, p *callbackline.Portal, callID string, userIDs ...int64) (bool, error) {
	return c.showHide(ctx, p, "telephony.externalCall.hide", callID, userIDs)
}

func (c *Client) showHide(ctx context.Context, p *callbackline.Portal, method, callID string, users []int64) (bool, error) {
	m := map[string]any{"CALL_ID": callID}
	switch len(users) {
	case 0:
	case 1:
		m["USER_ID"] = users[0]
	default:
		m["USER_ID"] = users
	}
	var ok Bool
	err := c.Call(ctx, p, method, m, &ok)
	return bool(ok), err
}

// MaxInlineRecord is the largest recording AttachRecord sends inline as
// base64; larger ones go to the upload address.
const MaxInlineRecord = 2 << 20

// AttachRecord attaches a recording (.wav or .mp3) to a finished call and
// returns the file id: small files inline as base64 (FILE_CONTENT), large
// ones through the uploadUrl that attachRecord gives for a FILENAME alone
// (multipart POST, field "file"). Calling it again replaces the record.
func (c *Client) AttachRecord(ctx context.Context, p *callbackline.Portal, callID, filename string, data []byte) (int64, error) {
	if len(data) <= MaxInlineRecord {
		var r struct {
			FileID ID `json:"FILE_ID"`
		}
		err := c.Call(ctx, p, "telephony.externalCall.attachRecord", map[string]any{
			"CALL_ID": callID, "FILENAME": filename, "FILE_CONTENT": base64.StdEncoding.EncodeToString(data)}, &r)
		return int64(r.FileID), err
	}
	var up struct {
		UploadURL string `json:"uploadUrl"`
		FieldName string `json:"fieldName"`
		FileID    ID     `json:"FILE_ID"`
	}
	if err := c.Call(ctx, p, "telephony.externalCall.attachRecord", map[string]any{"CALL_ID": callID, "FILENAME": filename}, &up); err != nil {
		return 0, err
	}
	if up.UploadURL == "" {
		return 0, fmt.Errorf("bitrix24 attachRecord: no uploadUrl in the answer")
	}
	field := up.FieldName
	if field == "" {
		field = "file"
	}
	// The upload address carries a token: send the file only to the
	// portal's own host.
	uu, err := url.Parse(up.UploadURL)
	if err != nil || (uu.Scheme != "https" && uu.Scheme != "http") {
		return 0, fmt.Errorf("bitrix24 attachRecord: unusable uploadUrl")
	}
	st, err := c.state(p)
	if err != nil {
		return 0, err
	}
	st.mu.Lock()
	host := endpointHost(st.tokens.ClientEndpoint)
	st.mu.Unlock()
	if !strings.EqualFold(uu.Host, host) {
		return 0, fmt.Errorf("bitrix24 attachRecord: uploadUrl points to %s, not to the portal %s", uu.Host, host)
	}
	body := func(string) (io.Reader, string) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		w, _ := mw.CreateFormFile(field, filename)
		_, _ = w.Write(data)
		_ = mw.Close()
		return &buf, mw.FormDataContentType()
	}
	resp, err := c.do(ctx, p, "telephony.externalCall.attachRecord upload", true, body, up.UploadURL)
	if err != nil {
		return 0, err
	}
	var r struct {
		FileID ID `json:"FILE_ID"`
	}
	if err := decodeResult("upload", resp.Result, &r); err != nil {
		return 0, err
	}
	return int64(r.FileID), nil
}

// AttachRecordURL lets the portal download the recording from a URL.
func (c *Client) AttachRecordURL(ctx context.Context, p *callbackline.Portal, callID, recordURL, filename string) (int64, error) {
	m := map[string]any{"CALL_ID": callID, "RECORD_URL": recordURL}
	if filename != "" {
		m["FILENAME"] = filename
	}
	var r struct {
		FileID ID `json:"FILE_ID"`
	}
	err := c.Call(ctx, p, "telephony.externalCall.attachRecord", m, &r)
	return int64(r.FileID), err
}

// CRMMatch is one entity searchCrmEntities found (docs/bitrix24.md §5.6).
type CRMMatch struct {
	CRMEntityType string `json:"CRM_ENTITY_TYPE"`
	CRMEntityID   ID     `json:"CRM_ENTITY_ID"`
	AssignedByID  ID     `json:"ASSIGNED_BY_ID"`
	Name          Text   `json:"NAME"`
	AssignedBy    struct {
		ID             ID   `json:"ID"`
		TimemanStatus  Text `json:"TIMEMAN_STATUS"`
		UserPhoneInner Text `json:"USER_PHONE_INNER"`
		WorkPhone      Text `json:"WORK_PHONE"`
		PersonalPhone  Text `json:"PERSONAL_PHONE"`
		PersonalMobile Text `json:"PERSONAL_MOBILE"`
	} `json:"ASSIGNED_BY"`
}

// SearchCRMEntities finds CRM entities by phone: contacts, then leads, then
// companies, with their responsible employee.
func (c *Client) SearchCRMEntities(ctx context.Context, p *callbackline.Portal, phone string) ([]CRMMatch, error) {
	var out []CRMMatch
	err := c.Call(ctx, p, "telephony.externalCall.searchCrmEntities", map[string]any{"PHONE_NUMBER": phone}, &out)
	return out, err
}

// TTSVoices returns the portal's text-to-speech voices: id → name
// (voximplant.tts.voices.get).
func (c *Client) TTSVoices(ctx context.Context, p *callbackline.Portal) (map[string]string, error) {
	var out map[string]Text
	if err := c.Call(ctx, p, "voximplant.tts.voices.get", nil, &out); err != nil {
		return nil, err
	}
	m := make(map[string]string, len(out))
	for k, v := range out {
		m[k] = string(v)
	}
	return m, nil
}
