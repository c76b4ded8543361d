// Package secret encrypts the secrets callbackline keeps at rest (the
// portals' OAuth and application tokens) when an encryption key is
// configured: AES-256-GCM, each value with its own random nonce and bound
// to its owner (a portal's member_id) as additional authenticated data,
// so that a value copied into another portal's row does not open.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/callbackline/callbackline"
)

// Prefixes of sealed values. Values with neither were stored in the clear
// (before a key was configured) and are read as they are.
const (
	// prefix marks a value sealed for an owner (its additional data).
	prefix = "enc:v2:"
	// legacy marks a value sealed without an owner, before version 2. Open
	// refuses it; OpenLegacy reads it once, so that it can be sealed again
	// for its owner (the stores do that when they open).
	legacy = "enc:v1:"
)

// ErrOpen is in the chain of the error Open returns for a sealed value
// that does not open: the key is not the one it was sealed with, it was
// sealed for another owner (copied from another portal's row), it was
// changed, or it is a version 1 value that was never sealed again for
// its owner. Test it with errors.Is.
var ErrOpen = errors.New("the sealed value does not open")

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

// Seal encrypts s for owner: it opens only with the same key and the same
// owner. The empty string and a nil Box give s back.
func (b *Box) Seal(owner, s string) string {
	if b == nil || s == "" {
		return s
	}
	nonce := make([]byte, b.aead.NonceSize())
	_, _ = rand.Read(nonce) // crypto/rand never fails on Linux
	return prefix + base64.RawStdEncoding.EncodeToString(b.aead.Seal(nonce, nonce, []byte(s), []byte(owner)))
}

// Open decrypts a value Seal made for owner. A value stored in the clear
// comes back as it is, so a key can be configured for an existing
// database. A value sealed for another owner, with another key, or by
// version 1 fails with an EUNAVAILABLE error that wraps ErrOpen.
func (b *Box) Open(owner, s string) (string, error) {
	if rest, ok := strings.CutPrefix(s, prefix); ok {
		return b.open(rest, []byte(owner))
	}
	if strings.HasPrefix(s, legacy) {
		if b == nil {
			return "", noKey()
		}
		return "", callbackline.WrapError(ErrOpen, callbackline.EUNAVAILABLE,
			"a stored secret is sealed without its portal (an older version): it is sealed again for its portal when the service starts with the key it was written with")
	}
	return s, nil
}

// OpenLegacy decrypts a value sealed by version 1, which has no owner, or
// does what Open does for owner. It is for sealing old values again, once;
// use Open to read.
func (b *Box) OpenLegacy(owner, s string) (string, error) {
	if rest, ok := strings.CutPrefix(s, legacy); ok {
		return b.open(rest, nil)
	}
	return b.Open(owner, s)
}

// Stale reports whether s should be sealed again for its owner: it is in
// the clear or sealed by version 1 while b has a key.
func (b *Box) Stale(s string) bool {
	return b != nil && s != "" && !strings.HasPrefix(s, prefix)
}

func (b *Box) open(rest string, ad []byte) (string, error) {
	if b == nil {
		return "", noKey()
	}
	raw, err := base64.RawStdEncoding.DecodeString(rest)
	n := b.aead.NonceSize()
	if err != nil || len(raw) < n {
		return "", callbackline.Errorf(callbackline.EINTERNAL, "a stored secret is damaged")
	}
	plain, err := b.aead.Open(nil, raw[:n], raw[n:], ad)
	if err != nil {
		return "", callbackline.WrapError(ErrOpen, callbackline.EUNAVAILABLE,
			"a stored secret cannot be decrypted: encryption_key is not the key it was written with, or it was written for another portal")
	}
	return string(plain), nil
}

func noKey() error {
	return callbackline.Errorf(callbackline.EUNAVAILABLE,
		"a stored secret is encrypted but no encryption_key is configured: set the key it was written with")
}

// OpenAll opens each value of owner in place and returns the first error.
func (b *Box) OpenAll(owner string, values ...*string) error {
	for _, v := range values {
		plain, err := b.Open(owner, *v)
		if err != nil {
			return err
		}
		*v = plain
	}
	return nil
}
