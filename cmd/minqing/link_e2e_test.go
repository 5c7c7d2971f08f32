package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"minqing/bot"
	"minqing/handlers/wechat"
	"minqing/internal/linktest"
	"minqing/storage"
	"minqing/storage/storagetest"
)

// The link between an anonymous opinion and its sender lives only in the
// state store, for the school's link window (7 days by default). These
// tests play the people who hold the rest: a backup restored elsewhere, an
// administrator with the database and the secret.

// restart stops the service and starts another on the same configuration
// with env changed, the way an operator would after restoring a backup.
func (w *world) restart(t *testing.T, change map[string]string) {
	t.Helper()
	if code := w.Stop(); code != 0 {
		t.Fatalf("service stopped with %d", code)
	}
	env := map[string]string{}
	for k, v := range w.Env {
		env[k] = v
	}
	for k, v := range change {
		env[k] = v
	}
	w.service = startService(t, env)
}

// copyDir copies the files of a data directory (the backup of the
// embedded default: the SQLite file and the secret beside it).
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		src, err := os.Open(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		dst, err := os.OpenFile(filepath.Join(to, e.Name()), os.O_CREATE|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(dst, src); err != nil {
			t.Fatal(err)
		}
		src.Close()
		dst.Close()
	}
}

// restore starts a fresh instance from a backup of the database and the
// secret, with an empty state store: a copy of the data directory on the
// embedded default; the same database (what a dump restores) and a new
// Redis prefix on MySQL + Redis.
func (w *world) restore(t *testing.T) {
	t.Helper()
	if w.backend.name == "embedded" {
		if code := w.Stop(); code != 0 {
			t.Fatalf("service stopped with %d", code)
		}
		dir := t.TempDir()
		copyDir(t, w.Env["MINQING_DATA_DIR"], dir)
		w.restart(t, map[string]string{"MINQING_DATA_DIR": dir})
		w.db = openTestDB(t, storage.Options{DataDir: dir})
		return
	}
	w.restart(t, map[string]string{"MINQING_REDIS_PREFIX": "minqing-test:" + randomHex(6) + ":"})
}

// TestBackupHoldsNoLink: within the window the live system honours 撤回
// from the author, merges her repeat and pushes her the answer, also
// across a restart on MySQL + Redis; a backup restored onto a fresh
// instance with an empty state store does none of the three. 查询 with the
// code works everywhere.
func TestBackupHoldsNoLink(t *testing.T) {
	onEachBackend(t, func(t *testing.T, w *world) {
		principal := w.bound(t, "范小平", "oLinkPrincipal")
		teacher := w.bound(t, "王丽", "oLinkTeacher")
		w.fake.SetWindow(48 * time.Hour)
		w.fake.Touch("oLinkTeacher", time.Now())

		texts := []string{
			"建议：学校领导少开几次会，每周三个会太多了，没时间备课",
			"建议：教务处排课太不合理了，一天连着五节课根本顾不过来",
			"建议：学校的打印机多配几台吧，每次排队要很久",
			"建议：办公室的空调坏了一个月了，希望尽快修好",
		}
		var mine []string
		for _, text := range texts {
			mine = append(mine, codeIn(t, teacher.say(text)))
		}
		answer := func(code, text string) string {
			t.Helper()
			principal.say("交办 " + code + " 总务处 2天")
			return principal.say("答复 " + code + " " + text)
		}

		// The live system, within the window.
		live := func(what string, withdraw, repeat, answered int) {
			t.Helper()
			expect(t, what+": withdraw", teacher.say("撤回 "+mine[withdraw]), "已撤回")
			expect(t, what+": repeat", teacher.say(texts[repeat]), "已经收到过", mine[repeat])
			expect(t, what+": answer", answer(mine[answered], "已安排"+what), "已答复", "推送")
			w.waitPushed(t, "oLinkTeacher", "已安排"+what)
		}
		live("live", 0, 1, 2)
		if w.backend.name != "embedded" {
			// MySQL + Redis lose nothing across a restart.
			w.restart(t, nil)
			teacher, principal = w.as(t, "oLinkTeacher"), w.as(t, "oLinkPrincipal")
			expect(t, "restarted: repeat", teacher.say(texts[2]), "已经收到过", mine[2])
			expect(t, "restarted: withdraw", teacher.say("撤回 "+mine[3]), "已撤回")
			mine = append(mine, codeIn(t, teacher.say("建议：食堂的饭菜太咸了，希望少放点盐")))
			texts = append(texts, "建议：食堂的饭菜太咸了，希望少放点盐")
		} else {
			mine = append(mine, mine[3])
			texts = append(texts, texts[3])
		}
		last := len(mine) - 1

		// The backup, restored onto a fresh instance.
		w.restore(t)
		teacher, principal = w.as(t, "oLinkTeacher"), w.as(t, "oLinkPrincipal")
		before := storagetest.CountRows(t, w.db, "opinions")
		expect(t, "restored: withdraw", teacher.say("撤回 "+mine[last]), "没有在您最近提交的意见中找到")
		if status, _ := opinionStatus(t, w.db, mine[last]); status != "received" {
			t.Errorf("restored: the withdrawal was honoured: %s", status)
		}
		r := teacher.say(texts[last])
		expect(t, "restored: repeat", r, "已收到")
		if codeIn(t, r) == mine[last] || storagetest.CountRows(t, w.db, "opinions") != before+1 {
			t.Errorf("restored: the repeat was merged into the author's opinion:\n%s", r)
		}
		sent := len(w.fake.SentTo("oLinkTeacher", 0))
		expect(t, "restored: answer", answer(mine[last], "已安排备份"), "无法推送")
		time.Sleep(300 * time.Millisecond)
		if got := w.fake.SentTo("oLinkTeacher", 0); len(got) != sent {
			t.Errorf("restored: the answer was pushed to the author: %+v", got[sent:])
		}
		// The code still works.
		expect(t, "restored: query", teacher.say("查询 "+mine[last]), "已安排备份")
	})
}

