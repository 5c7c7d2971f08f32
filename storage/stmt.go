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
//
// It begins lazily, at its first statement: an Update whose function runs
// no statement (a reply with no side effects, whose dedup is the state
// store's claim) costs the database nothing, not even BEGIN and COMMIT.
type stmtTx struct {
	db       *sqlx.DB
	beginCtx context.Context
	tx       *sqlx.Tx
	n        *atomic.Int64
	// txs counts the transactions begun (DB.Transactions).
	txs *atomic.Int64
	// before, in a group commit, runs before every statement: it writes
	// the batch's deferred opinions, which any later statement may read
	// or refer to.
	before func(ctx context.Context, query string) error
	// wrote says the current function wrote something (reset by the
	// group commit before each function).
	wrote bool
}

func (s *stmtTx) begin() error {
	if s.tx != nil {
		return nil
	}
	tx, err := s.db.BeginTxx(s.beginCtx, nil)
	if err != nil {
		return err
	}
	s.tx = tx
	if s.txs != nil {
		s.txs.Add(1)
	}
	return nil
}

func (s *stmtTx) prepare(ctx context.Context, query string) error {
	if s.before != nil {
		if err := s.before(ctx, query); err != nil {
			return err
		}
	}
	return s.begin()
}

func (s *stmtTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := s.prepare(ctx, query); err != nil {
		return nil, err
	}
	s.wrote = true
	return s.exec(ctx, query, args...)
}

// exec runs a statement without the before hook (the hook's own writes).
func (s *stmtTx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := s.begin(); err != nil {
		return nil, err
	}
	s.n.Add(1)
	return s.tx.ExecContext(ctx, query, args...)
}

func (s *stmtTx) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	if err := s.prepare(ctx, query); err != nil {
		return err
	}
	s.n.Add(1)
	return s.tx.GetContext(ctx, dest, query, args...)
}

func (s *stmtTx) SelectContext(ctx context.Context, dest any, query string, args ...any) error {
	if err := s.prepare(ctx, query); err != nil {
		return err
	}
	s.n.Add(1)
	return s.tx.SelectContext(ctx, dest, query, args...)
}

// commit commits the transaction if one began.
func (s *stmtTx) commit() error {
	if s.tx == nil {
		return nil
	}
	return s.tx.Commit()
}

// rollback rolls the transaction back if one began.
func (s *stmtTx) rollback() {
	if s.tx != nil {
		s.tx.Rollback()
	}
}

// Statements returns how many statements Updates have run since Open, not
// counting BEGIN and COMMIT. A batch of the group commit counts its shared
// multi-row INSERTs once.
func (d *DB) Statements() int64 { return d.statements.Load() }

// Transactions returns how many transactions Updates have begun since Open
// (each costs the database a BEGIN and a COMMIT or ROLLBACK besides its
// statements).
func (d *DB) Transactions() int64 { return d.transactions.Load() }
