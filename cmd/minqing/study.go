package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"minqing/bot"
	"minqing/bot/admin"
	"minqing/bot/chat"
	"minqing/storage/sheet"
)

// The study commands: export study (学时登记表) and excuse (请假 for a
// staff member). What they print is for a school IT teacher, in Chinese.

const (
	textExportStudyUsage = "用法：minqing export study --school 学校名称 [--semester 2026-秋] -o 学时登记表.xlsx"
	textExportDone       = "已导出 %s %s学期学时登记表：%d 人，%d 次打卡，%d 篇心得。已写入 %s\n"
	textExportNoTerm     = "没有找到学期“%s”。学期名称形如 2026-秋、2027-春（学校设置了 semesters 时用设置里的名称）。\n"
	textExcuseUsage      = "用法：minqing excuse --school 学校名称 --from 2026-11-18 [--to 2026-11-29] 姓名或工号"
	textExcuseSaved      = "已为 %s 登记请假：%s。\n"
	textExcuseNoSuch     = "没有找到在职的“%s”。请检查姓名，或改用工号。\n"
	textExcuseMany       = "有多位同名的“%s”，请改用工号。\n"
	textExcuseBadDate    = "日期“%s”不是 YYYY-MM-DD 格式。\n"

	textSheetStaff    = "学时汇总"
	textSheetCheckins = "打卡明细"
	textSheetEssays   = "心得体会"
	textYes           = "是"
	textNo            = "否"
	textNoTarget      = "无目标"
	textCopyOf        = "与%s的心得相似 %d%%"
)

var (
	textStaffHeadStart = []string{"姓名", "部门", "党员"}
	textStaffHeadEnd   = []string{"总学时", "笔记字数", "心得篇数", "请假周数", "是否达标"}
	textCheckinHead    = []string{"姓名", "部门", "日期", "学时", "笔记字数", "学习内容", "打卡时间"}
	textEssayHead      = []string{"姓名", "部门", "标题", "字数", "提交时间", "雷同提示", "正文"}
)

// parseArgsAndZone is parseArgs for a command about the schools' days:
// it also returns parseLocation's zone, and when MINQING_TIMEZONE names
// none it says so and ok is false.
func parseArgsAndZone(e *env, fs *flag.FlagSet, args []string, usage string, valid func(pos []string) bool) (pos []string, loc *time.Location, ok bool) {
	if pos, ok = parseArgs(e, fs, args, usage, valid); !ok {
		return nil, nil, false
	}
	loc, err := parseLocation(e)
	if err != nil {
		fmt.Fprintln(e.stderr, "minqing:", err)
		return nil, nil, false
	}
	return pos, loc, true
}

// cmdExportStudy is `minqing export study` (args after "study").
func cmdExportStudy(ctx context.Context, e *env, args []string) int {
	fs := cliFlags(e, "export study")
	school := schoolFlag(fs)
	semester := fs.String("semester", "", "学期，例如 2026-秋（默认本学期）")
	out := fs.String("o", "", "输出文件 .xlsx")
	_, loc, ok := parseArgsAndZone(e, fs, args, textExportStudyUsage, func(pos []string) bool {
		return *school != "" && *out != ""
	})
	if !ok {
		return 2
	}
	return withSchool(ctx, e, *school, func(a *adminEnv, s bot.OrgUnit) int {
		r, err := a.admin.StudyReport(ctx, s.ID, *semester, loc)
		if errors.Is(err, bot.ErrNotFound) {
			fmt.Fprintf(e.stderr, textExportNoTerm, *semester)
			return 1
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "minqing: %v\n", err)
			return 1
		}
		if err := sheet.WriteBook(*out, studyTables(r, loc)); err != nil {
			fmt.Fprintf(e.stderr, "minqing: %v\n", err)
			return 1
		}
		fmt.Fprintf(e.stdout, textExportDone, s.Name, r.Semester.Name, len(r.Rows), len(r.Checkins), len(r.Essays), *out)
		return 0
	})
}

