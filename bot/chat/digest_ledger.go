package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"time"

	"minqing/bot"
	"minqing/bot/parse"
)

// The ledger's section of the digest: new opinions by category and
// source, the week's steps, what is open and overdue, the time to a first
// answer and the 三率, each beside last week's. Breakdowns by who sent
// (the source, the unit an opinion concerns) never show a group of fewer
// than min_group distinct senders. Leadership opinions are counted only
// for the viewer who supervises them.

func init() { registerDigestSection(ledgerSection{}) }

type ledgerSection struct{}

func (ledgerSection) Key() string { return "ledger" }

// Num is a count this week beside last week's.
type Num struct {
	This   int `json:"this"`
	Last   int `json:"last"`
	Change int `json:"change"`
}

func num(this, last int) Num { return Num{This: this, Last: last, Change: this - last} }

// Rate is a share: Num of Den; Percent is -1 when Den is 0.
type Rate struct {
	Num     int     `json:"num"`
	Den     int     `json:"den"`
	Percent float64 `json:"percent"`
}

func rate(n, d int) Rate {
	r := Rate{Num: n, Den: d, Percent: -1}
	if d > 0 {
		r.Percent = float64(int(float64(n)*1000/float64(d)+0.5)) / 10
	}
	return r
}

// RatePair is a rate this week (or semester so far) beside last week's.
type RatePair struct {
	This Rate `json:"this"`
	Last Rate `json:"last"`
}

// Cell is one group of a breakdown. A group of fewer than min_group
// distinct senders is not shown: Suppressed, with no count, and folded
// into the "other" group.
type Cell struct {
	Key        string `json:"key"`
	Label      string `json:"label"`
	Count      int    `json:"count,omitempty"`
	Suppressed bool   `json:"suppressed,omitempty"`
}

// CategoryRow is the new opinions of one category.
type CategoryRow struct {
	Category string `json:"category"`
	Label    string `json:"label"`
	Num
	// ByStatus counts this week's new opinions by their status now.
	ByStatus map[string]int `json:"by_status,omitempty"`
}

// OpenItem is an opinion still open at the end of the week.
type OpenItem struct {
	Code        string `json:"code"`
	Category    string `json:"category"`
	Unit        string `json:"unit,omitempty"`
	Created     string `json:"created"`
	Due         string `json:"due,omitempty"`
	DaysOverdue int    `json:"days_overdue,omitempty"`
}

// TrendPoint is one week of the trend.
type TrendPoint struct {
	Week     string `json:"week"`
	New      int    `json:"new"`
	Answered int    `json:"answered"`
	Closed   int    `json:"closed"`
}

// LedgerDigest is the ledger section's data.
type LedgerDigest struct {
	// Scope says which opinions are counted: ordinary, leadership or all.
	Scope      string        `json:"scope"`
	MinGroup   int           `json:"min_group"`
	New        Num           `json:"new"`
	ByCategory []CategoryRow `json:"by_category"`
	BySource   []Cell        `json:"by_source"`
	// ByUnit breaks the week's new opinions down by the class, grade or
	// branch school they concern.
	ByUnit   []Cell `json:"by_unit"`
	Assigned Num    `json:"assigned"`
	Answered Num    `json:"answered"`
	Closed   Num    `json:"closed"`
	Open     Num    `json:"open"`
	Overdue  Num    `json:"overdue"`
	// OpenList is what is open at the end of the week, oldest first.
	OpenList []OpenItem `json:"open_list"`
	// MedianAnswerDays is the median of school days from an opinion to its
	// first answer, over those first answered in the week; -1 when none.
	MedianAnswerDays     float64      `json:"median_answer_days"`
	LastMedianAnswerDays float64      `json:"last_median_answer_days"`
	Response             RatePair     `json:"response"`
	Resolution           RatePair     `json:"resolution"`
	Satisfaction         RatePair     `json:"satisfaction"`
	SemesterResponse     RatePair     `json:"semester_response"`
	SemesterResolution   RatePair     `json:"semester_resolution"`
	SemesterSatisfaction RatePair     `json:"semester_satisfaction"`
	Trend                []TrendPoint `json:"trend,omitempty"`
}

// Active implements sectionData.
func (l *LedgerDigest) Active() bool {
	return l.New.This+l.Assigned.This+l.Answered.This+l.Closed.This > 0
}

// openListMax bounds the open opinions listed.
const openListMax = 30

