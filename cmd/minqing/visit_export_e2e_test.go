package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// libreOfficeCSV converts every sheet of an .xlsx to CSV with LibreOffice
// and returns the CSV text by sheet name. Without LibreOffice the test
// skips, except under CI=true, where it fails.
func libreOfficeCSV(t *testing.T, path string) map[string]string {
	t.Helper()
	bin, err := exec.LookPath("libreoffice")
	if err != nil {
		if bin, err = exec.LookPath("soffice"); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatal("libreoffice is not installed, and CI=true makes this test mandatory")
			}
			t.Skip("libreoffice is not installed; skipping")
		}
	}
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// 44,34,76: comma, double quote, UTF-8; the final -1 writes every sheet.
	cmd := exec.CommandContext(ctx, bin, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "profile"),
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", filepath.Join(dir, "out"), path)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, out)
	}
	files, err := filepath.Glob(filepath.Join(dir, "out", "*.csv"))
	if err != nil || len(files) == 0 {
		t.Fatalf("libreoffice wrote no CSV: %v", err)
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	sheets := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		name := strings.TrimPrefix(strings.TrimSuffix(filepath.Base(f), ".csv"), base+"-")
		sheets[name] = strings.ReplaceAll(string(b), "\r\n", "\n")
	}
	return sheets
}

// TestExportVisitsAndObservations: the two exports, opened by LibreOffice.
func TestExportVisitsAndObservations(t *testing.T) {
	w := newVisitWorld(t, backends[0])
	principal := w.bound(t, "张有成", "oPrincipal")
	branch := w.bound(t, "段金华", "oBranch")
	teacher := w.bound(t, "王丽", "oWangLi")
	expect(t, "visit", teacher.say("家访 三(2)班 王浩 上门 家长反映作业太多，需要跟进"), "已记录家访")
	code := codeIn(t, teacher.say("转台帐"))
	expect(t, "visit 2", teacher.say("家访 三(2)班 赵无名 电话"), "没有找到这位学生")
	expect(t, "observe", principal.say("听课 三(2)班 语文 李老师 评价：课堂互动好"), "李明")
	expect(t, "observe branch", branch.say("听课 一(1)班 数学 杨老师 节奏偏快"), "杨帆")
	expect(t, "talk", principal.say("谈心 王丽 家里老人生病"), "已记录谈心")

	semester := testSemester
	dir := t.TempDir()
	visits := filepath.Join(dir, "家访记录表.xlsx")
	expect(t, "export visits", w.admin(t, "export", "visits", "--school", visitSchool, "--semester", semester, "-o", visits), "已写出", "家访记录 2 行")
	got := libreOfficeCSV(t, visits)
	expect(t, "visits sheet", got["家访记录"],
		"学生,班级,日期,教师,方式,家长所说,需要跟进,转入台帐（编号）,名册核对\n",
		"王浩,三(2)班,", ",王丽,上门,家长反映作业太多，需要跟进,是,"+code+",\n",
		"赵无名,三(2)班,", ",王丽,电话,,否,,名册中无此学生，请核对")
	expect(t, "coverage sheet", got["班级覆盖"],
		"校区,班级,学生数,已家访,未家访,覆盖率,未家访学生\n",
		"本部,三(2)班,3,1,2,33%,张小明、刘洋\n",
		"本部,四(1)班,2,0,2,0%,张小明、胡一帆\n",
		"者力完小,一(1)班,1,0,1,0%,黄子轩")

	obs := filepath.Join(dir, "听课记录.xlsx")
	expect(t, "export observations", w.admin(t, "export", "observations", "--school", visitSchool, "--semester", semester, "-o", obs), "听课记录 2 行")
	got = libreOfficeCSV(t, obs)
	expect(t, "observations sheet", got["听课记录"],
		"日期,听课人,校区,班级,学科,授课教师,评价\n",
		",张有成,本部,三(2)班,语文,李明,评价：课堂互动好\n",
		",段金华,者力完小,一(1)班,数学,杨帆,节奏偏快")
	expect(t, "talks sheet", got["谈心记录"], "日期,领导,谈心对象,内容\n", ",张有成,王丽,家里老人生病")
	expect(t, "leaders sheet", got["听课谈心统计"], "领导,职务,听课节数,谈心次数\n", "张有成,校长,1,1\n", "段金华,完小校长,1,0")

	// Bad input: an unknown semester or kind is a usage error, nothing written.
	var out strings.Builder
	if code := run(context.Background(), []string{"export", "visits", "--school", visitSchool, "--semester", "2026-冬", "-o", filepath.Join(dir, "x.xlsx")},
		func(k string) string { return w.Env[k] }, nil, &out, &out); code != 2 || !strings.Contains(out.String(), "2026-秋") {
		t.Errorf("unknown semester: %d %s", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"export", "homework"}, func(k string) string { return w.Env[k] }, nil, &out, &out); code != 2 || !strings.Contains(out.String(), "用法") {
		t.Errorf("unknown export: %d %s", code, out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "x.xlsx")); err == nil {
		t.Errorf("a failed export wrote a file")
	}
}

func mustShanghai(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}
