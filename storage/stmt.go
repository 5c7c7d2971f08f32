package storage

import (
	"context"
	"database/sql"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
)

// stmtTx is a transaction that counts the statements run through it, for
// DB.Statements: what a message costs the database is a number tests and
// benchmarks can hold the code to.
type stmtTx struct {
	*sqlx.Tx
	n *atomic.Int64
}

func (s stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s.n.Add(1)
	return s.Tx.ExecContext(ctx, query, args...)
}

func (s stmtTx) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	s.n.Add(1)
	return s.Tx.GetContext(ctx, dest, query, args...)
}

func (s stmtTx) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	s.n.Add(1)
	return s.Tx.SelectContext(ctx, dest, query, args...)
}

// Statements returns how many statements Updates have run since Open, not
// counting BEGIN and COMMIT. A batch of the group commit counts its shared
// multi-row INSERTs once.
func (d *DB) Statements() int64 { return d.statements.Load() }
