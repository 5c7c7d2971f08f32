package main

import (
	"fmt"
	"math/rand/v2"
	"time"

	"minqing/bot"
	"minqing/bot/chat"
)

// A generator of realistic ledger history, for `minqing demo` (a few
// months of one school) and `minqing gen-district` (two years of fifty):
// opinions arriving through the week in school hours and evenings, the
// usual mix of categories and sources, and each taken through the
// lifecycle the way schools do — most assigned within a day, answered
// within their due date or a little after, closed, often rated; a few
// rejected, merged or withdrawn; the most recent still open.

// genSchool is what the generator needs of a school.
type genSchool struct {
	ID int64
	// Named are units an opinion may name (classes, grades, branch
	// schools); Depts are the departments opinions are assigned to.
	Named, Depts []int64
	// Recorders are staff who record home-visit opinions; Actor acts on
	// the ledger (0: none recorded).
	Recorders []int64
	Actor     int64
	// Parents is the size of the pool of senders.
	Parents int
}

// genOpinion is one generated opinion with its events and sender.
type genOpinion struct {
	O      bot.Opinion
	Events []bot.OpinionEvent
	// Sender is a stand-in sender hash ("" for home visits).
	Sender string
}

var genCategories = []struct {
	c bot.Category
	w int
}{{"teaching", 30}, {"logistics", 20}, {"safety", 12}, {"department", 10}, {"ethics", 8}, {"fees", 7}, {"other", 10}, {bot.CatLeadership, 3}}

