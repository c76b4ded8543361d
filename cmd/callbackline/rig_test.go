package main

import (
	"io"
	"maps"
	"net/http"
	"net/url"
	"testing"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

// postAppPage posts the application page of the service at addr as
// Bitrix24's frame does for the portal's user (1 is an administrator),
// with the fields of form, and returns the status and the page.
func postAppPage(t *testing.T, addr string, p *bitrix24test.Portal, user int64, form url.Values) (int, string) {
	t.Helper()
	fields := url.Values{"member_id": {p.MemberID()}, "APPLICATION_TOKEN": {p.ApplicationToken()},
		"AUTH_ID": {p.IssueTokens(user).AccessToken}}
	maps.Copy(fields, form)
	res, err := http.PostForm("http://"+addr+"/bitrix24/app?DOMAIN="+p.Host(), fields)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// appAs posts the application page as the portal's user with the fields
// of form, and returns its status and page.
func (r *callRig) appAs(user int64, form url.Values) (int, string) {
	r.t.Helper()
	return postAppPage(r.t, r.addr, r.portal, user, form)
}

// appPage is the application page as the portal's administrator opens it.
func (r *callRig) appPage() string {
	r.t.Helper()
	return appPageOf(r.t, r.addr, r.portal)
}

// appPageOf is the application page of the service at addr as the
// portal's administrator opens it.
func appPageOf(t *testing.T, addr string, p *bitrix24test.Portal) string {
	t.Helper()
	_, page := postAppPage(t, addr, p, 1, nil)
	return page
}
