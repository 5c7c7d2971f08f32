package wechat

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/util"
)

// The EasyWeChat vector (tests/Kernel/EncryptorTest.php).
const (
	vecToken     = "pamtest"
	vecAESKey    = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	vecAppID     = "wxb11529c136998cb6"
	vecTimestamp = "1458300676"
	vecNonce     = "260774613"
	vecMsgSig    = "4f3ad57b6989f09f4eb392acce4f9e93942ed890"
	vecEncrypt   = "rTNFcsut4LfGuAFKEUVVpwcaCOTJzOd9twZdIW910jb3k+iicx2uvhttIZ3Qg9Qgty3BEF2xbOrz6boTfb30dMomcgrkTqdFPwnhqbk+kIQ7rZiwny9D7NUrTgA5kpX3KsZvrXzUZyP2x9YOlxbgm572lmxKvM7HAQQhIQ/p6HBmoY30bGXFK0BtIu1pW9TjhOYrLQoU18nWYjWqDA1ynkmOytpv7QRI1P1+0NoxL0q2zO1DgeSvnE8CZGo/o5Ap/WHK5W2RAsinpzN4/LjPnmB6U01I5XCoJoC0GK/yMZycd2Oh8Nq6+wBkC1U85oy0ktOY4nLvsQMLrourmMGdZHuTbqpeJ8Ao/5PRYJ+WBvRUwPfGKBL2+2IKZF49vAJqkcGWSHGE76ZN2erXeuNazf/o9o3lIE3q739o4c8t9QGPe31GT2Go/rOz1BsrASwvauNulCh+++yz+CQzBIuikA=="
	vecXML       = "<xml><URL><![CDATA[http://wechat.laravel.so/server]]></URL><ToUserName><![CDATA[asdasdasd]]></ToUserName><FromUserName><![CDATA[asdasdasdsadasd]]></FromUserName><CreateTime>1234567898</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content><MsgId>12345</MsgId></xml>"
)

// MustCrypto returns a Crypto for the test vector's key and the given AppID.
func MustCrypto(tb testing.TB, appID string) *Crypto {
	tb.Helper()
	c, err := NewCrypto(vecAESKey, appID)
	if err != nil {
		tb.Fatalf("NewCrypto: %v", err)
	}
	return c
}

// fixedRandom makes Encrypt reproducible.
type fixedRandom struct{}

func (fixedRandom) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte('a' + i%26)
	}
	return len(p), nil
}

func TestNewCrypto(t *testing.T) {
	tests := []struct {
		name, key, appID string
		wantErr          error
	}{
		{"ok", vecAESKey, vecAppID, nil},
		{"short key", vecAESKey[:42], vecAppID, ErrBadKey},
		{"long key", vecAESKey + "H", vecAppID, ErrBadKey},
		{"not base64", "!" + vecAESKey[1:], vecAppID, ErrBadKey},
		{"empty key", "", vecAppID, ErrBadKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewCrypto(tt.key, tt.appID)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("NewCrypto error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && c.AppID() != tt.appID {
				t.Errorf("AppID() = %q, want %q", c.AppID(), tt.appID)
			}
		})
	}
	if _, err := NewCrypto(vecAESKey, ""); err == nil {
		t.Error("NewCrypto with an empty AppID: no error")
	}
}

func TestDecryptVector(t *testing.T) {
	got, err := MustCrypto(t, vecAppID).Decrypt(vecEncrypt)
	if err != nil {
		t.Fatalf("Decrypt: %v", err)
	}
	if string(got) != vecXML {
		t.Errorf("Decrypt =\n%s\nwant\n%s", got, vecXML)
	}
}

func TestEncryptRoundTrip(t *testing.T) {
	c := MustCrypto(t, vecAppID)
	// 12 bytes + 20 header + 18 AppID = 50; 46 bytes makes 84; 44 bytes
	// makes exactly 82 … the sizes cover full-block padding both ways.
	for _, n := range []int{0, 1, 12, 26, 44, 45, 46, 1000, 70000} {
		msg := bytes.Repeat([]byte("民x"), n)[:n]
		enc, err := c.Encrypt(msg)
		if err != nil {
			t.Fatalf("Encrypt(%d bytes): %v", n, err)
		}
		raw, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			t.Fatalf("Encrypt(%d bytes) is not base64: %v", n, err)
		}
		if len(raw)%padBlock != 0 {
			t.Errorf("Encrypt(%d bytes): ciphertext of %d bytes, not padded to %d", n, len(raw), padBlock)
		}
		got, err := c.Decrypt(enc)
		if err != nil {
			t.Fatalf("Decrypt(Encrypt(%d bytes)): %v", n, err)
		}
		if !bytes.Equal(got, msg) {
			t.Errorf("round trip of %d bytes: got %d bytes back, different", n, len(got))
		}
	}
}

// TestInteropSDK checks Encrypt and Decrypt against the silenceper SDK both
// ways, with the same random prefix.
func TestInteropSDK(t *testing.T) {
	c := MustCrypto(t, vecAppID)
	c.random = fixedRandom{}
	msg := []byte(vecXML)
	enc, err := c.Encrypt(msg)
	if err != nil {
		t.Fatal(err)
	}
	random := make([]byte, 16)
	_, _ = fixedRandom{}.Read(random)
	sdkEnc, err := util.EncryptMsg(random, msg, vecAppID, vecAESKey)
	if err != nil {
		t.Fatal(err)
	}
	if enc != string(sdkEnc) {
		t.Errorf("Encrypt differs from the SDK's:\n got %s\nwant %s", enc, sdkEnc)
	}
	_, sdkPlain, err := util.DecryptMsg(vecAppID, enc, vecAESKey)
	if err != nil || !bytes.Equal(sdkPlain, msg) {
		t.Errorf("SDK DecryptMsg(Encrypt) = %q, %v", sdkPlain, err)
	}
}

