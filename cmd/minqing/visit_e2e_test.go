package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"minqing/storage/sheet"
	"minqing/storage/storagetest"
)

const visitSchool = "大地基乡中心小学"

// newVisitWorld starts the service on a backend and imports a small
// central primary school with a branch school (者力完小): leaders, a class
// teacher, teachers sharing a surname, and students, two of them sharing
// a name.
func newVisitWorld(t *testing.T, b backend) *world {
	t.Helper()
	w := startWorld(t, b, visitSchool)
	dir := t.TempDir()
	staff := filepath.Join(dir, "staff.xlsx")
	if err := sheet.Write(staff, []string{"姓名", "职务", "手机号码", "任教班级", "校区", "工号", "部门"}, [][]string{
		{"张有成", "校长", "13800000001", "", "", "1001"},
		{"段金华", "完小校长", "13800000002", "", "者力完小", "1002"},
		{"徐少开", "教科室主任", "13800000003", "", "", "1003", "教科室"},
		{"王丽", "班主任", "13800000004", "三(2)班", "", "1004"},
		{"李明", "教师", "13800000005", "三年级二班、四(1)班", "", "1005"},
		{"李娜", "教师", "13800000006", "四年级1班", "", "1006"},
		{"杨帆", "教师", "13800000007", "一(1)班", "者力完小", "1007"},
	}); err != nil {
		t.Fatal(err)
	}
	students := filepath.Join(dir, "students.xlsx")
	if err := sheet.Write(students, []string{"学号", "姓名", "班级", "校区"}, [][]string{
		{"320101", "张小明", "3年级2班", ""},
		{"320102", "王浩", "三(2)班", ""},
		{"320103", "刘洋", "三（2）班", ""},
		{"410101", "张小明", "四年级一班", ""},
		{"410102", "胡一帆", "4.1班", ""},
		{"110101", "黄子轩", "一年级1班", "者力完小"},
	}); err != nil {
		t.Fatal(err)
	}
	expect(t, "import staff", w.admin(t, "import", "staff", staff, "--school", visitSchool, "--new"), "新增 7 人")
	expect(t, "import students", w.admin(t, "import", "students", students, "--school", visitSchool), "新增 6 人")
	w.putVisitSettings(t, "")
	w.fake.SetWindow(48 * time.Hour)
	return w
}

// testSemester is the semester the visit tests configure: from 60 days ago
// to 60 days ahead, so that the tests do not depend on the calendar.
const testSemester = "测试学期"

// putVisitSettings stores the school's settings: the test semester, and
// the "visits" object given (JSON, or "").
func (w *world) putVisitSettings(t *testing.T, visits string) {
	t.Helper()
	now := time.Now().In(mustShanghai(t))
	doc := fmt.Sprintf(`{"semesters": [{"name": %q, "start": %q, "end": %q}]`, testSemester,
		now.AddDate(0, 0, -60).Format(time.DateOnly), now.AddDate(0, 0, 60).Format(time.DateOnly))
	if visits != "" {
		doc += `, "visits": ` + visits
	}
	path := filepath.Join(t.TempDir(), "settings.json")
	if err := os.WriteFile(path, []byte(doc+"}"), 0o600); err != nil {
		t.Fatal(err)
	}
	expect(t, "settings", w.admin(t, "settings", "--school", visitSchool, "--set", path), "已保存")
}

