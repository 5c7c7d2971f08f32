package chat_test

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
	"minqing/bot/chat"
	"minqing/internal/linktest"
	"minqing/storage"
	"minqing/storage/state"
	"minqing/storage/state/statetest"
	"minqing/storage/storagetest"
)

// The link between opinions and their senders, on a real database and a
// real state store, with a clock the tests move on.

const testSecret = "chat-test-secret-0123456789"

// clock is a fake clock shared by the bots and the in-process state store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// pushes records the customer-service messages the bot sends.
type pushes struct {
	mu   sync.Mutex
	sent map[string][]string
}

func (p *pushes) SendText(_ context.Context, openid, text string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.sent == nil {
		p.sent = map[string][]string{}
	}
	p.sent[openid] = append(p.sent[openid], text)
	return nil
}

func (p *pushes) SendTemplate(context.Context, bot.TemplateMessage) error { return nil }

func (p *pushes) to(openid string) []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.sent[openid]...)
}

// school is a school with a 总务处 and a bound principal.
type school struct {
	id        int64
	principal string
}

func newSchool(t *testing.T, db *storage.DB) school {
	t.Helper()
	ctx := context.Background()
	s := school{principal: "oPrincipal" + rand.Text()[:8]}
	err := db.Update(ctx, func(tx bot.Tx) error {
		u, err := tx.CreateUnit(ctx, bot.OrgUnit{Kind: bot.UnitSchool, Name: "实验学校" + rand.Text()[:6], Code: rand.Text()[:8]})
		if err != nil {
			return err
		}
		s.id = u.ID
		if _, err := tx.CreateUnit(ctx, bot.OrgUnit{ParentID: u.ID, SchoolID: u.ID, Kind: bot.UnitDepartment, Name: "总务处"}); err != nil {
			return err
		}
		p, err := tx.CreatePerson(ctx, bot.Person{SchoolID: u.ID, Name: "范校长" + rand.Text()[:4], Roles: []bot.Role{bot.RoleSchoolLeader}, Active: true, Created: time.Now()})
		if err != nil {
			return err
		}
		return tx.PutBinding(ctx, bot.Binding{PersonID: p.ID, OpenID: s.principal, Active: true, BoundAt: time.Now()})
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rig is one or more instances of the bot on one database and one state
// store.
type rig struct {
	t      *testing.T
	db     *storage.DB
	state  bot.State
	clock  *clock
	pushes *pushes
	school school
	msgID  atomic.Int64
}

func newRig(t *testing.T, db *storage.DB, st bot.State, c *clock) *rig {
	r := &rig{t: t, db: db, state: st, clock: c, pushes: &pushes{}}
	r.school = newSchool(t, db)
	r.msgID.Store(1000)
	return r
}

// newMemoryRig is a rig on an in-process state store, with a clock at
// 2026-12-01 09:30 UTC.
func newMemoryRig(t *testing.T, db *storage.DB) *rig {
	c := &clock{t: time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)}
	return newRig(t, db, state.NewMemoryClock(10_000, c.Now), c)
}

func (r *rig) bot() *chat.Bot {
	r.t.Helper()
	b, err := chat.New(chat.Config{Store: r.db, State: r.state, Notifier: r.pushes, Secret: testSecret, Now: r.clock.Now,
		Location: time.UTC})
	if err != nil {
		r.t.Fatal(err)
	}
	return b
}

// say sends text as openid to b and returns the reply.
func (r *rig) say(b *chat.Bot, openid, text string) string {
	r.t.Helper()
	out, err := b.Process(context.Background(), bot.Inbound{OpenID: openid, Account: "gh_test", MsgID: r.msgID.Add(1),
		Created: r.clock.Now(), Kind: bot.KindText, Text: text})
	if err != nil {
		r.t.Fatalf("%s: %v", text, err)
	}
	return out.Reply.Text
}

func (r *rig) click(b *chat.Bot, openid, key string) string {
	r.t.Helper()
	r.clock.advance(time.Second) // events are told apart by their second
	out, err := b.Process(context.Background(), bot.Inbound{OpenID: openid, Account: "gh_test", Created: r.clock.Now(),
		Kind: bot.KindEvent, Event: bot.EventClick, EventKey: key})
	if err != nil {
		r.t.Fatal(err)
	}
	return out.Reply.Text
}

// runJob runs the named job of b now.
func (r *rig) runJob(b *chat.Bot, name string) {
	r.t.Helper()
	for _, j := range b.Jobs() {
		if j.Name == name {
			if err := j.Run(context.Background(), r.clock.Now()); err != nil {
				r.t.Fatal(err)
			}
			return
		}
	}
	r.t.Fatalf("no job %s", name)
}

func has(t *testing.T, what, reply string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(reply, w) {
			t.Errorf("%s: reply does not contain %q:\n%s", what, w, reply)
		}
	}
}

func codeOf(t *testing.T, reply string) string {
	t.Helper()
	i := strings.Index(reply, "回执码：")
	if i < 0 {
		t.Fatalf("no receipt code in:\n%s", reply)
	}
	return string([]rune(reply[i+len("回执码："):])[:9])
}

func opinionID(t *testing.T, db *storage.DB, code string) int64 {
	t.Helper()
	var id int64
	if err := db.SQL().Get(&id, `SELECT id FROM opinions WHERE code = ?`, code); err != nil {
		t.Fatal(err)
	}
	return id
}

// senderFromState opens an opinion's link as someone holding the live
// state store (and nothing else) could.
func senderFromState(st bot.State, id int64) (string, error) {
	return linktest.Sender(func(key string) ([]byte, error) { return st.Get(context.Background(), key) }, id)
}

// TestLinkExpiresWithTheWindow: given the live state store, the sender of
// each opinion can be found while the link window lasts; once the clock
// has passed it, nothing is left to find, 撤回 and 改为 are refused, a
// repeat is filed anew and the answer is not pushed; 查询 still works.
func TestLinkExpiresWithTheWindow(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		r := newMemoryRig(t, db)
		b := r.bot()
		authors := map[string]string{}
		for i, openid := range []string{"oParentA", "oParentB", "oTeacherC"} {
			reply := r.say(b, openid, fmt.Sprintf("建议：学校门口第%d个路灯坏了，晚上放学太黑", i+1))
			authors[codeOf(t, reply)] = openid
			r.clock.advance(10 * time.Minute)
		}
		for code, want := range authors {
			got, err := senderFromState(r.state, opinionID(t, db, code))
			if err != nil || got != want {
				t.Errorf("within the window: sender of %s = %q, %v; want %s", code, got, err, want)
			}
		}
		// Six days on, the link still holds.
		r.clock.advance(6 * 24 * time.Hour)
		var a string
		for code, openid := range authors {
			if openid == "oParentA" {
				a = code
			}
		}
		has(t, "6 days: withdraw by another", r.say(b, "oParentB", "撤回 "+a), "没有在您最近提交的意见中找到")
		// Past the window (7 days): nothing.
		r.clock.advance(25 * time.Hour)
		for code := range authors {
			if got, err := senderFromState(r.state, opinionID(t, db, code)); !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("after the window: sender of %s = %q, %v; want nothing", code, got, err)
			}
		}
		has(t, "after: withdraw", r.say(b, "oParentA", "撤回 "+a), "没有在您最近提交的意见中找到")
		has(t, "after: repeat", r.say(b, "oParentA", "建议：学校门口第1个路灯坏了，晚上放学太黑"), "已收到您的意见")
		r.say(b, r.school.principal, "交办 "+a+" 总务处 2天")
		has(t, "after: answer", r.say(b, r.school.principal, "答复 "+a+" 已修好"), "无法推送")
		if got := r.pushes.to("oParentA"); len(got) != 0 {
			t.Errorf("pushed after the window: %q", got)
		}
		has(t, "after: query", r.say(b, "oParentA", "查询 "+a), "已修好")
	})
}

