package chat

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
	"minqing/bot/parse"
)

// mustParseSettings parses a school's settings document (nil: the
// defaults) or fails the test.
func mustParseSettings(tb testing.TB, doc []byte) Settings {
	tb.Helper()
	s, err := ParseSettings(doc)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func TestAddSchoolDays(t *testing.T) {
	set := mustParseSettings(t, []byte(`{"holidays": ["2026-10-01/2026-10-07", "2026-12-31"], "workdays": ["2026-10-10"]}`))
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
	if err != nil || s.Supervisor != SupervisorDiscipline || s.LinkDays != 7 || s.MinGroup != 3 || len(s.Routes) != 0 {
		t.Fatalf("defaults = %+v, %v", s, err)
	}
	s = mustParseSettings(t, []byte(`{"routes": {"logistics": "后勤处"}, "supervisor": "bureau", "daily_opinion_cap": 2, "lexicon": {"safety": ["溺水"]}}`))
	if s.Routes[parse.CatLogistics] != "后勤处" || s.Routes[parse.CatTeaching] != "" || s.Supervisor != SupervisorBureau || s.DailyOpinionCap != 2 || len(s.Lexicon[parse.CatSafety]) != 1 {
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
		`{"交办部门": {"食堂": "总务处"}}`,
		`{"监督": "校长"}`,
		`{"每日上限": 3}`,
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

// TestSettingsChinese: the Chinese keys and names of the template mean the
// same as the JSON ones, and the template reads back as the settings it
// was made from.
func TestSettingsChinese(t *testing.T) {
	zh := mustParseSettings(t, []byte(`{"说明": "…", "交办部门": {"后勤保障": "后勤处", "师德": "政教处"}, "监督": "教育局", "每日意见上限": 2, "关键词": {"安全": ["溺水"]}, "节假日": ["2026-10-01/2026-10-07"]}`))
	en := mustParseSettings(t, []byte(`{"routes": {"logistics": "后勤处", "ethics": "政教处"}, "supervisor": "bureau", "daily_opinion_cap": 2, "lexicon": {"safety": ["溺水"]}, "holidays": ["2026-10-01/2026-10-07"]}`))
	if diff := cmp.Diff(en, zh); diff != "" {
		t.Errorf("Chinese keys mismatch (-want +got):\n%s", diff)
	}
	back, err := ParseSettings(Template(zh))
	if err != nil {
		t.Fatalf("template does not parse: %v\n%s", err, Template(zh))
	}
	if diff := cmp.Diff(zh, back); diff != "" {
		t.Errorf("template round trip mismatch (-want +got):\n%s", diff)
	}
	_, err = ParseSettings([]byte(`{"每日意见上线": 3}`))
	if err == nil || !strings.Contains(err.Error(), "每日意见上限") {
		t.Errorf("a mistyped key: %v, want a suggestion of 每日意见上限", err)
	}
}

// TestRoutes: default routes go only to units the school has; configured
// routes must name one of them.
func TestRoutes(t *testing.T) {
	units := []bot.OrgUnit{{ID: 1, Kind: bot.UnitSchool, Name: "一中"}, {ID: 2, Kind: bot.UnitDepartment, Name: "办公室"}, {ID: 3, Kind: bot.UnitDepartment, Name: "后勤处"}}
	s := DefaultSettings()
	got := map[parse.Category]string{}
	for _, c := range parse.Categories {
		got[c] = s.Route(c, units)
	}
	want := map[parse.Category]string{
		parse.CatLeadership: "", parse.CatDepartment: "办公室", parse.CatEthics: "", parse.CatTeaching: "",
		parse.CatLogistics: "后勤处", parse.CatSafety: "", parse.CatFees: "后勤处", parse.CatOther: "办公室",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("default routes mismatch (-want +got):\n%s", diff)
	}
	s.Routes[parse.CatTeaching] = "教务处"
	err := s.CheckRoutes(units)
	if !errors.Is(err, bot.ErrInvalid) || !strings.Contains(err.Error(), "教务处") || !strings.Contains(err.Error(), "后勤处") {
		t.Errorf("CheckRoutes = %v, want the missing 教务处 and the units there are", err)
	}
	s.Routes[parse.CatTeaching] = "办公室"
	if err := s.CheckRoutes(units); err != nil {
		t.Errorf("CheckRoutes = %v", err)
	}
}
