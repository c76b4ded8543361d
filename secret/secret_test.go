package secret_test

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/secret"
)

const member = "a223c6b9410f85df78e9377d6c4f7213"

func TestBox(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	b, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	const token = "6e1b0c6900703a8b0044d3b600000001000007a1b2c3d4e5f6"
	sealed := b.Seal(member, token)
	if strings.Contains(sealed, token) || sealed == b.Seal(member, token) {
		t.Errorf("sealed %q shows the token or is not randomised", sealed)
	}
	if got, err := b.Open(member, sealed); err != nil || got != token {
		t.Errorf("Open = %q, %v", got, err)
	}
	if got, err := b.Open(member, token); err != nil || got != token {
		t.Errorf("a value stored in the clear: %q, %v", got, err)
	}
	if b.Seal(member, "") != "" {
		t.Error("the empty string must stay empty")
	}
	other, _ := secret.NewBox(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(member, sealed); callbackline.ErrorCode(err) != callbackline.EUNAVAILABLE || !errors.Is(err, secret.ErrOpen) {
		t.Errorf("wrong key: %v", err)
	}
	var none *secret.Box
	if _, err := none.Open(member, sealed); err == nil || !strings.Contains(err.Error(), "encryption_key") {
		t.Errorf("no key: %v", err)
	}
	if none.Seal(member, token) != token {
		t.Error("a nil Box must keep values in the clear")
	}
	if _, err := b.Open(member, "enc:v2:!!!"); err == nil {
		t.Error("a damaged value opened")
	}
	if _, err := secret.NewBox([]byte("short")); callbackline.ErrorCode(err) != callbackline.EINVALID {
		t.Errorf("short key: %v", err)
	}
}

// A value sealed for one portal does not open for another: the member_id
// is authenticated.
func TestBoxBindsOwner(t *testing.T) {
	b, _ := secret.NewBox(bytes.Repeat([]byte{7}, 32))
	sealed := b.Seal(member, "access-token-of-a")
	for _, owner := range []string{"b00000000000000000000000000000b", "", member + "x", strings.ToUpper(member)} {
		got, err := b.Open(owner, sealed)
		if err == nil || !errors.Is(err, secret.ErrOpen) || callbackline.ErrorCode(err) != callbackline.EUNAVAILABLE {
			t.Errorf("opened for %q: %q, %v", owner, got, err)
		}
	}
	var vals [2]string
	vals[0], vals[1] = sealed, b.Seal("other", "x")
	if err := b.OpenAll(member, &vals[0], &vals[1]); !errors.Is(err, secret.ErrOpen) {
		t.Errorf("OpenAll with a foreign value: %v", err)
	}
}

// sealV1 seals as version 1 did: no additional data.
func sealV1(t *testing.T, key []byte, s string) string {
	t.Helper()
	block, err := aes.NewCipher(key)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		t.Fatal(err)
	}
	nonce := bytes.Repeat([]byte{3}, aead.NonceSize())
	return "enc:v1:" + base64.RawStdEncoding.EncodeToString(aead.Seal(nonce, nonce, []byte(s), nil))
}

// A version 1 value (no owner) is not read as it is: OpenLegacy reads it
// once so that it can be sealed again for its owner; Stale says which
// values need that.
func TestBoxLegacy(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	b, _ := secret.NewBox(key)
	old := sealV1(t, key, "old-token")
	if _, err := b.Open(member, old); !errors.Is(err, secret.ErrOpen) {
		t.Errorf("Open read a version 1 value: %v", err)
	}
	if got, err := b.OpenLegacy(member, old); err != nil || got != "old-token" {
		t.Errorf("OpenLegacy = %q, %v", got, err)
	}
	if got, err := b.OpenLegacy(member, b.Seal(member, "new")); err != nil || got != "new" {
		t.Errorf("OpenLegacy of a version 2 value = %q, %v", got, err)
	}
	if _, err := b.OpenLegacy("other", b.Seal(member, "new")); !errors.Is(err, secret.ErrOpen) {
		t.Errorf("OpenLegacy opened a value for another owner: %v", err)
	}
	for v, want := range map[string]bool{old: true, "clear": true, "": false, b.Seal(member, "x"): false} {
		if got := b.Stale(v); got != want {
			t.Errorf("Stale(%q) = %v", v, got)
		}
	}
	var none *secret.Box
	if none.Stale("clear") || none.Stale(old) {
		t.Error("without a key nothing can be sealed again")
	}
}
