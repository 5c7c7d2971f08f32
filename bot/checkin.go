package bot

import (
	"context"
	"time"
)

// Checkin is one study check-in (学习打卡) of a staff member: time spent
// studying and/or characters of notes written, on one day.
type Checkin struct {
	ID       int64
	PersonID int64
	SchoolID int64
	// Day is the day studied, YYYY-MM-DD in the school's time zone.
	Day     string
	Minutes int
	Chars   int
	// Title is what was studied (论群众路线); may be empty.
	Title   string
	Created time.Time
}

// Essay is a reflection essay (心得体会), stored whole.
type Essay struct {
	ID       int64
	PersonID int64
	SchoolID int64
	Title    string
	Text     string
	// Chars counts letters and digits of Text (whitespace and punctuation
	// excluded).
	Chars int
	// SimilarTo is the earlier essay of the same school this one largely
	// copies (0 if none), SimilarPerson its author and Similarity the share
	// of this essay's character 5-grams found in it (0–1). Shown to leaders
	// only.
	SimilarTo     int64
	SimilarPerson int64
	Similarity    float64
	Created       time.Time
}

// Excuse marks a school week in which a person's weekly target does not
// count (请假): leave, illness, a training away.
type Excuse struct {
	PersonID int64
	// Week is the week's label, "2026-W47".
	Week string
	// Source is "chat" (the person asked) or "admin" (minqing excuse).
	Source  string
	Created time.Time
}

// StudyTotal is one person's study in a period: what the weekly digest
// and the export need, in one row per person.
type StudyTotal struct {
	PersonID int64
	Minutes  int
	Chars    int
	Checkins int
}

// EssayDraft is a reflection essay being written, over several messages.
type EssayDraft struct {
	PersonID int64
	Text     string
	Parts    int
	Updated  time.Time
}

// CheckinTx reads and writes study check-ins, essays, excused weeks and
// reminder preferences.
type CheckinTx interface {
	// AddCheckin stores a check-in and returns it with its ID.
	AddCheckin(ctx context.Context, c Checkin) (Checkin, error)
	// LastCheckin returns the person's latest check-in, or ErrNotFound.
	LastCheckin(ctx context.Context, personID int64) (Checkin, error)
	// DeleteCheckin removes a check-in of the person (undo); ErrNotFound
	// if there is none with that ID.
	DeleteCheckin(ctx context.Context, personID, id int64) error
	// Checkins returns the person's check-ins with from <= Day < to
	// (YYYY-MM-DD), ordered by day and ID.
	Checkins(ctx context.Context, personID int64, from, to string) ([]Checkin, error)
	// SchoolCheckins returns every check-in of a school with from <= Day <
	// to, ordered by day and ID.
	SchoolCheckins(ctx context.Context, schoolID int64, from, to string) ([]Checkin, error)
	// StudyTotals returns, for each person of the school with check-ins
	// with from <= Day < to, their total minutes, characters and number of
	// check-ins, ordered by person — one indexed query (the digest's).
	StudyTotals(ctx context.Context, schoolID int64, from, to string) ([]StudyTotal, error)

	// AddEssay stores an essay and returns it with its ID.
	AddEssay(ctx context.Context, e Essay) (Essay, error)
	// SchoolEssays returns the school's essays created in [from, to),
	// oldest first, with their text when withText.
	SchoolEssays(ctx context.Context, schoolID int64, from, to time.Time, withText bool) ([]Essay, error)
	// PutEssayDraft stores the person's essay being written.
	PutEssayDraft(ctx context.Context, d EssayDraft) error
	// EssayDraftOf returns the person's essay being written, or ErrNotFound.
	EssayDraftOf(ctx context.Context, personID int64) (EssayDraft, error)
	// DeleteEssayDraft removes it; none is not an error.
	DeleteEssayDraft(ctx context.Context, personID int64) error

	// PutExcuse marks a week excused for a person; marking it again
	// changes nothing.
	PutExcuse(ctx context.Context, e Excuse) error
	// SchoolExcuses returns the excuses of a school's staff for weeks with
	// fromWeek <= Week <= toWeek (labels compare in order).
	SchoolExcuses(ctx context.Context, schoolID int64, fromWeek, toWeek string) ([]Excuse, error)

	// SetRemindersPaused pauses (or resumes) a person's study reminders.
	SetRemindersPaused(ctx context.Context, personID int64, paused bool, at time.Time) error
	// RemindersPaused returns the IDs of the school's staff who paused
	// their reminders.
	RemindersPaused(ctx context.Context, schoolID int64) ([]int64, error)
}
