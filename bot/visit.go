package bot

import (
	"context"
	"time"
)

// Visit modes (the values of Visit.Mode), as the parser reads them.
const (
	VisitHome   = "home"   // 上门
	VisitPhone  = "phone"  // 电话
	VisitVideo  = "video"  // 视频
	VisitWeChat = "wechat" // 微信
	VisitSchool = "school" // 家长来校
)

// Visit is one home visit (家访) a teacher made: to a student's family, in
// person, by phone or by video.
type Visit struct {
	ID        int64
	SchoolID  int64
	TeacherID int64
	// ClassID and StudentID are the roster's class and student; 0 when the
	// roster does not know them (Flagged is then true).
	ClassID   int64
	StudentID int64
	// Class and Student are the names as written (the class in
	// NormalizeClass's form), kept for students the roster does not know.
	Class   string
	Student string
	// Day is the school day of the visit: midnight UTC of its calendar date.
	Day  time.Time
	Mode string
	// Notes is what the family said.
	Notes    string
	FollowUp bool
	// Flagged marks a visit to a student the roster does not know, for
	// the admin to check.
	Flagged bool
	// OpinionID is the opinion filed from the visit with 转台帐, 0 if none.
	OpinionID int64
	Created   time.Time
}

// Observation is a lesson a leader observed (推门听课).
type Observation struct {
	ID         int64
	SchoolID   int64
	ObserverID int64
	// CampusID is the branch school (完小) the lesson was in, 0 for the
	// school itself.
	CampusID int64
	ClassID  int64 // 0 when the roster does not know the class
	Class    string
	Subject  string
	// TeacherID is the observed teacher when the name resolved to one
	// person, else 0 with TeacherName as written.
	TeacherID   int64
	TeacherName string
	Day         time.Time
	Notes       string
	Created     time.Time
}

// Talk is a talk (谈心) a leader had with a member of staff.
type Talk struct {
	ID          int64
	SchoolID    int64
	LeaderID    int64
	TeacherID   int64
	TeacherName string
	Day         time.Time
	Notes       string
	Created     time.Time
}

// PersonCount is a number of records of one person.
type PersonCount struct {
	PersonID int64
	Count    int
}

// ClassCoverage is how many of a class's active students were visited.
type ClassCoverage struct {
	ClassID  int64
	Visited  int
	Students int
}

// LeaderCount is a leader's observations and talks.
type LeaderCount struct {
	PersonID     int64
	Observations int
	Talks        int
}

// VisitTx reads and writes home visits, observations and talks. Periods
// are days: from is included, to excluded, both midnight UTC of a school
// calendar day.
type VisitTx interface {
	// CreateVisit adds a visit and returns it with its ID.
	CreateVisit(ctx context.Context, v Visit) (Visit, error)
	// Visit returns the visit with the given ID, or ErrNotFound.
	Visit(ctx context.Context, id int64) (Visit, error)
	// SetVisitOpinion records the opinion filed from a visit. It returns
	// ErrNotFound if there is no such visit, ErrConflict if one was filed.
	SetVisitOpinion(ctx context.Context, visitID, opinionID int64) error
	// VisitsBy returns a teacher's visits of the period, oldest first.
	VisitsBy(ctx context.Context, teacherID int64, from, to time.Time) ([]Visit, error)
	// SchoolVisits returns a school's visits of the period, oldest first.
	SchoolVisits(ctx context.Context, schoolID int64, from, to time.Time) ([]Visit, error)
	// VisitedStudents returns the IDs of the roster students of the school
	// visited in the period, ascending.
	VisitedStudents(ctx context.Context, schoolID int64, from, to time.Time) ([]int64, error)

	// StudentsNamed returns the active students of the school with that
	// name, ordered by ID (on students (school_id, name)).
	StudentsNamed(ctx context.Context, schoolID int64, name string) ([]Student, error)
	// Student returns the student with the given ID, or ErrNotFound.
	Student(ctx context.Context, id int64) (Student, error)

	// CreateObservation adds an observation and returns it with its ID.
	CreateObservation(ctx context.Context, o Observation) (Observation, error)
	// ObservationsBy returns a leader's observations of the period, oldest first.
	ObservationsBy(ctx context.Context, observerID int64, from, to time.Time) ([]Observation, error)
	// SchoolObservations returns a school's observations of the period, oldest first.
	SchoolObservations(ctx context.Context, schoolID int64, from, to time.Time) ([]Observation, error)
	// CreateTalk adds a talk and returns it with its ID.
	CreateTalk(ctx context.Context, t Talk) (Talk, error)
	// TalksBy returns a leader's talks of the period, oldest first.
	TalksBy(ctx context.Context, leaderID int64, from, to time.Time) ([]Talk, error)
	// SchoolTalks returns a school's talks of the period, oldest first.
	SchoolTalks(ctx context.Context, schoolID int64, from, to time.Time) ([]Talk, error)

	// VisitCounts returns, per teacher with at least one, the school's
	// visits of the period, by person ID (one query on visits (school_id, day)).
	VisitCounts(ctx context.Context, schoolID int64, from, to time.Time) ([]PersonCount, error)
	// Coverage returns, per class with active students, how many of them
	// were visited in the period, by class ID (two queries: students by
	// school, visits on (school_id, day)).
	Coverage(ctx context.Context, schoolID int64, from, to time.Time) ([]ClassCoverage, error)
	// LeaderCounts returns, per leader with at least one, the school's
	// observations and talks of the period, by person ID (two queries on
	// (school_id, day)).
	LeaderCounts(ctx context.Context, schoolID int64, from, to time.Time) ([]LeaderCount, error)
}
