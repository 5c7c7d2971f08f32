package chat

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
)

func TestStudySettings(t *testing.T) {
	s := mustParseSettings(t, nil)
	party := StudyTarget{WeeklyHours: 5, SemesterNoteChars: 20000, SemesterEssays: 1}
	for _, tc := range []struct {
		roles []bot.Role
		want  StudyTarget
	}{
		{[]bot.Role{bot.RolePartyMember}, party},
		{[]bot.Role{bot.RoleTeacher, bot.RolePartyMember}, party},
		{[]bot.Role{bot.RoleSchoolLeader}, party},
		{[]bot.Role{bot.RoleMiddleLeader}, party},
		{[]bot.Role{bot.RoleTeacher}, StudyTarget{}},
	} {
		if d := cmp.Diff(tc.want, s.Study.TargetOf(bot.Person{Roles: tc.roles})); d != "" {
			t.Errorf("default target of %v mismatch (-want +got):\n%s", tc.roles, d)
		}
	}
	s = mustParseSettings(t, []byte(`{"study":{"targets":{"teacher":{"weekly_hours":2}},"reminder_day":"Friday","reminder_time":"08:30","reminder_template_id":" t1 "}}`))
	if got := s.Study.TargetOf(bot.Person{Roles: []bot.Role{bot.RoleTeacher}}); got.WeeklyHours != 2 {
		t.Errorf("teacher target = %+v", got)
	}
	if got := s.Study.TargetOf(bot.Person{Roles: []bot.Role{bot.RolePartyMember}}); got != party {
		t.Errorf("party target after a teacher override = %+v", got)
	}
	loc := time.FixedZone("CST", 8*3600)
	w := WeekOf(time.Date(2026, 11, 18, 12, 0, 0, 0, loc), loc)
	if got, want := s.Study.reminderAt(w), time.Date(2026, 11, 20, 8, 30, 0, 0, loc); !got.Equal(want) || s.Study.ReminderTemplateID != "t1" {
		t.Errorf("reminder at %v (template %q), want %v", got, s.Study.ReminderTemplateID, want)
	}
	if got, want := DefaultSettings().Study.reminderAt(w), time.Date(2026, 11, 19, 17, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("default reminder at %v, want %v", got, want)
	}
	for _, bad := range []string{
		`{"study":{"targets":{"janitor":{"weekly_hours":1}}}}`,
		`{"study":{"targets":{"teacher":{"weekly_hours":-1}}}}`,
		`{"study":{"reminder_day":"someday"}}`,
		`{"study":{"reminder_time":"25:00"}}`,
		`{"study":{"weekly":5}}`,
	} {
		if _, err := ParseSettings([]byte(bad)); !errors.Is(err, bot.ErrInvalid) {
			t.Errorf("ParseSettings(%s) = %v, want ErrInvalid", bad, err)
		}
	}
}

func TestStudyFormatting(t *testing.T) {
	for _, tc := range []struct {
		minutes int
		want    string
	}{{0, "0"}, {30, "0.5"}, {40, "0.7"}, {60, "1"}, {150, "2.5"}, {210, "3.5"}, {80, "1.3"}} {
		if got := hours(tc.minutes); got != tc.want {
			t.Errorf("hours(%d) = %q, want %q", tc.minutes, got, tc.want)
		}
	}
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {12300, "12,300"}, {1234567, "1,234,567"}, {-1500, "-1,500"}} {
		if got := thousands(tc.n); got != tc.want {
			t.Errorf("thousands(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestExcuseWeeksAndSimilarity(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	day := func(s string) time.Time { d, _ := time.ParseInLocation(time.DateOnly, s, loc); return d }
	weeks, err := ExcuseWeeks(day("2026-11-18"), day("2026-11-29"), loc)
	var labels []string
	for _, w := range weeks {
		labels = append(labels, w.Label())
	}
	if d := cmp.Diff([]string{"2026-W47", "2026-W48"}, labels); err != nil || d != "" {
		t.Errorf("ExcuseWeeks mismatch (-want +got):\n%s %v", d, err)
	}
	if _, err := ExcuseWeeks(day("2026-11-29"), day("2026-11-18"), loc); !errors.Is(err, bot.ErrInvalid) {
		t.Errorf("backwards: %v", err)
	}
	if _, err := ExcuseWeeks(day("2026-01-01"), day("2026-12-31"), loc); !errors.Is(err, bot.ErrInvalid) {
		t.Errorf("a year: %v", err)
	}
	a := "通过学习党的群众路线教育实践活动的有关文件，我深刻认识到群众路线是党的生命线和根本工作路线。"
	if got := Similarity(a, "我认为，"+a+"今后继续努力。"); got != 1 {
		t.Errorf("a copy inside a longer text: %v, want 1", got)
	}
	if got := Similarity(a, "校门口放学时交通很乱，建议安排老师和保安疏导，保障孩子安全。"); got > 0.05 {
		t.Errorf("unrelated: %v", got)
	}
	if got := Similarity("", a); got != 0 {
		t.Errorf("empty: %v", got)
	}
}

// A school's IT teacher reads the problems of the study and visits
// settings in Chinese, all at once.
func TestStreamSettingsErrorsInChinese(t *testing.T) {
	_, err := ParseSettings([]byte(`{"study":{"reminder_time":"25:99","targets":{"staff":{}}},"visits":{"teacher_weekly":-1,"push_evaluation":"yes"}}`))
	if !errors.Is(err, bot.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	for _, want := range []string{"提醒时间（study.reminder_time）“25:99”", "人群“staff”不存在", "visits.teacher_weekly）应是 0 到 1000", "visits.push_evaluation）只能是"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "must be") || strings.Contains(err.Error(), "is not") {
		t.Errorf("error is partly English: %q", err)
	}
}
