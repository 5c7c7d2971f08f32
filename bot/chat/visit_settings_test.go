package chat

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
)

func TestVisitSettings(t *testing.T) {
	def := mustParseSettings(t, nil)
	want := VisitSettings{TeacherWeekly: 1, ClassTeacherCoverage: "on", LeaderWeeklyObservations: 1, LeaderWeeklyTalks: 1,
		MiddleSemesterObservations: 40, MiddleMonthlyObservations: 10, PushEvaluation: "off"}
	if diff := cmp.Diff(want, def.Visits); diff != "" {
		t.Errorf("defaults mismatch (-want +got):\n%s", diff)
	}
	if def.Visits.Push() || !def.Visits.Coverage() {
		t.Errorf("defaults: push %v, coverage %v", def.Visits.Push(), def.Visits.Coverage())
	}
	set := mustParseSettings(t, []byte(`{"visits": {"teacher_weekly": 2, "middle_semester_observations": 30, "push_evaluation": "on", "class_teacher_coverage": "off"}}`))
	want.TeacherWeekly, want.MiddleSemesterObservations, want.PushEvaluation, want.ClassTeacherCoverage = 2, 30, "on", "off"
	if diff := cmp.Diff(want, set.Visits); diff != "" {
		t.Errorf("overrides mismatch (-want +got):\n%s", diff)
	}
	for _, bad := range []string{
		`{"visits": {"teacher_weekly": -1}}`,
		`{"visits": {"push_evaluation": "yes"}}`,
		`{"visits": {"leader_weekly_talks": 5000}}`,
		`{"visits": {"weekly": 1}}`,
	} {
		_, err := ParseSettings([]byte(bad))
		if !errors.Is(err, bot.ErrInvalid) || !strings.Contains(err.Error(), "visits") && !strings.Contains(err.Error(), "unknown field") {
			t.Errorf("ParseSettings(%s) = %v, want ErrInvalid naming the field", bad, err)
		}
	}
}
