package parse

import (
	"slices"
	"strings"
	"unicode"
)

// Commands are recognised at the start of a message. Those without
// arguments (帮助, 取消, 周报, 我的学习 …) must make up the whole message,
// give or take polite fillers (吧, 一下, 谢谢 …), so that "取消" is a command
// and "取消了周末的补课是好事" is not; those with a receipt code (查询 CODE,
// 交办 CODE 总务处 3天 …) are read by their leading word.

// wordList is a list of words, longest first, for matchAny.
func wordList(ws ...string) []string {
	ws = slices.Clone(ws)
	slices.SortStableFunc(ws, func(a, b string) int { return len(b) - len(a) })
	return ws
}

// wholeCommand is a command that must make up the whole message.
type wholeCommand struct {
	intent  Intent
	core    []string // at least one of these
	fillers []string // and nothing but these besides
}

var wholeCommands = []wholeCommand{
	{IntentHelp,
		wordList("帮助", "help", "菜单", "怎么用", "怎么使用", "如何使用", "使用说明", "说明", "用法", "功能", "使用方法", "不会用", "指南", "操作说明",
			"能干什么", "能做什么", "干什么的", "做什么的", "有什么用", "有啥用", "可以做什么", "可以干什么"),
		wordList("这个", "这个号", "公众号", "请问", "一下", "啊", "呀", "吧", "呢", "的", "看看", "我", "有什么", "有哪些", "查看", "发", "怎么", "是", "能", "可以", "你们", "你", "这", "平台")},
	{IntentUnbind,
		wordList("解绑", "解除绑定", "取消绑定"),
		wordList("吧", "我要", "请", "帮我", "一下", "我的", "微信", "账号")},
	{IntentWhoAmI,
		wordList("我是谁", "我的身份", "我的信息", "我绑定了吗", "我绑定了没有", "whoami"),
		wordList("请问", "查看", "查询", "看看")},
	{IntentSubmit,
		wordList("提交", "确认提交", "提交吧"),
		wordList("好了", "好的", "好", "那就", "确认", "写完了", "完了", "就这些", "吧", "可以", "了", "现在", "请", "我要", "帮我")},
	{IntentStartOpinion,
		wordList("我要建议", "我要提意见", "我要提建议", "我要反映问题", "我要反映", "我要投诉", "我有意见", "我有建议", "我有个建议", "我有个意见",
			"我想提个建议", "我想提个意见", "我想提意见", "我想提建议", "我想反映个问题", "我想反映一个问题", "我想反映问题", "我想反映", "我要举报",
			"提意见", "提建议", "反映问题", "意见建议", "建议", "意见", "投诉", "我有问题要反映", "给学校提意见", "给学校提建议", "我想投诉",
			"提点建议", "提点意见", "提个建议", "提个意见", "提一个建议", "提一点意见"),
		wordList("一下", "个", "吧", "啊", "我", "想", "要", "一个", "点", "一点", "可以吗", "怎么弄", "给学校", "给你们", "向学校", "学校")},
	{IntentCancel,
		wordList("取消", "退出", "算了", "不说了", "不弄了", "不提了", "不写了", "放弃", "不发了", "结束", "quit", "exit", "cancel", "不反映了"),
		wordList("吧", "了", "啊", "呀", "还是", "我", "先", "哦", "这个", "一下")},
	{IntentDigest,
		wordList("周报", "周汇总", "本周汇总", "民情周报", "digest"),
		wordList("看", "查看", "看一下", "看看", "一下", "本周", "这周", "上周", "这一周", "上一周", "的", "我要", "请", "发", "给我", "吧", "呢", "啊", "最新", "生成", "一份", "发我", "给我看", "发一下", "看下", "帮我", "帮忙")},
	{IntentProgress,
		wordList("我的学习", "学习进度", "学习情况", "我学了多少", "学了多少", "学习时长", "我的打卡", "打卡情况", "打卡记录", "完成情况", "我的进度",
			"够了吗", "够不够", "达标了吗", "完成了吗", "学够了吗", "学了几个小时", "学了几小时", "progress"),
		wordList("我", "我的", "这周", "本周", "这个星期", "本月", "这个月", "这学期", "本学期", "学期", "学习", "学了", "了", "多少", "小时", "查", "查询",
			"看看", "看一下", "一下", "查看", "情况", "的", "吗", "呢", "啊", "有", "共", "一共", "总共", "够", "没有", "时间", "进度", "记录")},
}

