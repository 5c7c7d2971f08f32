package chat

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"minqing/bot"
)

// The home visits' and the observations' sections of the digest: visits
// this week and teachers meeting the weekly target, the semester's
// coverage per class (lowest first); observations and talks per leader
// against their targets.

func init() {
	registerDigestSection(visitsSection{})
	registerDigestSection(observationsSection{})
}

type visitsSection struct{}

func (visitsSection) Key() string { return "visits" }

// VisitWeek is one week of home visits.
type VisitWeek struct {
	Visits   int `json:"visits"`
	Teachers int `json:"teachers"`
	Met      int `json:"met"`
}

// ClassRow is one class's coverage this semester.
type ClassRow struct {
	Class    string  `json:"class"`
	Visited  int     `json:"visited"`
	Students int     `json:"students"`
	Percent  float64 `json:"percent"`
}

// VisitsDigest is the home visits' section data.
type VisitsDigest struct {
	Target int       `json:"target"`
	This   VisitWeek `json:"this"`
	Last   VisitWeek `json:"last"`
	// Coverage is per class, lowest first; Visited and Students sum it.
	Coverage []ClassRow `json:"coverage"`
	Visited  int        `json:"visited"`
	Students int        `json:"students"`
}

// Active implements sectionData.
func (v *VisitsDigest) Active() bool { return v.This.Visits > 0 }

// visitsTeacher is whom the weekly visit target applies to.
func visitsTeacher(p bot.Person) bool { return p.Has(bot.RoleTeacher) }

// Compute implements digestSection.
func (visitsSection) Compute(ctx context.Context, tx bot.Tx, in *digestInput) (sectionData, error) {
	if in.Viewer != nil && !in.Viewer.Can(bot.ActDigest) {
		return nil, nil
	}
	out := &VisitsDigest{Target: in.Settings.Visits.TeacherWeekly}
	for _, school := range in.Schools {
		staff, err := tx.Staff(ctx, school.ID, false)
		if err != nil {
			return nil, err
		}
		for _, w := range []struct {
			week Week
			dst  *VisitWeek
		}{{in.Week, &out.This}, {in.Week.Prev(), &out.Last}} {
			counts, err := tx.VisitCounts(ctx, school.ID, bot.CivilDate(w.week.Start, in.Loc), bot.CivilDate(w.week.End(), in.Loc))
			if err != nil {
				return nil, err
			}
			by := map[int64]int{}
			for _, c := range counts {
				by[c.PersonID] = c.Count
				w.dst.Visits += c.Count
			}
			for _, p := range staff {
				if !visitsTeacher(p) {
					continue
				}
				w.dst.Teachers++
				if out.Target > 0 && by[p.ID] >= out.Target {
					w.dst.Met++
				}
			}
		}
		if in.Semester.Start.IsZero() {
			continue
		}
		cov, err := tx.Coverage(ctx, school.ID, bot.CivilDate(in.Semester.Start, in.Loc), bot.CivilDate(in.Week.End(), in.Loc))
		if err != nil {
			return nil, err
		}
		names, err := unitIndex(ctx, tx, []bot.OrgUnit{school})
		if err != nil {
			return nil, err
		}
		for _, c := range cov {
			r := ClassRow{Class: names[c.ClassID], Visited: c.Visited, Students: c.Students}
			if len(in.Schools) > 1 {
				r.Class = school.Name + "·" + r.Class
			}
			if c.Students > 0 {
				r.Percent = float64(int(float64(c.Visited)*1000/float64(c.Students)+0.5)) / 10
			}
			out.Coverage = append(out.Coverage, r)
			out.Visited += c.Visited
			out.Students += c.Students
		}
	}
	if out.This.Visits+out.Last.Visits == 0 && out.Visited == 0 {
		return nil, nil
	}
	slices.SortStableFunc(out.Coverage, func(a, b ClassRow) int {
		if a.Percent != b.Percent {
			if a.Percent < b.Percent {
				return -1
			}
			return 1
		}
		return 0
	})
	return out, nil
}

// coverageMax bounds the classes listed in the text (the chart has all).
const coverageMax = 10

