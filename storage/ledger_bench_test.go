package storage_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"minqing/bot"
	"minqing/storage"
	"minqing/storage/storagetest"
)

// BenchmarkLedger is a 台帐 page — five entries past the first ten, their
// units' names and the count — over a school with 5,000 opinions and a
// supervised school beside it: with 50 of them open (a ledger kept up) and
// with 4,000 open (one left to pile up).
func BenchmarkLedger(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchLedger(b, storagetest.SQLite) })
	b.Run("mysql", func(b *testing.B) { benchLedger(b, storagetest.MySQL) })
}

func benchLedger(b *testing.B, openDB func(testing.TB) *storage.DB) {
	for _, open := range []int{50, 4000} {
		b.Run(fmt.Sprintf("open=%d", open), func(b *testing.B) {
			db := openDB(b)
			ctx := context.Background()
			school, other := seedLedger(b, db, open)
			q := bot.LedgerQuery{SchoolIDs: []int64{school.ID}, ExceptCategories: []bot.Category{bot.CatLeadership}, Supervised: []int64{other.ID},
				Statuses: bot.OpenStatuses, Today: benchNow, Offset: 10, Limit: 5}
			for b.Loop() {
				err := db.Update(ctx, func(tx bot.Tx) error {
					items, total, err := tx.Ledger(ctx, q)
					if err == nil && (len(items) != 5 || total != open) {
						return fmt.Errorf("ledger: %d entries of %d, want 5 of %d", len(items), total, open)
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

var benchNow = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// seedLedger files 5,000 opinions, every fiftieth about the leadership of
// the other school, the newest open of them open and the rest closed.
func seedLedger(b *testing.B, db *storage.DB, open int) (school, other bot.OrgUnit) {
	b.Helper()
	ctx := context.Background()
	err := db.Update(ctx, func(tx bot.Tx) error {
		var err error
		if school, err = tx.CreateUnit(ctx, bot.OrgUnit{Kind: bot.UnitSchool, Name: "一中", Code: "YZ01"}); err != nil {
			return err
		}
		if other, err = tx.CreateUnit(ctx, bot.OrgUnit{Kind: bot.UnitSchool, Name: "二中", Code: "EZ02"}); err != nil {
			return err
		}
		dept, err := tx.CreateUnit(ctx, bot.OrgUnit{ParentID: school.ID, SchoolID: school.ID, Kind: bot.UnitDepartment, Name: "教务处"})
		if err != nil {
			return err
		}
		const n = 5000
		openStatuses := []bot.OpinionStatus{bot.StatusReceived, bot.StatusAssigned, bot.StatusProcessing}
		for i := range n {
			at := benchNow.Add(time.Duration(i-n) * time.Minute)
			o := bot.Opinion{SchoolID: school.ID, Code: fmt.Sprintf("B%03d-%04d", i/10000, i%10000), Category: "teaching", Text: "作业太多了每天写到十一点",
				TextHash: "h", Source: bot.SourceText, Anonymous: true, Status: bot.StatusClosed, Created: at, Updated: at}
			if i%50 == 0 {
				o.SchoolID, o.Category = other.ID, bot.CatLeadership
			}
			if i >= n-open {
				o.Status = openStatuses[i%3]
			}
			if o.Status != bot.StatusReceived {
				o.AssignedUnitID, o.Due = dept.ID, benchNow.AddDate(0, 0, i%20-10)
			}
			if _, err := tx.CreateOpinion(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return school, other
}
