package storage_test

import (
	"context"
	"testing"

	"minqing/bot"
	"minqing/storage"
)

// mustSchool creates a school for the check-in and visit tests (it lived
// in opinion_test.go before the conformance suite took that file's tests).
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
