package roster

import (
	"errors"
	"strings"
	"testing"

	"minqing/bot"

	"github.com/google/go-cmp/cmp"
)

func TestRolesFromTitle(t *testing.T) {
	const (
		T  = bot.RoleTeacher
		P  = bot.RolePartyMember
		M  = bot.RoleMiddleLeader
		S  = bot.RoleSchoolLeader
		PS = bot.RolePartySecretary
		D  = bot.RoleDiscipline
		A  = bot.RoleAdmin
	)
	tests := []struct {
		title string
		party bool
		want  []bot.Role
	}{
		{"", false, []bot.Role{T}},
		{"", true, []bot.Role{T, P}},
		{"教师", false, []bot.Role{T}},
		{"老师", true, []bot.Role{T, P}},
		{"班主任", false, []bot.Role{T}},
		{"副班主任", false, []bot.Role{T}},
		{"科任", false, []bot.Role{T}},
		{"语文教研组长", true, []bot.Role{T, P}},
		{"备课组长", false, []bot.Role{T}},
		{"年级组长", false, []bot.Role{T, M}},
		{"校长", true, []bot.Role{T, P, S}},
		{"副校长", false, []bot.Role{T, S}},
		{"执行校长", false, []bot.Role{T, S}},
		{"常务副校长", false, []bot.Role{T, S}},
		{"者力完小校长", false, []bot.Role{T, S}},
		{"园长", false, []bot.Role{T, S}},
		{"校级领导", false, []bot.Role{T, S}},
		{"校长助理", false, []bot.Role{T, M}},
		{"党支部书记", false, []bot.Role{T, P, S, PS}},
		{"党总支书记", true, []bot.Role{T, P, S, PS}},
		{"书记", false, []bot.Role{T, P, S, PS}},
		{"党支部副书记", false, []bot.Role{T, P, S}},
		{"党支部书记、校长", true, []bot.Role{T, P, S, PS}},
		{"校长兼党支部书记", true, []bot.Role{T, P, S, PS}},
		{"团委书记", false, []bot.Role{T, M}},
		{"纪检委员", false, []bot.Role{T, P, D}},
		{"纪委委员", true, []bot.Role{T, P, D}},
		{"纪检监察员", false, []bot.Role{T, P, D}},
		{"党支部委员、副校长", false, []bot.Role{T, P, S}},
		{"支委", false, []bot.Role{T, P}},
		{"教务处主任", true, []bot.Role{T, P, M}},
		{"政教处副主任", false, []bot.Role{T, M}},
		{"总务处主任", false, []bot.Role{T, M}},
		{"校长办公室主任", false, []bot.Role{T, M}},
		{"教科室主任", false, []bot.Role{T, M}},
		{"教务处副处长", false, []bot.Role{T, M}},
		{"中层干部", false, []bot.Role{T, M}},
		{"工会主席", false, []bot.Role{T, M}},
		{"教务处主任、班主任", false, []bot.Role{T, M}},
		{"总务主任兼出纳", false, []bot.Role{T, M}},
		{"信息管理员", false, []bot.Role{T, A}},
		{"信息技术管理员", false, []bot.Role{T, A}},
		{"信息员", false, []bot.Role{T, A}},
		{"网管", false, []bot.Role{T, A}},
		{"管理员", false, []bot.Role{T, A}},
		{"信息技术教师", false, []bot.Role{T}},
		{"图书管理员", false, []bot.Role{T}},
		{"保安", false, nil},
		{"门卫", false, nil},
		{"食堂管理员", false, nil},
		{"厨师", false, nil},
		{"会计", true, []bot.Role{P}},
		{"出纳", false, nil},
		{"司机", false, nil},
		{"保洁", false, nil},
		{"宿管", false, nil},
		{"宿舍管理员", false, nil},
		{"会计、出纳", false, nil},
		{"教师、会计", false, []bot.Role{T}},
		{" 教务处 主任 ", false, []bot.Role{T, M}},
		{"ＩＴ管理员", false, []bot.Role{T, A}},
		{"系统管理员", false, []bot.Role{T, A}},
	}
	for _, tt := range tests {
		got := RolesFromTitle(tt.title, tt.party)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("RolesFromTitle(%q, %v) mismatch (-want +got):\n%s", tt.title, tt.party, diff)
		}
	}
}

