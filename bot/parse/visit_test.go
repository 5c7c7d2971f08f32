package parse

import (
	"strings"
	"testing"
)

// visitSlots is what the visit tests compare: the intent and the slots of
// home visits, observations, talks and progress questions. An opinion is
// checked by its intent alone (its category is the opinion tests' concern).
type visitSlots struct {
	Intent                                       Intent
	Class, Student, Teacher, Subject, Mode, Date string
	Text, Topic                                  string
}

func slotsOf(p Parsed) visitSlots {
	v := visitSlots{Intent: p.Intent}
	if p.Intent == IntentOpinion {
		return v
	}
	v.Class, v.Student, v.Teacher, v.Subject, v.Mode, v.Date = p.Class, p.Student, p.Teacher, p.Subject, p.Mode, p.Date
	v.Text, v.Topic = p.Text, p.Topic
	return v
}

// visitCase is a message and the slots it must give.
type visitCase struct {
	text string
	want visitSlots
}

func runVisitCases(t *testing.T, cases []visitCase) {
	t.Helper()
	c := testContext(t)
	for _, tc := range cases {
		got := slotsOf(Parse(tc.text, c))
		if got != tc.want {
			t.Errorf("Parse(%q) mismatch (-want +got):\n  -%+v\n  +%+v", tc.text, tc.want, got)
		}
	}
}

// TestParseVisitClassForms: every usual way of writing a class comes out in
// NormalizeClass's form, the same the roster import stores.
func TestParseVisitClassForms(t *testing.T) {
	for _, tc := range []struct{ class, want string }{
		{"三年级二班", "三(2)班"},
		{"三(2)班", "三(2)班"},
		{"三（2）班", "三(2)班"},
		{"3年级2班", "三(2)班"},
		{"3.2班", "三(2)班"},
		{"初二3班", "初二(3)班"},
		{"初二(3)班", "初二(3)班"},
		{"高一(5)班", "高一(5)班"},
		{"高一（5）班", "高一(5)班"},
		{"七年级1班", "七(1)班"},
		{"6(2)班", "六(2)班"},
		{"五年级一班", "五(1)班"},
	} {
		for _, text := range []string{
			"家访 " + tc.class + " 张小明 上门",
			"家访 " + tc.class + " 张小明",
			"听课 " + tc.class + " 语文 李老师",
		} {
			p := Parse(text, testContext(t))
			if p.Class != tc.want {
				t.Errorf("Parse(%q).Class = %q, want %q", text, p.Class, tc.want)
			}
			if p.Class != NormalizeClass(tc.class) {
				t.Errorf("Parse(%q).Class = %q, NormalizeClass(%q) = %q: not the same form", text, p.Class, tc.class, NormalizeClass(tc.class))
			}
		}
	}
}

