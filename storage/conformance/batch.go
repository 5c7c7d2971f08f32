package conformance

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
	"minqing/storage"
	"minqing/storage/storagetest"
)

var batchTests = []test{
	{"GroupCommitBatchesForm", []string{"Update"}, testBatchesForm},
	{"GroupCommitFallback", []string{"Update"}, testBatchFallback},
	{"GroupCommitReadYourWrites", []string{"Update"}, testBatchReadYourWrites},
	{"GroupCommitKeyTwice", []string{"Update", "RecordProcessed"}, testBatchKeyTwice},
	{"OpinionsUnderGroupCommit", []string{"Update"}, testOpinionsUnderGroupCommit},
	{"GroupCommitOpinionsInOneInsert", []string{"Update", "CreateOpinion"}, testBatchOpinionsInOneInsert},
	{"GroupCommitDuplicateCode", []string{"Update", "CreateOpinion"}, testBatchDuplicateCode},
	{"GroupCommitNothingWritten", []string{"Update"}, testBatchNothingWritten},
}

// fileWithID returns a function that files an opinion under the ID and
// code given, with its event and the message key, as the bot does.
func (e *env) fileWithID(school bot.OrgUnit, id int64, code, key string) func(tx bot.Tx) error {
	return func(tx bot.Tx) error {
		o := opinion(school, code, 0)
		o.ID = id
		o, err := tx.CreateOpinion(e.ctx, o)
		if err != nil {
			return err
		}
		if err := tx.AddOpinionEvent(e.ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: "received", At: now}); err != nil {
			return err
		}
		return tx.RecordProcessed(e.ctx, key, []byte(code), now)
	}
}

// Opinions whose IDs the caller chose are written with the batch's
// multi-row INSERTs: a batch costs at most three statements (opinions,
// processed records, events) however many opinions it files.
func testBatchOpinionsInOneInsert(t *testing.T, e *env) {
	db, school := e.oneCommitter()
	var fns []func(bot.Tx) error
	for i := range 30 {
		fns = append(fns, e.fileWithID(school, int64(1<<41+i), fmt.Sprintf("B%03d", i), fmt.Sprintf("k-%d", i)))
	}
	before := db.Statements()
	errs, stats := e.queuedOn(db, fns)
	statements := db.Statements() - before
	for i, err := range errs {
		wantErr(t, fmt.Sprintf("Update %d", i), err, nil)
	}
	t.Logf("group commit %+v: %d statements for %d opinions", stats, statements, len(fns))
	if stats.Fallbacks != 0 || stats.Batches >= stats.Updates {
		t.Errorf("group commit %+v; want batches, no fallback", stats)
	}
	if max := 3 * stats.Batches; statements > max {
		t.Errorf("%d statements in %d batches, want at most %d (three multi-row INSERTs a batch)", statements, stats.Batches, max)
	}
	wantFiled(t, db, 30)
}

// Two opinions of one batch drew the same receipt code: the batch's INSERT
// fails, the batch falls back to one transaction per function, and the
// second filer gets ErrConflict (bot.CreateWithCode then draws another
// code) while everything else commits.
func testBatchDuplicateCode(t *testing.T, e *env) {
	db, school := e.oneCommitter()
	var fns []func(bot.Tx) error
	for i := range 8 {
		code := fmt.Sprintf("D%03d", i)
		if i == 5 {
			code = "D002"
		}
		fns = append(fns, e.fileWithID(school, int64(1<<42+i), code, fmt.Sprintf("k-%d", i)))
	}
	errs, stats := e.queuedOn(db, fns)
	conflicts := 0
	for i, err := range errs {
		if errors.Is(err, bot.ErrConflict) && (i == 2 || i == 5) {
			conflicts++
			continue
		}
		wantErr(t, fmt.Sprintf("Update %d", i), err, nil)
	}
	if conflicts != 1 {
		t.Errorf("%d of the two filers of one code got ErrConflict, want 1: %v", conflicts, errs)
	}
	if stats.Fallbacks == 0 {
		t.Errorf("group commit %+v; want a fallback", stats)
	}
	wantFiled(t, db, 7)
}

