// Package storage keeps minqing's durable data in MySQL (production, or a
// MySQL-compatible engine such as TiDB) or in an embedded SQLite file (the
// default for trying it out and for a small school). It implements
// bot.Store; SQL is written by hand, one dialect-neutral statement where
// possible and a per-dialect one where not.
package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/jmoiron/sqlx"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"minqing/bot"
)

// Dialect is the SQL dialect of the database.
type Dialect string

// The supported dialects.
const (
	MySQL  Dialect = "mysql"
	SQLite Dialect = "sqlite"
)

// SQLiteFile is the name of the embedded database in the data directory.
const SQLiteFile = "minqing.db"

//go:embed migrations
var migrations embed.FS

// Options says which database to open.
type Options struct {
	// MySQLDSN selects MySQL; empty selects SQLite under DataDir.
	MySQLDSN string
	DataDir  string
	// MaxOpenConns caps the MySQL pool (default 50).
	MaxOpenConns int
	// Committers is how many group commits may run at once (default 1:
	// while it commits, the next batch collects; on MariaDB two gave the
	// same throughput with batches half as large); negative turns group
	// commit off.
	Committers int
	Logger     *slog.Logger
	// Now is the clock for created/updated times; time.Now by default.
	Now func() time.Time
}

// DB is the database. It is safe for concurrent use.
type DB struct {
	db      *sqlx.DB
	dialect Dialect
	log     *slog.Logger
	now     func() time.Time
	// Group commit (batch.go): queued Updates and their committers.
	reqs       chan *updateReq
	stop       chan struct{}
	committers sync.WaitGroup
	// closeMu orders Update's queueing against Close: Close takes it
	// exclusively to set closed, after which nothing is queued.
	closeMu sync.RWMutex
	closed  bool
	stats   batchCounters
	// statements counts the statements of Updates (stmt.go).
	statements atomic.Int64
	// transactions counts the transactions Updates began.
	transactions atomic.Int64
	// Location is where the data lives, for the start-up log: a file path
	// or a MySQL address (never with a password).
	Location string
}

var _ bot.Store = (*DB)(nil)

// Open connects to the database and checks that it answers. It does not
// migrate: call Migrate (the service does at start-up).
func Open(ctx context.Context, o Options) (*DB, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	d := &DB{log: o.Logger, now: o.Now}
	var err error
	if o.MySQLDSN != "" {
		err = d.openMySQL(o)
	} else {
		err = d.openSQLite(o)
	}
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := d.db.PingContext(pctx); err != nil {
		d.db.Close()
		return nil, fmt.Errorf("storage: cannot reach the %s database at %s: %w", d.dialect, d.Location, err)
	}
	committers := o.Committers
	if committers == 0 {
		committers = 1
	}
	if committers > 0 {
		d.startCommitters(committers)
	}
	return d, nil
}

func (d *DB) openMySQL(o Options) error {
	cfg, err := mysql.ParseDSN(o.MySQLDSN)
	if err != nil {
		return fmt.Errorf("storage: MySQL DSN: %w", err)
	}
	// The service's invariants, whatever the DSN says: UTC times parsed into
	// time.Time, utf8mb4 (WeChat text has emoji), bounded waits.
	cfg.ParseTime = true
	// Placeholders are interpolated client-side (safely, by the driver):
	// one round trip per statement instead of prepare, execute and close.
	cfg.InterpolateParams = true
	// UPDATE reports the rows it matched, not only those it changed.
	cfg.ClientFoundRows = true
	cfg.Loc = time.UTC
	cfg.Collation = "utf8mb4_unicode_ci"
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	cfg.Params["time_zone"] = "'+00:00'"
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = 30 * time.Second
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	// The driver's own messages ("[mysql] … closing bad idle connection")
	// go to the service's log, not in plain text to the standard error.
	cfg.Logger = driverLogger{o.Logger}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return fmt.Errorf("storage: MySQL DSN: %w", err)
	}
	db := sql.OpenDB(connector)
	maxOpen := o.MaxOpenConns
	if maxOpen <= 0 {
		maxOpen = 50
	}
	db.SetMaxOpenConns(maxOpen)
	db.SetMaxIdleConns(maxOpen)
	db.SetConnMaxLifetime(5 * time.Minute)
	db.SetConnMaxIdleTime(time.Minute)
	d.db = sqlx.NewDb(db, "mysql")
	d.dialect = MySQL
	d.Location = fmt.Sprintf("mysql://%s/%s", cfg.Addr, cfg.DBName)
	return nil
}

