package intake_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/store/sqlite"
)

// A website's callback form posts three requests to a German portal: a
// new number, the same number again typed the national way (one callback
// within the window), and a premium-rate number (stored, never dialled).
func ExampleIntake_Take() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "intake-example")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	st, err := sqlite.Open(ctx, "sqlite:"+filepath.Join(dir, "callbackline.db"), sqlite.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer st.Close()
	now := time.Now()
	p := &callbackline.Portal{
		MemberID: "a223c6b9410f85df78e9377d6c4f7213", Domain: "example.bitrix24.de",
		ClientEndpoint: "https://example.bitrix24.de/rest/", AccessToken: "a", RefreshToken: "r",
		ExpiresAt: now.Add(time.Hour), Status: callbackline.PortalInstalled, Language: "de", InstalledAt: now, UpdatedAt: now,
	}
	if err := st.SavePortal(ctx, p); err != nil {
		fmt.Println(err)
		return
	}

	in := intake.New(intake.Options{
		Store:  st,
		Rules:  intake.Rules{DedupWindow: 10 * time.Minute, Policy: phone.DefaultPolicy()},
		Logger: slog.New(slog.DiscardHandler),
	})
	for _, number := range []string{"+49 30 1234567", "030 1234567", "+49 900 1234567"} {
		// The web handler has read and authenticated this event already.
		body := url.Values{
			"event": {"ONEXTERNALCALLBACKSTART"}, "data[PHONE_NUMBER]": {number},
			"data[CRM_ENTITY_TYPE]": {"LEAD"}, "data[CRM_ENTITY_ID]": {"5785"},
		}.Encode()
		ev, err := bitrix24.ParseEvent("application/x-www-form-urlencoded", []byte(body))
		if err != nil {
			fmt.Println(err)
			return
		}
		ans, err := in.Take(ctx, p, ev)
		if err != nil {
			fmt.Println(err)
			return
		}
		if ans.Reason != "" {
			fmt.Printf("%s (%s)\n", ans.Status, ans.Reason)
			continue
		}
		fmt.Println(ans.Status)
	}
	// Output:
	// accepted
	// duplicate
	// rejected (number_type_blocked: +49900*****67 is a premium_rate number; the blocked number types are premium_rate, shared_cost, unknown)
}
