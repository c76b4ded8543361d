package web_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/callbackline/callbackline/store/postgres"
	"github.com/callbackline/callbackline/store/storetest"
)

// openPostgres opens a PostgreSQL store in a fresh schema that is dropped
// after the test. It skips when CALLBACKLINE_TEST_POSTGRES is not set.
func openPostgres(t testing.TB) storetest.Backend {
	t.Helper()
	dsn := os.Getenv("CALLBACKLINE_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("CALLBACKLINE_TEST_POSTGRES is not set: set it to a PostgreSQL DSN (e.g. postgres://root@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL end-to-end tests")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "web_" + hex.EncodeToString(b)
	ctx := context.Background()
	st, err := postgres.Open(ctx, dsn, postgres.Options{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		st.Close()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE"); err != nil {
			t.Errorf("dropping schema %s: %v", schema, err)
		}
	})
	return st
}
