package bitrix24_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
)

const (
	wireMember   = "a223c6b9410f85df78e9377d6c4f7213"
	wireAppToken = "51610fefc120afa4b628cc82d6298cce"
	wireOAuth    = "https://oauth.bitrix.info/rest/"
	wireScope    = "telephony,crm,user_basic,im,timeman"
)

func wireUnix(sec int64) time.Time { return time.Unix(sec, 0).UTC() }

// wireEvent is what each example of docs/bitrix24.md §11.1–11.5 decodes to, in both
// its form and its JSON version.
type wireEvent struct {
	event         bitrix24.Event // Data not compared here
	data          string         // wireDump of Data
	callbackStart *bitrix24.CallbackStart
	callStart     *bitrix24.CallStart
	uninstall     bitrix24.Uninstall
}

var wireEvents = map[string]wireEvent{
	"11.1-callbackstart-tokens": {
		event: bitrix24.Event{
			Name: bitrix24.EventCallbackStart, HandlerID: "1053", TS: wireUnix(1773234727),
			Auth: bitrix24.Auth{
				AccessToken: "s7p6eclrvim9da28dt9ch94ekreb52sv", Scope: wireScope, Domain: "example.bitrix24.de",
				ServerEndpoint: wireOAuth, ClientEndpoint: "https://example.bitrix24.de/rest/", MemberID: wireMember,
				Status: "L", ApplicationToken: wireAppToken, UserID: 1, Expires: wireUnix(1773238327), ExpiresIn: 3600,
			},
		},
		data: `{"PHONE_NUMBER":"+494951234567","TEXT":"Callback requested from the website, connecting you with the client",` +
			`"VOICE":"eurgermanfemale","CRM_ENTITY_TYPE":"LEAD","CRM_ENTITY_ID":"5785","LINE_NUMBER":"4930123456"}`,
		callbackStart: &bitrix24.CallbackStart{
			PhoneNumber: "+494951234567", Text: "Callback requested from the website, connecting you with the client",
			Voice: "eurgermanfemale", CRMEntityType: "LEAD", CRMEntityID: 5785, LineNumber: "4930123456",
		},
	},
	"11.2-callbackstart-anonymous": {
		event: bitrix24.Event{
			Name: bitrix24.EventCallbackStart, HandlerID: "1053", TS: wireUnix(1773234800),
			Auth: bitrix24.Auth{
				Domain: "example.bitrix24.ru", ServerEndpoint: wireOAuth, ClientEndpoint: "https://example.bitrix24.ru/rest/",
				MemberID: wireMember, ApplicationToken: wireAppToken,
			},
		},
		data: `{"PHONE_NUMBER":"+7 (495) 123-45-67","TEXT":"","VOICE":"ruinternalfemale","CRM_ENTITY_TYPE":"CONTACT",` +
			`"CRM_ENTITY_ID":"797","LINE_NUMBER":""}`,
		callbackStart: &bitrix24.CallbackStart{
			PhoneNumber: "+7 (495) 123-45-67", Voice: "ruinternalfemale", CRMEntityType: "CONTACT", CRMEntityID: 797,
		},
	},
	"11.3-appinstall": {
		event: bitrix24.Event{
			Name: bitrix24.EventAppInstall, HandlerID: "1", TS: wireUnix(1762089975),
			Auth: bitrix24.Auth{
				AccessToken: "6e1b0c6900703a8b0044d3b600000001000007a1b2c3d4e5f6", RefreshToken: "5e9a336900703a8b0044d3b600000001000007f0e1d2c3b4a5",
				Scope: wireScope, Domain: "example.bitrix24.de", ServerEndpoint: wireOAuth,
				ClientEndpoint: "https://example.bitrix24.de/rest/", MemberID: wireMember, Status: "L",
				ApplicationToken: wireAppToken, UserID: 1, Expires: wireUnix(1762093575), ExpiresIn: 3600,
			},
		},
		data:      `{"VERSION":"1","ACTIVE":"Y","INSTALLED":"Y","LANGUAGE_ID":"de"}`,
		uninstall: bitrix24.Uninstall{Language: "de"},
	},
	"11.4-appuninstall": {
		event: bitrix24.Event{
			Name: bitrix24.EventAppUninstall, HandlerID: "1061", TS: wireUnix(1773300000),
			Auth: bitrix24.Auth{
				Domain: "example.bitrix24.de", ServerEndpoint: wireOAuth, ClientEndpoint: "https://example.bitrix24.de/rest/",
				MemberID: wireMember, ApplicationToken: wireAppToken,
			},
		},
		data:      `{"LANGUAGE_ID":"de","CLEAN":"1"}`,
		uninstall: bitrix24.Uninstall{Clean: true, Language: "de"},
	},
	"11.5-callstart": {
		event: bitrix24.Event{
			Name: bitrix24.EventCallStart, HandlerID: "1055", TS: wireUnix(1773236988),
			Auth: bitrix24.Auth{
				AccessToken: "s7p6eclrvim9da28dt9ch94ekreb52sv", Scope: wireScope, Domain: "example.bitrix24.de",
				ServerEndpoint: wireOAuth, ClientEndpoint: "https://example.bitrix24.de/rest/", MemberID: wireMember,
				Status: "L", ApplicationToken: wireAppToken, UserID: 1269, Expires: wireUnix(1773240588), ExpiresIn: 3600,
			},
		},
		data: `{"PHONE_NUMBER":"+494951234567","PHONE_NUMBER_INTERNATIONAL":"+494951234567","EXTENSION":"","USER_ID":"1269",` +
			`"CALL_LIST_ID":"0","LINE_NUMBER":"4930123456","IS_MOBILE":"0",` +
			`"CALL_ID":"externalCall.89350264e026dace3f2b14d1f438257c.1773236989","CRM_ENTITY_TYPE":"CONTACT","CRM_ENTITY_ID":"797"}`,
		callStart: &bitrix24.CallStart{
			PhoneNumber: "+494951234567", PhoneNumberInternational: "+494951234567", UserID: 1269,
			LineNumber: "4930123456", CallID: "externalCall.89350264e026dace3f2b14d1f438257c.1773236989",
			CRMEntityType: "CONTACT", CRMEntityID: 797,
		},
	},
}

