package handlers

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"minqing/bot"
	"minqing/handlers/wechat"
	"minqing/storage/state"
)

// echoBot answers with the text it was sent, so that whatever the fuzzer
// gets through also goes through the reply's encoding.
type echoBot struct{}

func (echoBot) FailureReply() bot.Reply { return bot.Text("稍后再发送") }

func (echoBot) Process(ctx context.Context, in bot.Inbound) (bot.Outcome, error) {
	return bot.Outcome{Reply: bot.Text(in.Text)}, nil
}

const (
	fuzzToken  = "fuzztoken"
	fuzzAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	fuzzAppID  = "wxfuzz0000000001"
)

// FuzzWebhook drives the webhook's whole request path — query, signature,
// nonce, body limit, decryption, XML, the bot, the reply — with arbitrary
// input, on a plain-mode and a safe-mode account. Whatever comes in, the
// answer is a 2xx or a 4xx, never a 5xx or a panic.
//
// mode chooses how much of the request is made valid so that the fuzzed
// part gets further: 0 sends query and body as they are; 1 signs the query
// (plain mode) around the fuzzed body; 2 encrypts and signs the fuzzed
// body (safe mode); 3 signs the fuzzed body as a safe-mode envelope.
func FuzzWebhook(f *testing.F) {
	crypto, err := wechat.NewCrypto(fuzzAESKey, fuzzAppID)
	if err != nil {
		f.Fatal(err)
	}
	newServer := func(aes string) *Server {
		s, err := New(Options{Bot: echoBot{}, Token: fuzzToken, AESKey: aes, AppID: fuzzAppID,
			MaxSkew: time.Minute, ReplyBudget: time.Second, Nonces: state.NewMemory(10_000)})
		if err != nil {
			f.Fatal(err)
		}
		return s
	}
	plain, safe := newServer(""), newServer(fuzzAESKey)

	msg := wechat.NewText("oFuzz", "gh_fuzz", "建议：食堂饭菜太咸", 1, time.Unix(1700000000, 0)).XML()
	f.Add(uint8(0), "timestamp=1&nonce=2&signature=x", msg)
	f.Add(uint8(1), "", msg)
	f.Add(uint8(2), "", msg)
	f.Add(uint8(3), "", []byte(`<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[AAAA]]></Encrypt></xml>`))
	f.Add(uint8(1), "encrypt_type=raw", []byte(`<xml><FromUserName>o</FromUserName><MsgType>event</MsgType><Event>subscribe</Event><CreateTime>1</CreateTime></xml>`))
	f.Add(uint8(1), "", []byte(`<!DOCTYPE x [<!ENTITY a "aaaa">]><xml>&a;&a;</xml>`))
	f.Add(uint8(2), "", bytes.Repeat([]byte("<a>"), 5000))
	f.Add(uint8(0), "%zz&&&;==", []byte{0xff, 0xfe, 0})

	var nonces atomic.Int64
	f.Fuzz(func(t *testing.T, mode uint8, rawQuery string, body []byte) {
		srv := plain
		q, err := url.ParseQuery(rawQuery)
		if err != nil {
			q = url.Values{}
		}
		ts := strconv.FormatInt(time.Now().Unix(), 10)
		nonce := strconv.FormatInt(nonces.Add(1), 10)
		switch mode % 4 {
		case 0:
			if mode&4 != 0 {
				srv = safe
			}
		case 1:
			q.Set("timestamp", ts)
			q.Set("nonce", nonce)
			q.Set("signature", wechat.Sign(fuzzToken, ts, nonce))
		case 2:
			srv = safe
			enc, err := crypto.Encrypt(body)
			if err != nil {
				t.Skip()
			}
			body = []byte("<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[" + enc + "]]></Encrypt></xml>")
			q.Set("timestamp", ts)
			q.Set("nonce", nonce)
			q.Set("encrypt_type", "aes")
			q.Set("msg_signature", wechat.Sign(fuzzToken, ts, nonce, enc))
		case 3:
			srv = safe
			env, _ := wechat.ParseEnvelope(body)
			q.Set("timestamp", ts)
			q.Set("nonce", nonce)
			q.Set("encrypt_type", "aes")
			q.Set("msg_signature", wechat.Sign(fuzzToken, ts, nonce, env.Encrypt))
		}
		for _, method := range []string{http.MethodPost, http.MethodGet} {
			req := httptest.NewRequest(method, "/wechat?"+q.Encode(), bytes.NewReader(body))
			rec := httptest.NewRecorder()
			srv.http.Handler.ServeHTTP(rec, req)
			if rec.Code >= 500 {
				t.Fatalf("%s mode %d: status %d: %s", method, mode, rec.Code, rec.Body.String())
			}
			if rec.Code < 200 || (rec.Code >= 300 && rec.Code < 400) {
				t.Fatalf("%s mode %d: unexpected status %d", method, mode, rec.Code)
			}
			if bytes.Contains(rec.Body.Bytes(), []byte("oFuzz")) && rec.Code >= 400 {
				t.Fatalf("a refusal echoes the request: %s", rec.Body.String())
			}
		}
	})
}
