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
	studyLeads = wordList("看书", "读书", "集中学习", "自学", "学习打卡", "学习了", "学习", "学了", "读了", "阅读了", "阅读", "研读了", "研读", "观看了", "观看", "看了", "读", "重温了", "重温", "参加了", "参加", "打卡", "政治学习", "理论学习", "业务学习", "网络学习", "线上学习")
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
	essayLeads     = wordList("心得体会", "学习心得", "读书心得", "学习体会", "心得", "体会", "读后感", "观后感", "学习感悟", "感悟", "学习心得体会")
	essayTitleMark = wordList("心得", "体会", "感悟", "读后感", "观后感", "感想", "收获", "反思", "随笔")
	reflectWords   = wordList("通过学习", "通过这次学习", "认识到", "体会到", "作为一名", "作为教师", "作为党员", "作为一个", "今后", "我将", "我要", "反思", "深刻", "受益匪浅", "收获", "对照", "感悟", "群众路线", "为人民服务")
)

// essayMinChars is how long a text must be to be read as an essay without
// the 心得 prefix (《…心得》 + text).
const essayMinChars = 50

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
			return Parsed{Intent: IntentEssay, Title: title, Text: text, Chars: runeCount(text)}, true
		}
		return Parsed{}, false
	}
	if strings.HasPrefix(s, "《") {
		title, text := essayTitle(s)
		if title != "" && containsAny(title, essayTitleMark) && runeCount(text) >= essayMinChars {
			return Parsed{Intent: IntentEssay, Title: title, Text: text, Chars: runeCount(text)}, true
		}
	}
	if runeCount(s) >= 150 && countWords(s, reflectWords) >= 3 && !containsAny(s, parentWords) && countWords(s, complaintWords) == 0 {
		title, text := essayTitle(s)
		return Parsed{Intent: IntentEssay, Title: title, Text: text, Chars: runeCount(text)}, true
	}
	return Parsed{}, false
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

var (
	homeVisitLeads = wordList("家访记录", "家访", "电话家访", "视频家访", "微信家访", "上门家访", "入户家访", "走访了", "走访", "访问了", "家访了", "去家访", "进行家访", "开展家访")
	goLeads        = wordList("去了", "去", "到了", "到", "走进了", "走进", "来到")
	modeWords      = []struct{ word, mode string }{
		{"打电话", ModePhone}, {"电话", ModePhone}, {"通话", ModePhone},
		{"视频", ModeVideo},
		{"微信", ModeWeChat},
		{"上门", ModeHome}, {"入户", ModeHome}, {"到家", ModeHome}, {"走访", ModeHome}, {"实地", ModeHome},
		{"家长来校", ModeSchool}, {"家长到校", ModeSchool}, {"来学校", ModeSchool}, {"到学校", ModeSchool}, {"来校", ModeSchool}, {"到校", ModeSchool}, {"约谈", ModeSchool},
	}
	// reportedSpeech in a log: the parents' words, which may well be a
	// complaint, are what the visit recorded.
	reportedSpeech = wordList("家长反映", "家长说", "家长希望", "家长表示", "家长担心", "家长对", "家长认为", "家长提出", "家长称", "家长建议", "家长要求")
)

