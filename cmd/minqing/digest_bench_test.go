package main

// The digest at a district's scale. Not unit tests: they run against a
// district made by `minqing gen-district`, named by
//
//	MINQING_BENCH_MYSQL_DSN   a MySQL database holding it, or
//	MINQING_BENCH_DATA_DIR    a data directory holding it in SQLite,
//
// and skip without them:
//
//	minqing gen-district                      # with the MINQING_* of the target
//	MINQING_BENCH_MYSQL_DSN=… go test ./cmd/minqing -run DigestExplain -bench Digest -benchtime 20x
//
// BenchmarkDigestSchool makes one school's digest (the trend's eight
// weeks, the semester's rates); BenchmarkDigestDistrict the bureau's: all
// fifty schools side by side and the district's totals.
// TestDigestExplainDistrict prints the plan of every statement of the
// digest on that data and fails if one reads opinions, events, check-ins
// or visits in full.

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"minqing/bot"
	"minqing/bot/chat"
	"minqing/storage"
	"minqing/storage/state"
)

func benchDB(tb testing.TB) *storage.DB {
	tb.Helper()
	o := storage.Options{MySQLDSN: os.Getenv("MINQING_BENCH_MYSQL_DSN"), DataDir: os.Getenv("MINQING_BENCH_DATA_DIR")}
	if o.MySQLDSN == "" && o.DataDir == "" {
		tb.Skip("set MINQING_BENCH_MYSQL_DSN or MINQING_BENCH_DATA_DIR to a district made by minqing gen-district")
	}
	db, err := storage.Open(context.Background(), o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// noSend is the benchmark's Notifier: digests are made, never sent.
type noSend struct{}

func (noSend) SendText(context.Context, string, string) error { return bot.ErrUnavailable }
func (noSend) SendTemplate(context.Context, bot.TemplateMessage) error {
	return bot.ErrUnavailable
}

func benchBot(tb testing.TB, db *storage.DB) *chat.Bot {
	loc, _ := time.LoadLocation("Asia/Shanghai")
	b, err := chat.New(chat.Config{Store: db, State: state.NewMemory(100), Notifier: noSend{}, Secret: "bench-secret-0123456789abcdef", Location: loc})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func benchDigest(b *testing.B, school string) {
	db := benchDB(b)
	bt := benchBot(b, db)
	ctx := context.Background()
	d, err := bt.MakeDigest(ctx, chat.DigestOptions{School: school})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d sections, %d schools", d.Title(), len(d.Sections), len(d.Schools))
	b.ResetTimer()
	for b.Loop() {
		if _, err := bt.MakeDigest(ctx, chat.DigestOptions{School: school}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDigestSchool(b *testing.B)   { benchDigest(b, "G001") }
func BenchmarkDigestDistrict(b *testing.B) { benchDigest(b, "全区教育局（生成）") }

func TestDigestExplainDistrict(t *testing.T) {
	db := benchDB(t)
	ctx := context.Background()
	var school int64
	if err := db.SQL().GetContext(ctx, &school, `SELECT id FROM org_units WHERE code = 'G001'`); err != nil {
		t.Fatalf("no generated school G001: %v", err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	week := chat.WeekOf(time.Now(), loc).Prev()
	for _, bureau := range []bool{false, true} {
		plans, err := db.ExplainDigest(ctx, school, bureau, week.Start, week.End())
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range plans {
			t.Logf("bureau=%v %s:\n  %s", bureau, p.Query, strings.Join(p.Lines, "\n  "))
			if len(p.FullScan) > 0 {
				t.Errorf("%s reads %v in full", p.Query, p.FullScan)
			}
		}
	}
	// The study and visits sections' statements (as in storage/checkin.go
	// and storage/visit.go).
	from, to := week.Start.AddDate(0, -3, 0).Format(time.DateOnly), week.End().Format(time.DateOnly)
	for _, q := range []string{
		`SELECT person_id, SUM(minutes) AS minutes, SUM(chars) AS chars, COUNT(*) AS n FROM study_checkins WHERE school_id = ? AND day >= ? AND day < ? GROUP BY person_id ORDER BY person_id`,
		`SELECT teacher_id AS id, COUNT(*) AS n FROM visits WHERE school_id = ? AND day >= ? AND day < ? GROUP BY teacher_id ORDER BY teacher_id`,
		`SELECT s.class_id AS id, COUNT(DISTINCT v.student_id) AS n FROM visits v JOIN students s ON s.id = v.student_id WHERE v.school_id = ? AND v.day >= ? AND v.day < ? AND s.active = TRUE GROUP BY s.class_id`,
		`SELECT observer_id AS id, COUNT(*) AS n FROM observations WHERE school_id = ? AND day >= ? AND day < ? GROUP BY observer_id`,
	} {
		explain := "EXPLAIN QUERY PLAN "
		if os.Getenv("MINQING_BENCH_MYSQL_DSN") != "" {
			explain = "EXPLAIN "
		}
		rows, err := db.SQL().QueryxContext(ctx, explain+q, school, from, to)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		for rows.Next() {
			m := map[string]any{}
			if err := rows.MapScan(m); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, k := range []string{"table", "type", "key", "rows", "Extra", "detail"} {
				if v, ok := m[k]; ok {
					s := v
					if b, ok := v.([]byte); ok {
						s = string(b)
					}
					parts = append(parts, k+"="+strings.TrimSpace(strings.ReplaceAll(toString(s), "\n", " ")))
				}
			}
			line := strings.Join(parts, " ")
			lines = append(lines, line)
			if strings.Contains(line, "type=ALL") || (strings.Contains(line, "detail=SCAN ") && !strings.Contains(line, "INDEX")) {
				t.Errorf("full scan: %s\n%s", q, line)
			}
		}
		rows.Close()
		t.Logf("%s\n  %s", q, strings.Join(lines, "\n  "))
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return "NULL"
	default:
		return strings.TrimSpace(strings.Trim(strings.ReplaceAll(strings.ReplaceAll(fmtAny(x), "[", ""), "]", ""), " "))
	}
}

func fmtAny(v any) string {
	return strings.TrimSpace(strings.ReplaceAll(strings.Trim(sprint(v), "{}"), "  ", " "))
}

func sprint(v any) string { return fmt.Sprint(v) }