// studyTables lays the report out: one row per staff member with each
// week's hours, every check-in, every essay.
func studyTables(r admin.StudyReport, loc *time.Location) []sheet.Sheet {
	head := append([]string{}, textStaffHeadStart...)
	for _, w := range r.Weeks {
		head = append(head, fmt.Sprintf("第%d周(%d.%d)", w.Number(), w.Start.Month(), w.Start.Day()))
	}
	head = append(head, textStaffHeadEnd...)
	var staff [][]string
	for _, row := range r.Rows {
		line := []string{row.Person.Name, r.Departments[row.Person.ID], yesNo(row.Party)}
		for i, m := range row.WeekMinutes {
			cell := hoursCell(m)
			if row.Excused[i] {
				cell = "假"
				if m > 0 {
					cell = hoursCell(m) + "(假)"
				}
			}
			line = append(line, cell)
		}
		met := yesNo(row.Met)
		if row.Target == (chat.StudyTarget{}) {
			met = textNoTarget
		}
		line = append(line, hoursCell(row.Minutes), strconv.Itoa(row.Chars), strconv.Itoa(row.Essays), strconv.Itoa(row.ExcusedN), met)
		staff = append(staff, line)
	}
	var checkins [][]string
	for _, c := range r.Checkins {
		checkins = append(checkins, []string{r.Names[c.PersonID], r.Departments[c.PersonID], c.Day, hoursCell(c.Minutes), strconv.Itoa(c.Chars), c.Title,
			c.Created.In(loc).Format("2006-01-02 15:04")})
	}
	var essays [][]string
	for _, es := range r.Essays {
		flag := ""
		if es.SimilarTo != 0 {
			flag = fmt.Sprintf(textCopyOf, r.Names[es.SimilarPerson], int(es.Similarity*100+0.5))
		}
		essays = append(essays, []string{r.Names[es.PersonID], r.Departments[es.PersonID], es.Title, strconv.Itoa(es.Chars),
			es.Created.In(loc).Format("2006-01-02 15:04"), flag, es.Text})
	}
	return []sheet.Sheet{
		{Name: textSheetStaff, Header: head, Rows: staff},
		{Name: textSheetCheckins, Header: textCheckinHead, Rows: checkins},
		{Name: textSheetEssays, Header: textEssayHead, Rows: essays},
	}
}

func yesNo(b bool) string {
	if b {
		return textYes
	}
	return textNo
}

// hoursCell is minutes as hours with at most one decimal.
func hoursCell(minutes int) string {
	return strings.TrimSuffix(strconv.FormatFloat(float64(minutes)/60, 'f', 1, 64), ".0")
}

func cmdExcuse(ctx context.Context, e *env, args []string) int {
	fs := cliFlags(e, "excuse")
	school := schoolFlag(fs)
	from := fs.String("from", "", "第一天 YYYY-MM-DD")
	to := fs.String("to", "", "最后一天 YYYY-MM-DD（默认同第一天）")
	pos, loc, ok := parseArgsAndZone(e, fs, args, textExcuseUsage, func(pos []string) bool {
		return *school != "" && *from != "" && len(pos) == 1
	})
	if !ok {
		return 2
	}
	if *to == "" {
		*to = *from
	}
	var days [2]time.Time
	for i, d := range []string{*from, *to} {
		var err error
		if days[i], err = time.ParseInLocation(time.DateOnly, d, loc); err != nil {
			fmt.Fprintf(e.stderr, textExcuseBadDate, d)
			return 2
		}
	}
	return withSchool(ctx, e, *school, func(a *adminEnv, s bot.OrgUnit) int {
		weeks, err := a.admin.Excuse(ctx, s.ID, pos[0], days[0], days[1], loc)
		switch {
		case errors.Is(err, bot.ErrNotFound):
			fmt.Fprintf(e.stderr, textExcuseNoSuch, pos[0])
			return 1
		case errors.Is(err, bot.ErrConflict):
			fmt.Fprintf(e.stderr, textExcuseMany, pos[0])
			return 1
		case err != nil:
			fmt.Fprintf(e.stderr, "minqing: %v\n", err)
			return 1
		}
		names := make([]string, len(weeks))
		for i, w := range weeks {
			names[i] = fmt.Sprintf("第%d周（%s）", w.Number(), w.Label())
		}
		fmt.Fprintf(e.stdout, textExcuseSaved, pos[0], strings.Join(names, "、"))
		return 0
	})
}
