// Package parse is the message parser: what a parent, teacher or leader
// meant by one chat message. It is pure (no I/O, no clock: "today" comes in ParseContext),
// deterministic and cheap; every table it uses is built once at start-up.
//
// How a message is read, in order (Parse):
//
//  1. normalise: full-width ASCII → half-width (so "，" is ",", "（" is "("),
//     whitespace collapsed (newlines kept, they separate an essay's title),
//     a voice recognition's final "。" removed;
//  2. commands, recognised at the start of the message (帮助, 取消, 台帐,
//     查询 CODE, 交办 CODE …, 满意, 绑定 …, a bare receipt code) — see
//     parse_command.go;
//  3. check-ins, recognised by how staff start them (学习 …, 心得 …, 家访 …,
//     听课 …, 谈心 …) and vetoed when the text reads as a complaint about
//     them ("家访的时候老师收了家长的礼品") — see parse_checkin.go;
//  4. everything else is an opinion, unsure, or unknown, decided by
//     explicit prefixes (建议, 投诉 …), negative or request words, and the
//     category lexicon — see parse_opinion.go.
//
// Quantities written in Chinese numerals (两个半小时, 一千五百字, 三个工作日)
// are read where a quantity is expected (before a unit) rather than by
// rewriting the whole text, so that words such as 一般, 十分, 三年级 and
// 十八大 keep their meaning.
package parse

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Intent is what a message asks for.
type Intent string

// The intents. The first fourteen are the stable interface of
// `minqing parse --json` (a stable interface); the rest are commands the bot needs.
const (
	IntentOpinion     Intent = "opinion"      // an opinion, complaint or suggestion for the ledger
	IntentStudy       Intent = "study"        // a study check-in: 学习 2小时 《论群众路线》 笔记1500字
	IntentEssay       Intent = "essay"        // a reflection essay: 心得 + text
	IntentHomeVisit   Intent = "home_visit"   // a home-visit log: 家访 三(2)班 张小明 上门 …
	IntentObservation Intent = "observation"  // a class observation: 听课 初二3班 语文 李老师 …
	IntentTalk        Intent = "talk"         // a talk with a teacher: 谈心 王老师 …
	IntentTicketQuery Intent = "ticket_query" // 查询 CODE, or a bare receipt code
	IntentRating      Intent = "rating"       // 满意 / 基本满意 / 不满意 after an answer
	IntentProgress    Intent = "progress"     // 我的学习: progress against targets
	IntentDigest      Intent = "digest"       // 周报
	IntentBind        Intent = "bind"         // 绑定 CODE: staff bind their WeChat
	IntentHelp        Intent = "help"         // 帮助
	IntentCancel      Intent = "cancel"       // 取消: leave a multi-step flow
	IntentUnknown     Intent = "unknown"      // greetings, questions of information, anything else

	IntentLedger       Intent = "ledger"        // 台帐 [页码]
	IntentDetail       Intent = "detail"        // 详情 CODE
	IntentAssign       Intent = "assign"        // 交办 CODE 单位 [N天]
	IntentAnswer       Intent = "answer"        // 答复 CODE 内容
	IntentClose        Intent = "close"         // 办结 CODE [说明]
	IntentReject       Intent = "reject"        // 不予受理 CODE 理由
	IntentProcessing   Intent = "processing"    // 办理中 CODE / 受理 CODE
	IntentMerge        Intent = "merge"         // 合并 CODE 到 CODE2 (a duplicate)
	IntentWithdraw     Intent = "withdraw"      // 撤回 [CODE]
	IntentRecategorize Intent = "recategorize"  // 改为 [CODE] 师德师风
	IntentWhoAmI       Intent = "whoami"        // 我是谁
	IntentUnbind       Intent = "unbind"        // 解绑
	IntentSubmit       Intent = "submit"        // 提交
	IntentStartOpinion Intent = "start_opinion" // 我要建议 / 我要提意见 (also the menu)
	IntentYes          Intent = "yes"           // 是 / 对 / 好的 / 确认
	IntentNo           Intent = "no"            // 否 / 不是 / 不用
	IntentToLedger     Intent = "to_ledger"     // 转台帐: file what a family said during the last visit as an opinion

	IntentExcuse          Intent = "excuse"           // 请假 本周 / 请假 11月18日至11月29日
	IntentPauseReminders  Intent = "pause_reminders"  // 暂停提醒
	IntentResumeReminders Intent = "resume_reminders" // 恢复提醒
	IntentEssayList       Intent = "essay_list"       // 心得列表 (leaders)
)