// View implements sectionData.
func (v *VisitsDigest) View() SectionView {
	sv := SectionView{Title: textDigestVisitsTitle}
	met := func(w VisitWeek) string {
		if w.Teachers == 0 || v.Target == 0 {
			return "—"
		}
		return fmt.Sprintf("%d/%d", w.Met, w.Teachers)
	}
	sv.Figures = []Figure{
		{Label: textDigestVisitsCount, This: strconv.Itoa(v.This.Visits), Last: strconv.Itoa(v.Last.Visits), Change: signed(v.This.Visits - v.Last.Visits)},
		{Label: fmt.Sprintf(textDigestVisitsMet, v.Target), This: met(v.This), Last: met(v.Last), Change: signed(v.This.Met - v.Last.Met)},
		{Label: textDigestVisitsCoverage, This: pct(rate(v.Visited, v.Students)) + fmt.Sprintf(textDigestRateOf, v.Visited, v.Students), Last: "—", Change: "—"},
	}
	better("up", &sv.Figures[0], &sv.Figures[1])
	if len(v.Coverage) > 0 {
		t := Table{Title: textDigestVisitsLowest, Head: []string{textDigestColClass, textDigestColVisited, textDigestColStudents, textDigestColCoverage}}
		var classes []string
		var pcts []float64
		for i, c := range v.Coverage {
			if i < coverageMax {
				t.Rows = append(t.Rows, []string{c.Class, strconv.Itoa(c.Visited), strconv.Itoa(c.Students), strconv.FormatFloat(c.Percent, 'f', 1, 64) + "%"})
			}
			classes = append(classes, c.Class)
			pcts = append(pcts, c.Percent)
		}
		t.More = max(0, len(v.Coverage)-coverageMax)
		sv.Tables = append(sv.Tables, t)
		h := 40 + 22*len(classes)
		sv.Charts = append(sv.Charts, chart("visits-coverage", textDigestChartCoverage, map[string]any{
			"height":  h,
			"tooltip": map[string]any{"trigger": "axis"},
			"grid":    map[string]any{"left": 80, "right": 20, "top": 10, "bottom": 30},
			"xAxis":   map[string]any{"type": "value", "max": 100, "axisLabel": map[string]any{"formatter": "{value}%"}},
			"yAxis":   map[string]any{"type": "category", "data": classes, "inverse": true},
			"series":  []map[string]any{{"name": textDigestColCoverage, "type": "bar", "data": pcts}},
		}))
	}
	return sv
}

type observationsSection struct{}

func (observationsSection) Key() string { return "observations" }

// LeaderRow is one leader's observations and talks.
type LeaderRow struct {
	Name             string `json:"name"`
	Middle           bool   `json:"middle,omitempty"`
	Observations     int    `json:"observations"`
	Talks            int    `json:"talks"`
	SemObservations  int    `json:"semester_observations"`
	WeeklyTarget     int    `json:"weekly_observation_target,omitempty"`
	WeeklyTalkTarget int    `json:"weekly_talk_target,omitempty"`
	SemesterTarget   int    `json:"semester_observation_target,omitempty"`
}

// ObservationsDigest is the observations' section data.
type ObservationsDigest struct {
	Observations Num `json:"observations"`
	Talks        Num `json:"talks"`
	MetObserve   Num `json:"met_observation_target"`
	MetTalk      Num `json:"met_talk_target"`
	Leaders      int `json:"leaders"`
	// SchoolLeaders are the leaders with weekly targets.
	SchoolLeaders int         `json:"school_leaders"`
	Rows          []LeaderRow `json:"rows,omitempty"`
}

// Active implements sectionData.
func (o *ObservationsDigest) Active() bool { return o.Observations.This+o.Talks.This > 0 }