// Ratings, longest first within each level.
var ratingWords = []struct{ word, rating string }{
	{"非常不满意", RatingUnsatisfied}, {"特别不满意", RatingUnsatisfied}, {"十分不满意", RatingUnsatisfied}, {"很不满意", RatingUnsatisfied},
	{"不是很满意", RatingUnsatisfied}, {"不怎么满意", RatingUnsatisfied}, {"不太满意", RatingUnsatisfied}, {"不满意", RatingUnsatisfied},
	{"基本满意", RatingBasic}, {"比较满意", RatingBasic}, {"还算满意", RatingBasic}, {"马马虎虎", RatingBasic}, {"一般般", RatingBasic},
	{"还可以", RatingBasic}, {"还行", RatingBasic}, {"一般", RatingBasic}, {"凑合", RatingBasic}, {"将就", RatingBasic},
	{"非常满意", RatingSatisfied}, {"十分满意", RatingSatisfied}, {"特别满意", RatingSatisfied}, {"很满意", RatingSatisfied},
	{"挺满意", RatingSatisfied}, {"满意", RatingSatisfied},
}

var (
	yesCore    = wordList("是的", "是", "对的", "对", "好的", "好", "确认", "确定", "可以", "行", "嗯嗯", "嗯", "没错", "没问题", "ok", "okay", "yes", "y", "要", "是啊", "对啊")
	yesFillers = wordList("吧", "啊", "呀", "的", "谢谢", "谢谢老师", "了", "哦", "呢", "嗯")
	noCore     = wordList("不是", "不用了", "不用", "不要", "不对", "不需要", "否", "没有", "no", "n", "不了", "不")
	noFillers  = wordList("了", "吧", "谢谢", "啊", "呀", "哦", "的")
	fillers    = wordList("吧", "啊", "呀", "了", "哦", "呢", "的", "一下", "谢谢", "麻烦", "请", "帮我", "我的")
)

// codeCommand is a command led by a word and usually followed by a code.
type codeCommand struct {
	intent   Intent
	words    []string
	needCode bool // without a code the message is not this command
}

var codeCommands = []codeCommand{
	{IntentReject, wordList("不予受理", "不受理", "驳回"), false},
	{IntentProcessing, wordList("办理中", "正在办理", "受理"), true},
	{IntentDetail, wordList("详情", "查看详情", "查看"), true},
	{IntentAssign, wordList("交办", "转办", "指派", "分派"), false},
	{IntentAnswer, wordList("答复"), false},
	{IntentAnswer, wordList("回复"), true},
	{IntentClose, wordList("办结", "结办"), false},
	{IntentMerge, wordList("合并"), false},
	{IntentWithdraw, wordList("撤回", "撤销"), false},
	{IntentTicketQuery, wordList("查询进度", "查进度", "查询", "查一下", "查查", "查", "进度", "回执码", "回执", "我的回执", "ticket"), true},
}

// ticketWords may follow 查询 without a code: 查一下我的回执.
var ticketWords = wordList("回执", "回执码", "意见", "建议", "投诉", "反映的问题", "问题", "进度", "结果", "答复", "回复", "我的", "我反映的", "我提的")

var recategorizeWords = wordList("分类改为", "分类改成", "类别改为", "改分类为", "改分类", "归类为", "改为", "改成", "归为", "分类")

var ledgerWords = wordList("民情台帐", "民情台账", "查看台帐", "查看台账", "看台帐", "看台账", "台帐", "台账", "ledger")

// isPunctOrSpace reports whether r is punctuation, a symbol or a space.
func isPunctOrSpace(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
}

// onlyWords reports whether s is made of at least one word of core and
// otherwise only words of fill, with spaces and punctuation between.
func onlyWords(s string, core, fill []string) bool {
	found := false
	for i := 0; i < len(s); {
		r, sz := runeAt(s, i)
		if isPunctOrSpace(r) {
			i += sz
			continue
		}
		if w, ok := matchAny(s, i, core); ok {
			found = true
			i += len(w)
			continue
		}
		if w, ok := matchAny(s, i, fill); ok {
			i += len(w)
			continue
		}
		return false
	}
	return found
}

