package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minqing/bot/parse"
	"minqing/storage"
)

// shanghai is the schools' time zone in the tests (the default).
func shanghai(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// studySettings gives the test school a semester around today (so that
// the tests run on any day of the year) and the reminder template.
func (w *world) studySettings(t *testing.T, extra string) {
	t.Helper()
	today := time.Now().In(shanghai(t))
	doc := fmt.Sprintf(`{"semesters":[{"name":"2026-秋","start":%q,"end":%q}],"study":{"reminder_template_id":"tmpl-study"%s}}`,
		today.AddDate(0, 0, -30).Format(time.DateOnly), today.AddDate(0, 0, 90).Format(time.DateOnly), extra)
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	w.admin(t, "settings", "--school", testSchool, "--set", path)
}

func personID(t *testing.T, db *storage.DB, name string) int64 {
	t.Helper()
	var id int64
	if err := db.SQL().Get(&id, `SELECT id FROM people WHERE name = ? ORDER BY id LIMIT 1`, name); err != nil {
		t.Fatal(err)
	}
	return id
}

func md(d time.Time) string { return fmt.Sprintf("%d月%d日", d.Month(), d.Day()) }

// TestStudyCheckinChat walks a teacher through check-ins, questions,
// repeats, undo, progress, essays and excused weeks, on both backends.
func TestStudyCheckinChat(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			w := newWorld(t, b)
			w.studySettings(t, "")
			codes := w.bindCodes(t, testSchool)
			zw := w.bound(t, codes, "张伟", "oZhangWei") // party member: 5 h a week
			hh := w.bound(t, codes, "黄海", "oHuangHai")
			wl := w.bound(t, codes, "王丽", "oWangLi") // no target
			principal := w.bound(t, codes, "范小平", "oPrincipal")
			loc := shanghai(t)
			today := time.Now().In(loc)
			weekday := []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}[today.Weekday()]

			r := zw.say("学习 2小时 《论群众路线》 笔记1500字")
			expect(t, "check-in", r, "已记录："+md(today)+"（"+weekday+"）学习 2 小时，笔记 1,500 字《论群众路线》。",
				"本周 2/5 小时，还差 3 小时；本学期笔记 1,500/20,000 字。")
			// The same again: not counted twice unless confirmed.
			expect(t, "repeat", zw.say("学习 2小时 《论群众路线》 笔记1500字"), "完全相同，没有重复计算")
			expect(t, "repeat no", zw.say("不是"), "没有重复记录")
			if n := countRows(t, w.db, "study_checkins"); n != 1 {
				t.Fatalf("%d check-ins after a repeat, want 1", n)
			}
			// A missing duration is asked for.
			expect(t, "bare", zw.say("学习"), "学了多长时间？")
			expect(t, "answer", zw.say("一个半小时"), "学习 1.5 小时", "本周 3.5/5 小时，还差 1.5 小时")
			// Voice, without punctuation.
			expect(t, "voice", zw.voice("今天学习了四十分钟党章。"), "学习 0.7 小时《党章》", "本周 4.2/5 小时")
			// Implausible values are questioned, not stored.
			before := countRows(t, w.db, "study_checkins")
			expect(t, "13 h", zw.say("学习 13小时"), "超过了 12 小时")
			expect(t, "day total", zw.say("学习 10小时"), "超过一天 12 小时")
			expect(t, "future", zw.say("明天学习1小时"), "还没到")
			old := today.AddDate(0, 0, -20)
			expect(t, "too old", zw.say(md(old)+"学习1小时"), "超过 14 天")
			early := today.AddDate(0, 0, -40)
			expect(t, "before term", zw.say(md(early)+"学习1小时"), "不在本学期")
			expect(t, "too many chars", zw.say("笔记 60000字"), "超过了 50,000 字")
			if n := countRows(t, w.db, "study_checkins"); n != before {
				t.Errorf("%d check-ins after implausible ones, want %d", n, before)
			}
			// Undo the last one.
			expect(t, "undo", zw.say("撤销"), "已撤销："+md(today), "学习 0.7 小时《党章》", "本周 3.5/5 小时")
			if n := countRows(t, w.db, "study_checkins"); n != before-1 {
				t.Errorf("%d check-ins after undo, want %d", n, before-1)
			}
			// Progress.
			r = zw.say("我的学习")
			expect(t, "progress", r, "我的学习（第", "本周：本周 3.5/5 小时，还差 1.5 小时", "学习 2 小时，笔记 1,500 字《论群众路线》",
				"本学期（2026-秋）：学习 3.5 小时，笔记 1,500/20,000 字，心得 0/1 篇", "年：学习 3.5 小时")
			// A teacher without a target is recorded, not measured.
			expect(t, "no target", wl.say("学习 1小时"), "本周累计 1 小时")

			// An essay in several messages.
			expect(t, "essay start", zw.say("心得"), "请发送心得体会全文")
			part1 := "践行群众路线 做人民满意的教师\n" + strings.Repeat("通过学习党的群众路线教育实践活动的有关文件，我深刻认识到群众路线是党的生命线和根本工作路线。", 16)
			part2 := strings.Repeat("作为一名人民教师，今后我将更加主动地家访，倾听家长的意见，把学生的冷暖放在心上。", 8)
			expect(t, "part 1", zw.say(part1), "已收到第 1 段")
			expect(t, "part 2", zw.say(part2), "已收到第 2 段")
			_, body := parse.EssayTitle(part1 + part2)
			chars := parse.EssayChars(body)
			expect(t, "submit", zw.say("提交"), "已提交心得《践行群众路线 做人民满意的教师》，共 "+thousands(chars)+" 字", "本学期已交心得 1/1 篇")
			var stored struct {
				Chars int    `db:"chars"`
				Title string `db:"title"`
			}
			if err := w.db.SQL().Get(&stored, `SELECT chars, title FROM essays ORDER BY id LIMIT 1`); err != nil {
				t.Fatal(err)
			}
			if stored.Chars != chars || stored.Title != "践行群众路线 做人民满意的教师" {
				t.Errorf("stored essay = %+v, want %d characters", stored, chars)
			}
			// 取消 leaves nothing.
			expect(t, "essay 2", zw.say("交心得"), "请发送心得体会全文")
			expect(t, "essay 2 text", zw.say("随便写几句"), "已收到第 1 段")
			expect(t, "essay 2 cancel", zw.say("取消"), "已放弃")
			if n := countRows(t, w.db, "essays"); n != 1 {
				t.Errorf("%d essays after 取消, want 1", n)
			}
			// A copy is flagged for leaders, never shown to the writer.
			r = hh.say("心得体会\n我的学习体会\n" + strings.ReplaceAll(part1[strings.Index(part1, "\n")+1:], "。", "！") + part2)
			expect(t, "copy start", r, "已收到第 1 段")
			r = hh.say("提交")
			expect(t, "copy submit", r, "已提交心得《我的学习体会》")
			expectNot(t, "copy submit", r, "相似", "雷同", "抄", "张伟")
			var flagged int64
			if err := w.db.SQL().Get(&flagged, `SELECT similar_person FROM essays WHERE person_id = ?`, personID(t, w.db, "黄海")); err != nil {
				t.Fatal(err)
			}
			if flagged != personID(t, w.db, "张伟") {
				t.Errorf("copy flagged with person %d, want 张伟", flagged)
			}
			r = principal.say("心得列表")
			expect(t, "essay list", r, "本学期心得（2026-秋，共 2 篇）", "《践行群众路线 做人民满意的教师》 张伟", "《我的学习体会》 黄海", "⚠与张伟的《践行群众路线 做人民满意的教师》相似")
			expect(t, "essay list refused", wl.say("心得列表"), "周报只对学校领导开放")

			// Excused weeks.
			r = zw.say("请假 本周")
			expect(t, "excuse week", r, "已登记请假：第", "不计入学习目标")
			expect(t, "excused progress", zw.say("我的学习"), "本周已请假", "已请假 1 周")
			next := today.AddDate(0, 0, 7)
			r = zw.say(fmt.Sprintf("请假 %s至%s", md(next), md(next.AddDate(0, 0, 7))))
			expect(t, "excuse range", r, "已登记请假：第", "、第")
			if n := countRows(t, w.db, "study_excuses"); n != 3 {
				t.Errorf("%d excused weeks, want 3", n)
			}
			expect(t, "excuse how", zw.say("请假"), "请假请写明时间")
			expect(t, "pause", zw.say("暂停提醒"), "已暂停学习提醒")
			expect(t, "resume", zw.say("恢复提醒"), "已恢复学习提醒")

			// A parent's sentence about study is an opinion; an unbound
			// sender's check-in is refused with the way to bind.
			before = countRows(t, w.db, "study_checkins")
			r = w.as(t, "oParentStudy").say("孩子学习压力太大了，每天作业写到十一点")
			expect(t, "parent", r, "已收到", "回执码")
			expect(t, "unbound", w.as(t, "oStranger").say("学习 2小时"), "只对本校教职工开放", "绑定")
			if n := countRows(t, w.db, "study_checkins"); n != before {
				t.Errorf("%d check-ins after the parent and the stranger, want %d", n, before)
			}
		})
	}
}

// thousands formats n like the bot: 12,300.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
