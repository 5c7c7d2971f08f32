package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/handlers/wechat"
	"minqing/storage"
	"minqing/storage/storagetest"
)

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// The embedded default needs no configuration at all.
func TestServeEmbeddedDefault(t *testing.T) {
	dir := t.TempDir()
	s := startService(t, map[string]string{"MINQING_DATA_DIR": dir})
	if code, body := get(t, s.URL+"/healthz"); code != 200 {
		t.Errorf("/healthz = %d %q", code, body)
	}
	if code, body := get(t, s.URL+"/readyz"); code != 200 || !strings.Contains(body, `"database":"ok"`) || !strings.Contains(body, `"state":"ok"`) {
		t.Errorf("/readyz = %d %q", code, body)
	}
	// Metrics are served on the admin listener only.
	if code, body := get(t, s.AdminURL+"/metrics"); code != 200 || !strings.Contains(body, "minqing_webhook_requests_total") || !strings.Contains(body, "minqing_db_batch_size_count") {
		t.Errorf("admin /metrics = %d, missing webhook or group-commit metrics", code)
	}
	for _, path := range []string{"/metrics", "/debug/pprof/"} {
		if code, _ := get(t, s.URL+path); code != 404 {
			t.Errorf("public %s = %d, want 404", path, code)
		}
	}
	if code, _ := get(t, s.AdminURL+"/debug/pprof/"); code != 404 {
		t.Errorf("admin /debug/pprof/ = %d with MINQING_PPROF unset, want 404", code)
	}
	// The simulator stays on the main port in dev mode.
	if code, _ := get(t, s.URL+"/dev/"); code != 200 {
		t.Errorf("public /dev/ = %d in dev mode, want 200", code)
	}
	// The container health check.
	port := s.URL[strings.LastIndex(s.URL, ":")+1:]
	var out strings.Builder
	if code := run(context.Background(), []string{"health"}, func(k string) string {
		return map[string]string{"MINQING_HTTP_ADDR": ":" + port}[k]
	}, nil, &out, &out); code != 0 {
		t.Errorf("minqing health = %d: %s", code, out.String())
	}
	rec := logRecords(s, "listening")
	if len(rec) != 1 || !strings.Contains(fmt.Sprint(rec[0]["data"]), dir) {
		t.Errorf("listening log does not say where the data lives: %v", rec)
	}
	// Dev mode answers in plain mode with the dev token.
	c := client(s, nil)
	c.Token = "minqing-dev-token"
	res, err := c.Send(context.Background(), wechat.NewText("oUser1", "gh_dev", "帮助", 1, time.Now()))
	if err != nil || res.Status != 200 || !strings.Contains(res.Reply.Content, "建议") {
		t.Fatalf("help = %+v, %v", res, err)
	}
	if code := s.Stop(); code != 0 {
		t.Errorf("exit code = %d, want 0", code)
	}
}

// The EasyWeChat safe-mode vector (tests/Kernel/EncryptorTest.php of EasyWeChat), sent byte for byte.
func TestWebhookVector(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			env, _ := b.env(t)
			_, env = withAccount(t, env)
			env["MINQING_WECHAT_MAX_SKEW"] = "0" // the vector is from 2016
			s := startService(t, env)

			q := url.Values{
				"timestamp": {"1458300676"}, "nonce": {"260774613"}, "encrypt_type": {"aes"},
				"msg_signature": {"4f3ad57b6989f09f4eb392acce4f9e93942ed890"},
				"signature":     {wechat.Sign(vecToken, "1458300676", "260774613")},
			}
			body := `<xml><ToUserName><![CDATA[asdasdasd]]></ToUserName><Encrypt><![CDATA[` + vectorEncrypt + `]]></Encrypt></xml>`
			res, err := http.Post(s.URL+"/wechat?"+q.Encode(), "text/xml", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			raw := new(bytes.Buffer)
			raw.ReadFrom(res.Body)
			if res.StatusCode != 200 {
				t.Fatalf("status %d: %s", res.StatusCode, raw)
			}
			inner, err := wechat.OpenEncryptedReply(mustCrypto(t, vecAESKey, vecAppID), vecToken, raw.Bytes())
			if err != nil {
				t.Fatalf("reply does not verify and decrypt: %v\n%s", err, raw)
			}
			reply, err := wechat.ParseReply(inner)
			if err != nil {
				t.Fatal(err)
			}
			if reply.ToUserName != "asdasdasdsadasd" || reply.FromUserName != "asdasdasd" || reply.MsgType != "text" || reply.Content == "" {
				t.Errorf("reply = %+v", reply)
			}
		})
	}
}

