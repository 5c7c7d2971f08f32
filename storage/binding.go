package storage

import (
	"context"
	"database/sql"
	"time"

	"minqing/bot"
)

type bindCodeRow struct {
	PersonID  int64        `db:"person_id"`
	Hash      string       `db:"code_hash"`
	Sealed    []byte       `db:"sealed"`
	ExpiresAt time.Time    `db:"expires_at"`
	UsedAt    sql.NullTime `db:"used_at"`
	CreatedAt time.Time    `db:"created_at"`
}

const bindCodeColumns = `person_id, code_hash, sealed, expires_at, used_at, created_at`

func (r bindCodeRow) code() bot.BindCode {
	c := bot.BindCode{PersonID: r.PersonID, Hash: r.Hash, Sealed: r.Sealed, Expires: r.ExpiresAt.UTC(), Created: r.CreatedAt.UTC()}
	if r.UsedAt.Valid {
		c.Used = r.UsedAt.Time.UTC()
	}
	return c
}

// PutBindCode implements bot.BindingTx with an upsert (upsert.go).
func (t *tx) PutBindCode(ctx context.Context, c bot.BindCode) error {
	return t.upsertPerson(ctx, "put bind code", c.PersonID, `
		INSERT INTO bind_codes (person_id, code_hash, sealed, expires_at, used_at, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE
			code_hash = IF(person_id = VALUES(person_id), VALUES(code_hash), code_hash),
			sealed = IF(person_id = VALUES(person_id), VALUES(sealed), sealed),
			expires_at = IF(person_id = VALUES(person_id), VALUES(expires_at), expires_at),
			used_at = IF(person_id = VALUES(person_id), VALUES(used_at), used_at),
			created_at = IF(person_id = VALUES(person_id), VALUES(created_at), created_at),
			person_id = LAST_INSERT_ID(person_id)`, `
		INSERT INTO bind_codes (person_id, code_hash, sealed, expires_at, used_at, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (person_id) DO UPDATE SET
			code_hash = excluded.code_hash, sealed = excluded.sealed, expires_at = excluded.expires_at,
			used_at = excluded.used_at, created_at = excluded.created_at`,
		c.PersonID, c.Hash, c.Sealed, c.Expires.UTC(), nullTime(c.Used), c.Created.UTC())
}

// BindCodeByHash implements bot.BindingTx.
func (t *tx) BindCodeByHash(ctx context.Context, hash string) (bot.BindCode, error) {
	var r bindCodeRow
	if err := t.tx.GetContext(t.ctx(ctx), &r, `SELECT `+bindCodeColumns+` FROM bind_codes WHERE code_hash = ?`, hash); err != nil {
		return bot.BindCode{}, t.db.translate("bind code by hash", err)
	}
	return r.code(), nil
}

// BindCodeOf implements bot.BindingTx.
func (t *tx) BindCodeOf(ctx context.Context, personID int64) (bot.BindCode, error) {
	var r bindCodeRow
	if err := t.tx.GetContext(t.ctx(ctx), &r, `SELECT `+bindCodeColumns+` FROM bind_codes WHERE person_id = ?`, personID); err != nil {
		return bot.BindCode{}, t.db.translate("bind code of", err)
	}
	return r.code(), nil
}

// MarkBindCodeUsed implements bot.BindingTx.
func (t *tx) MarkBindCodeUsed(ctx context.Context, personID int64, at time.Time) error {
	res, err := t.tx.ExecContext(t.ctx(ctx), `UPDATE bind_codes SET used_at = ? WHERE person_id = ?`, at.UTC(), personID)
	return t.db.mustAffect("mark bind code used", res, err)
}

type bindingRow struct {
	PersonID int64     `db:"person_id"`
	OpenID   string    `db:"openid"`
	Active   bool      `db:"active"`
	BoundAt  time.Time `db:"bound_at"`
}

const bindingColumns = `person_id, openid, active, bound_at`

func (r bindingRow) binding() bot.Binding {
	return bot.Binding{PersonID: r.PersonID, OpenID: r.OpenID, Active: r.Active, BoundAt: r.BoundAt.UTC()}
}

// BindingOf implements bot.BindingTx.
func (t *tx) BindingOf(ctx context.Context, personID int64) (bot.Binding, error) {
	var r bindingRow
	if err := t.tx.GetContext(t.ctx(ctx), &r, `SELECT `+bindingColumns+` FROM wechat_bindings WHERE person_id = ?`, personID); err != nil {
		return bot.Binding{}, t.db.translate("binding of", err)
	}
	return r.binding(), nil
}

// BindingByOpenID implements bot.BindingTx.
func (t *tx) BindingByOpenID(ctx context.Context, openid string) (bot.Binding, error) {
	var r bindingRow
	if err := t.tx.GetContext(t.ctx(ctx), &r, `SELECT `+bindingColumns+` FROM wechat_bindings WHERE openid = ?`, openid); err != nil {
		return bot.Binding{}, t.db.translate("binding by openid", err)
	}
	return r.binding(), nil
}

// PutBinding implements bot.BindingTx with an upsert (upsert.go).
func (t *tx) PutBinding(ctx context.Context, b bot.Binding) error {
	return t.upsertPerson(ctx, "put binding", b.PersonID, `
		INSERT INTO wechat_bindings (person_id, openid, active, bound_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON DUPLICATE KEY UPDATE
			openid = IF(person_id = VALUES(person_id), VALUES(openid), openid),
			active = IF(person_id = VALUES(person_id), VALUES(active), active),
			bound_at = IF(person_id = VALUES(person_id), VALUES(bound_at), bound_at),
			updated_at = IF(person_id = VALUES(person_id), VALUES(updated_at), updated_at),
			person_id = LAST_INSERT_ID(person_id)`, `
		INSERT INTO wechat_bindings (person_id, openid, active, bound_at, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (person_id) DO UPDATE SET
			openid = excluded.openid, active = excluded.active, bound_at = excluded.bound_at, updated_at = excluded.updated_at`,
		b.PersonID, b.OpenID, b.Active, b.BoundAt.UTC(), b.BoundAt.UTC())
}

// DeleteBinding implements bot.BindingTx.
func (t *tx) DeleteBinding(ctx context.Context, personID int64) error {
	_, err := t.tx.ExecContext(t.ctx(ctx), `DELETE FROM wechat_bindings WHERE person_id = ?`, personID)
	return t.db.translate("delete binding", err)
}

// SetBindingActive implements bot.BindingTx.
func (t *tx) SetBindingActive(ctx context.Context, openid string, active bool, at time.Time) error {
	res, err := t.tx.ExecContext(t.ctx(ctx), `UPDATE wechat_bindings SET active = ?, updated_at = ? WHERE openid = ?`, active, at.UTC(), openid)
	return t.db.mustAffect("set binding active", res, err)
}
