package sheet

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/xuri/excelize/v2"

	"minqing/bot"
	"minqing/bot/roster"
)

func mustRead(tb testing.TB, path string) [][]string {
	tb.Helper()
	rows, err := Read(path)
	if err != nil {
		tb.Fatal(err)
	}
	return rows
}

func TestStaffFiles(t *testing.T) {
	want := cleanStaffRows()
	for _, path := range []string{
		"testdata/staff.xlsx",      // numbers typed as numbers, one of 12 digits
		"testdata/staff.csv",       // GBK, as Excel on Chinese Windows saves it
		"testdata/staff_tab.tsv",   // tab-separated UTF-8
		"testdata/staff_utf16.txt", // Excel's “Unicode text”
	} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			if diff := cmp.Diff(want, mustRead(t, path)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStaffFilesAreWhatTheyClaim(t *testing.T) {
	b, err := os.ReadFile("testdata/staff.csv")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte("姓名")) || !bytes.Contains(b, mustGBK(t, "姓名")) {
		t.Error("testdata/staff.csv is not GBK")
	}
	if b, _ := os.ReadFile("testdata/staff.xlsx"); !bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		t.Error("testdata/staff.xlsx is not a zip file")
	}
}

func TestStaffCSV(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want [][]string
	}{{
		name: "BOM, CRLF",
		in:   "\ufeff姓名,手机号\r\n王丽,5678\r\n",
		want: [][]string{{"姓名", "手机号"}, {"王丽", "5678"}},
	}, {
		name: "semicolon",
		in:   "姓名;部门;职务\n王丽;教务处;主任\n李娜;政教处\n",
		want: [][]string{{"姓名", "部门", "职务"}, {"王丽", "教务处", "主任"}, {"李娜", "政教处"}},
	}, {
		name: "tab, commas inside cells",
		in:   "名单\n姓名\t班级\n王丽\t初一(1)班,初一(2)班\n李娜\t初二(3)班\n",
		want: [][]string{{"名单"}, {"姓名", "班级"}, {"王丽", "初一(1)班,初一(2)班"}, {"李娜", "初二(3)班"}},
	}, {
		name: "title with trailing commas, ragged rows",
		in:   "岳阳市第七中学教职工名单,,,\n姓名,部门,职务,备注\n王丽,教务处\n李娜,政教处,主任,\"备注,有逗号\",多出来的\n",
		want: [][]string{{"岳阳市第七中学教职工名单"}, {"姓名", "部门", "职务", "备注"}, {"王丽", "教务处"}, {"李娜", "政教处", "主任", "备注,有逗号", "多出来的"}},
	}, {
		name: "blank lines keep row numbers, quoted newlines",
		in:   "\n标题\n\n姓名,备注\n王丽,\"第一行\r\n第二行\"\n\n\n李娜,\"他说\"\"好\"\"\"\n",
		want: [][]string{nil, {"标题"}, nil, {"姓名", "备注"}, {"王丽", "第一行\n第二行"}, nil, nil, {"李娜", `他说"好"`}},
	}, {
		name: "stray quote",
		in:   "姓名,备注\n王丽,3\"5\n",
		want: [][]string{{"姓名", "备注"}, {"王丽", `3"5`}},
	}, {
		name: "one column",
		in:   "姓名\n王丽\n",
		want: [][]string{{"姓名"}, {"王丽"}},
	}, {
		name: "empty",
		in:   "",
		want: nil,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadCSV([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			if strings.HasPrefix(tt.in, "\ufeff") {
				return // GBK has no BOM
			}
			gbk, err := ReadCSV(mustGBK(t, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, gbk); diff != "" {
				t.Errorf("GBK mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStaffSniffSeparator(t *testing.T) {
	tests := []struct {
		in   string
		want rune
	}{
		{"a,b,c\n1,2,3\n", ','},
		{"a\tb\tc\n1\t2\t3\n", '\t'},
		{"a;b;c\n1;2;3\n", ';'},
		{"标题\na\tb,c\n1\t2,3\n4\t5\n", '\t'},
		{"a,\"b;c;d\"\n1,\"2;3;4\"\n", ','},
		{"a\n", ','},
		{"", ','},
	}
	for _, tt := range tests {
		if got := sniffSeparator(tt.in); got != tt.want {
			t.Errorf("sniffSeparator(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStaffUnsupported(t *testing.T) {
	dir := t.TempDir()
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...)
	for _, name := range []string{"staff.xls", "renamed.xlsx", "renamed.csv"} {
		path := filepath.Join(dir, name)
		mustWriteFile(t, path, ole)
		_, err := Read(path)
		if !errors.Is(err, ErrUnsupported) {
			t.Fatalf("Read(%s) error = %v, want ErrUnsupported", name, err)
		}
		for _, want := range []string{path, ".xlsx", "另存为", "save it as .xlsx or CSV"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("Read(%s) error %q does not contain %q", name, err, want)
			}
		}
	}
	for _, name := range []string{"staff.docx", "staff.pdf", "staff"} {
		path := filepath.Join(dir, name)
		mustWriteFile(t, path, []byte("x"))
		if _, err := Read(path); !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), path) {
			t.Errorf("Read(%s) error = %v, want ErrUnsupported naming the path", name, err)
		}
	}
	missing := filepath.Join(dir, "missing.xlsx")
	if _, err := Read(missing); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("Read(missing) error = %v, want ErrNotExist naming the path", err)
	}
	broken := filepath.Join(dir, "broken.xlsx")
	mustWriteFile(t, broken, []byte("PK\x03\x04 not really"))
	if _, err := Read(broken); err == nil || !strings.Contains(err.Error(), broken) {
		t.Errorf("Read(broken) error = %v, want an error naming the path", err)
	}
	if err := Write(filepath.Join(dir, "out.xls"), nil, nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("Write(.xls) error = %v, want ErrUnsupported", err)
	}
	if err := WriteTo(&bytes.Buffer{}, "pdf", nil, nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("WriteTo(pdf) error = %v, want ErrUnsupported", err)
	}
}

func TestStaffXLSXFirstVisibleSheet(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetCellStr("Sheet1", "A1", "填写说明"))
	_, err := f.NewSheet("名单")
	must(err)
	must(f.SetCellStr("名单", "A1", "姓名"))
	must(f.SetCellStr("名单", "A3", "王丽"))
	must(f.SetCellValue("名单", "B3", 0.1+0.2))
	must(f.SetCellValue("名单", "C3", 1234567890123.0))
	must(f.SetCellValue("名单", "D3", 3.5))
	f.SetActiveSheet(1)
	must(f.SetSheetVisible("Sheet1", false))
	path := filepath.Join(t.TempDir(), "hidden.xlsx")
	must(f.SaveAs(path))
	want := [][]string{{"姓名"}, nil, {"王丽", "0.3", "1234567890123", "3.5"}}
	if diff := cmp.Diff(want, mustRead(t, path)); diff != "" {
		t.Errorf("mismatch (-want +got):\n%s", diff)
	}
}

// roundTrip are awkward cells: leading zeros, long numbers, commas,
// quotes, newlines, Chinese, empty cells in the middle and at the end.
var roundTrip = struct {
	header []string
	rows   [][]string
}{
	header: []string{"姓名", "绑定码", "工号", "备注"},
	rows: [][]string{
		{"王丽", "012345", "0001", "初一(1)班,初一(2)班"},
		{"李娜", "K7M2-9QXD", "13807300001", `他说"好"`},
		{"张伟", "", "1.5E+3", "第一行\n第二行"},
		{"欧阳明月", "000000", "=1+1"},
	},
}

func TestRosterRoundTrip(t *testing.T) {
	want := append([][]string{roundTrip.header}, roundTrip.rows...)
	for _, name := range []string{"codes.csv", "codes.xlsx", "CODES.XLSX"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			if err := Write(path, roundTrip.header, roundTrip.rows); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, mustRead(t, path)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			entries, _ := os.ReadDir(filepath.Dir(path))
			if len(entries) != 1 {
				t.Errorf("directory holds %d files, want just %s", len(entries), name)
			}
		})
	}
}

func TestRosterWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTo(&b, "CSV", []string{"姓名", "绑定码"}, [][]string{{"王丽", "012345"}}); err != nil {
		t.Fatal(err)
	}
	if want := "\ufeff姓名,绑定码\r\n王丽,012345\r\n"; b.String() != want {
		t.Errorf("WriteTo(csv) = %q, want %q", b.String(), want)
	}
}

