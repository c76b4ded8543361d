package bitrix24test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
)

// example reads a wire example copied from docs/bitrix24.md §11: the request line
// and the body.
func example(t *testing.T, name string) (requestLine, body string) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name + ".txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(strings.TrimRight(string(b), "\n"), "\n", 2)
	return lines[0], lines[1]
}

const (
	exMember = "a223c6b9410f85df78e9377d6c4f7213"
	exAppTok = "51610fefc120afa4b628cc82d6298cce"
	exScope  = "telephony,crm,user_basic,im,timeman"
	exServer = "https://oauth.bitrix.info/rest/"
)

func TestWireExamples(t *testing.T) {
	de := "example.bitrix24.de"
	cases := []struct {
		name string
		env  Envelope
	}{
		{"callbackstart_tokens", Envelope{
			Event: EventExternalCallbackStart, HandlerID: 1053, TS: 1773234727,
			Data: CallbackRequest{PhoneNumber: "+494951234567", Text: "Callback requested from the website, connecting you with the client",
				Voice: "eurgermanfemale", CRMEntityType: "LEAD", CRMEntityID: "5785", LineNumber: "4930123456"}.Data(),
			Auth: EventAuth{AccessToken: "s7p6eclrvim9da28dt9ch94ekreb52sv", Expires: 1773238327, ExpiresIn: 3600, Scope: exScope,
				Domain: de, ServerEndpoint: exServer, Status: "L", ClientEndpoint: "https://" + de + "/rest/", MemberID: exMember,
				UserID: 1, ApplicationToken: exAppTok},
		}},
		{"callbackstart_anonymous", Envelope{
			Event: EventExternalCallbackStart, HandlerID: 1053, TS: 1773234800,
			Data: CallbackRequest{PhoneNumber: "+7 (495) 123-45-67", Voice: "ruinternalfemale", CRMEntityType: "CONTACT", CRMEntityID: "797"}.Data(),
			Auth: EventAuth{Domain: "example.bitrix24.ru", ClientEndpoint: "https://example.bitrix24.ru/rest/", ServerEndpoint: exServer,
				MemberID: exMember, ApplicationToken: exAppTok},
		}},
		{"appinstall", Envelope{
			Event: EventAppInstall, HandlerID: 1, TS: 1762089975,
			Data: P("VERSION", "1", "ACTIVE", "Y", "INSTALLED", "Y", "LANGUAGE_ID", "de"),
			Auth: EventAuth{AccessToken: "6e1b0c6900703a8b0044d3b600000001000007a1b2c3d4e5f6", Expires: 1762093575, ExpiresIn: 3600,
				Scope: exScope, Domain: de, ServerEndpoint: exServer, Status: "L", ClientEndpoint: "https://" + de + "/rest/",
				MemberID: exMember, UserID: 1, RefreshToken: "5e9a336900703a8b0044d3b600000001000007f0e1d2c3b4a5", ApplicationToken: exAppTok},
		}},
		{"appuninstall", Envelope{
			Event: EventAppUninstall, HandlerID: 1061, TS: 1773300000,
			Data: P("LANGUAGE_ID", "de", "CLEAN", "1"),
			Auth: EventAuth{Domain: de, ServerEndpoint: exServer, ClientEndpoint: "https://" + de + "/rest/", MemberID: exMember, ApplicationToken: exAppTok},
		}},
		{"callstart", Envelope{
			Event: EventExternalCallStart, HandlerID: 1055, TS: 1773236988,
			Data: P("PHONE_NUMBER", "+494951234567", "PHONE_NUMBER_INTERNATIONAL", "+494951234567", "EXTENSION", "", "USER_ID", "1269",
				"CALL_LIST_ID", "0", "LINE_NUMBER", "4930123456", "IS_MOBILE", "0", "CALL_ID", "externalCall.89350264e026dace3f2b14d1f438257c.1773236989",
				"CRM_ENTITY_TYPE", "CONTACT", "CRM_ENTITY_ID", "797"),
			Auth: EventAuth{AccessToken: "s7p6eclrvim9da28dt9ch94ekreb52sv", Expires: 1773240588, ExpiresIn: 3600, Scope: exScope,
				Domain: de, ServerEndpoint: exServer, Status: "L", ClientEndpoint: "https://" + de + "/rest/", MemberID: exMember,
				UserID: 1269, ApplicationToken: exAppTok},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, want := example(t, c.name)
			if got := c.env.Encode(); got != want {
				t.Errorf("body differs from docs/bitrix24.md §11:\n got: %s\nwant: %s", got, want)
			}
			// And a standard form parser reads back the documented values.
			v, err := url.ParseQuery(want)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.env.Pairs().Values(); !equalValues(got, v) {
				t.Errorf("decoded values differ:\n got %v\nwant %v", got, v)
			}
		})
	}
	t.Run("frame", func(t *testing.T) {
		line, want := example(t, "frame")
		f := Frame{Domain: "example.bitrix24.de", Protocol: "1", Lang: "de", AppSID: "5552d735db7b7b4d5c16dd9c272bfe7d",
			AuthID: "9d4c7166007e9c94001e30ba00000001f0f107e28b5a4310c7f6d9b3025ea814", AuthExpires: 3600,
			RefreshID: "8c3b9966007e9c94001e30ba00000001f0f107f19c6b3e04d182ac5b73f9052d", ServerEndpoint: exServer,
			ApplicationToken: exAppTok, Scope: exScope, MemberID: exMember, Status: "L", Placement: "DEFAULT"}
		if got := f.Body(); got != want {
			t.Errorf("frame body:\n got: %s\nwant: %s", got, want)
		}
		if !strings.Contains(line, "/b24/app?"+f.Query()+" ") {
			t.Errorf("frame query %q not in %q", f.Query(), line)
		}
	})
}

