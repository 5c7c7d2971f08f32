package conformance

import (
	"testing"
	"time"

	"minqing/bot"
)

var processedTests = []test{
	{"ProcessedMessages", []string{"RecordProcessed", "ProcessedReply", "PurgeProcessed", "Update", "Ping"}, testProcessedMessages},
	{"RecordProcessedConcurrent", []string{"RecordProcessed"}, testRecordProcessedConcurrent},
}

func testProcessedMessages(t *testing.T, e *env) {
	wantErr(t, "Ping", e.db.Ping(e.ctx), nil)
	_, err := e.db.ProcessedReply(e.ctx, "k1")
	wantErr(t, "ProcessedReply(missing)", err, bot.ErrNotFound)
	record := func(key, reply string, at time.Time) error {
		return e.update(func(tx bot.Tx) error { return tx.RecordProcessed(e.ctx, key, []byte(reply), at) })
	}
	wantErr(t, "RecordProcessed(k1)", record("k1", `{"text":"你好 😀"}`, now.Add(-25*time.Hour)), nil)
	wantErr(t, "RecordProcessed(k2)", record("k2", "", now), nil)
	wantErr(t, "second RecordProcessed(k1)", record("k1", "other", now), bot.ErrConflict)
	got, err := e.db.ProcessedReply(e.ctx, "k1")
	if err != nil || string(got) != `{"text":"你好 😀"}` {
		t.Fatalf("ProcessedReply = %q, %v", got, err)
	}
	if got, err := e.db.ProcessedReply(e.ctx, "k2"); err != nil || len(got) != 0 {
		t.Fatalf("ProcessedReply(empty) = %q, %v", got, err)
	}
	n, err := e.db.PurgeProcessed(e.ctx, now.Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("PurgeProcessed = %d, %v; want 1", n, err)
	}
	_, err = e.db.ProcessedReply(e.ctx, "k1")
	wantErr(t, "ProcessedReply(purged)", err, bot.ErrNotFound)
}

// Concurrent transactions recording the same key: exactly one commits, the
// others see ErrConflict and roll back their side effects.
func testRecordProcessedConcurrent(t *testing.T, e *env) {
	school := e.school("一中", "YZ01")
	errs := e.concurrently(8, func(tx bot.Tx, _ int) error {
		if _, err := tx.CreatePerson(e.ctx, bot.Person{SchoolID: school.ID, Name: "副作用", Active: true}); err != nil {
			return err
		}
		return tx.RecordProcessed(e.ctx, "same", []byte("r"), now)
	})
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		default:
			wantErr(t, "RecordProcessed(same)", err, bot.ErrConflict)
		}
	}
	if ok != 1 {
		t.Fatalf("%d transactions committed, want 1", ok)
	}
	e.must(func(tx bot.Tx) error {
		staff, err := tx.Staff(e.ctx, school.ID, true)
		if err == nil && len(staff) != 1 {
			t.Errorf("%d people created, want the one of the committed transaction", len(staff))
		}
		return err
	})
}
