package storage_test

import (
	"context"
	"fmt"
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
