package storage_test

import (
	"testing"

	"minqing/storage/conformance"
	"minqing/storage/storagetest"
)

// TestConformance runs the storage conformance suite on SQLite, and on MySQL
// when MINQING_TEST_MYSQL_DSN is set (with CI=true, a missing one fails).
func TestConformance(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) { conformance.Run(t, storagetest.SQLiteWith) })
	t.Run("mysql", func(t *testing.T) {
		storagetest.RequireOrSkip(t, storagetest.MySQLEnv)
		conformance.Run(t, storagetest.MySQLWith)
	})
}