// stateKinds are the events that move an opinion's status.
var stateKinds = map[string]bool{
	"received": true, "assigned": true, "processing": true, "answered": true, "closed": true,
	"rejected": true, "merged": true, "withdrawn": true,
}

// Compute implements digestSection.
func (ledgerSection) Compute(ctx context.Context, tx bot.Tx, in *digestInput) (sectionData, error) {
	if len(in.Ordinary) == 0 && len(in.Supervised) == 0 {
		return nil, nil
	}
	ids := in.schoolIDs()
	week, prev := in.Week, in.Week.Prev()
	out := &LedgerDigest{MinGroup: in.Settings.MinGroup, MedianAnswerDays: -1, LastMedianAnswerDays: -1}
	switch {
	case len(in.Supervised) == 0:
		out.Scope = "ordinary"
	case len(in.Ordinary) == 0:
		out.Scope = "leadership"
	default:
		out.Scope = "all"
	}

	// New opinions: this week and last (and the trend's weeks).
	trendStart := prev.Start
	if in.TrendWeeks > 2 {
		trendStart = week.Start.AddDate(0, 0, -7*(in.TrendWeeks-1))
	}
	created, err := tx.DigestCreated(ctx, ids, trendStart, week.End())
	if err != nil {
		return nil, err
	}
	created = slices.DeleteFunc(created, func(o bot.DigestOpinion) bool { return !in.covers(o.SchoolID, o.Category) })
	var thisNew, lastNew []bot.DigestOpinion
	for _, o := range created {
		switch {
		case week.Contains(o.Created):
			thisNew = append(thisNew, o)
		case prev.Contains(o.Created):
			lastNew = append(lastNew, o)
		}
	}
	out.New = num(len(thisNew), len(lastNew))
	out.ByCategory = byCategory(thisNew, lastNew)
	k := in.Settings.MinGroup
	out.BySource = suppress(groupBy(thisNew, func(o bot.DigestOpinion) (string, string) {
		return sourceKey(o.Source), sourceLabel(o.Source)
	}), k)
	units, err := unitIndex(ctx, tx, in.Schools)
	if err != nil {
		return nil, err
	}
	out.ByUnit = suppress(groupBy(thisNew, func(o bot.DigestOpinion) (string, string) {
		if o.UnitID == 0 {
			return "none", textDigestNoUnit
		}
		return strconv.FormatInt(o.UnitID, 10), units[o.UnitID]
	}), k)

	// Steps, open and overdue, time to first answer: from the opinions
	// that moved since the trend began or are open now.
	active, events, err := tx.DigestActive(ctx, ids, trendStart)
	if err != nil {
		return nil, err
	}
	active = slices.DeleteFunc(active, func(o bot.DigestOpinion) bool { return !in.covers(o.SchoolID, o.Category) })
	byID := make(map[int64]*bot.DigestOpinion, len(active))
	for i := range active {
		byID[active[i].ID] = &active[i]
	}
	evs := map[int64][]bot.DigestEvent{}
	for _, e := range events {
		if byID[e.OpinionID] != nil {
			evs[e.OpinionID] = append(evs[e.OpinionID], e)
		}
	}
	stepped := func(w Week, kind string) int {
		n := 0
		for id := range byID {
			for _, e := range evs[id] {
				if e.Kind == kind && w.Contains(e.At) {
					n++
					break
				}
			}
		}
		return n
	}
	out.Assigned = num(stepped(week, "assigned"), stepped(prev, "assigned"))
	out.Answered = num(stepped(week, "answered"), stepped(prev, "answered"))
	out.Closed = num(stepped(week, "closed"), stepped(prev, "closed"))

	openAt := func(t time.Time) []*bot.DigestOpinion {
		var open []*bot.DigestOpinion
		for _, o := range active {
			if !o.Created.Before(t) {
				continue
			}
			st := bot.StatusReceived
			for _, e := range evs[o.ID] {
				if stateKinds[e.Kind] && e.At.Before(t) {
					st = bot.OpinionStatus(e.Kind)
				}
			}
			if slices.Contains(bot.OpenStatuses, st) {
				open = append(open, byID[o.ID])
			}
		}
		sort.Slice(open, func(i, j int) bool {
			if !open[i].Created.Equal(open[j].Created) {
				return open[i].Created.Before(open[j].Created)
			}
			return open[i].ID < open[j].ID
		})
		return open
	}
	overdue := func(open []*bot.DigestOpinion, t time.Time) int {
		today := bot.CivilDate(t, in.Loc)
		n := 0
		for _, o := range open {
			if !o.Due.IsZero() && o.Due.Before(today) {
				n++
			}
		}
		return n
	}
	endThis, endLast := in.asOf(week), in.asOf(prev)
	openThis, openLast := openAt(endThis), openAt(endLast)
	out.Open = num(len(openThis), len(openLast))
	out.Overdue = num(overdue(openThis, endThis), overdue(openLast, endLast))
	today := bot.CivilDate(endThis, in.Loc)
	for _, o := range openThis {
		item := OpenItem{Code: o.Code, Category: label(o.Category), Unit: units[o.AssignedUnitID], Created: o.Created.In(in.Loc).Format(time.DateOnly)}
		if !o.Due.IsZero() {
			item.Due = o.Due.Format(time.DateOnly)
			if o.Due.Before(today) {
				item.DaysOverdue = int(today.Sub(o.Due).Hours() / 24)
			}
		}
		out.OpenList = append(out.OpenList, item)
	}
	// Oldest first: the most overdue, then by date.
	sort.SliceStable(out.OpenList, func(i, j int) bool { return out.OpenList[i].DaysOverdue > out.OpenList[j].DaysOverdue })
	if len(out.OpenList) > openListMax {
		out.OpenList = out.OpenList[:openListMax]
	}

	median := func(w Week) float64 {
		var days []int
		for id, o := range byID {
			for _, e := range evs[id] {
				if e.Kind != "answered" {
					continue
				}
				if w.Contains(e.At) {
					days = append(days, schoolDaysBetween(in.Settings, bot.CivilDate(o.Created, in.Loc), bot.CivilDate(e.At, in.Loc)))
				}
				break // the first answer only
			}
		}
		return medianOf(days)
	}
	out.MedianAnswerDays, out.LastMedianAnswerDays = median(week), median(prev)

	// The 三率, for the week and the semester so far.
	dayEnd := 24*time.Hour - offsetOf(week.Start)
	// Counts of due and rated opinions; the semester so far as of last
	// week is the semester's less this week's (the ranges meet at the
	// week's start), so three reads give four periods.
	type counts struct{ due, inTime, closed, rated, good int }
	read := func(from, to time.Time) (c counts, err error) {
		dues, err := tx.DigestDue(ctx, ids, bot.CivilDate(from, in.Loc), bot.CivilDate(to, in.Loc), dayEnd)
		if err != nil {
			return c, err
		}
		for _, d := range dues {
			if in.covers(d.SchoolID, d.Category) {
				c.due, c.inTime, c.closed = c.due+d.Due, c.inTime+d.AnsweredInTime, c.closed+d.Closed
			}
		}
		ratings, err := tx.DigestRatings(ctx, ids, from, to)
		if err != nil {
			return c, err
		}
		for _, r := range ratings {
			if in.covers(r.SchoolID, r.Category) {
				c.rated += r.Count
				if r.Rating == parse.RatingSatisfied || r.Rating == parse.RatingBasic {
					c.good += r.Count
				}
			}
		}
		return c, nil
	}
	semStart := in.Semester.Start
	if semStart.IsZero() || semStart.After(prev.Start) {
		semStart = prev.Start
	}
	cw, err := read(week.Start, week.End())
	if err != nil {
		return nil, err
	}
	cp, err := read(prev.Start, prev.End())
	if err != nil {
		return nil, err
	}
	cs := counts{}
	if semStart.Before(prev.Start) {
		before, err := read(semStart, prev.Start)
		if err != nil {
			return nil, err
		}
		cs = before
	}
	// Semester so far at the end of last week (cl) and of this week (cn).
	cl := counts{cs.due + cp.due, cs.inTime + cp.inTime, cs.closed + cp.closed, cs.rated + cp.rated, cs.good + cp.good}
	cn := counts{cl.due + cw.due, cl.inTime + cw.inTime, cl.closed + cw.closed, cl.rated + cw.rated, cl.good + cw.good}
	if !in.Semester.Start.IsZero() && in.Semester.Start.After(prev.Start) {
		cl = counts{} // the semester began this week
		cn = cw
	}
	rs := func(c counts) [3]Rate {
		return [3]Rate{rate(c.inTime, c.due), rate(c.closed, c.due), rate(c.good, c.rated)}
	}
	r := [4][3]Rate{rs(cw), rs(cp), rs(cn), rs(cl)}
	out.Response, out.Resolution, out.Satisfaction = RatePair{r[0][0], r[1][0]}, RatePair{r[0][1], r[1][1]}, RatePair{r[0][2], r[1][2]}
	out.SemesterResponse, out.SemesterResolution, out.SemesterSatisfaction = RatePair{r[2][0], r[3][0]}, RatePair{r[2][1], r[3][1]}, RatePair{r[2][2], r[3][2]}

	// The trend.
	if in.TrendWeeks > 2 {
		for i := in.TrendWeeks - 1; i >= 0; i-- {
			w := Week{Start: week.Start.AddDate(0, 0, -7*i)}
			p := TrendPoint{Week: w.Label(), Answered: stepped(w, "answered"), Closed: stepped(w, "closed")}
			for _, o := range created {
				if w.Contains(o.Created) {
					p.New++
				}
			}
			out.Trend = append(out.Trend, p)
		}
	}
	return out, nil
}

