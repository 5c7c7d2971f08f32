package parse

// Home visits (家访), class observations (听课) and talks (谈心): the
// check-ins of class teachers and leaders. See parse_checkin.go for how
// check-ins are recognised and weighed.

import (
	"strings"
	"time"
)

// TopicUnvisited is the topic of 未家访: the students of the sender's
// classes not visited this semester.
const TopicUnvisited = "unvisited"

// Whole-message commands of visits and observations: progress questions
// and 转台帐.
var (
	visitProgressCore = wordList("我的家访", "家访情况", "家访进度", "家访统计", "家访次数", "家访完成情况", "家访覆盖", "家访覆盖率",
		"家访了几次", "家访了几个", "家访了多少", "家访几次", "家访多少次", "家访够了吗", "家访达标了吗", "家访完成了吗")
	unvisitedCore   = wordList("未家访", "还没家访", "没家访", "没有家访", "还没有家访", "未家访学生", "未家访名单", "尚未家访", "没访过", "没去家访")
	observeProgress = wordList("我的听课", "听课情况", "听课进度", "听课统计", "听课次数", "听了几节课", "听了几节", "听了多少节", "听了多少节课",
		"听课几节", "还差几节课", "还差几节", "差几节课", "差几节", "还差多少节", "我的谈心", "谈心情况", "谈心进度", "谈了几次心", "谈心几次",
		"听课谈心", "我的听课谈心", "听课够了吗", "听课达标了吗", "听课完成了吗")
	toLedgerCore = wordList("转台帐", "转台账", "转入台帐", "转入台账", "转到台帐", "转到台账", "转为台帐", "转为台账", "转民情台帐", "转民情台账",
		"转入民情台帐", "转入民情台账", "记入台帐", "记入台账", "录入台帐", "录入台账")
	visitProgressFill = wordList("我", "我的", "这周", "本周", "这个星期", "这星期", "这学期", "本学期", "学期", "这个月", "本月", "了", "吗", "呢", "啊",
		"查", "查询", "查看", "看看", "看一下", "一下", "情况", "的", "还", "有", "共", "一共", "总共", "现在", "目前", "请问", "和", "班", "我班", "班上",
		"谁", "还有谁", "哪些", "哪些学生", "学生", "名单", "家庭", "哪几个", "哪几家", "几家")
	toLedgerFill = wordList("吧", "请", "帮我", "一下", "把", "这条", "这次", "刚才", "家访", "的", "意见", "家长意见", "家长的意见", "了", "要", "我要")
)

// visitCommand reads the whole-message commands of visits: 我的家访,
// 未家访, 我的听课, 还差几节课 and 转台帐. lower is the message from its
// first letter, ASCII lower-cased.
func visitCommand(lower string) (Parsed, bool) {
	// every core word has one of these: most messages are done here
	if !strings.ContainsAny(lower, "访听谈台差") {
		return Parsed{}, false
	}
	switch {
	case onlyWords(lower, toLedgerCore, toLedgerFill):
		return Parsed{Intent: IntentToLedger}, true
	case onlyWords(lower, unvisitedCore, visitProgressFill):
		return Parsed{Intent: IntentProgress, Topic: TopicUnvisited}, true
	case onlyWords(lower, visitProgressCore, visitProgressFill):
		return Parsed{Intent: IntentProgress, Topic: TopicVisit}, true
	case onlyWords(lower, observeProgress, visitProgressFill):
		return Parsed{Intent: IntentProgress, Topic: TopicObservation}, true
	}
	return Parsed{}, false
}

// DateIn reads the first day named in text (今天, 昨天, 周二, 11月18日,
// 2026-11-02) against today, in today's location, as YYYY-MM-DD; ok is
// false when the text names none.
func DateIn(text string, today time.Time) (string, bool) {
	m := newMessage(text, ParseContext{Today: today})
	d, _ := m.firstDate()
	return d, d != ""
}

// ModeIn reads how a visit was made from a short answer: ModeVideo,
// ModePhone, ModeHome, ModeWeChat, or "" if the text names none.
func ModeIn(text string) string {
	s := Fold(text)
	switch {
	case strings.Contains(s, "视频"):
		return ModeVideo
	case containsAny(s, []string{"电话", "电访", "通话", "手机"}):
		return ModePhone
	case containsAny(s, []string{"上门", "入户", "到家", "走访", "家访", "实地", "家里", "去家"}):
		return ModeHome
	case strings.Contains(s, "微信"):
		return ModeWeChat
	}
	return ""
}

