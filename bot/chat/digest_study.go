package chat

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"minqing/bot"
)

// The study check-ins' section of the digest: staff meeting the weekly
// target against staff with a target (excused weeks apart), total and
// median hours, notes, essays and copy flags, each beside last week's;
// the names of those behind for leaders only.

func init() { registerDigestSection(studySection{}) }

type studySection struct{}

func (studySection) Key() string { return "study" }

// StudyWeek is one week of the school's study.
type StudyWeek struct {
	WithTarget int `json:"with_target"`
	Excused    int `json:"excused"`
	Met        int `json:"met"`
	// Minutes is everybody's total; MedianMinutes the median over staff
	// with a target who were not excused.
	Minutes       int     `json:"minutes"`
	MedianMinutes float64 `json:"median_minutes"`
	Chars         int     `json:"chars"`
	Essays        int     `json:"essays"`
	CopyFlags     int     `json:"copy_flags"`
}

// Behind is a member of staff behind the weekly target.
type Behind struct {
	Name    string `json:"name"`
	Minutes int    `json:"minutes"`
	Target  int    `json:"target_minutes"`
}

// StudyDigest is the study section's data.
type StudyDigest struct {
	This StudyWeek `json:"this"`
	Last StudyWeek `json:"last"`
	// Behind lists, for leaders only, who is behind this week, least first.
	Behind []Behind `json:"behind,omitempty"`
	// Hours is the distribution of this week's hours over staff with a
	// target (studyBucket).
	Hours []int `json:"hours"`
}

// studyBucket is the bucket of the distribution chart a week's minutes
// fall in (textDigestStudyBuckets): none, under 1 hour, 1–3, 3–5, 5 and
// more.
func studyBucket(m int) int {
	switch h := float64(m) / 60; {
	case m == 0:
		return 0
	case h < 1:
		return 1
	case h < 3:
		return 2
	case h < 5:
		return 3
	}
	return 4
}

// Active implements sectionData.
func (s *StudyDigest) Active() bool { return s.This.Minutes+s.This.Chars+s.This.Essays > 0 }

// Compute implements digestSection.
func (studySection) Compute(ctx context.Context, tx bot.Tx, in *digestInput) (sectionData, error) {
	if in.Viewer != nil && !in.Viewer.Can(bot.ActDigest) {
		return nil, nil // the supervisor's digest is about the leadership opinions
	}
	out := &StudyDigest{Hours: make([]int, len(textDigestStudyBuckets))}
	anyTarget := false
	for _, school := range in.Schools {
		staff, err := tx.Staff(ctx, school.ID, false)
		if err != nil {
			return nil, err
		}
		for _, w := range []struct {
			week Week
			dst  *StudyWeek
			this bool
		}{{in.Week, &out.This, true}, {in.Week.Prev(), &out.Last, false}} {
			totals, err := tx.StudyTotals(ctx, school.ID, w.week.Start.Format(time.DateOnly), w.week.End().Format(time.DateOnly))
			if err != nil {
				return nil, err
			}
			excuses, err := tx.SchoolExcuses(ctx, school.ID, w.week.Label(), w.week.Label())
			if err != nil {
				return nil, err
			}
			essays, err := tx.SchoolEssays(ctx, school.ID, w.week.Start, w.week.End(), false)
			if err != nil {
				return nil, err
			}
			byPerson := map[int64]bot.StudyTotal{}
			for _, t := range totals {
				byPerson[t.PersonID] = t
				w.dst.Minutes += t.Minutes
				w.dst.Chars += t.Chars
			}
			excused := map[int64]bool{}
			for _, e := range excuses {
				excused[e.PersonID] = true
			}
			var mins []int
			for _, p := range staff {
				target := in.Settings.Study.TargetOf(p).weeklyMinutes()
				if target <= 0 {
					continue
				}
				anyTarget = true
				if excused[p.ID] {
					w.dst.Excused++
					continue
				}
				w.dst.WithTarget++
				m := byPerson[p.ID].Minutes
				mins = append(mins, m)
				if m >= target {
					w.dst.Met++
				} else if w.this && in.Leader && len(in.Schools) == 1 {
					out.Behind = append(out.Behind, Behind{Name: p.Name, Minutes: m, Target: target})
				}
				if w.this {
					out.Hours[studyBucket(m)]++
				}
			}
			w.dst.MedianMinutes = medianOf(mins)
			w.dst.Essays += len(essays)
			for _, e := range essays {
				if e.SimilarTo != 0 {
					w.dst.CopyFlags++
				}
			}
		}
	}
	if !anyTarget && out.This.Minutes == 0 && out.Last.Minutes == 0 {
		return nil, nil
	}
	slices.SortStableFunc(out.Behind, func(a, b Behind) int { return a.Minutes - b.Minutes })
	return out, nil
}

