package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"minqing/bot"
	"minqing/bot/chat"
)

// StudyReport is a school's study in one semester: what
// `minqing export study` writes (学时登记表).
type StudyReport struct {
	School   bot.OrgUnit
	Semester chat.Semester
	Weeks    []chat.Week
	Rows     []StudyRow
	Checkins []bot.Checkin
	Essays   []bot.Essay
	// Names and Departments are by person ID.
	Names       map[int64]string
	Departments map[int64]string
}

// StudyRow is one staff member's semester.
type StudyRow struct {
	Person      bot.Person
	Party       bool
	Target      chat.StudyTarget
	WeekMinutes []int  // per week of Weeks
	Excused     []bool // per week of Weeks
	Minutes     int
	Chars       int
	Essays      int
	ExcusedN    int
	// Met says whether every finished, unexcused week reached the weekly
	// target and the semester's notes and essays reached theirs (so far).
	Met bool
}

// StudyReport reads a school's study in the semester named (empty: the
// current one), in the school's time zone loc.
func (a *Admin) StudyReport(ctx context.Context, schoolID int64, semester string, loc *time.Location) (StudyReport, error) {
	now := a.now()
	var r StudyReport
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		r = StudyReport{Names: map[int64]string{}, Departments: map[int64]string{}}
		school, err := tx.Unit(ctx, schoolID)
		if err != nil {
			return err
		}
		r.School = school
		set := chat.DefaultSettings()
		doc, err := tx.SchoolSettings(ctx, schoolID)
		switch {
		case err == nil:
			if set, err = chat.ParseSettings(doc); err != nil {
				return err
			}
		case !errors.Is(err, bot.ErrNotFound):
			return err
		}
		if semester == "" {
			sem, ok := set.CurrentSemester(now, loc)
			if !ok {
				return fmt.Errorf("no semester before today: %w", bot.ErrNotFound)
			}
			r.Semester = sem
		} else if r.Semester, err = set.SemesterNamed(semester, now, loc); err != nil {
			return err
		}
		for w := chat.WeekOf(r.Semester.Start, loc); w.Start.Before(r.Semester.End); w = w.Next() {
			r.Weeks = append(r.Weeks, w)
		}
		from, to := r.Semester.Start.Format(time.DateOnly), r.Semester.End.Format(time.DateOnly)
		if r.Checkins, err = tx.SchoolCheckins(ctx, schoolID, from, to); err != nil {
			return err
		}
		if r.Essays, err = tx.SchoolEssays(ctx, schoolID, r.Semester.Start, r.Semester.End, true); err != nil {
			return err
		}
		excuses, err := tx.SchoolExcuses(ctx, schoolID, r.Weeks[0].Label(), r.Weeks[len(r.Weeks)-1].Label())
		if err != nil {
			return err
		}
		units, err := tx.UnitsOfSchool(ctx, schoolID)
		if err != nil {
			return err
		}
		unitName := map[int64]string{}
		for _, u := range units {
			if u.Kind == bot.UnitDepartment {
				unitName[u.ID] = u.Name
			}
		}
		staff, err := tx.Staff(ctx, schoolID, true)
		if err != nil {
			return err
		}
		weekIndex := map[string]int{}
		for i, w := range r.Weeks {
			weekIndex[w.Label()] = i
		}
		rows := map[int64]*StudyRow{}
		for _, p := range staff {
			r.Names[p.ID] = p.Name
			ids, err := tx.PersonUnits(ctx, p.ID)
			if err != nil {
				return err
			}
			var depts []string
			for _, id := range ids {
				if n := unitName[id]; n != "" {
					depts = append(depts, n)
				}
			}
			r.Departments[p.ID] = strings.Join(depts, "、")
			if !p.Active {
				continue
			}
			r.Rows = append(r.Rows, StudyRow{Person: p, Party: p.Has(bot.RolePartyMember) || p.Has(bot.RolePartySecretary) || p.Has(bot.RoleDiscipline),
				Target: set.Study.TargetOf(p), WeekMinutes: make([]int, len(r.Weeks)), Excused: make([]bool, len(r.Weeks))})
		}
		for i := range r.Rows {
			rows[r.Rows[i].Person.ID] = &r.Rows[i]
		}
		for _, c := range r.Checkins {
			row := rows[c.PersonID]
			if row == nil {
				continue
			}
			day, err := time.ParseInLocation(time.DateOnly, c.Day, loc)
			if err != nil {
				continue
			}
			if i, ok := weekIndex[chat.WeekOf(day, loc).Label()]; ok {
				row.WeekMinutes[i] += c.Minutes
			}
			row.Minutes += c.Minutes
			row.Chars += c.Chars
		}
		for _, e := range excuses {
			if row := rows[e.PersonID]; row != nil {
				if i, ok := weekIndex[e.Week]; ok && !row.Excused[i] {
					row.Excused[i] = true
					row.ExcusedN++
				}
			}
		}
		for _, e := range r.Essays {
			if row := rows[e.PersonID]; row != nil {
				row.Essays++
			}
		}
		for i := range r.Rows {
			row := &r.Rows[i]
			row.Met = row.Chars >= row.Target.SemesterNoteChars && row.Essays >= row.Target.SemesterEssays
			weekly := int(row.Target.WeeklyHours*60 + 0.5)
			for k, w := range r.Weeks {
				if weekly > 0 && !row.Excused[k] && !w.End().After(now) && row.WeekMinutes[k] < weekly {
					row.Met = false
				}
			}
		}
		return nil
	})
	return r, err
}

// Excuse marks the school weeks touching the days from–to excused for the
// staff member named who (a name or a staff number); it returns the weeks.
func (a *Admin) Excuse(ctx context.Context, schoolID int64, who string, from, to time.Time, loc *time.Location) ([]chat.Week, error) {
	weeks, err := chat.ExcuseWeeks(from, to, loc)
	if err != nil {
		return nil, err
	}
	err = a.store.Update(ctx, func(tx bot.Tx) error {
		staff, err := tx.Staff(ctx, schoolID, false)
		if err != nil {
			return err
		}
		hits := slices.DeleteFunc(slices.Clone(staff), func(p bot.Person) bool { return p.Name != who && (p.StaffNo == "" || p.StaffNo != who) })
		switch len(hits) {
		case 0:
			return fmt.Errorf("no such staff member: %w", bot.ErrNotFound)
		case 1:
		default:
			return fmt.Errorf("%d staff members match; use the staff number: %w", len(hits), bot.ErrConflict)
		}
		for _, w := range weeks {
			if err := tx.PutExcuse(ctx, bot.Excuse{PersonID: hits[0].ID, Week: w.Label(), Source: "admin", Created: a.now().UTC()}); err != nil {
				return err
			}
		}
		return nil
	})
	return weeks, err
}
