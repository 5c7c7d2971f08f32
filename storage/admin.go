package storage

import (
	"context"
	"fmt"
	"slices"
	"time"

	"minqing/bot"
)

// RenameUnit implements bot.AdminTx.
func (t *tx) RenameUnit(ctx context.Context, id int64, name string) error {
	res, err := t.tx.ExecContext(t.ctx(ctx), `UPDATE org_units SET name = ? WHERE id = ?`, name, id)
	return t.db.mustAffect("rename unit", res, err)
}

// exec runs statements in order, stopping at the first error.
func (t *tx) exec(ctx context.Context, op string, stmts ...stmt) error {
	for _, s := range stmts {
		if _, err := t.tx.ExecContext(t.ctx(ctx), s.q, s.args...); err != nil {
			return t.db.translate(op, err)
		}
	}
	return nil
}

type stmt struct {
	q    string
	args []any
}

func st(q string, args ...any) stmt { return stmt{q, args} }

// schoolRecords are the tables of a school's records by school_id that
// name its people, students and classes and that no other table names: a
// merge moves their rows, a delete removes them first.
var schoolRecords = []string{"visits", "observations", "talks", "study_checkins", "essays", "study_excuses", "study_prefs"}

// personRows are the tables of what belongs to a person alone, by
// person_id, removed with the person.
var personRows = []string{"essay_drafts", "person_units", "wechat_bindings", "bind_codes"}

// deleteFrom is one DELETE of the rows matching where (a condition with
// one placeholder, for id) per table, in order.
func deleteFrom(where string, id int64, tables ...string) []stmt {
	stmts := make([]stmt, len(tables))
	for i, table := range tables {
		stmts[i] = st(`DELETE FROM `+table+` WHERE `+where, id)
	}
	return stmts
}