// Intents lists every intent Parse may return.
var Intents = []Intent{
	IntentOpinion, IntentStudy, IntentEssay, IntentHomeVisit, IntentObservation, IntentTalk,
	IntentTicketQuery, IntentRating, IntentProgress, IntentDigest, IntentBind, IntentHelp,
	IntentCancel, IntentUnknown,
	IntentLedger, IntentDetail, IntentAssign, IntentAnswer, IntentClose, IntentReject,
	IntentProcessing, IntentMerge, IntentWithdraw, IntentRecategorize, IntentWhoAmI,
	IntentUnbind, IntentSubmit, IntentStartOpinion, IntentYes, IntentNo, IntentToLedger,
	IntentExcuse, IntentPauseReminders, IntentResumeReminders, IntentEssayList,
}

// Valid reports whether i is one of Intents.
func (i Intent) Valid() bool {
	for _, x := range Intents {
		if x == i {
			return true
		}
	}
	return false
}

// Category is what an opinion is about; it decides who it is routed to.
type Category string

// The categories, from the seeds' counts (领导班子, 处室, 师德师风) and the
// usual subjects of parents' complaints.
const (
	CatLeadership Category = "leadership" // 领导班子
	CatDepartment Category = "department" // 处室部门
	CatEthics     Category = "ethics"     // 师德师风
	CatTeaching   Category = "teaching"   // 教育教学
	CatLogistics  Category = "logistics"  // 后勤保障
	CatSafety     Category = "safety"     // 安全
	CatFees       Category = "fees"       // 收费
	CatOther      Category = "other"      // 其他
)

// Categories lists the categories in display order.
var Categories = []Category{CatLeadership, CatDepartment, CatEthics, CatTeaching, CatLogistics, CatSafety, CatFees, CatOther}

var categoryLabels = map[Category]string{
	CatLeadership: "领导班子",
	CatDepartment: "处室部门",
	CatEthics:     "师德师风",
	CatTeaching:   "教育教学",
	CatLogistics:  "后勤保障",
	CatSafety:     "安全",
	CatFees:       "收费",
	CatOther:      "其他",
}

// categorySynonyms are the other names users and leaders give the
// categories (改为 师德, 分类改为收费 …).
var categorySynonyms = map[string]Category{
	"领导": CatLeadership, "班子": CatLeadership, "领导班子": CatLeadership, "校领导": CatLeadership, "学校领导": CatLeadership,
	"处室": CatDepartment, "部门": CatDepartment, "处室部门": CatDepartment, "科室": CatDepartment,
	"师德": CatEthics, "师风": CatEthics, "师德师风": CatEthics, "教师师德": CatEthics,
	"教学": CatTeaching, "教育教学": CatTeaching, "教育": CatTeaching,
	"后勤": CatLogistics, "后勤保障": CatLogistics,
	"安全": CatSafety, "校园安全": CatSafety,
	"收费": CatFees, "费用": CatFees, "乱收费": CatFees,
	"其他": CatOther, "其它": CatOther,
}

// Label returns the category's Chinese name, or "" if c is not a category.
func (c Category) Label() string { return categoryLabels[c] }

// Valid reports whether c is one of Categories.
func (c Category) Valid() bool { return categoryLabels[c] != "" }

