package cost

import (
	"context"
	"database/sql"
	"syscall"
	"testing"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"minqing/storage/state/statetest"
	"minqing/storage/storagetest"
)

func TestParseStat(t *testing.T) {
	tests := []struct {
		name, line string
		want       time.Duration
		wantErr    bool
	}{
		{"plain", "1234 (minqing) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 37 0 0 20 0 9 0 100 1000 200", 287 * clockTick, false},
		{"name with spaces and parens", "77 (a b) (c)) R 1 77 77 0 -1 0 0 0 0 0 5 6 0 0 20 0 1 0 1 1 1", 11 * clockTick, false},
		{"no name", "77 a R 1", 0, true},
		{"short", "77 (x) R 1 2 3", 0, true},
		{"not a number", "1 (x) S 1 1 1 0 -1 0 0 0 0 0 u 6 0 0", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseStat(tt.line)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("parseStat = %v, %v; want %v, error %v", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseProc(t *testing.T) {
	tests := []struct {
		in      string
		want    Proc
		wantErr bool
	}{
		{"minqing=1234", Proc{Name: "minqing", PID: 1234}, false},
		{"mariadbd=mariadbd", Proc{Name: "mariadbd", Comm: "mariadbd"}, false},
		{"redis=redis-server", Proc{Name: "redis", Comm: "redis-server"}, false},
		{"x=0", Proc{}, true},
		{"=1", Proc{}, true},
		{"noequals", Proc{}, true},
	}
	for _, tt := range tests {
		got, err := ParseProc(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseProc(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseProc(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestInfoField(t *testing.T) {
	info := "# Stats\r\ntotal_connections_received:12\r\ntotal_commands_processed:98765\r\ninstantaneous_ops_per_sec:3\r\n"
	if n, err := InfoField(info, "total_commands_processed"); err != nil || n != 98765 {
		t.Errorf("InfoField = %d, %v; want 98765", n, err)
	}
	if _, err := InfoField(info, "missing"); err == nil {
		t.Error("InfoField(missing): no error")
	}
}

func TestDiff(t *testing.T) {
	a := Sample{
		Status:        map[string]int64{"Questions": 100, "Com_insert": 10, "Com_select": 5, "Com_show_status": 7, "Com_begin": 3},
		RedisCommands: 1000,
		CPU:           map[string]time.Duration{"minqing": time.Second, "loadgen": 0},
	}
	b := Sample{
		Status:        map[string]int64{"Questions": 141, "Com_insert": 30, "Com_select": 5, "Com_show_status": 8, "Com_begin": 13},
		RedisCommands: 1051,
		CPU:           map[string]time.Duration{"minqing": 3 * time.Second, "loadgen": 500 * time.Millisecond},
		PeakRSS:       map[string]int64{"minqing": 40 << 20},
	}
	want := PerMessage{
		Messages:      10,
		Statements:    4, // 41 less the sampler's own SHOW STATUS
		Com:           map[string]float64{"insert": 2, "begin": 1},
		RedisCommands: 5, // 51 less the sampler's INFO
		CPU:           map[string]float64{"minqing": 200000, "loadgen": 50000},
		PeakRSS:       map[string]int64{"minqing": 40 << 20},
	}
	got := Diff(a, b, 10)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Diff mismatch (-want +got):\n%s", diff)
	}
	if s := got.String(); s != "stmts/msg 4.00  redis cmds/msg 5.00  cpu µs/msg loadgen 50000 minqing 200000" {
		t.Errorf("String() = %q", s)
	}
	if s := got.ComString(1); s != "insert 2.00" {
		t.Errorf("ComString(1) = %q", s)
	}
	// Without a database or Redis the figures say so.
	none := Diff(Sample{RedisCommands: -1}, Sample{RedisCommands: -1}, 3)
	if none.Statements != -1 || none.RedisCommands != -1 {
		t.Errorf("Diff without counters = %+v", none)
	}
}

// cpuTime is the CPU this process has used, as the kernel accounts it.
func cpuTime(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// spin burns d of this process's CPU time (not of wall time: on a busy
// machine the two differ), and returns how much it really burnt.
func spin(tb testing.TB, d time.Duration) time.Duration {
	start := cpuTime(tb)
	x := 0
	for cpuTime(tb)-start < d {
		for range 100_000 {
			x++
		}
	}
	_ = x
	return cpuTime(tb) - start
}

func TestSelfCPU(t *testing.T) {
	s := &Sampler{Procs: []Proc{{Name: "self"}}}
	ctx := context.Background()
	a, err := s.Take(ctx)
	if err != nil {
		t.Fatal(err)
	}
	burnt := spin(t, 200*time.Millisecond)
	b, err := s.Take(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pm := Diff(a, b, 1)
	// /proc counts in clock ticks (10 ms): allow a few ticks either way.
	if got, want := pm.CPU["self"], float64(burnt.Microseconds()); got < want-50_000 || got > want*2+50_000 {
		t.Errorf("CPU of %v spinning = %.0f µs", burnt, got)
	}
	if pm.PeakRSS["self"] <= 0 {
		t.Errorf("PeakRSS = %v", pm.PeakRSS)
	}
	if _, err := (&Sampler{Procs: []Proc{{Name: "x", Comm: "no-such-process-name"}}}).Take(ctx); err == nil {
		t.Error("Take with a missing command name: no error")
	}
}

// TestServers counts statements and commands on the test MySQL and Redis.
// They are server-wide counters: others may add to them, never subtract.
func TestServers(t *testing.T) {
	ctx := context.Background()
	t.Run("mysql", func(t *testing.T) {
		db, err := sql.Open("mysql", storagetest.RequireOrSkip(t, storagetest.MySQLEnv))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		pm := costOf10(t, &Sampler{DB: db}, func() error {
			_, err := db.ExecContext(ctx, "DO 1")
			return err
		})
		if pm.Statements < 1 || pm.Com["do"] < 1 {
			t.Errorf("10 DO statements: %.2f statements/msg, Com %v", pm.Statements, pm.Com)
		}
	})
	t.Run("redis", func(t *testing.T) {
		opt, err := redis.ParseURL(statetest.RedisURL(t))
		if err != nil {
			t.Fatal(err)
		}
		rdb := redis.NewClient(opt)
		defer rdb.Close()
		pm := costOf10(t, &Sampler{Redis: rdb}, func() error { return rdb.Ping(ctx).Err() })
		if pm.RedisCommands < 1 {
			t.Errorf("10 PINGs: %.2f commands/msg", pm.RedisCommands)
		}
	})
}

// costOf10 samples s before and after ten runs of do and returns the cost
// of one run.
func costOf10(t *testing.T, s *Sampler, do func() error) PerMessage {
	t.Helper()
	a, err := s.Take(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		if err := do(); err != nil {
			t.Fatal(err)
		}
	}
	b, err := s.Take(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return Diff(a, b, 10)
}