// TestVisitsChat: home visits, 转台帐 through to the teacher, coverage,
// observations and talks, on both backends.
func TestVisitsChat(t *testing.T) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			w := newVisitWorld(t, b)
			principal := w.bound(t, "张有成", "oPrincipal")
			branch := w.bound(t, "段金华", "oBranch")
			middle := w.bound(t, "徐少开", "oMiddle")
			classTeacher := w.bound(t, "王丽", "oWangLi")
			teacher := w.bound(t, "李娜", "oLiNa")
			for _, o := range []string{"oPrincipal", "oBranch", "oMiddle", "oWangLi", "oLiNa", "oLiMing"} {
				w.fake.Touch(o, time.Now())
			}
			w.bound(t, "李明", "oLiMing")

			// One message, the class in another form than the roster's.
			r := classTeacher.say("家访 三年级二班 王浩 上门 家长反映作业太多，孩子睡得晚，需要跟进")
			expect(t, "one message", r, "已记录家访", "三(2)班 王浩", "上门", "家长所说：家长反映作业太多", "需要跟进：是", "本周已家访 1 次", "转台帐")
			expectNot(t, "one message", r, "没有找到")
			// Written without the word 家访.
			r = classTeacher.say("今天给三(2)班刘洋家长打了电话，孩子最近上课走神")
			expect(t, "phone call", r, "已记录家访", "刘洋", "电话", "孩子最近上课走神", "本周已家访 2 次")
			// An ambiguous name: two pupils are called 张小明.
			r = classTeacher.say("家访 张小明 视频 家长说孩子挑食")
			expect(t, "ambiguous", r, "2位叫张小明", "1. 三(2)班 张小明", "2. 四(1)班 张小明")
			expect(t, "ambiguous bad pick", classTeacher.say("5"), "序号")
			expect(t, "ambiguous pick", classTeacher.say("2"), "已记录家访", "四(1)班 张小明", "视频")
			// An unknown student is kept and flagged.
			r = classTeacher.say("家访 三(2)班 赵无名 电话 家长外出打工")
			expect(t, "unknown student", r, "已记录家访", "赵无名", "没有找到这位学生", "管理员")
			var flagged int
			if err := w.db.SQL().Get(&flagged, `SELECT COUNT(*) FROM visits WHERE flagged = TRUE AND student_id IS NULL`); err != nil || flagged != 1 {
				t.Errorf("flagged visits = %d, %v; want 1", flagged, err)
			}

			// The guided flow, with bad answers on the way.
			expect(t, "guided start", classTeacher.say("家访"), "班级")
			expect(t, "guided bad class", classTeacher.say("隔壁班"), "没看懂这个班级")
			expect(t, "guided class", classTeacher.say("3.2班"), "学生姓名")
			expect(t, "guided student", classTeacher.say("王浩"), "哪天")
			expect(t, "guided future date", classTeacher.say("明天"), "不能晚于今天")
			expect(t, "guided date", classTeacher.say("今天"), "方式")
			expect(t, "guided bad mode", classTeacher.say("随便"), "上门、电话 或 视频")
			expect(t, "guided mode", classTeacher.say("视频"), "家长说了什么")
			expect(t, "guided notes", classTeacher.say("家长希望学校多组织课外阅读"), "跟进")
			expect(t, "guided bad follow", classTeacher.say("看情况"), "需要")
			r = classTeacher.say("不需要")
			expect(t, "guided done", r, "已记录家访", "三(2)班 王浩", "视频", "课外阅读", "需要跟进：否")
			// The menu starts the same flow; 取消 leaves it.
			expect(t, "menu", classTeacher.event("CLICK", "VISIT"), "家访记录格式", "班级")
			expect(t, "menu cancel", classTeacher.say("取消"), "已取消")
			if n := storagetest.CountRows(t, w.db, "visits"); n != 5 {
				t.Errorf("%d visits, want 5", n)
			}

			// 转台帐: the latest visit with what the family said becomes a
			// named opinion recorded by the teacher.
			r = classTeacher.say("转台帐")
			expect(t, "to ledger", r, "已把王浩家长反映的意见转入民情台帐", "编号")
			code := codeIn(t, r)
			var o struct {
				Source    string `db:"source"`
				Anonymous bool   `db:"anonymous"`
				Recorder  string `db:"name"`
			}
			if err := w.db.SQL().Get(&o, `SELECT o.source, o.anonymous, p.name FROM opinions o JOIN people p ON p.id = o.recorder_id WHERE o.code = ?`, code); err != nil {
				t.Fatal(err)
			}
			if o.Source != "home_visit" || o.Anonymous || o.Recorder != "王丽" {
				t.Errorf("filed opinion = %+v, want home_visit, not anonymous, recorded by 王丽", o)
			}
			expect(t, "ledger shows it", principal.say("台帐"), code)
			expect(t, "assign", principal.say("交办 "+code+" 教科室 3天"), "交办给教科室")
			expect(t, "answer", principal.say("答复 "+code+" 下学期起图书馆周末开放"), "已答复", "教师")
			w.waitPushed(t, "oWangLi", "图书馆周末开放")
			w.waitPushed(t, "oWangLi", "请您转告家长")

			// A parent's complaint that mentions 家访 is an anonymous opinion.
			r = w.as(t, "oParent").say("老师家访的时候推销课外辅导班")
			expect(t, "parent complaint", r, "回执码", "师德师风")
			pc := codeIn(t, r)
			var anon bool
			if err := w.db.SQL().Get(&anon, `SELECT anonymous FROM opinions WHERE code = ?`, pc); err != nil || !anon {
				t.Errorf("parent's complaint anonymous = %v, %v", anon, err)
			}
			if n := storagetest.CountRows(t, w.db, "visits"); n != 5 {
				t.Errorf("the complaint was logged as a visit: %d visits", n)
			}

			// Coverage against the roster: 三(2)班 has 3 students, 2 visited
			// (the unknown one does not count); 未家访 names the third.
			r = classTeacher.say("我的家访")
			expect(t, "my visits", r, "本周", "家访 5 次", "目标每周 1 次", "已完成", "三(2)班：2/3", "每位学生家庭")
			r = classTeacher.say("未家访")
			expect(t, "unvisited", r, "三(2)班（1人）：张小明")
			expectNot(t, "unvisited", r, "王浩", "刘洋")
			expect(t, "this week", teacher.say("这周家访了几次"), "家访 0 次", "还差 1 次", "四(1)班：1/2")

			// Leader-only commands are refused to a teacher.
			expect(t, "teacher observes", teacher.say("听课 三(2)班 语文 李老师 很好"), "只对学校领导开放")
			expect(t, "teacher talks", teacher.say("谈心 王老师 压力大"), "只对学校领导开放")
			expect(t, "teacher progress", teacher.say("我的听课"), "只对学校领导开放")
			expect(t, "parent visits", w.as(t, "oParent2").say("家访 三(2)班 王浩 上门"), "绑定")

			// Observations: 李老师 in 三(2)班 is 李明, the only 李 teaching there.
			r = principal.say("听课 三年级二班 语文 李老师 评价：课堂互动好，板书可以更清楚")
			expect(t, "observation", r, "已记录听课", "三(2)班 语文 李明", "课堂互动好", "本周听课 1 节（目标 1 节）", "谈心 0 次")
			// The evaluation is not pushed by default.
			time.Sleep(200 * time.Millisecond)
			for _, m := range w.fake.SentTo("oLiMing", 0) {
				if strings.Contains(m.Text, "课堂互动好") {
					t.Errorf("evaluation pushed to the observed teacher by default")
				}
			}
			// A talk with 李老师: two of them, so the leader is asked.
			r = principal.say("谈心 李老师 最近带毕业班压力大")
			expect(t, "talk ambiguous", r, "1. 李明", "2. 李娜")
			expect(t, "talk pick", principal.say("2"), "已记录谈心", "李娜", "压力大", "谈心 1 次（目标 1 次）")
			expect(t, "talk sentence", principal.say("和王丽老师谈了一次心"), "已记录谈心", "王丽", "谈心 2 次")
			expect(t, "principal progress", principal.say("我的听课"), "本学期共听课 1 节，谈心 2 次", "本周听课 1 节")

			// A middle leader: 40 a semester, 10 a month.
			expect(t, "middle observes", middle.say("推门听课 四(1)班 数学"), "已记录听课", "四(1)班 数学", "目标 40 节", "目标 10 节")
			expect(t, "middle progress", middle.say("还差几节课"), "本学期", "听课 1 节（目标 40 节）")

			// A leader linked to a branch school sees their observations there.
			expect(t, "branch observes", branch.say("今天上午第三节去一年级1班听了节语文课"), "已记录听课", "一(1)班 语文")
			expect(t, "branch teacher", branch.say("听课 一(1)班 数学 杨老师"), "杨帆")
			expect(t, "branch progress", branch.say("我的听课"), "本学期在者力完小听课 2 节", "一(1)班 语文", "一(1)班 数学")
			var campus int
			if err := w.db.SQL().Get(&campus, `SELECT COUNT(*) FROM observations o JOIN org_units u ON u.id = o.campus_id WHERE u.name = ?`, "者力完小"); err != nil || campus != 2 {
				t.Errorf("observations at the branch school = %d, %v; want 2", campus, err)
			}
		})
	}
}