// Compute implements digestSection.
func (observationsSection) Compute(ctx context.Context, tx bot.Tx, in *digestInput) (sectionData, error) {
	if in.Viewer != nil && !in.Viewer.Can(bot.ActDigest) {
		return nil, nil
	}
	set := in.Settings.Visits
	out := &ObservationsDigest{}
	var obsT, obsL, talkT, talkL, metOT, metOL, metTT, metTL int
	for _, school := range in.Schools {
		staff, err := tx.Staff(ctx, school.ID, false)
		if err != nil {
			return nil, err
		}
		count := func(from, to Week) (map[int64]bot.LeaderCount, error) {
			cs, err := tx.LeaderCounts(ctx, school.ID, bot.CivilDate(from.Start, in.Loc), bot.CivilDate(to.End(), in.Loc))
			m := map[int64]bot.LeaderCount{}
			for _, c := range cs {
				m[c.PersonID] = c
			}
			return m, err
		}
		this, err := count(in.Week, in.Week)
		if err != nil {
			return nil, err
		}
		last, err := count(in.Week.Prev(), in.Week.Prev())
		if err != nil {
			return nil, err
		}
		sem := map[int64]bot.LeaderCount{}
		if !in.Semester.Start.IsZero() {
			cs, err := tx.LeaderCounts(ctx, school.ID, bot.CivilDate(in.Semester.Start, in.Loc), bot.CivilDate(in.Week.End(), in.Loc))
			if err != nil {
				return nil, err
			}
			for _, c := range cs {
				sem[c.PersonID] = c
			}
		}
		for _, p := range staff {
			schoolLeader := p.Has(bot.RoleSchoolLeader) || p.Has(bot.RolePartySecretary)
			middle := !schoolLeader && p.Has(bot.RoleMiddleLeader)
			if !schoolLeader && !middle {
				continue
			}
			out.Leaders++
			t, l := this[p.ID], last[p.ID]
			obsT, obsL, talkT, talkL = obsT+t.Observations, obsL+l.Observations, talkT+t.Talks, talkL+l.Talks
			row := LeaderRow{Name: p.Name, Middle: middle, Observations: t.Observations, Talks: t.Talks, SemObservations: sem[p.ID].Observations}
			if schoolLeader {
				out.SchoolLeaders++
				row.WeeklyTarget, row.WeeklyTalkTarget = set.LeaderWeeklyObservations, set.LeaderWeeklyTalks
				if set.LeaderWeeklyObservations > 0 {
					metOT += b2i(t.Observations >= set.LeaderWeeklyObservations)
					metOL += b2i(l.Observations >= set.LeaderWeeklyObservations)
				}
				if set.LeaderWeeklyTalks > 0 {
					metTT += b2i(t.Talks >= set.LeaderWeeklyTalks)
					metTL += b2i(l.Talks >= set.LeaderWeeklyTalks)
				}
			} else {
				row.SemesterTarget = set.MiddleSemesterObservations
			}
			if in.Leader && len(in.Schools) == 1 {
				out.Rows = append(out.Rows, row)
			}
		}
	}
	if out.Leaders == 0 {
		return nil, nil
	}
	out.Observations, out.Talks = num(obsT, obsL), num(talkT, talkL)
	out.MetObserve, out.MetTalk = num(metOT, metOL), num(metTT, metTL)
	return out, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// View implements sectionData.
func (o *ObservationsDigest) View() SectionView {
	v := SectionView{Title: textDigestObsTitle}
	fig := func(label string, n Num) Figure {
		return Figure{Label: label, This: strconv.Itoa(n.This), Last: strconv.Itoa(n.Last), Change: signed(n.Change)}
	}
	v.Figures = []Figure{
		fig(textDigestObsCount, o.Observations), fig(textDigestTalkCount, o.Talks),
		fig(textDigestObsMet, o.MetObserve), fig(textDigestTalkMet, o.MetTalk),
	}
	better("up", &v.Figures[0], &v.Figures[1], &v.Figures[2], &v.Figures[3])
	for _, i := range []int{2, 3} {
		f := &v.Figures[i]
		f.This, f.Last = f.This+"/"+strconv.Itoa(o.SchoolLeaders), f.Last+"/"+strconv.Itoa(o.SchoolLeaders)
	}
	if len(o.Rows) > 0 {
		t := Table{Title: textDigestObsLeaders, Head: []string{textDigestColName, textDigestColObs, textDigestColTalks, textDigestColSemObs}}
		for _, r := range o.Rows {
			obs := fmt.Sprintf("%d/%d", r.Observations, r.WeeklyTarget)
			talks := fmt.Sprintf("%d/%d", r.Talks, r.WeeklyTalkTarget)
			semObs := strconv.Itoa(r.SemObservations)
			if r.Middle {
				obs, talks, semObs = strconv.Itoa(r.Observations), strconv.Itoa(r.Talks), fmt.Sprintf("%d/%d", r.SemObservations, r.SemesterTarget)
			}
			t.Rows = append(t.Rows, []string{r.Name, obs, talks, semObs})
		}
		v.Tables = append(v.Tables, t)
	}
	return v
}
