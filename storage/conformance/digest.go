package conformance

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
)

var digestTests = []test{
	{"DigestQueries", []string{"DigestCreated", "DigestActive", "DigestDue", "DigestRatings", "ExportOpinions"}, testDigestQueries},
}

// testDigestQueries: the weekly digest's reads over two schools — made in a
// range (bounds included, excluded), open or moved since, with every event;
// due counts with the end of the due day in the school's zone; ratings;
// the export with text — and nothing of another school.
func testDigestQueries(t *testing.T, e *env) {
	a, b := e.school("一中", "DG01"), e.school("二中", "DG02")
	dept := e.unit(a, bot.UnitDepartment, "教务处")
	teacher := e.person(a, "李老师", bot.RoleTeacher)
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	o1 := opinion(a, "DGAA-0001", 0) // Monday 08:00 UTC: received, still open
	o2 := opinion(a, "DGAA-0002", 60)
	o2.Status, o2.AssignedUnitID, o2.Due = bot.StatusClosed, dept.ID, day("2026-11-24")
	o2.AnsweredAt, o2.Answer = time.Date(2026, 11, 24, 15, 59, 0, 0, time.UTC), "已整改" // 23:59 in UTC+8: in time
	o2.Rating, o2.RatedAt, o2.Updated = "basic", now.Add(30*time.Hour), now.Add(31*time.Hour)
	o3 := opinion(a, "DGAA-0003", 120)
	o3.Status, o3.Due = bot.StatusAnswered, day("2026-11-24")
	o3.AnsweredAt, o3.Answer = time.Date(2026, 11, 24, 16, 0, 0, 0, time.UTC), "晚了" // 00:00 the next day in UTC+8: late
	o3.Anonymous, o3.RecorderID, o3.Source = false, teacher.ID, bot.SourceHomeVisit
	old := opinion(a, "DGAA-0004", -7*24*60) // a week before, closed long ago
	old.Status, old.Updated = bot.StatusClosed, now.Add(-6*24*time.Hour)
	other := opinion(b, "DGBB-0001", 0)
	os := e.create(o1, o2, o3, old, other)
	e.must(func(tx bot.Tx) error {
		for _, ev := range []bot.OpinionEvent{
			{OpinionID: os[1].ID, Kind: "received", At: os[1].Created},
			{OpinionID: os[1].ID, Kind: "assigned", At: os[1].Created.Add(time.Hour)},
			{OpinionID: os[1].ID, Kind: "answered", At: o2.AnsweredAt},
			{OpinionID: os[3].ID, Kind: "closed", At: old.Updated},
		} {
			if err := tx.AddOpinionEvent(e.ctx, ev); err != nil {
				return err
			}
		}
		return nil
	})

	e.must(func(tx bot.Tx) error {
		// Made in [now, now+2h): o1 and o2, not o3 (at the bound), not b's.
		got, err := tx.DigestCreated(e.ctx, []int64{a.ID}, now, now.Add(120*time.Minute))
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0].Code != "DGAA-0001" || got[1].Code != "DGAA-0002" || got[0].Sender != "opinion:"+itoa(os[0].ID) || got[1].Sender != "opinion:"+itoa(os[1].ID) {
			t.Errorf("DigestCreated = %+v", got)
		}
		if g := got[1]; g.Status != bot.StatusClosed || !g.Due.Equal(day("2026-11-24")) || g.AssignedUnitID != dept.ID || g.Rating != "basic" || !g.AnsweredAt.Equal(o2.AnsweredAt) {
			t.Errorf("DigestCreated fields = %+v", g)
		}
		got, err = tx.DigestCreated(e.ctx, []int64{a.ID, b.ID}, now, now.Add(time.Minute))
		if err != nil || len(got) != 2 || got[0].SchoolID == got[1].SchoolID {
			t.Errorf("DigestCreated over two schools = %+v, %v", got, err)
		}
		if got, err := tx.DigestCreated(e.ctx, nil, now, now.Add(time.Hour)); err != nil || len(got) != 0 {
			t.Errorf("DigestCreated(no schools) = %v, %v", got, err)
		}

		// Open now or moved since now: o1 (open), o2 and o3 (updated); not
		// the old one. Every event of those, none of the old one's.
		act, evs, err := tx.DigestActive(e.ctx, []int64{a.ID}, now)
		if err != nil {
			return err
		}
		codes := map[string]string{}
		for _, o := range act {
			codes[o.Code] = o.Sender
		}
		if diff := cmp.Diff(map[string]string{"DGAA-0001": "opinion:" + itoa(os[0].ID), "DGAA-0002": "opinion:" + itoa(os[1].ID), "DGAA-0003": "staff:" + itoa(teacher.ID)}, codes); diff != "" {
			t.Errorf("DigestActive mismatch (-want +got):\n%s", diff)
		}
		var kinds []string
		for _, ev := range evs {
			if ev.OpinionID == os[3].ID {
				t.Errorf("DigestActive returned the old opinion's event %+v", ev)
			}
			kinds = append(kinds, ev.Kind)
		}
		if diff := cmp.Diff([]string{"received", "assigned", "answered"}, kinds); diff != "" {
			t.Errorf("DigestActive events mismatch (-want +got):\n%s", diff)
		}

		// Due on 24 November: two, one answered in time (UTC+8: the day
		// ends 16:00 UTC), one closed.
		due, err := tx.DigestDue(e.ctx, []int64{a.ID, b.ID}, day("2026-11-24"), day("2026-11-25"), 16*time.Hour)
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]bot.DigestDue{{SchoolID: a.ID, Category: "teaching", Due: 2, AnsweredInTime: 1, Closed: 1}}, due); diff != "" {
			t.Errorf("DigestDue mismatch (-want +got):\n%s", diff)
		}
		if due, err := tx.DigestDue(e.ctx, []int64{a.ID}, day("2026-11-25"), day("2026-11-26"), 16*time.Hour); err != nil || len(due) != 0 {
			t.Errorf("DigestDue(no day) = %v, %v", due, err)
		}

		ratings, err := tx.DigestRatings(e.ctx, []int64{a.ID}, now, now.Add(48*time.Hour))
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]bot.DigestRating{{SchoolID: a.ID, Category: "teaching", Rating: "basic", Count: 1}}, ratings); diff != "" {
			t.Errorf("DigestRatings mismatch (-want +got):\n%s", diff)
		}

		ex, err := tx.ExportOpinions(e.ctx, a.ID, now, now.Add(time.Hour*24))
		if err != nil {
			return err
		}
		if len(ex) != 3 || ex[0].Text != "作业太多 😀" || ex[1].Answer != "已整改" || ex[2].Code != "DGAA-0003" {
			t.Errorf("ExportOpinions = %+v", ex)
		}
		return nil
	})
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