// TestLinkWithinTheWindow: the daily cap, merging a repeat, 撤回, 改为 and
// the push of the answer, all through the link.
func TestLinkWithinTheWindow(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		r := newMemoryRig(t, db)
		b := r.bot()
		first := codeOf(t, r.say(b, "oParentA", "建议：食堂的饭菜太咸了，希望少放点盐"))
		has(t, "repeat", r.say(b, "oParentA", "建议：食堂的饭菜太咸了！希望少放点盐。"), "已经收到过", first)
		// Another sender's same text is hers.
		other := codeOf(t, r.say(b, "oParentB", "建议：食堂的饭菜太咸了，希望少放点盐"))
		has(t, "recategorize right after", r.say(b, "oParentB", "改为 师德师风"), other, "师德师风")
		has(t, "withdraw by another", r.say(b, "oParentB", "撤回 "+first), "没有在您最近提交的意见中找到")
		has(t, "withdraw", r.say(b, "oParentB", "撤回 "+other), "已撤回")
		for i := 2; i <= 9; i++ {
			codeOf(t, r.say(b, "oParentA", fmt.Sprintf("建议：第%d号教室的窗户关不严，冬天漏风", i)))
		}
		has(t, "cap", r.say(b, "oParentA", "建议：操场的跑道坏了好几处，孩子容易摔倒"), "已收到")
		has(t, "over the cap", r.say(b, "oParentA", "建议：图书馆周末能不能开放，孩子想借书"), "上限")
		// The next day the cap starts again, and the text is new again.
		r.clock.advance(24 * time.Hour)
		has(t, "next day", r.say(b, "oParentA", "建议：图书馆周末能不能开放，孩子想借书"), "已收到")
		r.say(b, r.school.principal, "交办 "+first+" 总务处 2天")
		has(t, "answer", r.say(b, r.school.principal, "答复 "+first+" 已要求食堂减盐"), "推送")
		if got := r.pushes.to("oParentA"); len(got) != 1 || !strings.Contains(got[0], "已要求食堂减盐") {
			t.Errorf("pushes to the sender = %q", got)
		}
	})
}

