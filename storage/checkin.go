package storage

import (
	"context"
	"fmt"
	"time"

	"minqing/bot"
)

// Study check-ins, essays, excused weeks and reminder preferences
// (bot.CheckinTx; migrations 00030–00034).

// Column widths (migrations 00030, 00031).
const (
	maxCheckinTitle = 128
	maxEssayTitle   = 128
	maxEssayBytes   = 1 << 20
)

type checkinRow struct {
	ID        int64     `db:"id"`
	PersonID  int64     `db:"person_id"`
	SchoolID  int64     `db:"school_id"`
	Day       string    `db:"day"`
	Minutes   int       `db:"minutes"`
	Chars     int       `db:"chars"`
	Title     string    `db:"title"`
	CreatedAt time.Time `db:"created_at"`
}

const checkinColumns = `id, person_id, school_id, day, minutes, chars, title, created_at`

func (r checkinRow) checkin() bot.Checkin {
	return bot.Checkin{ID: r.ID, PersonID: r.PersonID, SchoolID: r.SchoolID, Day: r.Day, Minutes: r.Minutes, Chars: r.Chars, Title: r.Title, Created: r.CreatedAt.UTC()}
}

func checkDay(op, day string) error {
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		return fmt.Errorf("storage: %s: day is not YYYY-MM-DD: %w", op, bot.ErrInvalid)
	}
	return nil
}

