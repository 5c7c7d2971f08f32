package parse

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// studyCase is one study, essay or progress message and the slots the bot
// needs from it. Today is Saturday 2026-11-21 (testToday). Only the listed
// slots are compared; Text is not (opinions and essays are checked
// elsewhere).
type studyCase struct {
	text    string
	intent  Intent
	minutes int
	chars   int
	title   string
	date    string
}

func runStudyCases(t *testing.T, cases []studyCase) {
	t.Helper()
	c := testContext(t)
	for _, tc := range cases {
		p := Parse(tc.text, c)
		want := Parsed{Intent: tc.intent, Minutes: tc.minutes, Chars: tc.chars, Title: tc.title, Date: tc.date}
		got := Parsed{Intent: p.Intent, Minutes: p.Minutes, Chars: p.Chars, Title: p.Title, Date: p.Date}
		if tc.intent != IntentStudy && tc.intent != IntentEssay {
			// Other intents: only the intent matters here.
			got = Parsed{Intent: p.Intent}
		}
		if tc.intent == IntentEssay && tc.chars == 0 {
			got.Chars = 0
		}
		if d := diffParsed(want, got); d != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):%s", tc.text, d)
		}
	}
}

const S, E, O, P = IntentStudy, IntentEssay, IntentOpinion, IntentProgress

func TestStudyDurations(t *testing.T) {
	runStudyCases(t, []studyCase{
		{"学习 2小时", S, 120, 0, "", ""},
		{"学习2小时", S, 120, 0, "", ""},
		{"学习 2 小时", S, 120, 0, "", ""},
		{"学习两小时", S, 120, 0, "", ""},
		{"学习两个小时", S, 120, 0, "", ""},
		{"学习二小时", S, 120, 0, "", ""},
		{"学习一小时", S, 60, 0, "", ""},
		{"学习一个小时", S, 60, 0, "", ""},
		{"学习1小时", S, 60, 0, "", ""},
		{"学习半小时", S, 30, 0, "", ""},
		{"学习半个小时", S, 30, 0, "", ""},
		{"学习半个钟头", S, 30, 0, "", ""},
		{"学习一个半小时", S, 90, 0, "", ""},
		{"学习两个半小时", S, 150, 0, "", ""},
		{"学习三个半小时", S, 210, 0, "", ""},
		{"学习1.5小时", S, 90, 0, "", ""},
		{"学习1.5h", S, 90, 0, "", ""},
		{"学习1.5H", S, 90, 0, "", ""},
		{"学习2h", S, 120, 0, "", ""},
		{"学习 2 h", S, 120, 0, "", ""},
		{"学习0.5小时", S, 30, 0, "", ""},
		{"学习2.5小时", S, 150, 0, "", ""},
		{"学习90分钟", S, 90, 0, "", ""},
		{"学习九十分钟", S, 90, 0, "", ""},
		{"学习四十分钟", S, 40, 0, "", ""},
		{"学习二十分钟", S, 20, 0, "", ""},
		{"学习45min", S, 45, 0, "", ""},
		{"学习45 mins", S, 45, 0, "", ""},
		{"学习1h30m", S, 90, 0, "", ""},
		{"学习1h30min", S, 90, 0, "", ""},
		{"学习1小时30分", S, 90, 0, "", ""},
		{"学习1小时30分钟", S, 90, 0, "", ""},
		{"学习一小时三十分钟", S, 90, 0, "", ""},
		{"学习一小时零五分钟", S, 65, 0, "", ""},
		{"学习一小时半", S, 90, 0, "", ""},
		{"学习两个钟头", S, 120, 0, "", ""},
		{"学习两个多小时", S, 120, 0, "", ""},
		{"学习3学时", S, 180, 0, "", ""},
		{"学习十小时", S, 600, 0, "", ""},
		{"学习十二个小时", S, 720, 0, "", ""},
		{"学习13小时", S, 780, 0, "", ""},
		{"学习3刻钟", S, 45, 0, "", ""},
		{"学习一刻钟", S, 15, 0, "", ""},
		{"自学半小时", S, 30, 0, "", ""},
		{"集中学习3学时", S, 180, 0, "", ""},
		{"学了一个半小时", S, 90, 0, "", ""},
		{"学习了两个小时", S, 120, 0, "", ""},
		{"学习打卡 3小时", S, 180, 0, "", ""},
		{"打卡 学习1小时", S, 60, 0, "", ""},
		{"学习2小时+1小时", S, 180, 0, "", ""},
		{"上午学习1小时下午学习2小时", S, 180, 0, "", ""},
		{"学习１．５小时", S, 90, 0, "", ""},
		{"学习１２０分钟", S, 120, 0, "", ""},
		{"学习 一百二十分钟", S, 120, 0, "", ""},
	})
}