const vectorEncrypt = "rTNFcsut4LfGuAFKEUVVpwcaCOTJzOd9twZdIW910jb3k+iicx2uvhttIZ3Qg9Qgty3BEF2xbOrz6boTfb30dMomcgrkTqdFPwnhqbk+kIQ7rZiwny9D7NUrTgA5kpX3KsZvrXzUZyP2x9YOlxbgm572lmxKvM7HAQQhIQ/p6HBmoY30bGXFK0BtIu1pW9TjhOYrLQoU18nWYjWqDA1ynkmOytpv7QRI1P1+0NoxL0q2zO1DgeSvnE8CZGo/o5Ap/WHK5W2RAsinpzN4/LjPnmB6U01I5XCoJoC0GK/yMZycd2Oh8Nq6+wBkC1U85oy0ktOY4nLvsQMLrourmMGdZHuTbqpeJ8Ao/5PRYJ+WBvRUwPfGKBL2+2IKZF49vAJqkcGWSHGE76ZN2erXeuNazf/o9o3lIE3q739o4c8t9QGPe31GT2Go/rOz1BsrASwvauNulCh+++yz+CQzBIuikA=="

// Every bad request is refused with the right status, and stores nothing.
func TestWebhookRefusals(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			env, openDB := b.env(t)
			_, env = withAccount(t, env)
			s := startService(t, env)
			db := openDB(t)
			// The same account in plain mode (no AES key), for the
			// refusals that plain mode reaches.
			penv, openPlainDB := b.env(t)
			_, penv = withAccount(t, penv)
			delete(penv, "MINQING_WECHAT_AES_KEY")
			ps := startService(t, penv)
			pdb := openPlainDB(t)
			good := mustCrypto(t, vecAESKey, vecAppID)
			otherApp := mustCrypto(t, vecAESKey, "wx0000000000000bad")
			now := time.Now()
			msg := wechat.NewText("oAttacker", "gh_x", "建议：食堂饭菜太咸了", 42, now)

			// send signs and encrypts msg like WeChat, then lets tamper
			// change the request.
			send := func(c *wechat.Client, tamper func(q url.Values, body []byte) []byte) (int, string) {
				req, err := c.NewRequest(context.Background(), msg)
				if err != nil {
					t.Fatal(err)
				}
				q := req.URL.Query()
				body := new(bytes.Buffer)
				body.ReadFrom(req.Body)
				b := body.Bytes()
				if tamper != nil {
					b = tamper(q, b)
				}
				req.URL.RawQuery = q.Encode()
				res, err := http.Post(req.URL.String(), "text/xml", bytes.NewReader(b))
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				out := new(bytes.Buffer)
				out.ReadFrom(res.Body)
				return res.StatusCode, out.String()
			}
			aes := client(s, good)
			plain := client(ps, nil)
			plainToSafe := client(s, nil)
			envelope := func(enc string) []byte {
				return []byte(`<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[` + enc + `]]></Encrypt></xml>`)
			}
			resign := func(q url.Values, enc string) {
				q.Set("msg_signature", wechat.Sign(vecToken, q.Get("timestamp"), q.Get("nonce"), enc))
			}
			tests := []struct {
				name   string
				c      *wechat.Client
				tamper func(q url.Values, body []byte) []byte
				want   int
			}{
				{"forged plain signature", plain, func(q url.Values, b []byte) []byte { q.Set("signature", strings.Repeat("0", 40)); return b }, 403},
				{"missing signature", plain, func(q url.Values, b []byte) []byte { q.Del("signature"); return b }, 403},
				{"forged msg_signature", aes, func(q url.Values, b []byte) []byte { q.Set("msg_signature", strings.Repeat("a", 40)); return b }, 403},
				{"body changed after signing", aes, func(q url.Values, b []byte) []byte {
					return bytes.Replace(b, []byte("<Encrypt><![CDATA["), []byte("<Encrypt><![CDATA[AAAA"), 1)
				}, 403},
				{"stale timestamp", plain, func(q url.Values, b []byte) []byte {
					ts := fmt.Sprint(time.Now().Add(-10 * time.Minute).Unix())
					q.Set("timestamp", ts)
					q.Set("signature", wechat.Sign(vecToken, ts, q.Get("nonce")))
					return b
				}, 403},
				{"timestamp from the future", plain, func(q url.Values, b []byte) []byte {
					ts := fmt.Sprint(time.Now().Add(10 * time.Minute).Unix())
					q.Set("timestamp", ts)
					q.Set("signature", wechat.Sign(vecToken, ts, q.Get("nonce")))
					return b
				}, 403},
				{"missing timestamp", plain, func(q url.Values, b []byte) []byte { q.Del("timestamp"); return b }, 400},
				{"oversized body", plain, func(q url.Values, b []byte) []byte {
					return append(b, bytes.Repeat([]byte(" "), 70<<10)...)
				}, 413},
				{"malformed XML (plain)", plain, func(q url.Values, b []byte) []byte { return []byte("<xml><FromUserName>oops") }, 400},
				{"not XML at all (plain)", plain, func(q url.Values, b []byte) []byte { return []byte(`{"msg":"hi"}`) }, 400},
				{"malformed envelope", aes, func(q url.Values, b []byte) []byte {
					resign(q, "")
					return []byte("<xml><Encrypt>")
				}, 400},
				{"broken base64", aes, func(q url.Values, b []byte) []byte {
					resign(q, "!!!not-base64!!!")
					return envelope("!!!not-base64!!!")
				}, 400},
				{"bad padding", aes, func(q url.Values, b []byte) []byte {
					enc := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 48))
					resign(q, enc)
					return envelope(enc)
				}, 400},
				{"wrong AppID", client(s, otherApp), nil, 400},
				{"unknown encrypt_type", plain, func(q url.Values, b []byte) []byte { q.Set("encrypt_type", "rot13"); return b }, 400},
				{"FromUserName too long", plain, func(q url.Values, b []byte) []byte {
					return bytes.Replace(b, []byte("oAttacker"), []byte("oAttacker"+strings.Repeat("x", 130)), 1)
				}, 400},
				// Safe mode configured: plain mode is a forgery waiting to
				// happen (its signature does not cover the body).
				{"plain mode to a safe-mode account", plainToSafe, nil, 403},
				{"raw mode to a safe-mode account", plainToSafe, func(q url.Values, b []byte) []byte { q.Set("encrypt_type", "raw"); return b }, 403},
				{"compatible-looking plain body without encrypt_type", plainToSafe, func(q url.Values, b []byte) []byte {
					q.Set("msg_signature", q.Get("signature"))
					return b
				}, 403},
			}
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					code, body := send(tc.c, tc.tamper)
					if code != tc.want {
						t.Errorf("status = %d (%q), want %d", code, body, tc.want)
					}
					if strings.Contains(body, "oAttacker") || strings.Contains(body, "食堂") {
						t.Errorf("refusal leaks the request: %q", body)
					}
				})
			}
			for _, d := range []*storage.DB{db, pdb} {
				if n := storagetest.CountRows(t, d, "processed_messages"); n != 0 {
					t.Errorf("refused requests stored %d processed rows", n)
				}
				if n := storagetest.CountRows(t, d, "opinions"); n != 0 {
					t.Errorf("refused requests stored %d opinions", n)
				}
			}
			// A bad GET verification is refused too; a good one echoes.
			c := client(s, nil)
			if got, err := c.Verify(context.Background(), "echo-123"); err != nil || got != "echo-123" {
				t.Errorf("Verify = %q, %v", got, err)
			}
			c.Token = "wrongtoken"
			if _, err := c.Verify(context.Background(), "echo-123"); err == nil {
				t.Errorf("Verify with a wrong token succeeded")
			}
			if strings.Contains(s.Logs.String()+ps.Logs.String(), "oAttacker") {
				t.Errorf("the log contains the sender's openid")
			}
		})
	}
}

