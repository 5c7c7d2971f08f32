package chat

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"minqing/bot"
	"minqing/bot/parse"
)

// Settings are what a school (or the bureau for it) configures; every
// field has a default, so an empty document is valid.
type Settings struct {
	// Routes names, per category, the unit an opinion is normally assigned
	// to (by unit name, e.g. "总务处"). 交办 without a unit uses it.
	Routes map[parse.Category]string `json:"routes,omitempty"`
	// Supervisor handles the opinions about the leadership team instead of
	// the leadership: "discipline" (the party branch's discipline member,
	// default), "party_secretary", or "bureau".
	Supervisor string `json:"supervisor,omitempty"`
	// Holidays are days without school: "2026-10-01" or a range
	// "2026-10-01/2026-10-07". Weekends are always off unless listed in
	// Workdays (make-up school days, 调休).
	Holidays []string `json:"holidays,omitempty"`
	Workdays []string `json:"workdays,omitempty"`
	// Lexicon adds keywords per category to the built-in ones.
	Lexicon parse.Lexicon `json:"lexicon,omitempty"`
	// DailyOpinionCap is how many opinions one sender may file a day.
	DailyOpinionCap int `json:"daily_opinion_cap,omitempty"`
	// ReceiptDays is how long a receipt (the link to push an answer) lives.
	ReceiptDays int `json:"receipt_days,omitempty"`
	// DueDays is the deadline, in school days, of 交办 when none is given.
	DueDays int `json:"due_days,omitempty"`
	// MinGroup is the smallest number of distinct senders a breakdown may
	// show (k-anonymity).
	MinGroup int `json:"min_group,omitempty"`
	// Semesters are the school's semesters (period.go); when empty, autumn
	// runs 1 Sep – 31 Jan and spring 1 Mar – 15 Jul.
	Semesters []SemesterDates `json:"semesters,omitempty"`
	Digest    DigestSettings  `json:"digest,omitempty"`
	// Study are the study targets and reminders (study_settings.go).
	Study  StudySettings `json:"study,omitempty"`
	Visits VisitSettings `json:"visits,omitempty"` // visit_settings.go
}

// Supervisors.
const (
	SupervisorDiscipline     = "discipline"
	SupervisorPartySecretary = "party_secretary"
	SupervisorBureau         = "bureau"
)

// DefaultSettings are the built-in settings.
func DefaultSettings() Settings {
	return Settings{
		Routes: map[parse.Category]string{
			parse.CatDepartment: "校长办公室",
			parse.CatEthics:     "党支部",
			parse.CatTeaching:   "教务处",
			parse.CatLogistics:  "总务处",
			parse.CatSafety:     "政教处",
			parse.CatFees:       "总务处",
			parse.CatOther:      "校长办公室",
		},
		Supervisor:      SupervisorDiscipline,
		DailyOpinionCap: 10,
		ReceiptDays:     180,
		DueDays:         5,
		MinGroup:        3,
		Digest:          defaultDigestSettings(),
		Study:           DefaultStudySettings(),
		Visits:          DefaultVisitSettings(),
	}
}

// ParseSettings reads a settings document over the defaults and checks it.
func ParseSettings(doc []byte) (Settings, error) {
	s := DefaultSettings()
	if len(strings.TrimSpace(string(doc))) == 0 {
		return s, nil
	}
	var in Settings
	dec := json.NewDecoder(strings.NewReader(string(doc)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return s, fmt.Errorf("settings: %v: %w", err, bot.ErrInvalid)
	}
	for c, u := range in.Routes {
		if !c.Valid() {
			return s, fmt.Errorf("settings: routes: unknown category %q: %w", c, bot.ErrInvalid)
		}
		s.Routes[c] = u
	}
	if in.Supervisor != "" {
		switch in.Supervisor {
		case SupervisorDiscipline, SupervisorPartySecretary, SupervisorBureau:
			s.Supervisor = in.Supervisor
		default:
			return s, fmt.Errorf("settings: supervisor must be discipline, party_secretary or bureau: %w", bot.ErrInvalid)
		}
	}
	var errs []error
	for _, h := range in.Holidays {
		if _, _, err := parseDayRange(h); err != nil {
			errs = append(errs, err)
		}
	}
	for _, w := range in.Workdays {
		if _, err := time.Parse(time.DateOnly, w); err != nil {
			errs = append(errs, fmt.Errorf("settings: workday %q is not YYYY-MM-DD: %w", w, bot.ErrInvalid))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return s, err
	}
	s.Holidays, s.Workdays = in.Holidays, in.Workdays
	for c := range in.Lexicon {
		if !c.Valid() {
			return s, fmt.Errorf("settings: lexicon: unknown category %q: %w", c, bot.ErrInvalid)
		}
	}
	s.Lexicon = in.Lexicon
	positive := func(name string, v int, dst *int) {
		if v < 0 {
			errs = append(errs, fmt.Errorf("settings: %s must be positive: %w", name, bot.ErrInvalid))
		} else if v > 0 {
			*dst = v
		}
	}
	positive("daily_opinion_cap", in.DailyOpinionCap, &s.DailyOpinionCap)
	positive("receipt_days", in.ReceiptDays, &s.ReceiptDays)
	positive("due_days", in.DueDays, &s.DueDays)
	positive("min_group", in.MinGroup, &s.MinGroup)
	for _, sd := range in.Semesters {
		if _, err := sd.semester(time.UTC); err != nil {
			errs = append(errs, err)
		}
	}
	s.Semesters = in.Semesters
	errs = append(errs, parseDigestSettings(&s, in.Digest))
	study, err := parseStudySettings(in.Study)
	s.Study, errs = study, append(errs, err)
	errs = append(errs, s.mergeVisits(in.Visits))
	return s, errors.Join(errs...)
}

// parseDayRange reads "YYYY-MM-DD" or "YYYY-MM-DD/YYYY-MM-DD".
func parseDayRange(s string) (from, to time.Time, err error) {
	a, b, isRange := strings.Cut(s, "/")
	if from, err = time.Parse(time.DateOnly, strings.TrimSpace(a)); err != nil {
		return from, to, fmt.Errorf("settings: holiday %q is not YYYY-MM-DD or YYYY-MM-DD/YYYY-MM-DD: %w", s, bot.ErrInvalid)
	}
	to = from
	if isRange {
		if to, err = time.Parse(time.DateOnly, strings.TrimSpace(b)); err != nil || to.Before(from) {
			return from, to, fmt.Errorf("settings: holiday range %q is not valid: %w", s, bot.ErrInvalid)
		}
	}
	return from, to, nil
}

// isSchoolDay reports whether the calendar day d (any time on it, read in
// UTC as a date) is a school day.
func (s Settings) isSchoolDay(d time.Time) bool {
	day := d.Format(time.DateOnly)
	for _, w := range s.Workdays {
		if w == day {
			return true
		}
	}
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	for _, h := range s.Holidays {
		from, to, err := parseDayRange(h)
		if err == nil && !d.Before(from) && !d.After(to) {
			return false
		}
	}
	return true
}

// AddSchoolDays returns the date n school days after the calendar day
// from (a date at midnight UTC): 交办 on Friday with 1 day is due Monday.
func (s Settings) AddSchoolDays(from time.Time, n int) time.Time {
	d := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if s.isSchoolDay(d) {
			n--
		}
	}
	return d
}

// label is the Chinese name of an opinion's category.
func label(c bot.Category) string { return parse.Category(c).Label() }
