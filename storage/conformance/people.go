package conformance

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"minqing/bot"
)

var peopleTests = []test{
	{"People", []string{"CreatePerson", "Person", "Staff", "UpdatePerson"}, testPeople},
	{"PersonUnits", []string{"PersonUnits", "SetPersonUnits"}, testPersonUnits},
	{"Students", []string{"CreateStudent", "Students", "UpdateStudent"}, testStudents},
}

func testPeople(t *testing.T, e *env) {
	school, other := e.school("一中", "YZ01"), e.school("二中", "EZ02")
	var a, b bot.Person
	e.must(func(tx bot.Tx) error {
		var err error
		a, err = tx.CreatePerson(e.ctx, bot.Person{SchoolID: school.ID, Name: "李老师", Title: "教务主任",
			Roles: []bot.Role{bot.RoleTeacher, bot.RoleMiddleLeader}, PhoneTail: "1234", StaffNo: "T001", Active: true})
		if err != nil {
			return err
		}
		b, err = tx.CreatePerson(e.ctx, bot.Person{SchoolID: school.ID, Name: "王老师", Active: false})
		return err
	})
	e.person(other, "别校")
	a.School, b.School = school.Name, school.Name
	if a.ID == 0 || !a.Created.Equal(now) {
		t.Errorf("created %+v; want an ID and Created from the store's clock", a)
	}
	e.must(func(tx bot.Tx) error {
		got, err := tx.Person(e.ctx, a.ID)
		wantErr(t, "Person", err, nil)
		if diff := cmp.Diff(a, got); diff != "" {
			t.Errorf("Person mismatch (-want +got):\n%s", diff)
		}
		_, err = tx.Person(e.ctx, 999999)
		wantErr(t, "Person(missing)", err, bot.ErrNotFound)
		active, err := tx.Staff(e.ctx, school.ID, false)
		wantErr(t, "Staff", err, nil)
		if diff := cmp.Diff([]bot.Person{a}, active); diff != "" {
			t.Errorf("Staff(active) mismatch (-want +got):\n%s", diff)
		}
		all, err := tx.Staff(e.ctx, school.ID, true)
		wantErr(t, "Staff(all)", err, nil)
		if diff := cmp.Diff([]bot.Person{a, b}, all); diff != "" {
			t.Errorf("Staff(all) mismatch (-want +got):\n%s", diff)
		}

		// UpdatePerson saves every field but ID, SchoolID and Created.
		changed := a
		changed.Name, changed.Title, changed.Roles, changed.PhoneTail, changed.StaffNo, changed.Active =
			"李主任", "", []bot.Role{bot.RoleSchoolLeader}, "", "T009", false
		moved := changed
		moved.SchoolID, moved.Created = other.ID, now.AddDate(-1, 0, 0)
		wantErr(t, "UpdatePerson", tx.UpdatePerson(e.ctx, moved), nil)
		got, err = tx.Person(e.ctx, a.ID)
		wantErr(t, "Person(updated)", err, nil)
		if diff := cmp.Diff(changed, got); diff != "" {
			t.Errorf("updated Person mismatch (-want +got):\n%s", diff)
		}
		missing := a
		missing.ID = 999999
		wantErr(t, "UpdatePerson(missing)", tx.UpdatePerson(e.ctx, missing), bot.ErrNotFound)
		return nil
	})
}

func testPersonUnits(t *testing.T, e *env) {
	school := e.school("一中", "YZ01")
	d1, d2, d3 := e.unit(school, bot.UnitDepartment, "教务处"), e.unit(school, bot.UnitDepartment, "政教处"), e.unit(school, bot.UnitClass, "一班")
	p, q := e.person(school, "甲"), e.person(school, "乙")
	for _, s := range []struct {
		name string
		set  []int64
		want []int64
	}{
		{"none yet", nil, nil},
		{"two, one named twice", []int64{d2.ID, d1.ID, d2.ID}, []int64{d1.ID, d2.ID}},
		{"one kept, one dropped, one added", []int64{d3.ID, d2.ID}, []int64{d2.ID, d3.ID}},
		{"the same again", []int64{d2.ID, d3.ID}, []int64{d2.ID, d3.ID}},
		{"all removed", []int64{}, nil},
		{"one", []int64{d1.ID}, []int64{d1.ID}},
	} {
		e.must(func(tx bot.Tx) error {
			if s.set != nil || s.name != "none yet" {
				if err := tx.SetPersonUnits(e.ctx, p.ID, s.set); err != nil {
					return err
				}
			}
			got, err := tx.PersonUnits(e.ctx, p.ID)
			if diff := cmp.Diff(s.want, got, cmpopts.EquateEmpty()); err == nil && diff != "" {
				t.Errorf("%s: PersonUnits mismatch (-want +got):\n%s", s.name, diff)
			}
			return err
		})
	}
	// Another person's units are their own.
	e.must(func(tx bot.Tx) error {
		if err := tx.SetPersonUnits(e.ctx, q.ID, []int64{d3.ID}); err != nil {
			return err
		}
		got, err := tx.PersonUnits(e.ctx, p.ID)
		if diff := cmp.Diff([]int64{d1.ID}, got); err == nil && diff != "" {
			t.Errorf("PersonUnits after another's change mismatch (-want +got):\n%s", diff)
		}
		return err
	})
}

func testStudents(t *testing.T, e *env) {
	school, other := e.school("一中", "YZ01"), e.school("二中", "EZ02")
	c1, c2 := e.unit(school, bot.UnitClass, "七年级1班"), e.unit(school, bot.UnitClass, "七年级2班")
	oc := e.unit(other, bot.UnitClass, "一班")
	var s1, s2 bot.Student
	e.must(func(tx bot.Tx) error {
		var err error
		if s1, err = tx.CreateStudent(e.ctx, bot.Student{SchoolID: school.ID, ClassID: c1.ID, Name: "张三", StudentNo: "S1", Active: true}); err != nil {
			return err
		}
		if s2, err = tx.CreateStudent(e.ctx, bot.Student{SchoolID: school.ID, ClassID: c1.ID, Name: "李四", Active: true}); err != nil {
			return err
		}
		_, err = tx.CreateStudent(e.ctx, bot.Student{SchoolID: other.ID, ClassID: oc.ID, Name: "王五", Active: true})
		return err
	})
	if s1.ID == 0 || s2.ID <= s1.ID {
		t.Errorf("created %+v, %+v; want increasing IDs", s1, s2)
	}
	e.must(func(tx bot.Tx) error {
		got, err := tx.Students(e.ctx, school.ID)
		if diff := cmp.Diff([]bot.Student{s1, s2}, got); err == nil && diff != "" {
			t.Errorf("Students mismatch (-want +got):\n%s", diff)
		}
		// UpdateStudent saves every field but ID and SchoolID.
		s1.ClassID, s1.Name, s1.StudentNo = c2.ID, "张叁", ""
		moved := s1
		moved.SchoolID = other.ID
		wantErr(t, "UpdateStudent", tx.UpdateStudent(e.ctx, moved), nil)
		s2.Active = false
		wantErr(t, "UpdateStudent(leaves)", tx.UpdateStudent(e.ctx, s2), nil)
		wantErr(t, "UpdateStudent(missing)", tx.UpdateStudent(e.ctx, bot.Student{ID: 999999, ClassID: c1.ID, Name: "无"}), bot.ErrNotFound)
		got, err = tx.Students(e.ctx, school.ID)
		if diff := cmp.Diff([]bot.Student{s1}, got); err == nil && diff != "" {
			t.Errorf("Students after updates mismatch (-want +got):\n%s", diff)
		}
		return err
	})
}
