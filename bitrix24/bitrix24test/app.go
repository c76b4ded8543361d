package bitrix24test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// method is one REST method of the simulated portal.
type method struct {
	scope string
	fn    func(*call) (*result, *apiError)
}

// call is one method invocation; the portal's lock is held.
type call struct {
	p         *Portal
	c         *caller
	params    params
	record    []byte    // attachRecord: the downloaded RECORD_URL
	recordErr *apiError // attachRecord: why the download failed
}

var methods map[string]method

func init() {
	methods = map[string]method{
		"app.info":            {"basic", appInfo},
		"user.admin":          {"basic", userAdmin},
		"event.bind":          {"basic", eventBind},
		"event.unbind":        {"basic", eventUnbind},
		"event.get":           {"basic", eventGet},
		"event.offline.get":   {"basic", eventOfflineGet},
		"event.offline.clear": {"basic", eventOfflineClear},

		"telephony.externalline.add":               {"telephony", externalLineAdd},
		"telephony.externalline.get":               {"telephony", externalLineGet},
		"telephony.externalline.update":            {"telephony", externalLineUpdate},
		"telephony.externalline.delete":            {"telephony", externalLineDelete},
		"telephony.externalcall.register":          {"telephony", externalCallRegister},
		"telephony.externalcall.finish":            {"telephony", externalCallFinish},
		"telephony.externalcall.show":              {"telephony", externalCallShowHide(true)},
		"telephony.externalcall.hide":              {"telephony", externalCallShowHide(false)},
		"telephony.externalcall.attachrecord":      {"telephony", externalCallAttachRecord},
		"telephony.externalcall.searchcrmentities": {"telephony", externalCallSearchCrmEntities},
		"voximplant.tts.voices.get":                {"telephony", ttsVoicesGet},
		"voximplant.line.get":                      {"telephony", voxLineGet},
		"voximplant.statistic.get":                 {"telephony", voxStatisticGet},
		// The core registers it under scope call; its page says telephony
		// (docs/bitrix24.md §7.1).
		"voximplant.callback.start": {"call", voxCallbackStart},

		"crm.item.get":             {"crm", crmItemGet},
		"crm.lead.get":             {"crm", crmLegacyGet("LEAD")},
		"crm.contact.get":          {"crm", crmLegacyGet("CONTACT")},
		"crm.company.get":          {"crm", crmLegacyGet("COMPANY")},
		"crm.deal.get":             {"crm", crmLegacyGet("DEAL")},
		"crm.timeline.comment.add": {"crm", crmTimelineCommentAdd},
		"crm.activity.todo.add":    {"crm", crmActivityTodoAdd},

		"user.get":             {"user_basic", userGet},
		"user.current":         {"user_brief", userCurrent},
		"user.search":          {"user_basic", userSearch},
		"im.user.get":          {"im", imUserGet},
		"im.notify.system.add": {"im", imNotifySystemAdd},
		"timeman.status":       {"timeman", timemanStatus},
	}
}

// app.info (docs/bitrix24.md §2.5).
func appInfo(c *call) (*result, *apiError) {
	return &result{value: map[string]any{
		"ID": 1, "CODE": c.p.opts.ClientID, "VERSION": 1, "STATUS": c.p.opts.AppStatus,
		"INSTALLED": c.p.finished, "PAYMENT_EXPIRED": yn(c.p.paymentRequired), "DAYS": nil,
		"LANGUAGE_ID": c.p.opts.Language, "LICENSE": c.p.opts.Language + "_project",
		"LICENSE_TYPE": "project", "LICENSE_FAMILY": "project",
	}}, nil
}

// user.admin: whether the token's user is an administrator (result true
// or false; docs/bitrix24.md §2.5).
func userAdmin(c *call) (*result, *apiError) {
	u := c.p.users[c.c.userID]
	return &result{value: u != nil && u.Admin}, nil
}

// Handler is an event handler bound with event.bind.
type Handler struct {
	ID       int64
	Event    string // upper case
	Handler  string // URL; "" for offline handlers
	AuthType int64  // user whose token goes into auth; 0: the triggering user
	Offline  bool
	UserID   int64 // who bound it
}

// Handlers returns the bound event handlers.
func (p *Portal) Handlers() []Handler {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Handler, 0, len(p.handlers))
	for _, h := range p.handlers {
		out = append(out, *h)
	}
	return out
}

