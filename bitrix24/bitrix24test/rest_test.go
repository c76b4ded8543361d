package bitrix24test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

type answer struct {
	status int
	raw    string
	body   map[string]any
}

func (a answer) errCode() (string, bool) {
	c, ok := a.body["error"].(string)
	return c, ok
}

// call posts to the portal like any client would: form or JSON.
func post(t *testing.T, p *Portal, method, ctype, body string) answer {
	t.Helper()
	req, _ := http.NewRequest("POST", p.RESTEndpoint()+method+".json", strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := answer{status: resp.StatusCode, raw: string(b)}
	_ = json.Unmarshal(b, &a.body)
	return a
}

func formCall(t *testing.T, p *Portal, method, token string, kv ...string) answer {
	t.Helper()
	ps := P(kv...)
	if token != "" {
		ps = append(P("auth", token), ps...)
	}
	return post(t, p, method, "application/x-www-form-urlencoded", ps.Encode())
}

func jsonCall(t *testing.T, p *Portal, method, token string, params map[string]any) answer {
	t.Helper()
	m := map[string]any{"auth": token}
	for k, v := range params {
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return post(t, p, method, "application/json", string(b))
}

func installed(t *testing.T, opts Options) (*Portal, string) {
	p := New(opts)
	t.Cleanup(p.Close)
	v := p.InstallEvent()
	return p, v.Get("auth[access_token]")
}

func TestRESTAuth(t *testing.T) {
	p, tok := installed(t, Options{})
	if a := formCall(t, p, "user.get", ""); a.status != 401 || a.body["error"] != "NO_AUTH_FOUND" {
		t.Errorf("no token: %d %s", a.status, a.raw)
	}
	if a := formCall(t, p, "user.get", "nope"); a.status != 401 || a.body["error"] != "invalid_token" {
		t.Errorf("bad token: %d %s", a.status, a.raw)
	}
	// Form body with PHP brackets, and the envelope.
	a := formCall(t, p, "user.get", tok, "FILTER[UF_PHONE_INNER]", "101")
	rows, _ := a.body["result"].([]any)
	if a.status != 200 || len(rows) != 1 || a.body["total"] != float64(1) || a.body["time"] == nil {
		t.Fatalf("user.get: %s", a.raw)
	}
	if !strings.Contains(a.raw, `"TIMESTAMP_X":{}`) || !strings.Contains(a.raw, `"ID":"1269"`) {
		t.Errorf("user.get quirks missing: %s", a.raw)
	}
	// Bearer header and access_token parameter work too.
	req, _ := http.NewRequest("POST", p.RESTEndpoint()+"app.info.json", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("bearer: %v %v", resp, err)
	}
	resp.Body.Close()
	// Expiry on the portal's clock.
	p.Advance(time.Hour)
	if a := formCall(t, p, "app.info", tok); a.status != 401 || a.body["error"] != "expired_token" {
		t.Errorf("expired: %d %s", a.status, a.raw)
	}
	// Unknown methods.
	if a := formCall(t, p, "no.such", tok); a.status != 404 || a.body["error"] != "ERROR_METHOD_NOT_FOUND" {
		t.Errorf("unknown: %d %s", a.status, a.raw)
	}
}

func TestRESTScope(t *testing.T) {
	p, tok := installed(t, Options{Scope: "crm"})
	if a := formCall(t, p, "telephony.externalLine.get", tok); a.status != 403 || a.body["error"] != "insufficient_scope" {
		t.Errorf("%d %s", a.status, a.raw)
	}
	if a := formCall(t, p, "event.bind", tok, "event", "ONEXTERNALCALLBACKSTART", "handler", "https://app.example.com/e"); a.body["error"] != "ERROR_EVENT_NOT_FOUND" {
		t.Errorf("event outside scopes: %s", a.raw)
	}
}

func TestRESTTelephonyQuirks(t *testing.T) {
	p, tok := installed(t, Options{})
	a := formCall(t, p, "telephony.externalLine.add", tok, "NUMBER", "4930123456", "NAME", "Berlin")
	if !strings.Contains(a.raw, `"result":{"ID":1}`) {
		t.Errorf("add returns an int: %s", a.raw)
	}
	if a := formCall(t, p, "telephony.externalLine.add", tok, "NUMBER", "4930123456"); a.body["error"] != "ERROR_CORE" || a.body["error_description"] != "Line already exists" {
		t.Errorf("dup: %s", a.raw)
	}
	if a := formCall(t, p, "telephony.externalLine.update", tok, "NUMBER", "4930123456", "NAME", "B"); !strings.Contains(a.raw, `"result":{"ID":"1"}`) {
		t.Errorf("update returns a string: %s", a.raw)
	}
	if a := formCall(t, p, "telephony.externalLine.update", tok, "NUMBER", "4930123456"); a.body["error_description"] != "There are no fields to update" {
		t.Errorf("no fields: %s", a.raw)
	}
	if a := formCall(t, p, "telephony.externalLine.update", tok, "NUMBER", "1", "NAME", "x"); a.body["error_description"] != "Could not find line with number 1" {
		t.Errorf("unknown: %s", a.raw)
	}
	reg := func(ext string) string {
		a := formCall(t, p, "telephony.externalCall.register", tok, "USER_ID", "1269", "PHONE_NUMBER", "+49 (495) 123-45-67", "TYPE", "4", "EXTERNAL_CALL_ID", ext)
		r, _ := a.body["result"].(map[string]any)
		id, _ := r["CALL_ID"].(string)
		if !strings.HasPrefix(id, "externalCall.") || len(strings.Split(id, ".")) != 3 || len(strings.Split(id, ".")[1]) != 32 {
			t.Fatalf("register: %s", a.raw)
		}
		return id
	}
	id := reg("x")
	if reg("x") != id || reg("y") == id {
		t.Error("30-minute de-duplication")
	}
	// attachRecord before finish.
	if a := formCall(t, p, "telephony.externalCall.attachRecord", tok, "CALL_ID", id, "FILENAME", "a.wav", "FILE_CONTENT", "UklGRg=="); !strings.Contains(a.raw, "Looks like it is not finished yet") {
		t.Errorf("attach before finish: %s", a.raw)
	}
	// JSON CALL_ID must be a string.
	if a := jsonCall(t, p, "telephony.externalCall.finish", tok, map[string]any{"CALL_ID": 5, "USER_ID": 1269}); a.body["error"] != "INVALID_ARGUMENT" {
		t.Errorf("numeric CALL_ID: %s", a.raw)
	}
	a = jsonCall(t, p, "telephony.externalCall.finish", tok, map[string]any{"CALL_ID": id, "USER_ID": 1269, "DURATION": 0, "STATUS_CODE": "486"})
	if a.status != 200 || !strings.Contains(a.raw, `"CALL_START_DATE":{}`) || !strings.Contains(a.raw, `"CALL_STATUS":0`) || !strings.Contains(a.raw, `"PORTAL_NUMBER":"REST_APP:1"`) {
		t.Errorf("finish: %s", a.raw)
	}
	a = jsonCall(t, p, "telephony.externalCall.finish", tok, map[string]any{"CALL_ID": id, "USER_ID": 1269})
	if a.status != 400 || !strings.Contains(a.raw, `"error":""`) || a.body["error_description"] != "Call is not found (call should be registered prior to finishing)" {
		t.Errorf("second finish: %d %s", a.status, a.raw)
	}
	for _, c := range []struct{ name, content, want string }{
		{"a.ogg", "UklGRg==", "Wrong file extension. Only wav and mp3 are allowed"},
		{"a.wav", "%%%", "File content is not properly encoded. Base64 encoding is expected."},
		{"", "UklGRg==", "File name is empty"},
	} {
		if a := formCall(t, p, "telephony.externalCall.attachRecord", tok, "CALL_ID", id, "FILENAME", c.name, "FILE_CONTENT", c.content); a.body["error_description"] != c.want {
			t.Errorf("%s: %s", c.name, a.raw)
		}
	}
	a = formCall(t, p, "telephony.externalCall.attachRecord", tok, "CALL_ID", id, "FILENAME", "a.WAV")
	r, _ := a.body["result"].(map[string]any)
	if u, _ := r["uploadUrl"].(string); !strings.HasPrefix(u, p.RESTEndpoint()+"upload.json?auth=") || r["fieldName"] != "file" {
		t.Errorf("upload url: %s", a.raw)
	}
	if c, _ := p.CallByID(id); !c.Finished || c.StatusCode != "486" || c.Duration != 0 {
		t.Errorf("log: %+v", c)
	}
}

func TestRESTEventsAndBatch(t *testing.T) {
	p, tok := installed(t, Options{})
	for _, c := range []struct{ handler, want string }{
		{"http://localhost/e", "ERROR_WRONG_HANDLER_URL"},
		{"ftp://app.example.com/e", "ERROR_UNSUPPORTED_PROTOCOL"},
		{"", "ERROR_ARGUMENT"},
	} {
		if a := formCall(t, p, "event.bind", tok, "event", "ONEXTERNALCALLSTART", "handler", c.handler); a.body["error"] != c.want {
			t.Errorf("%q: %s", c.handler, a.raw)
		}
	}
	if a := formCall(t, p, "event.bind", tok, "event", "onExternalCallStart", "handler", "https://app.example.com/e"); a.raw != "" && !strings.Contains(a.raw, `"result":true`) {
		t.Errorf("bind: %s", a.raw)
	}
	if a := formCall(t, p, "event.bind", tok, "event", "ONEXTERNALCALLSTART", "handler", "https://app.example.com/e"); a.body["error_description"] != "Unable to set event handler: Handler already binded" {
		t.Errorf("rebind: %s", a.raw)
	}
	if a := formCall(t, p, "event.get", tok); !strings.Contains(a.raw, `{"auth_type":"0","event":"ONEXTERNALCALLSTART","handler":"https://app.example.com/e","offline":0}`) {
		t.Errorf("event.get: %s", a.raw)
	}

	// batch: form-encoded cmd, a reference to an earlier result, empty arrays as [].
	a := formCall(t, p, "batch", tok, "halt", "0",
		"cmd[c1]", "user.get?FILTER[UF_PHONE_INNER]=101",
		"cmd[c2]", "im.user.get?ID=$result[c1][0][ID]",
		"cmd[c3]", "batch?cmd[x]=app.info")
	res, _ := a.body["result"].(map[string]any)
	results, _ := res["result"].(map[string]any)
	c2, _ := results["c2"].(map[string]any)
	errs, _ := res["result_error"].(map[string]any)
	if c2["id"] != float64(1269) || errs["c3"] == nil {
		t.Errorf("batch: %s", a.raw)
	}
	a = formCall(t, p, "batch", tok, "cmd[a]", "app.info")
	if !strings.Contains(a.raw, `"result_error":[]`) {
		t.Errorf("empty result_error must be []: %s", a.raw)
	}
	var big []string
	for i := 0; i < 51; i++ {
		big = append(big, "cmd[c"+itoa(int64(i))+"]", "app.info")
	}
	if a := formCall(t, p, "batch", tok, big...); a.body["error"] != "ERROR_BATCH_LENGTH_EXCEEDED" {
		t.Errorf("51 commands: %s", a.raw)
	}
}

func TestRESTLimitFaultsAndDomain(t *testing.T) {
	p, tok := installed(t, Options{Drain: 1, Burst: 3})
	for i := 0; i < 3; i++ {
		if a := formCall(t, p, "app.info", tok); a.status != 200 {
			t.Fatalf("request %d: %s", i, a.raw)
		}
	}
	if a := formCall(t, p, "app.info", tok); a.status != 503 || a.body["error"] != "QUERY_LIMIT_EXCEEDED" {
		t.Fatalf("4th: %d %s", a.status, a.raw)
	}
	time.Sleep(1100 * time.Millisecond)
	if a := formCall(t, p, "app.info", tok); a.status != 200 {
		t.Fatalf("after draining: %s", a.raw)
	}

	p2, tok2 := installed(t, Options{Drain: -1})
	p2.InjectFault("app.info", Fault{Status: 500, Code: "INTERNAL_SERVER_ERROR", Times: 1})
	if a := formCall(t, p2, "app.info", tok2); a.status != 500 {
		t.Errorf("fault: %s", a.raw)
	}
	if a := formCall(t, p2, "app.info", tok2); a.status != 200 {
		t.Errorf("fault once: %s", a.raw)
	}
	p2.InjectFault("*", Fault{Drop: true, Times: 1})
	req, _ := http.NewRequest("POST", p2.RESTEndpoint()+"app.info.json", strings.NewReader("auth="+tok2))
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Error("dropped request answered")
	}

	old := p2.RESTEndpoint()
	moved := p2.ChangeDomain()
	req, _ = http.NewRequest("POST", old+"app.info.json", strings.NewReader("auth="+tok2))
	resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 302 || resp.Header.Get("Location") != moved+"app.info.json" {
		t.Errorf("moved: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	// The OAuth server names the new endpoint.
	rt := p2.InstallEvent().Get("auth[refresh_token]")
	q := url.Values{"grant_type": {"refresh_token"}, "client_id": {p2.ClientID()}, "client_secret": {p2.ClientSecret()}, "refresh_token": {rt}}
	resp, err = http.Get(p2.OAuthServer() + "oauth/token/?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	var ans map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&ans)
	resp.Body.Close()
	if ans["client_endpoint"] != moved || ans["member_id"] != p2.MemberID() {
		t.Errorf("token answer: %v", ans)
	}
}
