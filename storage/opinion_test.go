package storage_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
	"minqing/storage"
	"minqing/storage/storagetest"
)

// mustSchool creates a school for a test.
func mustSchool(t *testing.T, db *storage.DB) bot.OrgUnit {
	t.Helper()
	var s bot.OrgUnit
	err := db.Update(context.Background(), func(tx bot.Tx) error {
		var err error
		s, err = tx.CreateUnit(context.Background(), bot.OrgUnit{Kind: bot.UnitSchool, Name: "测试学校", Code: "TEST"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// Many concurrent Updates, each filing an opinion (under an ID of its own
// choosing, as bot.CreateWithCode does) with its event and reading its own
// event back: the group commit keeps every write and lets each function
// read its own.
func TestOpinionsUnderGroupCommit(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		school := mustSchool(t, db)
		now := time.Now().UTC().Truncate(time.Second)
		var wg sync.WaitGroup
		errs := make([]error, 40)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = db.Update(ctx, func(tx bot.Tx) error {
					o, err := tx.CreateOpinion(ctx, bot.Opinion{ID: int64(1<<40 + i*7919), SchoolID: school.ID, Code: fmt.Sprintf("AAAA-%04d", i), Category: "other",
						Text: "测试意见 😀", TextHash: "h", Source: bot.SourceText, Anonymous: true, Status: bot.StatusReceived, Created: now, Updated: now})
					if err != nil {
						return err
					}
					if o.ID != int64(1<<40+i*7919) {
						return fmt.Errorf("opinion ID %d, want the one given", o.ID)
					}
					if err := tx.AddOpinionEvent(ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: "assigned", At: now}); err != nil {
						return err
					}
					events, err := tx.OpinionEvents(ctx, o.ID)
					if err != nil {
						return err
					}
					if len(events) != 1 {
						return errors.New("the function does not see its own event")
					}
					return tx.RecordProcessed(ctx, fmt.Sprintf("key-%d", i), nil, now)
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("update %d: %v", i, err)
			}
		}
		for table, want := range map[string]int{"opinions": 40, "opinion_events": 40, "processed_messages": 40} {
			var n int
			if err := db.SQL().Get(&n, "SELECT COUNT(*) FROM "+table); err != nil || n != want {
				t.Errorf("%s: %d rows, %v; want %d", table, n, err, want)
			}
		}
		var text string
		if err := db.SQL().Get(&text, `SELECT text FROM opinions WHERE code = 'AAAA-0001'`); err != nil || text != "测试意见 😀" {
			t.Errorf("text = %q, %v (utf8mb4?)", text, err)
		}
	})
}

func TestLedgerAndRatingComment(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		ctx := context.Background()
		school := mustSchool(t, db)
		now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
		err := db.Update(ctx, func(tx bot.Tx) error {
			for i, st := range []bot.OpinionStatus{bot.StatusReceived, bot.StatusAssigned, bot.StatusClosed} {
				o := bot.Opinion{SchoolID: school.ID, Code: fmt.Sprintf("BBBB-%04d", i), Category: "teaching", Text: "x",
					TextHash: "h", Source: bot.SourceText, Anonymous: true, Status: st, Created: now.Add(time.Duration(i) * time.Hour), Updated: now}
				if st == bot.StatusAssigned {
					o.Due = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC) // overdue
				}
				created, err := tx.CreateOpinion(ctx, o)
				if err != nil {
					return err
				}
				if st == bot.StatusClosed {
					created.Rating, created.RatingComment, created.RatedAt = "unsatisfied", "会议还是很多", now
					if err := tx.UpdateOpinion(ctx, created); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(ctx, func(tx bot.Tx) error {
			items, total, err := tx.Ledger(ctx, bot.LedgerQuery{SchoolIDs: []int64{school.ID}, Statuses: bot.OpenStatuses, Today: now, Limit: 10})
			if err != nil {
				return err
			}
			if total != 2 || len(items) != 2 || items[0].Code != "BBBB-0001" || items[0].Due.Format(time.DateOnly) != "2026-11-20" {
				t.Errorf("ledger = %d %+v; want the overdue one first", total, items)
			}
			closed, err := tx.OpinionByCode(ctx, "BBBB-0002")
			if err != nil {
				return err
			}
			if diff := cmp.Diff([]string{"unsatisfied", "会议还是很多"}, []string{closed.Rating, closed.RatingComment}); diff != "" {
				t.Errorf("rating mismatch (-want +got):\n%s", diff)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
