package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"minqing/bot/parse"
)

func runParse(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	getenv := func(string) string { return "" }
	code := run(context.Background(), append([]string{"parse"}, args...), getenv, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCmdParseJSON(t *testing.T) {
	code, out, errOut := runParse(t, "", "--json", "--today", "2026-11-21", "学习 2小时 《论群众路线》 笔记1500字")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	if strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, `{"intent":`) {
		t.Fatalf("want one line of JSON starting with {\"intent\":, got %q", out)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"intent": "study", "minutes": 120.0, "chars": 1500.0, "title": "论群众路线"}
	if len(got) != len(want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (all: %s)", k, got[k], v, out)
		}
	}
}

func TestCmdParseArgsAndStdin(t *testing.T) {
	// Several arguments are one text; --today resolves relative dates.
	code, out, _ := runParse(t, "", "--json", "--today", "2026-11-21", "--unit", "教务处", "昨天", "教务处的老师态度太差了")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var p parse.Parsed
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	if p.Intent != parse.IntentOpinion || p.Category != parse.CatDepartment || p.Date != "2026-11-20" || p.Unit != "教务处" {
		t.Errorf("got %+v", p)
	}

	// Without TEXT: one result per line of stdin.
	code, out, _ = runParse(t, "帮助\n查询 k7m29qxd\n\n", "--json", "--today", "2026-11-21")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	want := []string{`{"intent":"help"}`, `{"intent":"ticket_query","code":"K7M2-9QXD"}`, `{"intent":"unknown"}`}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("stdin results:\n%s\nwant:\n%s", out, strings.Join(want, "\n"))
	}

	// The readable form.
	code, out, _ = runParse(t, "", "--today", "2026-11-21", "家访 三（2）班 张小明 上门")
	if code != 0 || !strings.Contains(out, "home_visit") || !strings.Contains(out, "class=三(2)班") || !strings.Contains(out, "student=张小明") {
		t.Errorf("exit %d, summary %q", code, out)
	}
}

func TestCmdParseBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--today", "21/11/2026", "你好"},
		{"--nope", "你好"},
	} {
		if code, _, _ := runParse(t, "", args...); code != 2 {
			t.Errorf("parse %q: exit %d, want 2", args, code)
		}
	}
}
