package bitrix24test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// Line is an external line of the application (docs/bitrix24.md §5.1).
type Line struct {
	ID            int64
	Number        string
	Name          string
	CRMAutoCreate bool
}

// Lines returns the application's external lines.
func (p *Portal) Lines() []Line {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Line, 0, len(p.lines))
	for _, l := range p.lines {
		out = append(out, *l)
	}
	return out
}

// AddLine creates an external line as if the application had added it.
func (p *Portal) AddLine(l Line) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.addLineLocked(l.Number, l.Name, l.CRMAutoCreate)
}

func (p *Portal) addLineLocked(number, name string, auto bool) *Line {
	l := &Line{ID: p.nextLineID, Number: number, Name: name, CRMAutoCreate: auto}
	p.nextLineID++
	p.lines = append(p.lines, l)
	return l
}

func (p *Portal) lineLocked(number string) *Line {
	for _, l := range p.lines {
		if l.Number == number {
			return l
		}
	}
	return nil
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}

// telephony.externalLine.add → {"ID": 7} (an integer).
func externalLineAdd(c *call) (*result, *apiError) {
	number := strings.TrimSpace(c.params.str("NUMBER"))
	if number == "" {
		return nil, errCore("NUMBER should not be empty")
	}
	if len(number) > 50 {
		number = number[:50]
	}
	if c.p.lineLocked(number) != nil {
		return nil, errCore("Line already exists")
	}
	auto := true
	if c.params.has("CRM_AUTO_CREATE") {
		auto = c.params.str("CRM_AUTO_CREATE") != "N"
	}
	l := c.p.addLineLocked(number, c.params.str("NAME"), auto)
	return &result{value: map[string]any{"ID": l.ID}}, nil
}

// telephony.externalLine.get → [{"NUMBER","NAME","CRM_AUTO_CREATE"}].
func externalLineGet(c *call) (*result, *apiError) {
	out := []any{}
	for _, l := range c.p.lines {
		out = append(out, map[string]any{"NUMBER": l.Number, "NAME": l.Name, "CRM_AUTO_CREATE": yn(l.CRMAutoCreate)})
	}
	return &result{value: out}, nil
}

// telephony.externalLine.update → {"ID": "7"} (a string!).
func externalLineUpdate(c *call) (*result, *apiError) {
	number := strings.TrimSpace(c.params.str("NUMBER"))
	if number == "" {
		return nil, errCore("NUMBER should not be empty")
	}
	l := c.p.lineLocked(number)
	if l == nil {
		return nil, errCore("Could not find line with number " + number)
	}
	if !c.params.has("NAME") && !c.params.has("CRM_AUTO_CREATE") {
		return nil, errCore("There are no fields to update")
	}
	if c.params.has("NAME") {
		l.Name = c.params.str("NAME")
	}
	if c.params.has("CRM_AUTO_CREATE") {
		l.CRMAutoCreate = c.params.str("CRM_AUTO_CREATE") != "N"
	}
	return &result{value: map[string]any{"ID": itoa(l.ID)}}, nil
}

// telephony.externalLine.delete → [].
func externalLineDelete(c *call) (*result, *apiError) {
	number := strings.TrimSpace(c.params.str("NUMBER"))
	for i, l := range c.p.lines {
		if l.Number == number {
			c.p.lines = append(c.p.lines[:i], c.p.lines[i+1:]...)
			return &result{value: []any{}}, nil
		}
	}
	return nil, errCore("Could not find line with number " + number)
}

// Call is a call in the portal's telephony log, as the CRM shows it.
type Call struct {
	CallID         string
	Type           int // 1 outgoing, 2 incoming, 3 incoming redirected, 4 callback, 5 info call
	UserID         int64
	PhoneNumber    string // as stored: stripped
	LineNumber     string
	ExternalCallID string
	CRMEntityType  string
	CRMEntityID    int64
	CRMCreatedLead int64
	StartDate      time.Time
	RegisteredAt   time.Time
	Registrations  int     // register calls answered with this CALL_ID
	ShownTo        []int64 // the users whose card is open now

	Finished     bool
	FinishedAt   time.Time
	FinishedBy   int64
	Duration     int
	StatusCode   string
	FailedReason string
	Cost         float64
	CostCurrency string
	Vote         int
	AddedToChat  bool
	ActivityID   int64 // the CRM call activity created by finish
	StatID       int64
	Records      []Record // attached recordings; the last one counts
}

