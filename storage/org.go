package storage

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"minqing/bot"
)

type unitRow struct {
	ID       int64          `db:"id"`
	ParentID sql.NullInt64  `db:"parent_id"`
	SchoolID sql.NullInt64  `db:"school_id"`
	Kind     string         `db:"kind"`
	Name     string         `db:"name"`
	Code     sql.NullString `db:"code"`
}

const unitColumns = `id, parent_id, school_id, kind, name, code`

func (r unitRow) unit() bot.OrgUnit {
	return bot.OrgUnit{
		ID: r.ID, ParentID: r.ParentID.Int64, SchoolID: r.SchoolID.Int64,
		Kind: bot.UnitKind(r.Kind), Name: r.Name, Code: r.Code.String,
	}
}

func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func (t *tx) getUnit(ctx context.Context, op, where string, args ...any) (bot.OrgUnit, error) {
	var r unitRow
	if err := t.tx.GetContext(t.ctx(ctx), &r, `SELECT `+unitColumns+` FROM org_units WHERE `+where, args...); err != nil {
		return bot.OrgUnit{}, t.db.translate(op, err)
	}
	return r.unit(), nil
}

// Unit implements bot.OrgTx.
func (t *tx) Unit(ctx context.Context, id int64) (bot.OrgUnit, error) {
	return t.getUnit(ctx, "unit", `id = ?`, id)
}

// UnitByName implements bot.OrgTx.
func (t *tx) UnitByName(ctx context.Context, parentID int64, kind bot.UnitKind, name string) (bot.OrgUnit, error) {
	if parentID == 0 {
		return t.getUnit(ctx, "unit by name", `parent_id IS NULL AND kind = ? AND name = ? ORDER BY id LIMIT 1`, kind, name)
	}
	return t.getUnit(ctx, "unit by name", `parent_id = ? AND kind = ? AND name = ?`, parentID, kind, name)
}

// UnitByCode implements bot.OrgTx.
func (t *tx) UnitByCode(ctx context.Context, code string) (bot.OrgUnit, error) {
	return t.getUnit(ctx, "unit by code", `code = ?`, code)
}

// CreateUnit implements bot.OrgTx.
func (t *tx) CreateUnit(ctx context.Context, u bot.OrgUnit) (bot.OrgUnit, error) {
	err := t.insert(ctx, &u.ID, "create unit",
		`INSERT INTO org_units (parent_id, school_id, kind, name, code, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		nullID(u.ParentID), nullID(u.SchoolID), u.Kind, u.Name, nullString(u.Code), t.db.now().UTC())
	if err != nil {
		return u, err
	}
	if u.Kind == bot.UnitSchool {
		u.SchoolID = u.ID
		if _, err := t.tx.ExecContext(t.ctx(ctx), `UPDATE org_units SET school_id = id WHERE id = ?`, u.ID); err != nil {
			return u, t.db.translate("create unit", err)
		}
	}
	return u, nil
}

// Units implements bot.OrgTx.
func (t *tx) Units(ctx context.Context, kinds ...bot.UnitKind) ([]bot.OrgUnit, error) {
	q := `SELECT ` + unitColumns + ` FROM org_units`
	args := make([]any, len(kinds))
	if len(kinds) > 0 {
		q += ` WHERE kind IN (?` + strings.Repeat(`, ?`, len(kinds)-1) + `)`
		for i, k := range kinds {
			args[i] = k
		}
	}
	return t.selectUnits(ctx, "units", q+` ORDER BY id`, args...)
}

// UnitsOfSchool implements bot.OrgTx.
func (t *tx) UnitsOfSchool(ctx context.Context, schoolID int64) ([]bot.OrgUnit, error) {
	return t.selectUnits(ctx, "units of school", `SELECT `+unitColumns+` FROM org_units WHERE school_id = ? ORDER BY id`, schoolID)
}

func (t *tx) selectUnits(ctx context.Context, op, q string, args ...any) ([]bot.OrgUnit, error) {
	var rows []unitRow
	if err := t.tx.SelectContext(t.ctx(ctx), &rows, q, args...); err != nil {
		return nil, t.db.translate(op, err)
	}
	out := make([]bot.OrgUnit, len(rows))
	for i, r := range rows {
		out[i] = r.unit()
	}
	return out, nil
}

// nullTime maps the zero time to NULL.
func nullTime(t time.Time) sql.NullTime {
	return sql.NullTime{Time: t.UTC(), Valid: !t.IsZero()}
}
