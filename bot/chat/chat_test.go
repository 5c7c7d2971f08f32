package chat_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"minqing/bot"
	"minqing/bot/chat"
	"minqing/bot/parse"
	"minqing/storage"
	"minqing/storage/state"
	"minqing/storage/storagetest"
)

// The engine against the real SQLite store, the in-process state store, a
// recording notifier (the one fake: the WeChat API) and a fixed clock.

// start is Monday 23 November 2026, 09:00 in the schools' time zone.
var (
	cst   = time.FixedZone("CST", 8*3600)
	start = time.Date(2026, 11, 23, 9, 0, 0, 0, cst)
)

// notifier records the messages the engine sends outside replies.
type notifier struct {
	mu   sync.Mutex
	sent map[string][]string // by openid
}

func (n *notifier) SendText(_ context.Context, openid, text string) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent[openid] = append(n.sent[openid], text)
	return nil
}

func (n *notifier) SendTemplate(_ context.Context, m bot.TemplateMessage) error {
	return n.SendText(context.Background(), m.ToOpenID, fmt.Sprint(m.Fields))
}

func (n *notifier) to(openid string) []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.sent[openid]...)
}

// world is one school with its staff, and the engine that serves it.
type world struct {
	t      *testing.T
	db     *storage.DB
	bot    *chat.Bot
	notes  *notifier
	now    atomic.Int64 // unix nanoseconds
	msgID  atomic.Int64
	school bot.OrgUnit
}