// View implements sectionData.
func (s *StudyDigest) View() SectionView {
	v := SectionView{Title: textDigestStudyTitle}
	hours := func(m int) string { return strconv.FormatFloat(float64(m)/60, 'f', 1, 64) + textDigestHours }
	median := func(m float64) string {
		if m < 0 {
			return "—"
		}
		return strconv.FormatFloat(m/60, 'f', 1, 64) + textDigestHours
	}
	met := func(w StudyWeek) string {
		if w.WithTarget == 0 {
			return "—"
		}
		return fmt.Sprintf("%d/%d", w.Met, w.WithTarget)
	}
	chg := func(a, b int) string { return signed(a - b) }
	v.Figures = []Figure{
		{Label: textDigestStudyMet, This: met(s.This), Last: met(s.Last), Change: chg(s.This.Met, s.Last.Met)},
		{Label: textDigestStudyExcused, This: strconv.Itoa(s.This.Excused), Last: strconv.Itoa(s.Last.Excused), Change: chg(s.This.Excused, s.Last.Excused)},
		{Label: textDigestStudyHours, This: hours(s.This.Minutes), Last: hours(s.Last.Minutes), Change: strconv.FormatFloat(float64(s.This.Minutes-s.Last.Minutes)/60, 'f', 1, 64)},
		{Label: textDigestStudyMedian, This: median(s.This.MedianMinutes), Last: median(s.Last.MedianMinutes), Change: "—"},
		{Label: textDigestStudyChars, This: strconv.Itoa(s.This.Chars), Last: strconv.Itoa(s.Last.Chars), Change: chg(s.This.Chars, s.Last.Chars)},
		{Label: textDigestStudyEssays, This: strconv.Itoa(s.This.Essays), Last: strconv.Itoa(s.Last.Essays), Change: chg(s.This.Essays, s.Last.Essays)},
		{Label: textDigestStudyCopies, This: strconv.Itoa(s.This.CopyFlags), Last: strconv.Itoa(s.Last.CopyFlags), Change: chg(s.This.CopyFlags, s.Last.CopyFlags)},
	}
	f := v.Figures
	better("up", &f[0], &f[2], &f[3], &f[4], &f[5])
	better("down", &f[6])
	if s.This.MedianMinutes >= 0 && s.Last.MedianMinutes >= 0 {
		v.Figures[3].Change = strconv.FormatFloat((s.This.MedianMinutes-s.Last.MedianMinutes)/60, 'f', 1, 64)
	}
	if len(s.Behind) > 0 {
		t := Table{Title: textDigestStudyBehind, Head: []string{textDigestColName, textDigestColDone, textDigestColTarget}}
		for _, b := range s.Behind {
			t.Rows = append(t.Rows, []string{b.Name, hours(b.Minutes), hours(b.Target)})
		}
		v.Tables = append(v.Tables, t)
	}
	if s.This.WithTarget > 0 {
		v.Charts = append(v.Charts, chart("study-hours", textDigestChartStudy, map[string]any{
			"tooltip": map[string]any{"trigger": "axis"},
			"grid":    map[string]any{"left": 40, "right": 10, "top": 20, "bottom": 30},
			"xAxis":   map[string]any{"type": "category", "data": textDigestStudyBuckets},
			"yAxis":   map[string]any{"type": "value", "minInterval": 1},
			"series":  []map[string]any{{"name": textDigestStudyPeople, "type": "bar", "data": s.Hours}},
		}))
		v.Notes = append(v.Notes, textDigestStudyNote)
	}
	return v
}