func TestRosterWriteXLSX(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTo(&b, ".xlsx", roundTrip.header, roundTrip.rows); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetList()[0]

	// Every cell is text, so Excel keeps 012345 as typed.
	for _, c := range []string{"B2", "C3", "A1"} {
		typ, err := f.GetCellType(sheet, c)
		if err != nil {
			t.Fatal(err)
		}
		if typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
			t.Errorf("%s has type %v, want a string", c, typ)
		}
		styleID, err := f.GetCellStyle(sheet, c)
		if err != nil {
			t.Fatal(err)
		}
		style, err := f.GetStyle(styleID)
		if err != nil {
			t.Fatal(err)
		}
		if style.NumFmt != 49 {
			t.Errorf("%s number format = %d, want 49 (text)", c, style.NumFmt)
		}
		if bold := style.Font != nil && style.Font.Bold; bold != (c == "A1") {
			t.Errorf("%s bold = %v, want %v", c, bold, c == "A1")
		}
	}
	panes, err := f.GetPanes(sheet)
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.YSplit != 1 || panes.TopLeftCell != "A2" {
		t.Errorf("panes = %+v, want the first row frozen", panes)
	}
	wName, err := f.GetColWidth(sheet, "A")
	if err != nil {
		t.Fatal(err)
	}
	wNote, err := f.GetColWidth(sheet, "D")
	if err != nil {
		t.Fatal(err)
	}
	if wName < 8 || wNote <= wName || wNote > maxColWidth {
		t.Errorf("column widths A=%v D=%v: want A ≥ 8 (a 4-character Chinese name) and D wider, at most %d", wName, wNote, maxColWidth)
	}
}

