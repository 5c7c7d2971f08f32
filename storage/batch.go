package storage

import (
	"context"
	"fmt"
	"strings"
	"time"

	"minqing/bot"
)

// Group commit. Every inbound message is one Update; under load, committing
// each in a transaction of its own costs the database a commit (and a log
// flush) per message and the service two extra round trips. So Update hands
// its function to a committer, which runs the functions that are waiting in
// one transaction and commits them together. The contract of Update holds
// for each function: its writes commit together with its processed-message
// record, or not at all.
//
//   - The processed-message records of a batch are written with one
//     multi-row INSERT just before the commit.
//   - If any function fails, or the INSERT finds a key already processed,
//     or the database reports a deadlock, the batch is rolled back and each
//     function runs again in a transaction of its own, where errors reach
//     their callers exactly as without batching. Functions may be called
//     more than once (bot.Store says so).
//   - Within a batch, a function sees the writes of the functions before it,
//     as if they had committed just before.

const (
	// maxBatch caps the functions committed together.
	maxBatch = 64
	// batchTimeout bounds one batch transaction.
	batchTimeout = 30 * time.Second
)

// updateReq is one Update waiting for a committer.
type updateReq struct {
	ctx  context.Context
	fn   func(bot.Tx) error
	done chan error
}

// startCommitters starts n committer goroutines; stopCommitters ends them.
func (d *DB) startCommitters(n int) {
	d.reqs = make(chan *updateReq, maxBatch*n)
	d.stop = make(chan struct{})
	for range n {
		d.committers.Add(1)
		go d.committer()
	}
}

func (d *DB) stopCommitters() {
	if d.stop == nil {
		return
	}
	close(d.stop)
	d.committers.Wait()
	d.stop = nil
}

func (d *DB) committer() {
	defer d.committers.Done()
	batch := make([]*updateReq, 0, maxBatch)
	for {
		select {
		case <-d.stop:
			return
		case r := <-d.reqs:
			batch = append(batch[:0], r)
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-d.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		d.commitBatch(batch)
	}
}

// Update implements bot.Store (see the group commit notes above).
func (d *DB) Update(ctx context.Context, fn func(bot.Tx) error) error {
	if d.reqs == nil {
		return d.updateAlone(ctx, fn)
	}
	r := &updateReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case d.reqs <- r:
	case <-ctx.Done():
		return fmt.Errorf("storage: update: %w", ctx.Err())
	}
	// Once queued, the outcome must be awaited: the function may already
	// be part of a transaction that commits.
	return <-r.done
}

// commitBatch runs a batch in one transaction, falling back to one
// transaction per function if anything goes wrong.
func (d *DB) commitBatch(batch []*updateReq) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- fmt.Errorf("storage: update: %w", err)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	if len(live) == 1 {
		live[0].done <- d.updateAlone(live[0].ctx, live[0].fn)
		return
	}
	if err := d.tryBatch(live); err != nil {
		for _, r := range live {
			r.done <- d.updateAlone(r.ctx, r.fn)
		}
		return
	}
	for _, r := range live {
		r.done <- nil
	}
}

// tryBatch runs every function in one transaction and commits it; any
// error leaves nothing committed.
func (d *DB) tryBatch(batch []*updateReq) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	sqlTx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			sqlTx.Rollback()
		}
	}()
	t := &tx{tx: sqlTx, db: d, batchCtx: ctx, deferProcessed: true}
	for _, r := range batch {
		if err := r.fn(t); err != nil {
			return err
		}
	}
	if err := t.flushProcessed(ctx); err != nil {
		return err
	}
	return sqlTx.Commit()
}

// updateAlone runs fn in a transaction of its own, retrying on deadlocks
// and busy errors.
func (d *DB) updateAlone(ctx context.Context, fn func(bot.Tx) error) error {
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		err = d.updateOnce(ctx, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func (d *DB) updateOnce(ctx context.Context, fn func(bot.Tx) error) (err error) {
	sqlTx, err := d.db.BeginTxx(ctx, nil)
	if err != nil {
		return d.translate("begin", err)
	}
	defer func() {
		if err != nil {
			sqlTx.Rollback()
		}
	}()
	if err := fn(&tx{tx: sqlTx, db: d}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return d.translate("commit", err)
	}
	return nil
}

// processedRow is a processed-message record waiting for the batch INSERT.
type processedRow struct {
	key   string
	reply []byte
	at    time.Time
}

// flushProcessed writes the batch's processed-message records.
func (t *tx) flushProcessed(ctx context.Context) error {
	if len(t.processed) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO processed_messages (dedup_key, reply, created_at) VALUES `)
	args := make([]any, 0, 3*len(t.processed))
	seen := make(map[string]bool, len(t.processed))
	for i, p := range t.processed {
		if seen[p.key] {
			// Two deliveries of one message in one batch.
			return fmt.Errorf("storage: batch: %w", bot.ErrConflict)
		}
		seen[p.key] = true
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?)")
		args = append(args, p.key, p.reply, p.at)
	}
	_, err := t.tx.ExecContext(ctx, q.String(), args...)
	t.processed = t.processed[:0]
	return t.db.translate("record processed messages", err)
}
