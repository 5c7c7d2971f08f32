package conformance

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"minqing/bot"
)

var opinionTests = []test{
	{"Opinions", []string{"CreateOpinion", "Opinion", "OpinionByCode", "UpdateOpinion"}, testOpinions},
	{"OpinionEvents", []string{"AddOpinionEvent", "OpinionEvents"}, testOpinionEvents},
	{"Ledger", []string{"Ledger"}, testLedger},
	{"ReceiptsPurgeAndLedger", []string{"PutReceipt", "Receipt", "PurgeReceipts", "Ledger"}, testReceiptsPurgeAndLedger},
	{"SenderOpinions", []string{"SenderOpinions"}, testSenderOpinions},
	{"Drafts", []string{"PutDraft", "Draft", "DeleteDraft", "DueDrafts"}, testDrafts},
	{"SchoolSettings", []string{"SchoolSettings", "PutSchoolSettings"}, testSchoolSettings},
}

// opinion is an anonymous opinion of school with the given code, created
// minutes after now.
func opinion(school bot.OrgUnit, code string, minutes int) bot.Opinion {
	at := now.Add(time.Duration(minutes) * time.Minute)
	return bot.Opinion{SchoolID: school.ID, Code: code, Category: "teaching", Text: "作业太多 😀", TextHash: "h-" + code,
		Source: bot.SourceText, Anonymous: true, Status: bot.StatusReceived, Created: at, Updated: at}
}

