package conformance

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
)

var orgTests = []test{
	{"Units", []string{"CreateUnit", "Unit", "UnitByName", "UnitByCode", "Units", "UnitsOfSchool"}, testUnits},
}

func testUnits(t *testing.T, e *env) {
	var bureau, s1, s2, dept, class, other bot.OrgUnit
	e.must(func(tx bot.Tx) error {
		var err error
		if bureau, err = tx.CreateUnit(e.ctx, bot.OrgUnit{Kind: bot.UnitBureau, Name: "教育局"}); err != nil {
			return err
		}
		if s1, err = tx.CreateUnit(e.ctx, bot.OrgUnit{ParentID: bureau.ID, Kind: bot.UnitSchool, Name: "一中", Code: "YZ01"}); err != nil {
			return err
		}
		if s2, err = tx.CreateUnit(e.ctx, bot.OrgUnit{ParentID: bureau.ID, Kind: bot.UnitSchool, Name: "二中", Code: "EZ02"}); err != nil {
			return err
		}
		if dept, err = tx.CreateUnit(e.ctx, bot.OrgUnit{ParentID: s1.ID, SchoolID: s1.ID, Kind: bot.UnitDepartment, Name: "教务处"}); err != nil {
			return err
		}
		if class, err = tx.CreateUnit(e.ctx, bot.OrgUnit{ParentID: s1.ID, SchoolID: s1.ID, Kind: bot.UnitClass, Name: "七年级1班"}); err != nil {
			return err
		}
		other, err = tx.CreateUnit(e.ctx, bot.OrgUnit{ParentID: s2.ID, SchoolID: s2.ID, Kind: bot.UnitDepartment, Name: "教务处"})
		return err
	})
	if s1.ID == 0 || s1.SchoolID != s1.ID || bureau.SchoolID != 0 {
		t.Errorf("created school %+v, bureau %+v; want a school's SchoolID to be its ID, a bureau's 0", s1, bureau)
	}
	for _, c := range []struct {
		name string
		u    bot.OrgUnit
	}{
		{"same kind and name under one parent", bot.OrgUnit{ParentID: s1.ID, SchoolID: s1.ID, Kind: bot.UnitDepartment, Name: "教务处"}},
		{"a code taken", bot.OrgUnit{ParentID: bureau.ID, Kind: bot.UnitSchool, Name: "三中", Code: "YZ01"}},
	} {
		err := e.update(func(tx bot.Tx) error { _, err := tx.CreateUnit(e.ctx, c.u); return err })
		wantErr(t, "CreateUnit: "+c.name, err, bot.ErrConflict)
	}

	e.must(func(tx bot.Tx) error {
		for _, c := range []struct {
			name string
			get  func() (bot.OrgUnit, error)
			want bot.OrgUnit
			err  error
		}{
			{"Unit", func() (bot.OrgUnit, error) { return tx.Unit(e.ctx, dept.ID) }, dept, nil},
			{"Unit(missing)", func() (bot.OrgUnit, error) { return tx.Unit(e.ctx, 999999) }, bot.OrgUnit{}, bot.ErrNotFound},
			{"UnitByName(root)", func() (bot.OrgUnit, error) { return tx.UnitByName(e.ctx, 0, bot.UnitBureau, "教育局") }, bureau, nil},
			{"UnitByName(child)", func() (bot.OrgUnit, error) { return tx.UnitByName(e.ctx, s2.ID, bot.UnitDepartment, "教务处") }, other, nil},
			{"UnitByName(other kind)", func() (bot.OrgUnit, error) { return tx.UnitByName(e.ctx, s1.ID, bot.UnitCampus, "教务处") }, bot.OrgUnit{}, bot.ErrNotFound},
			{"UnitByName(missing root)", func() (bot.OrgUnit, error) { return tx.UnitByName(e.ctx, 0, bot.UnitSchool, "一中") }, bot.OrgUnit{}, bot.ErrNotFound},
			{"UnitByCode", func() (bot.OrgUnit, error) { return tx.UnitByCode(e.ctx, "EZ02") }, s2, nil},
			{"UnitByCode(missing)", func() (bot.OrgUnit, error) { return tx.UnitByCode(e.ctx, "NONE") }, bot.OrgUnit{}, bot.ErrNotFound},
		} {
			got, err := c.get()
			wantErr(t, c.name, err, c.err)
			if diff := cmp.Diff(c.want, got); err == nil && diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", c.name, diff)
			}
		}
		for _, c := range []struct {
			name string
			get  func() ([]bot.OrgUnit, error)
			want []bot.OrgUnit
		}{
			{"Units()", func() ([]bot.OrgUnit, error) { return tx.Units(e.ctx) }, []bot.OrgUnit{bureau, s1, s2, dept, class, other}},
			{"Units(school)", func() ([]bot.OrgUnit, error) { return tx.Units(e.ctx, bot.UnitSchool) }, []bot.OrgUnit{s1, s2}},
			{"Units(bureau, class)", func() ([]bot.OrgUnit, error) { return tx.Units(e.ctx, bot.UnitBureau, bot.UnitClass) }, []bot.OrgUnit{bureau, class}},
			{"Units(grade)", func() ([]bot.OrgUnit, error) { return tx.Units(e.ctx, bot.UnitGrade) }, []bot.OrgUnit{}},
			{"UnitsOfSchool", func() ([]bot.OrgUnit, error) { return tx.UnitsOfSchool(e.ctx, s1.ID) }, []bot.OrgUnit{s1, dept, class}},
			{"UnitsOfSchool(bureau)", func() ([]bot.OrgUnit, error) { return tx.UnitsOfSchool(e.ctx, bureau.ID) }, []bot.OrgUnit{}},
		} {
			got, err := c.get()
			wantErr(t, c.name, err, nil)
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", c.name, diff)
			}
		}
		return nil
	})
}
