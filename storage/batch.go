package storage

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync/atomic"
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
//   - The processed-message records, opinion events and receipts of a
//     batch are written with one multi-row INSERT per table just before the
//     commit (or before a read of those tables).
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

// BatchStats counts group commits: batches run, Updates in them, and
// batches that fell back to one transaction per Update. Sizes[n] counts
// the batches of n Updates.
type BatchStats struct {
	Batches, Updates, Fallbacks int64
	Sizes                       []int64
}

type batchCounters struct {
	batches, updates, fallbacks atomic.Int64
	sizes                       [maxBatch + 1]atomic.Int64
}

// BatchStats returns the group-commit counters since Open.
func (d *DB) BatchStats() BatchStats {
	s := BatchStats{Batches: d.stats.batches.Load(), Updates: d.stats.updates.Load(), Fallbacks: d.stats.fallbacks.Load()}
	s.Sizes = make([]int64, len(d.stats.sizes))
	for i := range d.stats.sizes {
		s.Sizes[i] = d.stats.sizes[i].Load()
	}
	return s
}

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
			d.drain(batch)
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

// drain commits what is still queued when the committers stop: Close
// queues nothing new once it has begun, so every queued Update gets its
// outcome.
func (d *DB) drain(batch []*updateReq) {
	for {
		batch = batch[:0]
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-d.reqs:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		if len(batch) == 0 {
			return
		}
		d.commitBatch(batch)
	}
}

// ErrClosed is returned by Update after Close.
var ErrClosed = errors.New("storage: database is closed")

// Update implements bot.Store (see the group commit notes above). After
// Close it returns ErrClosed at once.
func (d *DB) Update(ctx context.Context, fn func(bot.Tx) error) error {
	d.closeMu.RLock()
	if d.closed {
		d.closeMu.RUnlock()
		return fmt.Errorf("storage: update: %w: %w", bot.ErrUnavailable, ErrClosed)
	}
	if d.reqs == nil {
		d.closeMu.RUnlock()
		return scrub(d.updateAlone(ctx, fn))
	}
	r := &updateReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case d.reqs <- r:
		d.closeMu.RUnlock()
	case <-ctx.Done():
		d.closeMu.RUnlock()
		return fmt.Errorf("storage: update: %w", ctx.Err())
	}
	// Once queued, the outcome must be awaited: the function may already
	// be part of a transaction that commits.
	return scrub(<-r.done)
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
	d.stats.batches.Add(1)
	d.stats.updates.Add(int64(len(live)))
	d.stats.sizes[min(len(live), maxBatch)].Add(1)
	if len(live) == 1 {
		live[0].done <- d.updateAlone(live[0].ctx, live[0].fn)
		return
	}
	if err := d.tryBatch(live); err != nil {
		d.stats.fallbacks.Add(1)
		d.log.Debug("batch_fallback", "size", len(live), "err", err)
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
	t := &tx{tx: stmtTx{sqlTx, &d.statements}, db: d, batchCtx: ctx, pending: &deferred{}}
	for _, r := range batch {
		if err := r.fn(t); err != nil {
			return err
		}
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	return sqlTx.Commit()
}

// maxAttempts bounds how often updateAlone runs a function that deadlocks
// or finds the database busy.
const maxAttempts = 5

// updateAlone runs fn in a transaction of its own, retrying on deadlocks
// and busy errors after a short random pause, so that the transactions
// that deadlocked together do not meet again at once.
func (d *DB) updateAlone(ctx context.Context, fn func(bot.Tx) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = d.updateOnce(ctx, fn)
		if err == nil || !retryable(err) || ctx.Err() != nil || attempt == maxAttempts {
			return err
		}
		pause := time.NewTimer(time.Duration(rand.Int64N(int64(attempt) * int64(5*time.Millisecond))))
		select {
		case <-pause.C:
		case <-ctx.Done():
			pause.Stop()
			return err
		}
	}
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
	if err := fn(&tx{tx: stmtTx{sqlTx, &d.statements}, db: d}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return d.translate("commit", err)
	}
	return nil
}

// deferred holds the rows a batch writes with one multi-row INSERT per
// table at its end: processed-message records, opinion events and
// receipts. They are append-only rows that nothing in the batch needs an ID
// of; a read of one of these tables inside the batch flushes them first.
type deferred struct {
	processed [][]any
	events    [][]any
	receipts  [][]any
}

func (d *deferred) empty() bool {
	return len(d.processed) == 0 && len(d.events) == 0 && len(d.receipts) == 0
}

// flush writes the deferred rows. A processed-message key twice in one
// batch (two deliveries of one message) is a conflict, as the database
// would report it.
func (t *tx) flush(ctx context.Context) error {
	if t.pending == nil || t.pending.empty() {
		return nil
	}
	seen := make(map[any]bool, len(t.pending.processed))
	for _, r := range t.pending.processed {
		if seen[r[0]] {
			return fmt.Errorf("storage: batch: %w", bot.ErrConflict)
		}
		seen[r[0]] = true
	}
	for _, ins := range []struct {
		op, head string
		rows     [][]any
	}{
		{"record processed messages", `INSERT INTO processed_messages (dedup_key, reply, created_at) VALUES `, t.pending.processed},
		{"add opinion events", `INSERT INTO opinion_events (opinion_id, kind, actor_id, note, at) VALUES `, t.pending.events},
		{"put receipts", `INSERT INTO receipts (opinion_id, sender_hash, sealed_openid, expires_at, created_at) VALUES `, t.pending.receipts},
	} {
		if len(ins.rows) == 0 {
			continue
		}
		var q strings.Builder
		q.WriteString(ins.head)
		row := "(?" + strings.Repeat(", ?", len(ins.rows[0])-1) + ")"
		args := make([]any, 0, len(ins.rows)*len(ins.rows[0]))
		for i, r := range ins.rows {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString(row)
			args = append(args, r...)
		}
		if _, err := t.tx.ExecContext(ctx, q.String(), args...); err != nil {
			return t.db.translate(ins.op, err)
		}
	}
	*t.pending = deferred{}
	return nil
}

// beforeRead flushes the deferred rows when a read inside the batch would
// otherwise miss some of the batch's own writes: when match reports a
// pending row of the given kind ("events" or "receipts") it would read.
func (t *tx) beforeRead(ctx context.Context, rows func(*deferred) [][]any, match func(row []any) bool) error {
	if t.pending == nil {
		return nil
	}
	for _, r := range rows(t.pending) {
		if match(r) {
			return t.flush(t.ctx(ctx))
		}
	}
	return nil
}

func pendingEvents(d *deferred) [][]any   { return d.events }
func pendingReceipts(d *deferred) [][]any { return d.receipts }