// seal encrypts a hand-made plaintext (already padded to 16 bytes) with
// the vector's key, to test Decrypt's checks.
func seal(t *testing.T, pt []byte) string {
	t.Helper()
	c := MustCrypto(t, vecAppID)
	out := bytes.Clone(pt)
	cipher.NewCBCEncrypter(c.block, c.key[:aes.BlockSize]).CryptBlocks(out, out)
	return base64.StdEncoding.EncodeToString(out)
}

// plaintext builds random(16) + length + msg + appID + padding bytes.
func plaintext(msgLen uint32, msg, appID string, padding []byte) []byte {
	b := make([]byte, 16, 64)
	b = binary.BigEndian.AppendUint32(b, msgLen)
	b = append(b, msg...)
	b = append(b, appID...)
	return append(b, padding...)
}

func pkcs7(contentLen int) []byte {
	n := padBlock - contentLen%padBlock
	return bytes.Repeat([]byte{byte(n)}, n)
}

func TestDecryptErrors(t *testing.T) {
	const msg = "<xml/>"
	content := 20 + len(msg) + len(vecAppID) // 44
	good := plaintext(uint32(len(msg)), msg, vecAppID, pkcs7(content))
	if len(good)%aes.BlockSize != 0 {
		t.Fatal("bad test setup")
	}
	inconsistent := bytes.Clone(good)
	inconsistent[len(inconsistent)-2] ^= 1
	zeroPad := bytes.Clone(good)
	zeroPad[len(zeroPad)-1] = 0
	bigPad := bytes.Clone(good)
	bigPad[len(bigPad)-1] = padBlock + 1
	wrongApp := plaintext(uint32(len(msg)), msg, "wx0000000000000000", pkcs7(content))
	longField := plaintext(1000, msg, vecAppID, pkcs7(content))
	hugeField := plaintext(0xFFFFFFFF, msg, vecAppID, pkcs7(content))
	short := append(make([]byte, 16), bytes.Repeat([]byte{16}, 16)...) // unpads to 16 bytes

	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"ok", seal(t, good), nil},
		{"empty", "", ErrBadCiphertext},
		{"not base64", "####", ErrBadBase64},
		{"bad base64 padding", vecEncrypt[:len(vecEncrypt)-1], ErrBadBase64},
		{"15 bytes", base64.StdEncoding.EncodeToString(make([]byte, 15)), ErrBadCiphertext},
		{"33 bytes", base64.StdEncoding.EncodeToString(make([]byte, 33)), ErrBadCiphertext},
		{"inconsistent padding", seal(t, inconsistent), ErrBadCiphertext},
		{"zero padding byte", seal(t, zeroPad), ErrBadCiphertext},
		{"padding byte 33", seal(t, bigPad), ErrBadCiphertext},
		{"length field past the end", seal(t, longField), ErrBadCiphertext},
		{"length field 2^32-1", seal(t, hugeField), ErrBadCiphertext},
		{"shorter than the header", seal(t, short), ErrBadCiphertext},
		{"wrong AppID", seal(t, wrongApp), ErrWrongAppID},
	}
	c := MustCrypto(t, vecAppID)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := c.Decrypt(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Decrypt error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && string(got) != msg {
				t.Errorf("Decrypt = %q, want %q", got, msg)
			}
		})
	}

	// Another account's payload, same key.
	other := MustCrypto(t, "wx0000000000000000")
	enc, err := other.Encrypt([]byte(msg))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Decrypt(enc); !errors.Is(err, ErrWrongAppID) {
		t.Errorf("Decrypt of another AppID's payload: error = %v, want ErrWrongAppID", err)
	}
}

func FuzzDecrypt(f *testing.F) {
	f.Add(vecEncrypt)
	f.Add("")
	f.Add("AAAA")
	f.Add(strings.Repeat("A", 44))
	f.Add(vecEncrypt[:64])
	f.Add(base64.StdEncoding.EncodeToString(make([]byte, 32)))
	c := MustCrypto(f, vecAppID)
	f.Fuzz(func(t *testing.T, in string) {
		got, err := c.Decrypt(in)
		if err != nil {
			if !errors.Is(err, ErrBadBase64) && !errors.Is(err, ErrBadCiphertext) && !errors.Is(err, ErrWrongAppID) {
				t.Fatalf("Decrypt error %v is none of the sentinels", err)
			}
			return
		}
		enc, err := c.Encrypt(got)
		if err != nil {
			t.Fatal(err)
		}
		back, err := c.Decrypt(enc)
		if err != nil || !bytes.Equal(back, got) {
			t.Fatalf("re-encrypting a decrypted payload does not round-trip: %v", err)
		}
	})
}

func BenchmarkDecrypt(b *testing.B) {
	c := MustCrypto(b, vecAppID)
	b.SetBytes(int64(len(vecEncrypt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Decrypt(vecEncrypt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncrypt(b *testing.B) {
	c := MustCrypto(b, vecAppID)
	msg := []byte(vecXML)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Encrypt(msg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSDKDecrypt is the SDK's util.DecryptMsg on the same input, for
// comparison.
func BenchmarkSDKDecrypt(b *testing.B) {
	b.SetBytes(int64(len(vecEncrypt)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := util.DecryptMsg(vecAppID, vecEncrypt, vecAESKey); err != nil {
			b.Fatal(err)
		}
	}
}
