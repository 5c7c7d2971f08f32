package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"minqing/handlers/fakewechat"
	"minqing/handlers/wechat"
	"minqing/storage"
	"minqing/storage/storagetest"
)

// frozenWorld is a MySQL+Redis service whose database connections go
// through a freezing proxy, with a short reply budget.
func frozenWorld(t *testing.T, readTimeout string) (*service, *storagetest.Proxy, *fakewechat.Server, *storage.DB) {
	t.Helper()
	env, openDB := backends[1].env(t)
	cfg, err := mysql.ParseDSN(env["MINQING_MYSQL_DSN"])
	if err != nil {
		t.Fatal(err)
	}
	proxy := storagetest.NewProxy(t, cfg.Addr)
	cfg.Addr = proxy.Addr()
	d, err := time.ParseDuration(readTimeout)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ReadTimeout, cfg.WriteTimeout = d, d
	env["MINQING_MYSQL_DSN"] = cfg.FormatDSN()
	env["MINQING_REPLY_BUDGET"] = "1s"
	fake, env := withAccount(t, env)
	s := startService(t, env)
	return s, proxy, fake, openDB(t)
}

// waitSent waits until the fake WeChat API has sent openid n messages.
func waitSent(t *testing.T, fake *fakewechat.Server, openid string, n int, within time.Duration) []fakewechat.Sent {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		sent := fake.SentTo(openid, 0)
		if len(sent) >= n || time.Now().After(deadline) {
			return sent
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The database freezes past the reply budget: WeChat is told "success",
// the message then fails, and the sender is told by a customer-service
// message that it was not received. Nothing is stored.
func TestFrozenDatabaseSenderIsTold(t *testing.T) {
	storagetest.MySQLDSN(t) // skip (or fail in CI) without MySQL
	s, proxy, fake, db := frozenWorld(t, "2s")
	c := client(s, mustCrypto(t, vecAESKey, vecAppID))
	ctx := context.Background()
	proxy.Freeze()
	res, err := c.Send(ctx, wechat.NewText("oFrozen", "gh_x", "建议：食堂的饭菜太咸了，希望改进", msgIDs.Add(1), time.Now()))
	if err != nil || !res.Empty {
		t.Fatalf("answer with the database frozen = %+v, %v; want success", res, err)
	}
	sent := waitSent(t, fake, "oFrozen", 1, 45*time.Second)
	proxy.Thaw()
	if len(sent) != 1 || !strings.Contains(sent[0].Text, "没有收到") || !strings.Contains(sent[0].Text, "重新发送") {
		t.Fatalf("pushed %+v, want one notice that the message was not received", sent)
	}
	if n := storagetest.CountRows(t, db, "opinions"); n != 0 {
		t.Errorf("%d opinions stored, want 0", n)
	}
	if len(logRecords(s, "process_failed")) == 0 {
		t.Errorf("the failure was not logged")
	}
	if strings.Contains(s.Logs.String(), "oFrozen") || strings.Contains(s.Logs.String(), "食堂") {
		t.Errorf("the log holds the sender or the text")
	}
}

// A retry that arrives while the first delivery is stuck on a slow
// database waits, answers "success" at the budget, and never says the
// message failed; the first delivery keeps its claim past the claim's TTL
// by renewing it, and its reply is pushed once.
func TestDuplicateWaitingOnSlowClaim(t *testing.T) {
	storagetest.MySQLDSN(t)
	s, proxy, fake, db := frozenWorld(t, "20s")
	c := client(s, mustCrypto(t, vecAESKey, vecAppID))
	msg := wechat.NewText("oSlow", "gh_x", "帮助", msgIDs.Add(1), time.Now())
	proxy.Freeze()
	var wg sync.WaitGroup
	results := make([]wechat.Result, 3)
	errs := make([]error, 3)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 300 * time.Millisecond)
			results[i], errs[i] = c.Send(context.Background(), msg)
		}()
	}
	wg.Wait()
	// Frozen past the budget, the old 4 s wait and the claim's 8 s TTL:
	// the holder's renewals keep its claim, so no retry takes over.
	time.Sleep(9 * time.Second)
	proxy.Thaw()
	for i, r := range results {
		if errs[i] != nil || r.Status != 200 {
			t.Errorf("delivery %d: %+v, %v", i, r, errs[i])
		}
		if strings.Contains(r.Reply.Content, "系统正忙") || strings.Contains(r.Reply.Content, "没有收到") {
			t.Errorf("delivery %d was told it failed: %q", i, r.Reply.Content)
		}
	}
	waitSent(t, fake, "oSlow", 1, 30*time.Second)
	time.Sleep(2 * time.Second) // a second push would have come by now
	sent := fake.SentTo("oSlow", 0)
	if len(sent) != 1 || !strings.Contains(sent[0].Text, "建议") {
		t.Errorf("pushed %+v, want the help text once", sent)
	}
	// A help text has no side effects: its claim, not the database, is
	// its dedup.
	if n := storagetest.CountRows(t, db, "processed_messages"); n != 0 {
		t.Errorf("%d processed rows, want none", n)
	}
}

// /readyz with MySQL frozen and Redis up says exactly that, in time.
func TestReadyzWithMySQLFrozen(t *testing.T) {
	storagetest.MySQLDSN(t)
	s, proxy, _, _ := frozenWorld(t, "20s")
	if code, body := get(t, s.URL+"/readyz"); code != 200 {
		t.Fatalf("/readyz before = %d %s", code, body)
	}
	proxy.Freeze()
	defer proxy.Thaw()
	start := time.Now()
	code, body := get(t, s.URL+"/readyz")
	if code != 503 || !strings.Contains(body, `"database":"unavailable"`) || !strings.Contains(body, `"state":"ok"`) {
		t.Errorf("/readyz with MySQL frozen = %d %s", code, body)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("/readyz took %s", d)
	}
}
