package secret_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/callbackline/callbackline"
	"github.com/callbackline/callbackline/secret"
)

func TestBox(t *testing.T) {
	key := bytes.Repeat([]byte{7}, 32)
	b, err := secret.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	const token = "6e1b0c6900703a8b0044d3b600000001000007a1b2c3d4e5f6"
	sealed := b.Seal(token)
	if strings.Contains(sealed, token) || sealed == b.Seal(token) {
		t.Errorf("sealed %q shows the token or is not randomised", sealed)
	}
	if got, err := b.Open(sealed); err != nil || got != token {
		t.Errorf("Open = %q, %v", got, err)
	}
	if got, err := b.Open(token); err != nil || got != token {
		t.Errorf("a value stored in the clear: %q, %v", got, err)
	}
	if b.Seal("") != "" {
		t.Error("the empty string must stay empty")
	}
	other, _ := secret.NewBox(bytes.Repeat([]byte{8}, 32))
	if _, err := other.Open(sealed); callbackline.ErrorCode(err) != callbackline.EUNAVAILABLE {
		t.Errorf("wrong key: %v", err)
	}
	var none *secret.Box
	if _, err := none.Open(sealed); err == nil || !strings.Contains(err.Error(), "encryption_key") {
		t.Errorf("no key: %v", err)
	}
	if none.Seal(token) != token {
		t.Error("a nil Box must keep values in the clear")
	}
	if _, err := b.Open("enc:v1:!!!"); err == nil {
		t.Error("a damaged value opened")
	}
	if _, err := secret.NewBox([]byte("short")); callbackline.ErrorCode(err) != callbackline.EINVALID {
		t.Errorf("short key: %v", err)
	}
}
