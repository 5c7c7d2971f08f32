// Package roster reads the staff and student lists schools keep (rows of
// an .xlsx or .csv file) into records: header matching over the usual
// variant column names, cleaned cells, roles from job titles, classes in the
// one normalised form of parse.NormalizeClass, and every rejected row with
// its number and what to fix.
package roster

import (
	"fmt"
	"iter"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"minqing/bot"
	"minqing/bot/parse"
)

// Rosters: the staff and student lists an IT teacher exports from the
// school's own records (an Excel sheet, as often as not typed by hand) and
// imports with `minqing import`. This file turns the rows of such a sheet
// into clean records; reading the file itself is storage/sheet's job.
//
// What the parsers accept:
//
//   - The header is the first row, among the first 10, that has a name
//     column (姓名, 教师姓名, …). Rows above it — a title such as
//     “岳阳市第七中学2026年秋季教职工名单”, a date line — are skipped.
//     Column names are matched ignoring case, spaces, full width, a
//     trailing colon, a required-marker (*) and notes in parentheses
//     (“手机号(必填)”, “姓名（必填）”); a header naming two things
//     (“部门/处室”) is matched on either. Columns in any order; unknown
//     columns are ignored and listed in the roster's Ignored.
//   - Every cell is trimmed of spaces (also full-width and non-breaking),
//     and full-width digits, letters and punctuation become half-width.
//     In names, spaces between Chinese characters (“王　丽”, padded to line
//     up with three-character names) are removed.
//   - Blank rows are skipped silently; so are rows with a single filled
//     cell that is a heading (“二、后勤人员”, “合计：15人”, “注：…” — what a
//     merged cell leaves) and repetitions of the header row.
//   - Classes are written in one canonical form: see NormalizeClass.
//   - Phone numbers: only the digits count, and only the last four are
//     kept (the whole number is never stored).
//   - Each bad row gives one Rejection, in Chinese, with the row number as
//     Excel shows it and everything wrong with it.

// StaffRecord is a staff member as read from an import file.
type StaffRecord struct {
	Row         int        // 1-based row in the file (as the user sees it in Excel)
	Name        string     // never empty; at most 20 characters, no digits
	Campus      string     // 校区 / 完小 / 分校, optional
	Departments []string   // 部门/处室, may be several (split on 、，,/；;)
	Title       string     // 职务 as written (校长, 副校长, 教务处主任, 党支部书记, 班主任, 教师 …)
	Roles       []bot.Role // RolesFromTitle(Title, 是否党员); never empty
	PhoneTail   string     // last 4 digits (from 手机号后四位 or a full phone number), or empty
	StaffNo     string     // 工号 / 教工号 / 编号, as written (leading zeros kept), or empty
	Classes     []string   // 任教班级 / 班主任班级, normalised by NormalizeClass
}

// StudentRecord is a student as read from an import file.
type StudentRecord struct {
	Row       int    // 1-based row in the file
	Name      string // never empty
	Class     string // never empty; normalised by NormalizeClass
	StudentNo string // 学号 / 学籍号, or empty
	Campus    string // optional
}

// Rejection is a row of an import file that was not imported.
type Rejection struct {
	Row    int    // 1-based row in the file
	Reason string // Chinese, starts with the row (“第7行：缺少姓名”) and says what to fix
}

// StaffRoster is everything ParseStaffRoster found in a staff file.
type StaffRoster struct {
	HeaderRow  int // 1-based row of the header
	Records    []StaffRecord
	Rejections []Rejection
	// Ignored lists the header cells (as written) of the columns that were
	// not recognised, for telling the user what was left out.
	Ignored []string
	// Suggest maps an ignored header cell to the column it probably meant
	// (a typo away from a known name), when one is close.
	Suggest map[string]string
}

// StudentRoster is everything ParseStudentRoster found in a student file.
type StudentRoster struct {
	HeaderRow  int
	Records    []StudentRecord
	Rejections []Rejection
	Ignored    []string
	Suggest    map[string]string
}

