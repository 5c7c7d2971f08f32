package chat_test

import (
	"testing"
	"time"
)

// Study check-ins on the engine with a fixed clock: the windows of undo,
// of dates, of semesters, and an essay whose dialog the state store
// forgot. The discipline member counts as a party member (5 hours a week).
func TestStudyWindows(t *testing.T) {
	w := newWorld(t)
	const who = "oDiscipline"
	expect(t, "check-in", w.say(who, "学习 2小时 《党章》"), "已记录：11月23日（周一）学习 2 小时《党章》。本周 2/5 小时，还差 3 小时；本学期笔记 0/20,000 字。")
	expect(t, "too old", w.say(who, "11月1日学习1小时"), "超过 14 天")
	expect(t, "before the semester", w.say(who, "8月30日学习1小时"), "不在本学期（2026-秋，从9月1日开始）")
	expect(t, "last week", w.say(who, "上周五学习1小时"), "已记录：11月20日（周五）学习 1 小时。11月16日那周 1/5 小时，还差 4 小时")

	// Undo only within 24 hours.
	w.advance(25 * time.Hour)
	expect(t, "undo too late", w.say(who, "撤销"), "24 小时内没有可以撤销的学习打卡")
	if n := w.count("study_checkins"); n != 2 {
		t.Errorf("%d check-ins, want 2", n)
	}
	// The same check-in a day later is not a repeat.
	expect(t, "next day", w.say(who, "学习 2小时 《党章》"), "已记录：11月24日（周二）", "本周 4/5 小时，还差 1 小时")

	// An essay whose dialog expired is still submitted from its draft.
	expect(t, "essay", w.say(who, "心得"), "请发送心得体会全文")
	expect(t, "essay text", w.say(who, "学习体会\n通过学习，我认识到为人民服务要落实到每一件小事上。"), "已收到第 1 段")
	w.advance(31 * time.Minute)
	expect(t, "submit after the dialog expired", w.say(who, "提交"), "已提交心得《学习体会》，共 23 字", "1/1 篇")

	// A teacher without a party role has no target.
	expect(t, "no target", w.say("oTeacher", "学习1小时"), "本周累计 1 小时")

	// In the holidays nothing is recorded.
	w.advance(80 * 24 * time.Hour) // 13 February 2027
	before := w.count("study_checkins")
	expect(t, "holiday", w.say(who, "学习1小时"), "现在是假期")
	if n := w.count("study_checkins"); n != before {
		t.Errorf("%d check-ins after the holiday one, want %d", n, before)
	}
}