func equalValues(a, b url.Values) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb := b[k]
		if len(va) != len(vb) {
			return false
		}
		for i := range va {
			if va[i] != vb[i] {
				return false
			}
		}
	}
	return true
}

func TestURLEncodeIsPHPs(t *testing.T) {
	// Outputs of PHP's urlencode().
	for in, want := range map[string]string{
		"data[PHONE_NUMBER]": "data%5BPHONE_NUMBER%5D",
		"+7 (495) 123-45-67": "%2B7+%28495%29+123-45-67",
		"a~b*c!d'e":          "a%7Eb%2Ac%21d%27e",
		"Müller":             "M%C3%BCller",
		"x.y_z-0":            "x.y_z-0",
		"":                   "",
	} {
		if got := URLEncode(in); got != want {
			t.Errorf("URLEncode(%q) = %q, want %q", in, got, want)
		}
	}
	got := BuildQuery(map[string]any{"a": map[string]any{"b": []any{"1", nil, true, false}}, "n": nil, "e": []any{}})
	if want := "a%5Bb%5D%5B0%5D=1&a%5Bb%5D%5B2%5D=1&a%5Bb%5D%5B3%5D=0"; got != want {
		t.Errorf("BuildQuery = %q, want %q", got, want)
	}
}

// TestSendEventWire checks what arrives at a handler: method, content
// type, and a body that is the envelope's encoding.
func TestSendEventWire(t *testing.T) {
	type got struct {
		method, ctype, body string
	}
	ch := make(chan got, 4)
	h := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		ch <- got{r.Method, r.Header.Get("Content-Type"), string(b)}
	}))
	defer h.Close()
	p := New(Options{Domain: "example.bitrix24.de", MemberID: exMember, ApplicationToken: exAppTok})
	defer p.Close()
	ctx := context.Background()

	if _, err := p.SendCallbackStart(ctx, h.URL+"/bitrix24/events", CallbackRequest{PhoneNumber: "+7 (495) 123-45-67", CRMEntityType: "CONTACT", CRMEntityID: "797"}, EventOptions{}); err != nil {
		t.Fatal(err)
	}
	g := <-ch
	if g.method != "POST" || g.ctype != "application/x-www-form-urlencoded" {
		t.Errorf("method %s, content type %s", g.method, g.ctype)
	}
	if !strings.Contains(g.body, "data%5BPHONE_NUMBER%5D=%2B7+%28495%29+123-45-67&data%5BTEXT%5D=&data%5BVOICE%5D=eurgermanfemale") {
		t.Errorf("body: %s", g.body)
	}
	if strings.Contains(g.body, "access_token") || !strings.Contains(g.body, "auth%5Bapplication_token%5D="+exAppTok) {
		t.Errorf("anonymous event must carry no tokens but the application token: %s", g.body)
	}
	v, _ := url.ParseQuery(g.body)
	if v.Get("auth[client_endpoint]") != p.RESTEndpoint() || v.Get("auth[domain]") != "example.bitrix24.de" || v.Get("auth[member_id]") != exMember {
		t.Errorf("auth: %v", v)
	}

	if _, err := p.SendInstall(ctx, h.URL+"/bitrix24/install"); err != nil {
		t.Fatal(err)
	}
	g = <-ch
	v, _ = url.ParseQuery(g.body)
	if v.Get("event") != "ONAPPINSTALL" || v.Get("auth[refresh_token]") == "" || v.Get("auth[access_token]") == "" || v.Get("auth[user_id]") != "1" {
		t.Errorf("install: %v", v)
	}
	if !strings.HasPrefix(g.body, "event=ONAPPINSTALL&event_handler_id=1&data%5BVERSION%5D=1&data%5BACTIVE%5D=Y&data%5BINSTALLED%5D=Y&data%5BLANGUAGE_ID%5D=de&ts=") {
		t.Errorf("install body: %s", g.body)
	}

	if _, err := p.SendInstallFrame(ctx, h.URL+"/bitrix24/app"); err != nil {
		t.Fatal(err)
	}
	g = <-ch
	v, _ = url.ParseQuery(g.body)
	if v.Get("AUTH_ID") == "" || v.Get("REFRESH_ID") == "" || v.Get("member_id") != exMember || v.Get("PLACEMENT") != "DEFAULT" {
		t.Errorf("frame: %v", v)
	}
}