// Record is a recording attached to a finished call.
type Record struct {
	FileID   int64
	FileName string
	Content  []byte
	Via      string // "base64", "upload" or "url"
	URL      string // RECORD_URL, for Via "url"
}

// Calls returns the telephony log: every registered call, in order.
func (p *Portal) Calls() []Call {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Call, 0, len(p.calls))
	for _, c := range p.calls {
		out = append(out, c.copy())
	}
	return out
}

// CallByID returns one call of the log.
func (p *Portal) CallByID(callID string) (Call, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c := p.findCallLocked(callID); c != nil {
		return c.copy(), true
	}
	return Call{}, false
}

func (c *Call) copy() Call {
	cc := *c
	cc.ShownTo = append([]int64(nil), c.ShownTo...)
	cc.Records = append([]Record(nil), c.Records...)
	return cc
}

func (p *Portal) findCallLocked(callID string) *Call {
	for _, c := range p.calls {
		if c.CallID == callID {
			return c
		}
	}
	return nil
}

func (p *Portal) newCallLocked(userID int64, phone string, typ int, line, extID string) *Call {
	now := p.nowLocked()
	c := &Call{
		CallID: "externalCall." + md5hex(randomHex(16)) + "." + itoa(now.Unix()),
		Type:   typ, UserID: userID, PhoneNumber: phone, LineNumber: line, ExternalCallID: extID,
		StartDate: now, RegisteredAt: now, Registrations: 1,
	}
	if line != "" && p.lineLocked(line) == nil {
		// register with an unknown LINE_NUMBER creates the line (docs/bitrix24.md §5.1).
		p.addLineLocked(line, "", true)
	}
	p.calls = append(p.calls, c)
	return c
}

func (p *Portal) userFromParamsLocked(ps params) *User {
	if id, ok := ps.int("USER_ID"); ok && id > 0 {
		return p.users[id]
	}
	if inner := ps.str("USER_PHONE_INNER"); inner != "" {
		return p.findUserByInnerLocked(inner)
	}
	return nil
}

// telephony.externalCall.register (docs/bitrix24.md §5.2).
func externalCallRegister(c *call) (*result, *apiError) {
	ps := c.params
	if !ps.has("USER_ID") && !ps.has("USER_PHONE_INNER") {
		return nil, errCore("USER_ID or USER_PHONE_INNER should be set")
	}
	typ, _ := ps.int("TYPE")
	if typ < 1 || typ > 5 {
		return nil, errCore("Unknown TYPE")
	}
	start := c.p.nowLocked()
	if s := ps.str("CALL_START_DATE"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			if t, err = time.Parse("2006-01-02T15:04:05-0700", s); err != nil {
				return nil, errCore("CALL_START_DATE should be in the ISO-8601 format")
			}
		}
		start = t
	}
	phone := stripPhone(ps.str("PHONE_NUMBER"))
	if phone == "" {
		return nil, errCore("Unsupported phone number format")
	}
	u := c.p.userFromParamsLocked(ps)
	if u == nil || !u.Active {
		return nil, errCore("User is not found or is not active")
	}
	line := strings.TrimSpace(ps.str("LINE_NUMBER"))
	ext := ps.str("EXTERNAL_CALL_ID")
	show := !ps.has("SHOW") || truthy(mustLookup(ps, "SHOW"))
	now := c.p.nowLocked()
	// The same call within 30 minutes, not finished, gets the same CALL_ID.
	for _, old := range c.p.calls {
		if !old.Finished && old.UserID == u.ID && old.PhoneNumber == phone && old.Type == int(typ) &&
			old.LineNumber == line && old.ExternalCallID == ext && now.Sub(old.RegisteredAt) < 30*time.Minute {
			old.Registrations++
			if show {
				old.show(u.ID)
			}
			return &result{value: registerResult(old)}, nil
		}
	}
	call := c.p.newCallLocked(u.ID, phone, int(typ), line, ext)
	call.StartDate = start
	et := strings.ToUpper(ps.str("CRM_ENTITY_TYPE"))
	eid, _ := ps.int("CRM_ENTITY_ID")
	if et != "" && eid > 0 && c.p.entities[entityKey(et, eid)] != nil {
		call.CRMEntityType, call.CRMEntityID = et, eid
	} else if found := c.p.searchLocked(phone); len(found) > 0 {
		call.CRMEntityType, call.CRMEntityID = found[0].Type, found[0].ID
	} else if truthy(mustLookup(ps, "CRM_CREATE")) {
		id := c.p.nextEntityID
		c.p.putEntity(Entity{Type: "LEAD", ID: id, Title: "Call from " + phone, AssignedByID: u.ID, Phones: []string{phone}})
		call.CRMEntityType, call.CRMEntityID, call.CRMCreatedLead = "LEAD", id, id
	}
	if show {
		call.show(u.ID)
	}
	return &result{value: registerResult(call)}, nil
}

