package storage_test

import (
	"context"
	"errors"
	"testing"

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
