package roster

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSynonymsTable: every alias of the table names exactly its own column
// (no alias in two columns of one table), and the headers schools really
// write are understood.
func TestSynonymsTable(t *testing.T) {
	for name, columns := range map[string][]rosterColumn{"staff": staffColumns, "students": studentColumns} {
		seen := map[string]rosterField{}
		lookup := map[string]rosterField{}
		for _, c := range columns {
			for _, a := range c.aliases {
				if f, dup := seen[a]; dup {
					t.Errorf("%s: alias %q in columns %d and %d", name, a, f, c.field)
				}
				seen[a] = c.field
				lookup[a] = c.field
				if rosterHeaderKey(a) != a {
					t.Errorf("%s: alias %q is not in header-key form %q", name, a, rosterHeaderKey(a))
				}
			}
		}
		for _, u := range unusedColumns {
			if _, ok := seen[u]; ok {
				t.Errorf("%s: %q is both a column and unused", name, u)
			}
		}
	}
	lookup := map[string]rosterField{}
	for _, c := range staffColumns {
		for _, a := range c.aliases {
			lookup[a] = c.field
		}
	}
	for header, want := range map[string]rosterField{
		"所在处室": rosterDepartments, "部门名称": rosterDepartments, "工作部门": rosterDepartments, "所属处室（必填）": rosterDepartments,
		"政治身份": rosterParty, "政治面貌": rosterParty, "现任职务": rosterTitle, "真实 姓名": rosterName,
		"联系手机": rosterPhone, "教职工号": rosterStaffNo, "任课班级": rosterClasses, "所属校区": rosterCampus,
		"任教学科": 0, "性别": 0,
	} {
		if got := rosterMatchHeader(header, lookup); got != want {
			t.Errorf("header %q = column %d, want %d", header, got, want)
		}
	}
}

// TestColumnSuggestions: an unrecognised header a typo away from a known
// column gets a suggestion; the known-unused ones and strangers get none.
func TestColumnSuggestions(t *testing.T) {
	rows := [][]string{
		{"姓名", "部们", "职物", "手机号吗", "任教学科", "序号", "爱好"},
		{"王丽", "教务处", "教师", "13800001234", "语文", "1", "篮球"},
	}
	r, err := ParseStaffRoster(rows)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"部们", "职物", "手机号吗", "任教学科", "序号", "爱好"}, r.Ignored); diff != "" {
		t.Errorf("ignored mismatch (-want +got):\n%s", diff)
	}
	want := map[string]string{"部们": "部门", "职物": "职务", "手机号吗": "手机号后四位"}
	if diff := cmp.Diff(want, r.Suggest); diff != "" {
		t.Errorf("suggestions mismatch (-want +got):\n%s", diff)
	}
}