func registerResult(c *Call) map[string]any {
	var lead, eid any
	created := []any{}
	if c.CRMCreatedLead > 0 {
		lead = c.CRMCreatedLead
		created = append(created, map[string]any{"ENTITY_TYPE": "LEAD", "ENTITY_ID": c.CRMCreatedLead})
	}
	if c.CRMEntityID > 0 {
		eid = c.CRMEntityID
	}
	return map[string]any{"CALL_ID": c.CallID, "CRM_CREATED_LEAD": lead, "CRM_CREATED_ENTITIES": created,
		"CRM_ENTITY_TYPE": c.CRMEntityType, "CRM_ENTITY_ID": eid}
}

func (c *Call) show(uid int64) {
	for _, u := range c.ShownTo {
		if u == uid {
			return
		}
	}
	c.ShownTo = append(c.ShownTo, uid)
}

func (c *Call) hide(uid int64) {
	for i, u := range c.ShownTo {
		if u == uid {
			c.ShownTo = append(c.ShownTo[:i], c.ShownTo[i+1:]...)
			return
		}
	}
}

// errCallNotFound is finish's answer for an unknown or finished call: the
// error code comes back empty (docs/bitrix24.md §4.2, §9 item 11).
var errCallNotFound = &apiError{http.StatusBadRequest, "", "Call is not found (call should be registered prior to finishing)"}

