// Package cost measures what a load run costs per message, from counters
// that are far steadier than throughput on a shared machine: database
// statements (SHOW GLOBAL STATUS: Questions and the Com_* counters), Redis
// commands (INFO stats: total_commands_processed) and the CPU time of
// named processes (utime+stime from /proc/<pid>/stat), with their peak
// resident memory (VmHWM).
//
// The database and Redis counters are server-wide: anything else using the
// same server during a run is counted too.
package cost

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat: USER_HZ,
// 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// Proc names a process to measure: by PID, or by command name (every
// process whose /proc/<pid>/comm is Comm, summed, e.g. "redis-server" for
// the nodes of a cluster). PID 0 and an empty Comm mean this process.
type Proc struct {
	Name string
	PID  int
	Comm string
}

// ParseProc parses NAME=PID or NAME=COMM ("minqing=1234",
// "mariadbd=mariadbd").
func ParseProc(s string) (Proc, error) {
	name, spec, ok := strings.Cut(s, "=")
	if !ok || name == "" || spec == "" {
		return Proc{}, fmt.Errorf("process %q: want NAME=PID or NAME=COMMAND", s)
	}
	if pid, err := strconv.Atoi(spec); err == nil {
		if pid <= 0 {
			return Proc{}, fmt.Errorf("process %q: bad pid", s)
		}
		return Proc{Name: name, PID: pid}, nil
	}
	return Proc{Name: name, Comm: spec}, nil
}

// Sampler reads the counters.
type Sampler struct {
	// DB, if not nil, is a MySQL/MariaDB connection for SHOW GLOBAL STATUS.
	DB *sql.DB
	// Redis, if not nil, is asked INFO stats.
	Redis *redis.Client
	// Procs are the processes whose CPU time is read.
	Procs []Proc
}

// Sample is the counters at one moment.
type Sample struct {
	At     time.Time
	Status map[string]int64 // Questions and Com_*; nil without DB
	// RedisCommands is total_commands_processed; -1 without Redis.
	RedisCommands int64
	CPU           map[string]time.Duration // by Proc.Name
	PeakRSS       map[string]int64         // bytes, by Proc.Name
}

// Take reads every counter once.
func (s *Sampler) Take(ctx context.Context) (Sample, error) {
	out := Sample{At: time.Now(), RedisCommands: -1, CPU: map[string]time.Duration{}, PeakRSS: map[string]int64{}}
	if s.DB != nil {
		st, err := globalStatus(ctx, s.DB)
		if err != nil {
			return out, err
		}
		out.Status = st
	}
	if s.Redis != nil {
		info, err := s.Redis.Info(ctx, "stats").Result()
		if err != nil {
			return out, fmt.Errorf("redis INFO stats: %w", err)
		}
		n, err := InfoField(info, "total_commands_processed")
		if err != nil {
			return out, err
		}
		out.RedisCommands = n
	}
	for _, p := range s.Procs {
		pids, err := p.pids()
		if err != nil {
			return out, err
		}
		for _, pid := range pids {
			cpu, err := ProcCPU(pid)
			if err != nil {
				if p.Comm != "" && errors.Is(err, os.ErrNotExist) {
					continue // exited between the listing and the read
				}
				return out, err
			}
			out.CPU[p.Name] += cpu
			if rss, err := ProcPeakRSS(pid); err == nil {
				out.PeakRSS[p.Name] += rss
			}
		}
	}
	return out, nil
}

func (p Proc) pids() ([]int, error) {
	switch {
	case p.PID > 0:
		return []int{p.PID}, nil
	case p.Comm == "":
		return []int{os.Getpid()}, nil
	}
	dirs, err := filepath.Glob("/proc/[0-9]*/comm")
	if err != nil {
		return nil, err
	}
	var pids []int
	for _, d := range dirs {
		b, err := os.ReadFile(d)
		if err != nil || strings.TrimSpace(string(b)) != p.Comm {
			continue
		}
		if pid, err := strconv.Atoi(filepath.Base(filepath.Dir(d))); err == nil {
			pids = append(pids, pid)
		}
	}
	if len(pids) == 0 {
		return nil, fmt.Errorf("no process named %q", p.Comm)
	}
	return pids, nil
}

