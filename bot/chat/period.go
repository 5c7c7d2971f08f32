package chat

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"minqing/bot"
)

// The periods every stream is counted in: school weeks (Monday to Sunday in
// the school's time zone, labelled as ISO weeks, "2026-W47"), semesters
// (from the school's settings, or the usual dates) and calendar years.

// Week is a school week: from Monday 00:00 to the next Monday 00:00 in the
// school's time zone.
type Week struct {
	// Start is the Monday 00:00 that begins the week, in the school's zone.
	Start time.Time
}

// WeekOf returns the school week that contains t, read in loc.
func WeekOf(t time.Time, loc *time.Location) Week {
	l := t.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	back := (int(day.Weekday()) + 6) % 7 // days since Monday
	return Week{Start: day.AddDate(0, 0, -back)}
}

// End is the Monday 00:00 after the week (exclusive).
func (w Week) End() time.Time { return w.Start.AddDate(0, 0, 7) }

// Contains reports whether t falls in the week.
func (w Week) Contains(t time.Time) bool { return !t.Before(w.Start) && t.Before(w.End()) }

// Prev and Next are the weeks before and after w.
func (w Week) Prev() Week { return Week{Start: w.Start.AddDate(0, 0, -7)} }

// Next is the week after w.
func (w Week) Next() Week { return Week{Start: w.Start.AddDate(0, 0, 7)} }

// Label is the week's ISO name, e.g. "2026-W47".
func (w Week) Label() string {
	y, n := w.Start.ISOWeek()
	return fmt.Sprintf("%d-W%02d", y, n)
}

// Number is the ISO week number (第47周).
func (w Week) Number() int {
	_, n := w.Start.ISOWeek()
	return n
}

// ParseWeek reads a week label ("2026-W47", "2026W47") in loc.
func ParseWeek(s string, loc *time.Location) (Week, error) {
	y, n, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), "W")
	y = strings.TrimSuffix(y, "-")
	year, err1 := strconv.Atoi(y)
	num, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || num < 1 || num > 53 || year < 2000 || year > 2100 {
		return Week{}, fmt.Errorf("week %q is not like 2026-W47: %w", s, bot.ErrInvalid)
	}
	// ISO week 1 is the week with the year's first Thursday; 4 January is
	// always in it.
	w := WeekOf(time.Date(year, time.January, 4, 12, 0, 0, 0, loc), loc)
	w.Start = w.Start.AddDate(0, 0, 7*(num-1))
	if gy, _ := w.Start.ISOWeek(); gy != year {
		return Week{}, fmt.Errorf("%d has no week %d: %w", year, num, bot.ErrInvalid)
	}
	return w, nil
}

// SemesterDates is a semester as a school configures it: a name
// ("2026-秋") and its first and last days ("2026-09-01", "2027-01-31").
type SemesterDates struct {
	Name  string `json:"name"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// Semester is a semester in the school's time zone: from Start (00:00 of
// its first day) to End (00:00 after its last day, exclusive).
type Semester struct {
	Name       string
	Start, End time.Time
}

// Contains reports whether t falls in the semester.
func (s Semester) Contains(t time.Time) bool { return !t.Before(s.Start) && t.Before(s.End) }

func (d SemesterDates) semester(loc *time.Location) (Semester, error) {
	from, err1 := time.ParseInLocation(time.DateOnly, strings.TrimSpace(d.Start), loc)
	to, err2 := time.ParseInLocation(time.DateOnly, strings.TrimSpace(d.End), loc)
	if strings.TrimSpace(d.Name) == "" || err1 != nil || err2 != nil || to.Before(from) {
		return Semester{}, fmt.Errorf("settings: semester %q needs a name and start/end days YYYY-MM-DD, end not before start: %w", d.Name, bot.ErrInvalid)
	}
	return Semester{Name: strings.TrimSpace(d.Name), Start: from, End: to.AddDate(0, 0, 1)}, nil
}

// defaultSemesters are the usual semesters around year y: spring (1 Mar –
// 15 Jul, "Y-春") and autumn (1 Sep – 31 Jan, "Y-秋"), of y-1, y and y+1.
func defaultSemesters(y int, loc *time.Location) []Semester {
	var out []Semester
	for year := y - 1; year <= y+1; year++ {
		out = append(out,
			Semester{Name: strconv.Itoa(year) + "-春", Start: time.Date(year, time.March, 1, 0, 0, 0, 0, loc), End: time.Date(year, time.July, 16, 0, 0, 0, 0, loc)},
			Semester{Name: strconv.Itoa(year) + "-秋", Start: time.Date(year, time.September, 1, 0, 0, 0, 0, loc), End: time.Date(year+1, time.February, 1, 0, 0, 0, 0, loc)})
	}
	return out
}

// semesters lists the school's semesters around t, oldest first: the
// configured ones, or the usual dates when none are configured.
func (s Settings) semesters(t time.Time, loc *time.Location) []Semester {
	if len(s.Semesters) == 0 {
		return defaultSemesters(t.In(loc).Year(), loc)
	}
	out := make([]Semester, 0, len(s.Semesters))
	for _, d := range s.Semesters {
		if sem, err := d.semester(loc); err == nil {
			out = append(out, sem)
		}
	}
	return out
}

// SemesterOf returns the semester that t falls in; ok is false in the
// holidays between semesters.
func (s Settings) SemesterOf(t time.Time, loc *time.Location) (Semester, bool) {
	for _, sem := range s.semesters(t, loc) {
		if sem.Contains(t) {
			return sem, true
		}
	}
	return Semester{}, false
}

// CurrentSemester is the semester t falls in or, in the holidays, the one
// that ended last before t — what "this semester" means in a progress
// report. ok is false only when the school has no semester before t.
func (s Settings) CurrentSemester(t time.Time, loc *time.Location) (Semester, bool) {
	var last Semester
	found := false
	for _, sem := range s.semesters(t, loc) {
		if sem.Contains(t) {
			return sem, true
		}
		if !sem.Start.After(t) && (!found || sem.Start.After(last.Start)) {
			last, found = sem, true
		}
	}
	return last, found
}

// SemesterNamed finds a semester by name ("2026-秋"; "2026秋" and
// "2026-autumn" are read too).
func (s Settings) SemesterNamed(name string, now time.Time, loc *time.Location) (Semester, error) {
	n := strings.NewReplacer(" ", "", "autumn", "秋", "fall", "秋", "spring", "春", "季", "", "学期", "").Replace(strings.ToLower(strings.TrimSpace(name)))
	if !strings.Contains(n, "-") && len(n) > 4 {
		n = n[:4] + "-" + n[4:]
	}
	var candidates []Semester
	if y, err := strconv.Atoi(strings.SplitN(n, "-", 2)[0]); err == nil && len(s.Semesters) == 0 {
		candidates = defaultSemesters(y, loc)
	} else {
		candidates = s.semesters(now, loc)
	}
	for _, sem := range candidates {
		if sem.Name == n || sem.Name == strings.TrimSpace(name) {
			return sem, nil
		}
	}
	return Semester{}, fmt.Errorf("semester %q is not known (like 2026-秋 or 2027-春): %w", name, bot.ErrNotFound)
}