var genTexts = map[bot.Category][]string{
	"teaching":        {"作业量太大，孩子每天写到很晚。", "希望数学课的进度慢一点，孩子跟不上。", "英语老师换得太频繁了。", "希望多组织一些课外阅读活动。"},
	"logistics":       {"食堂的饭菜偏咸。", "教室的空调坏了好几天。", "厕所的卫生需要加强。", "饮水机很久没有换滤芯了。"},
	"safety":          {"放学时校门口太拥挤，孩子过马路危险。", "操场跑道有破损。", "晚自习放学路上没有路灯。"},
	"department":      {"办事要跑好几趟，效率太低。", "教务处电话总是打不通。", "开证明的流程太复杂。"},
	"ethics":          {"有老师在课堂上挖苦学生。", "个别老师暗示家长参加校外补课。"},
	"fees":            {"资料费收费明细不清楚。", "校服价格偏高，希望公开招标情况。"},
	"other":           {"希望家长开放日多安排几次。", "建议学校公众号多发一些活动照片。", "希望图书馆周末开放。"},
	bot.CatLeadership: {"学校领导开会经常迟到。", "领导班子对家长的意见回应太慢。"},
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

// genArrival draws a time in [from, to) as opinions arrive: mostly in
// the evening and at noon, fewer at night and on weekends.
func genArrival(rng *rand.Rand, from, to time.Time, loc *time.Location) time.Time {
	for {
		t := from.Add(time.Duration(rng.Int64N(int64(to.Sub(from)))))
		h := t.In(loc).Hour()
		w := 1.0
		switch {
		case h >= 19 && h <= 22:
			w = 3
		case h >= 11 && h <= 13:
			w = 2
		case h < 7:
			w = 0.15
		}
		if wd := t.In(loc).Weekday(); wd == time.Saturday || wd == time.Sunday {
			w *= 0.6
		}
		if rng.Float64()*3 < w {
			return t
		}
	}
}

// genLedger makes about perWeek opinions a week for s, made in [from, to),
// with every step that happened before to.
func genLedger(rng *rand.Rand, s genSchool, from, to time.Time, perWeek float64, set chat.Settings, loc *time.Location, code func() string) []genOpinion {
	n := int(perWeek * to.Sub(from).Hours() / (24 * 7))
	var out []genOpinion
	for range n {
		at := genArrival(rng, from, to, loc).UTC().Truncate(time.Second)
		out = append(out, genOne(rng, s, at, to, set, code))
	}
	return out
}

func genOne(rng *rand.Rand, s genSchool, at, end time.Time, set chat.Settings, code func() string) genOpinion {
	tot := 0
	for _, c := range genCategories {
		tot += c.w
	}
	r, cat := rng.IntN(tot), bot.Category("other")
	for _, c := range genCategories {
		if r < c.w {
			cat = c.c
			break
		}
		r -= c.w
	}
	text := pick(rng, genTexts[cat])
	g := genOpinion{}
	o := bot.Opinion{SchoolID: s.ID, Code: code(), Category: cat, Text: text, TextHash: bot.TextHash(fmt.Sprint(text, at.UnixNano())),
		Anonymous: true, Status: bot.StatusReceived, Created: at, Updated: at}
	switch x := rng.Float64(); {
	case x < 0.6:
		o.Source = bot.SourceText
	case x < 0.8:
		o.Source = bot.SourceVoice
	case x < 0.92:
		o.Source = bot.SourceMenu
	default:
		o.Source = bot.SourceHomeVisit
	}
	if o.Source == bot.SourceHomeVisit && len(s.Recorders) > 0 {
		o.Anonymous, o.RecorderID = false, pick(rng, s.Recorders)
	} else {
		o.Source = map[bool]string{true: bot.SourceText, false: o.Source}[o.Source == bot.SourceHomeVisit]
		g.Sender = fmt.Sprintf("gen-%d-%d", s.ID, rng.IntN(max(1, s.Parents)))
	}
	if len(s.Named) > 0 && rng.Float64() < 0.6 {
		o.UnitID = pick(rng, s.Named)
	}
	g.Events = append(g.Events, bot.OpinionEvent{Kind: "received", Note: o.Source, At: at})
	t := at
	step := func(kind bot.OpinionStatus, after time.Duration) bool {
		next := t.Add(after).Truncate(time.Second)
		if !next.Before(end) {
			return false
		}
		t = next
		o.Status, o.Updated = kind, t
		g.Events = append(g.Events, bot.OpinionEvent{Kind: string(kind), ActorID: s.Actor, At: t})
		return true
	}
	hours := func(lo, hi float64) time.Duration {
		return time.Duration((lo + rng.Float64()*(hi-lo)) * float64(time.Hour))
	}
	switch x := rng.Float64(); {
	case x < 0.06:
		if step(bot.StatusRejected, hours(2, 30)) {
			o.Answer, o.AnsweredAt = "经研究，不予受理。", t
		}
	case x < 0.08:
		step(bot.StatusMerged, hours(1, 20))
	case x < 0.095:
		step(bot.StatusWithdrawn, hours(0.2, 2))
	default:
		if len(s.Depts) == 0 || !step(bot.StatusAssigned, hours(1, 30)) {
			break
		}
		o.AssignedUnitID = pick(rng, s.Depts)
		days := 3 + rng.IntN(5)
		o.Due = set.AddSchoolDays(bot.CivilDate(t, time.UTC), days)
		if rng.Float64() < 0.5 && !step(bot.StatusProcessing, hours(3, 48)) {
			break
		}
		// Most are answered in time; some a few days late.
		late := hours(8, float64(days)*24*1.1)
		if rng.Float64() < 0.2 {
			late += hours(24, 120)
		}
		if !step(bot.StatusAnswered, late) {
			break
		}
		o.Answer, o.AnsweredAt = "已按意见整改，感谢您的反映。", t
		if rng.Float64() < 0.6 && g.Sender != "" {
			rt := t.Add(hours(1, 40)).Truncate(time.Second)
			if rt.Before(end) {
				o.Rating, o.RatedAt = pick(rng, []string{"satisfied", "satisfied", "satisfied", "satisfied", "satisfied", "satisfied", "satisfied", "basic", "basic", "unsatisfied"}), rt
				g.Events = append(g.Events, bot.OpinionEvent{Kind: "rated", Note: o.Rating, At: rt})
				if rt.After(o.Updated) {
					o.Updated = rt
				}
			}
		}
		if rng.Float64() < 0.85 {
			up := o.Updated
			if step(bot.StatusClosed, hours(4, 72)) && up.After(o.Updated) {
				o.Updated = up
			}
		}
	}
	g.O = o
	return g
}