var (
	homeVisitLeads = wordList("家访记录", "家访", "电话家访", "视频家访", "微信家访", "上门家访", "入户家访", "走访了", "走访", "访问了", "家访了", "去家访", "进行家访", "开展家访",
		"家仿", "家防", "家坊", "家纺", "家方", "电访", "电话访", "电话回访", "回访")
	goLeads   = wordList("去了", "去", "到了", "到", "走进了", "走进", "来到")
	modeWords = []struct{ word, mode string }{
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
		if strings.Contains(w, "电") {
			p.Mode = ModePhone
		}
		body := strings.TrimLeft(s[bodyStart:], " ")
		if _, ok := matchAny(body, 0, wordList("的", "时", "时候", "的时候", "老师", "太", "就", "也", "都", "让", "还", "是", "要", "搞", "走", "任务", "工作")); ok {
			score -= 4
		}
		if strings.TrimFunc(body, isPunctOrSpace) == "" {
			return p, true // 家访: the bot asks for the details
		}
	} else if cp, ok := m.callVisit(lead); ok {
		return cp, true
	} else if w, ok := matchAny(rest, 0, goLeads); ok {
		// 去三年级二班王浩家家访, 周三到黄欣怡家
		i := lead + len(w)
		if c, sp, ok := classIn(s[i:]); ok && sp.start == 0 {
			p.Class = NormalizeClass(c)
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
			p.Class = NormalizeClass(c)
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

var (
	callWith    = wordList("给", "和", "跟", "与", "同")
	callParents = wordList("的家长", "的妈妈", "的爸爸", "的奶奶", "的爷爷", "的外婆", "的姥姥", "家长", "妈妈", "爸爸", "奶奶", "爷爷", "外婆", "姥姥", "父母", "母亲", "父亲")
	callVerbs   = []struct{ word, mode string }{
		{"打了个电话", ModePhone}, {"打了一个电话", ModePhone}, {"打了电话", ModePhone}, {"打电话", ModePhone}, {"通了电话", ModePhone}, {"通电话", ModePhone},
		{"通了个电话", ModePhone}, {"电话沟通", ModePhone}, {"电话联系", ModePhone}, {"通话", ModePhone}, {"打了视频", ModeVideo},
		{"微信视频", ModeVideo}, {"视频通话", ModeVideo}, {"视频聊了", ModeVideo}, {"视频了", ModeVideo}, {"视频", ModeVideo}, {"开了视频", ModeVideo},
	}
	callTail = wordList("了一下", "了一次", "了", "一下", "一次", "沟通", "交流", "聊了聊", "聊了")
)

// callVisit reads a visit made by phone or video and written without the
// word 家访: 给五年级一班胡一帆家长打了电话, 和四年级3班黄子轩妈妈视频了一下.
// A named student's parent and a call are needed.
func (m *message) callVisit(lead int) (Parsed, bool) {
	s := m.s
	w, ok := matchAny(s, lead, callWith)
	if !ok {
		return Parsed{}, false
	}
	i := lead + len(w)
	p := Parsed{Intent: IntentHomeVisit, Date: m.dateOnly()}
	if c, sp, ok := classIn(s[i:]); ok && sp.start == 0 {
		p.Class = NormalizeClass(c)
		i += sp.end
	}
	e, ok := nameAt(s, i)
	if !ok {
		return Parsed{}, false
	}
	// the name may have eaten the first character of a parent word (张小明爸爸: 明爸 is not a name)
	student := s[i:e]
	pw, ok := matchAny(s, e, callParents)
	for !ok && e > i {
		_, sz := runeBefore(s, e)
		if e-sz <= i {
			break
		}
		e -= sz
		if pw, ok = matchAny(s, e, callParents); ok {
			student = s[i:e]
		}
	}
	if !ok || !isName(student) {
		return Parsed{}, false
	}
	j := e + len(pw)
	if strings.HasPrefix(s[j:], "了") {
		j += len("了")
	}
	found := false
	for k := j; k < len(s) && k-j <= 12; {
		for _, cv := range callVerbs {
			if strings.HasPrefix(s[k:], cv.word) {
				p.Mode, j, found = cv.mode, k+len(cv.word), true
				break
			}
		}
		if found {
			break
		}
		_, sz := runeAt(s, k)
		k += sz
	}
	if !found {
		return Parsed{}, false
	}
	if t, ok := matchAny(s, j, callTail); ok {
		j += len(t)
	}
	if containsAny(s, parentWords) || countWords(stripReported(s[j:]), complaintWords) > 0 {
		return Parsed{}, false
	}
	p.Student = student
	p.Text = strings.TrimFunc(s[j:], isPunctOrSpace)
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
		return m.goObservation(lead)
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
		p.Class = NormalizeClass(c)
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

var (
	lessonOrdinal = wordList("第一节", "第二节", "第三节", "第四节", "第五节", "第六节", "第七节", "第八节", "第1节", "第2节", "第3节", "第4节", "第5节", "第6节", "第7节", "第8节")
	goObserve     = wordList("去了", "去", "到了", "到", "走进了", "走进", "进了", "进", "在")
	heardLesson   = wordList("听了一节", "听了节", "听了一堂", "听了堂", "听了", "听一节", "听课", "听")
)

// goObservation reads an observation told as a visit to a class:
// 今天上午第三节去初二3班听了节语文课.
func (m *message) goObservation(lead int) (Parsed, bool) {
	s := m.s
	i := lead
	if w, ok := matchAny(s, i, lessonOrdinal); ok {
		i += len(w)
		if strings.HasPrefix(s[i:], "课") {
			i += len("课")
		}
	}
	w, ok := matchAny(s, i, goObserve)
	if !ok {
		return Parsed{}, false
	}
	i += len(w)
	c, sp, ok := classIn(s[i:])
	if !ok || sp.start != 0 {
		return Parsed{}, false
	}
	i += sp.end
	if strings.HasPrefix(s[i:], "里") {
		i += len("里")
	}
	h, ok := matchAny(s, i, heardLesson)
	if !ok {
		return Parsed{}, false
	}
	i += len(h)
	p := Parsed{Intent: IntentObservation, Date: m.dateOnly(), Class: NormalizeClass(c)}
	if sub, ok := matchAny(s, i, subjects); ok {
		p.Subject = sub
		i += len(sub)
	}
	if strings.HasPrefix(s[i:], "课") {
		i += len("课")
	}
	if countWords(s, notObservation) > 0 {
		return Parsed{}, false
	}
	p.Text = strings.TrimFunc(s[i:], isPunctOrSpace)
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
