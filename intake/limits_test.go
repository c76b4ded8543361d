package intake_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/intake"
	"github.com/callbackline/callbackline/phone"
)

// Hostile: a website visitor floods a portal's form with junk (numbers
// that are not valid or that the toll-fraud guard refuses, huge texts).
// The junk is stored rejected and cut, does not count for the portal's
// hourly limit, so a genuine request is still accepted, and it is pruned
// once its retention passes; the genuine callbacks stay.
func TestJunkCannotFillPortalLimit(t *testing.T) {
	ctx := context.Background()
	st, p := setup(t)
	const limit = 5
	in := intake.New(intake.Options{Store: st, Logger: slog.New(slog.DiscardHandler), Rules: intake.Rules{
		DedupWindow: 10 * time.Minute, NumberLimit: 3, PortalLimit: limit, Policy: phone.DefaultPolicy(), DefaultRegion: "DE"}})
	request := func(number, text string, crm int) intake.Answer {
		t.Helper()
		ans, err := in.Take(ctx, p, event(t, url.Values{"event": {"ONEXTERNALCALLBACKSTART"},
			"data[PHONE_NUMBER]": {number}, "data[TEXT]": {text}, "data[CRM_ENTITY_TYPE]": {"LEAD"},
			"data[CRM_ENTITY_ID]": {fmt.Sprint(crm)}}))
		if err != nil {
			t.Fatal(err)
		}
		return ans
	}
	huge := strings.Repeat("<b>x</b> ", 2000)
	for i := range 200 {
		number := fmt.Sprintf("+49 900 %07d", i) // premium rate: refused by the guard
		if i%2 == 1 {
			number = fmt.Sprintf("12%d", i) // not a number at all
		}
		if ans := request(number, huge, i); ans.Status != intake.Rejected {
			t.Fatalf("junk %d: %+v", i, ans)
		}
	}
	var genuine []int64
	for i := range limit {
		ans := request(fmt.Sprintf("+49 30 123456%d", i), "Bitte zurückrufen", 1000+i)
		if ans.Status != intake.Accepted {
			t.Fatalf("genuine request %d after 200 junk ones: %+v", i, ans)
		}
		genuine = append(genuine, ans.CallbackID)
	}
	if ans := request("+49 30 9999999", "one too many", 2000); ans.Status != intake.Rejected ||
		!strings.HasPrefix(ans.Reason, callbackline.ReasonPortalRate) {
		t.Fatalf("over the portal's limit of accepted requests: %+v", ans)
	}
	rejected, err := st.Callbacks(ctx, callbackline.CallbackFilter{State: callbackline.StateRejected, Limit: 500})
	if err != nil || len(rejected) != 201 {
		t.Fatalf("rejected: %d, %v", len(rejected), err)
	}
	for _, cb := range rejected {
		if n := len([]rune(cb.Text)); n > callbackline.RejectedTextMax {
			t.Fatalf("rejected callback %d keeps %d characters of text", cb.ID, n)
		}
	}
	// Within the retention nothing goes; after it the junk goes, in
	// batches, and the genuine callbacks stay.
	r := callbackline.Retention{Rejected: 7 * 24 * time.Hour}
	if n, err := callback.PruneStore(ctx, st, r, time.Now().Add(6*24*time.Hour)); err != nil || n.Rejected != 0 {
		t.Fatalf("pruned within the retention: %+v %v", n, err)
	}
	n, err := callback.PruneStore(ctx, st, r, time.Now().Add(8*24*time.Hour))
	if err != nil || n.Rejected != 201 {
		t.Fatalf("pruned after the retention: %+v %v, want 201 rejected", n, err)
	}
	left, err := st.Callbacks(ctx, callbackline.CallbackFilter{Limit: 500})
	if err != nil || len(left) != limit {
		t.Fatalf("after pruning %d callbacks are left (%v), want the %d genuine ones", len(left), err, limit)
	}
	for _, cb := range left {
		if cb.State != callbackline.StateReceived {
			t.Errorf("callback %d left in state %s", cb.ID, cb.State)
		}
	}
}