func TestParseEventWireExamples(t *testing.T) {
	for base, want := range wireEvents {
		for _, name := range []string{base + ".http", base + ".json.http"} {
			t.Run(name, func(t *testing.T) {
				req := wireLoad(t, name)
				ev, err := bitrix24.ParseEvent(req.ContentType, req.Body)
				if err != nil {
					t.Fatal(err)
				}
				if got := wireDump(ev.Data); got != want.data {
					t.Errorf("Data\n got %s\nwant %s", got, want.data)
				}
				got := *ev
				got.Data = nil
				if !reflect.DeepEqual(got, want.event) {
					t.Errorf("event\n got %+v\nwant %+v", got, want.event)
				}
				if got.Auth.Scopes() == nil && got.Auth.Scope != "" {
					t.Error("no scopes")
				}

				cs, err := ev.CallbackStart()
				if want.callbackStart != nil {
					if err != nil {
						t.Errorf("CallbackStart: %v", err)
					} else if cs != *want.callbackStart {
						t.Errorf("CallbackStart\n got %+v\nwant %+v", cs, *want.callbackStart)
					}
				} else {
					wireCode(t, err, callbackline.EINVALID, nil)
				}
				c, err := ev.CallStart()
				if want.callStart != nil {
					if err != nil {
						t.Errorf("CallStart: %v", err)
					} else if c != *want.callStart {
						t.Errorf("CallStart\n got %+v\nwant %+v", c, *want.callStart)
					}
				} else {
					wireCode(t, err, callbackline.EINVALID, nil)
				}
				if u := ev.Uninstall(); u != want.uninstall {
					t.Errorf("Uninstall = %+v, want %+v", u, want.uninstall)
				}
			})
		}
	}
}

