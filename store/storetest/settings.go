package storetest

import (
	"testing"
	"time"

	"github.com/callbackline/callbackline"
)

// runSettings tests the SettingsStore part of a backend.
func runSettings(t *testing.T, open func(t *testing.T) Backend) {
	t.Run("SaveReplaceGet", func(t *testing.T) { testSettingsSave(t, open(t)) })
	t.Run("UnknownPortal", func(t *testing.T) { testSettingsUnknownPortal(t, open(t)) })
	t.Run("DeletedWithPortal", func(t *testing.T) { testSettingsDeleted(t, open(t)) })
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
