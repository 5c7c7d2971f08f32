package storage_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"minqing/bot"
	"minqing/storage"
	"minqing/storage/storagetest"
)

// TestExplainDigest: every statement of the weekly digest reads opinions
// and opinion_events through an index, on both backends, over enough rows
// (5 schools, 4,000 opinions with events) that the planners choose as
// they would on a district's data.
func TestExplainDigest(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		var schools []int64
		if err := db.Update(ctx, func(tx bot.Tx) error {
			b, err := tx.CreateUnit(ctx, bot.OrgUnit{Kind: bot.UnitBureau, Name: "局"})
			if err != nil {
				return err
			}
			for i := range 5 {
				s, err := tx.CreateUnit(ctx, bot.OrgUnit{ParentID: b.ID, Kind: bot.UnitSchool, Name: fmt.Sprint("学校", i)})
				if err != nil {
					return err
				}
				schools = append(schools, s.ID)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var ops, evs []string
		var opArgs, evArgs []any
		for i := 1; i <= 4000; i++ {
			at := start.Add(time.Duration(i) * 2 * time.Hour)
			due := at.AddDate(0, 0, 5).Format(time.DateOnly)
			// As in a school's ledger: nearly all closed, the recent ones open.
			status := "closed"
			if i > 3900 {
				status = []string{"closed", "answered", "assigned", "received"}[i%4]
			}
			ops = append(ops, "(?, ?, ?, 'teaching', 'x', 'h', 'text', TRUE, ?, ?, ?, ?, ?, ?, ?)")
			opArgs = append(opArgs, i, schools[i%5], fmt.Sprintf("T%03d-%04d", i/10000, i%10000), status, due, at.Add(time.Hour), "satisfied", at.Add(2*time.Hour), at, at.Add(3*24*time.Hour))
			evs = append(evs, "(?, 'received', ?)", "(?, 'answered', ?)")
			evArgs = append(evArgs, i, at, i, at.Add(time.Hour))
		}
		for len(ops) > 0 {
			n := min(500, len(ops))
			storagetest.MustExec(t, db, `INSERT INTO opinions (id, school_id, code, category, text, text_hash, source, anonymous, status,
				due_date, answered_at, rating, rated_at, created_at, updated_at) VALUES `+strings.Join(ops[:n], ", "), opArgs[:n*10]...)
			storagetest.MustExec(t, db, `INSERT INTO opinion_events (opinion_id, kind, at) VALUES `+strings.Join(evs[:2*n], ", "), evArgs[:4*n]...)
			ops, opArgs, evs, evArgs = ops[n:], opArgs[n*10:], evs[2*n:], evArgs[4*n:]
		}
		storagetest.MustExec(t, db, db.SQLFor("ANALYZE TABLE opinions, opinion_events", "ANALYZE"))
		from := start.Add(3800 * 2 * time.Hour)
		for _, bureau := range []bool{false, true} {
			plans, err := db.ExplainDigest(ctx, schools[0], bureau, from, from.AddDate(0, 0, 7))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range plans {
				t.Logf("bureau %v, %s:\n  %s", bureau, p.Query, strings.Join(p.Lines, "\n  "))
				if len(p.FullScan) > 0 {
					t.Errorf("%s reads %v in full:\n%s", p.Query, p.FullScan, strings.Join(p.Lines, "\n"))
				}
			}
		}
	})
}