// TestAdministratorFindsNoLink plays the school's IT administrator: with
// the database (and, on the embedded default, the data directory) and the
// secret, it tries every keyed hash and seal the code offers, for every
// openid and every message the tests sent, and every stored time and ID,
// and finds nothing that names the sender of an anonymous opinion. Given
// the live Redis as well, it does find each sender, while the window
// lasts (the expiry itself is tested with a fake clock in package chat).
func TestAdministratorFindsNoLink(t *testing.T) {
	onEachBackend(t, func(t *testing.T, w *world) {
		principal := w.bound(t, "范小平", "oStaffPrincipal")
		teacher := w.bound(t, "王丽", "oStaffTeacher")
		w.fake.SetWindow(48 * time.Hour)
		parents := []string{"oParentOne", "oParentTwo", "oParentThree"}
		authors := map[string]string{} // code → openid
		file := func(p *person, openid, text string) string {
			t.Helper()
			c := codeIn(t, p.say(text))
			authors[c] = openid
			return c
		}
		var answered []string
		for i, openid := range parents {
			w.fake.Touch(openid, time.Now())
			p := w.as(t, openid)
			p.event("subscribe", "")
			answered = append(answered, file(p, openid, fmt.Sprintf("建议：学校门口的第%d个路灯坏了，晚自习放学太黑了", i+1)))
			p.voice("食堂的饭菜能不能少放点辣椒孩子们吃不惯。")
			p.say("查询 " + answered[i])
		}
		// A teacher writes too: anonymous as well. She corrects the
		// category and withdraws another.
		w.fake.Touch("oStaffTeacher", time.Now())
		answered = append(answered, file(teacher, "oStaffTeacher", "建议学校的打印机多配几台，每次排队要很久"))
		file(teacher, "oStaffTeacher", "建议：学校领导开会太多，老师们没时间备课")
		teacher.say("改为 领导班子")
		withdrawn := file(teacher, "oStaffTeacher", "建议：希望教务处把期末考试安排提前公布")
		expect(t, "withdraw", teacher.say("撤回 "+withdrawn), "已撤回")
		for _, c := range answered {
			principal.say("交办 " + c + " 总务处 2天")
			principal.say("答复 " + c + " 已安排维修")
		}
		for _, openid := range append(parents, "oStaffTeacher") {
			w.waitPushed(t, openid, "已安排维修")
			w.as(t, openid).say("不满意，还是很黑")
		}
		// A draft in progress.
		p := w.as(t, parents[0])
		p.event("CLICK", "OPINION")
		p.say("图书馆周末能不能开放")

		secret := w.Env["MINQING_SECRET"]
		if secret == "" {
			raw, err := os.ReadFile(filepath.Join(w.Env["MINQING_DATA_DIR"], "secret"))
			if err != nil {
				t.Fatal(err)
			}
			secret = strings.TrimSpace(string(raw))
		}
		keys, err := bot.NewKeys(secret)
		if err != nil {
			t.Fatal(err)
		}
		everyone := append(append([]string{}, parents...), "oStaffPrincipal", "oStaffTeacher")
		// Every keyed hash under the secret the code offers.
		derived := map[string]string{}
		for _, openid := range everyone {
			derived[keys.Sender(openid)] = "sender hash of " + openid
		}
		sentLog.mu.Lock()
		for _, m := range sentLog.msgs {
			in := bot.Inbound{OpenID: m.FromUserName, MsgID: m.MsgId, Created: time.Unix(m.CreateTime, 0).UTC(), Kind: bot.KindText}
			if m.MsgType == "event" {
				in.Kind, in.Event = bot.KindEvent, bot.Event(m.Event)
			}
			derived[keys.Dedup(in)] = "dedup key of a message of " + m.FromUserName
		}
		sentLog.mu.Unlock()

		for table, cells := range dumpCells(t, w.db) {
			for _, cell := range cells {
				for _, openid := range everyone {
					if strings.Contains(cell, openid) && !(table == "wechat_bindings" && strings.HasPrefix(openid, "oStaff")) {
						t.Errorf("table %s holds %s", table, openid)
					}
				}
				for h, what := range derived {
					if strings.Contains(cell, h) {
						t.Errorf("table %s holds the %s", table, what)
					}
				}
				if opened, err := keys.Open([]byte(cell)); err == nil {
					for _, openid := range everyone {
						if strings.Contains(string(opened), openid) {
							t.Errorf("table %s holds %s sealed under the secret", table, openid)
						}
					}
				}
			}
		}
		checkTimesAndIDs(t, w.db)
		// The data directory's files, raw (the SQLite file, its WAL).
		if w.backend.name == "embedded" {
			files, err := os.ReadDir(w.Env["MINQING_DATA_DIR"])
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				raw, err := os.ReadFile(filepath.Join(w.Env["MINQING_DATA_DIR"], f.Name()))
				if err != nil {
					t.Fatal(err)
				}
				for _, openid := range parents {
					if strings.Contains(string(raw), openid) {
						t.Errorf("file %s holds %s", f.Name(), openid)
					}
				}
				for h, what := range derived {
					if strings.Contains(string(raw), h) {
						t.Errorf("file %s holds the %s", f.Name(), what)
					}
				}
			}
		}

		// The logs: no openid, no text, no query string.
		logs := w.Logs.String()
		for _, secret := range append(everyone, "路灯", "辣椒", "范小平", "王丽", "openid=", "signature=") {
			if strings.Contains(logs, secret) {
				t.Errorf("the log contains %q", secret)
			}
		}

		// With the live state store, the link is there, for a while.
		if w.backend.name == "embedded" {
			return // in process: nobody but the running server holds it
		}
		rdb := redisOf(t, w.Env)
		for code, want := range authors {
			var id int64
			if err := w.db.SQL().Get(&id, `SELECT id FROM opinions WHERE code = ?`, code); err != nil {
				t.Fatal(err)
			}
			got, err := senderInRedis(rdb, w.Env["MINQING_REDIS_PREFIX"], id)
			if err != nil || got != want {
				t.Errorf("live state: sender of %s = %q, %v; want %s", code, got, err, want)
			}
		}
	})
}

