package chat

import (
	"testing"
	"time"
)

func mustLoc(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

func TestWeekBoundaries(t *testing.T) {
	loc := mustLoc(t)
	sunday := time.Date(2026, 11, 22, 23, 59, 59, 0, loc)
	monday := time.Date(2026, 11, 23, 0, 0, 0, 0, loc)
	ws, wm := WeekOf(sunday, loc), WeekOf(monday, loc)
	if ws.Label() != "2026-W47" || wm.Label() != "2026-W48" {
		t.Fatalf("Sunday 23:59 in %s, Monday 00:00 in %s; want 2026-W47 and 2026-W48", ws.Label(), wm.Label())
	}
	if !ws.Start.Equal(time.Date(2026, 11, 16, 0, 0, 0, 0, loc)) || !ws.End().Equal(monday) || ws.Next() != wm || wm.Prev() != ws {
		t.Errorf("week 47 = %v … %v", ws.Start, ws.End())
	}
	// Monday 00:00 Shanghai is Sunday 16:00 UTC: the zone decides.
	if got := WeekOf(monday.UTC(), loc).Label(); got != "2026-W48" {
		t.Errorf("WeekOf(UTC instant) = %s", got)
	}
	if !ws.Contains(sunday) || ws.Contains(monday) {
		t.Error("Contains is wrong at the boundary")
	}
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-W47", time.Date(2026, 11, 16, 0, 0, 0, 0, loc), true},
		{"2026w01", time.Date(2025, 12, 29, 0, 0, 0, 0, loc), true},

		{"2026-W53", time.Date(2026, 12, 28, 0, 0, 0, 0, loc), true},
		{"2025-W53", time.Time{}, false},
		{"第47周", time.Time{}, false},
	} {
		w, err := ParseWeek(tc.in, loc)
		if (err == nil) != tc.ok || (tc.ok && !w.Start.Equal(tc.want)) {
			t.Errorf("ParseWeek(%q) = %v, %v; want %v, ok=%v", tc.in, w.Start, err, tc.want, tc.ok)
		}
	}
}

func TestSemesters(t *testing.T) {
	loc := mustLoc(t)
	s := DefaultSettings()
	for _, tc := range []struct {
		day     time.Time
		name    string
		in      bool
		current string
	}{
		{time.Date(2026, 11, 18, 9, 0, 0, 0, loc), "2026-秋", true, "2026-秋"},
		{time.Date(2027, 1, 31, 23, 0, 0, 0, loc), "2026-秋", true, "2026-秋"},
		{time.Date(2027, 2, 10, 9, 0, 0, 0, loc), "", false, "2026-秋"},
		{time.Date(2027, 3, 1, 0, 0, 0, 0, loc), "2027-春", true, "2027-春"},
		{time.Date(2027, 7, 16, 0, 0, 0, 0, loc), "", false, "2027-春"},
	} {
		sem, ok := s.SemesterOf(tc.day, loc)
		if ok != tc.in || sem.Name != tc.name {
			t.Errorf("SemesterOf(%v) = %q, %v; want %q, %v", tc.day, sem.Name, ok, tc.name, tc.in)
		}
		if cur, _ := s.CurrentSemester(tc.day, loc); cur.Name != tc.current {
			t.Errorf("CurrentSemester(%v) = %q, want %q", tc.day, cur.Name, tc.current)
		}
	}
	sem, err := s.SemesterNamed("2026秋", time.Now(), loc)
	if err != nil || !sem.Start.Equal(time.Date(2026, 9, 1, 0, 0, 0, 0, loc)) || !sem.End.Equal(time.Date(2027, 2, 1, 0, 0, 0, 0, loc)) {
		t.Errorf("SemesterNamed(2026秋) = %+v, %v", sem, err)
	}

	custom := mustParseSettings(t, []byte(`{"semesters":[{"name":"2026-秋","start":"2026-08-31","end":"2027-01-22"}]}`))
	if sem, ok := custom.SemesterOf(time.Date(2026, 8, 31, 8, 0, 0, 0, loc), loc); !ok || sem.Name != "2026-秋" {
		t.Errorf("configured semester not used: %+v %v", sem, ok)
	}
	if _, ok := custom.SemesterOf(time.Date(2027, 1, 25, 8, 0, 0, 0, loc), loc); ok {
		t.Error("a day after the configured end is in the semester")
	}
	if _, err := ParseSettings([]byte(`{"semesters":[{"name":"x","start":"2026-09-01","end":"2026-08-01"}]}`)); err == nil {
		t.Error("a semester ending before it starts was accepted")
	}
}