// homeVisit reads a home-visit log: 家访 三(2)班 张小明 上门 家长反映作业太多.
func (m *message) homeVisit(lead int) (Parsed, bool) {
	s := m.s
	rest := s[lead:]
	p := Parsed{Intent: IntentHomeVisit, Date: m.dateOnly()}
	var header []span
	score := 0
	var bodyStart int
	if w, ok := matchAny(rest, 0, homeVisitLeads); ok {
		bodyStart = lead + len(w)
		if strings.HasPrefix(s[bodyStart:], "了") {
			bodyStart += len("了")
		}
		header = append(header, span{lead, bodyStart})
		if strings.Contains(w, "走访") || strings.Contains(w, "访问") || strings.Contains(w, "上门") || strings.Contains(w, "入户") {
			p.Mode = ModeHome
		}
		body := strings.TrimLeft(s[bodyStart:], " ")
		if _, ok := matchAny(body, 0, wordList("的", "时", "时候", "的时候", "老师", "太", "就", "也", "都", "让", "还", "是", "要", "搞", "走", "任务", "工作")); ok {
			score -= 4
		}
		if strings.TrimFunc(body, isPunctOrSpace) == "" {
			return p, true // 家访: the bot asks for the details
		}
	} else if w, ok := matchAny(rest, 0, goLeads); ok {
		// 去三年级二班王浩家家访, 周三到黄欣怡家
		i := lead + len(w)
		if c, sp, ok := classIn(s[i:]); ok && sp.start == 0 {
			p.Class = c
			i += sp.end
		}
		e, ok := nameAt(s, i)
		if !ok || !strings.HasPrefix(s[e:], "家") || strings.HasPrefix(s[e:], "家长") {
			return Parsed{}, false
		}
		p.Student, p.Mode = s[i:e], ModeHome
		end := e + len("家")
		if w2, ok := matchAny(s, end, wordList("里", "中")); ok {
			end += len(w2)
		}
		if w2, ok := matchAny(s, end, wordList("家访了", "家访", "进行家访", "走访", "做家访", "做了家访")); ok {
			end += len(w2)
		}
		header = append(header, span{lead, end})
		bodyStart = end
		score += 4
	} else {
		return Parsed{}, false
	}

	// class
	if p.Class == "" {
		if c, sp, ok := classIn(s[bodyStart:]); ok {
			p.Class = c
			header = append(header, span{bodyStart + sp.start, bodyStart + sp.end})
		}
	}
	if p.Class != "" {
		score += 2
	}
	// student
	if p.Student == "" {
		if name, sp, ok := m.studentIn(bodyStart, header); ok {
			p.Student = name
			header = append(header, sp)
		}
	}
	if p.Student != "" {
		score += 3
	}
	// mode: the earliest mode word
	best := -1
	for _, mw := range modeWords {
		k := strings.Index(s[lead:], mw.word)
		if k < 0 {
			continue
		}
		k += lead
		if best < 0 || k < best {
			best = k
			p.Mode = mw.mode
			if k >= bodyStart {
				// a mode word standing alone belongs to the header
				if isToken(s, k, k+len(mw.word)) {
					header = append(header, span{k, k + len(mw.word)})
				}
			}
		}
	}
	if best >= 0 {
		score++
	}
	if containsAny(s, reportedSpeech) {
		score++
	}
	score -= 3 * countWords(stripReported(s[bodyStart:]), complaintWords)
	if containsAny(s, parentWords) {
		score -= 4
	}
	if score <= 0 {
		return Parsed{}, false
	}
	p.Text = remarks(s, bodyStart, header)
	return p, true
}

// stripReported drops what parents said from a log, for weighing
// complaint words.
func stripReported(s string) string {
	for _, w := range reportedSpeech {
		if k := strings.Index(s, w); k >= 0 {
			return s[:k]
		}
	}
	return s
}

// isToken reports whether s[a:b] stands between spaces (or the ends).
func isToken(s string, a, b int) bool {
	r1, _ := runeBefore(s, a)
	r2, _ := runeAt(s, b)
	return (a == 0 || r1 == ' ' || isPunctOrSpace(r1)) && (b == len(s) || r2 == ' ' || isPunctOrSpace(r2))
}

// nameToken returns the first of the (at most five) space-separated tokens
// after from that is a name accept takes and lies outside the header spans.
func nameToken(s string, from int, header []span, accept func(string) bool) (string, span, bool) {
	tokens := 0
	for i := from; i < len(s) && tokens < 5; {
		i = skipSpaces(s, i)
		j := strings.IndexByte(s[i:], ' ')
		if j < 0 {
			j = len(s)
		} else {
			j += i
		}
		if j > i {
			tokens++
			t := strings.TrimFunc(s[i:j], isPunctOrSpace)
			if !inSpans(i, header) && isName(t) && accept(t) {
				return t, span{i, i + len(t)}, true
			}
		}
		i = j
	}
	return "", span{}, false
}

// inSpans reports whether byte offset i lies in one of the spans.
func inSpans(i int, spans []span) bool {
	for _, h := range spans {
		if i >= h.start && i < h.end {
			return true
		}
	}
	return false
}

// studentIn finds a student's name after from: a name standing alone
// ("家访 三(2)班 张小明 上门"), or right after the class, or marked as a
// name (X同学, X家, X家长, 学生X).
func (m *message) studentIn(from int, header []span) (string, span, bool) {
	s := m.s
	if t, sp, ok := nameToken(s, from, header, func(t string) bool { return !isModeWord(t) }); ok {
		return t, sp, true
	}
	// right after the class or the lead
	for _, h := range header {
		k := skipSpaces(s, h.end)
		if e, ok := nameAt(s, k); ok && (e == len(s) || nameBoundary(s, e)) {
			end := e
			if w, ok := matchAny(s, e, studentSuffixes); ok {
				end += len(w)
			}
			return s[k:e], span{k, end}, true
		}
	}
	// X同学 / 学生X
	if k := strings.Index(s[from:], "同学"); k > 0 {
		at := from + k
		for back := 3; back >= 2; back-- {
			st := at
			for n := 0; n < back; n++ {
				_, sz := runeBefore(s, st)
				st -= sz
			}
			if st >= from && isName(s[st:at]) {
				return s[st:at], span{st, at + len("同学")}, true
			}
		}
	}
	return "", span{}, false
}