// staff of the test school: openid, name and roles.
var staff = []struct {
	openid, name string
	roles        []bot.Role
}{
	{"oPrincipal", "范校长", []bot.Role{bot.RoleSchoolLeader}},
	{"oDiscipline", "李纪检", []bot.Role{bot.RoleTeacher, bot.RoleDiscipline}},
	{"oTeacher", "王老师", []bot.Role{bot.RoleTeacher}},
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, db: storagetest.SQLite(t), notes: &notifier{sent: map[string][]string{}}}
	w.now.Store(start.UnixNano())
	ctx := t.Context()
	err := w.db.Update(ctx, func(tx bot.Tx) error {
		var err error
		if w.school, err = tx.CreateUnit(ctx, bot.OrgUnit{Kind: bot.UnitSchool, Name: "岳阳七中", Code: "YY07"}); err != nil {
			return err
		}
		for _, d := range []string{"总务处", "教务处"} {
			if _, err := tx.CreateUnit(ctx, bot.OrgUnit{ParentID: w.school.ID, SchoolID: w.school.ID, Kind: bot.UnitDepartment, Name: d}); err != nil {
				return err
			}
		}
		for _, s := range staff {
			p, err := tx.CreatePerson(ctx, bot.Person{SchoolID: w.school.ID, Name: s.name, Roles: s.roles, Active: true})
			if err != nil {
				return err
			}
			if err := tx.PutBinding(ctx, bot.Binding{PersonID: p.ID, OpenID: s.openid, Active: true, BoundAt: start}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	w.bot, err = chat.New(chat.Config{
		Store: w.db, State: state.NewMemory(10000), Notifier: w.notes, Secret: "chat-test-secret-0123456789",
		Now: w.clock, Location: cst,
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *world) clock() time.Time { return time.Unix(0, w.now.Load()) }

// advance moves the clock on.
func (w *world) advance(d time.Duration) { w.now.Add(int64(d)) }

// send delivers a message to the engine and returns the outcome.
func (w *world) send(in bot.Inbound) bot.Outcome {
	w.t.Helper()
	if in.Account == "" {
		in.Account = "gh_test"
	}
	in.Created = w.clock()
	out, err := w.bot.Process(w.t.Context(), in)
	if err != nil {
		w.t.Fatalf("Process: %v", err)
	}
	return out
}

// say sends a text from openid and returns the reply's text.
func (w *world) say(openid, text string) string {
	w.t.Helper()
	return w.send(bot.Inbound{OpenID: openid, MsgID: w.msgID.Add(1), Kind: bot.KindText, Text: text}).Reply.Text
}

// expect fails the test unless reply contains every part.
func expect(t *testing.T, what, reply string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(reply, p) {
			t.Errorf("%s: reply lacks %q:\n%s", what, p, reply)
		}
	}
}

// codesIn returns the receipt codes a reply shows, in order: the words of
// nine characters that read as a code.
func codesIn(reply string) []string {
	var codes []string
	words := strings.FieldsFunc(reply, func(r rune) bool {
		return r != '-' && (r > unicode.MaxASCII || !unicode.IsLetter(r) && !unicode.IsDigit(r))
	})
	for _, word := range words {
		if c, ok := parse.NormalizeCode(word); ok && len(word) == len("XXXX-XXXX") {
			codes = append(codes, c)
		}
	}
	return codes
}

// codeIn returns the first receipt code of a reply.
func codeIn(t *testing.T, reply string) string {
	t.Helper()
	codes := codesIn(reply)
	if len(codes) == 0 {
		t.Fatalf("no receipt code in reply:\n%s", reply)
	}
	return codes[0]
}

// opinion reads an opinion back from the store.
func (w *world) opinion(code string) bot.Opinion {
	w.t.Helper()
	var o bot.Opinion
	err := w.db.Update(w.t.Context(), func(tx bot.Tx) error {
		var err error
		o, err = tx.OpinionByCode(w.t.Context(), code)
		return err
	})
	if err != nil {
		w.t.Fatalf("opinion %s: %v", code, err)
	}
	return o
}

func (w *world) count(table string) int {
	w.t.Helper()
	var n int
	if err := w.db.SQL().Get(&n, `SELECT COUNT(*) FROM `+table); err != nil {
		w.t.Fatal(err)
	}
	return n
}

func TestIntake(t *testing.T) {
	w := newWorld(t)
	for _, c := range []struct {
		name, text string
		category   bot.Category
		want       []string
	}{
		{"with a prefix", "建议：食堂饭菜太咸了，孩子们都吃不下，希望调整一下口味", "logistics", []string{"已收到", "后勤保障", "回执码", "学校看不到是谁反映的"}},
		{"without a prefix", "娃的作业太多了每天写到十一点还写不完", "teaching", []string{"已收到", "教育教学"}},
		{"about the leadership", "校长一学期都没来过我们完小", bot.CatLeadership, []string{"已收到", "领导班子"}},
	} {
		r := w.say("oParent"+c.name, c.text)
		expect(t, c.name, r, c.want...)
		o := w.opinion(codeIn(t, r))
		if o.Category != c.category || !o.Anonymous || o.Status != bot.StatusReceived || o.SchoolID != w.school.ID || !o.Created.Equal(w.clock()) {
			t.Errorf("%s: filed %+v; want an anonymous %s opinion received now", c.name, o, c.category)
		}
	}

	// The same text again the same day is the same opinion.
	first := w.say("oParentA", "宿舍晚上没有热水孩子冬天只能用冷水洗脸")
	code := codeIn(t, first)
	before := w.count("opinions")
	expect(t, "repeat", w.say("oParentA", "宿舍晚上没有热水，孩子冬天只能用冷水洗脸！"), "已经收到过", code)
	// A retry of one delivery changes nothing and gets the same reply.
	in := bot.Inbound{OpenID: "oParentB", MsgID: 424242, Kind: bot.KindText, Text: "校服质量太差洗两次就起球了"}
	once, again := w.send(in), w.send(in)
	if again.Reply.Text != once.Reply.Text || again.Duplicate == "" || once.Duplicate != "" {
		t.Errorf("retry: %+v after %+v; want the same reply, marked duplicate", again, once)
	}
	if n := w.count("opinions"); n != before+1 {
		t.Errorf("%d opinions after a repeat and a retry, want %d", n, before+1)
	}
	// Nothing of the sender is in the opinion: the receipt is the only
	// link, sealed.
	var leaks int
	if err := w.db.SQL().Get(&leaks, `SELECT COUNT(*) FROM opinions WHERE text LIKE '%oParent%' OR text_hash LIKE '%oParent%'`); err != nil || leaks != 0 {
		t.Errorf("opinions naming the sender: %d, %v", leaks, err)
	}
	var sealed []byte
	if err := w.db.SQL().Get(&sealed, `SELECT r.sealed_openid FROM receipts r JOIN opinions o ON o.id = r.opinion_id WHERE o.code = ?`, code); err != nil || strings.Contains(string(sealed), "oParentA") {
		t.Errorf("receipt: %q, %v; want the openid sealed", sealed, err)
	}
}

func TestLedger(t *testing.T) {
	w := newWorld(t)
	texts := []string{
		"食堂饭菜太咸了孩子回家一直喝水", "厕所太臭了而且一直没有纸", "我们班教室的空调坏了两个星期了没人来修",
		"校服质量太差洗两次就起球了", "娃的作业太多了每天写到十一点还写不完", "校门口早上接送的车太多了太危险了希望学校安排人疏导一下",
		"数学老师上课总是拖堂下课了还不让走",
	}
	var codes []string
	for i, text := range texts {
		codes = append(codes, codeIn(t, w.say(fmt.Sprintf("oParent%d", i), text)))
		w.advance(time.Minute)
	}
	leadership := codeIn(t, w.say("oParentL", "副校长天天开公车接送自己孩子"))

	expect(t, "a teacher", w.say("oTeacher", "台帐"), "只对本校领导开放")
	page1 := w.say("oPrincipal", "台帐")
	expect(t, "page 1", page1, "待办 7 条", "第1/2页", "台帐 2")
	if got := codesIn(page1); strings.Join(got, " ") != strings.Join(codes[:5], " ") {
		t.Errorf("page 1 lists %v, want the oldest five %v", got, codes[:5])
	}
	page2 := w.say("oPrincipal", "台帐 2")
	expect(t, "page 2", page2, "6. ", "7. ", "第2/2页")
	if got := codesIn(page2); strings.Join(got, " ") != strings.Join(codes[5:], " ") {
		t.Errorf("page 2 lists %v, want %v", got, codes[5:])
	}
	expect(t, "past the end", w.say("oPrincipal", "台帐 3"), "没有第3页，一共2页")
	// The leadership opinion goes to the discipline inspector only.
	if strings.Contains(page1+page2, leadership) {
		t.Errorf("the principal sees the opinion about the leadership %s", leadership)
	}
	supervised := w.say("oDiscipline", "台帐")
	expect(t, "supervisor", supervised, "待办 1 条", leadership)

	// Assigned and overdue: first, with the unit's name.
	last := codes[6]
	expect(t, "assign", w.say("oPrincipal", "交办 "+last+" 教务处 2天"), "已把回执码 "+last+" 交办给教务处")
	w.advance(7 * 24 * time.Hour)
	page1 = w.say("oPrincipal", "台帐")
	expect(t, "overdue", page1, "1. "+last, "→教务处", "已逾期")

	// What 台帐 costs the database, once the school catalog is warm: the
	// sender, the page (with its count and units' names) and the processed
	// record.
	before := w.db.Statements()
	w.say("oPrincipal", "台帐 2")
	n := w.db.Statements() - before
	t.Logf("台帐 2: %d statements", n)
	if n > 3 {
		t.Errorf("台帐 ran %d statements, want at most 3 (sender, ledger page, processed record)", n)
	}
}

func TestFollowup(t *testing.T) {
	w := newWorld(t)
	salty := codeIn(t, w.say("oParentA", "食堂饭菜太咸了孩子回家一直喝水"))
	noisy := codeIn(t, w.say("oParentA", "宿舍晚上没有热水孩子冬天只能用冷水洗脸"))

	expect(t, "query", w.say("oStranger", "查询 "+salty), salty, "待受理")
	expect(t, "withdraw by another", w.say("oParentB", "撤回 "+noisy), "没有在您提交的意见中找到")
	expect(t, "withdraw", w.say("oParentA", "撤回 "+noisy), "已撤回回执码 "+noisy)
	if o := w.opinion(noisy); o.Status != bot.StatusWithdrawn {
		t.Errorf("withdrawn opinion is %s", o.Status)
	}

	expect(t, "answer before assigning", w.say("oPrincipal", "答复 "+salty+" 已安排食堂调整口味"), "还没有交办")
	w.say("oPrincipal", "交办 "+salty+" 总务处 3天")
	expect(t, "withdraw too late", w.say("oParentA", "撤回 "+salty), "不能撤回")
	w.advance(time.Hour)
	expect(t, "answer", w.say("oPrincipal", "答复 "+salty+" 已安排食堂调整口味，下周一起执行"), "已答复", "正在把答复推送给反映人")
	pushed := w.notes.to("oParentA")
	if len(pushed) != 1 || !strings.Contains(pushed[0], "已安排食堂调整口味") || !strings.Contains(pushed[0], salty) {
		t.Fatalf("pushed to the sender: %q; want the answer", pushed)
	}
	expect(t, "rate", w.say("oParentA", "满意"), "谢谢您的评价")
	o := w.opinion(salty)
	if o.Status != bot.StatusAnswered || o.Rating != "satisfied" || !o.RatedAt.Equal(w.clock()) {
		t.Errorf("rated opinion %+v; want answered, satisfied, rated now", o)
	}
	expect(t, "query after", w.say("oStranger", "查询 "+salty), "学校答复：已安排食堂调整口味", "评价：满意")
	var kinds []string
	if err := w.db.SQL().Select(&kinds, `SELECT e.kind FROM opinion_events e JOIN opinions o ON o.id = e.opinion_id WHERE o.code = ? ORDER BY e.id`, salty); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(kinds, " "); got != "received assigned answered pushed rated" {
		t.Errorf("events %q, want received assigned answered pushed rated", got)
	}
}

// job returns the engine's scheduled job of the given name.
func (w *world) job(name string) chat.Job {
	w.t.Helper()
	for _, j := range w.bot.Jobs() {
		if j.Name == name {
			return j
		}
	}
	w.t.Fatalf("no job %s", name)
	return chat.Job{}
}

// The 我要建议 flow: parts gathered over several messages, submitted on
// 提交, or by the scheduled job after two minutes of silence.
func TestDraftFlow(t *testing.T) {
	w := newWorld(t)
	click := func(openid string) string {
		return w.send(bot.Inbound{OpenID: openid, Kind: bot.KindEvent, Event: bot.EventClick, EventKey: "OPINION"}).Reply.Text
	}
	expect(t, "start", click("oParentA"), "分几条发送", "提交")
	expect(t, "part 1", w.say("oParentA", "学校厕所太脏了"), "第1段")
	expect(t, "part 2", w.say("oParentA", "而且冲水坏了好几天都没人修"), "第2段", "冲水")
	r := w.say("oParentA", "提交")
	expect(t, "submit", r, "已提交以下内容", "厕所", "冲水", "回执码")
	if o := w.opinion(codeIn(t, r)); o.Source != bot.SourceMenu || !strings.Contains(o.Text, "冲水") {
		t.Errorf("submitted %+v; want the menu's opinion with both parts", o)
	}

	expect(t, "start again", click("oParentB"), "分几条发送")
	expect(t, "one part", w.say("oParentB", "操场的跑道裂开了好几处，孩子跑步容易摔倒"), "第1段")
	before := w.count("opinions")
	submit := w.job("submit_drafts")
	w.advance(time.Minute)
	if err := submit.Run(t.Context(), w.clock()); err != nil {
		t.Fatal(err)
	}
	if n := w.count("opinions"); n != before {
		t.Fatalf("a draft was submitted after a minute of silence (%d opinions, want %d)", n, before)
	}
	w.advance(2 * time.Minute)
	if err := submit.Run(t.Context(), w.clock()); err != nil {
		t.Fatal(err)
	}
	if n := w.count("opinions"); n != before+1 {
		t.Fatalf("%d opinions after the silence, want %d", n, before+1)
	}
	pushed := w.notes.to("oParentB")
	if len(pushed) != 1 || !strings.Contains(pushed[0], "已自动提交") || !strings.Contains(pushed[0], "跑道") {
		t.Errorf("pushed to the sender: %q; want the automatic submission", pushed)
	}
	expect(t, "after the submission", w.say("oParentB", "提交"), "没有正在填写的建议")
}