func (d *DB) openSQLite(o Options) error {
	dir := o.DataDir
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("storage: create data directory: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dir, SQLiteFile))
	if err != nil {
		return fmt.Errorf("storage: data directory: %w", err)
	}
	// The file holds staff names and sealed receipts: owner only. SQLite
	// gives its -wal and -shm files the mode of the database file.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("storage: create SQLite file: %w", err)
	}
	f.Close()
	if err := os.Chmod(path, 0o600); err != nil {
		return fmt.Errorf("storage: SQLite file mode: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("storage: open SQLite: %w", err)
	}
	// SQLite has one writer at a time; a few connections let readers run
	// beside it in WAL mode, and immediate transactions queue writers on
	// the busy timeout instead of failing on lock upgrades.
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	d.db = sqlx.NewDb(db, "sqlite")
	d.dialect = SQLite
	d.Location = path
	return nil
}

// Dialect returns the SQL dialect.
func (d *DB) Dialect() Dialect { return d.dialect }

// Close waits for the Updates in progress and closes the database.
func (d *DB) Close() error {
	d.closeMu.Lock()
	already := d.closed
	d.closed = true
	d.closeMu.Unlock()
	if already {
		return nil
	}
	d.stopCommitters()
	return d.db.Close()
}

// Ping reports whether the database answers.
func (d *DB) Ping(ctx context.Context) error {
	if err := d.db.PingContext(ctx); err != nil {
		return fmt.Errorf("storage: ping: %w: %w", bot.ErrUnavailable, err)
	}
	return nil
}

// SQL gives tests and tools read access to the underlying database.
func (d *DB) SQL() *sqlx.DB { return d.db }

func (d *DB) provider() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(d.dialect))
	if err != nil {
		return nil, fmt.Errorf("storage: migrations: %w", err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	dialect := goose.DialectSQLite3
	if d.dialect == MySQL {
		dialect = goose.DialectMySQL
		// Two instances starting together must not both migrate.
		locker, err := lock.NewMySQLTableLocker()
		if err != nil {
			return nil, fmt.Errorf("storage: migration lock: %w", err)
		}
		opts = append(opts, goose.WithLocker(locker))
	}
	p, err := goose.NewProvider(dialect, d.db.DB, sub, opts...)
	if err != nil {
		return nil, fmt.Errorf("storage: migrations: %w", err)
	}
	return p, nil
}

// SchemaVersion returns the database's schema version and the newest
// version this build knows.
func (d *DB) SchemaVersion(ctx context.Context) (current, known int64, err error) {
	p, err := d.provider()
	if err != nil {
		return 0, 0, err
	}
	srcs := p.ListSources()
	known = srcs[len(srcs)-1].Version
	current, err = p.GetDBVersion(ctx)
	if err != nil {
		return 0, known, fmt.Errorf("storage: schema version: %w", err)
	}
	return current, known, nil
}

// ErrSchemaTooNew means the database was migrated by a newer minqing.
var ErrSchemaTooNew = errors.New("the database schema is newer than this minqing knows")

// Migrate brings the schema up to date. It refuses (ErrSchemaTooNew) a
// database whose schema is newer than this build knows, so that an old
// binary never writes into a schema it does not understand.
func (d *DB) Migrate(ctx context.Context) (applied []int64, err error) {
	current, known, err := d.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if current > known {
		return nil, fmt.Errorf("storage: %w: database is at version %d, this build knows up to %d; run a newer minqing", ErrSchemaTooNew, current, known)
	}
	p, err := d.provider()
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	for _, r := range res {
		if r.Error == nil {
			applied = append(applied, r.Source.Version)
		}
	}
	if err != nil {
		return applied, fmt.Errorf("storage: migrate: %w", err)
	}
	if len(applied) > 0 {
		d.log.Info("schema_migrated", "dialect", string(d.dialect), "from_version", current, "to_version", known)
	}
	return applied, nil
}

// tx implements bot.Tx over one SQL transaction, which in a group commit
// (see batch.go) holds several functions' work.
type tx struct {
	tx *stmtTx
	db *DB
	// batchCtx, in a group commit, replaces the callers' contexts: one
	// caller's cancellation must not break the others' transaction.
	batchCtx context.Context
	// pending, in a group commit, collects append-only rows for one
	// INSERT per table at the end of the batch (batch.go).
	pending *deferred
}

var _ bot.Tx = (*tx)(nil)

// ctx returns the context for a statement of the caller whose context is c.
func (t *tx) ctx(c context.Context) context.Context {
	if t.batchCtx != nil {
		return t.batchCtx
	}
	return c
}

// retryable reports whether a transaction failed only because of
// concurrency and may succeed if run again.
func retryable(err error) bool {
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 // deadlock found when trying to get lock
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		code := se.Code() & 0xff
		return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
	}
	return false
}

// translate turns driver errors into the domain's: a missing row into
// bot.ErrNotFound, a duplicate key into bot.ErrConflict, an unreachable
// server into bot.ErrUnavailable. The driver error stays in the chain, but
// its text never carries a value (see scrub): MySQL's "Duplicate entry
// 'o…'" would put an openid in the log.
func (d *DB) translate(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("storage: %s: %w", op, bot.ErrNotFound)
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) && me.Number == 1062 {
		return scrub(fmt.Errorf("storage: %s: %w: %w", op, bot.ErrConflict, err))
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("storage: %s: %w: %w", op, bot.ErrConflict, err)
		}
	}
	var ne net.Error
	if errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) {
		return scrub(fmt.Errorf("storage: %s: %w: %w", op, bot.ErrUnavailable, err))
	}
	return scrub(fmt.Errorf("storage: %s: %w", op, err))
}

// insert runs an INSERT of one row and sets *id to the ID the database
// gave it; on an error *id is left as it was.
func (t *tx) insert(ctx context.Context, id *int64, op, query string, args ...any) error {
	res, err := t.tx.ExecContext(t.ctx(ctx), query, args...)
	if err != nil {
		return t.db.translate(op, err)
	}
	n, err := res.LastInsertId()
	if err != nil {
		return t.db.translate(op, err)
	}
	*id = n
	return nil
}

// mustAffect translates the result of an UPDATE or DELETE that must touch a
// row: none is bot.ErrNotFound.
func (d *DB) mustAffect(op string, res sql.Result, err error) error {
	if err != nil {
		return d.translate(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return d.translate(op, err)
	}
	if n == 0 {
		return fmt.Errorf("storage: %s: %w", op, bot.ErrNotFound)
	}
	return nil
}
