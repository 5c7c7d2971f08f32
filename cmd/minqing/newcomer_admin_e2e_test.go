package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runAdmin runs an admin command against the service's configuration with
// stdin as given, and returns its exit status, stdout and stderr.
func (s *service) runAdmin(stdin string, args ...string) (int, string, string) {
	var out, errOut strings.Builder
	code := run(context.Background(), args, func(k string) string { return s.Env[k] }, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

// writeFile writes a file into a temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func schoolCount(t *testing.T, w *world, name string) int {
	t.Helper()
	var n int
	if err := w.db.SQL().Get(&n, `SELECT COUNT(*) FROM org_units WHERE kind = 'school' AND name = ?`, name); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNewcomerImportAndSchools: the first hour of a school's IT teacher.
// A typo in --school creates nothing and names the close school; the usual
// header variants are understood and a near miss is suggested; a school
// created twice is merged, renamed, removed, with confirmation and an
// audit trail; staff are removed or deactivated; errors are in Chinese.
func TestNewcomerImportAndSchools(t *testing.T) {
	onEachBackend(t, func(t *testing.T, w *world) {
		// A typo in the school's name: nothing is created.
		code, _, errOut := w.runAdmin("", "import", "staff", testdata("staff_messy.csv"), "--school", "岳阳市第七中校")
		if code != 2 {
			t.Errorf("import into a mistyped school = %d, want 2", code)
		}
		expect(t, "typo", errOut, "没有找到学校“岳阳市第七中校”", "相近的学校", testSchool, "--new")
		if n := schoolCount(t, w, "岳阳市第七中校"); n != 0 {
			t.Errorf("the typo made a school")
		}
		_, _, errOut = w.runAdmin("", "import", "students", testdata("students.xlsx"), "--school", "CFWX")
		expect(t, "students into a code typo", errOut, "没有找到学校“CFWX”")

		// The usual header variants, and a suggestion for a near miss.
		csv := writeFile(t, "lx.csv", "姓名,所在处室,政治身份,职物,任教学科,工号\n罗明,总务处,中共党员,总务处主任,,1001\n罗亮,教务处,群众,教师,语文,1002\n李四,教务处,群众,教师,数学,1003\n")
		out := w.admin(t, "import", "staff", csv, "--school", "临湘市实验学校", "--new")
		expect(t, "variants", out, "已新建学校：临湘市实验学校", "新增 3 人", "“职物”（是不是“职务”？")
		expectNot(t, "variants", out, "所在处室", "政治身份")
		var depts int
		if err := w.db.SQL().Get(&depts, `SELECT COUNT(*) FROM org_units u JOIN org_units s ON s.id = u.school_id WHERE s.name = '临湘市实验学校' AND u.kind = 'department' AND u.name IN ('总务处', '教务处')`); err != nil || depts != 2 {
			t.Errorf("departments from 所在处室 = %d, %v; want 2", depts, err)
		}
		if strings.Contains(out, "是不是“任教班级”") {
			t.Errorf("任教学科 suggested as 任教班级:\n%s", out)
		}

		// The school created twice by a typo, merged into the right one.
		// 罗亮 is in both lists (the same person); this 李四 has another
		// staff number (a namesake).
		typo := writeFile(t, "typo.csv", "姓名,处室,职务,工号\n王五,总务处,教师,\n李四,教务处,教师,2003\n罗亮,教务处,教师,\n")
		w.admin(t, "import", "staff", typo, "--school", "临湘市实验中学", "--new")
		code, out, errOut = w.runAdmin("否\n", "schools", "merge", "临湘市实验中学", "临湘市实验学校")
		if code != 1 || !strings.Contains(errOut, "没有确认") || schoolCount(t, w, "临湘市实验中学") != 1 {
			t.Errorf("merge not confirmed = %d %s%s", code, out, errOut)
		}
		expect(t, "merge asks", out, "教职工 3 人", "并入“临湘市实验学校”")
		code, out, errOut = w.runAdmin("是\n", "schools", "merge", "临湘市实验中学", "临湘市实验学校")
		if code != 0 {
			t.Fatalf("merge = %d %s%s", code, out, errOut)
		}
		if schoolCount(t, w, "临湘市实验中学") != 0 {
			t.Errorf("the typo school is still there")
		}
		var staff, units int
		w.db.SQL().Get(&staff, `SELECT COUNT(*) FROM people p JOIN org_units s ON s.id = p.school_id WHERE s.name = '临湘市实验学校'`)
		w.db.SQL().Get(&units, `SELECT COUNT(*) FROM org_units u JOIN org_units s ON s.id = u.school_id WHERE s.name = '临湘市实验学校' AND u.name = '总务处'`)
		if staff != 5 || units != 1 {
			t.Errorf("after the merge: %d staff (want 5), %d 总务处 (want 1)", staff, units)
		}

		// Staff: a namesake needs the staff number; remove, deactivate.
		out = w.admin(t, "staff", "remove", "--school", "临湘市实验学校", "王五", "--yes")
		expect(t, "staff remove", out, "已删除王五")
		_, _, errOut = w.runAdmin("", "staff", "remove", "--school", "临湘市实验学校", "李四", "--yes")
		expect(t, "namesakes", errOut, "有2位教职工叫“李四”", "工号 1003", "请改用工号")
		out = w.admin(t, "staff", "deactivate", "--school", "临湘市实验学校", "1003", "--yes")
		expect(t, "deactivate", out, "已停用李四")
		_, _, errOut = w.runAdmin("", "rebind", "--school", "临湘市实验学校", "罗")
		expect(t, "unknown person", errOut, "名单中没有“罗”", "罗明")
		expectNot(t, "unknown person", errOut, "not found", "staff member")
		// Someone who never bound: no "已解除".
		out = w.admin(t, "rebind", "--school", "临湘市实验学校", "罗明")
		expect(t, "rebind unbound", out, "目前没有绑定微信", "新的绑定码")
		expectNot(t, "rebind unbound", out, "已解除")

		// Rename, with confirmation from stdin; remove with --yes.
		code, out, _ = w.runAdmin("是\n", "schools", "rename", "临湘市实验学校", "临湘市实验学校（本部）")
		if code != 0 || !strings.Contains(out, "改名为“临湘市实验学校（本部）”") {
			t.Errorf("rename = %d %s", code, out)
		}
		code, _, errOut = w.runAdmin("", "schools", "remove", "临湘市实验学校（本部）")
		if code != 1 || schoolCount(t, w, "临湘市实验学校（本部）") != 1 {
			t.Errorf("remove without confirmation = %d %s", code, errOut)
		}
		out = w.admin(t, "schools", "remove", "临湘市实验学校（本部）", "--yes")
		expect(t, "remove", out, "已删除学校“临湘市实验学校（本部）”")
		if schoolCount(t, w, "临湘市实验学校（本部）") != 0 {
			t.Errorf("the school is still there")
		}

		// Every change is in the audit trail.
		out = w.admin(t, "audit")
		expect(t, "audit", out, "schools merge", "临湘市实验中学", "其中 1 人两边都有", "staff remove", "王五", "staff deactivate", "schools rename", "schools remove")

		// Errors in Chinese: a missing file.
		_, _, errOut = w.runAdmin("", "import", "staff", "/no/such/名单.xlsx", "--school", testSchool)
		expect(t, "missing file", errOut, "找不到文件 /no/such/名单.xlsx")
		expectNot(t, "missing file", errOut, "no such file")
	})
}

// TestNewcomerSettings: the Chinese template round-trips, Chinese keys are
// accepted, a route to a unit the school lacks is refused in Chinese, and
// the default routes name only units the school has.
func TestNewcomerSettings(t *testing.T) {
	w := newWorld(t, backends[0])
	tpl := w.admin(t, "settings", "--school", testSchool, "--template")
	expect(t, "template", tpl, `"交办部门"`, `"后勤保障": "总务处"`, `"监督": "纪检委员"`, `"每日意见上限": 10`)
	// The staff list has 校长室, not 校长办公室: the default route says so.
	expect(t, "default route", tpl, `"处室部门": "校长室"`)
	expectNot(t, "default route", tpl, "校长办公室")
	path := writeFile(t, "s.json", strings.Replace(tpl, `"每日意见上限": 10`, `"每日意见上限": 3`, 1))
	out := w.admin(t, "settings", "--school", testSchool, "--set", path)
	expect(t, "saved", out, "已保存", `"daily_opinion_cap": 3`)

	bad := writeFile(t, "bad.json", `{"交办部门": {"后勤保障": "后勤处"}}`)
	code, _, errOut := w.runAdmin("", "settings", "--school", testSchool, "--set", bad)
	if code != 1 {
		t.Errorf("a route to a missing unit = %d", code)
	}
	expect(t, "route check", errOut, "后勤保障 → “后勤处”，本校没有这个部门", "总务处")
	_, _, errOut = w.runAdmin("", "settings", "--school", testSchool, "--set", writeFile(t, "c.json", `{"routes": {"后勤": "总务处"}, "每日上线": 2}`))
	expect(t, "unknown key", errOut, "不认识的设置项“每日上线”", "每日意见上限")
	_, _, errOut = w.runAdmin("", "settings", "--school", testSchool, "--set", writeFile(t, "d.json", `{"routes": {"食堂": "总务处"}}`))
	expect(t, "unknown category", errOut, "分类“食堂”不存在", "后勤保障")
	expectNot(t, "unknown category", errOut, "invalid", "unknown category")

	// 交办 without a unit goes to the default route the school has.
	leader := w.bound(t, "范小平", "oSetLeader")
	parent := w.as(t, "oSetParent")
	c := codeIn(t, parent.say("建议：学校办公室开具证明的流程太慢，希望简化"))
	r := leader.say("交办 " + c)
	expect(t, "default route", r, "交办给")
	expectNot(t, "default route", r, "没有找到")
}

// TestNewcomerDemoAndMenu: the demo prints the simulator's real address
// and is removed by demo --remove; menu show prints the installed menu.
func TestNewcomerDemoAndMenu(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"MINQING_DATA_DIR": dir, "MINQING_HTTP_ADDR": ":9191"}
	code, out := runCLI(env, "demo")
	if code != 0 || !strings.Contains(out, "http://localhost:9191/dev/") || strings.Contains(out, "8080") {
		t.Errorf("demo = %d %s", code, out)
	}
	code, out = runCLI(env, "demo", "--remove")
	if code != 0 || !strings.Contains(out, "已删除演示学校") {
		t.Errorf("demo --remove = %d %s", code, out)
	}
	if code, out = runCLI(env, "schools"); !strings.Contains(out, "还没有学校") {
		t.Errorf("schools after demo --remove = %d %s", code, out)
	}
	code, out = runCLI(env, "demo", "--remove")
	if code != 1 || !strings.Contains(out, "没有演示学校") {
		t.Errorf("second demo --remove = %d %s", code, out)
	}
	if code, out = runCLI(env, "audit"); !strings.Contains(out, "demo remove") {
		t.Errorf("audit = %d %s", code, out)
	}

	w := newWorld(t, backends[0])
	menu := writeFile(t, "menu.json", `[{"name": "反映问题", "key": "OPINION"}, {"name": "我的", "sub": [{"name": "使用帮助", "key": "HELP"}]}]`)
	w.admin(t, "menu", "sync", "--file", menu)
	out = w.admin(t, "menu", "show")
	expect(t, "menu show", out, "公众号上当前的自定义菜单", "反映问题")
	expectNot(t, "menu show", out, "我要建议")
}
