package main

import (
	"strings"
	"testing"

	"minqing/storage/storagetest"
)

// TestNewcomerSchoolPicker: in a bureau with two schools the picker takes
// a full-width number, keeps the complaint that came while it asked and
// files it once the school is chosen, lets other commands through, and
// 取消 leaves it. A draft opened after choosing lets commands through too.
func TestNewcomerSchoolPicker(t *testing.T) {
	onEachBackend(t, func(t *testing.T, w *world) {
		second := "楚雄市大地基乡中心小学"
		w.admin(t, "import", "staff", testdata("staff_messy.csv"), "--school", second, "--new", "--bureau", "楚雄市教育局")

		p := w.as(t, "oPickerParent")
		expect(t, "asks", p.say("你们学校的校车太挤了"), "请先选择", second)
		// A complaint while asked: kept, not refused.
		r := p.say("投诉：食堂饭菜太咸了，希望改进")
		expect(t, "complaint kept", r, "已记下", "不用重发", second)
		expectNot(t, "complaint kept", r, "没有找到这所学校")
		// Another command passes through; the question stays.
		r = p.say("查询 K7M2-9QXD")
		expect(t, "query passes", r, "没有找到回执码 K7M2-9QXD")
		expectNot(t, "query passes", r, "没有找到这所学校")
		r = p.say("撤回 K7M2-9QXD")
		expectNot(t, "withdraw passes", r, "没有找到这所学校")
		if n := storagetest.CountRows(t, w.db, "opinions"); n != 0 {
			t.Fatalf("%d opinions filed before the choice", n)
		}
		// A full-width number chooses; the complaint is filed there.
		r = p.say("２")
		expect(t, "chosen", r, "已选择"+second, "已收到", "回执码")
		var text, school string
		if err := w.db.SQL().QueryRow(`SELECT o.text, u.name FROM opinions o JOIN org_units u ON u.id = o.school_id`).Scan(&text, &school); err != nil {
			t.Fatal(err)
		}
		if school != second || !strings.Contains(text, "食堂饭菜太咸") {
			t.Errorf("filed %q at %s", text, school)
		}

		// 取消 leaves the picker and files nothing.
		q := w.as(t, "oPickerCancel")
		expect(t, "asks", q.say("建议学校多开展课外活动"), "请先选择")
		expect(t, "cancel", q.say("取消"), "已取消选择学校")
		expect(t, "after cancel", q.say("你好"), "您好")
		if n := storagetest.CountRows(t, w.db, "opinions"); n != 1 {
			t.Errorf("%d opinions after 取消, want 1", n)
		}

		// A bare 建议 after choosing opens a draft; commands pass it.
		d := w.as(t, "oPickerDraft")
		expect(t, "draft asks", d.say("建议"), "请先选择")
		expect(t, "draft chosen", d.say("第1个"), "分几条发送")
		expect(t, "part", d.say("学校门口放学时太堵了"), "第1段")
		r = d.say("查询")
		expect(t, "query in a draft", r, "没有找到您最近反映的意见")
		expectNot(t, "query in a draft", r, "第2段")
		expect(t, "part 2", d.say("希望安排老师疏导交通"), "第2段", "共20字")
		expect(t, "submit", d.say("提交"), "回执码")
		if err := w.db.SQL().Get(&text, `SELECT text FROM opinions WHERE text LIKE '%疏导%'`); err != nil || strings.Contains(text, "查询") {
			t.Errorf("draft text %q, %v", text, err)
		}
	})
}

// TestNewcomerSmallTalk: greetings, thanks, questions, emoji, English and
// fragments get a short friendly answer; a parent's statement the parser
// cannot place is offered as an opinion with one tap. Nobody gets only
// 看不懂.
func TestNewcomerSmallTalk(t *testing.T) {
	onEachBackend(t, func(t *testing.T, w *world) {
		p := w.as(t, "oTalkParent")
		for _, c := range []struct {
			say  string
			want []string
		}{
			{"你好", []string{"您好", "匿名", "帮助"}},
			{"在吗", []string{"您好"}},
			{"谢谢", []string{"不客气"}},
			{"您好，请问怎么反映问题？", []string{"直接把想说的写下来"}},
			{"😊👍", []string{"表情"}},
			{"hello, is anyone there?", []string{"中文"}},
			{"食堂", []string{"“食堂”", "多写几句"}},
			{"我想问一下期末考试什么时候", []string{"回复“是”提交为意见", "期末考试"}},
		} {
			r := p.say(c.say)
			expect(t, c.say, r, c.want...)
			expectNot(t, c.say, r, "看不懂。发送")
		}
		if n := storagetest.CountRows(t, w.db, "opinions"); n != 0 {
			t.Errorf("small talk filed %d opinions", n)
		}
		// One tap files the offered statement.
		expect(t, "offer", p.say("老师暗示家长送购物卡"), "回复“是”提交为意见")
		r := p.say("是")
		expect(t, "filed", r, "已收到", "回执码")
		var text string
		if err := w.db.SQL().Get(&text, `SELECT text FROM opinions`); err != nil || text != "老师暗示家长送购物卡" {
			t.Errorf("filed %q, %v", text, err)
		}
		// Staff get the staff version.
		teacher := w.bound(t, "张伟", "oTalkTeacher")
		expect(t, "staff greeting", teacher.say("老师好！"), "您好", "教职工")
	})
}

// TestNewcomerSmallerItems: 一周 is five school days; 办结 while 办理中
// says to answer first; 详情 and 查询 without a code list the sender's
// own opinions; the administrator is not sent to the administrator; the
// receipt fits a phone and does not suggest the category it already has.
func TestNewcomerSmallerItems(t *testing.T) {
	w := newWorld(t, backends[0])
	leader := w.bound(t, "范小平", "oSmallLeader")
	admin := w.bound(t, "邓超", "oSmallAdmin")
	parent := w.as(t, "oSmallParent")

	r := parent.say("建议：有的老师收家长的购物卡，师德师风问题希望学校查一查")
	if lines := strings.Count(r, "\n") + 1; lines > 5 {
		t.Errorf("receipt has %d lines:\n%s", lines, r)
	}
	expect(t, "receipt", r, "师德师风", "回执码", "查询 ")
	expectNot(t, "receipt", r, "改为 师德师风")
	code := codeIn(t, r)

	for _, ask := range []string{"详情", "查询"} {
		expect(t, ask+" without a code", parent.say(ask), "您最近反映的意见", code, "更早的意见")
	}

	expect(t, "a week", leader.say("交办 "+code+" 党支部 一周"), "5个工作日")
	expect(t, "processing", leader.say("办理中 "+code), "办理中")
	r = leader.say("办结 " + code)
	expect(t, "close before the answer", r, "还没有答复", "答复 "+code)

	r = admin.say("台帐")
	expect(t, "admin persona", r, "您是管理员", "minqing import staff")
	expectNot(t, "admin persona", r, "联系学校管理员")
}