func globalStatus(ctx context.Context, db *sql.DB) (map[string]int64, error) {
	rows, err := db.QueryContext(ctx, "SHOW GLOBAL STATUS WHERE Variable_name = 'Questions' OR Variable_name LIKE 'Com\\_%'")
	if err != nil {
		return nil, fmt.Errorf("SHOW GLOBAL STATUS: %w", err)
	}
	defer rows.Close()
	st := map[string]int64{}
	for rows.Next() {
		var name, value string
		if err := rows.Scan(&name, &value); err != nil {
			return nil, fmt.Errorf("SHOW GLOBAL STATUS: %w", err)
		}
		if n, err := strconv.ParseInt(value, 10, 64); err == nil {
			st[name] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("SHOW GLOBAL STATUS: %w", err)
	}
	if _, ok := st["Questions"]; !ok {
		return nil, errors.New("SHOW GLOBAL STATUS: no Questions counter")
	}
	return st, nil
}

// InfoField returns the integer field name of a Redis INFO answer.
func InfoField(info, name string) (int64, error) {
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if ok && k == name {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("redis INFO %s: %w", name, err)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("redis INFO: no %s", name)
}

// ProcCPU returns the user and system CPU time process pid has used, all
// its threads included.
func ProcCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStat(string(b))
}

// parseStat reads utime and stime (fields 14 and 15) of a /proc/<pid>/stat
// line. The command name (field 2) is in parentheses and may hold spaces
// and parentheses: fields are counted after its last ')'.
func parseStat(line string) (time.Duration, error) {
	i := strings.LastIndexByte(line, ')')
	if i < 0 {
		return 0, errors.New("proc stat: no command name")
	}
	f := strings.Fields(line[i+1:])
	// f[0] is field 3 (state): utime is field 14, f[11].
	if len(f) < 13 {
		return 0, errors.New("proc stat: too few fields")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, fmt.Errorf("proc stat: %w", err)
	}
	return time.Duration(utime+stime) * clockTick, nil
}

// ProcPeakRSS returns the peak resident set size (VmHWM) of pid in bytes.
func ProcPeakRSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("proc status VmHWM: %w", err)
			}
			return kb * 1024, nil
		}
	}
	return 0, errors.New("proc status: no VmHWM")
}

// PerMessage is the cost of the messages between two samples.
type PerMessage struct {
	Messages int64 `json:"messages"`
	// Statements is the Questions delta per message: statements the
	// clients sent (prepares and closes not counted); -1 without a DB.
	Statements float64 `json:"statements"`
	// Com holds the non-zero Com_* deltas per message ("insert",
	// "select", "begin", "commit", "stmt_execute", …).
	Com map[string]float64 `json:"com,omitempty"`
	// RedisCommands per message; -1 without Redis.
	RedisCommands float64 `json:"redis_commands"`
	// CPU is CPU microseconds per message, by process name.
	CPU map[string]float64 `json:"cpu_us"`
	// PeakRSS is each process's peak resident memory at the end, bytes.
	PeakRSS map[string]int64 `json:"peak_rss_bytes,omitempty"`
}

// Diff returns the cost per message of the msgs messages between a and b.
// The sampler's own statement and command (one each per sample) are not
// counted.
func Diff(a, b Sample, msgs int64) PerMessage {
	pm := PerMessage{Messages: msgs, Statements: -1, RedisCommands: -1, CPU: map[string]float64{}, PeakRSS: b.PeakRSS}
	n := float64(max(msgs, 1))
	if a.Status != nil && b.Status != nil {
		pm.Statements = float64(b.Status["Questions"]-a.Status["Questions"]-1) / n
		pm.Com = map[string]float64{}
		for k, v := range b.Status {
			name, ok := strings.CutPrefix(k, "Com_")
			if !ok {
				continue
			}
			d := v - a.Status[k]
			if name == "show_status" {
				d--
			}
			if d > 0 {
				pm.Com[name] = float64(d) / n
			}
		}
	}
	if a.RedisCommands >= 0 && b.RedisCommands >= 0 {
		pm.RedisCommands = float64(b.RedisCommands-a.RedisCommands-1) / n
	}
	for k, v := range b.CPU {
		pm.CPU[k] = float64((v - a.CPU[k]).Microseconds()) / n
	}
	return pm
}

// String formats the cost on one line: statements, Redis commands, CPU µs
// per process.
func (pm PerMessage) String() string {
	var b strings.Builder
	if pm.Statements >= 0 {
		fmt.Fprintf(&b, "stmts/msg %.2f", pm.Statements)
	}
	if pm.RedisCommands >= 0 {
		if b.Len() > 0 {
			b.WriteString("  ")
		}
		fmt.Fprintf(&b, "redis cmds/msg %.2f", pm.RedisCommands)
	}
	names := make([]string, 0, len(pm.CPU))
	for k := range pm.CPU {
		names = append(names, k)
	}
	slices.Sort(names)
	if len(names) > 0 {
		if b.Len() > 0 {
			b.WriteString("  ")
		}
		b.WriteString("cpu µs/msg")
		for _, k := range names {
			fmt.Fprintf(&b, " %s %.0f", k, pm.CPU[k])
		}
	}
	return b.String()
}

// ComString formats the largest Com_* counters per message, at most n.
func (pm PerMessage) ComString(n int) string {
	type kv struct {
		k string
		v float64
	}
	var all []kv
	for k, v := range pm.Com {
		all = append(all, kv{k, v})
	}
	slices.SortFunc(all, func(a, b kv) int {
		if a.v != b.v {
			if a.v > b.v {
				return -1
			}
			return 1
		}
		return strings.Compare(a.k, b.k)
	})
	var parts []string
	for i, e := range all {
		if i == n {
			break
		}
		parts = append(parts, fmt.Sprintf("%s %.2f", e.k, e.v))
	}
	return strings.Join(parts, ", ")
}