// eventScopes are the events the portal knows and the scope each needs.
var eventScopes = map[string]string{
	"ONAPPINSTALL": "basic", "ONAPPUNINSTALL": "basic", "ONAPPUPDATE": "basic", "ONAPPTEST": "basic",
	"ONOFFLINEEVENT": "basic", "ONEXTERNALCALLBACKSTART": "telephony", "ONEXTERNALCALLSTART": "telephony",
	"ONVOXIMPLANTCALLINIT": "telephony", "ONVOXIMPLANTCALLSTART": "telephony", "ONVOXIMPLANTCALLEND": "telephony",
	"ONCRMLEADADD": "crm", "ONCRMCONTACTADD": "crm", "ONCRMDEALADD": "crm",
}

// event.bind (docs/bitrix24.md §2.5).
func eventBind(c *call) (*result, *apiError) {
	ev := strings.ToUpper(strings.TrimSpace(c.params.str("event")))
	if ev == "" {
		return nil, errArg("ERROR_ARGUMENT", "Argument 'event' is null or empty")
	}
	scope, ok := eventScopes[ev]
	if !ok || !c.p.hasScopeLocked(scope) {
		return nil, errArg("ERROR_EVENT_NOT_FOUND", "Event not found")
	}
	et := strings.ToLower(c.params.str("event_type"))
	if et == "" {
		et = "online"
	}
	if et != "online" && et != "offline" {
		return nil, errArg("ERROR_ARGUMENT", "Value of argument 'event_type' is invalid")
	}
	admin := c.p.users[c.c.userID] != nil && c.p.users[c.c.userID].Admin
	offline := et == "offline"
	handler := c.params.str("handler")
	if offline {
		if !admin {
			return nil, &apiError{http.StatusForbidden, "ACCESS_DENIED", "Access denied! Admin permissions required"}
		}
		handler = ""
	} else {
		if handler == "" {
			return nil, errArg("ERROR_ARGUMENT", "Argument 'handler' is null or empty")
		}
		u, err := url.Parse(handler)
		if err != nil || u.Host == "" {
			return nil, errArg("ERROR_WRONG_HANDLER_URL", "Wrong handler URL")
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return nil, errArg("ERROR_UNSUPPORTED_PROTOCOL", "Unsupported event handler protocol")
		}
		if !strings.Contains(u.Hostname(), ".") {
			return nil, errArg("ERROR_WRONG_HANDLER_URL", "Wrong handler URL")
		}
	}
	authType, _ := c.params.int("auth_type")
	if authType != 0 && !admin && authType != c.c.userID {
		return nil, &apiError{http.StatusForbidden, "ACCESS_DENIED", "Access denied!"}
	}
	if !admin && authType == 0 {
		authType = c.c.userID // a non-admin's handler always gets their own token
	}
	for _, h := range c.p.handlers {
		if h.Event == ev && h.Handler == handler && h.AuthType == authType && h.Offline == offline {
			return nil, errCore("Unable to set event handler: Handler already binded")
		}
	}
	h := &Handler{ID: c.p.nextHandlerID, Event: ev, Handler: handler, AuthType: authType, Offline: offline, UserID: c.c.userID}
	c.p.nextHandlerID++
	c.p.handlers = append(c.p.handlers, h)
	return &result{value: true}, nil
}

// event.unbind (docs/bitrix24.md §2.5) → {"count": n}.
func eventUnbind(c *call) (*result, *apiError) {
	ev := strings.ToUpper(c.params.str("event"))
	if ev == "" {
		return nil, errArg("ERROR_ARGUMENT", "Argument 'event' is null or empty")
	}
	handler := c.params.str("handler")
	offline := strings.EqualFold(c.params.str("event_type"), "offline")
	authType, hasAuth := c.params.int("auth_type")
	n := 0
	kept := c.p.handlers[:0]
	for _, h := range c.p.handlers {
		if h.Event == ev && h.Handler == handler && h.Offline == offline && (!hasAuth || h.AuthType == authType) {
			n++
			continue
		}
		kept = append(kept, h)
	}
	c.p.handlers = kept
	return &result{value: map[string]any{"count": n}}, nil
}

// event.get (docs/bitrix24.md §2.5): auth_type is a string.
func eventGet(c *call) (*result, *apiError) {
	out := []any{}
	for _, h := range c.p.handlers {
		off := 0
		if h.Offline {
			off = 1
		}
		out = append(out, map[string]any{"event": h.Event, "handler": h.Handler, "auth_type": itoa(h.AuthType), "offline": off})
	}
	return &result{value: out}, nil
}

