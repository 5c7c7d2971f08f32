package storage

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"minqing/bot"
)

// Home visits, observations and talks (bot.VisitTx, migrations 00035–00038).
// Days are DATE columns written as YYYY-MM-DD; every period query is a
// range on (school_id, day) or (person, day).

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// dayTime reads a DATE column: MySQL gives a time (parseTime), SQLite the
// stored text or a time.
func dayTime(v any) time.Time {
	switch x := v.(type) {
	case time.Time:
		return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
	case string:
		if t, err := time.Parse(time.DateOnly, x[:min(len(x), 10)]); err == nil {
			return t
		}
	case []byte:
		return dayTime(string(x))
	}
	return time.Time{}
}

type visitRow struct {
	ID        int64         `db:"id"`
	SchoolID  int64         `db:"school_id"`
	TeacherID int64         `db:"teacher_id"`
	ClassID   sql.NullInt64 `db:"class_id"`
	StudentID sql.NullInt64 `db:"student_id"`
	Class     string        `db:"class_name"`
	Student   string        `db:"student"`
	Day       any           `db:"day"`
	Mode      string        `db:"mode"`
	Notes     string        `db:"notes"`
	FollowUp  bool          `db:"follow_up"`
	Flagged   bool          `db:"flagged"`
	OpinionID sql.NullInt64 `db:"opinion_id"`
	CreatedAt time.Time     `db:"created_at"`
}

const visitColumns = `id, school_id, teacher_id, class_id, student_id, class_name, student, day, mode, notes, follow_up, flagged, opinion_id, created_at`

func (r visitRow) visit() bot.Visit {
	return bot.Visit{
		ID: r.ID, SchoolID: r.SchoolID, TeacherID: r.TeacherID, ClassID: r.ClassID.Int64, StudentID: r.StudentID.Int64,
		Class: r.Class, Student: r.Student, Day: dayTime(r.Day), Mode: r.Mode, Notes: r.Notes, FollowUp: r.FollowUp,
		Flagged: r.Flagged, OpinionID: r.OpinionID.Int64, Created: r.CreatedAt.UTC(),
	}
}