// The import samples shared with bot and the `minqing import` tests.

// messyWant is what roster.ParseStaff makes of bot/roster/testdata/staff_messy.*.
var messyWant = struct {
	records    []roster.StaffRecord
	rejections []roster.Rejection
	ignored    []string
}{
	records: []roster.StaffRecord{
		{Row: 5, Name: "范小平", Departments: []string{"校长室"}, Title: "校长", PhoneTail: "0001", StaffNo: "0001",
			Roles: []bot.Role{bot.RoleTeacher, bot.RolePartyMember, bot.RoleSchoolLeader}},
		{Row: 6, Name: "吴敏华", Departments: []string{"党支部"}, Title: "党支部书记", PhoneTail: "0002", StaffNo: "0002",
			Classes: []string{"初三(1)班"},
			Roles:   []bot.Role{bot.RoleTeacher, bot.RolePartyMember, bot.RoleSchoolLeader, bot.RolePartySecretary}},
		{Row: 7, Name: "谭红", Departments: []string{"校长室"}, Title: "副校长", PhoneTail: "0003", StaffNo: "0003",
			Classes: []string{"初三(2)班"},
			Roles:   []bot.Role{bot.RoleTeacher, bot.RolePartyMember, bot.RoleSchoolLeader}},
		{Row: 8, Name: "李建国", Departments: []string{"党支部", "工会"}, Title: "纪检委员", PhoneTail: "0004", StaffNo: "0004",
			Classes: []string{"初二(3)班"},
			Roles:   []bot.Role{bot.RoleTeacher, bot.RolePartyMember, bot.RoleDiscipline}},
		{Row: 9, Name: "周文", Departments: []string{"教务处"}, Title: "教务处主任", PhoneTail: "0005", StaffNo: "0005",
			Classes: []string{"初二(3)班"},
			Roles:   []bot.Role{bot.RoleTeacher, bot.RolePartyMember, bot.RoleMiddleLeader}},
		{Row: 10, Name: "陈刚", Departments: []string{"总务处"}, Title: "总务处主任", PhoneTail: "0006", StaffNo: "0006",
			Roles: []bot.Role{bot.RoleTeacher, bot.RoleMiddleLeader}},
		{Row: 11, Name: "刘芳", Departments: []string{"政教处"}, Title: "政教处副主任", PhoneTail: "0007", StaffNo: "0007",
			Classes: []string{"初一(1)班"},
			Roles:   []bot.Role{bot.RoleTeacher, bot.RoleMiddleLeader}},
		{Row: 14, Name: "王丽", Departments: []string{"初一年级组"}, Title: "班主任", PhoneTail: "0008", StaffNo: "0008",
			Classes: []string{"初一(1)班", "初一(2)班"},
			Roles:   []bot.Role{bot.RoleTeacher}},
		{Row: 15, Name: "张伟", Departments: []string{"初二年级组"}, Title: "班主任", PhoneTail: "0009", StaffNo: "0009",
			Classes: []string{"初二(3)班"},
			Roles:   []bot.Role{bot.RoleTeacher, bot.RolePartyMember}},
		{Row: 16, Name: "赵敏", Departments: []string{"初三年级组"}, Title: "班主任", PhoneTail: "0010", StaffNo: "0010",
			Classes: []string{"初三(2)班"},
			Roles:   []bot.Role{bot.RoleTeacher, bot.RolePartyMember}},
		{Row: 17, Name: "孙丽娟", Departments: []string{"初一年级组"}, Title: "教师", PhoneTail: "0011", StaffNo: "0011",
			Classes: []string{"初一(1)班", "初一(2)班"},
			Roles:   []bot.Role{bot.RoleTeacher}},
		{Row: 18, Name: "黄海", Departments: []string{"初二年级组"}, Title: "语文教研组长", PhoneTail: "0012", StaffNo: "0012",
			Classes: []string{"初二(3)班", "初二(4)班"},
			Roles:   []bot.Role{bot.RoleTeacher, bot.RolePartyMember}},
		{Row: 19, Name: "欧阳明月", Departments: []string{"初三年级组"}, Title: "年级组长", PhoneTail: "0013", StaffNo: "0013",
			Classes: []string{"初三(1)班"},
			Roles:   []bot.Role{bot.RoleTeacher, bot.RoleMiddleLeader}},
		{Row: 25, Name: "邓超", Departments: []string{"办公室"}, Title: "信息管理员", PhoneTail: "0017", StaffNo: "0017",
			Classes: []string{"初一(1)班"},
			Roles:   []bot.Role{bot.RoleTeacher, bot.RoleAdmin}},
		{Row: 26, Name: "马强", Departments: []string{"总务处"}, Title: "保安", PhoneTail: "0018", StaffNo: "0018"},
		{Row: 27, Name: "何静", Departments: []string{"初三年级组"}, Title: "教师", PhoneTail: "0019", StaffNo: "0019",
			Classes: []string{"初三(1)班"},
			Roles:   []bot.Role{bot.RoleTeacher}},
	},
	rejections: []roster.Rejection{
		{Row: 20, Reason: "第20行：缺少姓名"},
		{Row: 21, Reason: "第21行：手机号“12a”无效：请填写完整手机号或手机号后四位（4位数字）"},
		{Row: 22, Reason: "第22行：与第15行重复（姓名“张伟”、手机尾号0009相同），已跳过；如果是同一个人，请删除其中一行"},
	},
	ignored: []string{"序号", "备注"},
}

