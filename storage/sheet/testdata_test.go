package sheet

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// The files in testdata (and bot's import samples in ../../bot/roster/testdata)
// are real files, committed; this test writes them again:
//
//	go test ./storage/sheet -run TestRosterTestdata -update
var update = flag.Bool("update", false, "rewrite the sample files in testdata and ../../bot/roster/testdata")

// botTestdata is where the import samples shared with bot's users (the
// `minqing import` end-to-end tests) live.
const botTestdata = "../../bot/roster/testdata"

// cell is a cell of a generated workbook: a number is written as an Excel
// number (as a phone typed into a General cell is), anything else as text.
type cell = any

// cleanStaff is testdata/staff.* : a tidy staff list, as Read must return
// it (numbers as Excel displays them).
var cleanStaff = [][]cell{
	{"姓名", "部门", "职务", "是否党员", "手机号", "工号", "任教班级"},
	{"范小平", "校长室", "校长", "是", int64(13807300001), "0001"},
	{"吴敏华", "党支部", "党支部书记", "是", int64(13807300002), "0002", "初三(1)班"},
	{"谭红", "校长室", "副校长", "是", int64(13807300003), "0003", "初三(2)班"},
	{"周文", "教务处", "教务处主任", "否", int64(13807300005), "0005", "初二(3)班"},
	{"王丽", "初一年级组", "班主任", "否", int64(13807300008), int64(201900000008), "初一(1)班、初一(2)班"},
	{"邓超", "办公室", "信息管理员", "否", "5678", "0017"},
}

// cleanStaffRows is cleanStaff as strings.
func cleanStaffRows() [][]string {
	return stringRows(cleanStaff)
}

func stringRows(in [][]cell) [][]string {
	out := make([][]string, len(in))
	for i, row := range in {
		if row == nil {
			continue
		}
		out[i] = make([]string, len(row))
		for j, c := range row {
			switch v := c.(type) {
			case string:
				out[i][j] = v
			case int64:
				out[i][j] = strconv.FormatInt(v, 10)
			}
		}
	}
	return out
}

// messyStaff is bot/roster/testdata/staff_messy.*: a staff list as an IT teacher
// gets it — a merged title, a date line, blank rows, section headings,
// columns in an odd order, full-width digits and spaces, numbers typed as
// numbers, two bad rows (20: no name; 21: phone "12a") and a duplicate
// (22 repeats 15). Row numbers are as in Excel.
var messyStaff = [][]cell{
	/* 1 */ {"岳阳市第七中学2026年秋季教职工名单"},
	/* 2 */ {"", "", "", "", "", "", "制表日期：2026年9月1日"},
	/* 3 */ nil,
	/* 4 */ {"序号", "职务", "姓 名", "手机号码", "部门/处室", "政治面貌", "任教班级", "工号（必填）", "备注"},
	/* 5 */ {int64(1), "校长", "范小平", int64(13807300001), "校长室", "中共党员", "", "0001"},
	/* 6 */ {int64(2), "党支部书记", "吴敏华", int64(13807300002), "党支部", "中共党员", "初三(1)班", "0002"},
	/* 7 */ {int64(3), "副校长", " 谭红", int64(13807300003), "校长室", "中共党员", "初三（２）班", "0003"},
	/* 8 */ {int64(4), "纪检委员", "李建国", "１３８０７３０００４", "党支部、工会", "中共党员", "初二（３）班", "0004"},
	/* 9 */ {int64(5), "教务处主任", "周文", "138 0730 0005", "教务处", "预备党员", "初二3班", "0005"},
	/* 10 */ {int64(6), "总务处主任", "陈刚", "138-0730-0006", "总务处", "群众", "", "0006"},
	/* 11 */ {int64(7), "政教处副主任", "刘芳", int64(13807300007), "政教处", "共青团员", "初一（1）班", "0007"},
	/* 12 */ nil,
	/* 13 */ {"二、班主任及教师"},
	/* 14 */ {int64(8), "班主任", "\u3000王\u3000丽 ", int64(13807300008), "初一年级组", "群众", "初一(1)班、初一(2)班", "0008"},
	/* 15 */ {int64(9), "班主任", "张伟", int64(13807300009), "初二年级组", "中共党员", "初二3班", "0009"},
	/* 16 */ {int64(10), "班主任", "赵敏", int64(13807300010), "初三年级组", "是", "初三（2）班", "0010"},
	/* 17 */ {int64(11), "教师", "孙丽娟", int64(13807300011), "初一年级组", "群众", "初一1班/初一2班", "0011"},
	/* 18 */ {int64(12), "语文教研组长", "黄海", int64(13807300012), "初二年级组", "中共党员", "初二(3)班,初二(4)班", "0012"},
	/* 19 */ {int64(13), "年级组长", "欧阳明月", int64(13807300013), "初三年级组", "群众", "初三1班", "0013"},
	/* 20 */ {int64(14), "教师", "", int64(13807300014), "初一年级组", "群众", "初一2班", "0014", "姓名漏填"},
	/* 21 */ {int64(15), "教师", "钱七", "12a", "初二年级组", "群众", "初二4班", "0015"},
	/* 22 */ {int64(16), "班主任", "张伟", int64(13807300009), "初二年级组", "中共党员", "初二3班", "0009", "重复"},
	/* 23 */ nil,
	/* 24 */ {"三、行政后勤"},
	/* 25 */ {int64(17), "信息管理员", "邓超", int64(13807300017), "办公室", "群众", "初一1班", "0017"},
	/* 26 */ {int64(18), "保安", "马强", int64(13807300018), "总务处", "群众", "", "0018"},
	/* 27 */ {int64(19), "教师", "何静", "0019", "初三年级组", "群众", "初三（１）班", "0019"},
	/* 28 */ {"合计：17人"},
}