// telephony.externalCall.finish (docs/bitrix24.md §5.3).
func externalCallFinish(c *call) (*result, *apiError) {
	ps := c.params
	if ps.has("CALL_ID") && !ps.isString("CALL_ID") {
		return nil, errArg("INVALID_ARGUMENT", "CALL_ID must be a string")
	}
	if !ps.has("USER_ID") && !ps.has("USER_PHONE_INNER") {
		return nil, errCore("USER_ID or USER_PHONE_INNER should be set")
	}
	call := c.p.findCallLocked(ps.str("CALL_ID"))
	if call == nil || call.Finished {
		return nil, errCallNotFound
	}
	u := c.p.userFromParamsLocked(ps)
	if u == nil || !u.Active {
		return nil, errCore("User is not found or is not active")
	}
	dur, _ := ps.int("DURATION")
	status := ps.str("STATUS_CODE")
	if status == "" {
		status = "304"
		if dur > 0 {
			status = "200"
		}
	}
	vote, _ := ps.int("VOTE")
	call.Finished, call.FinishedAt, call.FinishedBy = true, c.p.nowLocked(), u.ID
	call.Duration, call.StatusCode, call.FailedReason, call.Vote = int(dur), status, ps.str("FAILED_REASON"), int(vote)
	if cost := ps.str("COST"); cost != "" {
		var f float64
		_ = json.Unmarshal([]byte(cost), &f)
		call.Cost = f
	}
	call.CostCurrency = ps.str("COST_CURRENCY")
	call.AddedToChat = !ps.has("ADD_TO_CHAT") || truthy(mustLookup(ps, "ADD_TO_CHAT"))
	call.hide(u.ID)
	call.ShownTo = nil
	c.p.nextID++
	call.ActivityID = c.p.nextID
	c.p.nextID++
	call.StatID = c.p.nextID
	if url := ps.str("RECORD_URL"); url != "" {
		c.p.nextID++
		call.Records = append(call.Records, Record{FileID: c.p.nextID, FileName: path.Base(url), Via: "url", URL: url})
	}
	callStatus := 0
	if dur > 0 {
		callStatus = 1
	}
	var ext, comment any
	if call.ExternalCallID != "" {
		ext = call.ExternalCallID
	}
	portalNumber := call.LineNumber
	if portalNumber == "" {
		portalNumber = "REST_APP:1"
	}
	var eid any
	if call.CRMEntityID > 0 {
		eid = call.CRMEntityID
	}
	// finish fires ONVOXIMPLANTCALLEND too (docs/bitrix24.md §7.4).
	outs := c.p.outgoingLocked(EventVoxCallEnd, c.p.callEndDataLocked(call.CallID, call.Type, call.PhoneNumber, portalNumber,
		u.ID, call.StartDate, VoxEnd{Code: status, Duration: int(dur), Reason: call.FailedReason}), 0)
	if len(outs) > 0 {
		c.p.later(func(ctx context.Context) { _, _ = c.p.deliver(ctx, EventVoxCallEnd, outs) })
	}
	return &result{value: map[string]any{
		"CALL_ID": call.CallID, "EXTERNAL_CALL_ID": ext, "PORTAL_USER_ID": u.ID, "PHONE_NUMBER": call.PhoneNumber,
		"PORTAL_NUMBER": portalNumber, "INCOMING": itoa(int64(call.Type)), "CALL_DURATION": dur,
		"CALL_START_DATE": bxDate{}, "CALL_STATUS": callStatus, "CALL_VOTE": vote, "COST": call.Cost,
		"COST_CURRENCY": call.CostCurrency, "CALL_FAILED_CODE": status, "CALL_FAILED_REASON": call.FailedReason,
		"REST_APP_ID": "1", "REST_APP_NAME": "callbackline", "CRM_ACTIVITY_ID": call.ActivityID, "COMMENT": comment,
		"CRM_ENTITY_TYPE": call.CRMEntityType, "CRM_ENTITY_ID": eid, "ID": call.StatID,
	}}, nil
}

// telephony.externalCall.show / hide (docs/bitrix24.md §5.4): true, or false when
// the call is not found.
func externalCallShowHide(show bool) func(c *call) (*result, *apiError) {
	return func(c *call) (*result, *apiError) {
		call := c.p.findCallLocked(c.params.str("CALL_ID"))
		if call == nil || call.Finished {
			return &result{value: false}, nil
		}
		users := []int64{call.UserID}
		if c.params.has("USER_ID") {
			users = nil
			for _, v := range c.params.list("USER_ID") {
				if id, ok := (params{"x": v}).int("x"); ok {
					users = append(users, id)
				}
			}
		}
		for _, u := range users {
			if show {
				call.show(u)
			} else {
				call.hide(u)
			}
		}
		return &result{value: true}, nil
	}
}

func recordExtOK(name string) bool {
	ext := strings.ToLower(path.Ext(name))
	return ext == ".wav" || ext == ".mp3"
}

