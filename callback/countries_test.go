package callback_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/callback"
	"github.com/callbackline/callbackline/phone"
	"github.com/callbackline/callbackline/sip/siptest"
)

// The portal's own country is its first caller ID's, else default_region,
// else its language's; chosen countries replace it; both stay within the
// operator's list; Check refuses codes that are no country or outside it.
func TestCountriesRule(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	ctx := context.Background()
	operator := phone.DefaultPolicy()
	operator.AllowedCountries = []string{"DE", "AT", "RU"}
	p := e.member // language de
	for _, tc := range []struct {
		name, callerID, region, want string
	}{
		{"caller ID", "+74951234567", "AT", "RU"},
		{"default region", "", "AT", "AT"},
		{"caller ID abroad of no country", "+80012345678", "AT", "AT"},
		{"language", "", "", "DE"},
	} {
		lines := callback.NewLines(e.store, []callbackline.Line{{Number: "x"}, {Number: "y", CallerID: tc.callerID}}, nil, nil)
		c := &callback.Countries{Store: e.store, Lines: lines, Policy: operator, DefaultRegion: tc.region}
		codes, chosen, err := c.Allowed(ctx, p)
		if err != nil || chosen || strings.Join(codes, ",") != tc.want {
			t.Errorf("%s: %v %v %v, want %s", tc.name, codes, chosen, err, tc.want)
		}
	}
	// Outside the operator's list, the own country allows nothing.
	c := &callback.Countries{Store: e.store, Policy: operator, DefaultRegion: "FR"}
	g, err := c.Guard(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"+33142685300", "+4930123456", "+80012345678"} {
		if err := g.Check(n); err == nil || !strings.HasPrefix(err.Error(), callbackline.ReasonCountry) {
			t.Errorf("%s: %v", n, err)
		}
	}
	// Chosen countries replace the own one, narrowed to the operator's.
	if err := e.store.SaveCountries(ctx, &callbackline.Countries{MemberID: p.MemberID, Codes: []string{"AT", "FR"}}); err != nil {
		t.Fatal(err)
	}
	if codes, chosen, err := c.Allowed(ctx, p); err != nil || !chosen || strings.Join(codes, ",") != "AT" {
		t.Errorf("chosen: %v %v %v", codes, chosen, err)
	}
	if got, err := c.Check([]string{" at", "DE", "de"}); err != nil || strings.Join(got, ",") != "AT,DE" {
		t.Errorf("Check: %v %v", got, err)
	}
	for _, bad := range [][]string{{"FR"}, {"XX"}, {"DEU"}, {}, {"AT", "001"}} {
		if got, err := c.Check(bad); callbackline.ErrorCode(err) != callbackline.EINVALID {
			t.Errorf("Check(%q) = %v, %v", bad, got, err)
		}
	}
	// With no operator list, any real country may be chosen.
	any := &callback.Countries{Store: e.store, Policy: phone.DefaultPolicy()}
	if got, err := any.Check([]string{"FR", "us"}); err != nil || strings.Join(got, ",") != "FR,US" {
		t.Errorf("Check without a list: %v %v", got, err)
	}
}

