package main

import (
	"context"
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ledgerLibreOfficeRows opens the one-sheet ledger export in LibreOffice,
// as an inspector's office suite would, and returns its rows.
func ledgerLibreOfficeRows(t *testing.T, path string) [][]string {
	t.Helper()
	all := libreOfficeCSV(t, path)
	if len(all) != 1 {
		t.Fatalf("the ledger export has %d sheets, want 1", len(all))
	}
	for _, text := range all {
		rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	return nil
}

// TestExportLedgerInLibreOffice exports the demo school's ledger with
// `minqing export ledger` and opens it in LibreOffice.
func TestExportLedgerInLibreOffice(t *testing.T) {
	s := startService(t, map[string]string{"MINQING_DATA_DIR": t.TempDir()})
	s.admin(t, "demo")
	path := filepath.Join(t.TempDir(), "民情台帐.xlsx")
	got := s.admin(t, "export", "ledger", "--school", "DEMO", "-o", path)
	if !strings.Contains(got, "已导出") {
		t.Errorf("export said %q", got)
	}
	rows := ledgerLibreOfficeRows(t, path)
	want := []string{"回执码", "日期", "类别", "来源", "内容摘要", "承办部门", "状态", "答复", "答复日期", "满意度"}
	if len(rows) < 20 || strings.Join(rows[0], ",") != strings.Join(want, ",") {
		t.Fatalf("%d rows, header %v, want %v", len(rows), rows[0], want)
	}
	var found bool
	for _, r := range rows[1:] {
		if len(r) < 10 {
			r = append(r, make([]string, 10-len(r))...)
		}
		if len(r[0]) != 9 || r[0][4] != '-' {
			t.Errorf("receipt code %q", r[0])
		}
		if _, err := time.Parse("2006-01-02", r[1]); err != nil {
			t.Errorf("date %q", r[1])
		}
		if strings.Contains(r[4], "食堂的饭菜太咸了") {
			found = true
			if r[5] != "总务处" || r[6] != "已办结" || r[8] == "" || r[9] != "满意" {
				t.Errorf("the canteen opinion reads %v", r)
			}
		}
	}
	if !found {
		t.Error("the export lacks the demo's canteen opinion")
	}
	// A week, as CSV on standard output, and a bad request.
	week := s.admin(t, "export", "ledger", "--school", "DEMO", "--week", "2026-W40", "-o", "-")
	if !strings.HasPrefix(strings.TrimPrefix(week, "\ufeff"), "回执码") {
		t.Errorf("week export: %q", week)
	}
}

// TestDigestCommand: `minqing digest` prints the text and the JSON of a
// week's digest, and says what is wrong with a bad request.
func TestDigestCommand(t *testing.T) {
	s := startService(t, map[string]string{"MINQING_DATA_DIR": t.TempDir()})
	s.admin(t, "demo")
	text := s.admin(t, "digest", "--school", "DEMO")
	for _, want := range []string{"阳光实验中学（演示） 第", "【民情台帐】", "新收意见：", "本学期响应率", "/digest?"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest text lacks %q:\n%s", want, text)
		}
	}
	js := s.admin(t, "digest", "--school", "DEMO", "--week", "2026-W40", "--json")
	if !strings.Contains(js, `"week": "2026-W40"`) || !strings.Contains(js, `"key": "ledger"`) {
		t.Errorf("digest JSON:\n%s", js)
	}
	for _, args := range [][]string{
		{"digest", "--school", "DEMO", "--week", "2026-W99"},
		{"digest", "--school", "没有这所学校"},
		{"digest"},
		{"export", "ledger", "--school", "DEMO", "--week", "2026-W40", "--semester", "2026-秋"},
	} {
		var out, errOut strings.Builder
		code := run(context.Background(), args, func(k string) string { return s.Env[k] }, strings.NewReader(""), &out, &errOut)
		if code != 2 || errOut.Len() == 0 {
			t.Errorf("minqing %v = %d, stderr %q; want 2 and a reason", args, code, errOut.String())
		}
	}
}
