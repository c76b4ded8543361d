package bitrix24test_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

// A portal posts ONAPPINSTALL to the application, which binds its events
// over REST (here by hand); a website visitor's callback request then
// reaches the bound handler in Bitrix24's wire format.
func Example() {
	events := make(chan url.Values, 1)
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		v, _ := url.ParseQuery(string(b))
		if r.URL.Path == "/bitrix24/events" {
			events <- v
		}
	}))
	defer app.Close()

	portal := bitrix24test.New(bitrix24test.Options{Domain: "example.bitrix24.de"})
	defer portal.Close()
	ctx := context.Background()

	resp, _ := portal.SendInstall(ctx, app.URL+"/bitrix24/install")
	fmt.Println("install:", resp.StatusCode)

	// What the application does after the installation (bitrix24.Client.Setup).
	tok := portal.IssueTokens(1).AccessToken
	for _, ev := range []string{"ONEXTERNALCALLBACKSTART", "ONEXTERNALCALLSTART"} {
		form := url.Values{"auth": {tok}, "event": {ev}, "handler": {app.URL + "/bitrix24/events"}}
		r, _ := http.PostForm(portal.RESTEndpoint()+"event.bind.json", form)
		r.Body.Close()
	}

	err := portal.SubmitCallbackForm(ctx, bitrix24test.CallbackRequest{
		PhoneNumber: "+7 (495) 123-45-67", CRMEntityType: "CONTACT", CRMEntityID: "797"})
	fmt.Println("submitted:", err)
	ev := <-events
	fmt.Println(ev.Get("event"), ev.Get("data[PHONE_NUMBER]"), ev.Get("auth[domain]"), ev.Get("auth[access_token]") == "")
	// Output:
	// install: 200
	// submitted: <nil>
	// ONEXTERNALCALLBACKSTART +7 (495) 123-45-67 example.bitrix24.de true
}
