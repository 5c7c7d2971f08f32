package conformance

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
)

var adminTests = []test{
	{"RenameUnit", []string{"RenameUnit"}, testRenameUnit},
	{"MergeSchool", []string{"MergeSchool", "MergePerson"}, testMergeSchool},
	{"DeleteSchool", []string{"DeleteSchool"}, testDeleteSchool},
	{"DeletePerson", []string{"DeletePerson"}, testDeletePerson},
	{"Audit", []string{"AddAudit", "AuditTrail"}, testAudit},
}

// placeAndBind puts p in units and binds them to openid: what a merge
// must carry over to the person kept and a delete must remove.
func (e *env) placeAndBind(tx bot.Tx, p bot.Person, openid string, units ...int64) error {
	if err := tx.SetPersonUnits(e.ctx, p.ID, units); err != nil {
		return err
	}
	return tx.PutBinding(e.ctx, bot.Binding{PersonID: p.ID, OpenID: openid, Active: true, BoundAt: now})
}

func testRenameUnit(t *testing.T, e *env) {
	school := e.school("一中", "YZ01")
	a, b := e.unit(school, bot.UnitDepartment, "教务处"), e.unit(school, bot.UnitDepartment, "总务处")
	e.must(func(tx bot.Tx) error {
		wantErr(t, "RenameUnit", tx.RenameUnit(e.ctx, school.ID, "第一中学"), nil)
		got, err := tx.Unit(e.ctx, school.ID)
		if err != nil || got.Name != "第一中学" || got.Code != "YZ01" {
			t.Errorf("renamed school = %+v, %v", got, err)
		}
		wantErr(t, "RenameUnit(missing)", tx.RenameUnit(e.ctx, 999999, "x"), bot.ErrNotFound)
		return nil
	})
	err := e.update(func(tx bot.Tx) error { return tx.RenameUnit(e.ctx, b.ID, a.Name) })
	wantErr(t, "RenameUnit(sibling's name)", err, bot.ErrConflict)
}

func testMergeSchool(t *testing.T, e *env) {
	right, typo := e.school("实验学校", "SY01"), e.school("实验中学", "SY02")
	rightDept := e.unit(right, bot.UnitDepartment, "总务处")
	typoDept, typoOnly := e.unit(typo, bot.UnitDepartment, "总务处"), e.unit(typo, bot.UnitDepartment, "教务处")
	typoClass := e.unit(typoOnly, bot.UnitClass, "初一(1)班")
	kept, twin, moved := e.person(right, "罗明"), e.person(typo, "罗明"), e.person(typo, "王五")
	os := e.create(opinion(typo, "MMMM-0001", 0))
	e.must(func(tx bot.Tx) error {
		if err := e.placeAndBind(tx, twin, "o-twin", typoDept.ID); err != nil {
			return err
		}
		if err := tx.SetPersonUnits(e.ctx, kept.ID, []int64{rightDept.ID}); err != nil {
			return err
		}
		if err := tx.SetPersonUnits(e.ctx, moved.ID, []int64{typoDept.ID, typoOnly.ID}); err != nil {
			return err
		}
		if _, err := tx.CreateStudent(e.ctx, bot.Student{SchoolID: typo.ID, ClassID: typoClass.ID, Name: "张小明", Active: true}); err != nil {
			return err
		}
		o := os[0]
		o.AssignedUnitID, o.UnitID, o.Status = typoDept.ID, typoOnly.ID, bot.StatusAssigned
		if err := tx.UpdateOpinion(e.ctx, o); err != nil {
			return err
		}
		return tx.AddOpinionEvent(e.ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: "assigned", ActorID: twin.ID, At: now})
	})
	e.must(func(tx bot.Tx) error {
		wantErr(t, "MergePerson", tx.MergePerson(e.ctx, twin.ID, kept.ID), nil)
		wantErr(t, "MergeSchool", tx.MergeSchool(e.ctx, typo.ID, right.ID), nil)
		return nil
	})
	e.must(func(tx bot.Tx) error {
		_, err := tx.Unit(e.ctx, typo.ID)
		wantErr(t, "the merged school", err, bot.ErrNotFound)
		_, err = tx.Unit(e.ctx, typoDept.ID)
		wantErr(t, "the twin unit", err, bot.ErrNotFound)
		units, err := tx.UnitsOfSchool(e.ctx, right.ID)
		if err != nil {
			return err
		}
		var names []string
		for _, u := range units {
			names = append(names, u.Name)
		}
		if diff := cmp.Diff([]string{"实验学校", "总务处", "教务处", "初一(1)班"}, names); diff != "" {
			t.Errorf("units after the merge mismatch (-want +got):\n%s", diff)
		}
		staff, err := tx.Staff(e.ctx, right.ID, true)
		if err != nil {
			return err
		}
		if len(staff) != 2 {
			t.Errorf("staff after the merge: %+v, want 罗明 once and 王五", staff)
		}
		got, err := tx.PersonUnits(e.ctx, moved.ID)
		if diff := cmp.Diff([]int64{rightDept.ID, typoOnly.ID}, got); err != nil || diff != "" {
			t.Errorf("王五's units mismatch (-want +got):\n%s %v", diff, err)
		}
		b, err := tx.BindingByOpenID(e.ctx, "o-twin")
		if err != nil || b.PersonID != kept.ID {
			t.Errorf("the twin's binding = %+v, %v; want it on 罗明 (%d)", b, err, kept.ID)
		}
		o, err := tx.Opinion(e.ctx, os[0].ID)
		if err != nil || o.SchoolID != right.ID || o.AssignedUnitID != rightDept.ID || o.UnitID != typoOnly.ID {
			t.Errorf("the opinion after the merge = %+v, %v", o, err)
		}
		ev, err := tx.OpinionEvents(e.ctx, o.ID)
		if err != nil || len(ev) != 1 || ev[0].ActorID != kept.ID {
			t.Errorf("events after the merge = %+v, %v", ev, err)
		}
		st, err := tx.Students(e.ctx, right.ID)
		if err != nil || len(st) != 1 || st[0].ClassID != typoClass.ID {
			t.Errorf("students after the merge = %+v, %v", st, err)
		}
		wantErr(t, "MergeSchool(itself)", tx.MergeSchool(e.ctx, right.ID, right.ID), bot.ErrInvalid)
		wantErr(t, "MergePerson(themselves)", tx.MergePerson(e.ctx, kept.ID, kept.ID), bot.ErrInvalid)
		return nil
	})
}

