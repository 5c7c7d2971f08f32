package chat

import (
	"errors"
	"fmt"

	"minqing/bot"
)

// VisitSettings are the targets of home visits, observations and talks.
// Zero fields take the defaults; see DefaultVisitSettings.
type VisitSettings struct {
	// TeacherWeekly is how many home visits every teacher makes a week.
	TeacherWeekly int `json:"teacher_weekly,omitempty"`
	// ClassTeacherCoverage: class teachers visit every family of their
	// classes once a semester ("off" turns the coverage target off).
	ClassTeacherCoverage string `json:"class_teacher_coverage,omitempty"`
	// LeaderWeeklyObservations and LeaderWeeklyTalks are the school
	// leaders' weekly observations (推门听课) and talks (谈心).
	LeaderWeeklyObservations int `json:"leader_weekly_observations,omitempty"`
	LeaderWeeklyTalks        int `json:"leader_weekly_talks,omitempty"`
	// MiddleSemesterObservations and MiddleMonthlyObservations are the
	// middle leaders' observations a semester and a month.
	MiddleSemesterObservations int `json:"middle_semester_observations,omitempty"`
	MiddleMonthlyObservations  int `json:"middle_monthly_observations,omitempty"`
	// PushEvaluation sends the observed teacher what the observer wrote
	// ("on"; default "off").
	PushEvaluation string `json:"push_evaluation,omitempty"`
}

// DefaultVisitSettings: every teacher one home visit a week; class
// teachers every family once a semester; school leaders one observation
// and one talk a week; middle leaders 40 observations a semester (10 a
// month); the evaluation is not pushed to the observed teacher.
func DefaultVisitSettings() VisitSettings {
	return VisitSettings{
		TeacherWeekly: 1, ClassTeacherCoverage: "on",
		LeaderWeeklyObservations: 1, LeaderWeeklyTalks: 1,
		MiddleSemesterObservations: 40, MiddleMonthlyObservations: 10,
		PushEvaluation: "off",
	}
}

// Coverage reports whether class teachers have the every-family target.
func (v VisitSettings) Coverage() bool { return v.ClassTeacherCoverage != "off" }

// Push reports whether the observed teacher gets the evaluation.
func (v VisitSettings) Push() bool { return v.PushEvaluation == "on" }

// mergeVisits lays in over s.Visits (the defaults) and checks it; the
// fields in error keep their defaults.
func (s *Settings) mergeVisits(in VisitSettings) error {
	d := &s.Visits
	var errs []error
	num := func(name string, v int, dst *int) {
		switch {
		case v < 0 || v > 1000:
			errs = append(errs, fmt.Errorf("settings: visits.%s must be between 0 and 1000: %w", name, bot.ErrInvalid))
		case v > 0:
			*dst = v
		}
	}
	onOff := func(name, v string, dst *string) {
		switch v {
		case "":
		case "on", "off":
			*dst = v
		default:
			errs = append(errs, fmt.Errorf("settings: visits.%s must be \"on\" or \"off\": %w", name, bot.ErrInvalid))
		}
	}
	num("teacher_weekly", in.TeacherWeekly, &d.TeacherWeekly)
	num("leader_weekly_observations", in.LeaderWeeklyObservations, &d.LeaderWeeklyObservations)
	num("leader_weekly_talks", in.LeaderWeeklyTalks, &d.LeaderWeeklyTalks)
	num("middle_semester_observations", in.MiddleSemesterObservations, &d.MiddleSemesterObservations)
	num("middle_monthly_observations", in.MiddleMonthlyObservations, &d.MiddleMonthlyObservations)
	onOff("class_teacher_coverage", in.ClassTeacherCoverage, &d.ClassTeacherCoverage)
	onOff("push_evaluation", in.PushEvaluation, &d.PushEvaluation)
	return errors.Join(errs...)
}
