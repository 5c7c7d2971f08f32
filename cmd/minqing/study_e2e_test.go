package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"minqing/bot/parse"
	"minqing/storage"
	"minqing/storage/storagetest"
)

// shanghai is the schools' time zone in the tests (the default).
func shanghai(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// defaultStudy is the study settings of the tests: a reminder template.
const defaultStudy = `{"reminder_template_id":"tmpl-study"}`

// studySettings gives the test school a semester around today (so that
// the tests run on any day of the year) and the study settings.
func (w *world) studySettings(t *testing.T, study string) {
	t.Helper()
	today := time.Now().In(shanghai(t))
	doc := fmt.Sprintf(`{"semesters":[{"name":"2026-秋","start":%q,"end":%q}],"study":%s}`,
		today.AddDate(0, 0, -30).Format(time.DateOnly), today.AddDate(0, 0, 90).Format(time.DateOnly), study)
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
	onEachBackend(t, func(t *testing.T, w *world) {
		w.studySettings(t, defaultStudy)
		zw := w.bound(t, "张伟", "oZhangWei") // party member: 5 h a week
		hh := w.bound(t, "黄海", "oHuangHai")
		wl := w.bound(t, "王丽", "oWangLi") // no target
		principal := w.bound(t, "范小平", "oPrincipal")
		loc := shanghai(t)
		today := time.Now().In(loc)
		weekday := []string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}[today.Weekday()]

		r := zw.say("学习 2小时 《论群众路线》 笔记1500字")
		expect(t, "check-in", r, "已记录："+md(today)+"（"+weekday+"）学习 2 小时，笔记 1,500 字《论群众路线》。",
			"本周 2/5 小时，还差 3 小时；本学期笔记 1,500/20,000 字。")
		// The same again: not counted twice unless confirmed.
		expect(t, "repeat", zw.say("学习 2小时 《论群众路线》 笔记1500字"), "完全相同，没有重复计算")
		expect(t, "repeat no", zw.say("不是"), "没有重复记录")
		if n := storagetest.CountRows(t, w.db, "study_checkins"); n != 1 {
			t.Fatalf("%d check-ins after a repeat, want 1", n)
		}
		// A missing duration is asked for.
		expect(t, "bare", zw.say("学习"), "学了多长时间？")
		expect(t, "answer", zw.say("一个半小时"), "学习 1.5 小时", "本周 3.5/5 小时，还差 1.5 小时")
		// Voice, without punctuation.
		expect(t, "voice", zw.voice("今天学习了四十分钟党章。"), "学习 0.7 小时《党章》", "本周 4.2/5 小时")
		// Implausible values are questioned, not stored.
		before := storagetest.CountRows(t, w.db, "study_checkins")
		expect(t, "13 h", zw.say("学习 13小时"), "超过了 12 小时")
		expect(t, "day total", zw.say("学习 10小时"), "超过一天 12 小时")
		expect(t, "future", zw.say("明天学习1小时"), "还没到")
		old := today.AddDate(0, 0, -20)
		expect(t, "too old", zw.say(md(old)+"学习1小时"), "超过 14 天")
		early := today.AddDate(0, 0, -40)
		expect(t, "before term", zw.say(md(early)+"学习1小时"), "不在本学期")
		expect(t, "too many chars", zw.say("笔记 60000字"), "超过了 50,000 字")
		if n := storagetest.CountRows(t, w.db, "study_checkins"); n != before {
			t.Errorf("%d check-ins after implausible ones, want %d", n, before)
		}
		// Undo the last one.
		expect(t, "undo", zw.say("撤销"), "已撤销："+md(today), "学习 0.7 小时《党章》", "本周 3.5/5 小时")
		if n := storagetest.CountRows(t, w.db, "study_checkins"); n != before-1 {
			t.Errorf("%d check-ins after undo, want %d", n, before-1)
		}
		expect(t, "undo 2", zw.say("撤销"), "已撤销：", "学习 1.5 小时")
		expect(t, "undo 3", zw.say("撤销"), "已撤销：", "学习 2 小时")
		expect(t, "undo nothing", zw.say("撤销"), "24 小时内没有可以撤销的学习打卡")
		expect(t, "again", zw.say("学习 2小时 《论群众路线》 笔记1500字"), "已记录")
		expect(t, "again 2", zw.say("学习 一个半小时"), "已记录", "本周 3.5/5 小时")
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
		if n := storagetest.CountRows(t, w.db, "essays"); n != 1 {
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

		// A pasted essay over WeChat's 2,048-byte limit arrives in pieces
		// that are joined as they were; the menu starts the flow too.
		expect(t, "menu essay", wl.event("CLICK", "ESSAY"), "请发送心得体会全文")
		long := strings.Repeat("教育是一项需要耐心的事业，我们要用心倾听每一位家长的声音", 50)
		cut := 2046 / 3 // WeChat cuts at 2,048 bytes
		expect(t, "piece 1", wl.say(string([]rune(long)[:cut])), "已收到第 1 段")
		expect(t, "piece 2", wl.say(string([]rune(long)[cut:2*cut])), "已收到第 2 段")
		expect(t, "piece 3", wl.say(string([]rune(long)[2*cut:])), "已收到第 3 段")
		expect(t, "pieces submit", wl.say("提交"), "共 "+thousands(parse.EssayChars(long))+" 字", "本学期已交心得 1 篇")
		var joined string
		if err := w.db.SQL().Get(&joined, `SELECT body FROM essays WHERE person_id = ?`, personID(t, w.db, "王丽")); err != nil {
			t.Fatal(err)
		}
		if joined != long {
			t.Errorf("the pieces were not joined as pasted: %d runes, want %d", len([]rune(joined)), len([]rune(long)))
		}

		// Excused weeks.
		r = zw.say("请假 本周")
		expect(t, "excuse week", r, "已登记请假：第", "不计入学习目标")
		expect(t, "excused progress", zw.say("我的学习"), "本周已请假", "已请假 1 周")
		next := today.AddDate(0, 0, 7)
		r = zw.say(fmt.Sprintf("请假 %s至%s", md(next), md(next.AddDate(0, 0, 7))))
		expect(t, "excuse range", r, "已登记请假：第", "、第")
		if n := storagetest.CountRows(t, w.db, "study_excuses"); n != 3 {
			t.Errorf("%d excused weeks, want 3", n)
		}
		// (Another sender: 张伟 is close to the 30 messages a minute.)
		expect(t, "excuse how", hh.say("请假"), "请假请写明时间")
		expect(t, "pause", hh.say("暂停提醒"), "已暂停学习提醒")
		expect(t, "resume", hh.say("恢复提醒"), "已恢复学习提醒")

		// A parent's sentence about study is an opinion; an unbound
		// sender's check-in is refused with the way to bind.
		before = storagetest.CountRows(t, w.db, "study_checkins")
		r = w.as(t, "oParentStudy").say("孩子学习压力太大了，每天作业写到十一点")
		expect(t, "parent", r, "已收到", "回执码")
		expect(t, "unbound", w.as(t, "oStranger").say("学习 2小时"), "只对本校教职工开放", "绑定")
		if n := storagetest.CountRows(t, w.db, "study_checkins"); n != before {
			t.Errorf("%d check-ins after the parent and the stranger, want %d", n, before)
		}
	})
}

// thousands formats n like the bot: 12,300.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// libreOfficeRows reads the named sheets of an .xlsx file through
// LibreOffice (libreOfficeCSV) as CSV rows, by sheet name.
func libreOfficeRows(t *testing.T, path string, sheets ...string) map[string][][]string {
	t.Helper()
	all := libreOfficeCSV(t, path)
	got := map[string][][]string{}
	for _, s := range sheets {
		text, ok := all[s]
		if !ok {
			t.Fatalf("sheet %s: no CSV (sheets: %v)", s, slices.Sorted(maps.Keys(all)))
		}
		rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		if err != nil {
			t.Fatalf("sheet %s: %v", s, err)
		}
		got[s] = rows
	}
	return got
}

// TestStudyExportLibreOffice exports a semester's study register and reads
// it back through LibreOffice.
func TestStudyExportLibreOffice(t *testing.T) {
	w := newWorld(t, backends[0])
	w.studySettings(t, defaultStudy)
	zw := w.bound(t, "张伟", "oZhangWei")
	wl := w.bound(t, "王丽", "oWangLi")
	expect(t, "check-in", zw.say("学习 2小时 《论群众路线》 笔记1500字"), "已记录")
	expect(t, "check-in 2", zw.say("学习 一个半小时"), "已记录")
	expect(t, "check-in 3", wl.say("学习 40分钟 党章"), "已记录")
	expect(t, "excuse", zw.say("请假 下周"), "已登记请假")
	zw.say("心得")
	zw.say("践行群众路线\n通过学习，我认识到群众路线是党的生命线。")
	expect(t, "essay", zw.say("提交"), "已提交心得")
	w.admin(t, "excuse", "--school", testSchool, "--from", time.Now().In(shanghai(t)).AddDate(0, 0, 14).Format(time.DateOnly), "王丽")

	path := filepath.Join(t.TempDir(), "学时登记表.xlsx")
	out := w.admin(t, "export", "study", "--school", testSchool, "--semester", "2026-秋", "-o", path)
	expect(t, "export", out, "2026-秋学期学时登记表", "3 次打卡", "1 篇心得")
	// An unknown semester is refused with the names it takes.
	var errOut strings.Builder
	if code := run(context.Background(), []string{"export", "study", "--school", testSchool, "--semester", "1999-冬", "-o", path}, func(k string) string { return w.Env[k] }, strings.NewReader(""), io.Discard, &errOut); code != 1 || !strings.Contains(errOut.String(), "没有找到学期") {
		t.Errorf("unknown semester: exit %d, %q", code, errOut.String())
	}
	books := libreOfficeRows(t, path, "学时汇总", "打卡明细", "心得体会")

	staff := books["学时汇总"]
	head := staff[0]
	if head[0] != "姓名" || head[1] != "部门" || head[2] != "党员" || head[len(head)-1] != "是否达标" || !strings.HasPrefix(head[3], "第") {
		t.Errorf("staff header = %q", head)
	}
	byName := map[string][]string{}
	for _, r := range staff[1:] {
		byName[r[0]] = r
	}
	col := func(name string) int {
		for i, h := range head {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s in %q", name, head)
		return -1
	}
	z, ok := byName["张伟"]
	if !ok {
		t.Fatalf("no row for 张伟: %q", staff)
	}
	if z[2] != "是" || z[col("总学时")] != "3.5" || z[col("笔记字数")] != "1500" || z[col("心得篇数")] != "1" || z[col("请假周数")] != "1" {
		t.Errorf("张伟's row = %q", z)
	}
	if !strings.Contains(strings.Join(z[3:col("总学时")], ","), "3.5") || !strings.Contains(strings.Join(z[3:col("总学时")], ","), "假") {
		t.Errorf("张伟's weeks = %q, want this week's 3.5 and an excused week", z[3:col("总学时")])
	}
	if l := byName["王丽"]; l[2] != "否" || l[col("总学时")] != "0.7" || l[col("是否达标")] != "无目标" || l[col("请假周数")] != "1" {
		t.Errorf("王丽's row = %q", l)
	}
	if len(byName) != 16 {
		t.Errorf("%d staff rows, want 16", len(byName))
	}
	checkins := books["打卡明细"]
	if len(checkins) != 4 || checkins[1][0] != "张伟" || checkins[1][3] != "2" || checkins[1][4] != "1500" || checkins[1][5] != "论群众路线" {
		t.Errorf("check-ins sheet = %q", checkins)
	}
	essays := books["心得体会"]
	if len(essays) != 2 || essays[1][0] != "张伟" || essays[1][2] != "践行群众路线" || !strings.Contains(essays[1][6], "群众路线是党的生命线") {
		t.Errorf("essays sheet = %q", essays)
	}
}
