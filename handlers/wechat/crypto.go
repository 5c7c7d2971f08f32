package wechat

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"unsafe"
)

// Errors returned by NewCrypto and (*Crypto).Decrypt. They are sentinels:
// test for them with errors.Is.
var (
	// ErrBadKey means the EncodingAESKey is not 43 characters of base64
	// that decode to a 32-byte AES key.
	ErrBadKey = errors.New("wechat: bad EncodingAESKey")
	// ErrBadBase64 means the Encrypt field is not valid standard base64.
	ErrBadBase64 = errors.New("wechat: encrypted payload is not valid base64")
	// ErrBadCiphertext means the payload decoded but cannot be a WeChat
	// ciphertext under this key: empty, not a multiple of the AES block
	// size, bad PKCS#7 padding, or a length field out of range.
	ErrBadCiphertext = errors.New("wechat: malformed ciphertext")
	// ErrWrongAppID means the payload decrypted but names another AppID.
	ErrWrongAppID = errors.New("wechat: payload is for another AppID")
)

const (
	// encodingAESKeyLen is the length of an EncodingAESKey: base64 of a
	// 32-byte key without its trailing "=".
	encodingAESKeyLen = 43
	// padBlock is the block size WeChat pads to with PKCS#7 (not the AES
	// block size).
	padBlock = 32
	// headerLen is the 16 random bytes plus the 4-byte message length that
	// precede the message in a plaintext.
	headerLen = 20
)

// Crypto encrypts and decrypts the payloads of WeChat's safe mode
// (encrypt_type=aes): AES-256-CBC with IV = key[:16], plaintext = 16 random
// bytes + 4-byte big-endian message length + message + AppID, PKCS#7 padded
// to 32 bytes, base64-encoded.
//
// A Crypto is safe for concurrent use.
type Crypto struct {
	appID string
	key   [32]byte
	block cipher.Block
	// random supplies the 16 leading bytes of each plaintext; nil means
	// crypto/rand. Tests set it to get reproducible ciphertexts.
	random io.Reader
}

// NewCrypto returns a Crypto for the account's EncodingAESKey (43
// characters, as shown in the WeChat console) and AppID.
func NewCrypto(encodingAESKey, appID string) (*Crypto, error) {
	if len(encodingAESKey) != encodingAESKeyLen {
		return nil, fmt.Errorf("%w: must be %d characters, got %d", ErrBadKey, encodingAESKeyLen, len(encodingAESKey))
	}
	key, err := base64.StdEncoding.DecodeString(encodingAESKey + "=")
	if err != nil {
		return nil, fmt.Errorf("%w: not base64: %w", ErrBadKey, err)
	}
	if len(key) != 32 {
		return nil, fmt.Errorf("%w: decodes to %d bytes, want 32", ErrBadKey, len(key))
	}
	if appID == "" {
		return nil, errors.New("wechat: new crypto: AppID is empty")
	}
	c := &Crypto{appID: appID}
	copy(c.key[:], key)
	c.block, err = aes.NewCipher(c.key[:])
	if err != nil {
		return nil, fmt.Errorf("wechat: new crypto: %w", err)
	}
	return c, nil
}

// AppID returns the AppID the Crypto seals payloads for and expects in the
// payloads it opens.
func (c *Crypto) AppID() string { return c.appID }

// Decrypt opens the Encrypt field of a safe-mode message and returns the
// inner XML. It never panics; its errors wrap ErrBadBase64,
// ErrBadCiphertext or ErrWrongAppID. The result shares no memory with the
// input.
func (c *Crypto) Decrypt(encrypt string) ([]byte, error) {
	// A read-only view of the string's bytes: base64.Decode only reads src,
	// and this saves copying a payload of up to 64 KiB on every request.
	src := unsafe.Slice(unsafe.StringData(encrypt), len(encrypt))
	buf := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
	n, err := base64.StdEncoding.Decode(buf, src)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadBase64, err)
	}
	ct := buf[:n]
	if n == 0 || n%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: length %d is not a positive multiple of %d", ErrBadCiphertext, n, aes.BlockSize)
	}
	cipher.NewCBCDecrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(ct, ct)

	pad := int(ct[n-1])
	if pad == 0 || pad > padBlock || pad > n {
		return nil, fmt.Errorf("%w: bad padding", ErrBadCiphertext)
	}
	for _, b := range ct[n-pad:] {
		if int(b) != pad {
			return nil, fmt.Errorf("%w: bad padding", ErrBadCiphertext)
		}
	}
	pt := ct[:n-pad]
	if len(pt) < headerLen {
		return nil, fmt.Errorf("%w: plaintext too short (%d bytes)", ErrBadCiphertext, len(pt))
	}
	msgLen := uint64(binary.BigEndian.Uint32(pt[16:headerLen]))
	if msgLen > uint64(len(pt)-headerLen) {
		return nil, fmt.Errorf("%w: length field %d out of range", ErrBadCiphertext, msgLen)
	}
	end := headerLen + int(msgLen)
	if string(pt[end:]) != c.appID {
		return nil, ErrWrongAppID
	}
	return pt[headerLen:end:end], nil
}

// Encrypt seals plaintext (the inner XML) for this account and returns the
// base64 string that goes into an Encrypt element. It fails only if the
// system's random source fails or plaintext is larger than 4 GiB.
func (c *Crypto) Encrypt(plaintext []byte) (string, error) {
	if uint64(len(plaintext)) > math.MaxUint32 {
		return "", fmt.Errorf("wechat: encrypt: message of %d bytes is too large", len(plaintext))
	}
	content := headerLen + len(plaintext) + len(c.appID)
	pad := padBlock - content%padBlock // 1..32: PKCS#7 always pads
	n := content + pad
	// One allocation holds the plaintext (encrypted in place) and, after
	// it, the base64 text the result string points into.
	buf := make([]byte, n+base64.StdEncoding.EncodedLen(n))
	pt, out := buf[:n], buf[n:]
	if err := c.readRandom(pt[:16]); err != nil {
		return "", fmt.Errorf("wechat: encrypt: random bytes: %w", err)
	}
	binary.BigEndian.PutUint32(pt[16:headerLen], uint32(len(plaintext)))
	copy(pt[headerLen:], plaintext)
	copy(pt[headerLen+len(plaintext):], c.appID)
	for i := content; i < n; i++ {
		pt[i] = byte(pad)
	}
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(pt, pt)
	base64.StdEncoding.Encode(out, pt)
	// out is never written again, so the string may alias it.
	return unsafe.String(&out[0], len(out)), nil
}

func (c *Crypto) readRandom(b []byte) error {
	if c.random == nil {
		_, err := rand.Read(b)
		return err
	}
	_, err := io.ReadFull(c.random, b)
	return err
}