// offsetOf is the UTC offset of t's zone at t.
func offsetOf(t time.Time) time.Duration {
	_, off := t.Zone()
	return time.Duration(off) * time.Second
}

// schoolDaysBetween counts the school days after from up to and including
// to (0 for the same day).
func schoolDaysBetween(s Settings, from, to time.Time) int {
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		if s.isSchoolDay(d) {
			n++
		}
	}
	return n
}

func medianOf(v []int) float64 {
	if len(v) == 0 {
		return -1
	}
	slices.Sort(v)
	m := len(v) / 2
	if len(v)%2 == 1 {
		return float64(v[m])
	}
	return float64(v[m-1]+v[m]) / 2
}

func byCategory(this, last []bot.DigestOpinion) []CategoryRow {
	rows := map[bot.Category]*CategoryRow{}
	get := func(c bot.Category) *CategoryRow {
		if rows[c] == nil {
			rows[c] = &CategoryRow{Category: string(c), Label: label(c), ByStatus: map[string]int{}}
		}
		return rows[c]
	}
	for _, o := range this {
		r := get(o.Category)
		r.This++
		r.ByStatus[string(o.Status)]++
	}
	for _, o := range last {
		get(o.Category).Last++
	}
	var out []CategoryRow
	for _, c := range parse.Categories {
		if r := rows[bot.Category(c)]; r != nil {
			r.Change = r.This - r.Last
			out = append(out, *r)
		}
	}
	return out
}

