package chat_test

import (
	"testing"
	"time"

	"minqing/bot"
)

// visitRoster adds a class 三(2)班 with two students, taught by 王老师
// (a class teacher), and a middle leader bound as oMiddle.
func (w *world) visitRoster() {
	w.t.Helper()
	ctx := w.t.Context()
	err := w.db.Update(ctx, func(tx bot.Tx) error {
		class, err := tx.CreateUnit(ctx, bot.OrgUnit{ParentID: w.school.ID, SchoolID: w.school.ID, Kind: bot.UnitClass, Name: "三(2)班"})
		if err != nil {
			return err
		}
		for _, n := range []string{"张小明", "王浩"} {
			if _, err := tx.CreateStudent(ctx, bot.Student{SchoolID: w.school.ID, ClassID: class.ID, Name: n, Active: true}); err != nil {
				return err
			}
		}
		staff, err := tx.Staff(ctx, w.school.ID, false)
		if err != nil {
			return err
		}
		for _, p := range staff {
			if p.Name == "王老师" {
				p.Title = "班主任"
				if err := tx.UpdatePerson(ctx, p); err != nil {
					return err
				}
				if err := tx.SetPersonUnits(ctx, p.ID, []int64{class.ID}); err != nil {
					return err
				}
			}
		}
		m, err := tx.CreatePerson(ctx, bot.Person{SchoolID: w.school.ID, Name: "周主任", Title: "教务处主任", Roles: []bot.Role{bot.RoleTeacher, bot.RoleMiddleLeader}, Active: true})
		if err != nil {
			return err
		}
		return tx.PutBinding(ctx, bot.Binding{PersonID: m.ID, OpenID: "oMiddle", Active: true, BoundAt: start})
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// TestVisitPeriods: weeks, months and semesters on a fixed clock: the
// week's count starts again on Monday, the month's on the 1st, and in the
// holidays "this semester" is the one that ended.
func TestVisitPeriods(t *testing.T) {
	w := newWorld(t)
	w.visitRoster()
	// Monday 23 November 2026.
	expect(t, "visit", w.say("oTeacher", "家访 三年级二班 王浩 上门 家长说孩子挑食"), "已记录家访", "11月23日", "本周已家访 1 次")
	expect(t, "progress", w.say("oTeacher", "我的家访"), "本周（11月23日—11月29日）家访 1 次", "已完成", "本学期（2026-秋）共家访 1 次", "三(2)班：1/2")
	// Sunday night is still the same week; Monday is a new one.
	w.advance(6*24*time.Hour + 14*time.Hour) // Sunday 29 Nov, 23:00
	expect(t, "sunday", w.say("oTeacher", "这周家访了几次"), "家访 1 次")
	w.advance(2 * time.Hour) // Monday 30 Nov, 01:00
	expect(t, "next week", w.say("oTeacher", "这周家访了几次"), "本周（11月30日—12月6日）家访 0 次", "还差 1 次", "共家访 1 次", "三(2)班：1/2")
	expect(t, "unvisited", w.say("oTeacher", "未家访"), "三(2)班（1人）：张小明")
	// A visit dated last week does not count for this one.
	expect(t, "dated", w.say("oTeacher", "11月24日 家访 三(2)班 张小明 电话"), "11月24日", "本周已家访 0 次")
	expect(t, "all visited", w.say("oTeacher", "未家访"), "都已家访过")
	// A grade alone: the pupil is found in the school.
	expect(t, "grade only", w.say("oTeacher", "家访 三年级 王浩 电话"), "已记录家访：三(2)班 王浩")

	// The middle leader's month: 30 November, then 1 December.
	expect(t, "november", w.say("oMiddle", "推门听课 三(2)班 数学"), "本学期（2026-秋）听课 1 节（目标 40 节），本月 1 节（目标 10 节）")
	w.advance(24 * time.Hour) // Tuesday 1 December
	expect(t, "december", w.say("oMiddle", "听课 三(2)班 语文 王老师"), "王老师", "听课 2 节（目标 40 节），本月 1 节（目标 10 节）")
	// The school leader's week.
	expect(t, "principal", w.say("oPrincipal", "我的听课"), "本周听课 0 节（目标 1 节），谈心 0 次（目标 1 次）")

	// In the winter holidays, this semester is the autumn that ended.
	w.advance(70 * 24 * time.Hour) // 9 February 2027
	expect(t, "holidays", w.say("oTeacher", "我的家访"), "本周", "家访 0 次", "本学期（2026-秋）共家访 3 次", "三(2)班：2/2")
	// A teacher may not observe; a parent may not log a visit.
	expect(t, "teacher observes", w.say("oTeacher", "听课 三(2)班 语文 王老师"), "只对学校领导开放")
	expect(t, "parent visits", w.say("oParent", "家访 三(2)班 王浩 上门"), "绑定")
	expect(t, "parent to ledger", w.say("oParent", "转台帐"), "绑定")
	if n := w.count("visits"); n != 3 {
		t.Errorf("%d visits, want 3", n)
	}
}

// TestVisitStatements: what a visit log, 我的家访, an observation and
// 我的听课 cost the database once the school catalog is warm.
func TestVisitStatements(t *testing.T) {
	w := newWorld(t)
	w.visitRoster()
	w.say("oTeacher", "我的家访") // warms the catalog (units, settings)
	w.say("oMiddle", "我的听课")
	for _, c := range []struct {
		who, text string
		max       int
	}{
		// sender, the sender's units, the pupils of that name, the visit, the week's visits, processed
		{"oTeacher", "家访 三(2)班 王浩 上门 家长说孩子挑食", 6},
		// sender, visits of the semester, the sender's units, coverage (2), processed
		{"oTeacher", "我的家访", 6},
		// sender, the leader's units, staff, the observation, observations and talks, the leader's units, processed
		{"oMiddle", "听课 三(2)班 语文 王老师 板书清楚", 8},
		// sender, observations and talks, the leader's units, processed
		{"oMiddle", "我的听课", 5},
	} {
		before := w.db.Statements()
		w.say(c.who, c.text)
		n := w.db.Statements() - before
		t.Logf("%s: %d statements", c.text, n)
		if n > int64(c.max) {
			t.Errorf("%s ran %d statements, want at most %d", c.text, n, c.max)
		}
	}
}