// TestObservationPushSetting: with push_evaluation on, the observed teacher
// gets the evaluation.
func TestObservationPushSetting(t *testing.T) {
	w := newVisitWorld(t, backends[0])
	w.putVisitSettings(t, `{"push_evaluation": "on", "teacher_weekly": 2}`)
	principal := w.bound(t, "张有成", "oPrincipal")
	w.bound(t, "李明", "oLiMing")
	w.fake.Touch("oLiMing", time.Now())
	expect(t, "observation", principal.say("听课 三(2)班 语文 李老师 板书清楚"), "已记录听课", "李明")
	w.waitPushed(t, "oLiMing", "板书清楚")
	teacher := w.bound(t, "王丽", "oWangLi")
	expect(t, "weekly target from settings", teacher.say("家访 三(2)班 王浩 上门"), "目标每周 2 次")
	// A pupil written with the wrong class: the bot offers the one the
	// roster knows, or keeps the record as written.
	r := teacher.say("家访 四(1)班 王浩 电话")
	expect(t, "wrong class", r, "名册中四(1)班没有叫王浩的学生", "1. 三(2)班 王浩", "回复 0")
	expect(t, "wrong class bad pick", teacher.say("7"), "0到1")
	expect(t, "wrong class kept", teacher.say("0"), "已记录家访", "四(1)班 王浩", "没有找到这位学生")
	expect(t, "wrong class again", teacher.say("家访 四(1)班 王浩 电话"), "1. 三(2)班 王浩")
	expect(t, "wrong class picked", teacher.say("1"), "已记录家访", "三(2)班 王浩", "电话")
}