// The guard right before dialling applies the portal's countries too: a
// request stored for a number abroad (as if it slipped past the intake,
// or stored before the portal narrowed its countries) fails without a
// call; once the portal allows the country, the next one is called.
func TestGuardPortalCountries(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	w := e.workerWith(func(c *callback.Config) {
		c.Countries = &callback.Countries{Store: e.store, Policy: c.Guard, DefaultRegion: "AT"}
	})
	id := e.request(clientRaw, "LEAD", 1) // a German number; the portal's own country is AT
	if _, err := w.Run(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if cb := e.callback(id); cb.State != callbackline.StateFailed || !strings.HasPrefix(cb.Reason, "guard: "+callbackline.ReasonCountry) ||
		strings.Contains(cb.Reason, clientE164) {
		t.Fatalf("callback abroad: %+v", cb)
	}
	if n := len(e.phones.Calls()); n != 0 {
		t.Fatalf("%d phones rang for a country the portal did not allow", n)
	}
	if err := e.store.SaveCountries(context.Background(), &callbackline.Countries{MemberID: e.member.MemberID, Codes: []string{"AT", "DE"}}); err != nil {
		t.Fatal(err)
	}
	id = e.request(clientRaw, "LEAD", 5785) // Max is responsible
	if _, err := w.Run(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	if cb := e.callback(id); cb.State != callbackline.StateDone {
		t.Fatalf("callback once allowed: %+v", cb)
	}
}

// The guard right before dialling applies the portal's blocked numbers: a
// request stored before its number was blocked fails without a call, and
// counts as rejected on the dashboard.
func TestGuardBlockedNumber(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	e.phones.Set(maxExt, siptest.Behavior{Action: siptest.Answer, Delay: 100 * time.Millisecond})
	e.phones.Set(clientE164, answerThenHangUp)
	w := e.workerWith(func(c *callback.Config) {
		c.Countries = &callback.Countries{Store: e.store, Policy: c.Guard, DefaultRegion: "DE"}
	})
	id := e.request(clientRaw, "LEAD", 5785)
	entries, err := phone.ParseBlocked(clientE164[:6] + "*")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SaveBlockedNumbers(context.Background(), &callbackline.Blocked{MemberID: e.member.MemberID, Entries: entries}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Run(context.Background(), id); err != nil {
		t.Fatal(err)
	}
	cb := e.callback(id)
	if cb.State != callbackline.StateFailed || !strings.HasPrefix(cb.Reason, "guard: "+callbackline.ReasonBlocked) ||
		callbackline.OutcomeOf(cb.State, cb.Reason) != callbackline.OutcomeRejected {
		t.Fatalf("blocked callback: %+v", cb)
	}
	if n := len(e.phones.Calls()); n != 0 {
		t.Fatalf("%d phones rang for a blocked number", n)
	}
}

// countingSettings counts the reads a guard is built from.
type countingSettings struct {
	callbackline.SettingsStore
	countries, blocked int
}

func (c *countingSettings) Countries(ctx context.Context, memberID string) (*callbackline.Countries, error) {
	c.countries++
	return c.SettingsStore.Countries(ctx, memberID)
}

func (c *countingSettings) BlockedNumbers(ctx context.Context, memberID string) (*callbackline.Blocked, error) {
	c.blocked++
	return c.SettingsStore.BlockedNumbers(ctx, memberID)
}

// A portal's guard is built once and reused while its settings stay the
// same; a change saved to the store (by this instance or another, at the
// same time as before) is applied at the next request.
func TestGuardFollowsSettings(t *testing.T) {
	e := newEnv(t, callbackline.Line{Policy: quick()}, nil)
	ctx := context.Background()
	st := &countingSettings{SettingsStore: e.store}
	c := &callback.Countries{Store: st, Policy: phone.DefaultPolicy(), DefaultRegion: "DE"}
	p := e.member
	accepts := func(number string) error {
		t.Helper()
		g, err := c.Guard(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return g.Check(number)
	}
	for range 3 {
		if err := accepts(clientE164); err != nil {
			t.Fatalf("%s refused: %v", phone.Mask(clientE164), err)
		}
	}
	if st.countries != 1 || st.blocked != 1 {
		t.Errorf("3 guards with the settings unchanged read the countries %d times and the blocked numbers %d times, want once",
			st.countries, st.blocked)
	}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	if err := e.store.SaveBlockedNumbers(ctx, &callbackline.Blocked{MemberID: p.MemberID, Entries: []string{clientE164}, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := accepts(clientE164); err == nil || !strings.HasPrefix(err.Error(), callbackline.ReasonBlocked) {
		t.Errorf("after blocking it: %v", err)
	}
	if err := e.store.SaveBlockedNumbers(ctx, &callbackline.Blocked{MemberID: p.MemberID, Entries: []string{}, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := accepts(clientE164); err != nil {
		t.Errorf("after unblocking it (saved at the same time): %v", err)
	}
	if err := e.store.SaveCountries(ctx, &callbackline.Countries{MemberID: p.MemberID, Codes: []string{"AT"}, UpdatedAt: at}); err != nil {
		t.Fatal(err)
	}
	if err := accepts(clientE164); err == nil || !strings.HasPrefix(err.Error(), callbackline.ReasonCountry) {
		t.Errorf("after allowing only AT: %v", err)
	}
}
