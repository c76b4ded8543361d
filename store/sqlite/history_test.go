package sqlite_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/callbackline/callbackline"
)

// TestMigrateHistoryNotes: migration 00017 on a database with history
// written before it keeps the old entries as they were (their English,
// no code); entries written after it keep their code and arguments.
func TestMigrateHistoryNotes(t *testing.T) {
	ctx := context.Background()
	s := openUpgraded(t, "00017",
		`INSERT INTO portals (member_id, status, installed_at, updated_at) VALUES ('m1', 'installed', 1, 1)`,
		`INSERT INTO callbacks (member_id, kind, phone, state, created_at, updated_at) VALUES ('m1', 'callback', '+4930111', 'connected', 1, 1)`,
		`INSERT INTO history (callback_id, at, state, note) VALUES (1, 1, 'connected', 'the client answered: connected')`)
	cb, err := s.Callback(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	cb.State = callbackline.StateDone
	done := callbackline.NewNote("done", 42)
	if err := s.Advance(ctx, cb, 0, done); err != nil {
		t.Fatal(err)
	}
	h, err := s.History(ctx, 1)
	if err != nil || len(h) != 2 {
		t.Fatalf("history: %+v, %v; want the old entry and the new", h, err)
	}
	if h[0].Note != "the client answered: connected" || h[0].Said.Code != "" || h[0].Said.Args != nil {
		t.Errorf("the old entry: %+v, want its English and no code", h[0])
	}
	if h[1].Note != "done: the employee and the client talked for 42 s" || !reflect.DeepEqual(h[1].Said, done) {
		t.Errorf("the new entry: %+v, want its English, code and arguments", h[1])
	}
}
