package wechat

import (
	"strconv"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/util"
)

func TestSignVectors(t *testing.T) {
	tests := []struct {
		name                    string
		token, timestamp, nonce string
		extra                   []string
		want                    string
	}{
		{
			// wechatpy tests/test_utils.py, plain mode.
			name: "plain", token: "test", timestamp: "1410685589", nonce: "test",
			want: "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff",
		},
		{
			// EasyWeChat, safe mode msg_signature.
			name: "safe", token: vecToken, timestamp: vecTimestamp, nonce: vecNonce,
			extra: []string{vecEncrypt}, want: vecMsgSig,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sign(tt.token, tt.timestamp, tt.nonce, tt.extra...); got != tt.want {
				t.Errorf("Sign = %s, want %s", got, tt.want)
			}
			if !VerifySignature(tt.want, tt.token, tt.timestamp, tt.nonce, tt.extra...) {
				t.Error("VerifySignature(want) = false")
			}
			for _, bad := range []string{
				"", tt.want[:39], tt.want + "0", strings.ToUpper(tt.want),
				tt.want[:39] + string(tt.want[39]^1),
			} {
				if VerifySignature(bad, tt.token, tt.timestamp, tt.nonce, tt.extra...) {
					t.Errorf("VerifySignature(%q) = true", bad)
				}
			}
			if VerifySignature(tt.want, tt.token+"x", tt.timestamp, tt.nonce, tt.extra...) {
				t.Error("VerifySignature with another token = true")
			}
		})
	}
}

// TestSignSDK compares Sign with the SDK's util.Signature, including inputs
// longer than the stack buffer and more parts than the parts array.
func TestSignSDK(t *testing.T) {
	long := strings.Repeat("z", 3000)
	cases := [][]string{
		{"", "", ""},
		{"b", "a", "c"},
		{"tok", "123", "456", long},
		{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"},
	}
	for i, parts := range cases {
		want := util.Signature(append([]string(nil), parts...)...)
		if got := Sign(parts[0], parts[1], parts[2], parts[3:]...); got != want {
			t.Errorf("case %d: Sign = %s, SDK = %s", i, got, want)
		}
	}
}

func TestVerifySignatureAllocs(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		VerifySignature(vecMsgSig, vecToken, vecTimestamp, vecNonce, vecEncrypt)
	})
	if allocs != 0 {
		t.Errorf("VerifySignature allocates %v times per call, want 0", allocs)
	}
}

func BenchmarkVerifySignature(b *testing.B) {
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if !VerifySignature(vecMsgSig, vecToken, vecTimestamp, vecNonce, vecEncrypt) {
			b.Fatal("bad signature " + strconv.Itoa(i))
		}
	}
}