// telephony.externalCall.attachRecord (docs/bitrix24.md §5.5).
func externalCallAttachRecord(c *call) (*result, *apiError) {
	ps := c.params
	callID := ps.str("CALL_ID")
	if callID == "" {
		return nil, errCore("Required parameters are not set: CALL_ID")
	}
	call := c.p.findCallLocked(callID)
	if call == nil || !call.Finished {
		return nil, errCore("Call is not found in the statistic table. Looks like it is not finished yet.")
	}
	name := ps.str("FILENAME")
	recURL := ps.str("RECORD_URL")
	if recURL != "" && !ps.has("FILE_CONTENT") {
		if name == "" {
			name = path.Base(strings.SplitN(recURL, "?", 2)[0])
		}
		if !recordExtOK(name) {
			return nil, errCore("Wrong file extension. Only wav and mp3 are allowed")
		}
		if c.recordErr != nil {
			return nil, c.recordErr
		}
		return c.p.attachLocked(call, name, c.record, "url", recURL), nil
	}
	if name == "" {
		return nil, errCore("File name is empty")
	}
	if !recordExtOK(name) {
		return nil, errCore("Wrong file extension. Only wav and mp3 are allowed")
	}
	if ps.has("FILE_CONTENT") {
		enc := ps.str("FILE_CONTENT")
		if enc == "" {
			return nil, errCore("File content is empty.")
		}
		data, err := base64.StdEncoding.Strict().DecodeString(enc)
		if err != nil {
			return nil, errCore("File content is not properly encoded. Base64 encoding is expected.")
		}
		if len(data) == 0 {
			return nil, errCore("File content is empty.")
		}
		return c.p.attachLocked(call, name, data, "base64", ""), nil
	}
	tok := randomHex(16)
	c.p.uploads[tok] = callID + "\x00" + name
	up := c.p.currentLocked().URL + "/rest/upload.json?auth=" + URLEncode(c.c.token) + "&token=" + tok
	return &result{value: map[string]any{"uploadUrl": up, "fieldName": "file"}}, nil
}

func (p *Portal) attachLocked(call *Call, name string, data []byte, via, url string) *result {
	p.nextID++
	// Calling again replaces the record: the last one counts.
	call.Records = append(call.Records, Record{FileID: p.nextID, FileName: name, Content: data, Via: via, URL: url})
	return &result{value: map[string]any{"FILE_ID": p.nextID}}
}

// download fetches RECORD_URL for attachRecord, as the portal does.
func (p *Portal) download(r *http.Request, u string) ([]byte, *apiError) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, u, nil)
	if err != nil {
		return nil, errCore("Server returns HTTP error code 0")
	}
	resp, err := p.httpc.Do(req)
	if err != nil {
		return nil, errCore("Server returns HTTP error code 0")
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, errCore("Server returns HTTP error code " + itoa(int64(resp.StatusCode)))
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, errCore("Server returns HTTP error code 0")
	}
	return b, nil
}