// CreateVisit implements bot.VisitTx.
func (t *tx) CreateVisit(ctx context.Context, v bot.Visit) (bot.Visit, error) {
	err := t.insert(ctx, &v.ID, "create visit", `
		INSERT INTO visits (school_id, teacher_id, class_id, student_id, class_name, student, day, mode, notes, follow_up, flagged, opinion_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.SchoolID, v.TeacherID, nullID(v.ClassID), nullID(v.StudentID), v.Class, v.Student, day(v.Day), v.Mode, v.Notes,
		v.FollowUp, v.Flagged, nullID(v.OpinionID), v.Created.UTC())
	return v, err
}

// Visit implements bot.VisitTx.
func (t *tx) Visit(ctx context.Context, id int64) (bot.Visit, error) {
	var r visitRow
	if err := t.tx.GetContext(t.ctx(ctx), &r, `SELECT `+visitColumns+` FROM visits WHERE id = ?`, id); err != nil {
		return bot.Visit{}, t.db.translate("visit", err)
	}
	return r.visit(), nil
}

// SetVisitOpinion implements bot.VisitTx.
func (t *tx) SetVisitOpinion(ctx context.Context, visitID, opinionID int64) error {
	res, err := t.tx.ExecContext(t.ctx(ctx), `UPDATE visits SET opinion_id = ? WHERE id = ? AND opinion_id IS NULL`, opinionID, visitID)
	if err := t.db.mustAffect("set visit opinion", res, err); err != nil {
		if _, gerr := t.Visit(ctx, visitID); gerr == nil {
			return fmt.Errorf("storage: set visit opinion: %w", bot.ErrConflict)
		}
		return err
	}
	return nil
}

// selectRows runs query and converts each row it returns with conv.
func selectRows[R, T any](ctx context.Context, t *tx, op string, conv func(R) T, query string, args ...any) ([]T, error) {
	var rows []R
	if err := t.tx.SelectContext(t.ctx(ctx), &rows, query, args...); err != nil {
		return nil, t.db.translate(op, err)
	}
	out := make([]T, len(rows))
	for i, r := range rows {
		out[i] = conv(r)
	}
	return out, nil
}

// periodTable is a table of rows with a day (visits, observations, talks)
// and how its rows become the bot's.
type periodTable[R, T any] struct {
	name, columns string
	conv          func(R) T
}

var (
	visitTable       = periodTable[visitRow, bot.Visit]{"visits", visitColumns, visitRow.visit}
	observationTable = periodTable[observationRow, bot.Observation]{"observations", observationColumns, observationRow.observation}
	talkTable        = periodTable[talkRow, bot.Talk]{"talks", talkColumns, talkRow.talk}
)

// inPeriod returns the rows of one school or person (the column by) with a
// day in [from, to), by day.
func (p periodTable[R, T]) inPeriod(ctx context.Context, t *tx, op, by string, id int64, from, to time.Time) ([]T, error) {
	return selectRows(ctx, t, op, p.conv, `SELECT `+p.columns+` FROM `+p.name+` WHERE `+by+` = ? AND day >= ? AND day < ? ORDER BY day, id`,
		id, day(from), day(to))
}

// VisitsBy implements bot.VisitTx.
func (t *tx) VisitsBy(ctx context.Context, teacherID int64, from, to time.Time) ([]bot.Visit, error) {
	return visitTable.inPeriod(ctx, t, "visits by", "teacher_id", teacherID, from, to)
}

// SchoolVisits implements bot.VisitTx.
func (t *tx) SchoolVisits(ctx context.Context, schoolID int64, from, to time.Time) ([]bot.Visit, error) {
	return visitTable.inPeriod(ctx, t, "school visits", "school_id", schoolID, from, to)
}

// VisitedStudents implements bot.VisitTx.
func (t *tx) VisitedStudents(ctx context.Context, schoolID int64, from, to time.Time) ([]int64, error) {
	var ids []int64
	err := t.tx.SelectContext(t.ctx(ctx), &ids, `
		SELECT DISTINCT student_id FROM visits
		WHERE school_id = ? AND day >= ? AND day < ? AND student_id IS NOT NULL ORDER BY student_id`, schoolID, day(from), day(to))
	if err != nil {
		return nil, t.db.translate("visited students", err)
	}
	return ids, nil
}

// StudentsNamed implements bot.VisitTx.
func (t *tx) StudentsNamed(ctx context.Context, schoolID int64, name string) ([]bot.Student, error) {
	return selectRows(ctx, t, "students named", func(r studentRow) bot.Student { return bot.Student(r) }, `
		SELECT id, school_id, class_id, name, student_no, active FROM students
		WHERE school_id = ? AND name = ? AND active = TRUE ORDER BY id`, schoolID, name)
}

// Student implements bot.VisitTx.
func (t *tx) Student(ctx context.Context, id int64) (bot.Student, error) {
	var r studentRow
	err := t.tx.GetContext(t.ctx(ctx), &r, `SELECT id, school_id, class_id, name, student_no, active FROM students WHERE id = ?`, id)
	if err != nil {
		return bot.Student{}, t.db.translate("student", err)
	}
	return bot.Student(r), nil
}

type observationRow struct {
	ID          int64         `db:"id"`
	SchoolID    int64         `db:"school_id"`
	ObserverID  int64         `db:"observer_id"`
	CampusID    sql.NullInt64 `db:"campus_id"`
	ClassID     sql.NullInt64 `db:"class_id"`
	Class       string        `db:"class_name"`
	Subject     string        `db:"subject"`
	TeacherID   sql.NullInt64 `db:"teacher_id"`
	TeacherName string        `db:"teacher_name"`
	Day         any           `db:"day"`
	Notes       string        `db:"notes"`
	CreatedAt   time.Time     `db:"created_at"`
}

const observationColumns = `id, school_id, observer_id, campus_id, class_id, class_name, subject, teacher_id, teacher_name, day, notes, created_at`

func (r observationRow) observation() bot.Observation {
	return bot.Observation{
		ID: r.ID, SchoolID: r.SchoolID, ObserverID: r.ObserverID, CampusID: r.CampusID.Int64, ClassID: r.ClassID.Int64,
		Class: r.Class, Subject: r.Subject, TeacherID: r.TeacherID.Int64, TeacherName: r.TeacherName, Day: dayTime(r.Day),
		Notes: r.Notes, Created: r.CreatedAt.UTC(),
	}
}

// CreateObservation implements bot.VisitTx.
func (t *tx) CreateObservation(ctx context.Context, o bot.Observation) (bot.Observation, error) {
	err := t.insert(ctx, &o.ID, "create observation", `
		INSERT INTO observations (school_id, observer_id, campus_id, class_id, class_name, subject, teacher_id, teacher_name, day, notes, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.SchoolID, o.ObserverID, nullID(o.CampusID), nullID(o.ClassID), o.Class, o.Subject, nullID(o.TeacherID), o.TeacherName,
		day(o.Day), o.Notes, o.Created.UTC())
	return o, err
}

// ObservationsBy implements bot.VisitTx.
func (t *tx) ObservationsBy(ctx context.Context, observerID int64, from, to time.Time) ([]bot.Observation, error) {
	return observationTable.inPeriod(ctx, t, "observations by", "observer_id", observerID, from, to)
}

// SchoolObservations implements bot.VisitTx.
func (t *tx) SchoolObservations(ctx context.Context, schoolID int64, from, to time.Time) ([]bot.Observation, error) {
	return observationTable.inPeriod(ctx, t, "school observations", "school_id", schoolID, from, to)
}

type talkRow struct {
	ID          int64         `db:"id"`
	SchoolID    int64         `db:"school_id"`
	LeaderID    int64         `db:"leader_id"`
	TeacherID   sql.NullInt64 `db:"teacher_id"`
	TeacherName string        `db:"teacher_name"`
	Day         any           `db:"day"`
	Notes       string        `db:"notes"`
	CreatedAt   time.Time     `db:"created_at"`
}

// CreateTalk implements bot.VisitTx.
func (t *tx) CreateTalk(ctx context.Context, k bot.Talk) (bot.Talk, error) {
	err := t.insert(ctx, &k.ID, "create talk", `
		INSERT INTO talks (school_id, leader_id, teacher_id, teacher_name, day, notes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		k.SchoolID, k.LeaderID, nullID(k.TeacherID), k.TeacherName, day(k.Day), k.Notes, k.Created.UTC())
	return k, err
}

const talkColumns = `id, school_id, leader_id, teacher_id, teacher_name, day, notes, created_at`

func (r talkRow) talk() bot.Talk {
	return bot.Talk{ID: r.ID, SchoolID: r.SchoolID, LeaderID: r.LeaderID, TeacherID: r.TeacherID.Int64, TeacherName: r.TeacherName,
		Day: dayTime(r.Day), Notes: r.Notes, Created: r.CreatedAt.UTC()}
}

// TalksBy implements bot.VisitTx.
func (t *tx) TalksBy(ctx context.Context, leaderID int64, from, to time.Time) ([]bot.Talk, error) {
	return talkTable.inPeriod(ctx, t, "talks by", "leader_id", leaderID, from, to)
}

// SchoolTalks implements bot.VisitTx.
func (t *tx) SchoolTalks(ctx context.Context, schoolID int64, from, to time.Time) ([]bot.Talk, error) {
	return talkTable.inPeriod(ctx, t, "school talks", "school_id", schoolID, from, to)
}

type countRow struct {
	ID    int64 `db:"id"`
	Count int   `db:"n"`
}

func (t *tx) counts(ctx context.Context, op, query string, args ...any) ([]countRow, error) {
	return selectRows(ctx, t, op, func(r countRow) countRow { return r }, query, args...)
}

// VisitCounts implements bot.VisitTx: one query on ix_visits_school_day.
func (t *tx) VisitCounts(ctx context.Context, schoolID int64, from, to time.Time) ([]bot.PersonCount, error) {
	rows, err := t.counts(ctx, "visit counts", `
		SELECT teacher_id AS id, COUNT(*) AS n FROM visits
		WHERE school_id = ? AND day >= ? AND day < ? GROUP BY teacher_id ORDER BY teacher_id`, schoolID, day(from), day(to))
	if err != nil {
		return nil, err
	}
	out := make([]bot.PersonCount, len(rows))
	for i, r := range rows {
		out[i] = bot.PersonCount{PersonID: r.ID, Count: r.Count}
	}
	return out, nil
}

// Coverage implements bot.VisitTx: the active students per class
// (ix_students_school_class), then the distinct visited ones per class
// (ix_visits_school_day, joined to students by primary key).
func (t *tx) Coverage(ctx context.Context, schoolID int64, from, to time.Time) ([]bot.ClassCoverage, error) {
	students, err := t.counts(ctx, "coverage", `
		SELECT class_id AS id, COUNT(*) AS n FROM students
		WHERE school_id = ? AND active = TRUE GROUP BY class_id ORDER BY class_id`, schoolID)
	if err != nil {
		return nil, err
	}
	visited, err := t.counts(ctx, "coverage", `
		SELECT s.class_id AS id, COUNT(DISTINCT v.student_id) AS n FROM visits v JOIN students s ON s.id = v.student_id
		WHERE v.school_id = ? AND v.day >= ? AND v.day < ? AND s.active = TRUE GROUP BY s.class_id`, schoolID, day(from), day(to))
	if err != nil {
		return nil, err
	}
	seen := make(map[int64]int, len(visited))
	for _, r := range visited {
		seen[r.ID] = r.Count
	}
	out := make([]bot.ClassCoverage, len(students))
	for i, r := range students {
		out[i] = bot.ClassCoverage{ClassID: r.ID, Students: r.Count, Visited: seen[r.ID]}
	}
	return out, nil
}

// LeaderCounts implements bot.VisitTx: one query on
// ix_observations_school_day and one on ix_talks_school_day.
func (t *tx) LeaderCounts(ctx context.Context, schoolID int64, from, to time.Time) ([]bot.LeaderCount, error) {
	obs, err := t.counts(ctx, "leader counts", `
		SELECT observer_id AS id, COUNT(*) AS n FROM observations
		WHERE school_id = ? AND day >= ? AND day < ? GROUP BY observer_id`, schoolID, day(from), day(to))
	if err != nil {
		return nil, err
	}
	talks, err := t.counts(ctx, "leader counts", `
		SELECT leader_id AS id, COUNT(*) AS n FROM talks
		WHERE school_id = ? AND day >= ? AND day < ? GROUP BY leader_id`, schoolID, day(from), day(to))
	if err != nil {
		return nil, err
	}
	by := map[int64]*bot.LeaderCount{}
	var ids []int64
	get := func(id int64) *bot.LeaderCount {
		if c, ok := by[id]; ok {
			return c
		}
		c := &bot.LeaderCount{PersonID: id}
		by[id] = c
		ids = append(ids, id)
		return c
	}
	for _, r := range obs {
		get(r.ID).Observations = r.Count
	}
	for _, r := range talks {
		get(r.ID).Talks = r.Count
	}
	slices.Sort(ids)
	out := make([]bot.LeaderCount, len(ids))
	for i, id := range ids {
		out[i] = *by[id]
	}
	return out, nil
}