func TestParseVisitLogs(t *testing.T) {
	runVisitCases(t, []visitCase{
		// one message, every slot
		{"家访 三(2)班 张小明 上门 家长反映作业太多，孩子睡得晚", visitSlots{Intent: IntentHomeVisit, Class: "三(2)班", Student: "张小明", Mode: ModeHome, Text: "家长反映作业太多，孩子睡得晚"}},
		{"家访 三年级二班 王浩 电话 家长说孩子在家不爱写作业", visitSlots{Intent: IntentHomeVisit, Class: "三(2)班", Student: "王浩", Mode: ModePhone, Text: "家长说孩子在家不爱写作业"}},
		{"家访 初二3班 李娜 视频 家长担心孩子沉迷手机", visitSlots{Intent: IntentHomeVisit, Class: "初二(3)班", Student: "李娜", Mode: ModeVideo, Text: "家长担心孩子沉迷手机"}},
		{"11月18日 家访 3年级2班 周杰 上门", visitSlots{Intent: IntentHomeVisit, Class: "三(2)班", Student: "周杰", Mode: ModeHome, Date: "2026-11-18"}},
		{"昨天家访 七年级1班 孙悦 上门 家长希望多布置阅读", visitSlots{Intent: IntentHomeVisit, Class: "七(1)班", Student: "孙悦", Mode: ModeHome, Date: "2026-11-20", Text: "家长希望多布置阅读"}},
		{"家访 高一(5)班 欧阳娜娜 电话", visitSlots{Intent: IntentHomeVisit, Class: "高一(5)班", Student: "欧阳娜娜", Mode: ModePhone}},
		// visits written without the word 家访
		{"今天给五年级一班胡一帆家长打了电话，孩子最近上课走神", visitSlots{Intent: IntentHomeVisit, Class: "五(1)班", Student: "胡一帆", Mode: ModePhone, Date: "2026-11-21", Text: "孩子最近上课走神"}},
		{"周二晚上和四年级3班黄子轩妈妈视频了一下", visitSlots{Intent: IntentHomeVisit, Class: "四(3)班", Student: "黄子轩", Mode: ModeVideo, Date: "2026-11-17"}},
		{"和三(2)班张小明爸爸通了电话 家长说孩子周末沉迷游戏", visitSlots{Intent: IntentHomeVisit, Class: "三(2)班", Student: "张小明", Mode: ModePhone, Text: "家长说孩子周末沉迷游戏"}},
		{"昨天跟初二3班李娜的家长视频通话 孩子情绪稳定", visitSlots{Intent: IntentHomeVisit, Class: "初二(3)班", Student: "李娜", Mode: ModeVideo, Date: "2026-11-20", Text: "孩子情绪稳定"}},
		{"给王浩家长打电话 孩子这周作业没交", visitSlots{Intent: IntentHomeVisit, Student: "王浩", Mode: ModePhone, Text: "孩子这周作业没交"}},
		{"去三年级二班王浩家家访家长说孩子在家不爱写作业", visitSlots{Intent: IntentHomeVisit, Class: "三(2)班", Student: "王浩", Mode: ModeHome, Text: "家长说孩子在家不爱写作业"}},
		// typos and other words for a visit
		{"家仿 3.2班 王浩 上门 家长反映孩子视力下降", visitSlots{Intent: IntentHomeVisit, Class: "三(2)班", Student: "王浩", Mode: ModeHome, Text: "家长反映孩子视力下降"}},
		{"电访 初二3班 李娜 家长说孩子沉迷手机", visitSlots{Intent: IntentHomeVisit, Class: "初二(3)班", Student: "李娜", Mode: ModePhone, Text: "家长说孩子沉迷手机"}},
		{"走访 6(2)班 刘洋", visitSlots{Intent: IntentHomeVisit, Class: "六(2)班", Student: "刘洋", Mode: ModeHome}},
		{"家防 三(2)班 张小明 上门", visitSlots{Intent: IntentHomeVisit, Class: "三(2)班", Student: "张小明", Mode: ModeHome}},
		// the guided flow starts from the word alone
		{"家访", visitSlots{Intent: IntentHomeVisit}},
		{"家访记录", visitSlots{Intent: IntentHomeVisit}},
		{"家仿", visitSlots{Intent: IntentHomeVisit}},
	})
}

func TestParseVisitNegatives(t *testing.T) {
	runVisitCases(t, []visitCase{
		// parents' complaints that mention 家访 are opinions
		{"老师家访的时候推销课外辅导班", visitSlots{Intent: IntentOpinion}},
		{"家访的时候老师态度很差", visitSlots{Intent: IntentOpinion}},
		{"家访的时候老师收了家长的礼品", visitSlots{Intent: IntentOpinion}},
		{"班主任家访只是走过场拍个照就走了", visitSlots{Intent: IntentOpinion}},
		{"老师打电话给我家长说孩子成绩差还骂人", visitSlots{Intent: IntentOpinion}},
		{"老师视频家访的时候一直在玩手机", visitSlots{Intent: IntentOpinion}},
		{"听课的领导太多孩子紧张", visitSlots{Intent: IntentOpinion}},
		{"校长找我谈话说再反映问题就扣绩效", visitSlots{Intent: IntentOpinion}},
	})
}

