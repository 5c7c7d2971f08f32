package parse

// Check-ins: what teachers and leaders report of their own work. Each is
// recognised by how staff start it (学习 …, 心得 …, 家访 …, 听课 …, 谈心 …),
// after any leading date or time of day (昨天晚上, 周三, 11月18日), and then
// weighed: the slots found (class, student, teacher, subject, mode) count
// for it; signs that the text is a complaint *about* such an activity count
// against it ("家访的时候老师收了家长的礼品", "听课的领导太多孩子紧张",
// "学习任务太重了每周五个小时根本完成不了"). A check-in that loses goes on to
// the opinion reader.

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// leadEnd returns the offset after the leading dates, times of day,
// pronouns and punctuation of s: "昨天晚上我 学习…" → the offset of 学习.
func (m *message) leadEnd() int {
	s := m.s
	_, ds := m.firstDate()
	i := 0
	for i < len(s) {
		r, sz := runeAt(s, i)
		if isPunctOrSpace(r) {
			i += sz
			continue
		}
		if ds.start == i {
			i = ds.end
			continue
		}
		if w, ok := matchAny(s, i, leadWords); ok {
			i += len(w)
			continue
		}
		break
	}
	return i
}

var leadWords = wordList(append([]string{"我们", "我", "本人", "已经", "已", "刚", "今天", "昨天", "前天", "晚上", "在家", "在学校", "利用", "休息时间", "周末", "课余时间", "业余时间", "自己"}, timeOfDay...)...)

// Words that mark a text as a complaint rather than a log of one's own
// work. Reported speech in a log ("家长反映作业太多") is not counted: these
// are about the activity itself.
var (
	complaintWords = wordList("形式主义", "走形式", "走过场", "负担", "完成不了", "完不成", "根本", "浪费", "影响上课", "影响教学", "不合理",
		"能不能", "可不可以", "希望学校", "建议学校", "为什么", "凭什么", "为啥", "没必要", "受不了", "累死", "有意见", "太多了", "太重", "太频繁",
		"太长", "太短", "没时间", "没有时间", "拍照", "拍个照", "礼品", "礼物", "红包", "收礼", "请吃饭", "吃饭", "要钱",
		"扣绩效", "穿小鞋", "威胁", "批评我", "找我", "叫我", "逼", "强制", "应付", "敷衍", "糊弄")
	parentWords = wordList("我家", "俺家", "我们家", "咱家", "我孩子", "我儿子", "我女儿", "我闺女", "娃", "孩子的老师", "我们孩子")
)

