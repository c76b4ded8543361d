package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

// runSettings tests the SettingsStore part of a backend.
func runSettings(t *testing.T, open func(t *testing.T) Backend) {
	t.Run("SaveReplaceGet", func(t *testing.T) { testSettingsSave(t, open(t)) })
	t.Run("UnknownPortal", func(t *testing.T) { testSettingsUnknownPortal(t, open(t)) })
	t.Run("DeletedWithPortal", func(t *testing.T) { testSettingsDeleted(t, open(t)) })
	t.Run("Countries", func(t *testing.T) { testCountries(t, open(t)) })
	t.Run("BlockedNumbers", func(t *testing.T) { testBlockedNumbers(t, open(t)) })
	t.Run("CallerIDs", func(t *testing.T) { testCallerIDs(t, open(t)) })
	t.Run("GuardInputs", func(t *testing.T) { testGuardInputs(t, open(t)) })
}

// testGuardInputs: a portal's guard inputs differ after each change of
// its lines, countries, caller IDs or blocked numbers (also one saved
// with the same time, and an emptied list against none), are the same
// when nothing changed, are the portal's own, and read for a portal
// without settings.
func testGuardInputs(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2")
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) // every save at the same time
	seen := map[string]string{}
	check := func(what string) {
		t.Helper()
		in, err := s.GuardInputs(ctx, "m1")
		must(t, err)
		again, err := s.GuardInputs(ctx, "m1")
		must(t, err)
		if in != again {
			t.Fatalf("after %s: %q, then %q with nothing changed", what, in, again)
		}
		if before, ok := seen[in]; ok {
			t.Fatalf("after %s the guard inputs are those after %s: %q", what, before, in)
		}
		seen[in] = what
	}
	check("nothing saved")
	must(t, s.SaveBlockedNumbers(ctx, &callbackline.Blocked{MemberID: "m1", Entries: []string{}, UpdatedAt: at}))
	check("an empty blocked list")
	must(t, s.SaveBlockedNumbers(ctx, &callbackline.Blocked{MemberID: "m1", Entries: []string{"+49900*"}, UpdatedAt: at}))
	check("a blocked prefix")
	must(t, s.SaveBlockedNumbers(ctx, &callbackline.Blocked{MemberID: "m1", Entries: []string{"+49901*"}, UpdatedAt: at}))
	check("another blocked prefix")
	must(t, s.SaveCountries(ctx, &callbackline.Countries{MemberID: "m1", Codes: []string{"DE"}, UpdatedAt: at}))
	check("countries")
	must(t, s.SaveCountries(ctx, &callbackline.Countries{MemberID: "m1", Codes: []string{"DE", "AT"}, UpdatedAt: at}))
	check("more countries")
	must(t, s.SaveCallerIDs(ctx, &callbackline.CallerIDs{MemberID: "m1", Numbers: []string{"+4930123456"}, UpdatedAt: at}))
	check("caller IDs")
	must(t, s.SaveSettings(ctx, &callbackline.Settings{MemberID: "m1", Lines: "- number: a\n", UpdatedAt: at}))
	check("lines")
	must(t, s.SaveSettings(ctx, &callbackline.Settings{MemberID: "m1", Lines: "- number: b\n", UpdatedAt: at}))
	check("other lines")
	m2, err := s.GuardInputs(ctx, "m2")
	must(t, err)
	if _, ok := seen[m2]; !ok || seen[m2] != "nothing saved" {
		t.Errorf("m2, which saved nothing, reads %q (%s)", m2, seen[m2])
	}
}