func testDeleteSchool(t *testing.T, e *env) {
	gone, stays := e.school("演示学校", "DEMO"), e.school("一中", "YZ01")
	dept := e.unit(gone, bot.UnitDepartment, "总务处")
	class := e.unit(dept, bot.UnitClass, "初一(1)班")
	p, q := e.person(gone, "林志远"), e.person(stays, "李老师")
	os := e.create(opinion(gone, "DDDD-0001", 0), opinion(gone, "DDDD-0002", 1), opinion(stays, "DDDD-0003", 2))
	e.must(func(tx bot.Tx) error {
		if err := e.placeAndBind(tx, p, "o-gone", dept.ID); err != nil {
			return err
		}
		if _, err := tx.CreateStudent(e.ctx, bot.Student{SchoolID: gone.ID, ClassID: class.ID, Name: "张小明", Active: true}); err != nil {
			return err
		}
		merged := os[1]
		merged.MergedInto, merged.Status = os[0].ID, bot.StatusMerged
		if err := tx.UpdateOpinion(e.ctx, merged); err != nil {
			return err
		}
		if err := tx.AddOpinionEvent(e.ctx, bot.OpinionEvent{OpinionID: os[0].ID, Kind: "assigned", ActorID: p.ID, At: now}); err != nil {
			return err
		}
		st, err := tx.StudentsNamed(e.ctx, gone.ID, "张小明")
		if err != nil || len(st) != 1 {
			t.Fatalf("students named: %+v, %v", st, err)
		}
		day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
		v, err := tx.CreateVisit(e.ctx, bot.Visit{SchoolID: gone.ID, TeacherID: p.ID, ClassID: class.ID, StudentID: st[0].ID,
			Class: class.Name, Student: "张小明", Day: day, Mode: "上门", Notes: "作业太多", Created: now})
		if err != nil {
			return err
		}
		if err := tx.SetVisitOpinion(e.ctx, v.ID, os[0].ID); err != nil {
			return err
		}
		if _, err := tx.CreateObservation(e.ctx, bot.Observation{SchoolID: gone.ID, ObserverID: p.ID, ClassID: class.ID, Class: class.Name,
			Subject: "语文", TeacherID: p.ID, TeacherName: "林志远", Day: day, Notes: "好", Created: now}); err != nil {
			return err
		}
		if _, err := tx.CreateTalk(e.ctx, bot.Talk{SchoolID: gone.ID, LeaderID: p.ID, TeacherName: "王老师", Day: day, Notes: "谈心", Created: now}); err != nil {
			return err
		}
		return tx.PutSchoolSettings(e.ctx, gone.ID, []byte(`{}`))
	})
	e.must(func(tx bot.Tx) error {
		wantErr(t, "DeleteSchool", tx.DeleteSchool(e.ctx, gone.ID), nil)
		wantErr(t, "DeleteSchool(missing)", tx.DeleteSchool(e.ctx, 999999), bot.ErrNotFound)
		return nil
	})
	e.must(func(tx bot.Tx) error {
		for _, id := range []int64{gone.ID, dept.ID, class.ID} {
			_, err := tx.Unit(e.ctx, id)
			wantErr(t, "a deleted unit", err, bot.ErrNotFound)
		}
		_, err := tx.Person(e.ctx, p.ID)
		wantErr(t, "a deleted person", err, bot.ErrNotFound)
		_, err = tx.BindingByOpenID(e.ctx, "o-gone")
		wantErr(t, "a deleted binding", err, bot.ErrNotFound)
		_, err = tx.OpinionByCode(e.ctx, "DDDD-0001")
		wantErr(t, "a deleted opinion", err, bot.ErrNotFound)
		// The other school is untouched.
		if _, err := tx.OpinionByCode(e.ctx, "DDDD-0003"); err != nil {
			t.Errorf("the other school's opinion: %v", err)
		}
		if _, err := tx.Person(e.ctx, q.ID); err != nil {
			t.Errorf("the other school's person: %v", err)
		}
		return nil
	})
}