func TestStudyChars(t *testing.T) {
	runStudyCases(t, []studyCase{
		{"学习90分钟 笔记1500字", S, 90, 1500, "", ""},
		{"学习 2小时 笔记1.5千字", S, 120, 1500, "", ""},
		{"学习两小时 笔记两万字", S, 120, 20000, "", ""},
		{"笔记 三千字", S, 0, 3000, "", ""},
		{"笔记三千字", S, 0, 3000, "", ""},
		{"笔记3000字", S, 0, 3000, "", ""},
		{"笔记 3000", S, 0, 3000, "", ""},
		{"笔记：3000字", S, 0, 3000, "", ""},
		{"学习笔记2000字", S, 0, 2000, "", ""},
		{"读书笔记一千五百字", S, 0, 1500, "", ""},
		{"写了笔记800字", S, 0, 800, "", ""},
		{"做笔记两千字", S, 0, 2000, "", ""},
		{"学习1小时 笔记3k字", S, 60, 3000, "", ""},
		{"学习1小时 笔记3K字", S, 60, 3000, "", ""},
		{"学习1小时 笔记1.2k字", S, 60, 1200, "", ""},
		{"学习1小时 笔记一千字", S, 60, 1000, "", ""},
		{"学习1小时 笔记一千二百字", S, 60, 1200, "", ""},
		{"学习1小时 笔记一千二", S, 60, 1200, "", ""},
		{"学习1小时 笔记两千五百字", S, 60, 2500, "", ""},
		{"学习1小时 笔记五百字", S, 60, 500, "", ""},
		{"学习1小时 写了1500字笔记", S, 60, 1500, "", ""},
		{"学习1小时 做了一千五百字的笔记", S, 60, 1500, "", ""},
		{"学习1小时 笔记约2000字", S, 60, 2000, "", ""},
		{"学习1小时 笔记2000多字", S, 60, 2000, "", ""},
		{"学习1小时 笔记60000字", S, 60, 60000, "", ""},
		{"学习1小时 笔记6万字", S, 60, 60000, "", ""},
		{"学习1小时，笔记1500字", S, 60, 1500, "", ""},
		{"学习１小时 笔记１５００字", S, 60, 1500, "", ""},
	})
}

func TestStudyDates(t *testing.T) {
	runStudyCases(t, []studyCase{
		{"今天学习1小时", S, 60, 0, "", "2026-11-21"},
		{"昨天学习1.5h", S, 90, 0, "", "2026-11-20"},
		{"前天学习2小时", S, 120, 0, "", "2026-11-19"},
		{"大前天学习2小时", S, 120, 0, "", "2026-11-18"},
		{"昨晚学习1小时", S, 60, 0, "", "2026-11-20"},
		{"今晚学习1小时", S, 60, 0, "", "2026-11-21"},
		{"周二学习2小时", S, 120, 0, "", "2026-11-17"},
		{"周二晚上集体学习两个半小时", S, 150, 0, "", "2026-11-17"},
		{"星期三学习1小时", S, 60, 0, "", "2026-11-18"},
		{"礼拜四学习1小时", S, 60, 0, "", "2026-11-19"},
		{"周一学习1小时", S, 60, 0, "", "2026-11-16"},
		{"周六学习1小时", S, 60, 0, "", "2026-11-21"},
		{"周日学习1小时", S, 60, 0, "", "2026-11-15"},
		{"上周五学习1小时", S, 60, 0, "", "2026-11-13"},
		{"上周日学习1小时", S, 60, 0, "", "2026-11-15"},
		{"上周一学习1小时", S, 60, 0, "", "2026-11-09"},
		{"上星期三学习1小时", S, 60, 0, "", "2026-11-11"},
		{"本周三学习1小时", S, 60, 0, "", "2026-11-18"},
		{"这周二学习1小时", S, 60, 0, "", "2026-11-17"},
		{"11月18日学习1小时", S, 60, 0, "", "2026-11-18"},
		{"11月18号学习1小时", S, 60, 0, "", "2026-11-18"},
		{"11.18学习1小时", S, 60, 0, "", "2026-11-18"},
		{"11.18 学习1小时", S, 60, 0, "", "2026-11-18"},
		{"11/18学习1小时", S, 60, 0, "", "2026-11-18"},
		{"2026-11-18学习1小时", S, 60, 0, "", "2026-11-18"},
		{"2026年11月18日学习1小时", S, 60, 0, "", "2026-11-18"},
		{"十一月十八日学习1小时", S, 60, 0, "", "2026-11-18"},
		{"18号学习1小时", S, 60, 0, "", "2026-11-18"},
		{"学习1小时 11月18日", S, 60, 0, "", "2026-11-18"},
		{"学习1小时（11月18日）", S, 60, 0, "", "2026-11-18"},
		{"9月1日学习1小时", S, 60, 0, "", "2026-09-01"},
		{"11月30日学习1小时", S, 60, 0, "", "2025-11-30"},
		{"明天学习1小时", S, 60, 0, "", "2026-11-22"},
		{"下周一学习1小时", S, 60, 0, "", "2026-11-23"},
		{"昨天下午学习了1.5小时", S, 90, 0, "", "2026-11-20"},
		{"今天上午自学一小时", S, 60, 0, "", "2026-11-21"},
	})
}