// ParseStaff reads the staff records of a sheet's rows (rows[0] is the
// sheet's first row). A row that breaks a rule is left out and explained
// in a Rejection; the error, wrapping ErrInvalid, is for a sheet without a
// recognisable header, and its text (in Chinese) lists the accepted column
// names. See ParseStaffRoster for the ignored columns too.
func ParseStaff(rows [][]string) ([]StaffRecord, []Rejection, error) {
	r, err := ParseStaffRoster(rows)
	return r.Records, r.Rejections, err
}

// ParseStudents reads the student records of a sheet's rows, as ParseStaff
// does for staff. A student without a class is rejected.
func ParseStudents(rows [][]string) ([]StudentRecord, []Rejection, error) {
	r, err := ParseStudentRoster(rows)
	return r.Records, r.Rejections, err
}

// rosterField is a column the parsers understand.
type rosterField int

const (
	rosterName rosterField = iota + 1
	rosterCampus
	rosterDepartments
	rosterTitle
	rosterParty
	rosterPhone
	rosterStaffNo
	rosterClasses
	rosterStudentNo
	rosterGrade
)

// rosterColumn is one field's accepted column names, the first being the
// one to suggest.
type rosterColumn struct {
	field   rosterField
	label   string // for the error message
	aliases []string
}

// The synonyms table: every column the importers know, with the names
// schools give it. This is the one place to add a variant.
var staffColumns = []rosterColumn{
	{rosterName, "姓名", []string{"姓名", "教师姓名", "教职工姓名", "职工姓名", "老师姓名", "人员姓名", "学生姓名", "名字", "真实姓名", "教师名字", "name"}},
	{rosterCampus, "校区", []string{"校区", "完小", "分校", "所在学校", "学校", "所在校区", "所属校区", "所属学校", "所在完小", "校点", "教学点", "campus", "school"}},
	{rosterDepartments, "部门", []string{"部门", "处室", "科室", "所在部门", "所属部门", "单位", "所在处室", "所属处室", "部门名称", "处室名称", "工作部门", "所在科室", "科室名称", "部门处室", "处室部门", "所在单位", "department"}},
	{rosterTitle, "职务", []string{"职务", "职位", "岗位", "行政职务", "任职", "职务名称", "现任职务", "担任职务", "岗位职务", "职务岗位", "行政职位", "title", "position"}},
	{rosterParty, "是否党员", []string{"是否党员", "党员", "政治面貌", "政治身份", "是否中共党员", "党派", "party"}},
	{rosterPhone, "手机号后四位", []string{"手机号后四位", "手机尾号", "电话后四位", "后四位", "手机后四位", "手机号码后四位", "电话号码后四位", "手机尾号后四位",
		"手机号", "手机号码", "手机", "联系电话", "电话", "电话号码", "移动电话", "联系方式", "联系手机", "联系号码", "phone", "mobile"}},
	{rosterStaffNo, "工号", []string{"工号", "教工号", "职工号", "编号", "人员编号", "教师编号", "教职工号", "职工编号", "教工编号", "工作证号", "人事编号", "staffno", "staffid"}},
	{rosterClasses, "任教班级", []string{"班级", "任教班级", "所在班级", "班主任班级", "所带班级", "任课班级", "所教班级", "任教班别", "带班班级", "担任班主任班级", "class", "classes"}},
}

var studentColumns = []rosterColumn{
	{rosterName, "姓名", []string{"姓名", "学生姓名", "名字", "学生名字", "真实姓名", "name"}},
	{rosterClasses, "班级", []string{"班级", "所在班级", "班别", "所属班级", "学生班级", "班级名称", "class"}},
	{rosterGrade, "年级", []string{"年级", "所在年级", "grade"}},
	{rosterStudentNo, "学号", []string{"学号", "学籍号", "学生编号", "编号", "全国学籍号", "学籍辅号", "studentno", "studentid"}},
	{rosterCampus, "校区", []string{"校区", "完小", "分校", "所在学校", "学校", "所在校区", "所属校区", "所属学校", "校点", "campus", "school"}},
}

