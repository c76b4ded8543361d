package bitrix24_test

import (
	"fmt"
	"net/url"

	"github.com/callbackline/callbackline/bitrix24"
)

// ParseInstall on the installer page's POST in the Bitrix24 frame (docs/bitrix24.md
// §11.6). Nothing in it is trusted until the OAuth server accepts
// RefreshToken and names the same member id.
func ExampleParseInstall() {
	query, _ := url.ParseQuery("DOMAIN=example.bitrix24.de&PROTOCOL=1&LANG=de&APP_SID=5552d735db7b7b4d5c16dd9c272bfe7d")
	body := "AUTH_ID=9d4c7166007e9c94001e30ba00000001f0f107e28b5a4310c7f6d9b3025ea814&AUTH_EXPIRES=3600" +
		"&REFRESH_ID=8c3b9966007e9c94001e30ba00000001f0f107f19c6b3e04d182ac5b73f9052d" +
		"&SERVER_ENDPOINT=https%3A%2F%2Foauth.bitrix.info%2Frest%2F&APPLICATION_TOKEN=51610fefc120afa4b628cc82d6298cce" +
		"&APPLICATION_SCOPE=telephony%2Ccrm%2Cuser_basic%2Cim%2Ctimeman&member_id=a223c6b9410f85df78e9377d6c4f7213" +
		"&status=L&PLACEMENT=DEFAULT"

	in, err := bitrix24.ParseInstall(query, "application/x-www-form-urlencoded", []byte(body))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(in.Kind, in.MemberID, in.Domain, in.Language)
	fmt.Println(in.ApplicationToken) // APPLICATION_TOKEN, never APP_SID
	fmt.Println(in.Scopes())
	// Output:
	// frame a223c6b9410f85df78e9377d6c4f7213 example.bitrix24.de de
	// 51610fefc120afa4b628cc82d6298cce
	// [telephony crm user_basic im timeman]
}
