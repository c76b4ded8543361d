package bitrix24test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"
)

// EventVoxCallEnd is ONVOXIMPLANTCALLEND (docs/bitrix24.md §7.4).
const EventVoxCallEnd = "ONVOXIMPLANTCALLEND"

// VoxLine is one of the portal's own Bitrix24 lines: a rented number, a
// SIP connector or a verified caller id (voximplant.line.get).
type VoxLine struct {
	ID   string // LINE_ID: reg151083, sip7, …
	Name string
}

// AddVoxLine gives the portal one of its own Bitrix24 lines.
func (p *Portal) AddVoxLine(l VoxLine) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.voxLines = append(p.voxLines, l)
}

// DenyOutgoing takes the telephony permission "Outgoing call — Execute"
// from a user: voximplant.callback.start with their token answers
// ACCESS_DENIED.
func (p *Portal) DenyOutgoing(userID int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.noOutgoing[userID] = true
}

// AllowOutgoing gives the permission back (see DenyOutgoing).
func (p *Portal) AllowOutgoing(userID int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.noOutgoing, userID)
}

// SetBalance says whether the portal's telephony balance pays for calls;
// without one every call placed ends at once with CALL_FAILED_CODE 402.
func (p *Portal) SetBalance(ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.noBalance = !ok
}

// VoxCall is a call placed by voximplant.callback.start.
type VoxCall struct {
	CallID   string
	FromLine string
	ToNumber string
	Text     string
	Voice    string // as sent, else the portal language's default
	UserID   int64  // the user whose token placed it
	Started  time.Time
	Ended    bool
	End      VoxEnd
}

// VoxEnd is how a placed call ended, as its statistics record and
// ONVOXIMPLANTCALLEND tell it.
type VoxEnd struct {
	Code     string // CALL_FAILED_CODE: 200, 304, 486, 603, 603-S, 402, …
	Duration int    // CALL_DURATION, seconds
	Reason   string // CALL_FAILED_REASON
}

// VoxCalls returns the calls placed by voximplant.callback.start, in order.
func (p *Portal) VoxCalls() []VoxCall {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]VoxCall, 0, len(p.voxCalls))
	for _, c := range p.voxCalls {
		out = append(out, *c)
	}
	return out
}

// EndVoxCall ends a placed call: its statistics record is written and,
// unless lost, ONVOXIMPLANTCALLEND is posted to the bound handlers (and
// the error of that delivery returned). A lost event leaves only the
// statistics, as a delivery Bitrix24 dropped would.
func (p *Portal) EndVoxCall(ctx context.Context, callID string, end VoxEnd, lost bool) error {
	p.mu.Lock()
	var c *VoxCall
	for _, v := range p.voxCalls {
		if v.CallID == callID {
			c = v
		}
	}
	if c == nil || c.Ended {
		p.mu.Unlock()
		return fmt.Errorf("bitrix24test: no call %s in progress", callID)
	}
	if end.Reason == "" {
		end.Reason = failedReasons[end.Code]
	}
	c.Ended, c.End = true, end
	p.nextID++
	p.stats = append(p.stats, statRecord{id: p.nextID, callID: c.CallID, line: c.FromLine, phone: c.ToNumber,
		typ: 4, user: c.UserID, start: c.Started, end: end})
	data := p.callEndDataLocked(c.CallID, 4, c.ToNumber, c.FromLine, c.UserID, c.Started, end)
	var outs []outgoing
	if !lost {
		outs = p.outgoingLocked(EventVoxCallEnd, data, 0)
	}
	p.mu.Unlock()
	if lost {
		return nil
	}
	_, err := p.deliver(ctx, EventVoxCallEnd, outs)
	return err
}

// failedReasons are CALL_FAILED_REASON texts for the documented codes.
var failedReasons = map[string]string{
	"200": "", "304": "Call canceled", "603": "Call declined", "603-S": "Decline self", "403": "Forbidden",
	"404": "Invalid number", "486": "Busy", "484": "Destination unavailable", "503": "Destination unavailable",
	"480": "Temporarily unavailable", "402": "Insufficient funds", "423": "Blocked", "OTHER": "Undefined",
}

func (p *Portal) callEndDataLocked(callID string, typ int, phone, line string, user int64, start time.Time, end VoxEnd) Pairs {
	p.nextID++
	return P("CALL_ID", callID, "CALL_TYPE", itoa(int64(typ)), "PHONE_NUMBER", phone, "PORTAL_NUMBER", line,
		"PORTAL_USER_ID", itoa(user), "CALL_DURATION", itoa(int64(end.Duration)),
		"CALL_START_DATE", start.Format(time.RFC3339), "COST", "0", "COST_CURRENCY", "",
		"CALL_FAILED_CODE", end.Code, "CALL_FAILED_REASON", end.Reason, "CRM_ACTIVITY_ID", itoa(p.nextID))
}

