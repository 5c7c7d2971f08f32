package storage

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
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
//   - The processed-message records and opinion events of a
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

// startCommitters starts the group commit: one collector gathers the
// queued Updates into a batch, and n committers commit batches. A batch
// closes when a committer is free to take it or when it is full: while
// every committer has a commit in flight, the collector keeps collecting,
// so that batches grow with the load and a lone message waits for nothing.
func (d *DB) startCommitters(n int) {
	d.reqs = make(chan *updateReq, maxBatch*n)
	d.stop = make(chan struct{})
	work := make(chan []*updateReq)
	var busy sync.WaitGroup
	for range n {
		busy.Add(1)
		go func() {
			defer busy.Done()
			for b := range work {
				d.commitBatch(b)
			}
		}()
	}
	d.committers.Add(1)
	go func() {
		defer d.committers.Done()
		rest := d.collect(work)
		close(work)
		busy.Wait()
		d.drain(rest)
	}()
}

func (d *DB) stopCommitters() {
	if d.stop == nil {
		return
	}
	close(d.stop)
	d.committers.Wait()
	d.stop = nil
}

// collect hands batches to the committers until stop; it returns the
// batch it was still collecting.
func (d *DB) collect(work chan<- []*updateReq) []*updateReq {
	batch := make([]*updateReq, 0, maxBatch)
	for {
		if len(batch) == 0 {
			select {
			case <-d.stop:
				return batch
			case r := <-d.reqs:
				batch = append(batch, r)
			}
		}
		batch = d.fill(batch)
		// A full batch waits for a committer only; one with room also
		// takes the next Update that comes first.
		more := d.reqs
		if len(batch) == maxBatch {
			more = nil
		}
		select {
		case work <- batch:
			batch = make([]*updateReq, 0, maxBatch)
		case r := <-more:
			batch = append(batch, r)
		case <-d.stop:
			return batch
		}
	}
}

// drain commits what is still queued when the committers stop, starting
// with batch: Close queues nothing new once it has begun, so every queued
// Update gets its outcome.
func (d *DB) drain(batch []*updateReq) {
	for batch = d.fill(batch); len(batch) > 0; batch = d.fill(batch[:0]) {
		d.commitBatch(batch)
	}
}

// fill adds to batch the Updates already queued, up to maxBatch, without
// waiting for more.
func (d *DB) fill(batch []*updateReq) []*updateReq {
	for len(batch) < maxBatch {
		select {
		case r := <-d.reqs:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
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
// error leaves nothing committed. The transaction begins at the batch's
// first statement: a batch of replies without side effects runs none.
func (d *DB) tryBatch(batch []*updateReq) (err error) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	st := &stmtTx{db: d.db, beginCtx: ctx, n: &d.statements, txs: &d.transactions}
	defer func() {
		if err != nil {
			st.rollback()
		}
	}()
	t := &tx{tx: st, db: d, batchCtx: ctx, pending: &deferred{}}
	st.before = t.beforeStatement
	for _, r := range batch {
		st.wrote = false
		if err := r.fn(t); err != nil {
			return err
		}
	}
	if err := t.flush(ctx); err != nil {
		return err
	}
	return st.commit()
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
	st := &stmtTx{db: d.db, beginCtx: ctx, n: &d.statements, txs: &d.transactions}
	defer func() {
		if err != nil {
			st.rollback()
		}
	}()
	if err := fn(&tx{tx: st, db: d}); err != nil {
		return err
	}
	if err := st.commit(); err != nil {
		return d.translate("commit", err)
	}
	return nil
}

// deferred holds the rows a batch writes with one multi-row INSERT per
// table at its end: new opinions (their IDs are chosen by the caller, at
// random: bot.CreateWithCode), processed-message records and opinion
// events. Nothing in the batch needs an ID the database would assign to
// them. Any statement of the batch that names an opinion table writes the
// pending opinions first (beforeStatement), and a read of the events of
// an opinion with pending events flushes everything first (beforeRead).
type deferred struct {
	opinions  [][]any
	processed [][]any
	events    [][]any
}

func (d *deferred) empty() bool {
	return len(d.opinions) == 0 && len(d.processed) == 0 && len(d.events) == 0
}

const insertOpinionsHead = `INSERT INTO opinions (id, school_id, code, category, unit_id, text, text_hash, source, anonymous, recorder_id, status,
	assigned_unit_id, due_date, answer, answered_at, rating, rated_at, merged_into, rating_comment, created_at, updated_at) VALUES `

// beforeStatement writes the pending opinions before a statement that may
// read them or refer to them (every statement naming an opinion table).
func (t *tx) beforeStatement(ctx context.Context, query string) error {
	if len(t.pending.opinions) == 0 || !strings.Contains(query, "opinion") {
		return nil
	}
	return t.insertRows(ctx, "create opinion", insertOpinionsHead, &t.pending.opinions)
}

// insertRows writes rows with one multi-row INSERT and empties them.
func (t *tx) insertRows(ctx context.Context, op, head string, rows *[][]any) error {
	if len(*rows) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(head)
	row := "(?" + strings.Repeat(", ?", len((*rows)[0])-1) + ")"
	q.Grow(len(*rows) * (len(row) + 2))
	args := make([]any, 0, len(*rows)*len((*rows)[0]))
	for i, r := range *rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString(row)
		args = append(args, r...)
	}
	if _, err := t.tx.exec(ctx, q.String(), args...); err != nil {
		return t.db.translate(op, err)
	}
	*rows = nil
	return nil
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
	if err := t.insertRows(ctx, "create opinion", insertOpinionsHead, &t.pending.opinions); err != nil {
		return err
	}
	if err := t.insertRows(ctx, "record processed messages", `INSERT INTO processed_messages (dedup_key, reply, created_at) VALUES `, &t.pending.processed); err != nil {
		return err
	}
	return t.insertRows(ctx, "add opinion events", `INSERT INTO opinion_events (opinion_id, kind, actor_id, note, at) VALUES `, &t.pending.events)
}

// beforeRead flushes the deferred rows when a read inside the batch would
// otherwise miss some of the batch's own writes: when match reports a
// pending row of the given kind (events) it would read.
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

func pendingEvents(d *deferred) [][]any { return d.events }