// A function that only reads has written nothing (the bot then records
// its reply in the state store only), and a batch of such functions runs
// no statement but their reads; a write is seen as one, deferred or not.
func testBatchNothingWritten(t *testing.T, e *env) {
	db, school := e.oneCommitter()
	type wroter interface{ Wrote() bool }
	var fns []func(bot.Tx) error
	for i := range 10 {
		fns = append(fns, func(tx bot.Tx) error {
			w, ok := tx.(wroter)
			if !ok {
				return errors.New("the transaction does not say whether it wrote")
			}
			if w.Wrote() {
				return errors.New("wrote before writing")
			}
			if i%2 == 0 {
				return nil
			}
			if _, err := tx.UnitByCode(e.ctx, school.Code); err != nil {
				return err
			}
			if w.Wrote() {
				return errors.New("a read counted as a write")
			}
			if i == 9 {
				if err := tx.RecordProcessed(e.ctx, "k-read", nil, now); err != nil {
					return err
				}
				if !w.Wrote() {
					return errors.New("a deferred write not counted")
				}
			}
			return nil
		})
	}
	before := db.Statements()
	errs, stats := e.queuedOn(db, fns)
	statements := db.Statements() - before
	for i, err := range errs {
		wantErr(t, fmt.Sprintf("Update %d", i), err, nil)
	}
	if want := int64(5 + stats.Batches); statements > want {
		t.Errorf("%d statements, want at most %d (five reads and one INSERT a batch)", statements, want)
	}
	if n := storagetest.CountRows(t, db, "processed_messages"); n != 1 {
		t.Errorf("processed_messages: %d rows, want 1", n)
	}
}

// queuedOn runs fns as concurrent Updates on db, which must have one
// committer, queued while the committer is held by another Update, so that
// they meet in the queue and are committed in batches. It returns each
// function's error and the group-commit counters of the run.
func (e *env) queuedOn(db *storage.DB, fns []func(tx bot.Tx) error) ([]error, storage.BatchStats) {
	e.t.Helper()
	before := db.BatchStats()
	held, release := make(chan struct{}, 1), make(chan struct{})
	holder := make(chan error, 1)
	go func() {
		holder <- db.Update(e.ctx, func(bot.Tx) error {
			select {
			case held <- struct{}{}:
			default: // run again (a retry): already said
			}
			<-release
			return nil
		})
	}()
	<-held
	var launched, done sync.WaitGroup
	errs := make([]error, len(fns))
	for i, fn := range fns {
		launched.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			launched.Done()
			errs[i] = db.Update(e.ctx, fn)
		}()
	}
	launched.Wait()
	time.Sleep(50 * time.Millisecond) // for the goroutines to reach the queue
	close(release)
	done.Wait()
	if err := <-holder; err != nil {
		e.t.Fatalf("holding Update: %v", err)
	}
	after := db.BatchStats()
	return errs, storage.BatchStats{
		Batches: after.Batches - before.Batches - 1, Updates: after.Updates - before.Updates - 1,
		Fallbacks: after.Fallbacks - before.Fallbacks,
	}
}

