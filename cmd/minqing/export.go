package main

import (
	"context"
	"errors"
	"fmt"

	"minqing/bot"
	"minqing/bot/admin"
	"minqing/storage/sheet"
)

const textExportUsage = "用法：minqing export ledger|study|visits|observations --school 学校名称 [--semester 2026-秋] -o 文件.xlsx"

// cmdExport writes the 家访记录表 (visits and coverage per class) or the
// 听课记录 (observations, talks, counts per leader) of a semester.
func cmdExport(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 && args[0] == "ledger" {
		return cmdExportLedger(ctx, e, args[1:]) // digest.go
	}
	if len(args) > 0 && args[0] == "study" {
		return cmdExportStudy(ctx, e, args[1:]) // study.go
	}
	if len(args) == 0 || (args[0] != "visits" && args[0] != "observations") {
		fmt.Fprintln(e.stderr, textExportUsage)
		return 2
	}
	what := args[0]
	fs := cliFlags(e, "export")
	school := schoolFlag(fs)
	semester := fs.String("semester", "", "学期，例如 2026-秋、2027-春；不写则为本学期")
	out := fs.String("o", "", "写入文件（.xlsx 或 .csv）")
	_, ok := parseArgs(e, fs, args[1:], textExportUsage, func(pos []string) bool {
		return *school != "" && *out != ""
	})
	if !ok {
		return 2
	}
	return withSchool(ctx, e, *school, func(a *adminEnv, s bot.OrgUnit) int {
		loc := loadLocation(e)
		var (
			tables []admin.Table
			err    error
		)
		if what == "visits" {
			tables, _, err = a.admin.VisitTables(ctx, s.ID, *semester, loc)
		} else {
			tables, _, err = a.admin.ObservationTables(ctx, s.ID, *semester, loc)
		}
		if errors.Is(err, bot.ErrNotFound) {
			fmt.Fprintf(e.stderr, "minqing: %v\n", err)
			return 2
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "minqing: %v\n", err)
			return 1
		}
		sheets := make([]sheet.Sheet, len(tables))
		n := 0
		for i, t := range tables {
			sheets[i] = sheet.Sheet{Name: t.Name, Header: t.Header, Rows: t.Rows}
			if i == 0 {
				n = len(t.Rows)
			}
		}
		if err := sheet.WriteBook(*out, sheets); err != nil {
			fmt.Fprintf(e.stderr, "minqing: %v\n", err)
			return 1
		}
		fmt.Fprintf(e.stdout, "已写出 %s：%s %d 行。\n", *out, tables[0].Name, n)
		return 0
	})
}