// OfflineEvent is one entry of the portal's offline event queue (docs/bitrix24.md §1.5).
type OfflineEvent struct {
	ID        int64
	Timestamp time.Time
	Event     string
	Data      Pairs
	MessageID string
	ProcessID string // reserved by event.offline.get with clear=0
}

// Whether Bitrix24 queues telephony events for offline handlers is not
// confirmed (docs/bitrix24.md §12); the simulator queues every event that has an
// offline handler bound.
func (p *Portal) queueOfflineLocked(event string, data Pairs) {
	p.nextID++
	p.offline = append(p.offline, &OfflineEvent{ID: p.nextID, Timestamp: p.nowLocked(), Event: strings.ToUpper(event),
		Data: append(Pairs(nil), data...), MessageID: md5hex(randomHex(8))})
}

// OfflineEvents returns the offline queue.
func (p *Portal) OfflineEvents() []OfflineEvent {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]OfflineEvent, 0, len(p.offline))
	for _, e := range p.offline {
		out = append(out, *e)
	}
	return out
}

// event.offline.get (docs/bitrix24.md §1.5): filter, limit (50), clear (default 1).
func eventOfflineGet(c *call) (*result, *apiError) {
	if u := c.p.users[c.c.userID]; u == nil || !u.Admin {
		return nil, &apiError{http.StatusForbidden, "ACCESS_DENIED", "Access denied! Admin permissions required"}
	}
	limit, ok := c.params.int("limit")
	if !ok || limit <= 0 {
		limit = 50
	}
	clear := !c.params.has("clear") || truthy(mustLookup(c.params, "clear"))
	filter := c.params.sub("filter")
	var picked []*OfflineEvent
	for _, e := range c.p.offline {
		if e.ProcessID != "" {
			continue // reserved by another process
		}
		if filter.has("EVENT_NAME") && !strings.EqualFold(filter.str("EVENT_NAME"), e.Event) {
			continue
		}
		picked = append(picked, e)
		if int64(len(picked)) >= limit {
			break
		}
	}
	var process any
	if !clear && len(picked) > 0 {
		pid := randomHex(16)
		process = pid
		for _, e := range picked {
			e.ProcessID = pid
		}
	}
	events := []any{}
	for _, e := range picked {
		data := map[string]any{}
		for _, kv := range e.Data {
			setBracket(params(data), kv.Key, kv.Value)
		}
		events = append(events, map[string]any{"ID": itoa(e.ID), "TIMESTAMP_X": c.p.dateLocked(e.Timestamp),
			"EVENT_NAME": e.Event, "EVENT_DATA": data, "EVENT_ADDITIONAL": map[string]any{"user_id": "0"}, "MESSAGE_ID": e.MessageID})
	}
	if clear {
		c.p.removeOfflineLocked(picked)
	}
	return &result{value: map[string]any{"process_id": process, "events": events}}, nil
}

func (p *Portal) removeOfflineLocked(rm []*OfflineEvent) {
	drop := map[*OfflineEvent]bool{}
	for _, e := range rm {
		drop[e] = true
	}
	kept := p.offline[:0]
	for _, e := range p.offline {
		if !drop[e] {
			kept = append(kept, e)
		}
	}
	p.offline = kept
}

// event.offline.clear (docs/bitrix24.md §1.5): process_id, optional message_id[].
func eventOfflineClear(c *call) (*result, *apiError) {
	pid := c.params.str("process_id")
	if pid == "" {
		return nil, errArg("ERROR_ARGUMENT", "Argument 'process_id' is null or empty")
	}
	only := map[string]bool{}
	for _, v := range c.params.list("message_id") {
		only[scalarString(v)] = true
	}
	var rm []*OfflineEvent
	for _, e := range c.p.offline {
		if e.ProcessID == pid && (len(only) == 0 || only[e.MessageID]) {
			rm = append(rm, e)
		}
	}
	c.p.removeOfflineLocked(rm)
	return &result{value: true}, nil
}

var (
	resultRef = regexp.MustCompile(`\$result\[([^\]]+)\]((?:\[[^\]]*\])*)`)
	refSeg    = regexp.MustCompile(`\[([^\]]*)\]`)
)