// staffNames returns the names of school's staff, sorted.
func staffNames(t *testing.T, db *storage.DB, school bot.OrgUnit) []string {
	t.Helper()
	var names []string
	err := db.Update(t.Context(), func(tx bot.Tx) error {
		staff, err := tx.Staff(t.Context(), school.ID, true)
		names = names[:0]
		for _, p := range staff {
			names = append(names, p.Name)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	return names
}

// hire returns a function that creates a person named name in school and
// records the message key.
func (e *env) hire(school bot.OrgUnit, name, key string) func(tx bot.Tx) error {
	return func(tx bot.Tx) error {
		if _, err := tx.CreatePerson(e.ctx, bot.Person{SchoolID: school.ID, Name: name, Active: true}); err != nil {
			return err
		}
		return tx.RecordProcessed(e.ctx, key, []byte(name), now)
	}
}

// hires returns n functions, the i-th hiring pNN (NN = i) in school with
// the message key k-pNN, and the names.
func (e *env) hires(school bot.OrgUnit, n int) (fns []func(bot.Tx) error, names []string) {
	for i := range n {
		name := fmt.Sprintf("p%02d", i)
		fns = append(fns, e.hire(school, name, "k-"+name))
		names = append(names, name)
	}
	return fns, names
}

// oneCommitter opens a new store with one committer, as queuedOn needs,
// and creates a school on it.
func (e *env) oneCommitter() (*storage.DB, bot.OrgUnit) {
	e.t.Helper()
	db, _ := e.newStore(e.t, storage.Options{Now: func() time.Time { return now }, Committers: 1})
	var s bot.OrgUnit
	err := db.Update(e.ctx, func(tx bot.Tx) error {
		var err error
		s, err = tx.CreateUnit(e.ctx, bot.OrgUnit{Kind: bot.UnitSchool, Name: "一中", Code: "YZ01"})
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return db, s
}

func testBatchesForm(t *testing.T, e *env) {
	db, school := e.oneCommitter()
	fns, want := e.hires(school, 20)
	errs, stats := e.queuedOn(db, fns)
	for i, err := range errs {
		wantErr(t, fmt.Sprintf("Update %d", i), err, nil)
	}
	t.Logf("group commit: %+v", stats)
	if stats.Updates != 20 || stats.Batches >= stats.Updates || stats.Fallbacks != 0 {
		t.Errorf("group commit %+v; want 20 Updates in fewer batches, no fallback", stats)
	}
	if diff := cmp.Diff(want, staffNames(t, db, school)); diff != "" {
		t.Errorf("staff mismatch (-want +got):\n%s", diff)
	}
}

var errBoom = errors.New("boom")

// One function of a batch fails: it gets its own error and leaves nothing,
// the others commit.
func testBatchFallback(t *testing.T, e *env) {
	db, school := e.oneCommitter()
	fns, names := e.hires(school, 10)
	hire := fns[4]
	fns[4] = func(tx bot.Tx) error {
		if err := hire(tx); err != nil {
			return err
		}
		return errBoom
	}
	want := slices.Delete(names, 4, 5)
	errs, stats := e.queuedOn(db, fns)
	for i, err := range errs {
		if i == 4 {
			wantErr(t, "the failing Update", err, errBoom)
			continue
		}
		wantErr(t, fmt.Sprintf("Update %d", i), err, nil)
	}
	if stats.Fallbacks == 0 {
		t.Errorf("group commit %+v; want a fallback", stats)
	}
	if diff := cmp.Diff(want, staffNames(t, db, school)); diff != "" {
		t.Errorf("staff mismatch (-want +got):\n%s", diff)
	}
	if _, err := db.ProcessedReply(e.ctx, "k-p04"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("the failing Update's message key: %v, want ErrNotFound", err)
	}
}

// Within a batch each function reads its own writes — the deferred rows
// (events) included — and those of the functions before it.
func testBatchReadYourWrites(t *testing.T, e *env) {
	db, school := e.oneCommitter()
	var shared bot.Opinion
	if err := db.Update(e.ctx, func(tx bot.Tx) error {
		var err error
		shared, err = tx.CreateOpinion(e.ctx, opinion(school, "SHARED", 0))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	const n = 12
	seen := make([]int, n)
	var fns []func(bot.Tx) error
	for i := range n {
		fns = append(fns, func(tx bot.Tx) error {
			p, err := tx.CreatePerson(e.ctx, bot.Person{SchoolID: school.ID, Name: fmt.Sprintf("p%02d", i), Active: true})
			if err != nil {
				return err
			}
			if got, err := tx.Person(e.ctx, p.ID); err != nil || got.Name != p.Name {
				return fmt.Errorf("own person: %+v, %v", got, err)
			}
			o, err := tx.CreateOpinion(e.ctx, opinion(school, fmt.Sprintf("R-%02d", i), i))
			if err != nil {
				return err
			}
			ev := bot.OpinionEvent{OpinionID: o.ID, Kind: "received", At: now}
			if err := tx.AddOpinionEvent(e.ctx, ev); err != nil {
				return err
			}
			if evs, err := tx.OpinionEvents(e.ctx, o.ID); err != nil || len(evs) != 1 || evs[0].Kind != "received" {
				return fmt.Errorf("own event: %+v, %v", evs, err)
			}
			if err := tx.AddOpinionEvent(e.ctx, bot.OpinionEvent{OpinionID: shared.ID, Kind: "assigned", At: now}); err != nil {
				return err
			}
			evs, err := tx.OpinionEvents(e.ctx, shared.ID)
			if err != nil {
				return err
			}
			seen[i] = len(evs)
			return tx.RecordProcessed(e.ctx, fmt.Sprintf("k-%d", i), nil, now)
		})
	}
	errs, stats := e.queuedOn(db, fns)
	for i, err := range errs {
		wantErr(t, fmt.Sprintf("Update %d", i), err, nil)
	}
	if stats.Batches >= stats.Updates {
		t.Errorf("group commit %+v; want batches", stats)
	}
	// Run one after another, the k-th function sees k events of the
	// shared opinion: its own and those before it.
	slices.Sort(seen)
	want := make([]int, n)
	for i := range want {
		want[i] = i + 1
	}
	if diff := cmp.Diff(want, seen); diff != "" {
		t.Errorf("events each function saw mismatch (-want +got):\n%s", diff)
	}
}

// Two deliveries of one message in one batch: one commits, the other gets
// ErrConflict and leaves nothing; the rest of the batch commits.
func testBatchKeyTwice(t *testing.T, e *env) {
	db, school := e.oneCommitter()
	others, _ := e.hires(school, 4)
	fns := append([]func(bot.Tx) error{e.hire(school, "dup-a", "dup"), e.hire(school, "dup-b", "dup")}, others...)
	errs, stats := e.queuedOn(db, fns)
	var winner string
	switch {
	case errs[0] == nil && errors.Is(errs[1], bot.ErrConflict):
		winner = "dup-a"
	case errs[1] == nil && errors.Is(errs[0], bot.ErrConflict):
		winner = "dup-b"
	default:
		t.Errorf("deliveries of one message: %v, %v; want one success and one ErrConflict", errs[0], errs[1])
	}
	for i, err := range errs[2:] {
		wantErr(t, fmt.Sprintf("Update %d", i+2), err, nil)
	}
	if stats.Fallbacks == 0 {
		t.Errorf("group commit %+v; want a fallback", stats)
	}
	want := []string{winner, "p00", "p01", "p02", "p03"}
	slices.Sort(want)
	if diff := cmp.Diff(want, staffNames(t, db, school)); winner != "" && diff != "" {
		t.Errorf("staff mismatch (-want +got):\n%s", diff)
	}
	reply, err := db.ProcessedReply(e.ctx, "dup")
	if err != nil || string(reply) != winner {
		t.Errorf("ProcessedReply(dup) = %q, %v; want the winner's", reply, err)
	}
}

// Many concurrent Updates, each filing an opinion under an ID of its own
// choosing (as bot.CreateWithCode does) with its event and reading its own
// event back: the group commit keeps every write and lets each function
// read its own.
func testOpinionsUnderGroupCommit(t *testing.T, e *env) {
	school := e.school("测试学校", "TEST")
	now := time.Now().UTC().Truncate(time.Second)
	errs := e.concurrently(40, func(tx bot.Tx, i int) error {
		o, err := tx.CreateOpinion(e.ctx, bot.Opinion{ID: int64(1<<40 + i*7919), SchoolID: school.ID, Code: fmt.Sprintf("AAAA-%04d", i), Category: "other",
			Text: "测试意见 😀", TextHash: "h", Source: bot.SourceText, Anonymous: true, Status: bot.StatusReceived, Created: now, Updated: now})
		if err != nil {
			return err
		}
		if err := tx.AddOpinionEvent(e.ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: "received", At: now}); err != nil {
			return err
		}
		if o.ID != int64(1<<40+i*7919) {
			return fmt.Errorf("opinion ID %d, want the one given", o.ID)
		}
		evs, err := tx.OpinionEvents(e.ctx, o.ID)
		if err != nil {
			return err
		}
		if len(evs) != 1 {
			return errors.New("the function does not see its own event")
		}
		return tx.RecordProcessed(e.ctx, fmt.Sprintf("key-%d", i), nil, now)
	})
	for i, err := range errs {
		if err != nil {
			t.Errorf("update %d: %v", i, err)
		}
	}
	wantFiled(t, e.db, 40)
	var text string
	if err := e.db.SQL().Get(&text, `SELECT text FROM opinions WHERE code = 'AAAA-0001'`); err != nil || text != "测试意见 😀" {
		t.Errorf("text = %q, %v (utf8mb4?)", text, err)
	}
}

// wantFiled fails the test unless db holds n opinions, n events and n
// message keys: n filings, each with its event and key.
func wantFiled(t *testing.T, db *storage.DB, n int) {
	t.Helper()
	for _, table := range []string{"opinions", "opinion_events", "processed_messages"} {
		if got := storagetest.CountRows(t, db, table); got != n {
			t.Errorf("%s: %d rows, want %d", table, got, n)
		}
	}
}