// group is one group of a breakdown before suppression.
type group struct {
	key, label string
	count      int
	senders    map[string]bool
}

// groupBy groups opinions, counting distinct senders per group, in order
// of first appearance.
func groupBy(ops []bot.DigestOpinion, keyOf func(bot.DigestOpinion) (key, label string)) []*group {
	var out []*group
	idx := map[string]*group{}
	for _, o := range ops {
		k, l := keyOf(o)
		g := idx[k]
		if g == nil {
			g = &group{key: k, label: l, senders: map[string]bool{}}
			idx[k] = g
			out = append(out, g)
		}
		g.count++
		if o.Sender != "" {
			g.senders[o.Sender] = true
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].count > out[j].count })
	return out
}

// suppress shows the groups of at least k distinct senders and folds the
// others into "other"; an "other" of fewer than k senders takes the
// smallest shown groups until it has k (or all are folded), so that no
// small group can be worked out by subtraction.
func suppress(groups []*group, k int) []Cell {
	var shown []*group
	other := &group{key: "other", label: textDigestOther, senders: map[string]bool{}}
	fold := func(g *group) {
		other.count += g.count
		for s := range g.senders {
			other.senders[s] = true
		}
	}
	for _, g := range groups {
		if len(g.senders) >= k && g.key != "other" {
			shown = append(shown, g)
		} else {
			fold(g)
		}
	}
	for other.count > 0 && len(other.senders) < k && len(shown) > 0 {
		fold(shown[len(shown)-1])
		shown = shown[:len(shown)-1]
	}
	var out []Cell
	for _, g := range shown {
		out = append(out, Cell{Key: g.key, Label: g.label, Count: g.count})
	}
	if other.count > 0 {
		c := Cell{Key: "other", Label: other.label, Count: other.count}
		if len(other.senders) < k {
			c.Count, c.Suppressed = 0, true
		}
		out = append(out, c)
	}
	return out
}