// TestCmdParseVisitJSON: `minqing parse --json` reports visits,
// observations, talks and progress questions with their slots, the class
// in the roster's form.
func TestCmdParseVisitJSON(t *testing.T) {
	for _, tc := range []struct{ text, want string }{
		{"今天给五年级一班胡一帆家长打了电话，孩子最近上课走神",
			`{"intent":"home_visit","date":"2026-11-21","class":"五(1)班","student":"胡一帆","mode":"phone","text":"孩子最近上课走神"}`},
		{"家仿 3.2班 王浩 上门", `{"intent":"home_visit","class":"三(2)班","student":"王浩","mode":"home"}`},
		{"听课 初二3班 语文 李老师 评价：课堂互动好，板书可以更清楚",
			`{"intent":"observation","class":"初二(3)班","teacher":"李老师","subject":"语文","text":"评价：课堂互动好，板书可以更清楚"}`},
		{"和张老师谈了一次心", `{"intent":"talk","teacher":"张老师"}`},
		{"还差几节课", `{"intent":"progress","topic":"observation"}`},
		{"我的家访", `{"intent":"progress","topic":"visit"}`},
		{"家访的时候老师态度很差", `{"intent":"opinion","category":"ethics","text":"家访的时候老师态度很差"}`},
	} {
		code, out, errOut := runParse(t, "", "--json", "--today", "2026-11-21", tc.text)
		if code != 0 {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		if got := strings.TrimSpace(out); got != tc.want {
			t.Errorf("parse --json %q mismatch (-want +got):\n-%s\n+%s", tc.text, tc.want, got)
		}
	}
}

// TestDemoVisits: the demo school has visits, observations and talks, so
// the simulator's personas see them.
func TestDemoVisits(t *testing.T) {
	s, _ := simulatorService(t)
	teacher := s.as(t, "dev-teacher-0001")
	leader := s.as(t, "dev-leader-0001")
	// The demo's records lie up to 12 days back: they all fall in the
	// current semester (the usual dates) unless it began less than two
	// weeks ago or has ended.
	now := time.Now().In(mustShanghai(t))
	settled := now.Month() != time.February && now.Month() != time.July && now.Month() != time.August &&
		!((now.Month() == time.September || now.Month() == time.March) && now.Day() < 15)
	if !settled {
		expect(t, "demo 我的家访", teacher.say("我的家访"), "本周", "初二(3)班")
		expect(t, "demo 我的听课", leader.say("我的听课"), "我的听课谈心")
		return
	}
	expect(t, "demo 我的家访", teacher.say("我的家访"), "本学期", "初二(3)班：2/4")
	expect(t, "demo 未家访", teacher.say("未家访"), "初二(3)班（2人）", "王子涵", "刘一诺")
	expect(t, "demo 我的听课", leader.say("我的听课"), "本学期共听课 2 节，谈心 2 次")
}