// asciiLower lower-cases ASCII letters only, so that byte offsets stay.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// command recognises a command; ok is false if the message is not one.
func (m *message) command() (Parsed, bool) {
	s := m.s
	lower := asciiLower(s)
	// Leading punctuation ("【查询】", "#台帐") does not matter.
	start := strings.IndexFunc(lower, func(r rune) bool { return !isPunctOrSpace(r) })
	if start < 0 {
		if strings.ContainsAny(s, "?？") {
			return Parsed{Intent: IntentHelp}, true
		}
		return Parsed{}, false
	}
	head, lhead := s[start:], lower[start:]

	if r, ok := m.rating(head); ok {
		return r, true
	}
	short := len(head) <= 90 // whole-message commands are short: skip them for essays
	if p, ok := visitCommand(lhead); ok && short {
		return p, true
	}
	for _, c := range wholeCommands {
		if !short {
			break
		}
		if onlyWords(lhead, c.core, c.fillers) {
			return Parsed{Intent: c.intent}, true
		}
	}
	if howToQuestion(head) {
		return Parsed{Intent: IntentHelp}, true
	}
	if short && onlyWords(lhead, yesCore, yesFillers) {
		return Parsed{Intent: IntentYes}, true
	}
	if short && onlyWords(lhead, noCore, noFillers) {
		return Parsed{Intent: IntentNo}, true
	}
	if w, ok := matchAny(lhead, 0, ledgerWords); ok {
		if p, ok := ledgerPage(head[len(w):]); ok {
			return Parsed{Intent: IntentLedger, Page: p}, true
		}
	}
	if strings.HasPrefix(head, "绑定") {
		if code, ok := bindCode(head[len("绑定"):]); ok {
			return Parsed{Intent: IntentBind, BindCode: code}, true
		}
	}
	if w, ok := matchAny(head, 0, recategorizeWords); ok {
		if p, ok := recategorize(head[len(w):], w); ok {
			return p, true
		}
	}
	for _, c := range codeCommands {
		w, ok := matchAny(lhead, 0, c.words)
		if !ok {
			continue
		}
		if p, ok := m.codeCommand(c, head[len(w):]); ok {
			return p, true
		}
	}
	// "重复 CODE CODE2": the first is a duplicate of the second.
	if strings.HasPrefix(head, "重复") {
		if p, ok := merge(head[len("重复"):]); ok && p.Target != "" {
			return p, true
		}
	}
	// A receipt code with nothing else of substance is a query; with a
	// rating it is the rating of that opinion.
	if code, sp, ok := codeIn(head); ok {
		rest := cutSpan(head, sp)
		if sp.start == 0 {
			if r, ok := m.rating(rest); ok && r.Code == "" {
				r.Code = code
				return r, true
			}
		}
		if rest == "" || onlyWords(rest, wordList("怎么样了", "怎么样", "进度", "进展", "结果", "有回复吗", "有回复了吗", "回复了吗", "处理了吗", "回执码", "回执", "我的", "查", "查询", "一下"), fillers) {
			return Parsed{Intent: IntentTicketQuery, Code: code}, true
		}
	}
	if ticketFollowUp(head) {
		return Parsed{Intent: IntentTicketQuery}, true
	}
	return Parsed{}, false
}

// rating reads 满意 / 基本满意 / 不满意, alone or followed by a separator
// and a comment, or by the receipt code it is about.
func (m *message) rating(head string) (Parsed, bool) {
	for _, p := range []string{"评价", "我的评价", "打分"} {
		if strings.HasPrefix(head, p) {
			head = strings.TrimLeft(head[len(p):], " :")
			break
		}
	}
	for _, rw := range ratingWords {
		if !strings.HasPrefix(head, rw.word) {
			continue
		}
		rest := head[len(rw.word):]
		p := Parsed{Intent: IntentRating, Rating: rw.rating}
		for {
			w, ok := matchAny(rest, 0, wordList("了", "的", "吧", "啊", "呀", "哦", "!", "~"))
			if !ok {
				break
			}
			rest = rest[len(w):]
		}
		if rest == "" {
			return p, true
		}
		if code, sp, ok := codeIn(rest); ok && strings.TrimSpace(rest[:sp.start]) == "" {
			p.Code = code
			rest = rest[sp.end:]
		}
		r, _ := runeAt(rest, 0)
		if rest == "" || isPunctOrSpace(r) || strings.HasPrefix(rest, "谢谢") || strings.HasPrefix(rest, "感谢") {
			p.Text = strings.TrimFunc(rest, isPunctOrSpace)
			return p, true
		}
		return Parsed{}, false
	}
	return Parsed{}, false
}

