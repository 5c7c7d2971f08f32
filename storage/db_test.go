package storage_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"minqing/bot"
	"minqing/storage"
	"minqing/storage/storagetest"
)

func TestMigrateIsIdempotentAndRefusesNewerSchema(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second Migrate = %v, %v; want nothing applied", applied, err)
		}
		cur, known, err := db.SchemaVersion(ctx)
		if err != nil || cur != known {
			t.Fatalf("SchemaVersion = %d, %d, %v; want equal", cur, known, err)
		}
		// A newer minqing migrated this database.
		storagetest.MustExec(t, db, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, TRUE)`, known+1)
		if _, err := db.Migrate(ctx); !errors.Is(err, storage.ErrSchemaTooNew) {
			t.Fatalf("Migrate on a newer schema = %v, want ErrSchemaTooNew", err)
		}
	})
}

func TestProcessedMessages(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
		if _, err := db.ProcessedReply(ctx, "k1"); !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("ProcessedReply(missing) = %v, want ErrNotFound", err)
		}
		record := func(key, reply string, at time.Time) error {
			return db.Update(ctx, func(tx bot.Tx) error { return tx.RecordProcessed(ctx, key, []byte(reply), at) })
		}
		if err := record("k1", `{"text":"你好 😀"}`, now.Add(-25*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := record("k2", "", now); err != nil {
			t.Fatal(err)
		}
		if err := record("k1", "other", now); !errors.Is(err, bot.ErrConflict) {
			t.Fatalf("second RecordProcessed = %v, want ErrConflict", err)
		}
		got, err := db.ProcessedReply(ctx, "k1")
		if err != nil || string(got) != `{"text":"你好 😀"}` {
			t.Fatalf("ProcessedReply = %q, %v", got, err)
		}
		if got, err := db.ProcessedReply(ctx, "k2"); err != nil || len(got) != 0 {
			t.Fatalf("ProcessedReply(empty) = %q, %v", got, err)
		}
		n, err := db.PurgeProcessed(ctx, now.Add(-24*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("PurgeProcessed = %d, %v; want 1", n, err)
		}
		if _, err := db.ProcessedReply(ctx, "k1"); !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("purged key still there: %v", err)
		}
	})
}

// Concurrent transactions recording the same key: exactly one commits, the
// others see ErrConflict and roll back their side effects.
func TestRecordProcessedConcurrent(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.Update(ctx, func(tx bot.Tx) error {
					return tx.RecordProcessed(ctx, "same", []byte("r"), time.Now())
				})
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.Is(err, bot.ErrConflict):
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d transactions committed, want 1", ok)
		}
	})
}

func TestPersonByOpenID(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		storagetest.MustExec(t, db, `INSERT INTO org_units (id, parent_id, kind, name, created_at) VALUES (1, NULL, 'school', '岳阳七中', ?)`, now)
		storagetest.MustExec(t, db, `INSERT INTO people (id, school_id, name, roles, created_at, updated_at) VALUES (7, 1, '李老师', 'teacher,party_member', ?, ?)`, now, now)
		storagetest.MustExec(t, db, `INSERT INTO wechat_bindings (person_id, openid, active, bound_at, updated_at) VALUES (7, 'oStaff7', TRUE, ?, ?)`, now, now)
		err := db.Update(ctx, func(tx bot.Tx) error {
			p, err := tx.PersonByOpenID(ctx, "oStaff7")
			if err != nil {
				return err
			}
			if p.ID != 7 || p.SchoolID != 1 || !p.Has(bot.RolePartyMember) || p.Has(bot.RoleAdmin) {
				t.Errorf("person = %+v", p)
			}
			if _, err := tx.PersonByOpenID(ctx, "oParent"); !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("unbound = %v, want ErrNotFound", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