// unusedColumns are columns school lists often have that the importers do
// not need; they are ignored without a suggestion (任教学科 is not 任教班级).
var unusedColumns = []string{"序号", "性别", "民族", "出生年月", "出生日期", "年龄", "身份证号", "身份证号码", "身份证",
	"学历", "职称", "任教学科", "学科", "科目", "任教科目", "任课学科", "备注", "参加工作时间", "入职时间", "籍贯",
	"家庭住址", "住址", "邮箱", "电子邮箱", "家长姓名", "家长电话", "监护人", "监护人电话"}

// suggestColumn returns the label of the known column an unrecognised
// header is likely a typo or variant of, or "".
func suggestColumn(cell string, columns []rosterColumn) string {
	k := rosterHeaderKey(cell)
	if k == "" || slices.Contains(unusedColumns, k) {
		return ""
	}
	best, bestD := "", 1<<30
	for _, c := range columns {
		for _, a := range c.aliases {
			if a[0] < utf8.RuneSelf {
				continue
			}
			d := parse.Distance(k, a)
			if utf8.RuneCountInString(a) >= 2 && strings.Contains(k, a) {
				d = min(d, 1)
			}
			if d < bestD {
				best, bestD = c.label, d
			}
		}
	}
	if bestD <= max(1, utf8.RuneCountInString(k)/3) {
		return best
	}
	return ""
}

// rosterHeader is the header row of a sheet: which columns hold which
// field.
type rosterHeader struct {
	row     int // index in rows
	cols    map[rosterField][]int
	ignored []string
	suggest map[string]string
}

// findRosterHeader finds the header among the first 10 rows.
func findRosterHeader(rows [][]string, columns []rosterColumn) (rosterHeader, error) {
	lookup := map[string]rosterField{}
	for _, c := range columns {
		for _, a := range c.aliases {
			lookup[a] = c.field
		}
	}
	for i := 0; i < len(rows) && i < 10; i++ {
		h := rosterHeader{row: i, cols: map[rosterField][]int{}, suggest: map[string]string{}}
		for j, cell := range rows[i] {
			f := rosterMatchHeader(cell, lookup)
			switch {
			case f != 0:
				h.cols[f] = append(h.cols[f], j)
			case parse.Clean(cell) != "":
				h.ignored = append(h.ignored, parse.Clean(cell))
				if sug := suggestColumn(cell, columns); sug != "" {
					h.suggest[parse.Clean(cell)] = sug
				}
			}
		}
		if len(h.cols[rosterName]) > 0 {
			return h, nil
		}
	}
	var b strings.Builder
	b.WriteString("没有找到表头：前10行中没有“姓名”列。请把第一行（或标题下面的一行）写成列名，可用的列名有：")
	for _, c := range columns {
		fmt.Fprintf(&b, "\n  %s：%s", c.label, strings.Join(rosterChinese(c.aliases), "、"))
	}
	return rosterHeader{}, &rosterError{msg: b.String()}
}

func rosterChinese(aliases []string) []string {
	var out []string
	for _, a := range aliases {
		if a[0] >= utf8.RuneSelf {
			out = append(out, a)
		}
	}
	return out
}

// rosterError is an import problem whose text is for the user as is.
type rosterError struct{ msg string }

func (e *rosterError) Error() string { return e.msg }

// Is makes a rosterError match ErrInvalid.
func (e *rosterError) Is(target error) bool { return target == bot.ErrInvalid }

// rosterMatchHeader returns the field a header cell names, or 0.
func rosterMatchHeader(cell string, lookup map[string]rosterField) rosterField {
	k := rosterHeaderKey(cell)
	if f, ok := lookup[k]; ok {
		return f
	}
	for _, part := range strings.FieldsFunc(k, func(r rune) bool { return r == '/' || r == '、' || r == '|' }) {
		if f, ok := lookup[part]; ok {
			return f
		}
	}
	return 0
}