// testBlockedNumbers: a portal's blocked numbers are its own, replaced on
// save (an empty list too), refused for a portal not installed or with an
// entry that is not one, and gone with the portal.
func testBlockedNumbers(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2")
	_, err := s.BlockedNumbers(ctx, "m1")
	wantCode(t, err, callbackline.ENOTFOUND)
	at := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
	must(t, s.SaveBlockedNumbers(ctx, &callbackline.Blocked{MemberID: "m1", Entries: []string{"+49301234567", "+49900*"}, UpdatedAt: at, UpdatedBy: 12}))
	got, err := s.BlockedNumbers(ctx, "m1")
	must(t, err)
	if strings.Join(got.Entries, " ") != "+49301234567 +49900*" || got.UpdatedBy != 12 || !sameTime(got.UpdatedAt, at) {
		t.Fatalf("blocked = %+v", got)
	}
	must(t, s.SaveBlockedNumbers(ctx, &callbackline.Blocked{MemberID: "m1", Entries: []string{}}))
	if got, err = s.BlockedNumbers(ctx, "m1"); err != nil || len(got.Entries) != 0 || got.Entries == nil {
		t.Fatalf("emptied = %+v, %v", got, err)
	}
	_, err = s.BlockedNumbers(ctx, "m2")
	wantCode(t, err, callbackline.ENOTFOUND)
	wantCode(t, s.SaveBlockedNumbers(ctx, &callbackline.Blocked{MemberID: "nobody", Entries: []string{"+4930*"}}), callbackline.ENOTFOUND)
	wantCode(t, s.SaveBlockedNumbers(ctx, &callbackline.Blocked{MemberID: "m2", Entries: []string{"+4930\n+4940"}}), callbackline.EINVALID)
	must(t, s.SaveBlockedNumbers(ctx, &callbackline.Blocked{MemberID: "m1", Entries: []string{"+4930*"}}))
	must(t, s.DeletePortal(ctx, "m1"))
	savePortals(t, s, "m1")
	_, err = s.BlockedNumbers(ctx, "m1")
	wantCode(t, err, callbackline.ENOTFOUND)
}

// testCallerIDs: the caller IDs the operator assigns to a portal are its
// own, replaced on save, refused for a portal that is not installed or
// with a malformed number, and gone with the portal.
func testCallerIDs(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2")
	_, err := s.CallerIDs(ctx, "m1")
	wantCode(t, err, callbackline.ENOTFOUND)
	at := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
	must(t, s.SaveCallerIDs(ctx, &callbackline.CallerIDs{MemberID: "m1", Numbers: []string{"+4930123456", "+4940111000"}, UpdatedAt: at}))
	got, err := s.CallerIDs(ctx, "m1")
	must(t, err)
	if got.MemberID != "m1" || strings.Join(got.Numbers, ",") != "+4930123456,+4940111000" || !sameTime(got.UpdatedAt, at) {
		t.Fatalf("caller IDs = %+v", got)
	}
	must(t, s.SaveCallerIDs(ctx, &callbackline.CallerIDs{MemberID: "m1", Numbers: []string{}}))
	got, err = s.CallerIDs(ctx, "m1")
	must(t, err)
	if len(got.Numbers) != 0 || got.Numbers == nil {
		t.Fatalf("replaced caller IDs = %+v", got)
	}
	_, err = s.CallerIDs(ctx, "m2")
	wantCode(t, err, callbackline.ENOTFOUND)
	wantCode(t, s.SaveCallerIDs(ctx, &callbackline.CallerIDs{MemberID: "nobody", Numbers: []string{"+4930123456"}}), callbackline.ENOTFOUND)
	wantCode(t, s.SaveCallerIDs(ctx, &callbackline.CallerIDs{Numbers: []string{"+4930123456"}}), callbackline.EINVALID)
	for _, bad := range []string{"+4930,+4940", "", "+49 30", "+4930\n"} {
		wantCode(t, s.SaveCallerIDs(ctx, &callbackline.CallerIDs{MemberID: "m2", Numbers: []string{bad}}), callbackline.EINVALID)
	}
	_, err = s.CallerIDs(ctx, "m2")
	wantCode(t, err, callbackline.ENOTFOUND)
	must(t, s.DeletePortal(ctx, "m1"))
	savePortals(t, s, "m1") // installed again: none assigned
	_, err = s.CallerIDs(ctx, "m1")
	wantCode(t, err, callbackline.ENOTFOUND)
}

