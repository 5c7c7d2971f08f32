package main

import (
	"strings"
	"testing"
	"time"

	"minqing/storage/storagetest"
)

// TestImportStaffEndToEnd imports the messy files on both backends, and
// again to check that a re-import updates rather than duplicates.
func TestImportStaffEndToEnd(t *testing.T) {
	onEachBackend(t, func(t *testing.T, w *world) {
		if n := storagetest.CountRows(t, w.db, "people"); n != 16 {
			t.Errorf("%d people, want 16", n)
		}
		// The same staff as GBK CSV: nothing new.
		out := w.admin(t, "import", "staff", testdata("staff_messy.csv"), "--school", testSchool)
		expect(t, "re-import", out, "新增 0 人", "更新 0 人", "无变化 16 人", "第20行", "第21行", "第22行")
		if n := storagetest.CountRows(t, w.db, "people"); n != 16 {
			t.Errorf("%d people after re-import, want 16", n)
		}
		// Students, into the classes the staff file created.
		out = w.admin(t, "import", "students", testdata("students.xlsx"), "--school", testSchool)
		expect(t, "students", out, "新增 19 人", "未导入 1 行")
		if n := storagetest.CountRows(t, w.db, "students"); n != 19 {
			t.Errorf("%d students, want 19", n)
		}
		// Roles came from the titles.
		var roles string
		if err := w.db.SQL().Get(&roles, `SELECT roles FROM people WHERE name = ?`, "吴敏华"); err != nil {
			t.Fatal(err)
		}
		expect(t, "secretary roles", roles, "party_secretary", "school_leader")
		if out := w.admin(t, "schools"); !strings.Contains(out, testSchool) {
			t.Errorf("schools: %s", out)
		}
	})
}

// TestBindingChat drives binding through signed requests to the service:
// bind, wrong, expired and reused codes, lockout, unbind, unsubscribe and
// resubscribe, and the refusal of each role.
func TestBindingChat(t *testing.T) {
	onEachBackend(t, func(t *testing.T, w *world) {
		codes := w.bindCodes(t, testSchool)
		if len(codes) != 16 {
			t.Fatalf("%d bind codes, want 16: %v", len(codes), codes)
		}

		teacher := w.as(t, "oTeacherWangLi")
		expect(t, "wrong code", teacher.say("绑定 ABCDEFGH"), "绑定码不正确", "还可以尝试 4 次")
		expect(t, "bind", teacher.say("绑定 "+strings.ToLower(codes["王丽"])), "绑定成功", "王丽", "教师")
		expect(t, "whoami", teacher.say("我是谁"), testSchool, "王丽", "教师")
		expect(t, "bind twice", teacher.say("绑定 "+codes["张伟"]), "已绑定为", "解绑")

		other := w.as(t, "oSomeoneElse")
		expect(t, "reused code", other.say("绑定 "+codes["王丽"]), "已经使用过")

		// An expired code.
		if _, err := w.db.SQL().Exec(`UPDATE bind_codes SET expires_at = ? WHERE person_id = (SELECT id FROM people WHERE name = ?)`,
			time.Now().Add(-time.Hour).UTC(), "赵敏"); err != nil {
			t.Fatal(err)
		}
		expect(t, "expired code", other.say("绑定 "+codes["赵敏"]), "已过期")

		// Unsubscribe keeps the binding but inactive; subscribing again
		// restores it.
		if r := teacher.event("unsubscribe", ""); r != "" {
			t.Errorf("unsubscribe answered %q", r)
		}
		var active bool
		if err := w.db.SQL().Get(&active, `SELECT active FROM wechat_bindings WHERE openid = ?`, "oTeacherWangLi"); err != nil || active {
			t.Errorf("after unsubscribe active=%v err=%v", active, err)
		}
		expect(t, "resubscribe", teacher.event("subscribe", ""), "欢迎回来", "王丽")
		expect(t, "whoami again", teacher.say("我是谁"), "王丽")

		// Unbind: anonymous again.
		expect(t, "unbind", teacher.say("解绑"), "已解绑")
		expect(t, "whoami unbound", teacher.say("我是谁"), "匿名")
		expect(t, "unbind twice", teacher.say("解绑"), "还没有绑定")

		// An admin resets a binding: a new code works, the old one not.
		out := w.admin(t, "rebind", "--school", testSchool, "王丽")
		expect(t, "rebind", out, "新的绑定码")
		_, after, _ := strings.Cut(out, "新的绑定码：")
		if len(after) < 8 {
			t.Fatalf("no code in %q", out)
		}
		fresh := after[:8]
		expect(t, "bind with the new code", teacher.say("绑定 "+fresh), "绑定成功")

		// Brute force: five wrong codes lock the sender out, even of a
		// right code.
		guesser := w.as(t, "oGuesser")
		for i := range 4 {
			r := guesser.say("绑定 ZZZZZZZ" + string(rune('2'+i)))
			expect(t, "guess", r, "不正确")
		}
		expect(t, "fifth guess", guesser.say("绑定 ZZZZZZZ9"), "尝试次数过多")
		expect(t, "locked out", guesser.say("绑定 "+codes["张伟"]), "尝试次数过多")

		// Refusals, one per role.
		parent := w.as(t, "oParent")
		expect(t, "parent ledger", parent.say("台帐"), "只对本校领导开放", "绑定")
		expect(t, "parent study", parent.say("学习 2小时 《论群众路线》"), "只对本校教职工开放")
		expect(t, "teacher ledger", teacher.say("台帐"), "只对本校领导开放", "管理员")
		expect(t, "teacher digest", teacher.say("周报"), "周报只对学校领导开放")
		expect(t, "teacher observation", teacher.say("听课 初二(3)班 语文 李老师 课堂气氛活跃"), "只对学校领导开放")

		// binds binds openid as the named staff member; the reply says
		// so, and names what they are.
		binds := func(what, openid, name string, want ...string) *person {
			t.Helper()
			p := w.as(t, openid)
			expect(t, what+" binds", p.say("绑定 "+codes[name]), append([]string{"绑定成功"}, want...)...)
			return p
		}
		guard := binds("guard", "oGuard", "马强")
		expect(t, "guard study", guard.say("学习 1小时 党章"), "没有打卡权限")
		principal := binds("principal", "oPrincipal", "范小平", "校级领导")
		expect(t, "principal ledger", principal.say("台帐"), "没有待办")
		discipline := binds("discipline", "oDiscipline", "李建国", "纪检委员")
		// The discipline member supervises the leadership opinions: their digest
		// has those (bot/chat/digest_test.go checks the routing).
		expect(t, "discipline digest", discipline.say("周报"), "周周报", "/digest?")
		expect(t, "discipline observation", discipline.say("听课 初二(3)班 语文 李老师 课堂气氛活跃"), "只对学校领导开放")
		expect(t, "discipline ledger", discipline.say("台帐"), "没有待办")

		middle := binds("middle leader", "oMiddle", "周文", "中层干部")
		expect(t, "middle leader ledger", middle.say("台帐"), "没有待办")
		it := binds("admin", "oAdmin", "邓超", "管理员")
		expect(t, "admin ledger", it.say("台帐"), "只对本校领导开放")

		if strings.Contains(w.Logs.String(), "oTeacherWangLi") || strings.Contains(w.Logs.String(), "王丽") {
			t.Errorf("the log names a user")
		}
	})
}