// create files opinions and returns them with their IDs.
func (e *env) create(os ...bot.Opinion) []bot.Opinion {
	e.t.Helper()
	e.must(func(tx bot.Tx) error {
		for i, o := range os {
			var err error
			if os[i], err = tx.CreateOpinion(e.ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
	return os
}

func testOpinions(t *testing.T, e *env) {
	school := e.school("一中", "YZ01")
	dept, grade := e.unit(school, bot.UnitDepartment, "教务处"), e.unit(school, bot.UnitGrade, "七年级")
	teacher := e.person(school, "李老师", bot.RoleTeacher)
	visit := opinion(school, "AAAA-0002", 1)
	visit.Anonymous, visit.RecorderID, visit.Source, visit.UnitID = false, teacher.ID, bot.SourceHomeVisit, grade.ID
	os := e.create(opinion(school, "AAAA-0001", 0), visit)
	if os[0].ID == 0 || os[1].ID == os[0].ID {
		t.Fatalf("created IDs %d, %d", os[0].ID, os[1].ID)
	}
	err := e.update(func(tx bot.Tx) error { _, err := tx.CreateOpinion(e.ctx, opinion(school, "AAAA-0001", 2)); return err })
	wantErr(t, "CreateOpinion(code taken)", err, bot.ErrConflict)

	// Every mutable field changes; Text, Code and the rest stay.
	answered := os[0]
	answered.Category, answered.UnitID, answered.Status, answered.AssignedUnitID = "logistics", grade.ID, bot.StatusClosed, dept.ID
	answered.Due = time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	answered.Answer, answered.AnsweredAt, answered.Rating, answered.RatedAt = "已调整", now.Add(time.Hour), "satisfied", now.Add(2*time.Hour)
	answered.MergedInto, answered.Updated = os[1].ID, now.Add(3*time.Hour)
	rewritten := answered
	rewritten.Text, rewritten.Code, rewritten.Anonymous = "改写", "ZZZZ-9999", false
	e.must(func(tx bot.Tx) error {
		wantErr(t, "UpdateOpinion", tx.UpdateOpinion(e.ctx, rewritten), nil)
		missing := answered
		missing.ID = 999999
		wantErr(t, "UpdateOpinion(missing)", tx.UpdateOpinion(e.ctx, missing), bot.ErrNotFound)
		return nil
	})
	e.must(func(tx bot.Tx) error {
		for _, want := range []bot.Opinion{answered, os[1]} {
			got, err := tx.Opinion(e.ctx, want.ID)
			wantErr(t, "Opinion", err, nil)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Opinion(%d) mismatch (-want +got):\n%s", want.ID, diff)
			}
			got, err = tx.OpinionByCode(e.ctx, want.Code)
			wantErr(t, "OpinionByCode", err, nil)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("OpinionByCode(%s) mismatch (-want +got):\n%s", want.Code, diff)
			}
		}
		_, err := tx.Opinion(e.ctx, 999999)
		wantErr(t, "Opinion(missing)", err, bot.ErrNotFound)
		_, err = tx.OpinionByCode(e.ctx, "ZZZZ-9999")
		wantErr(t, "OpinionByCode(missing)", err, bot.ErrNotFound)
		return nil
	})
}

func testOpinionEvents(t *testing.T, e *env) {
	school := e.school("一中", "YZ01")
	leader := e.person(school, "校长", bot.RoleSchoolLeader)
	os := e.create(opinion(school, "AAAA-0001", 0), opinion(school, "AAAA-0002", 0))
	want := []bot.OpinionEvent{
		{OpinionID: os[0].ID, Kind: "received", At: now},
		{OpinionID: os[0].ID, Kind: "assigned", ActorID: leader.ID, Note: "教务处，5个工作日", At: now.Add(time.Hour)},
		{OpinionID: os[0].ID, Kind: "pushed", At: now.Add(time.Hour)},
	}
	otherEvent := bot.OpinionEvent{OpinionID: os[1].ID, Kind: "received", At: now}
	e.must(func(tx bot.Tx) error {
		// Written out of time order: the history is read by time, ties
		// in the order written.
		for _, ev := range []bot.OpinionEvent{want[1], otherEvent, want[0], want[2]} {
			if err := tx.AddOpinionEvent(e.ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})
	e.must(func(tx bot.Tx) error {
		got, err := tx.OpinionEvents(e.ctx, os[0].ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(bot.OpinionEvent{}, "ID")); diff != "" {
			t.Errorf("OpinionEvents mismatch (-want +got):\n%s", diff)
		}
		none, err := tx.OpinionEvents(e.ctx, 999999)
		if err == nil && len(none) != 0 {
			t.Errorf("OpinionEvents(missing) = %+v, want none", none)
		}
		return err
	})
}

func testLedger(t *testing.T, e *env) {
	s1, s2 := e.school("一中", "YZ01"), e.school("二中", "EZ02")
	dept, grade := e.unit(s1, bot.UnitDepartment, "教务处"), e.unit(s1, bot.UnitGrade, "七年级")
	// Created a minute apart in this order; B is overdue today and names a
	// grade, C is assigned and due in the future, D closed, E and G
	// leadership opinions, F and G of another school.
	a, b, c, d, l, f, g := opinion(s1, "L-A", 0), opinion(s1, "L-B", 1), opinion(s1, "L-C", 2), opinion(s1, "L-D", 3),
		opinion(s1, "L-E", 4), opinion(s2, "L-F", 5), opinion(s2, "L-G", 6)
	b.Status, b.Due, b.UnitID = bot.StatusAssigned, time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), grade.ID
	c.Status, c.Due, c.AssignedUnitID = bot.StatusProcessing, time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), dept.ID
	d.Status = bot.StatusClosed
	l.Category, g.Category = bot.CatLeadership, bot.CatLeadership
	e.create(a, b, c, d, l, f, g)
	today := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	open := bot.OpenStatuses
	notLeadership := []bot.Category{bot.CatLeadership}
	for _, c := range []struct {
		name      string
		q         bot.LedgerQuery
		wantCodes []string
		wantTotal int
	}{
		{"open, overdue first then oldest", bot.LedgerQuery{SchoolIDs: []int64{s1.ID}, Statuses: open, Today: today}, []string{"L-B", "L-A", "L-C", "L-E"}, 4},
		{"every status", bot.LedgerQuery{SchoolIDs: []int64{s1.ID}, Today: today}, []string{"L-B", "L-A", "L-C", "L-D", "L-E"}, 5},
		{"two schools", bot.LedgerQuery{SchoolIDs: []int64{s1.ID, s2.ID}, Statuses: open, Today: today}, []string{"L-B", "L-A", "L-C", "L-E", "L-F", "L-G"}, 6},
		{"only leadership", bot.LedgerQuery{SchoolIDs: []int64{s1.ID}, Statuses: open, Categories: []bot.Category{bot.CatLeadership}, Today: today}, []string{"L-E"}, 1},
		{"all but leadership", bot.LedgerQuery{SchoolIDs: []int64{s1.ID}, Statuses: open, ExceptCategories: notLeadership, Today: today}, []string{"L-B", "L-A", "L-C"}, 3},
		{"a page", bot.LedgerQuery{SchoolIDs: []int64{s1.ID}, Statuses: open, Today: today, Offset: 1, Limit: 2}, []string{"L-A", "L-C"}, 4},
		{"past the end", bot.LedgerQuery{SchoolIDs: []int64{s1.ID}, Statuses: open, Today: today, Offset: 10, Limit: 2}, nil, 4},
		{"before the due date, not overdue", bot.LedgerQuery{SchoolIDs: []int64{s1.ID}, Statuses: open, Today: time.Date(2026, 11, 19, 0, 0, 0, 0, time.UTC)}, []string{"L-A", "L-B", "L-C", "L-E"}, 4},
		{"own school and a supervised one, own first", bot.LedgerQuery{SchoolIDs: []int64{s1.ID}, ExceptCategories: notLeadership, Supervised: []int64{s2.ID}, Statuses: open, Today: today}, []string{"L-B", "L-A", "L-C", "L-G"}, 4},
		{"a page across the two parts", bot.LedgerQuery{SchoolIDs: []int64{s1.ID}, ExceptCategories: notLeadership, Supervised: []int64{s2.ID}, Statuses: open, Today: today, Offset: 2, Limit: 2}, []string{"L-C", "L-G"}, 4},
		{"past the end of the two parts", bot.LedgerQuery{SchoolIDs: []int64{s1.ID}, ExceptCategories: notLeadership, Supervised: []int64{s2.ID}, Statuses: open, Today: today, Offset: 5, Limit: 5}, nil, 4},
		{"supervised only", bot.LedgerQuery{Supervised: []int64{s1.ID, s2.ID}, Statuses: open, Today: today}, []string{"L-E", "L-G"}, 2},
		{"no school", bot.LedgerQuery{Statuses: open, Today: today}, nil, 0},
		{"nothing matches", bot.LedgerQuery{SchoolIDs: []int64{s2.ID}, Statuses: []bot.OpinionStatus{bot.StatusClosed}, Today: today}, nil, 0},
	} {
		e.must(func(tx bot.Tx) error {
			items, total, err := tx.Ledger(e.ctx, c.q)
			if err != nil {
				return err
			}
			var codes []string
			for _, o := range items {
				codes = append(codes, o.Code)
			}
			if diff := cmp.Diff(c.wantCodes, codes); diff != "" || total != c.wantTotal {
				t.Errorf("%s: total %d (want %d), codes mismatch (-want +got):\n%s", c.name, total, c.wantTotal, diff)
			}
			return nil
		})
	}
	// The entries carry the whole opinion and their units' names.
	e.must(func(tx bot.Tx) error {
		items, _, err := tx.Ledger(e.ctx, bot.LedgerQuery{SchoolIDs: []int64{s1.ID}, Statuses: open, Today: today, Limit: 3})
		if err != nil {
			return err
		}
		byCode := map[string]bot.Opinion{}
		for _, o := range []bot.Opinion{a, b, c} {
			got, err := tx.OpinionByCode(e.ctx, o.Code)
			if err != nil {
				return err
			}
			byCode[o.Code] = got
		}
		want := []bot.LedgerEntry{
			{Opinion: byCode["L-B"], UnitName: "七年级"},
			{Opinion: byCode["L-A"]},
			{Opinion: byCode["L-C"], AssignedUnitName: "教务处"},
		}
		if diff := cmp.Diff(want, items); diff != "" {
			t.Errorf("ledger entries mismatch (-want +got):\n%s", diff)
		}
		return nil
	})
}

func testReceiptsPurgeAndLedger(t *testing.T, e *env) {
	school := e.school("测试学校", "TEST")
	now := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	var receipt bot.Receipt
	e.must(func(tx bot.Tx) error {
		for i, st := range []bot.OpinionStatus{bot.StatusReceived, bot.StatusAssigned, bot.StatusClosed} {
			o := bot.Opinion{SchoolID: school.ID, Code: fmt.Sprintf("BBBB-%04d", i), Category: "teaching", Text: "x",
				TextHash: "h", Source: bot.SourceText, Anonymous: true, Status: st, Created: now.Add(time.Duration(i) * time.Hour), Updated: now}
			if st == bot.StatusAssigned {
				o.Due = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC) // overdue
			}
			created, err := tx.CreateOpinion(e.ctx, o)
			if err != nil {
				return err
			}
			expires := now.Add(-time.Hour)
			if i == 0 {
				expires = now.Add(time.Hour)
			}
			r := bot.Receipt{OpinionID: created.ID, SenderHash: "s", SealedOpenID: []byte{1}, Expires: expires, Created: now}
			if err := tx.PutReceipt(e.ctx, r); err != nil {
				return err
			}
			if i == 0 {
				receipt = r
			}
		}
		return nil
	})
	n, err := e.db.PurgeReceipts(e.ctx, now)
	if err != nil || n != 2 {
		t.Fatalf("PurgeReceipts = %d, %v; want 2", n, err)
	}
	e.must(func(tx bot.Tx) error {
		items, total, err := tx.Ledger(e.ctx, bot.LedgerQuery{SchoolIDs: []int64{school.ID}, Statuses: bot.OpenStatuses, Today: now, Limit: 10})
		if err != nil {
			return err
		}
		if total != 2 || len(items) != 2 || items[0].Code != "BBBB-0001" || items[0].Due.Format(time.DateOnly) != "2026-11-20" {
			t.Errorf("ledger = %d %+v; want the overdue one first", total, items)
		}
		_, err = tx.Receipt(e.ctx, items[0].ID)
		wantErr(t, "Receipt(purged)", err, bot.ErrNotFound)
		got, err := tx.Receipt(e.ctx, receipt.OpinionID)
		wantErr(t, "Receipt", err, nil)
		if diff := cmp.Diff(receipt, got); diff != "" {
			t.Errorf("Receipt mismatch (-want +got):\n%s", diff)
		}
		return nil
	})
}

func testSenderOpinions(t *testing.T, e *env) {
	school := e.school("一中", "YZ01")
	os := e.create(opinion(school, "S-1", 0), opinion(school, "S-2", 1), opinion(school, "S-3", 2), opinion(school, "S-4", 3))
	e.must(func(tx bot.Tx) error {
		for i, sender := range []string{"me", "me", "other", "me"} {
			created := now.Add(time.Duration(i) * time.Hour)
			if err := tx.PutReceipt(e.ctx, bot.Receipt{OpinionID: os[i].ID, SenderHash: sender, SealedOpenID: []byte("sealed"), Expires: now.AddDate(0, 1, 0), Created: created}); err != nil {
				return err
			}
		}
		return nil
	})
	e.must(func(tx bot.Tx) error {
		for _, c := range []struct {
			sender string
			since  time.Time
			want   []string
		}{
			{"me", now, []string{"S-4", "S-2", "S-1"}},
			{"me", now.Add(time.Hour), []string{"S-4", "S-2"}},
			{"me", now.Add(4 * time.Hour), nil},
			{"nobody", now, nil},
		} {
			got, err := tx.SenderOpinions(e.ctx, c.sender, c.since)
			if err != nil {
				return err
			}
			var codes []string
			for _, o := range got {
				codes = append(codes, o.Code)
			}
			if diff := cmp.Diff(c.want, codes); diff != "" {
				t.Errorf("SenderOpinions(%s, %s) mismatch (-want +got):\n%s", c.sender, c.since.Format(time.TimeOnly), diff)
			}
		}
		if got, err := tx.SenderOpinions(e.ctx, "me", now.Add(3*time.Hour)); err != nil || len(got) != 1 || !cmp.Equal(os[3], got[0]) {
			t.Errorf("SenderOpinions = %+v, %v; want the whole opinion S-4", got, err)
		}
		return nil
	})
}

func testDrafts(t *testing.T, e *env) {
	school := e.school("一中", "YZ01")
	draft := func(sender string, deadline int, parts ...string) bot.Draft {
		return bot.Draft{SenderHash: sender, SchoolID: school.ID, SealedOpenID: []byte("sealed-" + sender), Parts: parts,
			Source: bot.SourceMenu, Started: now, Deadline: now.Add(time.Duration(deadline) * time.Minute)}
	}
	first, replaced, other := draft("a", 2, "食堂"), draft("a", 4, "食堂", "太咸了 😀"), draft("b", 3, "操场")
	e.must(func(tx bot.Tx) error {
		_, err := tx.Draft(e.ctx, "a")
		wantErr(t, "Draft(none)", err, bot.ErrNotFound)
		for _, d := range []bot.Draft{first, other, replaced} {
			if err := tx.PutDraft(e.ctx, d); err != nil {
				return err
			}
		}
		got, err := tx.Draft(e.ctx, "a")
		wantErr(t, "Draft", err, nil)
		if diff := cmp.Diff(replaced, got); diff != "" {
			t.Errorf("Draft after replacing mismatch (-want +got):\n%s", diff)
		}
		return nil
	})
	for _, c := range []struct {
		before time.Time
		want   []string
	}{
		{now.Add(3 * time.Minute), nil},
		{now.Add(5 * time.Minute), []string{"b", "a"}},
	} {
		got, err := e.db.DueDrafts(e.ctx, c.before)
		wantErr(t, "DueDrafts", err, nil)
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("DueDrafts(%s) mismatch (-want +got):\n%s", c.before.Format(time.TimeOnly), diff)
		}
	}
	e.must(func(tx bot.Tx) error {
		wantErr(t, "DeleteDraft", tx.DeleteDraft(e.ctx, "a"), nil)
		wantErr(t, "DeleteDraft(none)", tx.DeleteDraft(e.ctx, "a"), nil)
		_, err := tx.Draft(e.ctx, "a")
		wantErr(t, "Draft(deleted)", err, bot.ErrNotFound)
		return nil
	})
}

func testSchoolSettings(t *testing.T, e *env) {
	school, other := e.school("一中", "YZ01"), e.school("二中", "EZ02")
	e.must(func(tx bot.Tx) error {
		_, err := tx.SchoolSettings(e.ctx, school.ID)
		wantErr(t, "SchoolSettings(none)", err, bot.ErrNotFound)
		for _, doc := range []string{`{"due_days":5}`, `{"due_days":7,"supervisor":"discipline"}`} {
			wantErr(t, "PutSchoolSettings", tx.PutSchoolSettings(e.ctx, school.ID, []byte(doc)), nil)
		}
		wantErr(t, "PutSchoolSettings(other)", tx.PutSchoolSettings(e.ctx, other.ID, []byte(`{}`)), nil)
		return nil
	})
	e.must(func(tx bot.Tx) error {
		got, err := tx.SchoolSettings(e.ctx, school.ID)
		if err != nil || string(got) != `{"due_days":7,"supervisor":"discipline"}` {
			t.Errorf("SchoolSettings = %s, %v; want the replaced document", got, err)
		}
		return nil
	})
}
