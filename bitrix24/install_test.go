package bitrix24_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
)

const wireForm = "application/x-www-form-urlencoded"

func TestParseInstallEvent(t *testing.T) {
	want := bitrix24.Install{
		Kind: bitrix24.InstallEvent, Event: bitrix24.EventAppInstall, MemberID: wireMember,
		AccessToken: "6e1b0c6900703a8b0044d3b600000001000007a1b2c3d4e5f6", RefreshToken: "5e9a336900703a8b0044d3b600000001000007f0e1d2c3b4a5",
		ApplicationToken: wireAppToken, Domain: "example.bitrix24.de", ClientEndpoint: "https://example.bitrix24.de/rest/",
		ServerEndpoint: wireOAuth, Language: "de", Status: "L", Scope: wireScope, UserID: 1, ExpiresIn: 3600,
		ExpiresAt: wireUnix(1762093575), Version: "1",
	}
	for _, name := range []string{"11.3-appinstall.http", "11.3-appinstall.json.http"} {
		req := wireLoad(t, name)
		in, err := bitrix24.ParseInstall(req.Query, req.ContentType, req.Body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if *in != want {
			t.Errorf("%s:\n got %+v\nwant %+v", name, *in, want)
		}
		if got := strings.Join(in.Scopes(), " "); got != "telephony crm user_basic im timeman" {
			t.Errorf("Scopes = %s", got)
		}
	}
}

func TestParseInstallFrame(t *testing.T) {
	req := wireLoad(t, "11.6-install-frame.http")
	before := time.Now()
	in, err := bitrix24.ParseInstall(req.Query, req.ContentType, req.Body)
	after := time.Now()
	if err != nil {
		t.Fatal(err)
	}
	if in.ExpiresAt.Before(before.Add(time.Hour).Truncate(time.Second)) || in.ExpiresAt.After(after.Add(time.Hour)) ||
		in.ExpiresAt.Location() != time.UTC {
		t.Errorf("ExpiresAt = %v, want an hour after %v", in.ExpiresAt, before)
	}
	in.ExpiresAt = time.Time{}
	want := bitrix24.Install{
		Kind: bitrix24.InstallFrame, MemberID: wireMember,
		AccessToken:      "9d4c7166007e9c94001e30ba00000001f0f107e28b5a4310c7f6d9b3025ea814",
		RefreshToken:     "8c3b9966007e9c94001e30ba00000001f0f107f19c6b3e04d182ac5b73f9052d",
		ApplicationToken: wireAppToken, Domain: "example.bitrix24.de", ServerEndpoint: wireOAuth,
		Language: "de", Status: "L", Scope: wireScope, ExpiresIn: 3600, Placement: "DEFAULT",
	}
	if *in != want {
		t.Errorf("\n got %+v\nwant %+v", *in, want)
	}
}

// TestParseInstallNeverAppSID: APP_SID is a per-page session id; taking it
// for the application token (as CRest does) would let every later event
// fail, or worse (docs/bitrix24.md §1.4, §9.20).
func TestParseInstallNeverAppSID(t *testing.T) {
	req := wireLoad(t, "11.6-install-frame.http")
	body := strings.Replace(string(req.Body), "&APPLICATION_TOKEN="+wireAppToken, "", 1)
	if body == string(req.Body) {
		t.Fatal("the example has no APPLICATION_TOKEN")
	}
	for _, b := range []string{body, body + "&APP_SID=abc"} {
		in, err := bitrix24.ParseInstall(req.Query, req.ContentType, []byte(b))
		if err != nil {
			t.Fatal(err)
		}
		if in.ApplicationToken != "" {
			t.Errorf("ApplicationToken = %q, want empty (APP_SID is %q)", in.ApplicationToken, req.Query.Get("APP_SID"))
		}
	}
}

func TestParseInstallVariants(t *testing.T) {
	now := time.Now()
	// ONAPPUPDATE installs too; without auth[expires], ts + expires_in.
	in, err := bitrix24.ParseInstall(nil, wireForm, []byte("event=onAppUpdate&ts=1762089975&data[VERSION]=2&data[PREVIOUS_VERSION]=1"+
		"&auth[member_id]=m&auth[refresh_token]=r&auth[expires_in]=3600"))
	if err != nil {
		t.Fatal(err)
	}
	if in.Kind != bitrix24.InstallEvent || in.Event != bitrix24.EventAppUpdate || in.Version != "2" ||
		!in.ExpiresAt.Equal(wireUnix(1762093575)) || in.MemberID != "m" || in.RefreshToken != "r" {
		t.Errorf("ONAPPUPDATE: %+v", in)
	}
	// Without ts either: the time of parsing + expires_in.
	in, err = bitrix24.ParseInstall(nil, wireForm, []byte("event=ONAPPINSTALL&auth[member_id]=m&auth[refresh_token]=r&auth[expires_in]=60"))
	if err != nil {
		t.Fatal(err)
	}
	if d := in.ExpiresAt.Sub(now); d < 59*time.Second || d > 61*time.Second+time.Since(now) {
		t.Errorf("ExpiresAt is %v after now", d)
	}
	// No expiry at all: zero.
	in, err = bitrix24.ParseInstall(nil, wireForm, []byte("event=ONAPPINSTALL&auth[member_id]=m&auth[refresh_token]=r"))
	if err != nil || !in.ExpiresAt.IsZero() {
		t.Errorf("no expiry: %+v, %v", in, err)
	}
	// A frame request with everything in the query and no body.
	q := url.Values{"member_id": {"m"}, "REFRESH_ID": {"r"}, "DOMAIN": {"d.bitrix24.com"}, "LANG": {"en"}, "AUTH_EXPIRES": {"0"}}
	in, err = bitrix24.ParseInstall(q, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if in.Kind != bitrix24.InstallFrame || in.MemberID != "m" || in.RefreshToken != "r" || in.Domain != "d.bitrix24.com" ||
		in.Language != "en" || !in.ExpiresAt.IsZero() {
		t.Errorf("frame from the query: %+v", in)
	}
	// The body wins over the query.
	in, err = bitrix24.ParseInstall(url.Values{"member_id": {"query"}}, wireForm, []byte("member_id=body&REFRESH_ID=r"))
	if err != nil || in.MemberID != "body" {
		t.Errorf("body over query: %+v, %v", in, err)
	}
	// A frame POST as JSON.
	in, err = bitrix24.ParseInstall(nil, "application/json", []byte(`{"member_id":"m","REFRESH_ID":"r","AUTH_EXPIRES":3600}`))
	if err != nil || in.Kind != bitrix24.InstallFrame || in.ExpiresIn != 3600 {
		t.Errorf("JSON frame: %+v, %v", in, err)
	}
}

func TestParseInstallInvalid(t *testing.T) {
	for _, tc := range []struct {
		query       url.Values
		ct, body    string
		code, field string
	}{
		{nil, wireForm, "event=ONAPPINSTALL&auth[refresh_token]=r", callbackline.EINVALID, "auth[member_id]"},
		{nil, wireForm, "event=ONAPPINSTALL&auth[member_id]=m&auth[access_token]=a", callbackline.EINVALID, "auth[refresh_token]"},
		{nil, wireForm, "REFRESH_ID=r&AUTH_ID=a", callbackline.EINVALID, "member_id"},
		{url.Values{"member_id": {"m"}}, wireForm, "AUTH_ID=a&APP_SID=s", callbackline.EINVALID, "REFRESH_ID"},
		{nil, wireForm, "member_id=m&REFRESH_ID=r&AUTH_EXPIRES=soon", callbackline.EINVALID, "AUTH_EXPIRES"},
		{nil, wireForm, "member_id[]=m&REFRESH_ID=r", callbackline.EINVALID, "member_id"},
		{nil, wireForm, "event=ONEXTERNALCALLBACKSTART&auth[member_id]=m&auth[refresh_token]=r", callbackline.EINVALID, "ONEXTERNALCALLBACKSTART"},
		{nil, wireForm, "event=&auth[member_id]=m", callbackline.EINVALID, "event"},
		{nil, wireForm, "hello=world", callbackline.EINVALID, "installation"},
		{url.Values{"DOMAIN": {"d"}, "APP_SID": {"s"}}, "", "", callbackline.EINVALID, "installation"},
		{nil, "application/json", "{", callbackline.EINVALID, "JSON"},
		{nil, "text/html", "member_id=m&REFRESH_ID=r", callbackline.EUNSUPPORTED, "text/html"},
		{nil, wireForm, "a" + strings.Repeat("[a]", 40) + "=1", callbackline.ETOOLARGE, "levels"},
	} {
		_, err := bitrix24.ParseInstall(tc.query, tc.ct, []byte(tc.body))
		wireCode(t, err, tc.code, nil)
		if msg := callbackline.ErrorMessage(err); !strings.Contains(msg, tc.field) {
			t.Errorf("ParseInstall(%q): message %q does not name %s", tc.body, msg, tc.field)
		}
	}
}

// FuzzParseInstall: whatever arrives at the installation handler (query,
// content type, body), ParseInstall answers an installation with a member
// id and a refresh token to verify, or a typed error with a message.
func FuzzParseInstall(f *testing.F) {
	for _, name := range []string{"11.3-appinstall.http", "11.3-appinstall.json.http", "11.6-install-frame.http", "11.4-appuninstall.http"} {
		req := wireLoad(f, name)
		f.Add(req.Query.Encode(), req.ContentType, req.Body)
	}
	f.Add("DOMAIN=x&member_id=m&REFRESH_ID=r", "", []byte(""))
	f.Add("", wireForm, []byte("member_id[]=1&REFRESH_ID=r&AUTH_EXPIRES=99999999999"))
	f.Fuzz(func(t *testing.T, query, ct string, body []byte) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		in, err := bitrix24.ParseInstall(q, ct, body)
		if err != nil {
			refusedWell(t, err)
			return
		}
		if in.MemberID == "" || in.RefreshToken == "" {
			t.Fatalf("accepted an installation that cannot be verified: %+v", in)
		}
		switch in.Kind {
		case bitrix24.InstallEvent:
			if in.Event != bitrix24.EventAppInstall && in.Event != bitrix24.EventAppUpdate {
				t.Fatalf("installation from event %q", in.Event)
			}
		case bitrix24.InstallFrame:
			if in.Event != "" || in.ExpiresIn < 0 {
				t.Fatalf("frame installation: %+v", in)
			}
		default:
			t.Fatalf("kind %q", in.Kind)
		}
	})
}
