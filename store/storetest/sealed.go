package storetest

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/secret"
)

// Sealed is a backend that encrypts tokens at rest (Options.Secrets).
type Sealed interface {
	Backend
	// Reseal seals again the tokens in the clear or sealed without their
	// portal; the backends run it when they open.
	Reseal(ctx context.Context) (int, error)
}

// OpenSealed returns a fresh, empty store that seals tokens with box, and
// its database for the raw reads and writes of the tests (plain SQL
// without parameters, the same in every backend).
type OpenSealed func(t *testing.T, box *secret.Box) (Sealed, *sql.DB)

// sealKey is the encryption key of RunSealed.
var sealKey = bytes.Repeat([]byte{0x5e}, 32)

// RunSealed runs the tests of tokens encrypted at rest: nothing in the
// clear, and a token bound to its portal, so that one copied into another
// portal's row is refused instead of used.
func RunSealed(t *testing.T, open OpenSealed) {
	box, err := secret.NewBox(sealKey)
	must(t, err)
	t.Run("AtRest", func(t *testing.T) { testSealedAtRest(t, box, open) })
	t.Run("CopiedTokenRefused", func(t *testing.T) { testSealedCopied(t, box, open) })
	t.Run("Reseal", func(t *testing.T) { testReseal(t, box, open) })
	runTrunksSealed(t, box, open)
}

var tokenCols = []string{"access_token", "refresh_token", "application_token"}

func rawTokens(t *testing.T, db *sql.DB, member string) []string {
	t.Helper()
	v := make([]string, 3)
	err := db.QueryRowContext(ctxT(t), `SELECT access_token, refresh_token, application_token FROM portals WHERE member_id = '`+
		member+`'`).Scan(&v[0], &v[1], &v[2])
	must(t, err)
	return v
}

func testSealedAtRest(t *testing.T, box *secret.Box, open OpenSealed) {
	ctx := ctxT(t)
	s, db := open(t, box)
	savePortals(t, s, "m1")
	must(t, s.SaveTokens(ctx, "m1", callbackline.Tokens{AccessToken: "access-2", RefreshToken: "refresh-2"}))
	for i, v := range rawTokens(t, db, "m1") {
		// The plaintext must not be there; a short piece of it ("m1") may
		// occur in random base64 by chance, so the whole value is looked for.
		if plain := []string{"access-2", "refresh-2", "apptoken-m1"}[i]; !strings.HasPrefix(v, "enc:v2:") || strings.Contains(v, plain) {
			t.Errorf("%s at rest: %q", tokenCols[i], v)
		}
	}
	got, err := s.Portal(ctx, "m1")
	must(t, err)
	if got.AccessToken != "access-2" || got.RefreshToken != "refresh-2" || got.ApplicationToken != "apptoken-m1" {
		t.Errorf("read back %q %q %q", got.AccessToken, got.RefreshToken, got.ApplicationToken)
	}
}

// testSealedCopied: each token column of one portal copied into another
// portal's row makes reading that portal fail with secret.ErrOpen; the
// first portal still reads.
func testSealedCopied(t *testing.T, box *secret.Box, open OpenSealed) {
	ctx := ctxT(t)
	s, db := open(t, box)
	savePortals(t, s, "m1", "m2")
	for _, col := range tokenCols {
		_, err := db.ExecContext(ctx, fmt.Sprintf(`UPDATE portals SET %[1]s = (SELECT %[1]s FROM portals WHERE member_id = 'm1')
			WHERE member_id = 'm2'`, col))
		must(t, err)
		got, err := s.Portal(ctx, "m2")
		if !errors.Is(err, secret.ErrOpen) || callbackline.ErrorCode(err) != callbackline.EUNAVAILABLE {
			t.Errorf("m1's %s in m2's row: %+v, %v; want an error wrapping secret.ErrOpen", col, got, err)
		}
		p, err := s.Portal(ctx, "m1")
		if err != nil || p.AccessToken != "access-m1" {
			t.Errorf("m1 after the copy: %+v, %v", p, err)
		}
		savePortals(t, s, "m2") // its own tokens again
		if p, err := s.Portal(ctx, "m2"); err != nil || p.ApplicationToken != "apptoken-m2" {
			t.Fatalf("m2 saved again: %+v, %v", p, err)
		}
	}
}

// sealV1 seals s as version 1 of package secret did: without an owner.
func sealV1(t *testing.T, s string) string {
	t.Helper()
	block, err := aes.NewCipher(sealKey)
	must(t, err)
	aead, err := cipher.NewGCM(block)
	must(t, err)
	nonce := bytes.Repeat([]byte{9}, aead.NonceSize())
	return "enc:v1:" + base64.RawStdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(s), nil))
}

// testReseal: tokens in the clear and tokens sealed by version 1 (no
// owner) are sealed again for their portal; a version 1 token is not read
// before that; a token of another key is left alone.
func testReseal(t *testing.T, box *secret.Box, open OpenSealed) {
	ctx := ctxT(t)
	s, db := open(t, box)
	savePortals(t, s, "m1", "m2", "m3")
	_, err := db.ExecContext(ctx, `UPDATE portals SET access_token = 'clear-access', refresh_token = '`+sealV1(t, "old-refresh")+
		`', application_token = '`+sealV1(t, "old-app")+`' WHERE member_id = 'm1'`)
	must(t, err)
	other, err := secret.NewBox(bytes.Repeat([]byte{1}, 32))
	must(t, err)
	foreign := other.Seal("m3", "other-key")
	_, err = db.ExecContext(ctx, `UPDATE portals SET access_token = '`+foreign+`' WHERE member_id = 'm3'`)
	must(t, err)
	if _, err := s.Portal(ctx, "m1"); !errors.Is(err, secret.ErrOpen) {
		t.Errorf("a version 1 token was read before it was sealed again: %v", err)
	}
	n, err := s.Reseal(ctx)
	must(t, err)
	if n != 1 {
		t.Errorf("Reseal changed %d portals, want 1", n)
	}
	for i, v := range rawTokens(t, db, "m1") {
		if !strings.HasPrefix(v, "enc:v2:") {
			t.Errorf("%s after Reseal: %q", tokenCols[i], v)
		}
	}
	p, err := s.Portal(ctx, "m1")
	if err != nil || p.AccessToken != "clear-access" || p.RefreshToken != "old-refresh" || p.ApplicationToken != "old-app" {
		t.Errorf("m1 after Reseal: %+v, %v", p, err)
	}
	if raw := rawTokens(t, db, "m3"); raw[0] != foreign {
		t.Errorf("a token of another key was changed: %q", raw[0])
	}
	if n, err := s.Reseal(ctx); err != nil || n != 0 {
		t.Errorf("Reseal again: %d, %v", n, err)
	}
}
