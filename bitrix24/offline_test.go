package bitrix24_test

import (
	"context"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/bitrix24"
	"github.com/callbackline/callbackline/bitrix24/bitrix24test"
)

func TestOfflineSafetyNet(t *testing.T) {
	f := newFixture(t, bitrix24test.Options{})
	ctx := context.Background()
	p := f.portal(t)
	if err := f.client.BindOfflineEvents(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := f.client.BindOfflineEvents(ctx, p); err != nil {
		t.Fatal(err)
	}
	offline := 0
	for _, h := range f.sim.Handlers() {
		if h.Offline {
			offline++
		}
	}
	if offline != 2 {
		t.Fatalf("%d offline handlers", offline)
	}
	// The online handler is down (nothing bound online): the form's event
	// only reaches the offline queue.
	f.sim.AddLine(bitrix24test.Line{Number: "100"})
	_ = f.sim.SubmitCallbackForm(ctx, bitrix24test.CallbackRequest{PhoneNumber: "+49 30 123", CRMEntityType: "LEAD", CRMEntityID: "5785"})
	if n := len(f.sim.OfflineEvents()); n != 0 {
		// Without ONEXTERNALCALLSTART bound online the newer core sends nothing at all (docs/bitrix24.md §9 item 9).
		t.Fatalf("queued %d", n)
	}
	if err := f.client.BindEvent(ctx, p, "ONEXTERNALCALLSTART", "http://127.0.0.1:1/bitrix24/events"); err != nil {
		t.Fatal(err)
	}
	_ = f.sim.SubmitCallbackForm(ctx, bitrix24test.CallbackRequest{PhoneNumber: "+49 30 123", CRMEntityType: "LEAD", CRMEntityID: "5785"})
	if n := len(f.sim.OfflineEvents()); n != 1 {
		t.Fatalf("queued %d", n)
	}
	var got []*bitrix24.Event
	poller := &bitrix24.OfflinePoller{Client: f.client,
		Portals: func(context.Context) ([]*callbackline.Portal, error) { return []*callbackline.Portal{f.portal(t)}, nil },
		Handle: func(_ context.Context, _ *callbackline.Portal, ev *bitrix24.Event) error {
			got = append(got, ev)
			return nil
		}}
	if err := poller.PollOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Name != "ONEXTERNALCALLBACKSTART" || got[0].Data.Get("PHONE_NUMBER") != "+49 30 123" ||
		got[0].Auth.MemberID != p.MemberID || got[0].Auth.ApplicationToken != p.ApplicationToken {
		t.Fatalf("events %+v", got)
	}
	if n := len(f.sim.OfflineEvents()); n != 0 {
		t.Fatalf("not confirmed: %d left", n)
	}
	if err := poller.PollOnce(ctx); err != nil || len(got) != 1 {
		t.Fatalf("second poll: %v, %d", err, len(got))
	}
}
