package bot

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
)

// Keys derives, from the server secret (MINQING_SECRET), the keys that keep
// users anonymous: one for keyed hashes (dedup keys, rate limits, dialog
// state) and one for sealing the few openids the service must be able to
// read back (receipts, so that a school's answer reaches the sender).
type Keys struct {
	hash []byte
	aead cipher.AEAD
}

func NewKeys(secret string) (Keys, error) {
	if len(secret) < 16 {
		return Keys{}, fmt.Errorf("bot: the server secret is too short: %w", ErrInvalid)
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("minqing/seal/v1"))
	if err != nil {
		return Keys{}, fmt.Errorf("bot: seal key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Keys{}, fmt.Errorf("bot: seal key: %w", err)
	}
	return Keys{hash: derive("minqing/hash/v1"), aead: aead}, nil
}

// Sum returns a hex keyed hash of the parts, 128 bits long.
func (k Keys) Sum(domain string, parts ...string) string {
	m := hmac.New(sha256.New, k.hash)
	m.Write([]byte(domain))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// Sender is the keyed hash that stands for a WeChat user wherever the
// service must recognise them again without knowing who they are.
func (k Keys) Sender(openid string) string { return k.Sum("sender", openid) }

// BindCodeHash is the keyed hash under which a bind code is stored.
func (k Keys) BindCodeHash(code string) string { return k.Sum("bindcode", code) }

// Dedup is the key of one inbound message across WeChat's retries.
func (k Keys) Dedup(in Inbound) string { return k.Sum("dedup", in.dedupSubject()) }

// Seal encrypts and authenticates plaintext (AES-256-GCM, random nonce).
func (k Keys) Seal(plaintext []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("bot: crypto/rand failed: " + err.Error())
	}
	return k.aead.Seal(nonce, nonce, plaintext, nil)
}

var ErrBadSeal = errors.New("bot: sealed value is corrupt or was sealed with another secret")

// Open reverses Seal.
func (k Keys) Open(sealed []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, ErrBadSeal
	}
	out, err := k.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, ErrBadSeal
	}
	return out, nil
}
