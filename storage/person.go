package storage

import (
	"context"
	"strings"
	"time"

	"minqing/bot"
)

// personRow is a row of people as selected by personColumns.
type personRow struct {
	ID        int64     `db:"id"`
	SchoolID  int64     `db:"school_id"`
	Name      string    `db:"name"`
	Roles     string    `db:"roles"`
	CreatedAt time.Time `db:"created_at"`
}

const personColumns = `p.id, p.school_id, p.name, p.roles, p.created_at`

func (r personRow) person() bot.Person {
	p := bot.Person{ID: r.ID, SchoolID: r.SchoolID, Name: r.Name, Created: r.CreatedAt.UTC()}
	for _, s := range strings.Split(r.Roles, ",") {
		if s = strings.TrimSpace(s); s != "" {
			p.Roles = append(p.Roles, bot.Role(s))
		}
	}
	return p
}

func joinRoles(rs []bot.Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ",")
}

// PersonByOpenID implements bot.Tx.
func (t *tx) PersonByOpenID(ctx context.Context, openid string) (bot.Person, error) {
	var r personRow
	err := t.tx.GetContext(t.ctx(ctx), &r, `
		SELECT `+personColumns+`
		FROM wechat_bindings b
		JOIN people p ON p.id = b.person_id
		WHERE b.openid = ? AND b.active = TRUE`, openid)
	if err != nil {
		return bot.Person{}, t.db.translate("person by openid", err)
	}
	return r.person(), nil
}

// BoundOpenIDs implements bot.Store.
func (d *DB) BoundOpenIDs(ctx context.Context) ([]string, error) {
	var out []string
	if err := d.db.SelectContext(ctx, &out, `SELECT openid FROM wechat_bindings WHERE active = TRUE`); err != nil {
		return nil, d.translate("bound openids", err)
	}
	return out, nil
}