// dumpCells returns every cell of every table as text, by table.
func dumpCells(t *testing.T, db *storage.DB) map[string][]string {
	t.Helper()
	var tables []string
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.Dialect() == storage.MySQL {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()`
	}
	if err := db.SQL().Select(&tables, q); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := db.SQL().Queryx("SELECT * FROM " + table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			vals, err := rows.SliceScan()
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				switch v := v.(type) {
				case []byte:
					out[table] = append(out[table], string(v))
				case nil:
				default:
					out[table] = append(out[table], fmt.Sprint(v))
				}
			}
		}
		rows.Close()
	}
	return out
}

// checkTimesAndIDs: an anonymous opinion's times are whole hours, or the
// times of staff's steps; its sender's acts left no event; processed
// messages are dated to the hour; opinion IDs are random, not in filing
// order.
func checkTimesAndIDs(t *testing.T, db *storage.DB) {
	t.Helper()
	var ops []struct {
		ID         int64      `db:"id"`
		Created    time.Time  `db:"created_at"`
		Updated    time.Time  `db:"updated_at"`
		RatedAt    *time.Time `db:"rated_at"`
		AnsweredAt *time.Time `db:"answered_at"`
	}
	if err := db.SQL().Select(&ops, `SELECT id, created_at, updated_at, rated_at, answered_at FROM opinions WHERE anonymous`); err != nil {
		t.Fatal(err)
	}
	if len(ops) < 5 {
		t.Fatalf("%d anonymous opinions", len(ops))
	}
	whole := func(x time.Time) bool { return x.Equal(x.Truncate(time.Hour)) }
	for i, o := range ops {
		var staff []time.Time
		if err := db.SQL().Select(&staff, `SELECT at FROM opinion_events WHERE opinion_id = ? AND actor_id IS NOT NULL`, o.ID); err != nil {
			t.Fatal(err)
		}
		staffTime := func(x time.Time) bool {
			for _, s := range staff {
				if s.Equal(x) {
					return true
				}
			}
			return false
		}
		if !whole(o.Created) {
			t.Errorf("opinion %d created at %v", o.ID, o.Created)
		}
		if !whole(o.Updated) && !staffTime(o.Updated) {
			t.Errorf("opinion %d updated at %v, neither an hour nor a staff step", o.ID, o.Updated)
		}
		if o.RatedAt != nil && !whole(*o.RatedAt) && !(o.AnsweredAt != nil && o.RatedAt.Equal(*o.AnsweredAt)) {
			t.Errorf("opinion %d rated at %v", o.ID, *o.RatedAt)
		}
		if o.ID < 1<<20 {
			t.Errorf("opinion ID %d looks sequential", o.ID)
		}
		for _, p := range ops[:i] {
			if d := o.ID - p.ID; d > -1000 && d < 1000 {
				t.Errorf("opinion IDs %d and %d are close: filing order shows", o.ID, p.ID)
			}
		}
	}
	var kinds []string
	if err := db.SQL().Select(&kinds, `SELECT e.kind FROM opinion_events e JOIN opinions o ON o.id = e.opinion_id
		WHERE o.anonymous AND e.actor_id IS NULL AND e.kind NOT IN ('pushed', 'push_failed')`); err != nil {
		t.Fatal(err)
	}
	if len(kinds) > 0 {
		t.Errorf("events of senders' acts: %q", kinds)
	}
	var processed []time.Time
	if err := db.SQL().Select(&processed, `SELECT created_at FROM processed_messages`); err != nil {
		t.Fatal(err)
	}
	if len(processed) == 0 {
		t.Fatal("no processed messages")
	}
	for _, at := range processed {
		if !whole(at) {
			t.Errorf("processed message dated %v", at)
		}
	}
}

// redisOf is a client of the service's Redis.
func redisOf(t *testing.T, env map[string]string) *redis.Client {
	t.Helper()
	opt, err := redis.ParseURL(env["MINQING_REDIS_URL"])
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	t.Cleanup(func() { c.Close() })
	return c
}

// senderInRedis opens the link of an opinion the way the service does:
// the record names the key of the hour, which lives beside it.
func senderInRedis(rdb *redis.Client, prefix string, opinionID int64) (string, error) {
	return linktest.Sender(func(key string) ([]byte, error) { return rdb.Get(context.Background(), prefix+"v:"+key).Bytes() }, opinionID)
}

// TestLinkRecordsExpireWithinTheWindow: every Redis key the service
// writes expires, and every one holding link material (keys, links,
// repeats, the cap, answers awaiting a rating, drafts, dialogs, dedup
// claims) within the link window.
func TestLinkRecordsExpireWithinTheWindow(t *testing.T) {
	w := newWorld(t, backends[1])
	principal := w.bound(t, "范小平", "oTTLPrincipal")
	p := w.as(t, "oTTLParent")
	w.fake.SetWindow(48 * time.Hour)
	w.fake.Touch("oTTLParent", time.Now())
	code := codeIn(t, p.say("建议学校门口的路灯修一修，晚上太黑了"))
	p.say("学校门口的路灯修一修，晚上太黑了！")
	principal.say("交办 " + code + " 总务处 2天")
	principal.say("答复 " + code + " 已安排维修")
	w.waitPushed(t, "oTTLParent", "已安排维修")
	p.event("CLICK", "OPINION")
	p.say("图书馆周末能不能开放")

	rdb := redisOf(t, w.Env)
	ctx := context.Background()
	prefix := w.Env["MINQING_REDIS_PREFIX"]
	window := 7 * 24 * time.Hour
	// Longer-lived keys that hold nothing about an opinion's sender.
	notLink := map[string]string{
		"v:school:":           "the school a parent chose (no opinion)",
		"v:bindings:version":  "a random version number",
		"n:rate:":             "per-minute message counters",
		"v:wechat:":           "the access token",
		"v:minqing:wechatapi": "the access token",
	}
	seen := map[string]bool{}
	iter := rdb.Scan(ctx, 0, prefix+"*", 1000).Iterator()
	n := 0
	for iter.Next(ctx) {
		key := iter.Val()
		n++
		ttl, err := rdb.PTTL(ctx, key).Result()
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(key, prefix)
		if ttl <= 0 {
			t.Errorf("%s has no expiry (%v)", name, ttl)
			continue
		}
		exempt := ""
		for p, why := range notLink {
			if strings.HasPrefix(name, p) {
				exempt = why
			}
		}
		for _, kind := range []string{"v:linkkey:", "v:link:", "v:repeat:", "n:cap:", "v:answered:", "v:draft:", "q:drafts", "v:dialog:", "c:dedup:"} {
			if strings.HasPrefix(name, kind) {
				seen[kind] = true
			}
		}
		if exempt == "" && ttl > window {
			t.Errorf("%s lives %v, longer than the link window", name, ttl)
		}
	}
	if err := iter.Err(); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"v:linkkey:", "v:link:", "v:repeat:", "n:cap:", "v:answered:", "v:draft:", "q:drafts", "v:dialog:", "c:dedup:"} {
		if !seen[kind] {
			t.Errorf("no %s key: the test does not see what it checks", kind)
		}
	}
	t.Logf("%d keys checked", n)
}

// TestCapAndRepeatsAtomic: one sender's 30 concurrent opinions file
// exactly the daily cap; 10 concurrent copies of one text file one. On a
// Redis Cluster too.
func TestCapAndRepeatsAtomic(t *testing.T) {
	for _, b := range append(slices.Clip(backends), clusterBackend) {
		t.Run(b.name, func(t *testing.T) {
			w := newWorld(t, b)
			send := func(openid string, texts []string) []string {
				t.Helper()
				p := w.as(t, openid)
				replies := make([]string, len(texts))
				errs := make([]error, len(texts))
				var wg sync.WaitGroup
				for i, text := range texts {
					wg.Add(1)
					go func() {
						defer wg.Done()
						res, err := p.c.Send(context.Background(), wechat.NewText(openid, "gh_test", text, msgIDs.Add(1), time.Now()))
						if err == nil && res.Status != 200 {
							err = fmt.Errorf("status %d", res.Status)
						}
						if err == nil {
							replies[i] = res.Reply.Content
						}
						errs[i] = err
					}()
				}
				wg.Wait()
				for _, err := range errs {
					if err != nil {
						t.Fatal(err)
					}
				}
				return replies
			}
			count := func(replies []string, want string) int {
				n := 0
				for _, r := range replies {
					if strings.Contains(r, want) {
						n++
					}
				}
				return n
			}
			var texts []string
			for i := range 30 {
				texts = append(texts, fmt.Sprintf("建议学校把第%d号教室的窗户修一修，关不严漏风", i+1))
			}
			replies := send("oCapParent", texts)
			if n := storagetest.CountRows(t, w.db, "opinions"); n != 10 {
				t.Errorf("30 concurrent opinions filed %d, want the cap of 10", n)
			}
			if filed, capped := count(replies, "已收到"), count(replies, "上限"); filed != 10 || capped != 20 {
				t.Errorf("replies: %d filed, %d at the cap; want 10 and 20", filed, capped)
			}
			copies := make([]string, 10)
			for i := range copies {
				copies[i] = "建议：食堂的饭菜太咸了，希望少放点盐"
			}
			replies = send("oRepeatParent", copies)
			if n := storagetest.CountRows(t, w.db, "opinions"); n != 11 {
				t.Errorf("10 concurrent copies filed %d opinions, want 1", n-10)
			}
			if filed, repeats := count(replies, "已收到您的意见"), count(replies, "已经收到"); filed != 1 || repeats != 9 {
				t.Errorf("replies: %d filed, %d repeats; want 1 and 9:\n%s", filed, repeats, strings.Join(replies, "\n---\n"))
			}
		})
	}
}

// TestOpinionsWithRedisDown: without the state store nothing is filed (so
// the cap can never be exceeded): the sender is asked to try again later;
// 撤回 waits too; 查询 with a code still works.
func TestOpinionsWithRedisDown(t *testing.T) {
	proxy, env, openDB := redisBehindProxy(t)
	fake, env := withAccount(t, env)
	s := startService(t, env)
	out := s.admin(t, "import", "staff", testdata("staff_messy.xlsx"), "--school", testSchool, "--new")
	expect(t, "import", out, "新增 16 人")
	w := &world{service: s, db: openDB(t), fake: fake}
	p := w.as(t, "oDownParent")
	code := codeIn(t, p.say("建议：学校门口的路灯坏了，晚上放学太黑"))
	proxy.Close()
	before := storagetest.CountRows(t, w.db, "opinions")
	start := time.Now()
	expect(t, "down: opinion", p.say("建议：食堂的饭菜太咸了，希望少放点盐"), "稍后再试")
	if d := time.Since(start); d > 4*time.Second {
		t.Errorf("the refusal took %s", d)
	}
	if n := storagetest.CountRows(t, w.db, "opinions"); n != before {
		t.Errorf("%d opinions filed with Redis down", n-before)
	}
	expect(t, "down: withdraw", p.say("撤回 "+code), "稍后再试")
	expect(t, "down: query", p.say("查询 "+code), code, "待受理")
}

// TestRatingFollowsTheAnswer: a rating without a code is about the answer
// it follows, its words are kept for the leaders, and with two answers
// waiting the bot asks which.
func TestRatingFollowsTheAnswer(t *testing.T) {
	onEachBackend(t, func(t *testing.T, w *world) {
		principal := w.bound(t, "范小平", "oRatePrincipal")
		w.fake.SetWindow(48 * time.Hour)
		w.fake.Touch("oRater", time.Now())
		p := w.as(t, "oRater")
		answer := func(code, text string) {
			t.Helper()
			principal.say("交办 " + code + " 总务处 2天")
			expect(t, "answer", principal.say("答复 "+code+" "+text), "推送")
			w.waitPushed(t, "oRater", text)
		}
		older := codeIn(t, p.say("建议：学校的会太多了，老师们没时间备课"))
		meetings := codeIn(t, p.say("建议：每周的例会能不能改成半小时"))
		answer(meetings, "例会改为半小时")
		expect(t, "rating", p.say("不满意，会议还是很多"), meetings)
		var row struct {
			Rating  string `db:"rating"`
			Comment string `db:"rating_comment"`
		}
		if err := w.db.SQL().Get(&row, `SELECT rating, rating_comment FROM opinions WHERE code = ?`, meetings); err != nil {
			t.Fatal(err)
		}
		if row.Rating != "unsatisfied" || row.Comment != "会议还是很多" {
			t.Errorf("rating = %+v; want unsatisfied with the comment", row)
		}
		expect(t, "detail", principal.say("详情 "+meetings), "不满意", "会议还是很多")
		other := codeIn(t, p.say("建议：校门口的路灯坏了，晚上放学太黑"))
		answer(older, "会议减半")
		answer(other, "路灯已修")
		expect(t, "which", p.say("满意"), older, other)
		expect(t, "with the code", p.say("满意 "+other), "谢谢", other)
	})
}