// testCountries: a portal's countries are its own, replaced on save,
// refused for a portal that is not installed or with a malformed code,
// and gone with the portal.
func testCountries(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2")
	_, err := s.Countries(ctx, "m1")
	wantCode(t, err, callbackline.ENOTFOUND)
	at := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
	must(t, s.SaveCountries(ctx, &callbackline.Countries{MemberID: "m1", Codes: []string{"DE", "AT"}, UpdatedAt: at, UpdatedBy: 12}))
	got, err := s.Countries(ctx, "m1")
	must(t, err)
	if got.MemberID != "m1" || strings.Join(got.Codes, ",") != "DE,AT" || got.UpdatedBy != 12 || !sameTime(got.UpdatedAt, at) {
		t.Fatalf("countries = %+v", got)
	}
	must(t, s.SaveCountries(ctx, &callbackline.Countries{MemberID: "m1", Codes: []string{}}))
	got, err = s.Countries(ctx, "m1")
	must(t, err)
	if len(got.Codes) != 0 || got.Codes == nil || got.UpdatedBy != 0 {
		t.Fatalf("replaced countries = %+v", got)
	}
	_, err = s.Countries(ctx, "m2")
	wantCode(t, err, callbackline.ENOTFOUND)
	wantCode(t, s.SaveCountries(ctx, &callbackline.Countries{MemberID: "nobody", Codes: []string{"DE"}}), callbackline.ENOTFOUND)
	wantCode(t, s.SaveCountries(ctx, &callbackline.Countries{Codes: []string{"DE"}}), callbackline.EINVALID)
	wantCode(t, s.SaveCountries(ctx, &callbackline.Countries{MemberID: "m2", Codes: []string{"DE,FR"}}), callbackline.EINVALID)
	_, err = s.Countries(ctx, "m2")
	wantCode(t, err, callbackline.ENOTFOUND)
	must(t, s.DeletePortal(ctx, "m1"))
	savePortals(t, s, "m1") // installed again: its own country only
	_, err = s.Countries(ctx, "m1")
	wantCode(t, err, callbackline.ENOTFOUND)
}

func testSettingsSave(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1", "m2")
	_, err := s.Settings(ctx, "m1")
	wantCode(t, err, callbackline.ENOTFOUND)
	at := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.FixedZone("CET", 3600))
	yaml := "- number: sales\n  name: Verkauf «Süd»\n  employees: [12, 34]\n"
	must(t, s.SaveSettings(ctx, &callbackline.Settings{MemberID: "m1", Lines: yaml, UpdatedAt: at, UpdatedBy: 12}))
	got, err := s.Settings(ctx, "m1")
	must(t, err)
	if got.MemberID != "m1" || got.Lines != yaml || got.UpdatedBy != 12 || !sameTime(got.UpdatedAt, at) || got.UpdatedAt.Location() != time.UTC {
		t.Fatalf("settings = %+v", got)
	}
	// Saving again replaces them.
	must(t, s.SaveSettings(ctx, &callbackline.Settings{MemberID: "m1", Lines: "- number: support\n", UpdatedBy: 34}))
	got, err = s.Settings(ctx, "m1")
	must(t, err)
	if got.Lines != "- number: support\n" || got.UpdatedBy != 34 || got.UpdatedAt.IsZero() {
		t.Fatalf("replaced settings = %+v", got)
	}
	// Another portal's are its own.
	_, err = s.Settings(ctx, "m2")
	wantCode(t, err, callbackline.ENOTFOUND)
	// Text a backend cannot keep as is (NUL, bad UTF-8) is cleaned.
	must(t, s.SaveSettings(ctx, &callbackline.Settings{MemberID: "m2", Lines: "a\x00b\xff"}))
	got, err = s.Settings(ctx, "m2")
	must(t, err)
	if got.Lines != "a\uFFFDb\uFFFD" {
		t.Errorf("cleaned lines = %q", got.Lines)
	}
}

func testSettingsUnknownPortal(t *testing.T, s Backend) {
	ctx := ctxT(t)
	err := s.SaveSettings(ctx, &callbackline.Settings{MemberID: "nobody", Lines: "- number: x\n"})
	wantCode(t, err, callbackline.ENOTFOUND)
	err = s.SaveSettings(ctx, &callbackline.Settings{Lines: "- number: x\n"})
	wantCode(t, err, callbackline.EINVALID)
}

func testSettingsDeleted(t *testing.T, s Backend) {
	ctx := ctxT(t)
	savePortals(t, s, "m1")
	must(t, s.SaveSettings(ctx, &callbackline.Settings{MemberID: "m1", Lines: "- number: x\n"}))
	must(t, s.DeletePortal(ctx, "m1"))
	savePortals(t, s, "m1") // installed again: starts from the configured lines
	_, err := s.Settings(ctx, "m1")
	wantCode(t, err, callbackline.ENOTFOUND)
}