func TestStudyTitles(t *testing.T) {
	runStudyCases(t, []studyCase{
		{"学习 2小时 《论群众路线》", S, 120, 0, "论群众路线", ""},
		{"学习 2小时 《论群众路线》 笔记1500字", S, 120, 1500, "论群众路线", ""},
		{"学习《论群众路线——重要论述摘编》2小时", S, 120, 0, "论群众路线——重要论述摘编", ""},
		{"学习《党的群众路线教育实践活动学习文选》一个半小时", S, 90, 0, "党的群众路线教育实践活动学习文选", ""},
		{"学习《厉行节约、反对浪费——重要论述摘编》1小时", S, 60, 0, "厉行节约、反对浪费——重要论述摘编", ""},
		{"今天学了一个半小时党章", S, 90, 0, "党章", "2026-11-21"},
		{"学习党章2小时", S, 120, 0, "党章", ""},
		{"学习党章 2小时", S, 120, 0, "党章", ""},
		{"学习十八大报告一小时", S, 60, 0, "十八大报告", ""},
		{"学习十八届三中全会精神 2小时", S, 120, 0, "十八届三中全会精神", ""},
		{"学习师德师风 1小时", S, 60, 0, "师德师风", ""},
		{"学习中小学教师职业道德规范40分钟", S, 40, 0, "中小学教师职业道德规范", ""},
		{"学习 习近平总书记系列重要讲话 2小时", S, 120, 0, "习近平总书记系列重要讲话", ""},
		{"学习强国1小时", S, 60, 0, "学习强国", ""},
		{"学习强国 学习40分钟", S, 40, 0, "学习强国", ""},
		{"读了40分钟《做温暖的教育》", S, 40, 0, "做温暖的教育", ""},
		{"看书1小时《给教师的建议》", S, 60, 0, "给教师的建议", ""},
		{"阅读《苏霍姆林斯基》2小时", S, 120, 0, "苏霍姆林斯基", ""},
		{"学习了两个小时论群众路线做了一千五百字笔记", S, 120, 1500, "论群众路线", ""},
		{"学习党章", S, 0, 0, "党章", ""},
		{"学习《党章》", S, 0, 0, "党章", ""},
		{"学习〈论群众路线〉2小时", S, 120, 0, "论群众路线", ""},
		{"学习<论群众路线>2小时", S, 120, 0, "论群众路线", ""},
		{"学习“论群众路线”2小时", S, 120, 0, "论群众路线", ""},
		{"学习 论群众路线 2小时 笔记1500字", S, 120, 1500, "论群众路线", ""},
		{"学习1小时 内容：党章", S, 60, 0, "党章", ""},
		{"参加支部集中学习2小时", S, 120, 0, "", ""},
		{"重温入党誓词 30分钟", S, 30, 0, "入党誓词", ""},
	})
}