func testDeletePerson(t *testing.T, e *env) {
	school := e.school("一中", "YZ01")
	dept := e.unit(school, bot.UnitDepartment, "总务处")
	mistake, actor := e.person(school, "误导入"), e.person(school, "校长")
	os := e.create(opinion(school, "PPPP-0001", 0))
	e.must(func(tx bot.Tx) error {
		if err := e.placeAndBind(tx, mistake, "o-mistake", dept.ID); err != nil {
			return err
		}
		return tx.AddOpinionEvent(e.ctx, bot.OpinionEvent{OpinionID: os[0].ID, Kind: "assigned", ActorID: actor.ID, At: now})
	})
	e.must(func(tx bot.Tx) error {
		wantErr(t, "DeletePerson", tx.DeletePerson(e.ctx, mistake.ID), nil)
		_, err := tx.Person(e.ctx, mistake.ID)
		wantErr(t, "the deleted person", err, bot.ErrNotFound)
		_, err = tx.BindingByOpenID(e.ctx, "o-mistake")
		wantErr(t, "their binding", err, bot.ErrNotFound)
		wantErr(t, "DeletePerson(missing)", tx.DeletePerson(e.ctx, 999999), bot.ErrNotFound)
		return nil
	})
	err := e.update(func(tx bot.Tx) error { return tx.DeletePerson(e.ctx, actor.ID) })
	wantErr(t, "DeletePerson(acted in the ledger)", err, bot.ErrConflict)
	visitor := e.person(school, "家访老师")
	e.must(func(tx bot.Tx) error {
		_, err := tx.CreateVisit(e.ctx, bot.Visit{SchoolID: school.ID, TeacherID: visitor.ID, Class: "初一(1)班", Student: "张小明",
			Day: time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), Mode: "电话", Notes: "好", Flagged: true, Created: now})
		return err
	})
	err = e.update(func(tx bot.Tx) error { return tx.DeletePerson(e.ctx, visitor.ID) })
	wantErr(t, "DeletePerson(has visits)", err, bot.ErrConflict)
}

func testAudit(t *testing.T, e *env) {
	school := e.school("一中", "YZ01")
	want := []bot.AuditEntry{
		{At: now.Add(time.Minute), Command: "schools rename", SchoolID: school.ID, Detail: "一中 → 第一中学"},
		{At: now.Add(2 * time.Minute), Command: "demo remove", Detail: "演示学校（DEMO）😀"},
	}
	e.must(func(tx bot.Tx) error {
		for _, a := range want {
			if err := tx.AddAudit(e.ctx, a); err != nil {
				return err
			}
		}
		return nil
	})
	e.must(func(tx bot.Tx) error {
		got, err := tx.AuditTrail(e.ctx, 10)
		if err != nil {
			return err
		}
		for i := range got {
			if got[i].ID == 0 {
				t.Errorf("entry %d has no ID", i)
			}
			got[i].ID = 0
		}
		if diff := cmp.Diff([]bot.AuditEntry{want[1], want[0]}, got); diff != "" {
			t.Errorf("AuditTrail mismatch (-want +got):\n%s", diff)
		}
		one, err := tx.AuditTrail(e.ctx, 1)
		if err != nil || len(one) != 1 || one[0].Command != "demo remove" {
			t.Errorf("AuditTrail(1) = %+v, %v", one, err)
		}
		return nil
	})
}
