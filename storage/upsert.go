package storage

import (
	"context"
	"fmt"

	"minqing/bot"
)

// Upserts are one INSERT that updates the row when its key exists —
// INSERT … ON DUPLICATE KEY UPDATE on MySQL, INSERT … ON CONFLICT … DO UPDATE
// on SQLite — never a DELETE then an INSERT, which on InnoDB takes gap locks
// that deadlock concurrent writers.
//
// A table with a second unique key (wechat_bindings.openid,
// bind_codes.code_hash) needs care on MySQL: ON DUPLICATE KEY UPDATE fires on
// whichever unique key collides, so an INSERT for person A whose openid is
// bound to person B would update B's row. The MySQL statements of those
// tables therefore update only a row of the same person (every assignment is
// guarded by IF(person_id = VALUES(person_id), …)) and report the person of
// the row they matched through LAST_INSERT_ID(person_id): zero after an
// insert, the person after an update, somebody else after a collision on the
// second key, which is bot.ErrConflict. SQLite's ON CONFLICT (person_id)
// targets the primary key only; a collision on the other key fails the
// statement as a unique violation, which translate maps to bot.ErrConflict.

// byDialect returns the statement for the database's dialect.
func (d *DB) byDialect(mysql, sqlite string) string {
	if d.dialect == MySQL {
		return mysql
	}
	return sqlite
}

// upsertPerson runs an upsert keyed by person_id on a table with a second
// unique key (see above) and returns bot.ErrConflict when the second key
// belongs to another person.
func (t *tx) upsertPerson(ctx context.Context, op string, personID int64, mysqlQ, sqliteQ string, args ...any) error {
	res, err := t.tx.ExecContext(t.ctx(ctx), t.db.byDialect(mysqlQ, sqliteQ), args...)
	if err != nil {
		return t.db.translate(op, err)
	}
	if t.db.dialect != MySQL {
		return nil
	}
	matched, err := res.LastInsertId()
	if err != nil {
		return t.db.translate(op, err)
	}
	if matched != 0 && matched != personID {
		return fmt.Errorf("storage: %s: %w", op, bot.ErrConflict)
	}
	return nil
}