// Voice recognition: no punctuation, spoken numbers, fillers.
func TestStudyVoice(t *testing.T) {
	runStudyCases(t, []studyCase{
		{"今天下午学习了两个小时论群众路线做了一千五百字的笔记", S, 120, 1500, "论群众路线", "2026-11-21"},
		{"昨天晚上学了一个小时党章", S, 60, 0, "党章", "2026-11-20"},
		{"我今天学习了四十分钟习近平新时代中国特色社会主义思想", S, 40, 0, "习近平新时代中国特色社会主义思想", "2026-11-21"},
		{"周二晚上参加集体学习两个半小时", S, 150, 0, "", "2026-11-17"},
		{"学习两个小时笔记两千字", S, 120, 2000, "", ""},
		{"学习一个半小时笔记一千五百字", S, 90, 1500, "", ""},
		{"今天学习半个钟头", S, 30, 0, "", "2026-11-21"},
		{"前天学习了九十分钟", S, 90, 0, "", "2026-11-19"},
		{"我昨天学习了一小时二十分钟", S, 80, 0, "", "2026-11-20"},
		{"今天在家自学了一个半小时党章", S, 90, 0, "党章", "2026-11-21"},
		{"学习打卡今天学了两个小时", S, 120, 0, "", "2026-11-21"},
		{"嗯今天学习了两个小时", S, 120, 0, "", "2026-11-21"},
		{"那个昨天学习一小时", S, 60, 0, "", "2026-11-20"},
		{"上周五学习了三个小时十八大报告", S, 180, 0, "十八大报告", "2026-11-13"},
		{"今天学习一小时笔记三千字", S, 60, 3000, "", "2026-11-21"},
		{"笔记三千字今天", S, 0, 3000, "", "2026-11-21"},
		{"学习两个半小时。", S, 150, 0, "", ""},
		{"十一月十八号学习了两个小时", S, 120, 0, "", "2026-11-18"},
		{"学习两小时论群众路线", S, 120, 0, "论群众路线", ""},
		{"今天晚上学习了一个小时师德师风", S, 60, 0, "师德师风", "2026-11-21"},
	})
}

// Messages that mention study but are not a teacher's check-in, and the
// other study intents.
func TestStudyNotCheckins(t *testing.T) {
	runStudyCases(t, []studyCase{
		{"孩子学习压力太大了", O, 0, 0, "", ""},
		{"孩子学习压力太大了每天写作业到十一点", O, 0, 0, "", ""},
		{"我家孩子学习成绩下降了老师也不管", O, 0, 0, "", ""},
		{"孩子每天学习三个小时作业太多", O, 0, 0, "", ""},
		{"学习任务太重了每周五个小时根本完成不了", O, 0, 0, "", ""},
		{"学校的政治学习太多了影响上课", O, 0, 0, "", ""},
		{"学习的时候老师总拍照形式主义", O, 0, 0, "", ""},
		{"建议学校减少教师学习打卡次数", O, 0, 0, "", ""},
		{"我的学习", P, 0, 0, "", ""},
		{"学习进度", P, 0, 0, "", ""},
		{"我学了多少", P, 0, 0, "", ""},
		{"学习情况", P, 0, 0, "", ""},
		{"心得", E, 0, 0, "", ""},
		{"心得体会", E, 0, 0, "", ""},
		{"交心得", E, 0, 0, "", ""},
	})
}

func TestStudyEssays(t *testing.T) {
	body := "通过学习，我深刻认识到群众路线是党的生命线。作为一名教师，今后要多家访、多倾听家长的意见。"
	runStudyCases(t, []studyCase{
		{"心得 " + body, E, 0, runeCountNoPunct(body), "", ""},
		{"心得体会\n学习群众路线的体会\n" + body, E, 0, runeCountNoPunct(body), "学习群众路线的体会", ""},
		{"心得：《做人民满意的教师》" + body, E, 0, runeCountNoPunct(body), "做人民满意的教师", ""},
		{"《学习群众路线心得》" + body, E, 0, runeCountNoPunct(body), "学习群众路线心得", ""},
		{"心得 Go语言 abc 学习", E, 0, 9, "", ""},
	})
}

// runeCountNoPunct counts letters and digits: an essay's characters.
func runeCountNoPunct(s string) int {
	n := 0
	for _, r := range s {
		if !strings.ContainsRune("，。、；：？！“”‘’（）《》—… ,.;:?!\"'()\n", r) {
			n++
		}
	}
	return n
}

func TestEssayChars(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"", 0},
		{"学习", 2},
		{"学习，心得。", 4},
		{"Go 语言", 4},
		{"  第一 \n 第二  ", 4},
		{"《论群众路线》——重要论述", 9},
		{"2026年11月", 8},
	} {
		if got := EssayChars(tc.in); got != tc.want {
			t.Errorf("EssayChars(%q) = %d, want %d", tc.in, got, tc.want)
		}
	}
}