// batchLocked runs "batch" (docs/bitrix24.md §4.4): cmd (key → "method?query"),
// halt; at most 50 commands, no nested batch.
func (p *Portal) batchLocked(c *caller, ps params) (*result, *apiError) {
	cmds, ok := lookup(ps, "cmd")
	if !ok {
		return nil, errArg("ERROR_ARGUMENT", "Argument 'cmd' is null or empty")
	}
	var keys []string
	var values []string
	switch x := cmds.(type) {
	case map[string]any:
		for _, k := range sortedKeys(x) {
			keys = append(keys, k)
			values = append(values, scalarString(x[k]))
		}
	case []any:
		for i, v := range x {
			keys = append(keys, itoa(int64(i)))
			values = append(values, scalarString(v))
		}
	default:
		return nil, errArg("ERROR_ARGUMENT", "Argument 'cmd' must be an array")
	}
	if len(keys) > 50 {
		return nil, errArg("ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded")
	}
	halt := truthy(mustLookup(ps, "halt"))
	results, errs := map[string]any{}, map[string]any{}
	totals, nexts, times := map[string]any{}, map[string]any{}, map[string]any{}
	for i, key := range keys {
		cmd := resultRef.ReplaceAllStringFunc(values[i], func(ref string) string {
			m := resultRef.FindStringSubmatch(ref)
			v := results[m[1]]
			for _, seg := range refSeg.FindAllStringSubmatch(m[2], -1) {
				switch x := v.(type) {
				case map[string]any:
					v = x[seg[1]]
				case []any:
					i, err := strconv.Atoi(seg[1])
					if err != nil || i < 0 || i >= len(x) {
						v = nil
					} else {
						v = x[i]
					}
				default:
					v = nil
				}
			}
			return URLEncode(scalarString(jsonRoundTrip(v)))
		})
		name, query, _ := strings.Cut(cmd, "?")
		name = strings.ToLower(strings.TrimSuffix(strings.TrimSpace(name), ".json"))
		sub := params{}
		for _, kv := range strings.Split(query, "&") {
			k, v, _ := strings.Cut(kv, "=")
			k, err1 := url.QueryUnescape(k)
			v, err2 := url.QueryUnescape(v)
			if err1 == nil && err2 == nil && k != "" {
				setBracket(sub, k, v)
			}
		}
		rec := Request{Time: time.Now(), Server: "batch", Method: name, Params: sub, Token: c.token, Status: http.StatusOK}
		var res *result
		var e *apiError
		switch {
		case name == "batch":
			e = &apiError{http.StatusMethodNotAllowed, "ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage"}
		case methods[name].fn == nil:
			e = errMethodMissing
		default:
			if f := p.takeFaultLocked(name); f != nil && f.apiError() != nil {
				e = f.apiError()
			} else {
				res, e = p.callLocked(c, name, sub, nil, nil)
			}
		}
		if e != nil {
			rec.Status, rec.Error = e.status, e.code
			errs[key] = map[string]any{"error": e.code, "error_description": e.desc}
		} else {
			results[key] = jsonRoundTrip(res.value)
			if res.total != nil {
				totals[key] = *res.total
			}
			if res.next != nil {
				nexts[key] = *res.next
			}
			times[key] = p.timeInfoLocked()
		}
		p.requests = append(p.requests, rec)
		if e != nil && halt {
			break
		}
	}
	return &result{value: map[string]any{
		"result": phpArray(results), "result_error": phpArray(errs), "result_total": phpArray(totals),
		"result_next": phpArray(nexts), "result_time": phpArray(times),
	}}, nil
}

// phpArray is how PHP's json_encode writes an empty array: [] (not {}).
func phpArray(m map[string]any) any {
	if len(m) == 0 {
		return []any{}
	}
	return m
}

func jsonRoundTrip(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// sortedKeys orders batch keys naturally (c2 before c10): a JSON object's
// order is not kept by Go, and references ($result[c2]) need earlier
// commands to run first.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return naturalLess(keys[i], keys[j]) })
	return keys
}

func naturalLess(a, b string) bool {
	pa, na := splitNum(a)
	pb, nb := splitNum(b)
	if pa != pb || na < 0 || nb < 0 {
		if pa == pb {
			return a < b
		}
		return pa < pb
	}
	return na < nb
}

// splitNum splits "c12" into "c" and 12; -1 when there is no number at the end.
func splitNum(s string) (string, int) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if i == len(s) || len(s)-i > 9 {
		return s, -1
	}
	n := 0
	for _, c := range s[i:] {
		n = n*10 + int(c-'0')
	}
	return s[:i], n
}