func countWords(s string, words []string) int {
	n := 0
	for i := 0; i < len(s); {
		if w, ok := matchAny(s, i, words); ok {
			n++
			i += len(w)
			continue
		}
		_, sz := runeAt(s, i)
		i += sz
	}
	return n
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// checkin recognises a check-in; ok is false if the message is not one.
func (m *message) checkin() (Parsed, bool) {
	if p, ok := m.studyCommand(); ok {
		return p, true
	}
	if p, ok := m.essay(); ok {
		return p, true
	}
	lead := m.leadEnd()
	if p, ok := m.homeVisit(lead); ok {
		return p, true
	}
	if p, ok := m.observation(lead); ok {
		return p, true
	}
	if p, ok := m.talk(lead); ok {
		return p, true
	}
	return m.study(lead)
}

// ---- study ----

var (
	// studyLeads start a study report.
	studyLeads = wordList("读书笔记", "学习笔记", "写了笔记", "做了笔记", "写笔记", "做笔记", "记笔记", "笔记", "看书", "读书", "集中学习", "自学", "学习打卡", "学习了", "学习", "学了", "读了", "阅读了", "阅读", "研读了", "研读", "观看了", "观看", "看了", "读", "重温了", "重温", "参加了", "参加", "打卡", "政治学习", "理论学习", "业务学习", "网络学习", "线上学习")
	// studyVerbs show a study report anywhere in a text with a duration.
	studyVerbs = wordList("看书", "读书", "集中学习", "自学", "学习", "学了", "读了", "阅读", "研读", "观看")
	// strongStudyLeads make a study report even without a duration.
	strongStudyLeads = wordList("集中学习", "自学", "学习打卡", "学习了", "学习", "学了", "研读了", "研读", "政治学习", "理论学习", "业务学习", "网络学习", "线上学习")
	notAfterStudy    = wordList("的时候", "时候", "的", "会", "任务", "材料", "太", "也", "都", "就", "压力", "负担", "要求", "形式")
	childWords       = wordList("孩子", "娃", "儿子", "女儿", "闺女", "学生们", "小孩")
	studyFillers     = wordList("学习", "了", "的", "内容是", "内容为", "是", "一下午", "一上午", "一晚上", "一中午", "一整天", "下午", "上午", "晚上", "一下", "关于", "有关", "内容", "打卡", "笔记", "写笔记", "做笔记", "记笔记", "共", "约", "左右", "一共", "总共", "时长", "时间", "今天", "完成", "参加", "参加了", "集中", "自学", "读", "阅读", "第", "部分", "章节", "相关", "并", "和", "及", "还", "做了", "写了", "记了")
)

// study reads a study report: 学习 2小时 《论群众路线》 笔记1500字.
func (m *message) study(lead int) (Parsed, bool) {
	s := m.s
	rest := s[lead:]
	minutes, dspans := durations(s)
	chars, cspan, hasChars := charCount(s)
	title, tspan, hasBook := bookTitle(s)

	verbEnd := -1
	if w, ok := matchAny(rest, 0, studyLeads); ok {
		verbEnd = lead + len(w)
		strong := false
		switch w {
		case "参加", "参加了":
			// 参加支部集中学习: the study word comes later.
			k := strings.Index(rest, "学习")
			if k < 0 || utf8.RuneCountInString(rest[:k]) > 12 {
				return Parsed{}, false
			}
			verbEnd, strong = lead+k+len("学习"), true
		case "读书笔记", "写了笔记", "做了笔记", "写笔记", "做笔记", "记笔记", "笔记":
			// 笔记 三千字: notes alone are a check-in only with a count.
			if !hasChars {
				return Parsed{}, false
			}
			verbEnd = lead
		case "看了", "读", "读了", "观看", "观看了", "阅读", "阅读了", "打卡", "重温", "重温了", "看书", "读书":
			if minutes == 0 && !hasBook && !hasChars {
				return Parsed{}, false
			}
		}
		if minutes == 0 && !hasBook && !hasChars {
			if _, ok := matchAny(rest, 0, strongStudyLeads); !(ok || strong) || runeCount(rest) > 24 {
				return Parsed{}, false
			}
		}
	} else {
		// 今天读了两个小时党章, 晚上在家自学一小时: a study verb and a duration
		// anywhere, and no child in it (孩子每天学习到十一点).
		if minutes == 0 || containsAny(s, childWords) {
			return Parsed{}, false
		}
		at := -1
		for i := 0; i < len(s); {
			if w, ok := matchAny(s, i, studyVerbs); ok {
				if w == "学了" {
					if r, _ := runeBefore(s, i); strings.ContainsRune("放上开同退休逃转入留", r) {
						i += len(w)
						continue
					}
				}
				at, verbEnd = i, i+len(w)
				break
			}
			_, sz := runeAt(s, i)
			i += sz
		}
		if at < 0 {
			return Parsed{}, false
		}
	}
	// 学习的时候…, 学习会太多, 学习任务太重: about study, not a report.
	if _, ok := matchAny(s, verbEnd, notAfterStudy); ok {
		return Parsed{}, false
	}
	// What was studied may say anything (《厉行节约反对浪费》).
	plain := s
	if hasBook {
		plain = s[:tspan.start] + " " + s[tspan.end:]
	}
	if countWords(plain, complaintWords) > 0 || containsAny(plain, parentWords) {
		return Parsed{}, false
	}
	p := Parsed{Intent: IntentStudy, Minutes: minutes, Date: m.dateOnly()}
	if hasChars {
		p.Chars = chars
	}
	if hasBook {
		p.Title = title
		return p, true
	}
	if strings.Contains(s, "学习强国") {
		p.Title = "学习强国" // the study app
		return p, true
	}
	// The title is what is left after the verb once the duration, the
	// notes and the fillers are taken out: 学习了两个小时论群众路线做了一千五百字笔记.
	cut := dspans
	if hasChars {
		cut = append(cut, cspan)
	}
	if _, ds := m.firstDate(); ds.start >= 0 {
		cut = append(cut, ds)
	}
	p.Title = residualTitle(s, verbEnd, cut)
	return p, true
}

// bookTitle finds the first 《…》 title.
func bookTitle(s string) (string, span, bool) {
	a := strings.Index(s, "《")
	if a < 0 {
		return "", span{-1, -1}, false
	}
	b := strings.Index(s[a:], "》")
	if b < 0 {
		return "", span{-1, -1}, false
	}
	t := strings.TrimSpace(s[a+len("《") : a+b])
	if t == "" {
		return "", span{-1, -1}, false
	}
	return t, span{a, a + b + len("》")}, true
}

// residualTitle returns the first segment of s after from that is not in
// one of cut and is more than fillers.
func residualTitle(s string, from int, cut []span) string {
	i := from
	for i < len(s) {
		// the end of this segment: the next cut span, space or punctuation
		end := len(s)
		for _, c := range cut {
			if c.start >= i && c.start < end {
				end = c.start
			}
			if c.start <= i && c.end > i {
				end = i
			}
		}
		seg := s[i:end]
		if k := strings.IndexFunc(seg, isPunctOrSpace); k >= 0 {
			seg = seg[:k]
			end = i + k
		}
		if t := trimStudyFillers(seg); utf8.RuneCountInString(t) >= 2 && utf8.RuneCountInString(t) <= 30 {
			return t
		}
		if end == i {
			// skip the cut span or the separator we stopped at
			moved := false
			for _, c := range cut {
				if c.start <= i && c.end > i {
					i, moved = c.end, true
				}
			}
			if !moved {
				_, sz := runeAt(s, i)
				i += sz
			}
			continue
		}
		i = end
	}
	return ""
}

func trimStudyFillers(t string) string {
	for changed := true; changed && t != ""; {
		changed = false
		for _, f := range studyFillers {
			if strings.HasPrefix(t, f) {
				t, changed = t[len(f):], true
				break
			}
			if strings.HasSuffix(t, f) {
				t, changed = t[:len(t)-len(f)], true
				break
			}
		}
	}
	return t
}

// dateOnly is the message's date, if any.
func (m *message) dateOnly() string {
	d, _ := m.firstDate()
	return d
}

// ---- essay ----

var (
	essayLeads     = wordList("提交心得", "上交心得", "交心得体会", "交心得", "写心得", "心得体会", "学习心得", "读书心得", "学习体会", "心得", "体会", "读后感", "观后感", "学习感悟", "感悟", "学习心得体会")
	essayTitleMark = wordList("心得", "体会", "感悟", "读后感", "观后感", "感想", "收获", "反思", "随笔")
	reflectWords   = wordList("通过学习", "通过这次学习", "认识到", "体会到", "作为一名", "作为教师", "作为党员", "作为一个", "今后", "我将", "我要", "反思", "深刻", "受益匪浅", "收获", "对照", "感悟", "群众路线", "为人民服务")
)

// essayMinChars is how long a text must be to be read as an essay without
// the 心得 prefix (《…心得》 + text).
const essayMinChars = 50

// essayTitledMinChars is how long the text after a 《…心得》 title must be.
const essayTitledMinChars = 30

// essay reads a reflection essay: 心得 + text, 《…心得》 + text, or a long
// reflective text.
func (m *message) essay() (Parsed, bool) {
	s := strings.TrimLeft(m.s, " 【[#*")
	if w, ok := matchAny(s, 0, essayLeads); ok {
		body := strings.TrimLeft(s[len(w):], " :,.、】]\n-—")
		if body == "" {
			return Parsed{Intent: IntentEssay}, true
		}
		title, text := essayTitle(body)
		// A short text is still an essay (the bot says it is too short),
		// unless it asks something: 心得体会要写多少字.
		if runeCount(text) >= essayMinChars || !isInfoQuestion(text) {
			return Parsed{Intent: IntentEssay, Title: title, Text: text, Chars: EssayChars(text)}, true
		}
		return Parsed{}, false
	}
	if strings.HasPrefix(s, "《") {
		title, text := essayTitle(s)
		if title != "" && containsAny(title, essayTitleMark) && runeCount(text) >= essayTitledMinChars {
			return Parsed{Intent: IntentEssay, Title: title, Text: text, Chars: EssayChars(text)}, true
		}
	}
	if runeCount(s) >= 150 && countWords(s, reflectWords) >= 3 && !containsAny(s, parentWords) && countWords(s, complaintWords) == 0 {
		title, text := essayTitle(s)
		return Parsed{Intent: IntentEssay, Title: title, Text: text, Chars: EssayChars(text)}, true
	}
	return Parsed{}, false
}

// EssayTitle splits an essay's title — a leading 《title》, or a short
// first line without sentence punctuation — from its text.
func EssayTitle(body string) (title, text string) {
	return essayTitle(strings.TrimSpace(body))
}

// essayTitle splits a leading 《title》, or a short first line, from an
// essay's text.
func essayTitle(body string) (string, string) {
	if strings.HasPrefix(body, "《") {
		if t, sp, ok := bookTitle(body); ok && sp.start == 0 {
			return t, strings.TrimLeft(body[sp.end:], " :,\n")
		}
	}
	if nl := strings.IndexByte(body, '\n'); nl > 0 {
		first := strings.TrimSpace(body[:nl])
		if n := utf8.RuneCountInString(first); n <= 30 && !strings.ContainsAny(first, "，。,;；") {
			return strings.Trim(first, "《》 "), strings.TrimSpace(body[nl+1:])
		}
	}
	return "", body
}

// ---- home visit ----

// EssayChars counts an essay's characters as the targets count them:
// Chinese characters, letters and digits; whitespace, punctuation and
// symbols are not counted.
func EssayChars(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// ---- study commands: 请假, 暂停提醒, 恢复提醒, 心得列表 ----

var (
	pauseWords      = wordList("暂停提醒", "暂停学习提醒", "关闭提醒", "关闭学习提醒", "不要提醒", "不用提醒", "别提醒了", "停止提醒")
	resumeWords     = wordList("恢复提醒", "恢复学习提醒", "开启提醒", "打开提醒", "开启学习提醒", "继续提醒")
	essayListWords  = wordList("心得列表", "心得汇总", "查看心得", "心得统计", "全校心得")
	excuseWords     = wordList("请假", "我要请假", "请个假")
	excuseWeekWords = []struct {
		word  string
		weeks int
	}{{"上上周", -2}, {"上周", -1}, {"上星期", -1}, {"本周", 0}, {"这周", 0}, {"这星期", 0}, {"本星期", 0}, {"这个星期", 0}, {"下周", 1}, {"下星期", 1}, {"下个星期", 1}}
	excuseRangeSeps = wordList("至", "到", "~", "-", "—", "－", "～")
)

// studyCommand reads the short commands of study check-ins. Each must be
// the whole message, but for a reason after 请假.
func (m *message) studyCommand() (Parsed, bool) {
	s := strings.Trim(m.s, " .!。！")
	if w, ok := matchAny(s, 0, pauseWords); ok && runeCount(s[len(w):]) <= 4 {
		return Parsed{Intent: IntentPauseReminders}, true
	}
	if w, ok := matchAny(s, 0, resumeWords); ok && runeCount(s[len(w):]) <= 4 {
		return Parsed{Intent: IntentResumeReminders}, true
	}
	if w, ok := matchAny(s, 0, essayListWords); ok && runeCount(s[len(w):]) == 0 {
		return Parsed{Intent: IntentEssayList}, true
	}
	return m.excuse(s)
}

// excuse reads 请假 本周, 请假 11月18日至11月29日, 本周请假 出差, 请假 11.18-11.20.
// Date and Until are the first and last days; a day without a year is the
// one nearest today (leave is often asked ahead).
func (m *message) excuse(s string) (Parsed, bool) {
	rest, ok := "", false
	if w, found := matchAny(s, 0, excuseWords); found {
		rest, ok = strings.TrimLeft(s[len(w):], " :,"), true
	} else {
		for _, w := range excuseWeekWords {
			if r, found := strings.CutPrefix(s, w.word); found {
				if r2, found := strings.CutPrefix(strings.TrimLeft(r, " "), "请假"); found {
					rest, ok = w.word+" "+r2, true
				}
				break
			}
		}
	}
	if !ok || runeCount(rest) > 40 {
		return Parsed{}, false
	}
	p := Parsed{Intent: IntentExcuse}
	today := m.ctx.Today
	if today.IsZero() {
		return p, true
	}
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, today.Location())
	for _, w := range excuseWeekWords {
		if strings.HasPrefix(rest, w.word) {
			back := (int(today.Weekday()) + 6) % 7
			mon := today.AddDate(0, 0, -back+7*w.weeks)
			p.Date, p.Until = mon.Format(time.DateOnly), mon.AddDate(0, 0, 6).Format(time.DateOnly)
			p.Text = strings.TrimLeft(rest[len(w.word):], " ,:")
			return p, true
		}
	}
	from, end, ok := excuseDay(rest, 0, today, time.Time{})
	if !ok {
		p.Text = rest
		return p, true
	}
	to := from
	j := skipSpaces(rest, end)
	if w, found := matchAny(rest, j, excuseRangeSeps); found {
		if t, e, ok := excuseDay(rest, skipSpaces(rest, j+len(w)), today, from); ok {
			to, end = t, e
		}
	}
	if to.Before(from) {
		from, to = to, from
	}
	p.Date, p.Until = from.Format(time.DateOnly), to.Format(time.DateOnly)
	p.Text = strings.TrimLeft(rest[end:], " ,:")
	return p, true
}

// excuseDay reads a day at i: a date (11月18日, 11.18, 2026-11-18, 今天),
// or after a start day a bare day of month (至29日, 至29号). Without a year
// it is the date nearest today, and after start not before it.
func excuseDay(s string, i int, today, start time.Time) (time.Time, int, bool) {
	if i >= len(s) {
		return time.Time{}, i, false
	}
	// A bare day after the start: 11月18日至29日.
	if !start.IsZero() {
		if n, j, ok := intAt(s, i); ok && n >= 1 && n <= 31 {
			if w, found := matchAny(s, j, []string{"日", "号"}); found || j == len(s) {
				if r, _ := runeAt(s, j); r != '月' && r != '.' && r != '/' {
					t := time.Date(start.Year(), start.Month(), n, 0, 0, 0, 0, start.Location())
					if t.Before(start) {
						t = t.AddDate(0, 1, 0)
					}
					return t, j + len(w), t.Day() == n
				}
			}
		}
	}
	// Read the date on its own: after 11.18- it would not be one.
	t, n, ok := dateAt(s[i:], 0, today)
	end := i + n
	if !ok || n == 0 {
		return time.Time{}, i, false
	}
	// dateAt puts a day without a year on or before today; leave is often
	// asked ahead, so take the nearest such day.
	if !strings.Contains(s[i:end], "年") && !(end-i == 10 && s[i+4] == '-') && today.Sub(t) > 120*24*time.Hour {
		t = t.AddDate(1, 0, 0)
	}
	if !start.IsZero() && t.Before(start) && today.Sub(t) > 0 {
		if t2 := t.AddDate(1, 0, 0); t2.Sub(start) < 200*24*time.Hour {
			t = t2
		}
	}
	return t, end, true
}