// howToQuestion reports a short question about how to use the service:
// 怎么提意见, 如何查询进度, 怎样绑定, 怎么家访登记.
func howToQuestion(s string) bool {
	if runeCount(s) > 14 {
		return false
	}
	if _, ok := matchAny(s, 0, wordList("怎么", "如何", "怎样", "咋", "请问怎么", "请问如何", "请问怎样")); !ok {
		return false
	}
	return containsAny(s, serviceVerbs)
}

// serviceVerbs are what one does with the service.
var serviceVerbs = []string{"提意见", "提建议", "反映", "建议", "投诉", "查询", "查进度", "绑定", "解绑", "打卡", "使用", "用这个", "提交", "心得", "登记", "记录", "上报", "填写", "评价", "家访", "听课", "谈心", "周报", "台帐", "台账", "回执"}

// ticketFollowUp reports a question about an opinion sent earlier, without
// its code: 我反映的问题有回复了吗, 上次提的建议怎么样了.
func ticketFollowUp(s string) bool {
	if runeCount(s) > 30 {
		return false
	}
	mine := false
	for _, w := range []string{"反映的", "提的", "投诉的", "我的意见", "我的建议", "我的投诉", "上次的", "我的问题", "我提交的", "发的建议", "发的意见"} {
		if strings.Contains(s, w) {
			mine = true
			break
		}
	}
	if !mine {
		return false
	}
	for _, w := range []string{"回复", "答复", "怎么样了", "处理了", "处理得", "处理的", "进展", "进度", "结果", "有消息", "有人管", "有没有人管", "解决了吗", "办了吗", "落实了吗", "怎么还没", "还没处理", "还没解决"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// ledgerPage reads what follows 台帐: nothing, or a page (2, 第3页, 三).
func ledgerPage(rest string) (int, bool) {
	rest = strings.TrimFunc(rest, isPunctOrSpace)
	if rest == "" {
		return 0, true
	}
	rest = strings.TrimPrefix(rest, "第")
	n, e, ok := intAt(rest, 0)
	if !ok || n <= 0 || n > 10000 {
		return 0, false
	}
	tail := strings.TrimFunc(rest[e:], isPunctOrSpace)
	if tail != "" && tail != "页" {
		return 0, false
	}
	return n, true
}

// bindCode reads the staff bind code after 绑定: 6–10 letters and digits,
// upper-cased. Nothing at all is a bind without a code (the bot asks).
func bindCode(rest string) (string, bool) {
	rest = strings.TrimFunc(rest, isPunctOrSpace)
	for _, p := range []string{"绑定码", "验证码", "邀请码", "码"} {
		rest = strings.TrimFunc(strings.TrimPrefix(rest, p), isPunctOrSpace)
	}
	if rest == "" {
		return "", true
	}
	// Letters and digits of the wrong length are still a bind: the bot says
	// the code is wrong.
	var b strings.Builder
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		switch {
		case c == ' ' || c == '-':
			continue
		case !isASCIIAlnum(c):
			return "", false
		case c >= 'a' && c <= 'z':
			c -= 'a' - 'A'
		}
		b.WriteByte(c)
	}
	if b.Len() < 6 || b.Len() > 10 {
		return "", b.Len() <= 20
	}
	return b.String(), true
}

// recategorize reads "改为 [CODE] 师德师风".
func recategorize(rest, word string) (Parsed, bool) {
	p := Parsed{Intent: IntentRecategorize}
	if code, sp, ok := codeIn(rest); ok {
		p.Code = code
		rest = cutSpan(rest, sp)
	}
	rest = strings.TrimFunc(rest, isPunctOrSpace)
	for _, f := range []string{"分类为", "分类", "为", "成"} {
		rest = strings.TrimFunc(strings.TrimPrefix(rest, f), isPunctOrSpace)
	}
	if c, ok := CategoryFromLabel(rest); ok {
		p.Category = c
		return p, true
	}
	// 改为/改成 is an ordinary verb too ("改为每周一次"): only a category
	// makes it a command. The explicit forms are commands regardless.
	if strings.Contains(word, "分类") || strings.Contains(word, "类别") {
		return p, true
	}
	return Parsed{}, false
}

// codeCommand reads the rest of a command led by a word of c.
func (m *message) codeCommand(c codeCommand, rest string) (Parsed, bool) {
	if c.intent == IntentMerge {
		return merge(rest)
	}
	p := Parsed{Intent: c.intent}
	code, sp, ok := codeIn(rest)
	if ok && strings.TrimFunc(rest[:sp.start], isPunctOrSpace) != "" {
		ok = false // the code comes first: "查一下明天的 K7M2-9QXD…" is not a command
	}
	after := strings.TrimFunc(rest, isPunctOrSpace)
	if ok {
		p.Code = code
		after = strings.TrimFunc(rest[sp.end:], isPunctOrSpace)
	} else if c.needCode {
		// 查询 / 查一下 alone asks about one's own opinions.
		if c.intent == IntentTicketQuery && (onlyFillers(rest) || onlyWords(rest, ticketWords, fillers)) {
			return p, true
		}
		return Parsed{}, false
	}
	switch c.intent {
	case IntentAssign:
		p.Unit, p.Days = m.assignee(after)
	case IntentAnswer, IntentClose, IntentReject:
		p.Text = after
	case IntentWithdraw:
		if runeCount(after) > 12 {
			return Parsed{}, false
		}
	case IntentTicketQuery, IntentDetail, IntentProcessing:
		if runeCount(after) > 16 {
			return Parsed{}, false
		}
	}
	return p, true
}

// onlyFillers reports whether s holds nothing but fillers, spaces and
// punctuation.
func onlyFillers(s string) bool {
	for i := 0; i < len(s); {
		r, sz := runeAt(s, i)
		if isPunctOrSpace(r) {
			i += sz
			continue
		}
		w, ok := matchAny(s, i, fillers)
		if !ok {
			return false
		}
		i += len(w)
	}
	return true
}

// merge reads "CODE 到 CODE2" (合并 … 到/至/入/→ …).
func merge(rest string) (Parsed, bool) {
	p := Parsed{Intent: IntentMerge}
	code, sp, ok := codeIn(rest)
	if !ok {
		return p, true
	}
	p.Code = code
	if code2, _, ok := codeFrom(rest, sp.end); ok {
		p.Target = code2
	}
	return p, true
}

// assignee reads "总务处 3天" / "给教务处，三个工作日内" after 交办 CODE.
func (m *message) assignee(s string) (string, int) {
	days := 0
	daySpan := span{-1, -1}
	scanNumbers(s, func(i int) int {
		if daySpan.start >= 0 {
			return len(s)
		}
		v, j, ok := numberAt(s, i)
		if !ok || v != float64(int(v)) {
			return -1
		}
		k := skipSpaces(s, j)
		w, ok := matchAny(s, k, wordList("个工作日", "工作日", "天", "日", "周", "个星期", "星期"))
		if !ok {
			return -1
		}
		days = int(v)
		if strings.Contains(w, "周") || strings.Contains(w, "星期") {
			days *= 7
		}
		end := k + len(w)
		if w2, ok := matchAny(s, end, wordList("内办结", "内完成", "内答复", "内", "之内", "以内")); ok {
			end += len(w2)
		}
		start := i
		if pre := strings.TrimRight(s[:i], " "); strings.HasSuffix(pre, "限") {
			start = len(pre) - len("限")
		}
		daySpan = span{start, end}
		return end
	})
	unitText := s
	if daySpan.start >= 0 {
		unitText = s[:daySpan.start] + " " + s[daySpan.end:]
	}
	unitText = strings.TrimFunc(unitText, isPunctOrSpace)
	for _, p := range []string{"交给", "给", "由", "到", "请"} {
		unitText = strings.TrimFunc(strings.TrimPrefix(unitText, p), isPunctOrSpace)
	}
	for _, suf := range []string{"办理", "处理", "负责", "落实"} {
		unitText = strings.TrimFunc(strings.TrimSuffix(unitText, suf), isPunctOrSpace)
	}
	if u := longestUnit(unitText, m.ctx.Units); u != "" {
		return u, days
	}
	return unitText, days
}

// longestUnit returns the longest of units that occurs in s.
func longestUnit(s string, units []string) string {
	best := ""
	for _, u := range units {
		if len(u) > len(best) && u != "" && strings.Contains(s, u) {
			best = u
		}
	}
	return best
}
