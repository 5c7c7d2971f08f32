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
	"hash"
	"sync"
	"time"
)

// Keys derives, from the server secret (MINQING_SECRET), the long-lived
// keys: one for keyed hashes (rate limits, a parent's choice of school, and
// the fallback dedup and dialog keys while the state store is down) and one
// for sealing bind codes. Nothing derived from these
// keys and an openid is ever stored in the database: a backup holds the
// secret too. What links an anonymous opinion to its sender is keyed under
// a LinkKey instead.
type Keys struct {
	hash []byte
	macs *sync.Pool // keyed HMACs of hash, reused (see sum)
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
	h := derive("minqing/hash/v1")
	return Keys{hash: h, macs: macPool(h), aead: aead}, nil
}

// Sum returns a hex keyed hash of the parts, 128 bits long.
func (k Keys) Sum(domain string, parts ...string) string { return sum(k.macs, k.hash, domain, parts) }

// macPool returns a pool of HMAC-SHA256s keyed with key: a keyed hash
// Reset to its keyed state costs far less than a new one (which hashes
// the key's pads again), and every message computes several.
func macPool(key []byte) *sync.Pool {
	return &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}
}

// sum is the hex of the first 16 bytes of HMAC-SHA256 under key of domain
// and parts, each part preceded by a zero byte; macs, if not nil, holds
// HMACs keyed with key.
func sum(macs *sync.Pool, key []byte, domain string, parts []string) string {
	var m hash.Hash
	if macs != nil {
		m = macs.Get().(hash.Hash)
		m.Reset()
	} else {
		m = hmac.New(sha256.New, key)
	}
	m.Write([]byte(domain))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	var out [sha256.Size]byte
	m.Sum(out[:0])
	if macs != nil {
		macs.Put(m)
	}
	return hex.EncodeToString(out[:16])
}

// Sender is the keyed hash that stands for a WeChat user wherever the
// service must recognise them again without knowing who they are.
func (k Keys) Sender(openid string) string { return k.Sum("sender", openid) }

// BindCodeHash is the keyed hash under which a bind code is stored.
func (k Keys) BindCodeHash(code string) string { return k.Sum("bindcode", code) }

// Dedup is the key of one inbound message across WeChat's retries.
func (k Keys) Dedup(in Inbound) string { return k.Sum("dedup", in.dedupSubject()) }

// Seal encrypts and authenticates plaintext (AES-256-GCM, random nonce).
func (k Keys) Seal(plaintext []byte) []byte { return seal(k.aead, plaintext) }

// Open reverses Seal.
func (k Keys) Open(sealed []byte) ([]byte, error) { return open(k.aead, sealed) }

func seal(aead cipher.AEAD, plaintext []byte) []byte {
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("bot: crypto/rand failed: " + err.Error())
	}
	return aead.Seal(nonce, nonce, plaintext, nil)
}

var ErrBadSeal = errors.New("bot: sealed value is corrupt or was sealed with another key")

func open(aead cipher.AEAD, sealed []byte) ([]byte, error) {
	n := aead.NonceSize()
	if len(sealed) < n+aead.Overhead() {
		return nil, ErrBadSeal
	}
	out, err := aead.Open(nil, sealed[:n], sealed[n:], nil)
	if err != nil {
		return nil, ErrBadSeal
	}
	return out, nil
}

// LinkKeySize is the length of a LinkKey's random material.
const LinkKeySize = 32

// LinkKey is a random key that lives only in the state store and expires
// there: everything that links an anonymous opinion to its sender is keyed
// or sealed under one, so that once it expires the link is gone for
// everybody, whoever holds the database, the secret and every backup.
type LinkKey struct {
	hash []byte
	macs *sync.Pool // keyed HMACs of hash, reused (see sum)
	aead cipher.AEAD
	// Expires is when the state store forgets the key.
	Expires time.Time
}

// NewLinkKey returns the LinkKey of raw, LinkKeySize random bytes.
func NewLinkKey(raw []byte, expires time.Time) (LinkKey, error) {
	if len(raw) != LinkKeySize {
		return LinkKey{}, fmt.Errorf("bot: link key of %d bytes: %w", len(raw), ErrInvalid)
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, raw)
		m.Write([]byte(label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("minqing/link-seal/v1"))
	if err != nil {
		return LinkKey{}, fmt.Errorf("bot: link key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return LinkKey{}, fmt.Errorf("bot: link key: %w", err)
	}
	h := derive("minqing/link-hash/v1")
	return LinkKey{hash: h, macs: macPool(h), aead: aead, Expires: expires}, nil
}

// Dedup is the key under which the database records that in was processed:
// keyed under a link key, so that a backup and the secret cannot tell whose
// message a record was (the record holds the reply, a receipt code say).
func (k LinkKey) Dedup(in Inbound) string { return k.Sum("dedup", in.dedupSubject()) }

// Sum returns a hex keyed hash of the parts under the link key.
func (k LinkKey) Sum(domain string, parts ...string) string {
	return sum(k.macs, k.hash, domain, parts)
}

// Seal encrypts plaintext under the link key.
func (k LinkKey) Seal(plaintext []byte) []byte { return seal(k.aead, plaintext) }

// Open reverses Seal.
func (k LinkKey) Open(sealed []byte) ([]byte, error) { return open(k.aead, sealed) }