// MergeSchool implements bot.AdminTx.
func (t *tx) MergeSchool(ctx context.Context, from, into int64) error {
	if from == into {
		return fmt.Errorf("storage: merge school into itself: %w", bot.ErrInvalid)
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	src, err := t.UnitsOfSchool(ctx, from)
	if err != nil {
		return err
	}
	dst, err := t.UnitsOfSchool(ctx, into)
	if err != nil {
		return err
	}
	type key struct {
		parent int64
		kind   bot.UnitKind
		name   string
	}
	have := map[key]int64{}
	for _, u := range dst {
		have[key{u.ParentID, u.Kind, u.Name}] = u.ID
	}
	moved := map[int64]int64{from: into} // unit of from → its unit in into
	var gone []int64                     // units of from merged with one of into
	// Units are created parents first, so ID order visits a parent before
	// its children.
	for _, u := range src {
		if u.ID == from {
			continue
		}
		parent, ok := moved[u.ParentID]
		if !ok {
			parent = into
		}
		k := key{parent, u.Kind, u.Name}
		if id, ok := have[k]; ok {
			moved[u.ID] = id
			gone = append(gone, u.ID)
			if err := t.exec(ctx, "merge school",
				// A person in both units keeps one row.
				st(`DELETE FROM person_units WHERE unit_id = ? AND person_id IN (SELECT person_id FROM (SELECT person_id FROM person_units WHERE unit_id = ?) AS x)`, u.ID, id),
				st(`UPDATE person_units SET unit_id = ? WHERE unit_id = ?`, id, u.ID),
				st(`UPDATE students SET class_id = ? WHERE class_id = ?`, id, u.ID),
				st(`UPDATE opinions SET unit_id = ? WHERE unit_id = ?`, id, u.ID),
				st(`UPDATE opinions SET assigned_unit_id = ? WHERE assigned_unit_id = ?`, id, u.ID),
				st(`UPDATE visits SET class_id = ? WHERE class_id = ?`, id, u.ID),
				st(`UPDATE observations SET class_id = ? WHERE class_id = ?`, id, u.ID),
				st(`UPDATE observations SET campus_id = ? WHERE campus_id = ?`, id, u.ID),
				st(`UPDATE org_units SET parent_id = ? WHERE parent_id = ?`, id, u.ID),
			); err != nil {
				return err
			}
			continue
		}
		moved[u.ID] = u.ID
		have[k] = u.ID
		if err := t.exec(ctx, "merge school", st(`UPDATE org_units SET parent_id = ?, school_id = ? WHERE id = ?`, parent, into, u.ID)); err != nil {
			return err
		}
	}
	// The merged units go first (children before parents): they still sit
	// under from, where their twins are about to arrive.
	var stmts []stmt
	for i := len(gone) - 1; i >= 0; i-- {
		stmts = append(stmts, st(`DELETE FROM org_units WHERE id = ?`, gone[i]))
	}
	for _, table := range slices.Concat([]string{"people", "students", "opinions"}, schoolRecords) {
		stmts = append(stmts, st(`UPDATE `+table+` SET school_id = ? WHERE school_id = ?`, into, from))
	}
	stmts = append(stmts,
		st(`UPDATE org_units SET parent_id = ? WHERE parent_id = ?`, into, from),
		st(`DELETE FROM school_settings WHERE school_id = ?`, from),
		st(`DELETE FROM org_units WHERE id = ?`, from),
	)
	return t.exec(ctx, "merge school", stmts...)
}

// MergePerson implements bot.AdminTx.
func (t *tx) MergePerson(ctx context.Context, from, into int64) error {
	if from == into {
		return fmt.Errorf("storage: merge person into themselves: %w", bot.ErrInvalid)
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	var bound int
	if err := t.tx.GetContext(t.ctx(ctx), &bound, `SELECT COUNT(*) FROM wechat_bindings WHERE person_id = ?`, into); err != nil {
		return t.db.translate("merge person", err)
	}
	stmts := []stmt{
		st(`DELETE FROM person_units WHERE person_id = ? AND unit_id IN (SELECT unit_id FROM (SELECT unit_id FROM person_units WHERE person_id = ?) AS x)`, from, into),
		st(`UPDATE person_units SET person_id = ? WHERE person_id = ?`, into, from),
		st(`UPDATE opinion_events SET actor_id = ? WHERE actor_id = ?`, into, from),
		st(`UPDATE opinions SET recorder_id = ? WHERE recorder_id = ?`, into, from),
		st(`UPDATE visits SET teacher_id = ? WHERE teacher_id = ?`, into, from),
		st(`UPDATE observations SET observer_id = ? WHERE observer_id = ?`, into, from),
		st(`UPDATE observations SET teacher_id = ? WHERE teacher_id = ?`, into, from),
		st(`UPDATE talks SET leader_id = ? WHERE leader_id = ?`, into, from),
		st(`UPDATE talks SET teacher_id = ? WHERE teacher_id = ?`, into, from),
		st(`UPDATE study_checkins SET person_id = ? WHERE person_id = ?`, into, from),
		st(`UPDATE essays SET person_id = ? WHERE person_id = ?`, into, from),
		st(`UPDATE essays SET similar_person = ? WHERE similar_person = ?`, into, from),
		// One row per person (and week): into's stays.
		st(`DELETE FROM study_excuses WHERE person_id = ? AND week IN (SELECT week FROM (SELECT week FROM study_excuses WHERE person_id = ?) AS x)`, from, into),
		st(`UPDATE study_excuses SET person_id = ? WHERE person_id = ?`, into, from),
		st(`DELETE FROM study_prefs WHERE person_id = ? AND EXISTS (SELECT 1 FROM (SELECT person_id FROM study_prefs WHERE person_id = ?) AS x)`, from, into),
		st(`UPDATE study_prefs SET person_id = ? WHERE person_id = ?`, into, from),
		st(`DELETE FROM essay_drafts WHERE person_id = ? AND EXISTS (SELECT 1 FROM (SELECT person_id FROM essay_drafts WHERE person_id = ?) AS x)`, from, into),
		st(`UPDATE essay_drafts SET person_id = ? WHERE person_id = ?`, into, from),
		st(`DELETE FROM bind_codes WHERE person_id = ?`, from),
	}
	if bound == 0 {
		stmts = append(stmts, st(`UPDATE wechat_bindings SET person_id = ? WHERE person_id = ?`, into, from))
	} else {
		stmts = append(stmts, st(`DELETE FROM wechat_bindings WHERE person_id = ?`, from))
	}
	stmts = append(stmts, st(`DELETE FROM people WHERE id = ?`, from))
	return t.exec(ctx, "merge person", stmts...)
}

// DeleteSchool implements bot.AdminTx.
func (t *tx) DeleteSchool(ctx context.Context, id int64) error {
	if err := t.flush(ctx); err != nil {
		return err
	}
	if _, err := t.Unit(ctx, id); err != nil {
		return err
	}
	return t.exec(ctx, "delete school", slices.Concat(
		// The school's records first: they name its opinions, students,
		// classes and people.
		deleteFrom(`school_id = ?`, id, schoolRecords...),
		[]stmt{
			st(`UPDATE opinions SET merged_into = NULL WHERE school_id = ?`, id),
			st(`DELETE FROM opinion_events WHERE opinion_id IN (SELECT id FROM opinions WHERE school_id = ?)`, id),
			st(`DELETE FROM opinions WHERE school_id = ?`, id),
			st(`DELETE FROM students WHERE school_id = ?`, id),
		},
		deleteFrom(`person_id IN (SELECT id FROM people WHERE school_id = ?)`, id, personRows...),
		[]stmt{
			st(`DELETE FROM people WHERE school_id = ?`, id),
			st(`DELETE FROM school_settings WHERE school_id = ?`, id),
			st(`UPDATE org_units SET parent_id = NULL WHERE school_id = ? AND id <> ?`, id, id),
			st(`DELETE FROM org_units WHERE school_id = ? AND id <> ?`, id, id),
			st(`DELETE FROM org_units WHERE id = ?`, id),
		},
	)...)
}

// DeletePerson implements bot.AdminTx.
func (t *tx) DeletePerson(ctx context.Context, id int64) error {
	if err := t.flush(ctx); err != nil {
		return err
	}
	if _, err := t.Person(ctx, id); err != nil {
		return err
	}
	var n int
	if err := t.tx.GetContext(t.ctx(ctx), &n, `SELECT (SELECT COUNT(*) FROM opinion_events WHERE actor_id = ?) + (SELECT COUNT(*) FROM opinions WHERE recorder_id = ?)
		+ (SELECT COUNT(*) FROM visits WHERE teacher_id = ?) + (SELECT COUNT(*) FROM observations WHERE observer_id = ? OR teacher_id = ?)
		+ (SELECT COUNT(*) FROM talks WHERE leader_id = ? OR teacher_id = ?)
		+ (SELECT COUNT(*) FROM study_checkins WHERE person_id = ?) + (SELECT COUNT(*) FROM essays WHERE person_id = ?)`, id, id, id, id, id, id, id, id, id); err != nil {
		return t.db.translate("delete person", err)
	}
	if n > 0 {
		return fmt.Errorf("storage: delete person: %d ledger records name them: %w", n, bot.ErrConflict)
	}
	// Their study excuses and settings go with them; any other record
	// of theirs has stopped the delete above.
	stmts := deleteFrom(`person_id = ?`, id, slices.Concat([]string{"study_excuses", "study_prefs"}, personRows)...)
	return t.exec(ctx, "delete person", append(stmts, st(`DELETE FROM people WHERE id = ?`, id))...)
}

// AddAudit implements bot.AdminTx.
func (t *tx) AddAudit(ctx context.Context, e bot.AuditEntry) error {
	at := e.At
	if at.IsZero() {
		at = t.db.now()
	}
	return t.exec(ctx, "add audit", st(`INSERT INTO admin_audit (at, command, school_id, detail) VALUES (?, ?, ?, ?)`,
		at.UTC(), e.Command, nullID(e.SchoolID), e.Detail))
}

// AuditTrail implements bot.AdminTx.
func (t *tx) AuditTrail(ctx context.Context, limit int) ([]bot.AuditEntry, error) {
	var rows []struct {
		ID       int64     `db:"id"`
		At       time.Time `db:"at"`
		Command  string    `db:"command"`
		SchoolID *int64    `db:"school_id"`
		Detail   string    `db:"detail"`
	}
	if err := t.tx.SelectContext(t.ctx(ctx), &rows, `SELECT id, at, command, school_id, detail FROM admin_audit ORDER BY id DESC LIMIT ?`, limit); err != nil {
		return nil, t.db.translate("audit trail", err)
	}
	out := make([]bot.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = bot.AuditEntry{ID: r.ID, At: r.At.UTC(), Command: r.Command, Detail: r.Detail}
		if r.SchoolID != nil {
			out[i].SchoolID = *r.SchoolID
		}
	}
	return out, nil
}