// Three concurrent deliveries of one message: one processed row, three
// identical replies — on one instance, and across two instances sharing
// MySQL and Redis, or MySQL and a Redis Cluster.
func TestExactlyOnceConcurrentDeliveries(t *testing.T) {
	for _, b := range append(slices.Clip(backends), clusterBackend) {
		t.Run(b.name, func(t *testing.T) {
			env, openDB := b.env(t)
			_, env = withAccount(t, env)
			instances := []*service{startService(t, env)}
			if b.name != "embedded" {
				instances = append(instances, startService(t, env))
			}
			db := openDB(t)
			crypto := mustCrypto(t, vecAESKey, vecAppID)
			for round := range 5 {
				msg := wechat.NewText(fmt.Sprintf("oRetry%d", round), "gh_x", "帮助", int64(1000+round), time.Now())
				var wg sync.WaitGroup
				replies := make([]string, 3)
				for i := range replies {
					wg.Add(1)
					go func() {
						defer wg.Done()
						res, err := client(instances[i%len(instances)], crypto).Send(context.Background(), msg)
						if err != nil || res.Status != 200 {
							t.Errorf("delivery %d: %+v, %v", i, res, err)
							return
						}
						replies[i] = res.Reply.Content
					}()
				}
				wg.Wait()
				if replies[0] == "" || replies[0] != replies[1] || replies[1] != replies[2] {
					t.Errorf("round %d: replies differ: %q", round, replies)
				}
				// A help text has no side effects: the claim in the state
				// store is its dedup, and the database records nothing.
				if n := storagetest.CountRows(t, db, "processed_messages"); n != 0 {
					t.Fatalf("round %d: %d processed rows, want none", round, n)
				}
			}
		})
	}
}

