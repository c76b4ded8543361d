package bitrix24_test

import (
	"fmt"

	"github.com/callbackline/callbackline/bitrix24"
)

// ParseEvent on the ONEXTERNALCALLBACKSTART body of docs/bitrix24.md §11.1, as
// Bitrix24 posts it.
func ExampleParseEvent() {
	body := "event=ONEXTERNALCALLBACKSTART&event_handler_id=1053&data%5BPHONE_NUMBER%5D=%2B494951234567" +
		"&data%5BTEXT%5D=Callback+requested+from+the+website%2C+connecting+you+with+the+client" +
		"&data%5BVOICE%5D=eurgermanfemale&data%5BCRM_ENTITY_TYPE%5D=LEAD&data%5BCRM_ENTITY_ID%5D=5785" +
		"&data%5BLINE_NUMBER%5D=4930123456&ts=1773234727&auth%5Baccess_token%5D=s7p6eclrvim9da28dt9ch94ekreb52sv" +
		"&auth%5Bexpires%5D=1773238327&auth%5Bexpires_in%5D=3600&auth%5Bscope%5D=telephony%2Ccrm%2Cuser_basic%2Cim%2Ctimeman" +
		"&auth%5Bdomain%5D=example.bitrix24.de&auth%5Bserver_endpoint%5D=https%3A%2F%2Foauth.bitrix.info%2Frest%2F" +
		"&auth%5Bstatus%5D=L&auth%5Bclient_endpoint%5D=https%3A%2F%2Fexample.bitrix24.de%2Frest%2F" +
		"&auth%5Bmember_id%5D=a223c6b9410f85df78e9377d6c4f7213&auth%5Buser_id%5D=1" +
		"&auth%5Bapplication_token%5D=51610fefc120afa4b628cc82d6298cce"

	ev, err := bitrix24.ParseEvent("application/x-www-form-urlencoded; charset=utf-8", []byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.Name, ev.HandlerID, ev.TS)
	// Check these against the installed portal before anything else.
	fmt.Println(ev.Auth.MemberID, ev.Auth.ApplicationToken)

	if ev.Name == bitrix24.EventCallbackStart {
		cb, err := ev.CallbackStart()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("call %s back on line %q for %s %d\n", cb.PhoneNumber, cb.LineNumber, cb.CRMEntityType, cb.CRMEntityID)
		fmt.Printf("say %q with voice %s\n", cb.Text, cb.Voice)
	}
	// Output:
	// ONEXTERNALCALLBACKSTART 1053 2026-03-11 13:12:07 +0000 UTC
	// a223c6b9410f85df78e9377d6c4f7213 51610fefc120afa4b628cc82d6298cce
	// call +494951234567 back on line "4930123456" for LEAD 5785
	// say "Callback requested from the website, connecting you with the client" with voice eurgermanfemale
}