func TestRosterHeaderKey(t *testing.T) {
	tests := []struct {
		cell string
		want rosterField
	}{
		{"姓名", rosterName},
		{" 姓 名 ", rosterName},
		{"姓名：", rosterName},
		{"*姓名", rosterName},
		{"姓名（必填）", rosterName},
		{"姓名(必填)", rosterName},
		{"教职工姓名", rosterName},
		{"NAME", rosterName},
		{"手机号（后四位）", rosterPhone},
		{"手机号/后四位", rosterPhone},
		{"联系电话", rosterPhone},
		{"部门/处室", rosterDepartments},
		{"所在部门", rosterDepartments},
		{"政治面貌", rosterParty},
		{"行政职务", rosterTitle},
		{"编号", rosterStaffNo},
		{"班主任班级", rosterClasses},
		{"完小", rosterCampus},
		{"序号", 0},
		{"备注", 0},
		{"家长姓名", 0},
	}
	lookup := map[string]rosterField{}
	for _, c := range staffColumns {
		for _, a := range c.aliases {
			lookup[a] = c.field
		}
	}
	for _, tt := range tests {
		if got := rosterMatchHeader(tt.cell, lookup); got != tt.want {
			t.Errorf("rosterMatchHeader(%q) = %v, want %v", tt.cell, got, tt.want)
		}
	}
}

func TestParseStaffHeader(t *testing.T) {
	rows := [][]string{
		{"岳阳市第七中学2026年秋季教职工名单"},
		{"制表日期：2026年9月1日"},
		nil,
		{"序号", "职务", "姓名(必填)", "手机号", "备注"},
		{"1", "校长", "范小平", "13807300001", "x"},
	}
	r, err := ParseStaffRoster(rows)
	if err != nil {
		t.Fatal(err)
	}
	if r.HeaderRow != 4 {
		t.Errorf("HeaderRow = %d, want 4", r.HeaderRow)
	}
	if diff := cmp.Diff([]string{"序号", "备注"}, r.Ignored); diff != "" {
		t.Errorf("Ignored mismatch (-want +got):\n%s", diff)
	}
	want := []StaffRecord{{Row: 5, Name: "范小平", Title: "校长", PhoneTail: "0001", Roles: []bot.Role{bot.RoleTeacher, bot.RoleSchoolLeader}}}
	if diff := cmp.Diff(want, r.Records); diff != "" {
		t.Errorf("Records mismatch (-want +got):\n%s", diff)
	}
}

func TestParseStaffNoHeader(t *testing.T) {
	for _, rows := range [][][]string{
		nil,
		{{"岳阳市第七中学教职工名单"}, {"名", "电话"}, {"范小平", "13807300001"}},
		// The name column must be within the first 10 rows.
		append(make([][]string, 10), []string{"姓名"}, []string{"范小平"}),
	} {
		_, _, err := ParseStaff(rows)
		if !errors.Is(err, bot.ErrInvalid) {
			t.Fatalf("ParseStaff(%q) error = %v, want ErrInvalid", rows, err)
		}
		for _, want := range []string{"姓名", "教师姓名", "手机号后四位", "工号", "任教班级", "是否党员"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not list %q", err, want)
			}
		}
	}
	if _, _, err := ParseStudents(nil); !errors.Is(err, bot.ErrInvalid) || !strings.Contains(err.Error(), "学号") {
		t.Errorf("ParseStudents(nil) error = %v, want ErrInvalid listing 学号", err)
	}
}