// later runs f in the background (events Bitrix24's queue sends after
// the REST call that caused them has answered); Close waits for it.
func (p *Portal) later(f func(ctx context.Context)) {
	p.bg.Add(1)
	go func() {
		defer p.bg.Done()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		f(ctx)
	}()
}

// voximplant.line.get → {"reg151083": "Cloud PBX", …} (docs/bitrix24.md
// §7.3); the application's lines are not among them.
func voxLineGet(c *call) (*result, *apiError) {
	m := map[string]any{}
	for _, l := range c.p.voxLines {
		m[l.ID] = l.Name
	}
	return &result{value: m}, nil
}

func (p *Portal) voxLineLocked(id string) bool {
	for _, l := range p.voxLines {
		if l.ID == id {
			return true
		}
	}
	return false
}

var errAccessDenied = &apiError{http.StatusForbidden, "ACCESS_DENIED", "Access denied!"}

// voximplant.callback.start (docs/bitrix24.md §7.1): scope call, the
// permission "Outgoing call — Execute"; an application's line (REST_APP:…
// or one of its external lines) is not dialled: ONEXTERNALCALLBACKSTART
// goes back to the application and CALL_ID is empty.
func voxCallbackStart(c *call) (*result, *apiError) {
	ps, p := c.params, c.p
	if p.noOutgoing[c.c.userID] {
		return nil, errAccessDenied
	}
	from, to := strings.TrimSpace(ps.str("FROM_LINE")), stripPhone(ps.str("TO_NUMBER"))
	voice := ps.str("VOICE")
	if voice == "" {
		voice = DefaultVoice(p.opts.Language)
	}
	if strings.HasPrefix(strings.ToUpper(from), "REST_APP:") || (from != "" && p.lineLocked(from) != nil) {
		line := from
		if strings.HasPrefix(strings.ToUpper(from), "REST_APP:") {
			line = ""
		}
		data := CallbackRequest{PhoneNumber: ps.str("TO_NUMBER"), Text: ps.str("TEXT_TO_PRONOUNCE"), Voice: voice, LineNumber: line}.Data()
		outs := p.outgoingLocked(EventExternalCallbackStart, data, 0)
		p.later(func(ctx context.Context) { _, _ = p.deliver(ctx, EventExternalCallbackStart, outs) })
		return &result{value: map[string]any{"RESULT": true, "CALL_ID": ""}}, nil
	}
	if !p.voxLineLocked(from) {
		return nil, errCore("Could not find line " + from)
	}
	if len(digits(to)) < 3 {
		return nil, errCore("Phone number is not correct")
	}
	now := p.nowLocked()
	vc := &VoxCall{CallID: "callback." + md5hex(randomHex(16)) + "." + itoa(now.Unix()), FromLine: from, ToNumber: to,
		Text: ps.str("TEXT_TO_PRONOUNCE"), Voice: voice, UserID: c.c.userID, Started: now}
	p.voxCalls = append(p.voxCalls, vc)
	if p.noBalance {
		id := vc.CallID
		p.later(func(ctx context.Context) { _ = p.EndVoxCall(ctx, id, VoxEnd{Code: "402"}, false) })
	}
	return &result{value: map[string]any{"RESULT": true, "CALL_ID": vc.CallID}}, nil
}

// statRecord is one row of the telephony statistics.
type statRecord struct {
	id          int64
	callID      string
	line, phone string
	typ         int
	user        int64
	start       time.Time
	end         VoxEnd
}

func (s statRecord) value() map[string]any {
	return map[string]any{
		"ID": itoa(s.id), "PORTAL_USER_ID": itoa(s.user), "PORTAL_NUMBER": s.line, "PHONE_NUMBER": s.phone,
		"CALL_ID": s.callID, "EXTERNAL_CALL_ID": nil, "CALL_CATEGORY": "external", "CALL_LOG": nil,
		"CALL_DURATION": itoa(int64(s.end.Duration)), "CALL_START_DATE": s.start.Format(time.RFC3339),
		"CALL_RECORD_URL": nil, "CALL_VOTE": nil, "COST": "0.0000", "COST_CURRENCY": "",
		"CALL_FAILED_CODE": s.end.Code, "CALL_FAILED_REASON": s.end.Reason, "CRM_ENTITY_TYPE": nil,
		"CRM_ENTITY_ID": nil, "CRM_ACTIVITY_ID": nil, "REST_APP_ID": nil, "REST_APP_NAME": nil,
		"TRANSCRIPT_ID": nil, "TRANSCRIPT_PENDING": "N", "SESSION_ID": nil, "REDIAL_ATTEMPT": nil,
		"COMMENT": nil, "RECORD_DURATION": nil, "RECORD_FILE_ID": nil, "CALL_TYPE": itoa(int64(s.typ)),
	}
}