// messyMerged are the merged ranges of staff_messy.xlsx.
var messyMerged = [][2]string{{"A1", "I1"}, {"A13", "I13"}, {"A24", "I24"}}

// students is bot/roster/testdata/students.xlsx: 20 students of 4 classes, the
// class written several ways; row 14 has no class.
var students = [][]cell{
	/* 1 */ {"初中部2026年秋季学生名单"},
	/* 2 */ {"学号", "姓名", "班级", "性别", "家长联系电话"},
	/* 3 */ {"07010101", "张小明", "初一（1）班", "男", int64(13900000001)},
	/* 4 */ {"07010102", "李小红", "初一1班", "女", int64(13900000002)},
	/* 5 */ {"07010103", "王小刚", "初一(1)班", "男", int64(13900000003)},
	/* 6 */ {"07010104", "赵小燕", "初一(1)班", "女"},
	/* 7 */ {"07010105", "钱小东", "初一年级1班", "男"},
	/* 8 */ {"07010201", "孙小北", "初一（２）班", "男"},
	/* 9 */ {"07010202", "周小南", "初一2班", "女"},
	/* 10 */ {"07010203", "吴小西", "初一(2)班", "男"},
	/* 11 */ {"07010204", " 郑 小 芳 ", "初一(2)班", "女"},
	/* 12 */ {"07010205", "冯小军", "初一(2)班", "男"},
	/* 13 */ {"08020301", "陈小梅", "初二(3)班", "女"},
	/* 14 */ {"08020302", "褚小兰", "", "女"},
	/* 15 */ {"08020303", "卫小竹", "初二3班", "女"},
	/* 16 */ {"08020304", "蒋小菊", "初二（3）班", "女"},
	/* 17 */ {"08020305", "沈小松", "初二(3)班", "男"},
	/* 18 */ {"08020401", "韩小柏", "初二(4)班", "男"},
	/* 19 */ {"08020402", "杨小杨", "初二4班", "女"},
	/* 20 */ {"08020403", "朱小柳", "初二（４）班", "女"},
	/* 21 */ {"08020404", "秦小桃", "初二(4)班", "男"},
	/* 22 */ {"08020405", "尤小李", "初二年级4班", "女"},
}

// TestRosterTestdata rewrites the sample files when run with -update.
func TestRosterTestdata(t *testing.T) {
	if !*update {
		t.Skip("run with -update to rewrite the sample files")
	}
	mustWriteWorkbook(t, "testdata/staff.xlsx", cleanStaff, nil)
	mustWriteFile(t, "testdata/staff.csv", mustGBK(t, csvText(t, cleanStaffRows(), ',')))
	mustWriteFile(t, "testdata/staff_tab.tsv", []byte(csvText(t, cleanStaffRows(), '\t')))
	utf16, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder(),
		[]byte(csvText(t, cleanStaffRows(), '\t')))
	if err != nil {
		t.Fatal(err)
	}
	mustWriteFile(t, "testdata/staff_utf16.txt", utf16)

	mustWriteWorkbook(t, filepath.Join(botTestdata, "staff_messy.xlsx"), messyStaff, messyMerged)
	mustWriteFile(t, filepath.Join(botTestdata, "staff_messy.csv"), mustGBK(t, csvText(t, excelCSVRows(messyStaff), ',')))
	mustWriteWorkbook(t, filepath.Join(botTestdata, "students.xlsx"), students, [][2]string{{"A1", "E1"}})
}

// mustWriteWorkbook writes rows to a one-sheet workbook named as a Chinese
// school would, numbers as numbers and strings as text, merging ranges.
func mustWriteWorkbook(tb testing.TB, path string, rows [][]cell, merged [][2]string) {
	tb.Helper()
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "教职工"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		tb.Fatal(err)
	}
	for i, row := range rows {
		for j, c := range row {
			name, err := excelize.CoordinatesToCellName(j+1, i+1)
			if err != nil {
				tb.Fatal(err)
			}
			switch v := c.(type) {
			case string:
				if v != "" {
					err = f.SetCellStr(sheet, name, v)
				}
			default:
				err = f.SetCellValue(sheet, name, v)
			}
			if err != nil {
				tb.Fatal(err)
			}
		}
	}
	for _, m := range merged {
		if err := f.MergeCell(sheet, m[0], m[1]); err != nil {
			tb.Fatal(err)
		}
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		tb.Fatal(err)
	}
	mustWriteFile(tb, path, b.Bytes())
}

// excelCSVRows is what Excel writes when saving rows as CSV: every row as
// wide as the widest.
func excelCSVRows(rows [][]cell) [][]string {
	s := stringRows(rows)
	width := 0
	for _, r := range s {
		width = max(width, len(r))
	}
	for i := range s {
		for len(s[i]) < width {
			s[i] = append(s[i], "")
		}
	}
	return s
}

func csvText(tb testing.TB, rows [][]string, sep rune) string {
	tb.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Comma = sep
	w.UseCRLF = true
	if err := w.WriteAll(rows); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

func mustGBK(tb testing.TB, s string) []byte {
	tb.Helper()
	b, _, err := transform.Bytes(simplifiedchinese.GBK.NewEncoder(), []byte(s))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func mustWriteFile(tb testing.TB, path string, data []byte) {
	tb.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		tb.Fatal(err)
	}
}