func TestStaffMessy(t *testing.T) {
	for _, name := range []string{"staff_messy.xlsx", "staff_messy.csv"} {
		t.Run(name, func(t *testing.T) {
			ros, err := roster.ParseStaffRoster(mustRead(t, filepath.Join(botTestdata, name)))
			if err != nil {
				t.Fatal(err)
			}
			if ros.HeaderRow != 4 {
				t.Errorf("HeaderRow = %d, want 4", ros.HeaderRow)
			}
			if diff := cmp.Diff(messyWant.records, ros.Records); diff != "" {
				t.Errorf("records mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(messyWant.rejections, ros.Rejections); diff != "" {
				t.Errorf("rejections mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(messyWant.ignored, ros.Ignored); diff != "" {
				t.Errorf("ignored mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStaffMessyIsMessy(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(botTestdata, "staff_messy.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, mustGBK(t, "１３８０７３０００４")) || !bytes.Contains(b, mustGBK(t, "\u3000王\u3000丽 ")) {
		t.Error("staff_messy.csv lost its GBK full-width characters")
	}
	f, err := excelize.OpenFile(filepath.Join(botTestdata, "staff_messy.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	merged, err := f.GetMergeCells(f.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(merged) == 0 || merged[0].GetStartAxis() != "A1" {
		t.Errorf("staff_messy.xlsx has merged cells %v, want the title A1 merged", merged)
	}
	typ, err := f.GetCellType(f.GetSheetList()[0], "D5")
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("D5 (a phone) has type %v, want a number", typ)
	}
}

func TestStudentsXLSX(t *testing.T) {
	ros, err := roster.ParseStudentRoster(mustRead(t, filepath.Join(botTestdata, "students.xlsx")))
	if err != nil {
		t.Fatal(err)
	}
	if len(ros.Records) != 19 {
		t.Errorf("%d records, want 19", len(ros.Records))
	}
	count := map[string]int{}
	for _, r := range ros.Records {
		count[r.Class]++
	}
	if diff := cmp.Diff(map[string]int{"初一(1)班": 5, "初一(2)班": 5, "初二(3)班": 4, "初二(4)班": 5}, count); diff != "" {
		t.Errorf("students per class mismatch (-want +got):\n%s", diff)
	}
	if want := (roster.StudentRecord{Row: 3, Name: "张小明", Class: "初一(1)班", StudentNo: "07010101"}); ros.Records[0] != want {
		t.Errorf("first record = %+v, want %+v", ros.Records[0], want)
	}
	if want := (roster.StudentRecord{Row: 11, Name: "郑小芳", Class: "初一(2)班", StudentNo: "07010204"}); ros.Records[8] != want {
		t.Errorf("ninth record = %+v, want %+v", ros.Records[8], want)
	}
	wantRej := []roster.Rejection{{Row: 14, Reason: "第14行：缺少班级，请填写班级（如“初一(3)班”）"}}
	if diff := cmp.Diff(wantRej, ros.Rejections); diff != "" {
		t.Errorf("rejections mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"性别", "家长联系电话"}, ros.Ignored); diff != "" {
		t.Errorf("ignored mismatch (-want +got):\n%s", diff)
	}
}