// statsLocked are the statistics: the calls placed by the portal's own
// telephony that ended, and the application's calls that were finished.
func (p *Portal) statsLocked() []statRecord {
	out := append([]statRecord(nil), p.stats...)
	for _, c := range p.calls {
		if c.Finished {
			out = append(out, statRecord{id: c.StatID, callID: c.CallID, line: c.LineNumber, phone: c.PhoneNumber,
				typ: c.Type, user: c.FinishedBy, start: c.StartDate,
				end: VoxEnd{Code: c.StatusCode, Duration: c.Duration, Reason: c.FailedReason}})
		}
	}
	return out
}

// matches applies one FILTER key (docs/bitrix24.md §7.5): CALL_ID,
// PHONE_NUMBER, PORTAL_NUMBER, CALL_TYPE, CALL_FAILED_CODE exactly,
// PHONE_NUMBER also with % (a substring, SQL's LIKE), and
// CALL_START_DATE with >=, >, <=, <. Other keys are ignored.
func (s statRecord) matches(key, v string) bool {
	op := strings.TrimRight(key, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_")
	field := key[len(op):]
	switch field {
	case "CALL_ID":
		return s.callID == v
	case "PHONE_NUMBER":
		if op == "%" {
			return strings.Contains(s.phone, v)
		}
		return s.phone == v
	case "PORTAL_NUMBER":
		return s.line == v
	case "CALL_TYPE":
		return itoa(int64(s.typ)) == v
	case "CALL_FAILED_CODE":
		return s.end.Code == v
	case "CALL_START_DATE":
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return false
		}
		switch op {
		case ">=":
			return !s.start.Before(t)
		case ">":
			return s.start.After(t)
		case "<=":
			return !s.start.After(t)
		case "<":
			return s.start.Before(t)
		}
		return s.start.Equal(t)
	}
	return true
}

// voximplant.statistic.get (docs/bitrix24.md §7.5): FILTER, SORT, ORDER,
// start; pages of 50 with total and next.
func voxStatisticGet(c *call) (*result, *apiError) {
	filter := c.params.sub("FILTER")
	var rows []statRecord
	for _, s := range c.p.statsLocked() {
		ok := true
		for k := range filter {
			ok = ok && s.matches(k, filter.str(k))
		}
		if ok {
			rows = append(rows, s)
		}
	}
	desc := strings.EqualFold(c.params.str("ORDER"), "DESC")
	sort.Slice(rows, func(i, j int) bool {
		if desc {
			return rows[i].id > rows[j].id
		}
		return rows[i].id < rows[j].id
	})
	start, _ := c.params.int("start")
	start = max(start, 0)
	total := len(rows)
	out := []any{}
	for i := int(start); i < total && i < int(start)+50; i++ {
		out = append(out, rows[i].value())
	}
	res := &result{value: out, total: &total}
	if n := int(start) + 50; n < total {
		res.next = &n
	}
	return res, nil
}

// LoggedCall is a call of the portal's telephony that did not go through
// the application: the client calling in, or an employee calling the
// client from Bitrix24. LogCall writes its statistics record.
type LoggedCall struct {
	Type     int    // CALL_TYPE: 1 outgoing, 2 incoming, 3 incoming redirected, 4 callback
	Phone    string // PHONE_NUMBER as the portal writes it: "+4930…", "4930…" or national
	Line     string // PORTAL_NUMBER
	UserID   int64  // PORTAL_USER_ID: who answered or called
	Start    time.Time
	Code     string // CALL_FAILED_CODE; "" is 200
	Duration int    // CALL_DURATION, seconds
}

// LogCall writes a call's statistics record (voximplant.statistic.get
// lists it) and returns its CALL_ID.
func (p *Portal) LogCall(c LoggedCall) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c.Code == "" {
		c.Code = "200"
	}
	p.nextID++
	id := fmt.Sprintf("logged.%d.%d", p.nextID, c.Start.Unix())
	p.stats = append(p.stats, statRecord{id: p.nextID, callID: id, line: c.Line, phone: c.Phone, typ: c.Type,
		user: c.UserID, start: c.Start.UTC(), end: VoxEnd{Code: c.Code, Duration: c.Duration, Reason: failedReasons[c.Code]}})
	return id
}
