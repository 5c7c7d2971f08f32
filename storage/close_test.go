package storage_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"minqing/bot"
	"minqing/storage"
	"minqing/storage/storagetest"
)

// Close with group-commit Updates queued: every Update returns (none
// hangs), what returned nil is stored, what failed is not; an Update after
// Close fails at once, whatever its context.
func TestCloseWithQueuedUpdates(t *testing.T) {
	for _, b := range []struct {
		name string
		opts func(t *testing.T) storage.Options
	}{
		{"sqlite", func(t *testing.T) storage.Options { return storage.Options{DataDir: t.TempDir()} }},
		{"mysql", func(t *testing.T) storage.Options { return storage.Options{MySQLDSN: storagetest.MySQLDSN(t)} }},
	} {
		t.Run(b.name, func(t *testing.T) {
			o := b.opts(t)
			ctx := context.Background()
			db, err := storage.Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			const n = 300
			errs := make([]error, n)
			var wg sync.WaitGroup
			started := make(chan struct{}, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					started <- struct{}{}
					errs[i] = db.Update(ctx, func(tx bot.Tx) error {
						time.Sleep(time.Millisecond) // keep the queue full
						return tx.RecordProcessed(ctx, fmt.Sprintf("close-%d", i), nil, time.Now())
					})
				}()
			}
			for range n / 2 {
				<-started
			}
			closed := make(chan error, 1)
			go func() { closed <- db.Close() }()
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Updates still blocked 30s after Close")
			}
			if err := <-closed; err != nil {
				t.Fatalf("Close = %v", err)
			}
			ok := map[string]bool{}
			for i, err := range errs {
				switch {
				case err == nil:
					ok[fmt.Sprintf("close-%d", i)] = true
				case !errors.Is(err, storage.ErrClosed) && !errors.Is(err, bot.ErrUnavailable):
					t.Errorf("update %d: %v, want nil or ErrClosed", i, err)
				}
			}
			if len(ok) == 0 {
				t.Errorf("no Update committed before Close")
			}

			// After Close: an error at once, even with no deadline.
			after := make(chan error, 1)
			go func() { after <- db.Update(context.Background(), func(bot.Tx) error { return nil }) }()
			select {
			case err := <-after:
				if !errors.Is(err, storage.ErrClosed) {
					t.Errorf("Update after Close = %v, want ErrClosed", err)
				}
			case <-time.After(time.Second):
				t.Fatal("Update after Close still blocked after 1s")
			}
			if err := db.Close(); err != nil {
				t.Errorf("second Close = %v", err)
			}

			// What returned nil is stored; nothing else is.
			again, err := storage.Open(ctx, o)
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			var keys []string
			if err := again.SQL().Select(&keys, "SELECT dedup_key FROM processed_messages"); err != nil {
				t.Fatal(err)
			}
			stored := map[string]bool{}
			for _, k := range keys {
				stored[k] = true
				if !ok[k] {
					t.Errorf("%s stored although its Update failed", k)
				}
			}
			for k := range ok {
				if !stored[k] {
					t.Errorf("%s not stored although its Update returned nil", k)
				}
			}
			t.Logf("%d of %d committed before Close, %d failed", len(ok), n, n-len(ok))
		})
	}
}

// A duplicate key reaches the caller as bot.ErrConflict, and the error's
// text never carries the duplicated value (MySQL quotes it).
func TestConflictErrorCarriesNoValue(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		const key = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M:12345"
		record := func() error {
			return db.Update(ctx, func(tx bot.Tx) error { return tx.RecordProcessed(ctx, key, nil, time.Now()) })
		}
		if err := record(); err != nil {
			t.Fatal(err)
		}
		err := record()
		if !errors.Is(err, bot.ErrConflict) {
			t.Fatalf("second record = %v, want ErrConflict", err)
		}
		if strings.Contains(err.Error(), "o6_bmjrPTlm6") {
			t.Errorf("error text carries the value: %v", err)
		}
		t.Logf("error: %v", err)
	})
}

// The MySQL driver's own messages go to the service's log as JSON.
func TestMySQLDriverLogsThroughSlog(t *testing.T) {
	dsn := storagetest.MySQLDSN(t)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	proxy := storagetest.NewProxy(t, cfg.Addr)
	cfg.Addr = proxy.Addr()
	var buf syncBuffer
	db, err := storage.Open(context.Background(), storage.Options{MySQLDSN: cfg.FormatDSN(), Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Cut the idle connection under the pool: the driver notices and says so.
	proxy.Cut()
	time.Sleep(50 * time.Millisecond)
	if err := db.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"msg":"mysql_driver"`) {
		t.Errorf("no mysql_driver record in the log: %q", buf.String())
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
