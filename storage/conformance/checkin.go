package conformance

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
)

var checkinTests = []test{
	{"CheckinsEssaysExcuses", []string{"AddCheckin", "LastCheckin", "DeleteCheckin", "Checkins", "SchoolCheckins", "StudyTotals",
		"AddEssay", "SchoolEssays", "PutEssayDraft", "EssayDraftOf", "DeleteEssayDraft", "PutExcuse", "SchoolExcuses",
		"SetRemindersPaused", "RemindersPaused"}, testCheckins},
}

// testCheckins covers study check-ins, essays and their drafts, excused
// weeks and reminder preferences, with their error contracts.
func testCheckins(t *testing.T, e *env) {
	ctx, db := e.ctx, e.db
	school := e.school("测试学校", "TEST")
	now := time.Date(2026, 11, 21, 8, 0, 0, 0, time.UTC)
	update := func(fn func(tx bot.Tx) error) {
		t.Helper()
		if err := db.Update(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	var a, b bot.Person
	update(func(tx bot.Tx) error {
		var err error
		if a, err = tx.CreatePerson(ctx, bot.Person{SchoolID: school.ID, Name: "甲", Roles: []bot.Role{bot.RolePartyMember}, Active: true}); err != nil {
			return err
		}
		b, err = tx.CreatePerson(ctx, bot.Person{SchoolID: school.ID, Name: "乙", Roles: []bot.Role{bot.RoleTeacher}, Active: true})
		return err
	})
	var last bot.Checkin
	update(func(tx bot.Tx) error {
		for _, c := range []bot.Checkin{
			{PersonID: a.ID, SchoolID: school.ID, Day: "2026-11-16", Minutes: 60, Title: "党章", Created: now},
			{PersonID: a.ID, SchoolID: school.ID, Day: "2026-11-17", Minutes: 90, Chars: 1500, Created: now},
			{PersonID: b.ID, SchoolID: school.ID, Day: "2026-11-18", Minutes: 30, Created: now},
			{PersonID: a.ID, SchoolID: school.ID, Day: "2026-11-09", Minutes: 120, Created: now},
		} {
			var err error
			if last, err = tx.AddCheckin(ctx, c); err != nil {
				return err
			}
		}
		if _, err := tx.AddCheckin(ctx, bot.Checkin{PersonID: a.ID, SchoolID: school.ID, Day: "2026-11-31"}); !errors.Is(err, bot.ErrInvalid) {
			t.Errorf("bad check-in: %v, want ErrInvalid", err)
		}
		return nil
	})
	update(func(tx bot.Tx) error {
		got, err := tx.StudyTotals(ctx, school.ID, "2026-11-16", "2026-11-23")
		if err != nil {
			return err
		}
		want := []bot.StudyTotal{{PersonID: a.ID, Minutes: 150, Chars: 1500, Checkins: 2}, {PersonID: b.ID, Minutes: 30, Checkins: 1}}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("StudyTotals mismatch (-want +got):\n%s", d)
		}
		l, err := tx.LastCheckin(ctx, a.ID)
		if err != nil || l.ID != last.ID || l.Day != "2026-11-09" {
			t.Errorf("LastCheckin = %+v, %v; want %+v", l, err, last)
		}
		if err := tx.DeleteCheckin(ctx, b.ID, last.ID); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("deleting another's check-in: %v, want ErrNotFound", err)
		}
		if err := tx.DeleteCheckin(ctx, a.ID, last.ID); err != nil {
			return err
		}
		list, err := tx.Checkins(ctx, a.ID, "2026-09-01", "2027-02-01")
		if err != nil || len(list) != 2 || list[0].Day != "2026-11-16" || list[0].Title != "党章" {
			t.Errorf("Checkins = %+v, %v", list, err)
		}
		all, err := tx.SchoolCheckins(ctx, school.ID, "2026-09-01", "2027-02-01")
		if err != nil || len(all) != 3 {
			t.Errorf("SchoolCheckins = %d rows, %v; want 3", len(all), err)
		}
		return nil
	})
	update(func(tx bot.Tx) error {
		e, err := tx.AddEssay(ctx, bot.Essay{PersonID: a.ID, SchoolID: school.ID, Title: "体会", Text: "正文😀", Chars: 2, SimilarTo: 7, SimilarPerson: b.ID, Similarity: 0.75, Created: now})
		if err != nil {
			return err
		}
		list, err := tx.SchoolEssays(ctx, school.ID, now.Add(-time.Hour), now.Add(time.Hour), true)
		if err != nil {
			return err
		}
		want := []bot.Essay{{ID: e.ID, PersonID: a.ID, SchoolID: school.ID, Title: "体会", Text: "正文😀", Chars: 2, SimilarTo: 7, SimilarPerson: b.ID, Similarity: 0.75, Created: now}}
		if d := cmp.Diff(want, list); d != "" {
			t.Errorf("SchoolEssays mismatch (-want +got):\n%s", d)
		}
		if err := tx.PutEssayDraft(ctx, bot.EssayDraft{PersonID: a.ID, Text: "第一段", Parts: 1, Updated: now}); err != nil {
			return err
		}
		if err := tx.PutEssayDraft(ctx, bot.EssayDraft{PersonID: a.ID, Text: "第一段第二段", Parts: 2, Updated: now}); err != nil {
			return err
		}
		d, err := tx.EssayDraftOf(ctx, a.ID)
		if err != nil || d.Text != "第一段第二段" || d.Parts != 2 {
			t.Errorf("EssayDraftOf = %+v, %v", d, err)
		}
		if err := tx.DeleteEssayDraft(ctx, a.ID); err != nil {
			return err
		}
		if _, err := tx.EssayDraftOf(ctx, a.ID); !errors.Is(err, bot.ErrNotFound) {
			t.Errorf("deleted draft: %v", err)
		}
		for i := 0; i < 2; i++ {
			if err := tx.PutExcuse(ctx, bot.Excuse{PersonID: a.ID, Week: "2026-W47", Source: "chat", Created: now}); err != nil {
				return err
			}
		}
		if err := tx.PutExcuse(ctx, bot.Excuse{PersonID: b.ID, Week: "2026-W48", Source: "admin", Created: now}); err != nil {
			return err
		}
		ex, err := tx.SchoolExcuses(ctx, school.ID, "2026-W47", "2026-W47")
		if err != nil || len(ex) != 1 || ex[0].PersonID != a.ID {
			t.Errorf("SchoolExcuses = %+v, %v", ex, err)
		}
		if err := tx.SetRemindersPaused(ctx, b.ID, true, now); err != nil {
			return err
		}
		if err := tx.SetRemindersPaused(ctx, a.ID, true, now); err != nil {
			return err
		}
		if err := tx.SetRemindersPaused(ctx, a.ID, false, now.Add(time.Second)); err != nil {
			return err
		}
		ids, err := tx.RemindersPaused(ctx, school.ID)
		if d := cmp.Diff([]int64{b.ID}, ids); err != nil || d != "" {
			t.Errorf("RemindersPaused mismatch (-want +got):\n%s %v", d, err)
		}
		return nil
	})
}