func sourceKey(s string) string {
	switch s {
	case bot.SourceVoice, bot.SourceHomeVisit:
		return s
	}
	return "chat" // typed, or through the 我要建议 flow
}

// unitIndex names every unit of the schools (several schools: with the
// school's name).
func unitIndex(ctx context.Context, tx bot.Tx, schools []bot.OrgUnit) (map[int64]string, error) {
	out := map[int64]string{}
	for _, s := range schools {
		units, err := tx.UnitsOfSchool(ctx, s.ID)
		if err != nil {
			return nil, err
		}
		for _, u := range units {
			if len(schools) > 1 {
				out[u.ID] = s.Name + "·" + u.Name
			} else {
				out[u.ID] = u.Name
			}
		}
	}
	return out, nil
}

// View implements sectionData.
func (l *LedgerDigest) View() SectionView {
	v := SectionView{Title: textDigestLedgerTitle}
	if l.Scope == "leadership" {
		v.Title = textDigestLedgerLeadershipTitle
	}
	fig := func(label string, n Num) Figure {
		return Figure{Label: label, This: strconv.Itoa(n.This), Last: strconv.Itoa(n.Last), Change: signed(n.Change)}
	}
	v.Figures = append(v.Figures,
		fig(textDigestNew, l.New), fig(textDigestAssigned, l.Assigned), fig(textDigestAnswered, l.Answered),
		fig(textDigestClosed, l.Closed), fig(textDigestOpen, l.Open), fig(textDigestOverdue, l.Overdue),
		Figure{Label: textDigestMedian, This: days(l.MedianAnswerDays), Last: days(l.LastMedianAnswerDays), Change: changeF(l.MedianAnswerDays, l.LastMedianAnswerDays, textDigestDaysUnit)},
		rateFig(textDigestResponse, l.Response), rateFig(textDigestResolution, l.Resolution), rateFig(textDigestSatisfaction, l.Satisfaction),
		rateFig(textDigestSemResponse, l.SemesterResponse), rateFig(textDigestSemResolution, l.SemesterResolution), rateFig(textDigestSemSatisfaction, l.SemesterSatisfaction),
	)
	f := v.Figures
	better("up", &f[1], &f[2], &f[3], &f[7], &f[8], &f[9], &f[10], &f[11], &f[12])
	better("down", &f[4], &f[5], &f[6])
	if len(l.ByCategory) > 0 {
		t := Table{Title: textDigestByCategory, Head: []string{textDigestColCategory, textDigestColThis, textDigestColLast, textDigestColChange}}
		for _, c := range l.ByCategory {
			t.Rows = append(t.Rows, []string{c.Label, strconv.Itoa(c.This), strconv.Itoa(c.Last), signed(c.Change)})
		}
		v.Tables = append(v.Tables, t)
	}
	cells := func(title, head string, cs []Cell) {
		if len(cs) == 0 {
			return
		}
		t := Table{Title: title, Head: []string{head, textDigestColCount}}
		for _, c := range cs {
			t.Rows = append(t.Rows, []string{c.Label, cellCount(c, l.MinGroup)})
		}
		v.Tables = append(v.Tables, t)
	}
	cells(textDigestBySource, textDigestColSource, l.BySource)
	cells(textDigestByUnit, textDigestColUnit, l.ByUnit)
	if len(l.OpenList) > 0 {
		t := Table{Title: textDigestOpenList, Head: []string{textDigestColCode, textDigestColCategory, textDigestColUnitAssigned, textDigestColCreated, textDigestColOverdue}}
		for _, o := range l.OpenList {
			od := "—"
			if o.DaysOverdue > 0 {
				od = fmt.Sprintf(textDigestDaysOverdue, o.DaysOverdue)
			}
			t.Rows = append(t.Rows, []string{o.Code, o.Category, cellOr(o.Unit, textDigestUnassigned), o.Created, od})
		}
		if l.Open.This > len(l.OpenList) {
			t.More = l.Open.This - len(l.OpenList)
		}
		v.Tables = append(v.Tables, t)
	}
	v.Charts = l.charts()
	if l.MinGroup > 1 {
		v.Notes = append(v.Notes, fmt.Sprintf(textDigestKNote, l.MinGroup))
	}
	return v
}

