// Package storagetest gives tests real databases: an SQLite file in a
// temporary directory always, and a fresh MySQL database when
// MINQING_TEST_MYSQL_DSN is set. Without that variable MySQL tests skip,
// except with CI=true, where they fail: CI must never pass by skipping.
package storagetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"

	"minqing/storage"
)

// MySQLEnv names the variable holding the MySQL server DSN for tests, e.g.
// root@tcp(127.0.0.1:3306)/test. Each test gets its own database on it.
const MySQLEnv = "MINQING_TEST_MYSQL_DSN"

// RequireOrSkip skips tb when the variable env is unset, or fails it when
// running under CI=true.
func RequireOrSkip(tb testing.TB, env string) string {
	tb.Helper()
	v := os.Getenv(env)
	if v == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is not set, and CI=true makes this test mandatory", env)
		}
		tb.Skipf("%s is not set; skipping", env)
	}
	return v
}

// SQLite returns a migrated database in a fresh temporary directory.
func SQLite(tb testing.TB) *storage.DB {
	tb.Helper()
	return open(tb, storage.Options{DataDir: tb.TempDir()})
}

// MySQLDSN creates an empty database on the test server, dropped when the
// test ends, and returns a DSN for it.
func MySQLDSN(tb testing.TB) string {
	tb.Helper()
	dsn := RequireOrSkip(tb, MySQLEnv)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("%s: %v", MySQLEnv, err)
	}
	admin, err := sqlx.Open("mysql", cfg.FormatDSN())
	if err != nil {
		tb.Fatal(err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "minqing_t_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name+" CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"); err != nil {
		tb.Fatalf("create test database: %v", err)
	}
	tb.Cleanup(func() {
		admin, err := sqlx.Open("mysql", cfg.FormatDSN())
		if err != nil {
			tb.Errorf("drop test database: %v", err)
			return
		}
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name); err != nil {
			tb.Errorf("drop test database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

// MySQL returns a migrated database of its own on the test server.
func MySQL(tb testing.TB) *storage.DB {
	tb.Helper()
	return open(tb, storage.Options{MySQLDSN: MySQLDSN(tb)})
}

// SQLiteWith returns a migrated SQLite database in a fresh temporary
// directory, opened with o (DataDir is set here), and a function that opens
// another handle on the same file, as a second instance would.
func SQLiteWith(tb testing.TB, o storage.Options) (*storage.DB, func(testing.TB) *storage.DB) {
	tb.Helper()
	o.DataDir = tb.TempDir()
	return open(tb, o), func(tb testing.TB) *storage.DB { tb.Helper(); return open(tb, o) }
}

// MySQLWith returns a migrated database of its own on the test server,
// opened with o (MySQLDSN is set here), and a function that opens another
// handle on the same database, as a second instance would.
func MySQLWith(tb testing.TB, o storage.Options) (*storage.DB, func(testing.TB) *storage.DB) {
	tb.Helper()
	o.MySQLDSN = MySQLDSN(tb)
	return open(tb, o), func(tb testing.TB) *storage.DB { tb.Helper(); return open(tb, o) }
}

func open(tb testing.TB, o storage.Options) *storage.DB {
	tb.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return db
}

// Backends runs fn once per database backend as subtests named "sqlite" and
// "mysql"; the MySQL one skips (or fails under CI) as MySQL does.
func Backends(t *testing.T, fn func(t *testing.T, db *storage.DB)) {
	t.Helper()
	for _, b := range []struct {
		name string
		open func(testing.TB) *storage.DB
	}{{"sqlite", SQLite}, {"mysql", MySQL}} {
		t.Run(b.name, func(t *testing.T) { fn(t, b.open(t)) })
	}
}

// MustExec runs a statement for test setup, failing the test on error.
func MustExec(tb testing.TB, db *storage.DB, query string, args ...any) {
	tb.Helper()
	if _, err := db.SQL().Exec(query, args...); err != nil {
		tb.Fatalf("%s: %v", query, fmt.Sprint(err))
	}
}

// CountRows returns the number of rows of table in db.
func CountRows(t testing.TB, db *storage.DB, table string) int {
	t.Helper()
	var n int
	if err := db.SQL().Get(&n, "SELECT COUNT(*) FROM "+table); err != nil {
		t.Fatal(err)
	}
	return n
}