// AddCheckin implements bot.CheckinTx.
func (t *tx) AddCheckin(ctx context.Context, c bot.Checkin) (bot.Checkin, error) {
	const op = "add checkin"
	if err := checkDay(op, c.Day); err != nil {
		return c, err
	}
	if c.Minutes < 0 || c.Chars < 0 || c.Minutes+c.Chars == 0 {
		return c, fmt.Errorf("storage: %s: minutes or characters needed: %w", op, bot.ErrInvalid)
	}
	c.Title = clipRunes(c.Title, maxCheckinTitle)
	if c.Created.IsZero() {
		c.Created = t.db.now()
	}
	c.Created = c.Created.UTC()
	err := t.insert(ctx, &c.ID, op, `
		INSERT INTO study_checkins (person_id, school_id, day, minutes, chars, title, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, c.PersonID, c.SchoolID, c.Day, c.Minutes, c.Chars, c.Title, c.Created)
	return c, err
}

// LastCheckin implements bot.CheckinTx.
func (t *tx) LastCheckin(ctx context.Context, personID int64) (bot.Checkin, error) {
	var r checkinRow
	err := t.tx.GetContext(t.ctx(ctx), &r, `SELECT `+checkinColumns+` FROM study_checkins WHERE person_id = ? ORDER BY id DESC LIMIT 1`, personID)
	if err != nil {
		return bot.Checkin{}, t.db.translate("last checkin", err)
	}
	return r.checkin(), nil
}

// DeleteCheckin implements bot.CheckinTx.
func (t *tx) DeleteCheckin(ctx context.Context, personID, id int64) error {
	res, err := t.tx.ExecContext(t.ctx(ctx), `DELETE FROM study_checkins WHERE id = ? AND person_id = ?`, id, personID)
	return t.db.mustAffect("delete checkin", res, err)
}

func (t *tx) checkins(ctx context.Context, op, where string, args ...any) ([]bot.Checkin, error) {
	return selectRows(ctx, t, op, checkinRow.checkin, `SELECT `+checkinColumns+` FROM study_checkins WHERE `+where+` ORDER BY day, id`, args...)
}

// Checkins implements bot.CheckinTx.
func (t *tx) Checkins(ctx context.Context, personID int64, from, to string) ([]bot.Checkin, error) {
	return t.checkins(ctx, "checkins", `person_id = ? AND day >= ? AND day < ?`, personID, from, to)
}

// SchoolCheckins implements bot.CheckinTx.
func (t *tx) SchoolCheckins(ctx context.Context, schoolID int64, from, to string) ([]bot.Checkin, error) {
	return t.checkins(ctx, "school checkins", `school_id = ? AND day >= ? AND day < ?`, schoolID, from, to)
}

// StudyTotals implements bot.CheckinTx: one range scan of
// ix_study_checkins_school_day (which covers the query on MySQL).
func (t *tx) StudyTotals(ctx context.Context, schoolID int64, from, to string) ([]bot.StudyTotal, error) {
	var rows []struct {
		PersonID int64 `db:"person_id"`
		Minutes  int64 `db:"minutes"`
		Chars    int64 `db:"chars"`
		N        int   `db:"n"`
	}
	err := t.tx.SelectContext(t.ctx(ctx), &rows, `
		SELECT person_id, SUM(minutes) AS minutes, SUM(chars) AS chars, COUNT(*) AS n
		FROM study_checkins WHERE school_id = ? AND day >= ? AND day < ?
		GROUP BY person_id ORDER BY person_id`, schoolID, from, to)
	if err != nil {
		return nil, t.db.translate("study totals", err)
	}
	out := make([]bot.StudyTotal, len(rows))
	for i, r := range rows {
		out[i] = bot.StudyTotal{PersonID: r.PersonID, Minutes: int(r.Minutes), Chars: int(r.Chars), Checkins: r.N}
	}
	return out, nil
}

type essayRow struct {
	ID            int64     `db:"id"`
	PersonID      int64     `db:"person_id"`
	SchoolID      int64     `db:"school_id"`
	Title         string    `db:"title"`
	Body          string    `db:"body"`
	Chars         int       `db:"chars"`
	SimilarTo     int64     `db:"similar_to"`
	SimilarPerson int64     `db:"similar_person"`
	Similarity    float64   `db:"similarity"`
	CreatedAt     time.Time `db:"created_at"`
}

// AddEssay implements bot.CheckinTx.
func (t *tx) AddEssay(ctx context.Context, e bot.Essay) (bot.Essay, error) {
	const op = "add essay"
	if e.Text == "" || len(e.Text) > maxEssayBytes {
		return e, fmt.Errorf("storage: %s: text of 1 byte to %d bytes: %w", op, maxEssayBytes, bot.ErrInvalid)
	}
	e.Title = clipRunes(e.Title, maxEssayTitle)
	if e.Created.IsZero() {
		e.Created = t.db.now()
	}
	e.Created = e.Created.UTC()
	err := t.insert(ctx, &e.ID, op, `
		INSERT INTO essays (person_id, school_id, title, body, chars, similar_to, similar_person, similarity, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.PersonID, e.SchoolID, e.Title, e.Text, e.Chars, e.SimilarTo, e.SimilarPerson, e.Similarity, e.Created)
	return e, err
}

// SchoolEssays implements bot.CheckinTx.
func (t *tx) SchoolEssays(ctx context.Context, schoolID int64, from, to time.Time, withText bool) ([]bot.Essay, error) {
	body := `'' AS body`
	if withText {
		body = `body`
	}
	var rows []essayRow
	err := t.tx.SelectContext(t.ctx(ctx), &rows, `
		SELECT id, person_id, school_id, title, `+body+`, chars, similar_to, similar_person, similarity, created_at
		FROM essays WHERE school_id = ? AND created_at >= ? AND created_at < ? ORDER BY created_at, id`,
		schoolID, from.UTC(), to.UTC())
	if err != nil {
		return nil, t.db.translate("school essays", err)
	}
	out := make([]bot.Essay, len(rows))
	for i, r := range rows {
		out[i] = bot.Essay{ID: r.ID, PersonID: r.PersonID, SchoolID: r.SchoolID, Title: r.Title, Text: r.Body, Chars: r.Chars,
			SimilarTo: r.SimilarTo, SimilarPerson: r.SimilarPerson, Similarity: r.Similarity, Created: r.CreatedAt.UTC()}
	}
	return out, nil
}

// PutEssayDraft implements bot.CheckinTx.
func (t *tx) PutEssayDraft(ctx context.Context, d bot.EssayDraft) error {
	if len(d.Text) > maxEssayBytes {
		return fmt.Errorf("storage: put essay draft: text over %d bytes: %w", maxEssayBytes, bot.ErrInvalid)
	}
	_, err := t.tx.ExecContext(t.ctx(ctx), t.db.byDialect(`
		INSERT INTO essay_drafts (person_id, body, parts, updated_at) VALUES (?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE body = VALUES(body), parts = VALUES(parts), updated_at = VALUES(updated_at)`, `
		INSERT INTO essay_drafts (person_id, body, parts, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (person_id) DO UPDATE SET body = excluded.body, parts = excluded.parts, updated_at = excluded.updated_at`),
		d.PersonID, d.Text, d.Parts, d.Updated.UTC())
	return t.db.translate("put essay draft", err)
}

// EssayDraftOf implements bot.CheckinTx.
func (t *tx) EssayDraftOf(ctx context.Context, personID int64) (bot.EssayDraft, error) {
	var r struct {
		PersonID  int64     `db:"person_id"`
		Body      string    `db:"body"`
		Parts     int       `db:"parts"`
		UpdatedAt time.Time `db:"updated_at"`
	}
	err := t.tx.GetContext(t.ctx(ctx), &r, `SELECT person_id, body, parts, updated_at FROM essay_drafts WHERE person_id = ?`, personID)
	if err != nil {
		return bot.EssayDraft{}, t.db.translate("essay draft", err)
	}
	return bot.EssayDraft{PersonID: r.PersonID, Text: r.Body, Parts: r.Parts, Updated: r.UpdatedAt.UTC()}, nil
}

// DeleteEssayDraft implements bot.CheckinTx.
func (t *tx) DeleteEssayDraft(ctx context.Context, personID int64) error {
	_, err := t.tx.ExecContext(t.ctx(ctx), `DELETE FROM essay_drafts WHERE person_id = ?`, personID)
	return t.db.translate("delete essay draft", err)
}

// PutExcuse implements bot.CheckinTx.
func (t *tx) PutExcuse(ctx context.Context, e bot.Excuse) error {
	const op = "put excuse"
	if len(e.Week) < 7 || len(e.Week) > 8 || (e.Source != "chat" && e.Source != "admin") {
		return fmt.Errorf("storage: %s: week like 2026-W47 and source chat or admin: %w", op, bot.ErrInvalid)
	}
	if e.Created.IsZero() {
		e.Created = t.db.now()
	}
	_, err := t.tx.ExecContext(t.ctx(ctx), t.db.byDialect(`
		INSERT IGNORE INTO study_excuses (person_id, school_id, week, source, created_at)
		SELECT id, school_id, ?, ?, ? FROM people WHERE id = ?`, `
		INSERT INTO study_excuses (person_id, school_id, week, source, created_at)
		SELECT id, school_id, ?, ?, ? FROM people WHERE id = ?
		ON CONFLICT (person_id, week) DO NOTHING`),
		e.Week, e.Source, e.Created.UTC(), e.PersonID)
	return t.db.translate(op, err)
}

// SchoolExcuses implements bot.CheckinTx.
func (t *tx) SchoolExcuses(ctx context.Context, schoolID int64, fromWeek, toWeek string) ([]bot.Excuse, error) {
	var rows []struct {
		PersonID  int64     `db:"person_id"`
		Week      string    `db:"week"`
		Source    string    `db:"source"`
		CreatedAt time.Time `db:"created_at"`
	}
	err := t.tx.SelectContext(t.ctx(ctx), &rows, `
		SELECT person_id, week, source, created_at FROM study_excuses
		WHERE school_id = ? AND week >= ? AND week <= ? ORDER BY person_id, week`, schoolID, fromWeek, toWeek)
	if err != nil {
		return nil, t.db.translate("school excuses", err)
	}
	out := make([]bot.Excuse, len(rows))
	for i, r := range rows {
		out[i] = bot.Excuse{PersonID: r.PersonID, Week: r.Week, Source: r.Source, Created: r.CreatedAt.UTC()}
	}
	return out, nil
}

// SetRemindersPaused implements bot.CheckinTx.
func (t *tx) SetRemindersPaused(ctx context.Context, personID int64, paused bool, at time.Time) error {
	v := 0
	if paused {
		v = 1
	}
	_, err := t.tx.ExecContext(t.ctx(ctx), t.db.byDialect(`
		INSERT INTO study_prefs (person_id, school_id, reminders_paused, updated_at)
		SELECT id, school_id, ?, ? FROM people WHERE id = ?
		ON DUPLICATE KEY UPDATE reminders_paused = VALUES(reminders_paused), updated_at = VALUES(updated_at)`, `
		INSERT INTO study_prefs (person_id, school_id, reminders_paused, updated_at)
		SELECT id, school_id, ?, ? FROM people WHERE id = ?
		ON CONFLICT (person_id) DO UPDATE SET reminders_paused = excluded.reminders_paused, updated_at = excluded.updated_at`),
		v, at.UTC(), personID)
	return t.db.translate("set reminders paused", err)
}

// RemindersPaused implements bot.CheckinTx.
func (t *tx) RemindersPaused(ctx context.Context, schoolID int64) ([]int64, error) {
	var ids []int64
	err := t.tx.SelectContext(t.ctx(ctx), &ids, `SELECT person_id FROM study_prefs WHERE school_id = ? AND reminders_paused = 1 ORDER BY person_id`, schoolID)
	if err != nil {
		return nil, t.db.translate("reminders paused", err)
	}
	return ids, nil
}