// charts are the ledger's charts: the week's opinions by category and
// status, and the trend.
func (l *LedgerDigest) charts() []Chart {
	var out []Chart
	if len(l.ByCategory) > 0 {
		var cats []string
		statuses := []bot.OpinionStatus{bot.StatusReceived, bot.StatusAssigned, bot.StatusProcessing, bot.StatusAnswered, bot.StatusClosed, bot.StatusRejected, bot.StatusMerged, bot.StatusWithdrawn}
		for _, c := range l.ByCategory {
			cats = append(cats, c.Label)
		}
		var series []map[string]any
		for _, s := range statuses {
			data := make([]int, len(l.ByCategory))
			seen := false
			for i, c := range l.ByCategory {
				data[i] = c.ByStatus[string(s)]
				seen = seen || data[i] > 0
			}
			if seen {
				series = append(series, map[string]any{"name": statusLabel(s), "type": "bar", "stack": "s", "data": data})
			}
		}
		out = append(out, chart("ledger-category", textDigestChartCategory, map[string]any{
			"tooltip": map[string]any{"trigger": "axis"}, "legend": map[string]any{"bottom": 0, "itemWidth": 14, "textStyle": map[string]any{"fontSize": 11}},
			"grid":  map[string]any{"left": 40, "right": 10, "top": 20, "bottom": 95},
			"xAxis": map[string]any{"type": "category", "data": cats, "axisLabel": map[string]any{"interval": 0, "rotate": 30}},
			"yAxis": map[string]any{"type": "value", "minInterval": 1}, "series": series,
		}))
	}
	if len(l.Trend) > 0 {
		var weeks []string
		var n, a, c []int
		for _, p := range l.Trend {
			weeks = append(weeks, p.Week[5:])
			n, a, c = append(n, p.New), append(a, p.Answered), append(c, p.Closed)
		}
		out = append(out, chart("ledger-trend", textDigestChartTrend, map[string]any{
			"tooltip": map[string]any{"trigger": "axis"}, "legend": map[string]any{"bottom": 0},
			"grid":  map[string]any{"left": 40, "right": 10, "top": 20, "bottom": 50},
			"xAxis": map[string]any{"type": "category", "data": weeks},
			"yAxis": map[string]any{"type": "value", "minInterval": 1},
			"series": []map[string]any{
				{"name": textDigestNew, "type": "line", "data": n},
				{"name": textDigestAnswered, "type": "line", "data": a},
				{"name": textDigestClosed, "type": "line", "data": c},
			},
		}))
	}
	return out
}

func chart(id, title string, option any) Chart {
	b, err := json.Marshal(option)
	if err != nil {
		panic("chat: chart option: " + err.Error())
	}
	return Chart{ID: id, Title: title, Option: b}
}

func signed(n int) string {
	if n > 0 {
		return "+" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func days(d float64) string {
	if d < 0 {
		return "—"
	}
	return strconv.FormatFloat(d, 'f', -1, 64) + textDigestDaysUnit
}

func changeF(this, last float64, unit string) string {
	if this < 0 || last < 0 {
		return "—"
	}
	d := this - last
	s := strconv.FormatFloat(d, 'f', -1, 64)
	if d > 0 {
		s = "+" + s
	}
	return s + unit
}

func pct(r Rate) string {
	if r.Percent < 0 {
		return "—"
	}
	return strconv.FormatFloat(r.Percent, 'f', 1, 64) + "%"
}

func rateFig(label string, p RatePair) Figure {
	f := Figure{Label: label, This: pct(p.This), Last: pct(p.Last), Change: "—"}
	if p.This.Percent >= 0 {
		f.This += fmt.Sprintf(textDigestRateOf, p.This.Num, p.This.Den)
	}
	if p.This.Percent >= 0 && p.Last.Percent >= 0 {
		d := float64(int((p.This.Percent-p.Last.Percent)*10+sign(p.This.Percent-p.Last.Percent)*0.5)) / 10
		f.Change = strconv.FormatFloat(d, 'f', 1, 64) + textDigestPoints
		if d > 0 {
			f.Change = "+" + f.Change
		}
	}
	return f
}

func sign(f float64) float64 {
	if f < 0 {
		return -1
	}
	return 1
}

func cellCount(c Cell, k int) string {
	if c.Suppressed {
		return "<" + strconv.Itoa(k)
	}
	return strconv.Itoa(c.Count)
}

func cellOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
