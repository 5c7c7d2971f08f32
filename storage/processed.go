package storage

import (
	"context"
	"time"
)

// RecordProcessed implements bot.Tx.
func (t *tx) RecordProcessed(ctx context.Context, key string, reply []byte, at time.Time) error {
	if reply == nil {
		reply = []byte{}
	}
	if t.pending != nil {
		t.tx.wrote = true
		t.pending.processed = append(t.pending.processed, []any{key, reply, at.UTC()})
		return nil
	}
	_, err := t.tx.ExecContext(t.ctx(ctx),
		`INSERT INTO processed_messages (dedup_key, reply, created_at) VALUES (?, ?, ?)`,
		key, reply, at.UTC())
	return t.db.translate("record processed message", err)
}

// Wrote reports whether the transaction function running now has written
// anything yet (the bot records a reply without side effects only in the
// state store).
func (t *tx) Wrote() bool { return t.tx.wrote }

// ProcessedReply implements bot.Store.
func (d *DB) ProcessedReply(ctx context.Context, key string) ([]byte, error) {
	var reply []byte
	err := d.db.GetContext(ctx, &reply, `SELECT reply FROM processed_messages WHERE dedup_key = ?`, key)
	if err != nil {
		return nil, d.translate("processed reply", err)
	}
	return reply, nil
}

// PurgeProcessed implements bot.Store.
func (d *DB) PurgeProcessed(ctx context.Context, before time.Time) (int64, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM processed_messages WHERE created_at < ?`, before.UTC())
	if err != nil {
		return 0, d.translate("purge processed messages", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, d.translate("purge processed messages", err)
	}
	return n, nil
}
