package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"minqing/handlers/wechat"
	"minqing/storage/storagetest"
)

// postRaw posts body to the service's webhook with query q.
func postRaw(t *testing.T, s *service, q url.Values, body []byte) (int, string) {
	t.Helper()
	res, err := http.Post(s.URL+"/wechat?"+q.Encode(), "text/xml", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// signedPlain builds a plain-mode request for m as WeChat would sign it and
// returns its query and body.
func signedPlain(t *testing.T, s *service, m wechat.Message) (url.Values, []byte) {
	t.Helper()
	req, err := client(s, nil).NewRequest(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	return req.URL.Query(), body
}

// A captured plain-mode URL (from a proxy's access log, say) cannot be
// replayed with another body, on any instance; the same request again is
// a retransmission and is answered from dedup.
func TestWebhookReplayedQuery(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			env, openDB := b.env(t)
			_, env = withAccount(t, env)
			delete(env, "MINQING_WECHAT_AES_KEY") // plain mode
			instances := []*service{startService(t, env)}
			if b.name != "embedded" {
				instances = append(instances, startService(t, env))
			}
			db := openDB(t)
			q, body := signedPlain(t, instances[0], wechat.NewText("oParentA", "gh_x", "帮助", msgIDs.Add(1), time.Now()))
			code, first := postRaw(t, instances[0], q, body)
			if code != 200 || !strings.Contains(first, "建议") {
				t.Fatalf("genuine request = %d %q", code, first)
			}
			forged := wechat.NewText("oPrincipal", "gh_x", "台帐", msgIDs.Add(1), time.Now())
			forgedBody := forged.XML()
			for i, s := range instances {
				if code, reply := postRaw(t, s, q, forgedBody); code != 403 || strings.Contains(reply, "台帐") {
					t.Errorf("instance %d: replayed query with another body = %d %q, want 403", i, code, reply)
				}
				// The identical request (WeChat retransmitting) gets the
				// first reply, from dedup.
				if code, again := postRaw(t, s, q, body); code != 200 || replyContent(t, again) != replyContent(t, first) {
					t.Errorf("instance %d: retransmission = %d %q, want the first reply", i, code, again)
				}
			}
			// A help text has no side effects: the state store's claim is
			// its dedup, and the database records nothing.
			if n := storagetest.CountRows(t, db, "processed_messages"); n != 0 {
				t.Errorf("%d processed rows, want none (the genuine message is a help text)", n)
			}
			var refused int
			for _, s := range instances {
				for _, rec := range logRecords(s, "webhook_refused") {
					if rec["reason"] == "nonce already used" {
						refused++
					}
				}
			}
			if refused != len(instances) {
				t.Errorf("%d replays logged, want %d", refused, len(instances))
			}
		})
	}
}

// With the state store gone the nonce cannot be checked: plain mode fails
// closed (503, so WeChat retries), safe mode stays open (its signature
// covers the body; TestRedisDown answers it).
func TestPlainModeFailsClosedWithoutRedis(t *testing.T) {
	proxy, env, openDB := redisBehindProxy(t)
	_, env = withAccount(t, env)
	delete(env, "MINQING_WECHAT_AES_KEY")
	s := startService(t, env)
	db := openDB(t)
	q, body := signedPlain(t, s, wechat.NewText("oBefore", "gh_x", "帮助", msgIDs.Add(1), time.Now()))
	if code, reply := postRaw(t, s, q, body); code != 200 || reply == "" {
		t.Fatalf("with Redis up = %d %q", code, reply)
	}
	proxy.Close()
	q, body = signedPlain(t, s, wechat.NewText("oDuring", "gh_x", "帮助", msgIDs.Add(1), time.Now()))
	if code, reply := postRaw(t, s, q, body); code != 503 {
		t.Errorf("plain mode with Redis down = %d %q, want 503", code, reply)
	}
	// The help text with Redis up is deduplicated by its claim alone; the
	// refused one left nothing either.
	if n := storagetest.CountRows(t, db, "processed_messages"); n != 0 {
		t.Errorf("%d processed rows, want none", n)
	}
}

// The service will not start in dev mode with a real Token, AES key or
// AppSecret, whatever else is set; it says why and never listens.
func TestDevModeRefusedWithRealAccount(t *testing.T) {
	const realKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"real token", map[string]string{"MINQING_WECHAT_TOKEN": "realtoken1"}, "MINQING_WECHAT_TOKEN"},
		{"real AES key", map[string]string{"MINQING_WECHAT_AES_KEY": realKey, "MINQING_WECHAT_APPID": "wxreal"}, "MINQING_WECHAT_AES_KEY"},
		{"real secret", map[string]string{"MINQING_WECHAT_SECRET": "real-secret"}, "MINQING_WECHAT_SECRET"},
		{"real secret behind an API proxy", map[string]string{"MINQING_WECHAT_SECRET": "real-secret",
			"MINQING_WECHAT_API_BASE": "http://127.0.0.1:9"}, "MINQING_WECHAT_SECRET"},
		{"real account without its secret", map[string]string{"MINQING_WECHAT_APPID": "wxreal",
			"MINQING_WECHAT_TOKEN": "realtoken1", "MINQING_WECHAT_AES_KEY": realKey}, "MINQING_WECHAT_TOKEN"},
	}
	for _, tt := range tests {
		for _, dev := range []string{"true", ""} {
			t.Run(tt.name+" MINQING_DEV="+dev, func(t *testing.T) {
				env := map[string]string{"MINQING_DATA_DIR": t.TempDir(), "MINQING_HTTP_ADDR": "127.0.0.1:0",
					"MINQING_ADMIN_ADDR": "127.0.0.1:0", "MINQING_DEV": dev}
				for k, v := range tt.env {
					env[k] = v
				}
				var out, errOut strings.Builder
				code := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
				if code != 2 {
					t.Fatalf("serve = %d, want 2 (refused)\n%s", code, errOut.String())
				}
				// Without MINQING_DEV a partial account is not dev mode: the
				// service asks for the rest of the account.
				want := tt.want
				if dev == "" {
					want = "is required"
				}
				if !strings.Contains(errOut.String(), want) {
					t.Errorf("the refusal does not say %q:\n%s", want, errOut.String())
				}
				if dev == "true" && !strings.Contains(errOut.String(), "dev mode (MINQING_DEV) is refused") {
					t.Errorf("the refusal does not say dev mode is refused:\n%s", errOut.String())
				}
				if strings.Contains(errOut.String(), "listening") {
					t.Errorf("the service listened:\n%s", errOut.String())
				}
			})
		}
	}
}

// pprof is off by default and, when on, only on the admin listener.
func TestPprofOnAdminListener(t *testing.T) {
	s := startService(t, map[string]string{"MINQING_DATA_DIR": t.TempDir(), "MINQING_PPROF": "true"})
	if code, _ := get(t, s.AdminURL+"/debug/pprof/cmdline"); code != 200 {
		t.Errorf("admin pprof = %d, want 200", code)
	}
	if code, _ := get(t, s.URL+"/debug/pprof/cmdline"); code != 404 {
		t.Errorf("public pprof = %d, want 404", code)
	}
	if code, _ := get(t, s.URL+"/metrics"); code != 404 {
		t.Errorf("public /metrics = %d, want 404", code)
	}
}

// replyContent is the text of a passive reply: two replies to the same
// message may differ in CreateTime only.
func replyContent(t *testing.T, body string) string {
	t.Helper()
	m, err := wechat.ParseReply([]byte(body))
	if err != nil {
		t.Fatalf("reply %q: %v", body, err)
	}
	return m.Content
}