func TestParseObservationsAndTalks(t *testing.T) {
	runVisitCases(t, []visitCase{
		{"听课 初二3班 语文 李老师 评价：课堂互动好，板书可以更清楚", visitSlots{Intent: IntentObservation, Class: "初二(3)班", Subject: "语文", Teacher: "李老师", Text: "评价：课堂互动好，板书可以更清楚"}},
		{"推门听课 七年级1班 数学", visitSlots{Intent: IntentObservation, Class: "七(1)班", Subject: "数学"}},
		{"今天上午第三节去初二3班听了节语文课", visitSlots{Intent: IntentObservation, Class: "初二(3)班", Subject: "语文", Date: "2026-11-21"}},
		{"听课 三年级二班 英语 王芳 教学环节完整", visitSlots{Intent: IntentObservation, Class: "三(2)班", Subject: "英语", Teacher: "王芳", Text: "教学环节完整"}},
		{"谈心 王老师 最近带毕业班压力大", visitSlots{Intent: IntentTalk, Teacher: "王老师", Text: "最近带毕业班压力大"}},
		{"和张老师谈了一次心", visitSlots{Intent: IntentTalk, Teacher: "张老师"}},
		{"听课", visitSlots{Intent: IntentObservation}},
		{"谈心", visitSlots{Intent: IntentTalk}},
	})
}

func TestParseVisitProgress(t *testing.T) {
	runVisitCases(t, []visitCase{
		{"我的家访", visitSlots{Intent: IntentProgress, Topic: TopicVisit}},
		{"这周家访了几次", visitSlots{Intent: IntentProgress, Topic: TopicVisit}},
		{"本学期家访情况", visitSlots{Intent: IntentProgress, Topic: TopicVisit}},
		{"家访进度", visitSlots{Intent: IntentProgress, Topic: TopicVisit}},
		{"未家访", visitSlots{Intent: IntentProgress, Topic: TopicUnvisited}},
		{"还有谁没家访", visitSlots{Intent: IntentProgress, Topic: TopicUnvisited}},
		{"我的听课", visitSlots{Intent: IntentProgress, Topic: TopicObservation}},
		{"还差几节课", visitSlots{Intent: IntentProgress, Topic: TopicObservation}},
		{"这学期听了几节课", visitSlots{Intent: IntentProgress, Topic: TopicObservation}},
		{"我的谈心", visitSlots{Intent: IntentProgress, Topic: TopicObservation}},
		{"转台帐", visitSlots{Intent: IntentToLedger}},
		{"转台账", visitSlots{Intent: IntentToLedger}},
		{"转入台帐", visitSlots{Intent: IntentToLedger}},
	})
}

// TestVisitSlotHelpers: what the guided flow reads from one answer.
func TestVisitSlotHelpers(t *testing.T) {
	today := testToday(t)
	for _, tc := range []struct{ in, date string }{
		{"今天", "2026-11-21"}, {"昨天", "2026-11-20"}, {"11月18日", "2026-11-18"}, {"周二", "2026-11-17"}, {"2026-11-02", "2026-11-02"}, {"不记得", ""},
	} {
		if got, _ := DateIn(tc.in, today); got != tc.date {
			t.Errorf("DateIn(%q) = %q, want %q", tc.in, got, tc.date)
		}
	}
	for _, tc := range []struct{ in, mode string }{
		{"上门", ModeHome}, {"电话", ModePhone}, {"打电话", ModePhone}, {"视频", ModeVideo}, {"微信视频", ModeVideo}, {"入户", ModeHome}, {"面谈", ""}, {"随便", ""},
	} {
		if got := ModeIn(tc.in); got != tc.mode {
			t.Errorf("ModeIn(%q) = %q, want %q", tc.in, got, tc.mode)
		}
	}
	if got := strings.Join([]string{NormalizeClass("三年级二班"), NormalizeClass("6(2)班")}, ","); got != "三(2)班,六(2)班" {
		t.Errorf("NormalizeClass = %q", got)
	}
}

// TestVisitCorpus measures intent and slot accuracy on the visit corpus
// (enforced) and on the held-out visit file, written with it and never
// tuned on (reported; its target is 0.95).
func TestVisitCorpus(t *testing.T) {
	for _, set := range []struct {
		name, path string
		enforce    bool
	}{
		{"visit", "testdata/visit_corpus.jsonl", true},
		{"visit-holdout", "testdata/visit_holdout.jsonl", false},
	} {
		t.Run(set.name, func(t *testing.T) {
			intentAcc, slotAcc := scoreIntentsAndSlots(t, set.name, set.path)
			if !set.enforce {
				return
			}
			if intentAcc < 0.95 {
				t.Errorf("intent accuracy %.3f < 0.95", intentAcc)
			}
			if slotAcc < 0.95 {
				t.Errorf("slot accuracy %.3f < 0.95", slotAcc)
			}
		})
	}
}
