package sqlite_test

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/secret"
	"github.com/callbackline/callbackline/store/sqlite"
	"github.com/callbackline/callbackline/store/sqlstore"
	"github.com/callbackline/callbackline/store/storetest"
)

// TestTokensEncryptedAtRest: with a key the tokens never reach the file in
// the clear; they read back in the clear; without the key they cannot be
// read; tokens stored before the key was set still read, and are sealed
// when the store opens with the key.
func TestTokensEncryptedAtRest(t *testing.T) {
	ctx := context.Background()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "enc.db")
	box, err := secret.NewBox(bytes.Repeat([]byte{1}, 32))
	if err != nil {
		t.Fatal(err)
	}
	// A portal stored in the clear, before encryption was turned on.
	plain, err := sqlite.Open(ctx, dsn, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := plain.SavePortal(ctx, &callbackline.Portal{MemberID: "old", AccessToken: "old-access", RefreshToken: "old-refresh", ApplicationToken: "old-app"}); err != nil {
		t.Fatal(err)
	}
	plain.Close()

	st, err := sqlite.Open(ctx, dsn, sqlite.Options{Options: sqlstore.Options{Secrets: box}})
	if err != nil {
		t.Fatal(err)
	}
	p := &callbackline.Portal{MemberID: "m1", AccessToken: "access-secret-1", RefreshToken: "refresh-secret-1",
		ApplicationToken: "app-secret-1", ExpiresAt: time.Now().Add(time.Hour)}
	if err := st.SavePortal(ctx, p); err != nil {
		t.Fatal(err)
	}
	if err := st.SaveTokens(ctx, "m1", callbackline.Tokens{AccessToken: "access-secret-2", RefreshToken: "refresh-secret-2", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var raw string
	if err := st.DB().QueryRowContext(ctx, `SELECT access_token || refresh_token || application_token FROM portals WHERE member_id = 'm1'`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw, "secret") {
		t.Errorf("a token is stored in the clear: %q", raw)
	}
	got, err := st.Portal(ctx, "m1")
	if err != nil || got.AccessToken != "access-secret-2" || got.RefreshToken != "refresh-secret-2" || got.ApplicationToken != "app-secret-1" {
		t.Errorf("read back %+v, %v", got, err)
	}
	if old, err := st.Portal(ctx, "old"); err != nil || old.AccessToken != "old-access" {
		t.Errorf("a portal stored in the clear: %+v, %v", old, err)
	}
	// Opening with the key sealed the old portal's tokens too, for it.
	if err := st.DB().QueryRowContext(ctx, `SELECT access_token || refresh_token || application_token FROM portals WHERE member_id = 'old'`).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(raw, "old-") || strings.Count(raw, "enc:v2:") != 3 {
		t.Errorf("the old portal's tokens were not sealed when the store opened with the key: %q", raw)
	}
	st.Close()

	nokey, err := sqlite.Open(ctx, dsn, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer nokey.Close()
	if _, err := nokey.Portal(ctx, "m1"); err == nil || !strings.Contains(err.Error(), "encryption_key") {
		t.Errorf("reading without the key: %v", err)
	}
}

func TestConformanceSealed(t *testing.T) {
	storetest.RunSealed(t, func(t *testing.T, box *secret.Box) (storetest.Sealed, *sql.DB) {
		s := openTest(t, sqlite.Options{Options: sqlstore.Options{Secrets: box}})
		return s, s.DB()
	})
}
