package main

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"minqing/storage"
	"minqing/storage/storagetest"
)

var receiptCode = regexp.MustCompile(`[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}`)

// codeIn returns the receipt code in a reply.
func codeIn(t *testing.T, reply string) string {
	t.Helper()
	c := receiptCode.FindString(reply)
	if c == "" {
		t.Fatalf("no receipt code in reply:\n%s", reply)
	}
	return c
}

// waitPushed waits for the fake WeChat API to record a message to openid
// containing want.
func (w *world) waitPushed(t *testing.T, openid, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, m := range w.fake.SentTo(openid, 0) {
			if strings.Contains(m.Text, want) {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no message containing %q was pushed to %s; sent: %+v", want, openid, w.fake.SentTo(openid, 0))
}

// bound returns a chat user bound as the named staff member of the
// world's school. The school's bind codes are issued on first use.
func (w *world) bound(t *testing.T, name, openid string) *person {
	t.Helper()
	if w.codes == nil {
		w.codes = w.bindCodes(t, w.school)
	}
	p := w.as(t, openid)
	expect(t, name+" binds", p.say("绑定 "+w.codes[name]), "绑定成功")
	return p
}

func opinionStatus(t *testing.T, db *storage.DB, code string) (status, category string) {
	t.Helper()
	var row struct {
		Status   string `db:"status"`
		Category string `db:"category"`
	}
	if err := db.SQL().Get(&row, `SELECT status, category FROM opinions WHERE code = ?`, code); err != nil {
		t.Fatal(err)
	}
	return row.Status, row.Category
}

// TestOpinionLedgerChat is the life of opinions through chat, on both
// backends.
func TestOpinionLedgerChat(t *testing.T) {
	onEachBackend(t, func(t *testing.T, w *world) {
		principal := w.bound(t, "范小平", "oPrincipal")
		discipline := w.bound(t, "李建国", "oDiscipline")
		teacher := w.bound(t, "王丽", "oTeacher")
		parent := w.as(t, "oParentA")
		w.fake.SetWindow(48 * time.Hour)
		w.fake.Touch("oParentA", time.Now())

		// With a prefix.
		r := parent.say("建议：食堂饭菜太咸了，孩子们都吃不下，希望调整一下口味")
		expect(t, "prefix", r, "已收到", "后勤保障", "回执码", "数据库和备份里没有您的身份", "最多7天", "隐私")
		salty := codeIn(t, r)
		// Without a prefix.
		r = parent.say("娃的作业太多了每天写到十一点还写不完")
		expect(t, "no prefix", r, "已收到", "教育教学")
		homework := codeIn(t, r)
		// The same text again the same day is not filed twice.
		expect(t, "repeat", parent.say("娃的作业太多了，每天写到十一点还写不完！"), "已经收到过", homework)
		// Voice, as WeChat recognised it.
		r = w.as(t, "oParentB").voice("校门口早上接送的车太多了太危险了希望学校安排人疏导一下。")
		expect(t, "voice", r, "已收到", "安全")
		voice := codeIn(t, r)
		if _, cat := opinionStatus(t, w.db, voice); cat != "safety" {
			t.Errorf("voice category = %s", cat)
		}
		// Category correction right after.
		r = parent.say("娃的数学老师上课总是拖堂，下课了还不让走")
		drag := codeIn(t, r)
		expect(t, "recategorize", parent.say("改为 师德师风"), "师德师风", drag)
		if _, cat := opinionStatus(t, w.db, drag); cat != "ethics" {
			t.Errorf("category after 改为 = %s, want ethics", cat)
		}
		// An unclear message is not filed silently.
		before := storagetest.CountRows(t, w.db, "opinions")
		r = parent.say("孩子今天没带午饭")
		if storagetest.CountRows(t, w.db, "opinions") != before {
			t.Errorf("an unclear message was filed: %s", r)
		}
		// Greeting: not an opinion.
		expect(t, "greeting", parent.say("你好"), "帮助")

		// The menu flow: several messages, then 提交.
		r = parent.event("CLICK", "OPINION")
		expect(t, "menu start", r, "分几条发送", "提交")
		expect(t, "part 1", parent.say("学校厕所太脏了"), "第1段")
		r = parent.voice("而且冲水坏了好几天都没人修。")
		expect(t, "part 2", r, "第2段")
		expectNot(t, "part 2", r, "冲水") // a count, not an echo
		r = parent.say("提交")
		expect(t, "submit", r, "已提交您的建议", "共2段", "回执码")
		toilet := codeIn(t, r)
		var toiletText string
		if err := w.db.SQL().Get(&toiletText, `SELECT text FROM opinions WHERE code = ?`, toilet); err != nil || !strings.Contains(toiletText, "厕所") || !strings.Contains(toiletText, "冲水") {
			t.Errorf("draft text = %q, %v", toiletText, err)
		}
		// The full privacy statement.
		expect(t, "privacy", parent.say("隐私"), "数据库", "最多保存7天", "控制正在运行的服务器")

		// Query by anyone with the code.
		expect(t, "query", w.as(t, "oStranger").say("查询 "+strings.ToLower(strings.ReplaceAll(salty, "-", ""))), salty, "待受理")

		// Non-leaders are refused the ledger.
		expect(t, "parent assigns", parent.say("交办 "+salty+" 总务处 3天"), "只对本校领导开放")
		expect(t, "teacher assigns", teacher.say("交办 "+salty+" 总务处 3天"), "只对本校领导开放")

		// The leader works the ledger.
		expect(t, "ledger", principal.say("台帐"), "待办", salty, homework, toilet)
		expect(t, "detail", principal.say("详情 "+salty), "食堂饭菜太咸了", "待受理", "办理记录")
		expect(t, "answer before assign", principal.say("答复 "+salty+" 已调整"), "请先交办")
		expect(t, "assign unknown unit", principal.say("交办 "+salty+" 食堂部 3天"), "没有找到", "总务处")
		expect(t, "assign", principal.say("交办 "+salty+" 总务处 3天"), "交办给总务处", "3个工作日")
		expect(t, "processing", principal.say("办理中 "+salty), "办理中")
		expect(t, "answer", principal.say("答复 "+salty+" 已要求食堂减少用盐，下周一起执行"), "已答复", "推送")
		w.waitPushed(t, "oParentA", "已要求食堂减少用盐")
		// Satisfaction, without a code: the latest answered opinion.
		expect(t, "rating", parent.say("满意"), "谢谢您的评价")
		var rating string
		if err := w.db.SQL().Get(&rating, `SELECT rating FROM opinions WHERE code = ?`, salty); err != nil || rating != "satisfied" {
			t.Errorf("rating = %q, %v", rating, err)
		}
		expect(t, "close", principal.say("办结 "+salty), "已办结")
		expect(t, "illegal", principal.say("交办 "+salty+" 总务处"), "不能直接改为")
		expect(t, "query closed", parent.say("查询 "+salty), "已办结", "已要求食堂减少用盐", "满意")

		// Withdraw: allowed before it is assigned, not after.
		expect(t, "withdraw", parent.say("撤回 "+toilet), "已撤回")
		expect(t, "withdraw again", parent.say("撤回 "+toilet), "不能撤回")
		expect(t, "withdraw someone else's", w.as(t, "oStranger").say("撤回 "+homework), "没有在您最近提交的意见中找到")
		expect(t, "withdraw assigned", func() string {
			principal.say("交办 " + homework + " 教务处 2天")
			return parent.say("撤回 " + homework)
		}(), "不能撤回")

		// Outside the 48-hour window the answer waits for 查询.
		late := w.as(t, "oParentLate")
		lateCode := codeIn(t, late.say("建议学校把运动会的时间提前通知家长，好请假"))
		w.fake.SetWindow(time.Hour)
		w.fake.Touch("oParentLate", time.Now().Add(-50*time.Hour))
		principal.say("交办 " + lateCode + " 政教处")
		expect(t, "answer late", principal.say("答复 "+lateCode+" 以后会提前两周通知"), "已答复")
		time.Sleep(300 * time.Millisecond)
		if sent := w.fake.SentTo("oParentLate", 0); len(sent) != 0 {
			t.Errorf("pushed outside the window: %+v", sent)
		}
		expect(t, "pulled", late.say("查询 "+lateCode), "以后会提前两周通知", "满意吗")
		expect(t, "unsatisfied", late.say("不满意 "+lateCode), "不满意")

		// Reject with a reason; merge a duplicate.
		dup := codeIn(t, w.as(t, "oParentC").say("食堂的菜太咸了"))
		expect(t, "merge", principal.say("合并 "+dup+" 到 "+voice), "合并到")
		rej := codeIn(t, w.as(t, "oParentD").say("希望学校给每个教室装电视看球赛"))
		expect(t, "reject", principal.say("不予受理 "+rej+" 与教学无关"), "不予受理")

		// Opinions about the leadership go to the discipline member,
		// not to the principal.
		lead := codeIn(t, w.as(t, "oParentE").say("校长经常开会迟到，作风拖拉"))
		if _, cat := opinionStatus(t, w.db, lead); cat != "leadership" {
			t.Fatalf("leadership opinion categorised %s", cat)
		}
		expectNot(t, "principal ledger", principal.say("台帐"), lead)
		expect(t, "principal detail", principal.say("详情 "+lead), "纪检委员")
		expect(t, "discipline ledger", discipline.say("台帐"), lead)
		expect(t, "discipline assigns", discipline.say("交办 "+lead+" 党支部 5天"), "交办给党支部")
	})
}
