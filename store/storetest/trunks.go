package storetest

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/secret"
)

// runTrunksClear tests a backend without an encryption key: it refuses to
// store a portal's SIP account (a password is never kept in the clear).
func runTrunksClear(t *testing.T, open func(t *testing.T) Backend) {
	t.Run("RefusedWithoutKey", func(t *testing.T) {
		s := open(t)
		ctx := ctxT(t)
		savePortals(t, s, "m1")
		err := s.SavePortalTrunk(ctx, ownTrunk("m1"))
		wantCode(t, err, callbackline.EINVALID)
		_, err = s.PortalTrunk(ctx, "m1")
		wantCode(t, err, callbackline.ENOTFOUND)
		list, err := s.PortalTrunks(ctx)
		must(t, err)
		if len(list) != 0 {
			t.Errorf("stored without a key: %+v", list)
		}
	})
}

// ownTrunk is portal m's own SIP account.
func ownTrunk(m string) *callbackline.PortalTrunk {
	return &callbackline.PortalTrunk{MemberID: m, Registrar: "sip." + m + ".example:5060", Username: "user-" + m,
		Password: "password-" + m, CallerIDs: []string{"+4930123456", "+4940123456"}, Transport: "tcp", Register: true, UpdatedBy: 7}
}

// runTrunksSealed tests the portals' own SIP accounts with a key: saved,
// replaced, listed and deleted (also with the portal); the password is
// sealed for its portal at rest, and one copied into another portal's
// row is refused instead of used.
func runTrunksSealed(t *testing.T, box *secret.Box, open OpenSealed) {
	t.Run("TrunkSaveReplaceDelete", func(t *testing.T) {
		s, db := open(t, box)
		ctx := ctxT(t)
		savePortals(t, s, "m1", "m2")
		wantCode(t, s.SavePortalTrunk(ctx, ownTrunk("nobody")), callbackline.ENOTFOUND)
		wantCode(t, s.SavePortalTrunk(ctx, &callbackline.PortalTrunk{Password: "x"}), callbackline.EINVALID)
		at := time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)
		in := ownTrunk("m1")
		in.UpdatedAt = at
		before, err := s.GuardInputs(ctx, "m1")
		must(t, err)
		must(t, s.SavePortalTrunk(ctx, in))
		if after, err := s.GuardInputs(ctx, "m1"); err != nil || after == before {
			t.Errorf("the portal's own account (caller IDs) did not change its guard inputs: %q, %v", after, err)
		}
		got, err := s.PortalTrunk(ctx, "m1")
		must(t, err)
		if got.Password != "password-m1" || got.Username != "user-m1" || got.Registrar != in.Registrar || got.Transport != "tcp" ||
			!got.Register || got.UpdatedBy != 7 || !sameTime(got.UpdatedAt, at) || strings.Join(got.CallerIDs, " ") != "+4930123456 +4940123456" {
			t.Fatalf("read back %+v", got)
		}
		var raw string
		must(t, db.QueryRowContext(ctx, `SELECT password FROM portal_trunks WHERE member_id = 'm1'`).Scan(&raw))
		if !strings.HasPrefix(raw, "enc:v2:") || strings.Contains(raw, "password") {
			t.Errorf("the password at rest: %q", raw)
		}
		// Replaced, not added.
		in = ownTrunk("m1")
		in.Password, in.Register, in.CallerIDs = "new-password", false, []string{"+4930999999"}
		must(t, s.SavePortalTrunk(ctx, in))
		must(t, s.SavePortalTrunk(ctx, ownTrunk("m2")))
		list, err := s.PortalTrunks(ctx)
		must(t, err)
		if len(list) != 2 || list[0].MemberID != "m1" || list[0].Password != "new-password" || list[0].Register || len(list[0].CallerIDs) != 1 {
			t.Fatalf("list %+v", list)
		}
		// m1's sealed password copied into m2's row: refused, not used.
		must(t, db.QueryRowContext(ctx, `SELECT password FROM portal_trunks WHERE member_id = 'm1'`).Scan(&raw))
		if _, err := db.ExecContext(ctx, `UPDATE portal_trunks SET password = '`+raw+`' WHERE member_id = 'm2'`); err != nil {
			t.Fatal(err)
		}
		if got, err := s.PortalTrunk(ctx, "m2"); !errors.Is(err, secret.ErrOpen) {
			t.Errorf("a password copied from another portal: %+v %v", got, err)
		}
		// A save and a delete with a change are logged; no password.
		in = ownTrunk("m2")
		in.Audit = &callbackline.Change{UserID: 7, UserName: "Anna", Summary: "password changed"}
		must(t, s.SavePortalTrunk(ctx, in))
		must(t, s.DeletePortalTrunk(ctx, "m2", &callbackline.Change{UserID: 7, UserName: "Anna", Summary: "SIP account removed"}))
		_, err = s.PortalTrunk(ctx, "m2")
		wantCode(t, err, callbackline.ENOTFOUND)
		if l := auditLog(t, s, "m2"); len(l) != 2 || l[0].Summary != "SIP account removed" || l[1].What != callbackline.AuditTrunk {
			t.Errorf("the trunk's audit log: %+v", l)
		}
		must(t, s.DeletePortalTrunk(ctx, "m2", &callbackline.Change{UserID: 7, UserName: "Anna", Summary: "again"}))
		if l := auditLog(t, s, "m2"); len(l) != 2 {
			t.Errorf("a delete of nothing was logged: %+v", l)
		}
		must(t, s.DeletePortal(ctx, "m1"))
		_, err = s.PortalTrunk(ctx, "m1")
		wantCode(t, err, callbackline.ENOTFOUND)
		var n int
		must(t, db.QueryRowContext(ctx, `SELECT count(*) FROM portal_trunks`).Scan(&n))
		if n != 0 {
			t.Errorf("%d rows left", n)
		}
	})
}