// TestStudyCorpusAccuracy measures study, essay and progress messages:
// study_corpus.jsonl (the table cases' kind of message, tuned on) must stay
// at 0.95; study_holdout.jsonl was written before the parser was changed
// and is never tuned on — its figures are only reported.
func TestStudyCorpusAccuracy(t *testing.T) {
	for _, set := range []struct {
		name, path string
		enforce    bool
	}{
		{"study", "testdata/study_corpus.jsonl", true},
		{"study_holdout", "testdata/study_holdout.jsonl", false},
	} {
		t.Run(set.name, func(t *testing.T) {
			intentAcc, slotAcc := scoreIntentsAndSlots(t, set.name, set.path)
			if set.enforce && (intentAcc < 0.95 || slotAcc < 0.95) {
				t.Errorf("intent accuracy %.3f, slot accuracy %.3f; want both ≥ 0.95", intentAcc, slotAcc)
			}
		})
	}
}

// BenchmarkParseCorpora parses every line of the main and study corpora in
// turn; messages/s is b.N / seconds.
func BenchmarkParseCorpora(b *testing.B) {
	lines := append(loadCorpus(b, "testdata/corpus.jsonl"), loadCorpus(b, "testdata/study_corpus.jsonl")...)
	c := testContext(b)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		Parse(lines[i%len(lines)].Text, c)
	}
}

// BenchmarkParseEssay2000 parses a 2,000-character reflection essay.
func BenchmarkParseEssay2000(b *testing.B) {
	para := "通过学习，我深刻认识到群众路线是党的生命线，作为一名教师，今后要多家访、多倾听家长的意见，把工作做到家长心里去。"
	var sb strings.Builder
	sb.WriteString("心得体会\n践行群众路线 做人民满意的教师\n")
	for utf8.RuneCountInString(sb.String()) < 2000 {
		sb.WriteString(para)
	}
	essay := string([]rune(sb.String())[:2000])
	c := testContext(b)
	b.SetBytes(int64(len(essay)))
	b.ReportAllocs()
	for b.Loop() {
		if p := Parse(essay, c); p.Intent != IntentEssay {
			b.Fatalf("intent %s", p.Intent)
		}
	}
}

func TestStudyCommands(t *testing.T) {
	c := testContext(t)
	for _, tc := range []struct {
		text               string
		intent             Intent
		date, until, text2 string
	}{
		{"请假 本周", IntentExcuse, "2026-11-16", "2026-11-22", ""},
		{"请假本周", IntentExcuse, "2026-11-16", "2026-11-22", ""},
		{"本周请假 外出培训", IntentExcuse, "2026-11-16", "2026-11-22", "外出培训"},
		{"请假 下周", IntentExcuse, "2026-11-23", "2026-11-29", ""},
		{"请假 上周", IntentExcuse, "2026-11-09", "2026-11-15", ""},
		{"请假 11月18日至11月29日", IntentExcuse, "2026-11-18", "2026-11-29", ""},
		{"请假 11月18日到29日 病假", IntentExcuse, "2026-11-18", "2026-11-29", "病假"},
		{"请假 11.18-11.29", IntentExcuse, "2026-11-18", "2026-11-29", ""},
		{"请假 12月1日至12月12日", IntentExcuse, "2026-12-01", "2026-12-12", ""},
		{"请假 2026-11-30至2026-12-06", IntentExcuse, "2026-11-30", "2026-12-06", ""},
		{"请假 11月20日", IntentExcuse, "2026-11-20", "2026-11-20", ""},
		{"请假 12月28日至1月8日", IntentExcuse, "2026-12-28", "2027-01-08", ""},
		{"请假", IntentExcuse, "", "", ""},
		{"暂停提醒", IntentPauseReminders, "", "", ""},
		{"关闭提醒", IntentPauseReminders, "", "", ""},
		{"恢复提醒", IntentResumeReminders, "", "", ""},
		{"心得列表", IntentEssayList, "", "", ""},
	} {
		p := Parse(tc.text, c)
		got := Parsed{Intent: p.Intent, Date: p.Date, Until: p.Until, Text: p.Text}
		want := Parsed{Intent: tc.intent, Date: tc.date, Until: tc.until, Text: tc.text2}
		if d := diffParsed(want, got); d != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):%s", tc.text, d)
		}
	}
}
