package echo

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"minqing/handlers/wechat"
)

// The EasyWeChat test account.
const (
	token  = "pamtest"
	aesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	appID  = "wxb11529c136998cb6"
)

func newServer(t *testing.T, aes bool) (*httptest.Server, *wechat.Client) {
	t.Helper()
	key := ""
	var c *wechat.Crypto
	if aes {
		key = aesKey
		var err error
		if c, err = wechat.NewCrypto(aesKey, appID); err != nil {
			t.Fatal(err)
		}
	}
	h, err := NewHandler(token, appID, key)
	if err != nil {
		t.Fatalf("NewHandler: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, &wechat.Client{URL: srv.URL + "/wechat", Token: token, AppID: appID, Crypto: c, HTTP: srv.Client()}
}

func TestEcho(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	for _, mode := range []string{"aes", "plain"} {
		t.Run(mode, func(t *testing.T) {
			_, cl := newServer(t, mode == "aes")

			res, err := cl.Send(ctx, wechat.NewText("oParent1", "gh_school", "建议：食堂饭菜太咸了 ]]> &", 1, now))
			if err != nil {
				t.Fatalf("Send: %v (body %q)", err, res.Body)
			}
			r := res.Reply
			if res.Status != http.StatusOK || r.MsgType != "text" || r.Content != "建议：食堂饭菜太咸了 ]]> &" ||
				r.ToUserName != "oParent1" || r.FromUserName != "gh_school" {
				t.Errorf("Send = %+v", res)
			}

			// No reply to an event: "success", never an encrypted empty payload.
			res, err = cl.Send(ctx, wechat.NewEvent("oParent1", "gh_school", "subscribe", "", now))
			if err != nil || !res.Empty || res.Status != http.StatusOK {
				t.Errorf("Send(event) = %+v, %v; want Empty", res, err)
			}

			if got, err := cl.Verify(ctx, "1234567890"); err != nil || got != "1234567890" {
				t.Errorf("Verify = %q, %v", got, err)
			}

			bad := *cl
			bad.Token = "wrong"
			res, err = bad.Send(ctx, wechat.NewText("oParent1", "gh_school", "x", 2, now))
			if err != nil || res.Status != http.StatusForbidden {
				t.Errorf("Send with a wrong token = %+v, %v; want 403", res, err)
			}
		})
	}
}

func TestNewHandlerErrors(t *testing.T) {
	if _, err := NewHandler("", appID, ""); err == nil {
		t.Error("empty token: no error")
	}
	if _, err := NewHandler(token, appID, "short"); err == nil {
		t.Error("bad AES key: no error")
	}
}

func BenchmarkEchoAES(b *testing.B) {
	h, err := NewHandler(token, appID, aesKey)
	if err != nil {
		b.Fatal(err)
	}
	c, _ := wechat.NewCrypto(aesKey, appID)
	cl := &wechat.Client{URL: "http://example.com/wechat", Token: token, AppID: appID, Crypto: c}
	m := wechat.NewText("oParent1", "gh_school", "建议：食堂饭菜太咸了", 1, time.Now())
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		req, err := cl.NewRequest(context.Background(), m)
		if err != nil {
			b.Fatal(err)
		}
		w := httptest.NewRecorder()
		b.StartTimer()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}