// studentSuffixes follow a student's name in a log and belong with it.
var studentSuffixes = wordList("同学家", "同学", "的家长", "的妈妈", "的爸爸", "的奶奶", "的爷爷", "的外婆", "的姥姥", "妈妈", "爸爸", "奶奶", "爷爷", "家长", "家")

// nameBoundary reports whether a name may end at e: what follows is not
// more of the same word.
func nameBoundary(s string, e int) bool {
	r, _ := runeAt(s, e)
	return !isHan(r) || strings.ContainsRune(nameFollowers, r)
}

func isModeWord(t string) bool {
	for _, mw := range modeWords {
		if t == mw.word {
			return true
		}
	}
	return false
}

// remarks is the text after the header spans: what happened, what was said.
func remarks(s string, from int, header []span) string {
	end := from
	for _, h := range header {
		if h.end > end {
			end = h.end
		}
	}
	return strings.TrimFunc(s[end:], isPunctOrSpace)
}

// ---- class observation ----

var (
	observationLeads = wordList("推门听课", "听课记录", "随堂听课", "听课", "观课", "评课", "推门听了", "去听了", "听了", "观摩了", "观摩")
	subjects         = wordList("道德与法治", "道法", "思想品德", "品德与社会", "品德", "信息技术", "综合实践", "语文", "数学", "英语", "物理", "化学", "生物", "政治", "历史", "地理", "音乐", "美术", "体育与健康", "体育", "科学", "心理健康", "心理", "书法", "劳动", "班会", "外语", "思政")
	notObservation   = wordList("领导", "走过场", "形式主义", "走形式", "能不能", "希望", "建议学校", "为什么", "紧张", "孩子", "娃", "家长")
)

// observation reads a class observation: 听课 初二3班 语文 李老师 ….
func (m *message) observation(lead int) (Parsed, bool) {
	s := m.s
	rest := s[lead:]
	w, ok := matchAny(rest, 0, observationLeads)
	if !ok {
		return Parsed{}, false
	}
	bodyStart := lead + len(w)
	p := Parsed{Intent: IntentObservation, Date: m.dateOnly()}
	header := []span{{lead, bodyStart}}
	body := strings.TrimLeft(s[bodyStart:], " ")
	if strings.TrimFunc(body, isPunctOrSpace) == "" {
		if w == "听了" || w == "去听了" || w == "推门听了" {
			return Parsed{}, false
		}
		return p, true
	}
	score := 0
	if _, ok := matchAny(body, 0, wordList("的", "时", "时候", "后", "以后", "完", "太", "就", "也", "都")); ok {
		score -= 4
	}
	if strings.HasPrefix(w, "听") && strings.Contains(body, "课") {
		score++ // 听了两节课
	}
	if c, sp, ok := classIn(s[bodyStart:]); ok {
		p.Class = c
		header = append(header, span{bodyStart + sp.start, bodyStart + sp.end})
		score += 2
	}
	for i := bodyStart; i < len(s); {
		if sub, ok := matchAny(s, i, subjects); ok {
			p.Subject = sub
			end := i + len(sub)
			if strings.HasPrefix(s[end:], "课") {
				end += len("课")
			}
			header = append(header, span{i, end})
			score += 2
			break
		}
		_, sz := runeAt(s, i)
		i += sz
	}
	if t, sp, ok := m.teacherIn(bodyStart, header); ok {
		p.Teacher = t
		header = append(header, sp)
		score += 2
	}
	score -= 3 * countWords(s[bodyStart:], notObservation)
	if score <= 0 {
		return Parsed{}, false
	}
	p.Text = remarks(s, bodyStart, header)
	return p, true
}

