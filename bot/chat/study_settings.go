package chat

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"minqing/bot"
)

// StudySettings are a school's study targets and reminders (the "study"
// key of the settings document).
type StudySettings struct {
	// Targets are per group of staff: "party_member" (party members),
	// "leader" (school and middle leaders, the party secretary) and
	// "teacher" (everybody else). A group without a target still checks
	// in; it is just not measured or reminded.
	Targets map[string]StudyTarget `json:"targets,omitempty"`
	// ReminderDay and ReminderTime are when the weekly reminder goes out,
	// in the school's time zone: "thursday" and "17:00" by default.
	ReminderDay  string `json:"reminder_day,omitempty"`
	ReminderTime string `json:"reminder_time,omitempty"`
	// ReminderTemplateID is the template message used outside the 48-hour
	// customer-service window; without it such reminders are recorded as
	// not deliverable. The template's keywords are thing1 (the week) and
	// thing2 (hours done and missing).
	ReminderTemplateID string `json:"reminder_template_id,omitempty"`
	// RemindersOff turns the weekly reminder off for the whole school.
	RemindersOff bool `json:"reminders_off,omitempty"`
}

// StudyTarget is what one group of staff is asked to do.
type StudyTarget struct {
	WeeklyHours       float64 `json:"weekly_hours"`
	SemesterNoteChars int     `json:"semester_note_chars"`
	SemesterEssays    int     `json:"semester_essays"`
}

// The groups of StudySettings.Targets.
const (
	StudyGroupPartyMember = "party_member"
	StudyGroupLeader      = "leader"
	StudyGroupTeacher     = "teacher"
)

// DefaultStudySettings are the usual targets: party members and leaders
// 5 hours a week, 20,000 characters of notes and one essay a semester;
// other teachers none; the reminder on Thursday at 17:00.
func DefaultStudySettings() StudySettings {
	party := StudyTarget{WeeklyHours: 5, SemesterNoteChars: 20000, SemesterEssays: 1}
	return StudySettings{
		Targets:      map[string]StudyTarget{StudyGroupPartyMember: party, StudyGroupLeader: party},
		ReminderDay:  "thursday",
		ReminderTime: "17:00",
	}
}

var weekdaysByName = map[string]time.Weekday{
	"monday": time.Monday, "tuesday": time.Tuesday, "wednesday": time.Wednesday, "thursday": time.Thursday,
	"friday": time.Friday, "saturday": time.Saturday, "sunday": time.Sunday,
}

// parseStudySettings reads the "study" key over the defaults and checks
// it.
func parseStudySettings(in StudySettings) (StudySettings, error) {
	s := DefaultStudySettings()
	var errs []error
	for g, tg := range in.Targets {
		switch g {
		case StudyGroupPartyMember, StudyGroupLeader, StudyGroupTeacher:
		default:
			errs = append(errs, fmt.Errorf("settings: study.targets: unknown group %q (party_member, leader, teacher): %w", g, bot.ErrInvalid))
			continue
		}
		if tg.WeeklyHours < 0 || tg.WeeklyHours > 40 || tg.SemesterNoteChars < 0 || tg.SemesterNoteChars > 1000000 || tg.SemesterEssays < 0 || tg.SemesterEssays > 20 {
			errs = append(errs, fmt.Errorf("settings: study.targets.%s: weekly_hours 0–40, semester_note_chars 0–1000000, semester_essays 0–20: %w", g, bot.ErrInvalid))
			continue
		}
		s.Targets[g] = tg
	}
	if in.ReminderDay != "" {
		if _, ok := weekdaysByName[strings.ToLower(in.ReminderDay)]; !ok {
			errs = append(errs, fmt.Errorf("settings: study.reminder_day %q is not a day of the week (monday … sunday): %w", in.ReminderDay, bot.ErrInvalid))
		} else {
			s.ReminderDay = strings.ToLower(in.ReminderDay)
		}
	}
	if in.ReminderTime != "" {
		if _, err := time.Parse("15:04", in.ReminderTime); err != nil {
			errs = append(errs, fmt.Errorf("settings: study.reminder_time %q is not HH:MM: %w", in.ReminderTime, bot.ErrInvalid))
		} else {
			s.ReminderTime = in.ReminderTime
		}
	}
	if len(in.ReminderTemplateID) > 128 {
		errs = append(errs, fmt.Errorf("settings: study.reminder_template_id is too long: %w", bot.ErrInvalid))
	} else {
		s.ReminderTemplateID = strings.TrimSpace(in.ReminderTemplateID)
	}
	s.RemindersOff = in.RemindersOff
	return s, errors.Join(errs...)
}

// studyGroup is the group whose target applies to p: leaders first, then
// party members, then everybody else.
func studyGroup(p bot.Person) string {
	switch {
	case p.Has(bot.RoleSchoolLeader), p.Has(bot.RoleMiddleLeader), p.Has(bot.RolePartySecretary):
		return StudyGroupLeader
	case p.Has(bot.RolePartyMember), p.Has(bot.RoleDiscipline):
		return StudyGroupPartyMember
	}
	return StudyGroupTeacher
}

// TargetOf is the study target of p (zero: none).
func (s StudySettings) TargetOf(p bot.Person) StudyTarget { return s.Targets[studyGroup(p)] }

// weeklyMinutes is the weekly target in minutes.
func (t StudyTarget) weeklyMinutes() int { return int(t.WeeklyHours*60 + 0.5) }

// reminderAt is when the week's reminder is due, in loc.
func (s StudySettings) reminderAt(w Week) time.Time {
	wd, ok := weekdaysByName[s.ReminderDay]
	if !ok {
		wd = time.Thursday
	}
	hm, err := time.Parse("15:04", s.ReminderTime)
	if err != nil {
		hm = time.Date(0, 1, 1, 17, 0, 0, 0, time.UTC)
	}
	days := (int(wd) + 6) % 7 // Monday is 0
	d := w.Start.AddDate(0, 0, days)
	return time.Date(d.Year(), d.Month(), d.Day(), hm.Hour(), hm.Minute(), 0, 0, d.Location())
}
