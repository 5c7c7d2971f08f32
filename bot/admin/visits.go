package admin

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"minqing/bot"
	"minqing/bot/chat"
)

// Table is one sheet of an export.
type Table struct {
	Name   string
	Header []string
	Rows   [][]string
}

// semesterDays finds the semester named (the current one when name is
// empty) in the school's settings and returns it with its days as stored
// (midnight UTC, from included, to excluded).
func (a *Admin) semesterDays(ctx context.Context, tx bot.Tx, schoolID int64, name string, loc *time.Location) (chat.Semester, time.Time, time.Time, error) {
	set := chat.DefaultSettings()
	doc, err := tx.SchoolSettings(ctx, schoolID)
	switch {
	case err == nil:
		if set, err = chat.ParseSettings(doc); err != nil {
			return chat.Semester{}, time.Time{}, time.Time{}, err
		}
	case !errors.Is(err, bot.ErrNotFound):
		return chat.Semester{}, time.Time{}, time.Time{}, err
	}
	var sem chat.Semester
	if name == "" {
		var ok bool
		if sem, ok = set.CurrentSemester(a.now(), loc); !ok {
			return sem, time.Time{}, time.Time{}, fmt.Errorf("no semester before today: %w", bot.ErrNotFound)
		}
	} else if sem, err = set.SemesterNamed(name, a.now(), loc); err != nil {
		return sem, time.Time{}, time.Time{}, err
	}
	day := func(t time.Time) time.Time {
		l := t.In(loc)
		return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
	}
	return sem, day(sem.Start), day(sem.End), nil
}

func dayText(t time.Time) string { return t.Format(time.DateOnly) }

func yesNo(b bool) string {
	if b {
		return textYes
	}
	return textNo
}

// byID maps xs by their IDs.
func byID[T any](xs []T, id func(T) int64) map[int64]T {
	m := make(map[int64]T, len(xs))
	for _, x := range xs {
		m[id(x)] = x
	}
	return m
}

func campusName(units map[int64]bot.OrgUnit, id int64) string {
	for range 4 {
		u, ok := units[id]
		if !ok {
			break
		}
		if u.Kind == bot.UnitCampus {
			return u.Name
		}
		id = u.ParentID
	}
	return textMainCampus
}

// semesterTables runs build in one transaction over the days of the
// semester named, with the school's staff and units at hand.
func (a *Admin) semesterTables(ctx context.Context, schoolID int64, semester string, loc *time.Location,
	build func(tx bot.Tx, from, to time.Time, staff map[int64]bot.Person, units map[int64]bot.OrgUnit) ([]Table, error)) ([]Table, chat.Semester, error) {
	var (
		out []Table
		sem chat.Semester
	)
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		s, from, to, err := a.semesterDays(ctx, tx, schoolID, semester, loc)
		if err != nil {
			return err
		}
		sem = s
		staff, err := tx.Staff(ctx, schoolID, true) // inactive ones too
		if err != nil {
			return err
		}
		units, err := tx.UnitsOfSchool(ctx, schoolID)
		if err != nil {
			return err
		}
		out, err = build(tx, from, to, byID(staff, func(p bot.Person) int64 { return p.ID }),
			byID(units, func(u bot.OrgUnit) int64 { return u.ID }))
		return err
	})
	return out, sem, err
}

// VisitTables is the 家访记录表 of a school's semester: every visit, and
// the coverage of every class (families visited against the roster's
// students).
func (a *Admin) VisitTables(ctx context.Context, schoolID int64, semester string, loc *time.Location) ([]Table, chat.Semester, error) {
	return a.semesterTables(ctx, schoolID, semester, loc, func(tx bot.Tx, from, to time.Time, staff map[int64]bot.Person, units map[int64]bot.OrgUnit) ([]Table, error) {
		visits, err := tx.SchoolVisits(ctx, schoolID, from, to)
		if err != nil {
			return nil, err
		}
		vt := Table{Name: textSheetVisits, Header: visitHeader}
		for _, v := range visits {
			code := ""
			if v.OpinionID != 0 {
				o, err := tx.Opinion(ctx, v.OpinionID)
				if err != nil {
					return nil, err
				}
				code = o.Code
			}
			check := ""
			if v.Flagged {
				check = textFlaggedCheck
			}
			mode := modeNames[v.Mode]
			if mode == "" {
				mode = v.Mode
			}
			vt.Rows = append(vt.Rows, []string{v.Student, v.Class, dayText(v.Day), staff[v.TeacherID].Name, mode, v.Notes, yesNo(v.FollowUp), code, check})
		}
		cov, err := tx.Coverage(ctx, schoolID, from, to)
		if err != nil {
			return nil, err
		}
		visited, err := tx.VisitedStudents(ctx, schoolID, from, to)
		if err != nil {
			return nil, err
		}
		seen := make(map[int64]bool, len(visited))
		for _, id := range visited {
			seen[id] = true
		}
		students, err := tx.Students(ctx, schoolID)
		if err != nil {
			return nil, err
		}
		ct := Table{Name: textSheetCoverage, Header: coverageHeader}
		for _, c := range cov {
			var missing []string
			for _, st := range students {
				if st.ClassID == c.ClassID && !seen[st.ID] {
					missing = append(missing, st.Name)
				}
			}
			rate := "0%"
			if c.Students > 0 {
				rate = strconv.Itoa(c.Visited*100/c.Students) + "%"
			}
			ct.Rows = append(ct.Rows, []string{campusName(units, c.ClassID), units[c.ClassID].Name, strconv.Itoa(c.Students),
				strconv.Itoa(c.Visited), strconv.Itoa(c.Students - c.Visited), rate, strings.Join(missing, "、")})
		}
		return []Table{vt, ct}, nil
	})
}

// ObservationTables is the 听课记录 of a school's semester: every
// observation, every talk, and each leader's counts.
func (a *Admin) ObservationTables(ctx context.Context, schoolID int64, semester string, loc *time.Location) ([]Table, chat.Semester, error) {
	return a.semesterTables(ctx, schoolID, semester, loc, func(tx bot.Tx, from, to time.Time, staff map[int64]bot.Person, units map[int64]bot.OrgUnit) ([]Table, error) {
		obs, err := tx.SchoolObservations(ctx, schoolID, from, to)
		if err != nil {
			return nil, err
		}
		talks, err := tx.SchoolTalks(ctx, schoolID, from, to)
		if err != nil {
			return nil, err
		}
		counts, err := tx.LeaderCounts(ctx, schoolID, from, to)
		if err != nil {
			return nil, err
		}
		ot := Table{Name: textSheetObservations, Header: observationHeader}
		for _, o := range obs {
			campus := textMainCampus
			if o.CampusID != 0 {
				campus = units[o.CampusID].Name
			}
			ot.Rows = append(ot.Rows, []string{dayText(o.Day), staff[o.ObserverID].Name, campus, o.Class, o.Subject, o.TeacherName, o.Notes})
		}
		tt := Table{Name: textSheetTalks, Header: talkHeader}
		for _, k := range talks {
			tt.Rows = append(tt.Rows, []string{dayText(k.Day), staff[k.LeaderID].Name, k.TeacherName, k.Notes})
		}
		lt := Table{Name: textSheetLeaders, Header: leaderHeader}
		for _, c := range counts {
			p := staff[c.PersonID]
			lt.Rows = append(lt.Rows, []string{p.Name, p.Title, strconv.Itoa(c.Observations), strconv.Itoa(c.Talks)})
		}
		return []Table{ot, tt, lt}, nil
	})
}