// teacherIn finds a teacher's name after from: X老师, 教师X, a name
// standing alone, or 听了X的.
func (m *message) teacherIn(from int, header []span) (string, span, bool) {
	s := m.s
	if k := strings.Index(s[from:], "老师"); k >= 0 {
		at := from + k
		if t, st, ok := teacherBefore(s, at); ok && st >= from {
			return t, span{st, at + len("老师")}, true
		}
	}
	for _, title := range []string{"青年教师", "新教师", "教师", "班主任", "老师"} {
		if k := strings.Index(s[from:], title); k >= 0 {
			at := from + k + len(title)
			if e, ok := nameAt(s, at); ok && nameBoundary(s, e) {
				return s[at:e], span{from + k, e}, true
			}
		}
	}
	if t, sp, ok := nameToken(s, from, header, func(string) bool { return true }); ok {
		return t, sp, true
	}
	// 听了李明的语文课
	k := skipSpaces(s, from)
	if e, ok := nameAt(s, k); ok && strings.HasPrefix(s[e:], "的") {
		return s[k:e], span{k, e}, true
	}
	return "", span{}, false
}

// ---- talk ----

var (
	talkLeads = wordList("谈心谈话", "谈心记录", "谈话记录", "谈心", "谈话", "交心谈心")
	talkWith  = wordList("和", "与", "跟", "同", "找")
	talkVerbs = wordList("谈心谈话", "谈心", "谈话", "谈了谈", "谈了", "聊了聊", "聊了一会", "聊了", "聊天", "聊", "交流", "谈")
	notTalk   = wordList("走过场", "形式主义", "走形式", "扣", "威胁", "穿小鞋", "批评我", "找我", "叫我", "能不能", "为什么", "凭什么", "没用", "不解决", "就是", "流于")
)

// talk reads a talk with a teacher: 谈心 王老师 …, 和李娜老师谈心 ….
func (m *message) talk(lead int) (Parsed, bool) {
	s := m.s
	rest := s[lead:]
	p := Parsed{Intent: IntentTalk, Date: m.dateOnly()}
	var header []span
	bodyStart := 0
	if w, ok := matchAny(rest, 0, talkLeads); ok {
		bodyStart = lead + len(w)
		header = append(header, span{lead, bodyStart})
		body := strings.TrimFunc(s[bodyStart:], isPunctOrSpace)
		if body == "" {
			return p, true
		}
		if _, ok := matchAny(body, 0, wordList("的", "时", "时候", "就是", "太", "也", "都", "走")); ok {
			return Parsed{}, false
		}
		if t, sp, ok := m.teacherIn(bodyStart, header); ok {
			p.Teacher = t
			header = append(header, sp)
		}
	} else if w, ok := matchAny(rest, 0, talkWith); ok {
		// 和李娜老师谈心, 与青年教师张伟谈心, 找刘老师谈了一次心
		segStart := lead + len(w)
		k := -1
		for i := segStart; i < len(s) && i-segStart <= 30; {
			if _, ok := matchAny(s, i, talkVerbs); ok {
				k = i
				break
			}
			_, sz := runeAt(s, i)
			i += sz
		}
		if k <= segStart {
			return Parsed{}, false
		}
		seg := strings.TrimPrefix(s[segStart:k], "了")
		v, _ := matchAny(s, k, talkVerbs)
		bodyStart = k + len(v)
		header = append(header, span{lead, bodyStart})
		if strings.HasPrefix(s[bodyStart:], "一次心") {
			bodyStart += len("一次心")
		} else if strings.HasPrefix(s[bodyStart:], "心") {
			bodyStart += len("心")
		}
		header = append(header, span{lead, bodyStart})
		t := ""
		if at := strings.LastIndex(seg, "老师"); at >= 0 && at+len("老师") == len(seg) {
			t, _, _ = teacherBefore(seg, at)
		}
		if t == "" {
			for _, title := range []string{"青年教师", "新教师", "教师", "班主任"} {
				if at := strings.Index(seg, title); at >= 0 {
					if e, ok := nameAt(seg, at+len(title)); ok && e == len(seg) {
						t = seg[at+len(title) : e]
					}
				}
			}
		}
		if t == "" && isName(seg) {
			t = seg
		}
		if t == "" && containsAny(seg, []string{"老师", "教师", "班主任"}) {
			t = strings.TrimFunc(seg, isPunctOrSpace) // 三位青年教师: as written
		}
		if t == "" {
			return Parsed{}, false
		}
		p.Teacher = t
	} else {
		return Parsed{}, false
	}
	if countWords(s, notTalk) > 0 || containsAny(s, parentWords) {
		return Parsed{}, false
	}
	p.Text = remarks(s, bodyStart, header)
	return p, true
}
