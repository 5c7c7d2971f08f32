package chat

import (
	"errors"
	"testing"
	"time"

	"minqing/bot"
	"minqing/bot/parse"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestAddSchoolDays(t *testing.T) {
	set, err := ParseSettings([]byte(`{"holidays": ["2026-10-01/2026-10-07", "2026-12-31"], "workdays": ["2026-10-10"]}`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-11-20", 1, "2026-11-23"}, // Friday + 1 → Monday
		{"2026-11-21", 1, "2026-11-23"}, // Saturday + 1 → Monday
		{"2026-11-18", 3, "2026-11-23"}, // Wednesday + 3 → Monday
		{"2026-11-16", 5, "2026-11-23"}, // a whole week
		{"2026-09-30", 1, "2026-10-08"}, // the National Day holiday
		{"2026-09-30", 3, "2026-10-10"}, // ... and its make-up Saturday
		{"2026-12-30", 1, "2027-01-01"}, // New Year's Eve off
		{"2026-11-20", 0, "2026-11-20"},
	}
	for _, tc := range tests {
		if got := set.AddSchoolDays(day(tc.from), tc.n).Format(time.DateOnly); got != tc.want {
			t.Errorf("AddSchoolDays(%s, %d) = %s, want %s", tc.from, tc.n, got, tc.want)
		}
	}
}

func TestParseSettings(t *testing.T) {
	s, err := ParseSettings(nil)
	if err != nil || s.Supervisor != SupervisorDiscipline || s.LinkDays != 7 || s.MinGroup != 3 || s.Routes[parse.CatLogistics] != "总务处" {
		t.Fatalf("defaults = %+v, %v", s, err)
	}
	s, err = ParseSettings([]byte(`{"routes": {"logistics": "后勤处"}, "supervisor": "bureau", "daily_opinion_cap": 2, "lexicon": {"safety": ["溺水"]}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Routes[parse.CatLogistics] != "后勤处" || s.Routes[parse.CatTeaching] != "教务处" || s.Supervisor != SupervisorBureau || s.DailyOpinionCap != 2 || len(s.Lexicon[parse.CatSafety]) != 1 {
		t.Errorf("merged settings = %+v", s)
	}
	for _, bad := range []string{
		`{"supervisor": "principal"}`,
		`{"routes": {"canteen": "总务处"}}`,
		`{"holidays": ["10月1日"]}`,
		`{"holidays": ["2026-10-07/2026-10-01"]}`,
		`{"workdays": ["tomorrow"]}`,
		`{"link_days": -1}`,
		`{"link_days": 31}`,
		`{"unknown_key": 1}`,
		`not json`,
	} {
		if _, err := ParseSettings([]byte(bad)); !errors.Is(err, bot.ErrInvalid) {
			t.Errorf("ParseSettings(%s) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestTransitions(t *testing.T) {
	legal := map[bot.OpinionStatus][]bot.OpinionStatus{
		bot.StatusReceived:   {bot.StatusAssigned, bot.StatusRejected, bot.StatusMerged, bot.StatusWithdrawn},
		bot.StatusAssigned:   {bot.StatusAssigned, bot.StatusProcessing, bot.StatusAnswered, bot.StatusRejected, bot.StatusMerged},
		bot.StatusProcessing: {bot.StatusAssigned, bot.StatusAnswered},
		bot.StatusAnswered:   {bot.StatusClosed, bot.StatusProcessing},
	}
	all := []bot.OpinionStatus{bot.StatusReceived, bot.StatusAssigned, bot.StatusProcessing, bot.StatusAnswered, bot.StatusClosed, bot.StatusRejected, bot.StatusMerged, bot.StatusWithdrawn}
	for _, from := range all {
		for _, to := range all {
			o := bot.Opinion{Status: from}
			err := bot.Transition(&o, to)
			want := false
			for _, x := range legal[from] {
				want = want || x == to
			}
			if (err == nil) != want {
				t.Errorf("%s → %s: err = %v, want allowed=%v", from, to, err, want)
			}
			if err != nil && o.Status != from {
				t.Errorf("%s → %s refused but the status changed to %s", from, to, o.Status)
			}
		}
	}
}