// rosterHeaderKey reduces a header cell to what is compared with the
// aliases: half-width, lower case, no spaces, no notes in brackets, no
// required-markers, no trailing colon.
func rosterHeaderKey(s string) string {
	s = strings.ToLower(parse.Fold(s))
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(' || r == '[' || r == '【' || r == '<' || r == '《':
			depth++
		case r == ')' || r == ']' || r == '】' || r == '>' || r == '》':
			if depth > 0 {
				depth--
			}
		case depth > 0, unicode.IsSpace(r), r == '*', r == '_':
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimRight(b.String(), ":.")
}

// rosterCleanName cleans a name and removes spaces next to a Chinese
// character: “ 王　丽 ” → “王丽”, but “Li Na” stays.
func rosterCleanName(s string) string {
	s = parse.Clean(s)
	if !strings.Contains(s, " ") {
		return s
	}
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if r == ' ' && (unicode.Is(unicode.Han, rs[i-1]) || unicode.Is(unicode.Han, rs[i+1])) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// rosterRow gives access to one data row's cells by field.
// newRosterRow cleans the cells of a sheet row read under header h.
func newRosterRow(h rosterHeader, cells []string) rosterRow {
	r := rosterRow{h: h, cells: make([]string, len(cells))}
	for j, c := range cells {
		r.cells[j] = parse.Clean(c)
	}
	return r
}

type rosterRow struct {
	h     rosterHeader
	cells []string
}

// first returns the first non-empty cleaned cell of the field's columns.
func (r rosterRow) first(f rosterField) string {
	for _, j := range r.h.cols[f] {
		if j < len(r.cells) && r.cells[j] != "" {
			return r.cells[j]
		}
	}
	return ""
}

// all returns every non-empty cleaned cell of the field's columns.
func (r rosterRow) all(f rosterField) []string {
	var out []string
	for _, j := range r.h.cols[f] {
		if j < len(r.cells) && r.cells[j] != "" {
			out = append(out, r.cells[j])
		}
	}
	return out
}

// dataRows yields the rows below the header that hold data (skip passes
// over the others, by the aliases of the name column), with their
// 1-based numbers as the sheet shows them.
func (h rosterHeader) dataRows(rows [][]string, nameAliases []string) iter.Seq2[int, rosterRow] {
	return func(yield func(int, rosterRow) bool) {
		for i := h.row + 1; i < len(rows); i++ {
			r := newRosterRow(h, rows[i])
			if r.skip(nameAliases) {
				continue
			}
			if !yield(i+1, r) {
				return
			}
		}
	}
}

// skip reports whether a data row is to be passed over silently: blank,
// a heading left by a merged cell, or the header repeated.
func (r rosterRow) skip(nameAliases []string) bool {
	filled := -1
	count := 0
	for j, c := range r.cells {
		if c != "" {
			filled, count = j, count+1
		}
	}
	if count == 0 {
		return true
	}
	for _, j := range r.h.cols[rosterName] {
		if j < len(r.cells) && slices.Contains(nameAliases, rosterHeaderKey(r.cells[j])) {
			return true // the header again (several sheets pasted together)
		}
	}
	if count > 1 {
		// A heading merged across columns and filled into each of them
		// when unmerged (WPS does): a few cells, all the same, not a name.
		same := count >= 3
		for _, c := range r.cells {
			if c != "" && c != r.cells[filled] {
				same = false
			}
		}
		return same
	}
	if !slices.Contains(r.h.cols[rosterName], filled) {
		return true // a lone cell outside the name column: a heading
	}
	v := r.cells[filled]
	if strings.ContainsAny(v, "、:") {
		return true
	}
	for _, w := range []string{"名单", "合计", "总计", "小计", "备注", "说明", "制表", "填表", "审核", "以下", "以上", "人员", "领导", "班子", "教职工", "后勤"} {
		if strings.Contains(v, w) {
			return true
		}
	}
	return false
}

// rosterList splits a cell listing several things: “教务处、工会”,
// “初一(1)班，初一(2)班”.
func rosterList(s string) []string {
	parts := strings.FieldsFunc(s, func(r rune) bool {
		return strings.ContainsRune("、，,/；;|\n", r)
	})
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// rosterClassList splits and normalises a cell of classes. Classes separated
// only by spaces (“初一1班 初一2班”) are split when every piece is a class.
func rosterClassList(cells []string) []string {
	var out []string
	add := func(c string) {
		if c != "" && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	for _, cell := range cells {
		for _, item := range rosterList(cell) {
			pieces := strings.Fields(item)
			split := len(pieces) > 1
			for _, p := range pieces {
				if _, ok := parse.ParseClass(p); !ok {
					split = false
				}
			}
			if split {
				for _, p := range pieces {
					add(parse.NormalizeClass(p))
				}
				continue
			}
			add(parse.NormalizeClass(item))
		}
	}
	return out
}

// rosterCheckName returns what is wrong with a cleaned name, or "".
func rosterCheckName(name string) string {
	switch {
	case name == "":
		return "缺少姓名"
	case utf8.RuneCountInString(name) > 20:
		return fmt.Sprintf("姓名“%s”太长（最多20个字），请只填写姓名", name)
	case strings.ContainsFunc(name, unicode.IsDigit):
		return fmt.Sprintf("姓名“%s”中有数字，请只填写姓名", name)
	}
	return ""
}

// rosterNoPhone are what people write for “no phone number”.
var rosterNoPhone = []string{"无", "暂无", "没有", "-", "--", "/", "—", "——", "空", "none", "n/a"}

// rosterPhoneTail returns the last four digits of a phone cell (a full
// number or just the last four), "" for an empty one, or a Chinese problem.
func rosterPhoneTail(cell string) (tail, problem string) {
	if cell == "" || slices.Contains(rosterNoPhone, strings.ToLower(cell)) {
		return "", ""
	}
	v := strings.ToUpper(strings.ReplaceAll(cell, " ", ""))
	if i := strings.Index(v, "E+"); i > 0 && strings.Trim(v[:i], "0123456789.") == "" {
		return "", fmt.Sprintf("手机号“%s”被 Excel 显示成了科学计数法，后四位已丢失：请把这一列设置为“文本”格式，重新填写完整手机号或后四位", cell)
	}
	var digits []byte
	letters := false
	for _, r := range cell {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case unicode.IsLetter(r):
			letters = true
		}
	}
	if letters || len(digits) < 4 {
		return "", fmt.Sprintf("手机号“%s”无效：请填写完整手机号或手机号后四位（4位数字）", cell)
	}
	return string(digits[len(digits)-4:]), ""
}

// rosterIsParty reads a 是否党员 / 政治面貌 cell: 是, Y, √, 中共党员,
// 预备党员 … are members; 否, N, 群众, 共青团员, 民主党派 and anything
// else are not.
func rosterIsParty(cell string) bool {
	v := strings.ToLower(strings.ReplaceAll(cell, " ", ""))
	switch v {
	case "是", "y", "yes", "√", "✓", "✔", "1", "true", "党员", "中共党员", "预备党员", "中共预备党员", "共产党员", "正式党员":
		return true
	}
	if strings.HasPrefix(v, "非") || strings.Contains(v, "不是") {
		return false
	}
	return strings.Contains(v, "中共") || strings.Contains(v, "共产党") || strings.Contains(v, "党员")
}

// ParseStaffRoster is ParseStaff, also telling which row was the header
// and which columns were ignored.
//
// A staff row is rejected when its name is missing, longer than 20
// characters or has digits; when its phone does not give 4 digits; when it
// repeats an earlier row's person (same name, and same phone tail or staff
// number — or, for rows with neither, just the same name); or when its
// staff number is an earlier row's.
func ParseStaffRoster(rows [][]string) (StaffRoster, error) {
	h, err := findRosterHeader(rows, staffColumns)
	if err != nil {
		return StaffRoster{}, err
	}
	out := StaffRoster{HeaderRow: h.row + 1, Ignored: h.ignored, Suggest: h.suggest}
	type seen struct {
		row  int
		name string
	}
	byPhone := map[string]int{}    // name + phone tail → row
	byNo := map[string]seen{}      // staff no → row
	byNameOnly := map[string]int{} // name of rows without phone and staff no → row
	for n, r := range h.dataRows(rows, staffColumns[0].aliases) {
		rec := StaffRecord{
			Row:     n,
			Name:    rosterCleanName(r.first(rosterName)),
			Campus:  r.first(rosterCampus),
			Title:   strings.Join(r.all(rosterTitle), "、"),
			StaffNo: r.first(rosterStaffNo),
			Classes: rosterClassList(r.all(rosterClasses)),
		}
		for _, d := range r.all(rosterDepartments) {
			for _, x := range rosterList(d) {
				if !slices.Contains(rec.Departments, x) {
					rec.Departments = append(rec.Departments, x)
				}
			}
		}
		rec.Roles = RolesFromTitle(rec.Title, rosterIsParty(r.first(rosterParty)))
		var problems []string
		if p := rosterCheckName(rec.Name); p != "" {
			problems = append(problems, p)
		}
		tail, p := rosterPhoneTail(r.first(rosterPhone))
		if p != "" {
			problems = append(problems, p)
		}
		rec.PhoneTail = tail
		if len(problems) == 0 {
			switch {
			case rec.PhoneTail != "" && byPhone[rec.Name+"\x00"+rec.PhoneTail] != 0:
				problems = append(problems, fmt.Sprintf("与第%d行重复（姓名“%s”、手机尾号%s相同），已跳过；如果是同一个人，请删除其中一行",
					byPhone[rec.Name+"\x00"+rec.PhoneTail], rec.Name, rec.PhoneTail))
			case rec.StaffNo != "" && byNo[rec.StaffNo].row != 0 && byNo[rec.StaffNo].name == rec.Name:
				problems = append(problems, fmt.Sprintf("与第%d行重复（姓名“%s”、工号%s相同），已跳过；如果是同一个人，请删除其中一行",
					byNo[rec.StaffNo].row, rec.Name, rec.StaffNo))
			case rec.StaffNo != "" && byNo[rec.StaffNo].row != 0:
				problems = append(problems, fmt.Sprintf("工号“%s”与第%d行（%s）重复，工号不能重复；如果这一列只是序号，请把列名改为“序号”",
					rec.StaffNo, byNo[rec.StaffNo].row, byNo[rec.StaffNo].name))
			case rec.PhoneTail == "" && rec.StaffNo == "" && byNameOnly[rec.Name] != 0:
				problems = append(problems, fmt.Sprintf("与第%d行重名（“%s”），且都没有手机号和工号，无法区分：如果是两个人，请填写手机号后四位或工号；如果是同一个人，请删除其中一行",
					byNameOnly[rec.Name], rec.Name))
			}
		}
		if len(problems) > 0 {
			out.Rejections = append(out.Rejections, rosterReject(n, problems))
			continue
		}
		if rec.PhoneTail != "" {
			byPhone[rec.Name+"\x00"+rec.PhoneTail] = n
		}
		if rec.StaffNo != "" {
			byNo[rec.StaffNo] = seen{n, rec.Name}
		}
		if rec.PhoneTail == "" && rec.StaffNo == "" {
			byNameOnly[rec.Name] = n
		}
		out.Records = append(out.Records, rec)
	}
	return out, nil
}

// ParseStudentRoster is ParseStudents, also telling which row was the
// header and which columns were ignored.
//
// A separate 年级 column is put in front of a class that does not name its
// grade (年级 “初一”, 班级 “3班” → “初一(3)班”). A student row is rejected
// when its name is missing, too long or has digits; when it has no class;
// when its student number is an earlier row's; or when it has no student
// number and an earlier row without one has the same name and class.
func ParseStudentRoster(rows [][]string) (StudentRoster, error) {
	h, err := findRosterHeader(rows, studentColumns)
	if err != nil {
		return StudentRoster{}, err
	}
	out := StudentRoster{HeaderRow: h.row + 1, Ignored: h.ignored, Suggest: h.suggest}
	byNo := map[string]int{}
	byName := map[string]int{} // class + name of rows without a number
	for n, r := range h.dataRows(rows, studentColumns[0].aliases) {
		rec := StudentRecord{
			Row:       n,
			Name:      rosterCleanName(r.first(rosterName)),
			StudentNo: r.first(rosterStudentNo),
			Campus:    r.first(rosterCampus),
		}
		class := strings.ReplaceAll(r.first(rosterClasses), " ", "")
		if g := strings.ReplaceAll(r.first(rosterGrade), " ", ""); g != "" && class != "" && !rosterHasGrade(class) {
			class = g + class
		}
		rec.Class = parse.NormalizeClass(class)
		var problems []string
		if p := rosterCheckName(rec.Name); p != "" {
			problems = append(problems, p)
		}
		if rec.Class == "" {
			problems = append(problems, "缺少班级，请填写班级（如“初一(3)班”）")
		}
		if len(problems) == 0 {
			switch {
			case rec.StudentNo != "" && byNo[rec.StudentNo] != 0:
				problems = append(problems, fmt.Sprintf("学号“%s”与第%d行重复，学号不能重复", rec.StudentNo, byNo[rec.StudentNo]))
			case rec.StudentNo == "" && byName[rec.Class+"\x00"+rec.Name] != 0:
				problems = append(problems, fmt.Sprintf("与第%d行重复（%s“%s”），且都没有学号：如果是两个学生，请填写学号；如果是同一个人，请删除其中一行",
					byName[rec.Class+"\x00"+rec.Name], rec.Class, rec.Name))
			}
		}
		if len(problems) > 0 {
			out.Rejections = append(out.Rejections, rosterReject(n, problems))
			continue
		}
		if rec.StudentNo != "" {
			byNo[rec.StudentNo] = n
		} else {
			byName[rec.Class+"\x00"+rec.Name] = n
		}
		out.Records = append(out.Records, rec)
	}
	return out, nil
}

func rosterReject(row int, problems []string) Rejection {
	return Rejection{Row: row, Reason: fmt.Sprintf("第%d行：%s", row, strings.Join(problems, "；"))}
}

// roleOrder is the order of roles in a record: the order of the constants.
var roleOrder = []bot.Role{
	bot.RoleTeacher, bot.RolePartyMember, bot.RoleMiddleLeader, bot.RoleSchoolLeader,
	bot.RolePartySecretary, bot.RoleDiscipline, bot.RoleAdmin,
}

// RolesFromTitle derives a staff member's roles from their title(s) as
// written in the 职务 column — several may be listed, separated by 、，,/；;
// or 兼 (“总务主任兼出纳”) — and from party membership. Each title gives:
//
//	班主任, 副班主任, 教师, 老师, 科任, 教研组长, 备课组长,
//	  any title not below                     teacher
//	校长, 副校长, 执行校长, 常务副校长, 完小校长,
//	  园长, 校级领导, 校领导                  school_leader
//	书记, 党支部书记, 党总支书记, 党委书记    school_leader, party_secretary, party_member
//	副书记                                    school_leader, party_member
//	纪检委员, 纪委委员, 纪检监察 (纪检, 纪委) discipline, party_member
//	支部委员, 支委, 组织委员, 宣传委员        party_member
//	…主任, …副主任 (教务处主任, 政教处副主任,
//	  办公室主任, 年级主任), 处长, 科长, 中层,
//	  年级组长, 级长, 校长助理, 工会主席,
//	  团委书记, 团支部书记                    middle_leader
//	信息管理员, 信息员, 信息技术管理员, 网管,
//	  网络管理员, 电教员, 管理员, 系统管理员  admin
//	保安, 门卫, 食堂, 厨师, 炊事员, 会计,
//	  出纳, 司机, 保洁, 清洁工, 宿管,
//	  宿舍管理员, 校医, 工勤, 水电工          (no role: staff who do not teach)
//
// Every title but the last group also makes its holder a teacher: all
// staff have RoleTeacher (and the check-ins that come with it) unless each
// of their titles is non-teaching; an empty title is a teacher's.
// 教研组长 (a subject group's head) is a teacher, not middle leadership; a
// 年级组长 (a grade's head) is. 管理员 on its own means the system
// administrator; 图书管理员 does not. partyMember adds party_member. The
// roles are deduplicated and in the order of the Role constants.
func RolesFromTitle(title string, partyMember bool) []bot.Role {
	has := map[bot.Role]bool{bot.RolePartyMember: partyMember}
	parts := strings.FieldsFunc(strings.ToLower(parse.Clean(title)), func(r rune) bool {
		return strings.ContainsRune("、，,/；;| 兼", r)
	})
	teaching := true
	if len(parts) > 0 {
		teaching = false
	}
	for _, p := range parts {
		roles, teach := rosterTitleRoles(p)
		for _, r := range roles {
			has[r] = true
		}
		teaching = teaching || teach
	}
	has[bot.RoleTeacher] = teaching
	var out []bot.Role
	for _, r := range roleOrder {
		if has[r] {
			out = append(out, r)
		}
	}
	return out
}

var (
	rosterNonTeaching = []string{"保安", "门卫", "食堂", "厨师", "炊事", "会计", "出纳", "司机", "保洁", "清洁",
		"宿管", "宿舍管理", "校医", "工勤", "勤杂", "水电工", "花工", "绿化"}
	rosterMiddle = []string{"处长", "科长", "中层", "年级组长", "级长", "年级长", "校长助理", "工会主席"}
	rosterAdmin  = []string{"信息", "网管", "网络管理", "电教", "it", "系统"}
	rosterYouth  = []string{"团委", "团支部", "团总支", "共青团", "少先队", "大队"}
)

// rosterTitleRoles returns the roles one title gives beyond teacher, and
// whether its holder teaches.
func rosterTitleRoles(t string) ([]bot.Role, bool) {
	t = strings.TrimPrefix(t, "兼任")
	containsAny := func(words []string) bool {
		return slices.ContainsFunc(words, func(w string) bool { return strings.Contains(t, w) })
	}
	switch {
	case strings.Contains(t, "班主任"):
		return nil, true
	case strings.Contains(t, "纪检") || strings.Contains(t, "纪委"):
		return []bot.Role{bot.RoleDiscipline, bot.RolePartyMember}, true
	case strings.Contains(t, "书记") && containsAny(rosterYouth):
		return []bot.Role{bot.RoleMiddleLeader}, true
	case strings.Contains(t, "副书记"):
		return []bot.Role{bot.RoleSchoolLeader, bot.RolePartyMember}, true
	case strings.Contains(t, "书记"):
		return []bot.Role{bot.RoleSchoolLeader, bot.RolePartySecretary, bot.RolePartyMember}, true
	case t == "支委" || strings.Contains(t, "支部委员") || strings.Contains(t, "组织委员") || strings.Contains(t, "宣传委员"):
		return []bot.Role{bot.RolePartyMember}, true
	case containsAny(rosterMiddle):
		return []bot.Role{bot.RoleMiddleLeader}, true
	case strings.HasSuffix(t, "校长") || strings.HasSuffix(t, "园长") || strings.Contains(t, "校级") || strings.Contains(t, "校领导"):
		return []bot.Role{bot.RoleSchoolLeader}, true
	case strings.HasSuffix(t, "主任"):
		return []bot.Role{bot.RoleMiddleLeader}, true
	case containsAny(rosterNonTeaching):
		return nil, false
	case t == "管理员" || t == "平台管理员" ||
		(containsAny(rosterAdmin) && (strings.HasSuffix(t, "员") || strings.HasSuffix(t, "网管"))):
		return []bot.Role{bot.RoleAdmin}, true
	}
	return nil, true
}

// rosterHasGrade reports whether a class names its grade (“初一3班”,
// “三(2)班”), as opposed to “3班” or “3”.
func rosterHasGrade(class string) bool {
	_, ok := parse.ParseClass(class)
	return ok
}
