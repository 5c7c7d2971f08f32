package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"minqing/bot/parse"
)

// cmdParse prints what the message parser understands of a text:
//
//	minqing parse [--json] [--today YYYY-MM-DD] [--unit 教务处 ...] TEXT...
//
// TEXT may be several arguments, joined by spaces. Without TEXT it reads
// messages from stdin, one per line, and prints one result per line. With
// --json each result is exactly parse.Parsed as one line of JSON — the stable
// interface of the service; without it, a readable summary.
func cmdParse(ctx context.Context, e *env, args []string) int {
	fs := cliFlags(e, "parse")
	asJSON := fs.Bool("json", false, "print each result as one line of JSON (the stable interface)")
	today := fs.String("today", "", "resolve relative dates (今天, 周三, 18号) against this day, YYYY-MM-DD (default: today in MINQING_TIMEZONE)")
	var units unitFlag
	fs.Var(&units, "unit", "a unit of the school (教务处, 初二3班 …), for the opinion's unit; repeatable")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: minqing parse [--json] [--today YYYY-MM-DD] [--unit NAME ...] [TEXT...]\n\nWithout TEXT, messages are read from stdin, one per line.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	loc, err := parseLocation(e)
	if err != nil {
		fmt.Fprintln(e.stderr, "minqing parse:", err)
		return 2
	}
	day := time.Now().In(loc)
	if *today != "" {
		day, err = time.ParseInLocation("2006-01-02", *today, loc)
		if err != nil {
			fmt.Fprintf(e.stderr, "minqing parse: --today %q: want YYYY-MM-DD\n", *today)
			return 2
		}
	}
	c := parse.ParseContext{Today: day, Units: units}
	emit := func(text string) error {
		p := parse.Parse(text, c)
		if *asJSON {
			b, err := json.Marshal(p)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(e.stdout, "%s\n", b)
			return err
		}
		_, err := fmt.Fprintln(e.stdout, parsedSummary(p))
		return err
	}

	if fs.NArg() > 0 {
		if err := emit(strings.Join(fs.Args(), " ")); err != nil {
			fmt.Fprintln(e.stderr, "minqing parse:", err)
			return 1
		}
		return 0
	}
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if ctx.Err() != nil {
			return 1
		}
		if err := emit(sc.Text()); err != nil {
			fmt.Fprintln(e.stderr, "minqing parse:", err)
			return 1
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		fmt.Fprintln(e.stderr, "minqing parse: reading stdin:", err)
		return 1
	}
	return 0
}

// parseLocation is the schools' time zone, MINQING_TIMEZONE (default
// Asia/Shanghai).
func parseLocation(e *env) (*time.Location, error) {
	name := e.getenv("MINQING_TIMEZONE")
	if name == "" {
		name = "Asia/Shanghai"
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("MINQING_TIMEZONE %q is not a known time zone (e.g. Asia/Shanghai)", name)
	}
	return loc, nil
}

// unitFlag collects repeated --unit flags.
type unitFlag []string

func (u *unitFlag) String() string { return strings.Join(*u, ",") }

func (u *unitFlag) Set(s string) error {
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '，' }) {
		if part = strings.TrimSpace(part); part != "" {
			*u = append(*u, part)
		}
	}
	return nil
}

// intentNames are the intents in Chinese, for the readable summary.
var intentNames = map[parse.Intent]string{
	parse.IntentOpinion: "意见建议", parse.IntentStudy: "学习打卡", parse.IntentEssay: "心得体会", parse.IntentHomeVisit: "家访记录",
	parse.IntentObservation: "听课记录", parse.IntentTalk: "谈心记录", parse.IntentTicketQuery: "查询回执", parse.IntentRating: "评价",
	parse.IntentProgress: "学习进度", parse.IntentDigest: "周报", parse.IntentBind: "绑定", parse.IntentHelp: "帮助",
	parse.IntentCancel: "取消", parse.IntentUnknown: "未识别", parse.IntentLedger: "民情台帐", parse.IntentDetail: "详情",
	parse.IntentAssign: "交办", parse.IntentAnswer: "答复", parse.IntentClose: "办结", parse.IntentReject: "不予受理",
	parse.IntentProcessing: "办理中", parse.IntentMerge: "合并", parse.IntentWithdraw: "撤回", parse.IntentRecategorize: "改分类",
	parse.IntentWhoAmI: "我是谁", parse.IntentUnbind: "解绑", parse.IntentSubmit: "提交", parse.IntentStartOpinion: "我要建议",
	parse.IntentYes: "是", parse.IntentNo: "否",
}

// parsedSummary is one readable line: the intent, its Chinese name, and
// the slots that are set, e.g.
//
//	study 学习打卡  minutes=120 chars=1500 title=论群众路线
func parsedSummary(p parse.Parsed) string {
	var b strings.Builder
	b.WriteString(string(p.Intent))
	if n := intentNames[p.Intent]; n != "" {
		b.WriteString(" " + n)
	}
	if p.Unsure {
		b.WriteString(" (unsure: ask before filing)")
	}
	b.WriteString(" ")
	add := func(k, v string) {
		if v == "" {
			return
		}
		if strings.ContainsAny(v, " \n\t\"") {
			v = strconv.Quote(v)
		}
		b.WriteString(" " + k + "=" + v)
	}
	num := func(k string, v int) {
		if v != 0 {
			add(k, strconv.Itoa(v))
		}
	}
	if p.Category != "" {
		add("category", string(p.Category)+"("+p.Category.Label()+")")
	}
	num("minutes", p.Minutes)
	num("chars", p.Chars)
	add("title", p.Title)
	add("date", p.Date)
	add("class", p.Class)
	add("student", p.Student)
	add("teacher", p.Teacher)
	add("subject", p.Subject)
	add("mode", p.Mode)
	add("code", p.Code)
	add("unit", p.Unit)
	num("days", p.Days)
	num("page", p.Page)
	add("target", p.Target)
	add("rating", p.Rating)
	add("bind_code", p.BindCode)
	add("text", p.Text)
	return strings.TrimRight(b.String(), " ")
}