func TestParseStaffCells(t *testing.T) {
	header := []string{"姓名", "部门", "职务", "是否党员", "手机号", "工号", "任教班级", "校区"}
	tests := []struct {
		name string
		row  []string
		want StaffRecord
	}{{
		name: "full-width and spaces",
		row:  []string{"\u3000王　丽\u00a0", " 教务处、工会 ", "班主任", "是", "１３８１２３４５６７８", "００１２", "初二（３）班，初二(4)班", "　本部 "},
		want: StaffRecord{Name: "王丽", Departments: []string{"教务处", "工会"}, Title: "班主任", PhoneTail: "5678",
			StaffNo: "0012", Classes: []string{"初二(3)班", "初二(4)班"}, Campus: "本部",
			Roles: []bot.Role{bot.RoleTeacher, bot.RolePartyMember}},
	}, {
		name: "several separators, repeated",
		row:  []string{"李娜", "教务处/政教处；教务处", "教务处主任", "群众", "5678", "", "初一1班 初一2班/初一1班"},
		want: StaffRecord{Name: "李娜", Departments: []string{"教务处", "政教处"}, Title: "教务处主任", PhoneTail: "5678",
			Classes: []string{"初一(1)班", "初一(2)班"}, Roles: []bot.Role{bot.RoleTeacher, bot.RoleMiddleLeader}},
	}, {
		name: "phone with separators",
		row:  []string{"张伟", "", "", "中共党员", "+86 138-0730-0006"},
		want: StaffRecord{Name: "张伟", PhoneTail: "0006", Roles: []bot.Role{bot.RoleTeacher, bot.RolePartyMember}},
	}, {
		name: "no phone",
		row:  []string{"Li Na", "", "保安", "共青团员", "无"},
		want: StaffRecord{Name: "Li Na", Title: "保安"},
	}, {
		name: "预备党员",
		row:  []string{"赵敏", "", "", "预备党员"},
		want: StaffRecord{Name: "赵敏", Roles: []bot.Role{bot.RoleTeacher, bot.RolePartyMember}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			recs, rej, err := ParseStaff([][]string{header, tt.row})
			if err != nil {
				t.Fatal(err)
			}
			if len(rej) != 0 {
				t.Fatalf("rejected: %v", rej)
			}
			tt.want.Row = 2
			if diff := cmp.Diff([]StaffRecord{tt.want}, recs); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseStaffRejections(t *testing.T) {
	header := []string{"姓名", "职务", "手机号后四位", "工号"}
	tests := []struct {
		name string
		rows [][]string
		want []Rejection
	}{{
		name: "missing name",
		rows: [][]string{{"", "教师", "1234"}},
		want: []Rejection{{2, "第2行：缺少姓名"}},
	}, {
		name: "name too long",
		rows: [][]string{{"阿卜杜热合曼·买买提艾力·阿不都克热木江", "教师"}, {strings.Repeat("王", 21)}},
		want: []Rejection{{3, "第3行：姓名“" + strings.Repeat("王", 21) + "”太长（最多20个字），请只填写姓名"}},
	}, {
		name: "name with digits",
		rows: [][]string{{"王丽2", "教师", "1234"}},
		want: []Rejection{{2, "第2行：姓名“王丽2”中有数字，请只填写姓名"}},
	}, {
		name: "bad phone",
		rows: [][]string{{"王丽", "教师", "12a"}, {"李娜", "", "123"}, {"张伟", "", "138xxxx5678"}},
		want: []Rejection{
			{2, "第2行：手机号“12a”无效：请填写完整手机号或手机号后四位（4位数字）"},
			{3, "第3行：手机号“123”无效：请填写完整手机号或手机号后四位（4位数字）"},
			{4, "第4行：手机号“138xxxx5678”无效：请填写完整手机号或手机号后四位（4位数字）"},
		},
	}, {
		name: "phone in scientific notation",
		rows: [][]string{{"王丽", "教师", "1.38123E+10"}},
		want: []Rejection{{2, "第2行：手机号“1.38123E+10”被 Excel 显示成了科学计数法，后四位已丢失：请把这一列设置为“文本”格式，重新填写完整手机号或后四位"}},
	}, {
		name: "everything at once",
		rows: [][]string{{"", "教师", "12a"}},
		want: []Rejection{{2, "第2行：缺少姓名；手机号“12a”无效：请填写完整手机号或手机号后四位（4位数字）"}},
	}, {
		name: "duplicate by phone",
		rows: [][]string{{"王丽", "教师", "1234"}, {"王丽", "班主任", "13800001234"}, {"王丽", "", "5678"}},
		want: []Rejection{{3, "第3行：与第2行重复（姓名“王丽”、手机尾号1234相同），已跳过；如果是同一个人，请删除其中一行"}},
	}, {
		name: "duplicate by staff no",
		rows: [][]string{{"王丽", "教师", "", "007"}, {"王 丽", "", "", "007"}},
		want: []Rejection{{3, "第3行：与第2行重复（姓名“王丽”、工号007相同），已跳过；如果是同一个人，请删除其中一行"}},
	}, {
		name: "staff no taken",
		rows: [][]string{{"王丽", "教师", "", "007"}, {"李娜", "", "", "007"}},
		want: []Rejection{{3, "第3行：工号“007”与第2行（王丽）重复，工号不能重复；如果这一列只是序号，请把列名改为“序号”"}},
	}, {
		name: "same name, nothing to tell apart",
		rows: [][]string{{"王丽", "教师"}, {"王丽", "班主任"}, {"王丽", "", "1234"}},
		want: []Rejection{{3, "第3行：与第2行重名（“王丽”），且都没有手机号和工号，无法区分：如果是两个人，请填写手机号后四位或工号；如果是同一个人，请删除其中一行"}},
	}, {
		name: "rejected row does not count as seen",
		rows: [][]string{{"王丽", "教师", "12a"}, {"王丽", "教师", "1234"}},
		want: []Rejection{{2, "第2行：手机号“12a”无效：请填写完整手机号或手机号后四位（4位数字）"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rej, err := ParseStaff(append([][]string{header}, tt.rows...))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, rej); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseStaffSkipsRows(t *testing.T) {
	rows := [][]string{
		{"姓名", "职务", "部门"},
		{"一、行政人员"},           // heading in the name column
		{"", "", ""},         // blank
		{"　", " ", "\u00a0"}, // blank too
		{"范小平", "校长"},        // 4
		{"", "二、教师"},         // heading in another column
		{"姓名", "职务", "部门"},   // header repeated
		{"王丽"},               // 8: a name on its own is a person
		{"合计：2人"},            // footer
		{"以下为后勤人员", "以下为后勤人员", "以下为后勤人员"}, // a merged cell filled across when unmerged
		{"李娜", "李娜"}, // 11: not a heading, a person
	}
	recs, rej, err := ParseStaff(rows)
	if err != nil {
		t.Fatal(err)
	}
	var got []int
	for _, r := range recs {
		got = append(got, r.Row)
	}
	if diff := cmp.Diff([]int{5, 8, 11}, got); diff != "" {
		t.Errorf("rows mismatch (-want +got):\n%s", diff)
	}
	if len(rej) != 0 {
		t.Errorf("rejections: %v", rej)
	}
}

func TestParseStaffColumnsMerged(t *testing.T) {
	rows := [][]string{
		{"教师姓名", "行政职务", "职务", "任教班级", "班主任班级", "手机号后四位", "联系电话"},
		{"王丽", "教务处主任", "班主任", "初一(1)班", "初一1班、初一(2)班", "", "13800001234"},
	}
	recs, rej, err := ParseStaff(rows)
	if err != nil || len(rej) != 0 {
		t.Fatalf("err %v, rejections %v", err, rej)
	}
	want := []StaffRecord{{
		Row: 2, Name: "王丽", Title: "教务处主任、班主任", PhoneTail: "1234",
		Classes: []string{"初一(1)班", "初一(2)班"}, Roles: []bot.Role{bot.RoleTeacher, bot.RoleMiddleLeader},
	}}
	if diff := cmp.Diff(want, recs); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

func TestParseStudents(t *testing.T) {
	rows := [][]string{
		{"2026级学生名单"},
		{"学号", "学生姓名", "年级", "班级", "性别", "班主任"},
		{"2026010101", "张小明", "", "初一（１）班", "男", "王丽"},
		{"2026010102", " 李 小红 ", "初一", "2班", "女"},
		{"2026010103", "王小刚", "三年级", "(2)班", "男"},
		{"", "赵小燕", "", "3.2班"},
		{"2026010104", "钱小东", "初一", "", "男"},
		{"2026010101", "孙小北", "", "初一1班"},
		{"", "赵小燕", "三年级", "2班"},
		{"", "赵小燕", "", "初一1班"},
		{"2026010105", "", "", "初一1班"},
		{"0012", "周8", "", "初一1班"},
	}
	r, err := ParseStudentRoster(rows)
	if err != nil {
		t.Fatal(err)
	}
	want := []StudentRecord{
		{Row: 3, Name: "张小明", Class: "初一(1)班", StudentNo: "2026010101"},
		{Row: 4, Name: "李小红", Class: "初一(2)班", StudentNo: "2026010102"},
		{Row: 5, Name: "王小刚", Class: "三(2)班", StudentNo: "2026010103"},
		{Row: 6, Name: "赵小燕", Class: "三(2)班"},
		{Row: 10, Name: "赵小燕", Class: "初一(1)班"},
	}
	if diff := cmp.Diff(want, r.Records); diff != "" {
		t.Errorf("records mismatch (-want +got):\n%s", diff)
	}
	wantRej := []Rejection{
		{7, "第7行：缺少班级，请填写班级（如“初一(3)班”）"},
		{8, "第8行：学号“2026010101”与第3行重复，学号不能重复"},
		{9, "第9行：与第6行重复（三(2)班“赵小燕”），且都没有学号：如果是两个学生，请填写学号；如果是同一个人，请删除其中一行"},
		{11, "第11行：缺少姓名"},
		{12, "第12行：姓名“周8”中有数字，请只填写姓名"},
	}
	if diff := cmp.Diff(wantRej, r.Rejections); diff != "" {
		t.Errorf("rejections mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"性别", "班主任"}, r.Ignored); diff != "" {
		t.Errorf("ignored mismatch (-want +got):\n%s", diff)
	}
}
