// Package secret encrypts the secrets callbackline keeps at rest (the
// portals' OAuth and application tokens) when an encryption key is
// configured: AES-256-GCM, each value with its own random nonce.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"strings"

	"github.com/callbackline/callbackline"
)

// prefix marks a sealed value; values without it were stored in the clear
// (before a key was configured) and are read as they are.
const prefix = "enc:v1:"

// Box seals and opens values with one key. A nil *Box keeps values in the
// clear.
type Box struct {
	aead cipher.AEAD
}

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, callbackline.Errorf(callbackline.EINVALID, "the encryption key must be 32 bytes, not %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINVALID, "the encryption key cannot be used")
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, callbackline.WrapError(err, callbackline.EINVALID, "the encryption key cannot be used")
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts s. The empty string and a nil Box give s back.
func (b *Box) Seal(s string) string {
	if b == nil || s == "" {
		return s
	}
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand never fails on Linux
	return prefix + base64.RawStdEncoding.EncodeToString(b.aead.Seal(nonce, nonce, []byte(s), nil))
}

// Open decrypts a value Seal made. A value stored in the clear comes back
// as it is, so a key can be configured for an existing database.
func (b *Box) Open(s string) (string, error) {
	rest, sealed := strings.CutPrefix(s, prefix)
	if !sealed {
		return s, nil
	}
	if b == nil {
		return "", callbackline.Errorf(callbackline.EUNAVAILABLE,
			"a stored secret is encrypted but no encryption_key is configured: set the key it was written with")
	}
	raw, err := base64.RawStdEncoding.DecodeString(rest)
	n := b.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", callbackline.Errorf(callbackline.EINTERNAL, "a stored secret is damaged")
	}
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], nil)
	if err != nil {
		return "", callbackline.Errorf(callbackline.EUNAVAILABLE,
			"a stored secret cannot be decrypted: encryption_key is not the key it was written with")
	}
	return string(plain), nil
}

// OpenAll opens each value in place and returns the first error.
func (b *Box) OpenAll(values ...*string) error {
	for _, v := range values {
		plain, err := b.Open(*v)
		if err != nil {
			return err
		}
		*v = plain
	}
	return nil
}
