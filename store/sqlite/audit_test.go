package sqlite_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/callbackline/callbackline"
)

// TestMigrateAuditNotes: migration 00018 on a database with an audit log
// written before it keeps the old entries as they were (their English,
// no code); entries written after it keep their code and arguments.
func TestMigrateAuditNotes(t *testing.T) {
	ctx := context.Background()
	s := openUpgraded(t, "00018",
		`INSERT INTO portals (member_id, status, installed_at, updated_at) VALUES ('m1', 'installed', 1, 1)`,
		`INSERT INTO audit_log (member_id, at, what, change) VALUES ('m1', 1, 'countries', 'added DE')`)
	said := callbackline.NewNote("audit_removed", callbackline.NoteList([]string{"DE"}))
	if err := s.SaveCountries(ctx, &callbackline.Countries{MemberID: "m1", Codes: []string{"RU"},
		Audit: &callbackline.Change{UserName: "Anna", Said: said}}); err != nil {
		t.Fatal(err)
	}
	l, err := s.AuditLog(ctx, callbackline.AuditFilter{MemberID: "m1"})
	if err != nil || len(l) != 2 {
		t.Fatalf("audit log: %+v, %v; want the old entry and the new", l, err)
	}
	if l[1].Summary != "added DE" || l[1].Said.Code != "" || l[1].Said.Args != nil {
		t.Errorf("the old entry: %+v, want its English and no code", l[1])
	}
	if l[0].Summary != "removed DE" || !reflect.DeepEqual(l[0].Said, said) {
		t.Errorf("the new entry: %+v, want its English, code and arguments", l[0])
	}
}