// TestStateStoreDownFailsSafe: with the state store unreachable nothing is
// filed: the sender is asked to try again later.
func TestStateStoreDownFailsSafe(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		state.SetRedisLogger(slog.New(slog.DiscardHandler)) // the refused dials
		down, err := state.OpenRedis(context.Background(), "redis://127.0.0.1:1/0", state.RedisOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { down.Close() })
		c := &clock{t: time.Now()}
		r := newRig(t, db, down, c)
		b := r.bot()
		has(t, "opinion", r.say(b, "oParentA", "建议：食堂的饭菜太咸了，希望少放点盐"), "稍后再试")
		var n int
		if err := db.SQL().Get(&n, `SELECT COUNT(*) FROM opinions`); err != nil || n != 0 {
			t.Errorf("%d opinions filed without the state store, %v", n, err)
		}
		// 查询 with a code does not need it.
		has(t, "query", r.say(b, "oParentA", "查询 K7M2-9QXD"), "没有找到回执码")
	})
}

// TestDraftAcrossInstances: a draft started on one instance is submitted
// after the silence by the job on another, which pushes the receipt.
func TestDraftAcrossInstances(t *testing.T) {
	for _, st := range []struct {
		name string
		open func(t *testing.T, c *clock) bot.State
	}{
		{"memory", func(t *testing.T, c *clock) bot.State { return state.NewMemoryClock(1000, c.Now) }},
		{"redis", func(t *testing.T, c *clock) bot.State { return statetest.Redis(t) }},
	} {
		t.Run(st.name, func(t *testing.T) {
			storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
				c := &clock{t: time.Now()}
				r := newRig(t, db, st.open(t, c), c)
				one, two := r.bot(), r.bot()
				has(t, "start", r.click(one, "oDraft", bot.MenuOpinion), "分几条发送")
				has(t, "part", r.say(one, "oDraft", "操场的跑道坏了好几处"), "第1段")
				has(t, "part", r.say(one, "oDraft", "孩子跑步容易摔倒"), "第2段")
				r.runJob(two, "submit_drafts")
				if got := r.pushes.to("oDraft"); len(got) != 0 {
					t.Fatalf("submitted before the silence: %q", got)
				}
				c.advance(2*time.Minute + time.Second)
				r.runJob(two, "submit_drafts")
				got := r.pushes.to("oDraft")
				if len(got) != 1 {
					t.Fatalf("receipts pushed: %q", got)
				}
				has(t, "receipt", got[0], "自动提交", "共2段", "回执码")
				var text string
				if err := db.SQL().Get(&text, `SELECT text FROM opinions WHERE code = ?`, codeOf(t, got[0])); err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff("操场的跑道坏了好几处\n孩子跑步容易摔倒", text); diff != "" {
					t.Errorf("text mismatch (-want +got):\n%s", diff)
				}
				// Once only, and the flow is over.
				r.runJob(one, "submit_drafts")
				if got := r.pushes.to("oDraft"); len(got) != 1 {
					t.Errorf("receipts pushed: %q", got)
				}
				has(t, "after", r.say(one, "oDraft", "提交"), "没有")
			})
		})
	}
}

