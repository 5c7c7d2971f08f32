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

// keys derives, from the server secret (MINQING_SECRET), the keys that keep
// users anonymous: one for keyed hashes (dedup keys, rate limits, dialog
// state) and one for sealing the few openids the service must be able to
// read back (receipts, so that a school's answer reaches the sender).
type keys struct {
	hash []byte
	aead cipher.AEAD
}

func newKeys(secret string) (keys, error) {
	if len(secret) < 16 {
		return keys{}, fmt.Errorf("bot: the server secret is too short: %w", ErrInvalid)
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, []byte(secret))
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("minqing/seal/v1"))
	if err != nil {
		return keys{}, fmt.Errorf("bot: seal key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return keys{}, fmt.Errorf("bot: seal key: %w", err)
	}
	return keys{hash: derive("minqing/hash/v1"), aead: aead}, nil
}

// sum returns a hex keyed hash of the parts, 128 bits long.
func (k keys) sum(domain string, parts ...string) string {
	m := hmac.New(sha256.New, k.hash)
	m.Write([]byte(domain))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// sender is the keyed hash that stands for a WeChat user wherever the
// service must recognise them again without knowing who they are.
func (k keys) sender(openid string) string { return k.sum("sender", openid) }

// dedup is the key of one inbound message across WeChat's retries.
func (k keys) dedup(in Inbound) string { return k.sum("dedup", in.dedupSubject()) }

// seal encrypts and authenticates plaintext (AES-256-GCM, random nonce).
func (k keys) seal(plaintext []byte) []byte {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("bot: crypto/rand failed: " + err.Error())
	}
	return k.aead.Seal(nonce, nonce, plaintext, nil)
}

var errBadSeal = errors.New("bot: sealed value is corrupt or was sealed with another secret")

// open reverses seal.
func (k keys) open(sealed []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, errBadSeal
	}
	out, err := k.aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, errBadSeal
	}
	return out, nil
}
