package storage

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"minqing/bot"
)

// The sent log of scheduled deliveries (bot.DeliveryTx). A claim is two
// statements: an INSERT that does nothing if the record exists (INSERT
// IGNORE on MySQL, ON CONFLICT DO NOTHING on SQLite), then, if it did
// nothing, an UPDATE that takes a failed or stale record only when its
// conditions still hold. The database decides between racing instances:
// the unique key lets one INSERT through, the row lock makes the second
// UPDATE re-check the conditions after the first commits, and rows
// affected says who won.

// Column widths of deliveries (migration 00020).
const (
	maxDeliveryKind   = 32
	maxDeliveryPeriod = 16
	maxDeliveryError  = 255
)

type deliveryRow struct {
	Kind      string    `db:"kind"`
	PersonID  int64     `db:"person_id"`
	Period    string    `db:"period"`
	Status    string    `db:"status"`
	Attempts  int       `db:"attempts"`
	Channel   string    `db:"channel"`
	Error     string    `db:"error"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

const deliveryColumns = `kind, person_id, period, status, attempts, channel, error, created_at, updated_at`

func (r deliveryRow) delivery() bot.Delivery {
	return bot.Delivery{
		Kind: r.Kind, PersonID: r.PersonID, Period: r.Period, Status: bot.DeliveryStatus(r.Status), Attempts: r.Attempts,
		Channel: r.Channel, Error: r.Error, Created: r.CreatedAt.UTC(), Updated: r.UpdatedAt.UTC(),
	}
}

// checkDeliveryKey rejects keys the columns cannot hold: MySQL's INSERT
// IGNORE would truncate them silently.
func checkDeliveryKey(op, kind, period string) error {
	if kind == "" || len(kind) > maxDeliveryKind || period == "" || len(period) > maxDeliveryPeriod {
		return fmt.Errorf("storage: %s: kind of 1 to %d bytes and period of 1 to %d bytes: %w", op, maxDeliveryKind, maxDeliveryPeriod, bot.ErrInvalid)
	}
	return nil
}

// ClaimDelivery implements bot.DeliveryTx (see above).
func (t *tx) ClaimDelivery(ctx context.Context, kind string, personID int64, period string, now, staleBefore time.Time, max int) (bot.Delivery, bool, error) {
	const op = "claim delivery"
	if err := checkDeliveryKey(op, kind, period); err != nil {
		return bot.Delivery{}, false, err
	}
	if max < 1 {
		return bot.Delivery{}, false, fmt.Errorf("storage: %s: max attempts %d: %w", op, max, bot.ErrInvalid)
	}
	now = now.UTC()
	res, err := t.tx.ExecContext(t.ctx(ctx), t.db.byDialect(`
		INSERT IGNORE INTO deliveries (kind, person_id, period, status, attempts, channel, error, created_at, updated_at)
		VALUES (?, ?, ?, ?, 1, '', '', ?, ?)`, `
		INSERT INTO deliveries (kind, person_id, period, status, attempts, channel, error, created_at, updated_at)
		VALUES (?, ?, ?, ?, 1, '', '', ?, ?)
		ON CONFLICT (kind, person_id, period) DO NOTHING`),
		kind, personID, period, bot.DeliverySending, now, now)
	if err != nil {
		return bot.Delivery{}, false, t.db.translate(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return bot.Delivery{}, false, t.db.translate(op, err)
	}
	if n == 1 {
		return bot.Delivery{Kind: kind, PersonID: personID, Period: period, Status: bot.DeliverySending, Attempts: 1, Created: now, Updated: now}, true, nil
	}
	res, err = t.tx.ExecContext(t.ctx(ctx), `
		UPDATE deliveries SET status = ?, attempts = attempts + 1, updated_at = ?
		WHERE kind = ? AND person_id = ? AND period = ? AND attempts < ?
			AND (status = ? OR (status = ? AND updated_at < ?))`,
		bot.DeliverySending, now, kind, personID, period, max, bot.DeliveryFailed, bot.DeliverySending, staleBefore.UTC())
	if err != nil {
		return bot.Delivery{}, false, t.db.translate(op, err)
	}
	if n, err = res.RowsAffected(); err != nil {
		return bot.Delivery{}, false, t.db.translate(op, err)
	}
	var r deliveryRow
	err = t.tx.GetContext(t.ctx(ctx), &r, `SELECT `+deliveryColumns+` FROM deliveries WHERE kind = ? AND person_id = ? AND period = ?`,
		kind, personID, period)
	if err != nil {
		return bot.Delivery{}, false, t.db.translate(op, err)
	}
	return r.delivery(), n == 1, nil
}

// FinishDelivery implements bot.DeliveryTx.
func (t *tx) FinishDelivery(ctx context.Context, d bot.Delivery) error {
	const op = "finish delivery"
	if err := checkDeliveryKey(op, d.Kind, d.Period); err != nil {
		return err
	}
	switch d.Status {
	case bot.DeliverySending, bot.DeliverySent, bot.DeliveryFailed, bot.DeliveryUndeliverable:
	default:
		return fmt.Errorf("storage: %s: status %q: %w", op, d.Status, bot.ErrInvalid)
	}
	res, err := t.tx.ExecContext(t.ctx(ctx), `
		UPDATE deliveries SET status = ?, channel = ?, error = ?, updated_at = ?
		WHERE kind = ? AND person_id = ? AND period = ?`,
		d.Status, d.Channel, clipRunes(d.Error, maxDeliveryError), d.Updated.UTC(), d.Kind, d.PersonID, d.Period)
	return t.db.mustAffect(op, res, err)
}

// Deliveries implements bot.DeliveryTx.
func (t *tx) Deliveries(ctx context.Context, kind, period string) ([]bot.Delivery, error) {
	var rows []deliveryRow
	err := t.tx.SelectContext(t.ctx(ctx), &rows, `SELECT `+deliveryColumns+` FROM deliveries WHERE kind = ? AND period = ? ORDER BY person_id`,
		kind, period)
	if err != nil {
		return nil, t.db.translate("deliveries", err)
	}
	out := make([]bot.Delivery, len(rows))
	for i, r := range rows {
		out[i] = r.delivery()
	}
	return out, nil
}

// clipRunes cuts s to at most n characters.
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n])
}
