package wechat

import (
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"slices"
)

// ErrBadSignature means a signature or msg_signature does not match.
var ErrBadSignature = errors.New("wechat: bad signature")

// sigLen is the length of a signature: hex of a SHA-1 sum.
const sigLen = 2 * sha1.Size

// Sign returns WeChat's signature over token, timestamp, nonce and any extra
// strings: the lowercase hex SHA-1 of their concatenation in sorted order.
// With no extra it is the `signature` query parameter; with the Encrypt
// field as extra it is the safe-mode `msg_signature`.
func Sign(token, timestamp, nonce string, extra ...string) string {
	d := digest(token, timestamp, nonce, extra)
	return string(d[:])
}

// VerifySignature reports whether got is the signature Sign would compute,
// comparing in constant time.
func VerifySignature(got, token, timestamp, nonce string, extra ...string) bool {
	if len(got) != sigLen {
		return false
	}
	want := digest(token, timestamp, nonce, extra)
	var g [sigLen]byte
	copy(g[:], got)
	return subtle.ConstantTimeCompare(g[:], want[:]) == 1
}

// digest computes the signature without allocating for the usual sizes.
func digest(token, timestamp, nonce string, extra []string) [sigLen]byte {
	var partsArr [8]string
	parts := append(partsArr[:0], token, timestamp, nonce)
	parts = append(parts, extra...)
	slices.Sort(parts)
	total := 0
	for _, p := range parts {
		total += len(p)
	}
	var stack [1024]byte
	buf := stack[:0]
	if total > len(stack) {
		buf = make([]byte, 0, total)
	}
	for _, p := range parts {
		buf = append(buf, p...)
	}
	sum := sha1.Sum(buf)
	var out [sigLen]byte
	hex.Encode(out[:], sum[:])
	return out
}