// TestRatingBindsToTheAnswer: a rating without a code is about the answer
// it follows, keeps the words after it for the leaders, and asks which
// code when more than one answer waits.
func TestRatingBindsToTheAnswer(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		r := newMemoryRig(t, db)
		b := r.bot()
		p := r.school.principal
		answer := func(code, text string) {
			t.Helper()
			r.say(b, p, "交办 "+code+" 总务处 2天")
			has(t, "answer", r.say(b, p, "答复 "+code+" "+text), "推送")
		}
		old := codeOf(t, r.say(b, "oRater", "建议：学校的会议太多了，老师们没时间备课"))
		answer(old, "会减少会议")
		has(t, "rating", r.say(b, "oRater", "满意"), "谢谢", old)
		r.clock.advance(3 * 24 * time.Hour)
		meetings := codeOf(t, r.say(b, "oRater", "建议：每周的例会能不能改成半小时"))
		answer(meetings, "例会改为半小时")
		// The old one is rated: this rating is about the new answer.
		has(t, "rating with a comment", r.say(b, "oRater", "不满意，会议还是很多"), meetings)
		var row struct {
			Rating  string `db:"rating"`
			Comment string `db:"rating_comment"`
		}
		if err := db.SQL().Get(&row, `SELECT rating, rating_comment FROM opinions WHERE code = ?`, meetings); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff("unsatisfied 会议还是很多", row.Rating+" "+row.Comment); diff != "" {
			t.Errorf("rating mismatch (-want +got):\n%s", diff)
		}
		has(t, "detail", r.say(b, p, "详情 "+meetings), "不满意", "会议还是很多")
		// Two answers waiting: the bot asks which.
		x := codeOf(t, r.say(b, "oRater", "建议：校门口的路灯坏了，晚上放学太黑"))
		y := codeOf(t, r.say(b, "oRater", "建议：操场的跑道坏了好几处，孩子容易摔倒"))
		answer(x, "路灯已修")
		answer(y, "跑道已补")
		has(t, "which", r.say(b, "oRater", "满意"), x, y, "回执码")
		has(t, "with the code", r.say(b, "oRater", "满意 "+x), "谢谢", x)
		has(t, "the one left", r.say(b, "oRater", "基本满意"), "谢谢", y)
		// A 查询 shows an answer: the rating right after is about it.
		z := codeOf(t, r.say(b, "oOther", "建议：学校的饮水机坏了好几台"))
		answer(z, "饮水机已换")
		r.say(b, "oRater", "查询 "+z)
		has(t, "after a query", r.say(b, "oRater", "满意"), z)
		// Past the window the pushed answers are forgotten.
		w := codeOf(t, r.say(b, "oRater", "建议：图书馆周末能不能开放"))
		answer(w, "周六开放")
		r.clock.advance(8 * 24 * time.Hour)
		has(t, "after the window", r.say(b, "oRater", "满意"), "没有找到等待评价的答复")
	})
}

// TestOpinionCost: with the cap and repeats in the state store, filing an
// opinion reads nothing of the sender from the database: it writes the
// opinion and the processed record, and that is all.
func TestOpinionCost(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		r := newMemoryRig(t, db)
		b := r.bot()
		codeOf(t, r.say(b, "oWarm", "建议：学校门口的路灯坏了，晚上放学太黑")) // warms the school catalog
		before := db.Statements()
		const n = 5
		for i := range n {
			codeOf(t, r.say(b, "oCost", fmt.Sprintf("建议：第%d号教室的窗户关不严，冬天漏风", i+1)))
		}
		per := float64(db.Statements()-before) / n
		t.Logf("%.1f statements per opinion", per)
		if per > 2 {
			t.Errorf("%.1f statements per opinion, want 2 (the opinion and the processed record)", per)
		}
	})
}