// Redis stops mid-test: the service stays up, /readyz says so, messages
// are still answered, and dedup still holds through the database.
func TestRedisDown(t *testing.T) {
	proxy, env, openDB := redisBehindProxy(t)
	_, env = withAccount(t, env)
	s := startService(t, env)
	db := openDB(t)
	c := client(s, mustCrypto(t, vecAESKey, vecAppID))
	ctx := context.Background()

	before := wechat.NewText("oBefore", "gh_x", "帮助", 1, time.Now())
	if res, err := c.Send(ctx, before); err != nil || res.Reply.Content == "" {
		t.Fatalf("before: %+v, %v", res, err)
	}
	proxy.Close()

	if code, body := get(t, s.URL+"/readyz"); code != 503 || !strings.Contains(body, `"state":"unavailable"`) || !strings.Contains(body, `"database":"ok"`) {
		t.Errorf("/readyz with Redis down = %d %s", code, body)
	}
	msg := wechat.NewText("oDuring", "gh_x", "帮助", 2, time.Now())
	start := time.Now()
	first, err := c.Send(ctx, msg)
	if err != nil || first.Status != 200 || first.Reply.Content == "" {
		t.Fatalf("with Redis down: %+v, %v", first, err)
	}
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("answer with Redis down took %s", d)
	}
	// WeChat retries: the same reply, no second processing.
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			again, err := c.Send(ctx, msg)
			if err != nil || again.Reply.Content != first.Reply.Content {
				t.Errorf("retry: %+v, %v", again, err)
			}
		}()
	}
	wg.Wait()
	// The message sent with Redis up was deduplicated by its claim
	// alone; the one sent with Redis down is recorded in the database.
	if n := storagetest.CountRows(t, db, "processed_messages"); n != 1 {
		t.Errorf("%d processed rows, want 1", n)
	}
	// The earlier message's retry, its claim out of reach, is answered
	// again: a help text has no side effects, so the retry at most repeats
	// it (and is recorded now, Redis being down).
	if res, err := c.Send(ctx, before); err != nil || res.Reply.Content == "" {
		t.Errorf("retry of the first message: %+v, %v", res, err)
	}
	if n := storagetest.CountRows(t, db, "processed_messages"); n != 2 {
		t.Errorf("%d processed rows after retry, want 2", n)
	}
}

// Past the reply budget the webhook answers "success" and pushes the reply
// as a customer-service message.
func TestLateReplyIsPushed(t *testing.T) {
	env, _ := backends[0].env(t)
	fake, env := withAccount(t, env)
	env["MINQING_REPLY_BUDGET"] = "1ns"
	s := startService(t, env)
	c := client(s, mustCrypto(t, vecAESKey, vecAppID))
	res, err := c.Send(context.Background(), wechat.NewText("oLate", "gh_x", "帮助", 7, time.Now()))
	if err != nil || !res.Empty {
		t.Fatalf("late answer = %+v, %v; want success", res, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if sent := fake.SentTo("oLate", 0); len(sent) > 0 {
			if diff := cmp.Diff("custom", sent[0].API); diff != "" || !strings.Contains(sent[0].Text, "建议") {
				t.Errorf("pushed %+v", sent[0])
			}
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the late reply was never pushed")
}