// serveUpload takes the multipart POST to an attachRecord uploadUrl: the
// file in field "file".
func (p *Portal) serveUpload(w http.ResponseWriter, r *http.Request, body []byte, rec Request) {
	q := r.URL.Query()
	rec.Token = q.Get("auth")
	p.mu.Lock()
	c, aerr := p.authLocked(q.Get("auth"))
	target, ok := p.uploads[q.Get("token")]
	p.mu.Unlock()
	if aerr != nil {
		p.answer(w, rec, nil, aerr, nil)
		return
	}
	_ = c
	if !ok {
		p.answer(w, rec, nil, errArg("ERROR_UPLOAD", "Upload token is invalid"), nil)
		return
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		p.answer(w, rec, nil, errArg("ERROR_UPLOAD", "multipart/form-data is expected"), nil)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err := r.ParseMultipartForm(64 << 20); err != nil {
		p.answer(w, rec, nil, errArg("ERROR_UPLOAD", err.Error()), nil)
		return
	}
	f, _, err := r.FormFile("file")
	if err != nil {
		p.answer(w, rec, nil, errCore("File content is empty."), nil)
		return
	}
	data, _ := io.ReadAll(f)
	f.Close()
	if len(data) == 0 {
		p.answer(w, rec, nil, errCore("File content is empty."), nil)
		return
	}
	callID, name, _ := strings.Cut(target, "\x00")
	p.mu.Lock()
	delete(p.uploads, q.Get("token"))
	call := p.findCallLocked(callID)
	var res *result
	if call != nil {
		res = p.attachLocked(call, name, data, "upload", "")
	}
	p.mu.Unlock()
	if res == nil {
		p.answer(w, rec, nil, errCore("Call is not found in the statistic table. Looks like it is not finished yet."), nil)
		return
	}
	p.answer(w, rec, res, nil, nil)
}

// telephony.externalCall.searchCrmEntities (docs/bitrix24.md §5.6).
func externalCallSearchCrmEntities(c *call) (*result, *apiError) {
	phone := c.params.str("PHONE_NUMBER")
	if phone == "" {
		return nil, errCore("PHONE_NUMBER is empty")
	}
	out := []any{}
	for _, e := range c.p.searchLocked(phone) {
		a := map[string]any{"ID": e.AssignedByID, "TIMEMAN_STATUS": "NOT_INSTALLED", "USER_PHONE_INNER": "",
			"WORK_PHONE": "", "PERSONAL_PHONE": "", "PERSONAL_MOBILE": ""}
		if u := c.p.users[e.AssignedByID]; u != nil {
			st := u.Timeman
			if st == "" {
				st = "CLOSED"
			}
			a["TIMEMAN_STATUS"], a["USER_PHONE_INNER"], a["WORK_PHONE"] = st, u.PhoneInner, u.WorkPhone
			a["PERSONAL_PHONE"], a["PERSONAL_MOBILE"] = u.PersonalPhone, u.PersonalMobile
		}
		out = append(out, map[string]any{"CRM_ENTITY_TYPE": e.Type, "CRM_ENTITY_ID": e.ID,
			"ASSIGNED_BY_ID": itoa(e.AssignedByID), "NAME": e.displayName(), "ASSIGNED_BY": a})
	}
	return &result{value: out}, nil
}

// Voices is voximplant.tts.voices.get's answer (docs/bitrix24.md §7.2).
var Voices = map[string]string{
	"auenglishfemale": "Australian English Female", "brportuguesefemale": "Brazilian Portuguese Female",
	"caenglishfemale": "Canadian English Female", "cafrenchfemale": "Canadian French Female",
	"cafrenchmale": "Canadian French Male", "chchinesefemale": "Chinese Female", "chchinesemale": "Chinese Male",
	"eurcatalanfemale": "Catalan Female", "eurczechfemale": "Czech Female", "eurdanishfemale": "Danish Female",
	"eurdutchfemale": "Dutch Female", "eurfinnishfemale": "Finnish Female", "eurfrenchfemale": "French Female",
	"eurfrenchmale": "French Male", "eurgermanfemale": "German Female", "eurgermanmale": "German Male",
	"euritalianfemale": "Italian Female", "euritalianmale": "Italian Male", "eurnorwegianfemale": "Norwegian Female",
	"eurpolishfemale": "Polish Female", "eurportuguesefemale": "Portuguese Female", "eurportuguesemale": "Portuguese Male",
	"eurspanishfemale": "Spanish Female", "eurspanishmale": "Spanish Male", "eurturkishfemale": "Turkish Female",
	"eurturkishmale": "Turkish Male", "hkchinesefemale": "Hong Kong Chinese Female", "huhungarianfemale": "Hungarian Female",
	"jpjapanesefemale": "Japanese Female", "jpjapanesemale": "Japanese Male", "krkoreanfemale": "Korean Female",
	"krkoreanmale": "Korean Male", "ruinternalfemale": "Russian Female", "ruinternalmale": "Russian Male",
	"swswedishfemale": "Swedish Female", "twchinesefemale": "Taiwanese Chinese Female", "ukenglishfemale": "British English Female",
	"ukenglishmale": "British English Male", "usenglishfemale": "American English Female", "usenglishmale": "American English Male",
	"usspanishfemale": "American Spanish Female", "usspanishmale": "American Spanish Male",
}

func ttsVoicesGet(c *call) (*result, *apiError) {
	m := make(map[string]any, len(Voices))
	for k, v := range Voices {
		m[k] = v
	}
	return &result{value: m}, nil
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