// TestReplyWithoutSideEffectsCommitsNothing: with the state store up, a
// help text costs the database no statement and leaves no processed
// record (the claim is its dedup: a retry gets the same reply from the
// state store); with the state store down it is still answered, and
// recorded in the database, which then deduplicates.
func TestReplyWithoutSideEffectsCommitsNothing(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		r := newMemoryRig(t, db)
		b := r.bot()
		r.say(b, "oWarm", "帮助") // warms the staff index
		processed := func() int {
			var n int
			if err := db.SQL().Get(&n, `SELECT COUNT(*) FROM processed_messages`); err != nil {
				t.Fatal(err)
			}
			return n
		}
		rows := processed()
		before := db.Statements()
		in := bot.Inbound{OpenID: "oHelp", Account: "gh_test", MsgID: 77, Created: r.clock.Now(), Kind: bot.KindText, Text: "帮助"}
		first, err := b.Process(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if n := db.Statements() - before; n != 0 {
			t.Errorf("help ran %d statements, want 0", n)
		}
		if n := processed(); n != rows {
			t.Errorf("help left %d processed records, want none", n-rows)
		}
		again, err := b.Process(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(first.Reply, again.Reply); diff != "" || again.Duplicate != bot.DupState {
			t.Errorf("retry: duplicate %q, reply mismatch (-want +got):\n%s", again.Duplicate, diff)
		}

		state.SetRedisLogger(slog.New(slog.DiscardHandler))
		down, err := state.OpenRedis(context.Background(), "redis://127.0.0.1:1/0", state.RedisOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { down.Close() })
		rd := newRig(t, db, down, r.clock)
		bd := rd.bot()
		in.MsgID = 78
		out, err := bd.Process(context.Background(), in)
		if err != nil || out.Reply.Text == "" {
			t.Fatalf("help without the state store: %+v, %v", out, err)
		}
		if n := processed(); n != rows+1 {
			t.Errorf("help without the state store left %d processed records, want 1", n-rows)
		}
		retry, err := bd.Process(context.Background(), in)
		if err != nil || retry.Duplicate != bot.DupDB || retry.Reply.Text != out.Reply.Text {
			t.Errorf("retry without the state store: %+v, %v; want the same reply from the database", retry, err)
		}
	})
}

// TestConcurrentOpinionCost: 32 senders filing at once share group
// commits: the opinions, processed records and events of a batch are one
// multi-row INSERT each.
func TestConcurrentOpinionCost(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		r := newMemoryRig(t, db)
		b := r.bot()
		codeOf(t, r.say(b, "oWarm", "建议：学校门口的路灯坏了，晚上放学太黑")) // warms the school catalog
		before, batches := db.Statements(), db.BatchStats()
		const n = 64
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				codeOf(t, r.say(b, fmt.Sprintf("oConc%02d", i), fmt.Sprintf("建议：第%d号教室的窗户关不严，冬天漏风", i+1)))
			})
		}
		wg.Wait()
		statements := db.Statements() - before
		after := db.BatchStats()
		nb := after.Batches - batches.Batches
		t.Logf("%d opinions: %d statements (%.2f each) in %d group commits", n, statements, float64(statements)/n, nb)
		var filed int
		if err := db.SQL().Get(&filed, `SELECT COUNT(*) FROM opinions`); err != nil || filed != n+1 {
			t.Errorf("%d opinions stored, %v; want %d", filed, err, n+1)
		}
		// A batch of one is a transaction of its own (two statements);
		// a larger batch costs three multi-row INSERTs at most.
		if max := 3 * nb; statements > max && after.Fallbacks == batches.Fallbacks {
			t.Errorf("%d statements in %d group commits, want at most %d", statements, nb, max)
		}
	})
}
