package main

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"minqing/bot/parse"
)

// `minqing parse --json --today` reports study, essay and progress with
// their minutes, characters, title and resolved date.
func TestCmdParseStudyJSON(t *testing.T) {
	for _, tc := range []struct {
		text string
		want parse.Parsed
	}{
		{"周二学习 2.5小时 《论群众路线》 笔记1500字", parse.Parsed{Intent: parse.IntentStudy, Minutes: 150, Chars: 1500, Title: "论群众路线", Date: "2026-11-17"}},
		{"昨天学习1.5h", parse.Parsed{Intent: parse.IntentStudy, Minutes: 90, Date: "2026-11-20"}},
		{"今天学了一个半小时党章", parse.Parsed{Intent: parse.IntentStudy, Minutes: 90, Title: "党章", Date: "2026-11-21"}},
		{"笔记 三千字", parse.Parsed{Intent: parse.IntentStudy, Chars: 3000}},
		{"心得 《践行群众路线》通过学习，我认识到群众路线是党的生命线。", parse.Parsed{Intent: parse.IntentEssay, Title: "践行群众路线", Text: "通过学习，我认识到群众路线是党的生命线", Chars: 18}},
		{"我的学习", parse.Parsed{Intent: parse.IntentProgress}},
		{"请假 11月18日至11月29日", parse.Parsed{Intent: parse.IntentExcuse, Date: "2026-11-18", Until: "2026-11-29"}},
	} {
		code, out, errOut := runParse(t, "", "--json", "--today", "2026-11-21", tc.text)
		if code != 0 {
			t.Fatalf("%q: exit %d, stderr %q", tc.text, code, errOut)
		}
		var got parse.Parsed
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("minqing parse --json %q mismatch (-want +got):\n%s", tc.text, d)
		}
	}
}
