package wechat

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeWebhook is a minimal webhook written with this package, the way the
// real one uses it: it checks everything WeChat promises and echoes text.
func fakeWebhook(t *testing.T, token string, c *Crypto) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		ts, nonce := q.Get("timestamp"), q.Get("nonce")
		if !VerifySignature(q.Get("signature"), token, ts, nonce) {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		if r.Method == http.MethodGet {
			io.WriteString(w, q.Get("echostr"))
			return
		}
		if r.Header.Get("Content-Type") != "text/xml" {
			t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
		}
		body, _ := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		inner := body
		if c != nil {
			if q.Get("encrypt_type") != "aes" {
				http.Error(w, "want safe mode", http.StatusBadRequest)
				return
			}
			env, err := ParseEnvelope(body)
			if err != nil {
				http.Error(w, "bad envelope", http.StatusBadRequest)
				return
			}
			if !VerifySignature(q.Get("msg_signature"), token, ts, nonce, env.Encrypt) {
				http.Error(w, "bad msg_signature", http.StatusForbidden)
				return
			}
			if inner, err = c.Decrypt(env.Encrypt); err != nil {
				http.Error(w, "bad payload", http.StatusBadRequest)
				return
			}
		} else if q.Has("encrypt_type") || q.Has("msg_signature") {
			t.Errorf("plain mode request has safe-mode parameters: %s", r.URL.RawQuery)
		}
		m, err := ParseMessage(inner)
		if err != nil {
			http.Error(w, "bad message", http.StatusBadRequest)
			return
		}
		if q.Get("openid") != m.FromUserName {
			t.Errorf("openid = %q, FromUserName = %q", q.Get("openid"), m.FromUserName)
		}
		if m.MsgType != "text" {
			io.WriteString(w, "success")
			return
		}
		reply := TextReply(m.FromUserName, m.ToUserName, 1700000009, "echo: "+m.Content)
		if c != nil {
			n, _ := strconv.ParseInt(ts, 10, 64)
			if reply, err = EncryptedReply(c, token, reply, n, nonce); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.Write(reply)
	})
}

func TestClientSend(t *testing.T) {
	now := func() time.Time { return time.Unix(1700000000, 0) }
	for _, mode := range []string{"plain", "aes"} {
		t.Run(mode, func(t *testing.T) {
			var c *Crypto
			if mode == "aes" {
				c = MustCrypto(t, vecAppID)
			}
			srv := httptest.NewServer(fakeWebhook(t, vecToken, c))
			defer srv.Close()
			cl := &Client{URL: srv.URL + "/wechat", Token: vecToken, AppID: vecAppID, Crypto: c, HTTP: srv.Client(), Now: now}
			ctx := context.Background()

			res, err := cl.Send(ctx, NewText("oParent1", "gh_school", "你好 ]]> & <b>", 1, now()))
			if err != nil {
				t.Fatalf("Send: %v", err)
			}
			want := Message{ToUserName: "oParent1", FromUserName: "gh_school", CreateTime: 1700000009, MsgType: "text", Content: "echo: 你好 ]]> & <b>"}
			if diff := cmp.Diff(want, res.Reply); diff != "" {
				t.Errorf("Reply mismatch (-want +got):\n%s", diff)
			}
			if res.Status != 200 || res.Empty || !res.OK() {
				t.Errorf("Result = %+v", res)
			}

			res, err = cl.Send(ctx, NewEvent("oParent1", "gh_school", "subscribe", "qrscene_1", now()))
			if err != nil || !res.Empty || res.Status != 200 {
				t.Errorf("Send(event) = %+v, %v; want Empty", res, err)
			}

			echo, err := cl.Verify(ctx, "echo 123&x=y")
			if err != nil || echo != "echo 123&x=y" {
				t.Errorf("Verify = %q, %v", echo, err)
			}

			bad := *cl
			bad.Token = "wrong"
			res, err = bad.Send(ctx, NewText("oParent1", "gh_school", "x", 2, now()))
			if err != nil || res.Status != http.StatusForbidden || res.OK() {
				t.Errorf("Send with a wrong token = %+v, %v; want status 403 and no error", res, err)
			}
			if _, err := bad.Verify(ctx, "e"); err == nil {
				t.Error("Verify with a wrong token: no error")
			}
		})
	}
}

func TestClientNewRequest(t *testing.T) {
	c := MustCrypto(t, vecAppID)
	cl := &Client{URL: "http://example.com/wechat?tenant=a", Token: vecToken, AppID: vecAppID, Crypto: c}
	req, err := cl.NewRequest(context.Background(), NewText("o+1", "gh", "x", 1, time.Unix(1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	q := req.URL.Query()
	for _, k := range []string{"tenant", "signature", "timestamp", "nonce", "openid", "encrypt_type", "msg_signature"} {
		if len(q[k]) != 1 {
			t.Errorf("query %q = %q, want one value", k, q[k])
		}
	}
	if q.Get("openid") != "o+1" || q.Get("encrypt_type") != "aes" || req.Method != http.MethodPost {
		t.Errorf("request %s %s", req.Method, req.URL)
	}
	if _, err := (&Client{}).NewRequest(context.Background(), Message{}); err == nil {
		t.Error("NewRequest without a URL: no error")
	}
}

func TestClientDecode(t *testing.T) {
	c := MustCrypto(t, vecAppID)
	plain := &Client{Token: vecToken}
	safe := &Client{Token: vecToken, Crypto: c}
	reply := TextReply("o1", "gh", 1, "hi")
	sealed, err := EncryptedReply(c, vecToken, reply, 5, "nonce")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		cl        *Client
		status    int
		body      string
		wantEmpty bool
		wantText  string
		wantErr   error
	}{
		{name: "success", cl: safe, status: 200, body: "success", wantEmpty: true},
		{name: "empty", cl: safe, status: 200, body: "", wantEmpty: true},
		{name: "success with a newline", cl: plain, status: 200, body: "success\n", wantEmpty: true},
		{name: "500 is not an error", cl: safe, status: 500, body: "oops"},
		{name: "plain reply", cl: plain, status: 200, body: string(reply), wantText: "hi"},
		{name: "sealed reply", cl: safe, status: 200, body: string(sealed), wantText: "hi"},
		{name: "plain reply in safe mode", cl: safe, status: 200, body: string(reply), wantErr: ErrMalformed},
		{name: "sealed reply with the wrong token", cl: &Client{Token: "x", Crypto: c}, status: 200, body: string(sealed), wantErr: ErrBadSignature},
		{name: "garbage", cl: plain, status: 200, body: "hello", wantErr: ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := tt.cl.Decode(tt.status, []byte(tt.body))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Decode error = %v, want %v", err, tt.wantErr)
			}
			if res.Status != tt.status || string(res.Body) != tt.body || res.Empty != tt.wantEmpty || res.Reply.Content != tt.wantText {
				t.Errorf("Decode = %+v", res)
			}
		})
	}
}

func TestClientTransportError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	cl := &Client{URL: url, Token: "t"}
	if _, err := cl.Send(context.Background(), NewText("o", "gh", "x", 1, time.Now())); err == nil {
		t.Error("Send to a closed server: no error")
	}
}