// TestParseEventAnonymousCallback spells out the two facts of docs/bitrix24.md §11.2 that the
// intake relies on.
func TestParseEventAnonymousCallback(t *testing.T) {
	req := wireLoad(t, "11.2-callbackstart-anonymous.http")
	ev, err := bitrix24.ParseEvent(req.ContentType, req.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := ev.Data.Get("PHONE_NUMBER"); got != "+7 (495) 123-45-67" {
		t.Errorf("PHONE_NUMBER = %q", got)
	}
	if got, ok := ev.Data.Lookup("LINE_NUMBER"); !ok || got != "" {
		t.Errorf("LINE_NUMBER = %q, %v; want present and empty", got, ok)
	}
	if ev.Auth.AccessToken != "" || !ev.Auth.Expires.IsZero() || ev.Auth.UserID != 0 {
		t.Errorf("tokens in an anonymous event: %+v", ev.Auth)
	}
}

func TestParseEventContentTypes(t *testing.T) {
	form := []byte("event=ONAPPTEST&data%5BQUERY%5D%5Bping%5D=1&data%5BLANGUAGE_ID%5D=en")
	json := []byte(`{"event":"ONAPPTEST","data":{"QUERY":{"ping":1},"LANGUAGE_ID":"en"}}`)
	for _, tc := range []struct {
		ct   string
		body []byte
		code string
	}{
		{"application/x-www-form-urlencoded", form, ""},
		{"application/x-www-form-urlencoded; charset=UTF-8", form, ""},
		{" Application/X-WWW-Form-Urlencoded ;charset=utf-8", form, ""},
		{"application/json", json, ""},
		{"application/json; charset=utf-8", json, ""},
		{"APPLICATION/JSON", json, ""},
		{"application/vnd.bitrix24+json", json, ""},
		{"application/json", form, callbackline.EINVALID},
		{"application/x-www-form-urlencoded", json, callbackline.EINVALID}, // decodes, but has no event
		{"", form, callbackline.EUNSUPPORTED},
		{"text/plain", form, callbackline.EUNSUPPORTED},
		{"multipart/form-data; boundary=x", form, callbackline.EUNSUPPORTED},
		{"application/x-www-form-urlencodedx", form, callbackline.EUNSUPPORTED},
		{"+json", json, callbackline.EUNSUPPORTED},
	} {
		ev, err := bitrix24.ParseEvent(tc.ct, tc.body)
		if tc.code != "" {
			if code := callbackline.ErrorCode(err); code != tc.code {
				t.Errorf("ParseEvent(%q, %.20s…): code %q, want %q (%v)", tc.ct, tc.body, code, tc.code, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseEvent(%q): %v", tc.ct, err)
			continue
		}
		if ev.Name != bitrix24.EventAppTest || ev.Data.Get("QUERY", "ping") != "1" || ev.Data.Get("LANGUAGE_ID") != "en" {
			t.Errorf("ParseEvent(%q) = %+v, data %s", tc.ct, ev, wireDump(ev.Data))
		}
		if ev.HandlerID != "" || !ev.TS.IsZero() || ev.Auth != (bitrix24.Auth{}) {
			t.Errorf("ParseEvent(%q): absent fields are not zero: %+v", tc.ct, ev)
		}
	}
}

func TestParseEventNames(t *testing.T) {
	for _, name := range []string{"onExternalCallBackStart", "onexternalcallbackstart", " ONEXTERNALCALLBACKSTART ", "ONEXTERNALCALLBACKSTART"} {
		ev, err := bitrix24.ParseEvent("application/x-www-form-urlencoded", []byte("event="+strings.ReplaceAll(name, " ", "+")+"&data[PHONE_NUMBER]=1"))
		if err != nil {
			t.Fatalf("%q: %v", name, err)
		}
		if ev.Name != bitrix24.EventCallbackStart {
			t.Errorf("%q: Name = %q", name, ev.Name)
		}
		if cs, err := ev.CallbackStart(); err != nil || cs.PhoneNumber != "1" {
			t.Errorf("%q: CallbackStart = %+v, %v", name, cs, err)
		}
	}
}

func TestParseEventInvalid(t *testing.T) {
	for _, tc := range []struct{ body, mention string }{
		{"", "event"},
		{"data[PHONE_NUMBER]=1", "event"},
		{"event=", "event"},
		{"event=+", "event"},
		{"event[x]=ONAPPTEST", "event"},
		{"event=X&event_handler_id[]=1", "event_handler_id"},
		{"event=X&ts=yesterday", "ts"},
		{"event=X&ts=-5", "ts"},
		{"event=X&ts=1e300", "ts"},
		{"event=X&ts=NaN", "ts"},
		{"event=X&data=abc", "data"},
		{"event=X&auth=abc", "auth"},
		{"event=X&auth[user_id]=admin", "auth[user_id]"},
		{"event=X&auth[user_id]=-1", "auth[user_id]"},
		{"event=X&auth[expires]=soon", "auth[expires]"},
		{"event=X&auth[expires_in]=99999999999", "auth[expires_in]"},
		{"event=X&auth[member_id][]=a", "auth[member_id]"},
	} {
		_, err := bitrix24.ParseEvent("application/x-www-form-urlencoded", []byte(tc.body))
		wireCode(t, err, callbackline.EINVALID, nil)
		if msg := callbackline.ErrorMessage(err); !strings.Contains(msg, tc.mention) {
			t.Errorf("ParseEvent(%q): message %q does not name %s", tc.body, msg, tc.mention)
		}
	}
	// Over the decoder's limits: ETOOLARGE, for form and JSON.
	_, err := bitrix24.ParseEvent("application/x-www-form-urlencoded", []byte("event=X&a"+strings.Repeat("[a]", 100)+"=1"))
	wireCode(t, err, callbackline.ETOOLARGE, bitrix24.ErrFormTooDeep)
	_, err = bitrix24.ParseEvent("application/json", []byte(`{"event":"X","a":[`+strings.Repeat(`1,`, 2000)+`1]}`))
	wireCode(t, err, callbackline.ETOOLARGE, bitrix24.ErrFormTooManyFields)
}

func TestEventEnvelopeValues(t *testing.T) {
	ev, err := bitrix24.ParseEvent("application/x-www-form-urlencoded",
		[]byte("event=x&ts=1773234727.25&data=&auth[expires]=0&auth[scope]=crm+telephony,im"))
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Unix(1773234727, 250_000_000).UTC(); !ev.TS.Equal(want) || ev.TS.Location() != time.UTC {
		t.Errorf("TS = %v, want %v", ev.TS, want)
	}
	if ev.Data == nil || ev.Data.Len() != 0 || !ev.Auth.Expires.IsZero() {
		t.Errorf("Data %v, Expires %v", ev.Data, ev.Auth.Expires)
	}
	if got := strings.Join(ev.Auth.Scopes(), "|"); got != "crm|telephony|im" {
		t.Errorf("Scopes = %s", got)
	}
	if ev.Name != "X" {
		t.Errorf("Name = %q", ev.Name)
	}
}

func TestCallbackStartFields(t *testing.T) {
	parse := func(data string) (bitrix24.CallbackStart, error) {
		ev, err := bitrix24.ParseEvent("application/x-www-form-urlencoded", []byte("event=ONEXTERNALCALLBACKSTART"+data))
		if err != nil {
			t.Fatal(err)
		}
		return ev.CallbackStart()
	}
	for data, want := range map[string]bitrix24.CallbackStart{
		"": {},
		"&data[CRM_ENTITY_ID]=&data[LINE_NUMBER]=": {},
		"&data[CRM_ENTITY_ID]=0":                   {},
		"&data[CRM_ENTITY_ID]=42&data[CRM_ENTITY_TYPE]=lead&data[PHONE_NUMBER]=8+(800)&data[EXTRA]=x": {
			CRMEntityID: 42, CRMEntityType: "lead", PhoneNumber: "8 (800)",
		},
	} {
		got, err := parse(data)
		if err != nil || got != want {
			t.Errorf("%q: %+v, %v; want %+v", data, got, err, want)
		}
	}
	for _, data := range []string{"&data[CRM_ENTITY_ID]=abc", "&data[CRM_ENTITY_ID]=-1", "&data[CRM_ENTITY_ID]=1.5",
		"&data[CRM_ENTITY_ID]=99999999999999999999", "&data[PHONE_NUMBER][]=1", "&data[TEXT][a]=b"} {
		_, err := parse(data)
		wireCode(t, err, callbackline.EINVALID, nil)
	}
}

func TestCallStartFields(t *testing.T) {
	parse := func(data string) (bitrix24.CallStart, error) {
		ev, err := bitrix24.ParseEvent("application/x-www-form-urlencoded", []byte("event=OnExternalCallStart"+data))
		if err != nil {
			t.Fatal(err)
		}
		return ev.CallStart()
	}
	for data, want := range map[string]bitrix24.CallStart{
		"":                     {},
		"&data[IS_MOBILE]=1":   {IsMobile: true},
		"&data[IS_MOBILE]=Y":   {IsMobile: true},
		"&data[IS_MOBILE]=N":   {},
		"&data[CALL_LIST_ID]=": {},
		"&data[CALL_LIST_ID]=7&data[USER_ID]=3&data[EXTENSION]=12": {CallListID: 7, UserID: 3, Extension: "12"},
	} {
		got, err := parse(data)
		if err != nil || got != want {
			t.Errorf("%q: %+v, %v; want %+v", data, got, err, want)
		}
	}
	for _, data := range []string{"&data[IS_MOBILE]=2", "&data[USER_ID]=x", "&data[CALL_LIST_ID]=x", "&data[CRM_ENTITY_ID]=x", "&data[CALL_ID][]=x"} {
		_, err := parse(data)
		wireCode(t, err, callbackline.EINVALID, nil)
	}
}

func TestUninstallFields(t *testing.T) {
	for body, want := range map[string]bitrix24.Uninstall{
		"event=ONAPPUNINSTALL": {},
		"event=ONAPPUNINSTALL&data[CLEAN]=0&data[LANGUAGE_ID]=ru": {Language: "ru"},
		"event=ONAPPUNINSTALL&data[CLEAN]=Y":                      {Clean: true},
		"event=ONAPPUNINSTALL&data[CLEAN]=yes":                    {},
		"event=ONAPPUNINSTALL&data[CLEAN][]=1":                    {},
	} {
		ev, err := bitrix24.ParseEvent("application/x-www-form-urlencoded", []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		if got := ev.Uninstall(); got != want {
			t.Errorf("%q: %+v, want %+v", body, got, want)
		}
	}
}

// refusedWell fails t unless err, a parser's refusal of its input, says
// the input is invalid, unsupported or too large, with a message.
func refusedWell(t *testing.T, err error) {
	t.Helper()
	switch code := callbackline.ErrorCode(err); code {
	case callbackline.EINVALID, callbackline.EUNSUPPORTED, callbackline.ETOOLARGE:
	default:
		t.Fatalf("code %q: %v", code, err)
	}
	if callbackline.ErrorMessage(err) == "" {
		t.Fatal("an error without a message")
	}
}

// FuzzParseEvent: ParseEvent never panics, its errors carry a code of the
// domain, and what it accepts is usable.
func FuzzParseEvent(f *testing.F) {
	for _, name := range wireFiles(f) {
		req := wireLoad(f, name)
		f.Add(req.ContentType, req.Body)
	}
	f.Add("application/x-www-form-urlencoded", []byte("event=onappTEST&data[QUERY][a][]=1&ts=1.5&auth[user_id]=0"))
	f.Add("application/json", []byte(`{"event":"ONEXTERNALCALLSTART","data":{"IS_MOBILE":true,"USER_ID":1e2}}`))
	f.Fuzz(func(t *testing.T, ct string, body []byte) {
		ev, err := bitrix24.ParseEvent(ct, body)
		if err != nil {
			refusedWell(t, err)
			return
		}
		if ev.Name == "" || ev.Name != strings.ToUpper(ev.Name) || ev.Data == nil {
			t.Fatalf("accepted a bad event: %+v", ev)
		}
		if _, err := ev.CallbackStart(); err != nil && callbackline.ErrorCode(err) != callbackline.EINVALID {
			t.Fatal(err)
		}
		if _, err := ev.CallStart(); err != nil && callbackline.ErrorCode(err) != callbackline.EINVALID {
			t.Fatal(err)
		}
		_ = ev.Uninstall()
	})
}

func BenchmarkParseEvent(b *testing.B) {
	for _, name := range []string{"11.1-callbackstart-tokens.http", "11.2-callbackstart-anonymous.http", "11.1-callbackstart-tokens.json.http"} {
		req := wireLoad(b, name)
		b.Run(strings.TrimSuffix(name, ".http"), func(b *testing.B) {
			b.SetBytes(int64(len(req.Body)))
			b.ReportAllocs()
			for b.Loop() {
				ev, err := bitrix24.ParseEvent(req.ContentType, req.Body)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := ev.CallbackStart(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