// CategoryFromLabel reads a category from its Chinese name, a common
// synonym (师德, 教学, 后勤, 收费, 安全, 领导, 处室, 其它 …) or its English id.
// Surrounding spaces and punctuation are ignored.
func CategoryFromLabel(s string) (Category, bool) {
	s = strings.TrimFunc(foldWidth(s), func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	s = strings.TrimSuffix(s, "类")
	if c := Category(strings.ToLower(s)); categoryLabels[c] != "" {
		return c, true
	}
	for c, l := range categoryLabels {
		if l == s {
			return c, true
		}
	}
	c, ok := categorySynonyms[s]
	return c, ok
}

// Parsed is what Parse understood of a message. Its JSON form is the
// stable output of `minqing parse --json`.
type Parsed struct {
	Intent   Intent   `json:"intent"`
	Category Category `json:"category,omitempty"` // opinion, recategorize
	Minutes  int      `json:"minutes,omitempty"`  // study: 2小时 → 120
	Chars    int      `json:"chars,omitempty"`    // study: notes written (笔记1500字); essay: length of Text in runes, whitespace excluded
	Title    string   `json:"title,omitempty"`    // study: what was studied; essay: its title if given
	Date     string   `json:"date,omitempty"`     // YYYY-MM-DD when the message names a day
	Until    string   `json:"until,omitempty"`    // excuse: the last day, YYYY-MM-DD
	Class    string   `json:"class,omitempty"`    // home_visit, observation: in NormalizeClass's form, 三(2)班, 初二(3)班
	Student  string   `json:"student,omitempty"`  // home_visit: the student's name
	Teacher  string   `json:"teacher,omitempty"`  // observation: the teacher observed; talk: whom the leader talked with
	Subject  string   `json:"subject,omitempty"`  // observation: 语文, 数学 …
	Mode     string   `json:"mode,omitempty"`     // home_visit: home, phone, video, wechat, school
	Code     string   `json:"code,omitempty"`     // a receipt code, XXXX-XXXX
	Text     string   `json:"text,omitempty"`     // opinion, essay, remarks, answers and reasons
	Unit     string   `json:"unit,omitempty"`     // opinion: a unit of ParseContext.Units named in the text; assign: the unit assigned to
	Days     int      `json:"days,omitempty"`     // assign: the deadline in days
	Page     int      `json:"page,omitempty"`     // ledger: the page asked for
	Target   string   `json:"target,omitempty"`   // merge: the code merged into
	Rating   string   `json:"rating,omitempty"`   // rating: satisfied, basic, unsatisfied
	BindCode string   `json:"bind_code,omitempty"`
	// Topic says what a progress question is about: TopicStudy,
	// TopicVisit, TopicUnvisited or TopicObservation (empty: the sender's
	// main stream).
	Topic string `json:"topic,omitempty"`
	// Unsure marks an opinion read from weak evidence (no prefix, no
	// negative or request word, or only a mild one): the bot should ask
	// before filing it.
	Unsure bool `json:"unsure,omitempty"`
}

// The values of Parsed.Mode.
const (
	ModeHome   = "home"
	ModePhone  = "phone"
	ModeVideo  = "video"
	ModeWeChat = "wechat"
	ModeSchool = "school"
)

// The values of Parsed.Topic.
const (
	TopicStudy       = "study"
	TopicVisit       = "visit"
	TopicObservation = "observation"
)

// The values of Parsed.Rating.
const (
	RatingSatisfied   = "satisfied"
	RatingBasic       = "basic"
	RatingUnsatisfied = "unsatisfied"
)

// ParseContext is what Parse needs to know besides the text.
type ParseContext struct {
	// Today is the current day; its Location is the school's. Relative
	// dates (今天, 周三, 18号) resolve against it; when it is zero only dates
	// with a year are read.
	Today time.Time
	// Units are the names of the school's units (教务处, 三年级, 初二3班 …);
	// the longest one named in an opinion becomes Parsed.Unit.
	Units []string
	// Lexicon adds the school's own keywords to the built-in category
	// lexicon.
	Lexicon Lexicon
}

// Lexicon is extra keywords per category, from a school's configuration.
// Each keyword found in an opinion adds lexiconExtraWeight to its category.
type Lexicon map[Category][]string

// ReceiptAlphabet is the alphabet of receipt codes: 32 symbols, without the
// easily confused 0/O and 1/I.
const ReceiptAlphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

// maxParseInput bounds how much of a message is read. WeChat text messages
// are at most 2048 bytes; essays pasted in may be longer.
const maxParseInput = 20000

// Unread returns how many characters of text Parse does not read (it
// reads at most maxParseInput bytes, cut at a character boundary), so
// that a length reported to the sender counts the whole text.
func Unread(text string) int {
	if len(text) <= maxParseInput {
		return 0
	}
	cut := maxParseInput
	for cut > 0 && !utf8.RuneStart(text[cut]) {
		cut--
	}
	return utf8.RuneCountInString(text[cut:])
}

// Parse reads one chat message. It never fails: what it cannot read is
// IntentUnknown.
func Parse(text string, c ParseContext) Parsed {
	if len(text) > maxParseInput {
		text = text[:maxParseInput]
		for !utf8.ValidString(text) && len(text) > 0 {
			text = text[:len(text)-1]
		}
	}
	m := newMessage(text, c)
	if m.s == "" {
		return Parsed{Intent: IntentUnknown}
	}
	p, ok := m.command()
	if !ok {
		p, ok = m.checkin()
	}
	if !ok {
		p = m.opinion()
	}
	// Free text is given back as it was written, full-width punctuation
	// and all.
	p.Text, p.Title = m.display(p.Text), m.display(p.Title)
	return p
}

// message is one message being parsed.
type message struct {
	// s is the normalised text; every offset below is a byte offset in s.
	s string
	// disp is s without width folding, and offs maps offsets in s to
	// offsets in disp (see display).
	disp string
	offs []int
	ctx  ParseContext
	// dateDone/dateVal/dateAt/dateEnd cache the first date in s.
	dateDone        bool
	dateVal         string
	dateAt, dateEnd int
}

func newMessage(text string, c ParseContext) *message {
	m := &message{ctx: c}
	m.s, m.disp, m.offs = normalizeMessage(text)
	return m
}

// foldWidth maps full-width ASCII (U+FF01–FF5E) to ASCII and the
// ideographic space to a space. It does not allocate when there is nothing
// to fold.
func foldWidth(s string) string {
	need := false
	for _, r := range s {
		if (r >= 0xFF01 && r <= 0xFF5E) || r == 0x3000 {
			need = true
			break
		}
	}
	if !need {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			b.WriteByte(byte(r - 0xFEE0))
		case r == 0x3000:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// normalizeMessage folds widths, turns every run of whitespace into one
// space (or one newline if it held one), drops invalid UTF-8, zero-width
// characters and control characters, trims, and removes trailing "。".
// Besides the folded text it returns the same text unfolded (what the user
// wrote, for the Text slots) and, for each byte offset of the folded text,
// the matching offset in the unfolded one.
func normalizeMessage(text string) (folded, display string, offsets []int) {
	var f, d strings.Builder
	f.Grow(len(text))
	d.Grow(len(text))
	offsets = make([]int, 0, len(text)+1)
	put := func(folded, orig rune) {
		start := d.Len()
		n := utf8.RuneLen(folded)
		for k := 0; k < n; k++ {
			offsets = append(offsets, start)
		}
		f.WriteRune(folded)
		d.WriteRune(orig)
	}
	pendingSpace, pendingNL := false, false
	for _, r := range text {
		switch {
		case r == utf8.RuneError, r == 0x200B, r == 0x200C, r == 0x200D, r == 0xFEFF:
			continue
		case r == '\n' || r == '\r' || r == 0x2028 || r == 0x2029:
			pendingNL = true
			continue
		case unicode.IsSpace(r):
			pendingSpace = true
			continue
		case unicode.IsControl(r):
			continue
		}
		if f.Len() > 0 {
			if pendingNL {
				put('\n', '\n')
			} else if pendingSpace {
				put(' ', ' ')
			}
		}
		pendingSpace, pendingNL = false, false
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			put(r-0xFEE0, r)
		default:
			put(r, r)
		}
	}
	folded, display = f.String(), d.String()
	offsets = append(offsets, len(display))
	for {
		t := strings.TrimRight(folded, " \n")
		t = strings.TrimSuffix(t, "。")
		if len(t) == len(folded) {
			break
		}
		t = strings.TrimRight(t, " \n")
		folded, display, offsets = t, display[:offsets[len(t)]], offsets[:len(t)+1]
	}
	return folded, display, offsets
}

// display returns what the user wrote for sub, a part of the folded text:
// full-width characters as they were (an essay keeps its "，").
func (m *message) display(sub string) string {
	if sub == "" {
		return ""
	}
	at := strings.Index(m.s, sub)
	if strings.HasSuffix(m.s, sub) {
		at = len(m.s) - len(sub)
	}
	if at < 0 {
		return sub
	}
	return m.disp[m.offs[at]:m.offs[at+len(sub)]]
}

// runeCount counts the runes of s that are not whitespace.
func runeCount(s string) int {
	n := 0
	for _, r := range s {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}
