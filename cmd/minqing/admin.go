package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"minqing/bot"
	"minqing/bot/admin"
	"minqing/bot/chat"
	"minqing/bot/roster"
	"minqing/storage"
	"minqing/storage/sheet"
	"minqing/storage/state"
)

// The school administrator's commands: import, schools, codes, rebind,
// settings. What they print is for a school IT teacher, in Chinese.

const (
	textImportUsage    = "用法：minqing import staff|students 文件.xlsx|文件.csv --school 学校名称 [--bureau 教育局名称]"
	textSchoolCreated  = "已新建学校：%s（代码 %s）\n"
	textImportDone     = "导入完成（%s，表头在第%d行）：新增 %d 人，更新 %d 人，无变化 %d 人，未导入 %d 行。\n"
	textImportRejected = "未导入的行：\n"
	textImportIgnored  = "以下列没有识别，已忽略：%s\n"
	textImportMissing  = "名单中没有、但系统里已有的 %d 人（保持不变）：%s\n"
	textCodesDone      = "已为 %s 生成绑定码：%d 人待绑定，%d 人已绑定。已写入 %s\n"
	textCodesHint      = "请把绑定码分发给本人：在公众号里发送“绑定 绑定码”即可完成绑定。绑定码只能用一次。\n"
	textRebindDone     = "已解除 %s 的微信绑定。新的绑定码：%s（%s 前有效）。请本人在公众号发送“绑定 %s”。\n"
	textNoSuchSchool   = "没有找到学校“%s”。已有的学校：%s\n"
	textNoSchools      = "还没有学校。先用 minqing import staff 文件 --school 学校名称 导入教职工名单。\n"
	textSettingsSaved  = "已保存 %s 的设置。\n"
)

// adminEnv is what an admin command needs: the database, the state store
// (so that a rebinding reaches running instances) and the Admin.
type adminEnv struct {
	db         *storage.DB
	stateStore stateStore
	admin      *admin.Admin
}

func openAdmin(ctx context.Context, e *env) (*adminEnv, bool) {
	cfg, log, ok := loadConfig(e)
	if !ok {
		return nil, false
	}
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return nil, false
	}
	a := &adminEnv{db: db}
	if cfg.RedisURL != "" {
		r, err := state.OpenRedis(ctx, cfg.RedisURL, state.RedisOptions{Prefix: cfg.RedisPrefix})
		if err != nil {
			db.Close()
			fmt.Fprintf(e.stderr, "minqing: %v\n", err)
			return nil, false
		}
		a.stateStore = r
	} else {
		a.stateStore = state.NewMemory(1000)
	}
	a.admin, err = admin.NewAdmin(chat.Config{Store: db, State: a.stateStore, Secret: cfg.Secret, Location: cfg.Location, Logger: log})
	if err != nil {
		a.close()
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return nil, false
	}
	return a, true
}

func (a *adminEnv) close() {
	a.stateStore.Close()
	a.db.Close()
}

// openForSchool opens the admin environment and finds the school named by
// --school; when it cannot, it has said why.
func openForSchool(ctx context.Context, e *env, name string) (*adminEnv, bot.OrgUnit, bool) {
	a, ok := openAdmin(ctx, e)
	if !ok {
		return nil, bot.OrgUnit{}, false
	}
	s, ok := a.findSchool(ctx, e, name)
	if !ok {
		a.close()
		return nil, s, false
	}
	return a, s, true
}

// findSchool resolves --school, listing the schools when there is no match.
func (a *adminEnv) findSchool(ctx context.Context, e *env, name string) (bot.OrgUnit, bool) {
	s, err := a.admin.School(ctx, name)
	if err == nil {
		return s, true
	}
	if !errors.Is(err, bot.ErrNotFound) {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return s, false
	}
	schools, _ := a.admin.Schools(ctx)
	if len(schools) == 0 {
		fmt.Fprint(e.stderr, textNoSchools)
		return s, false
	}
	names := make([]string, len(schools))
	for i, s := range schools {
		names[i] = s.Name + "（" + s.Code + "）"
	}
	fmt.Fprintf(e.stderr, textNoSuchSchool, name, strings.Join(names, "、"))
	return s, false
}

// flags parses a command's flags, allowing them after positional
// arguments (`import staff FILE --school X`).
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func cmdImport(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	school := fs.String("school", "", "学校名称或代码（不存在时新建）")
	bureau := fs.String("bureau", "", "新建学校时所属的教育局（可选）")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 2 || (pos[0] != "staff" && pos[0] != "students") || *school == "" {
		fmt.Fprintln(e.stderr, textImportUsage)
		return 2
	}
	kind, path := pos[0], pos[1]
	rows, err := sheet.Read(path)
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return 1
	}
	a, ok := openAdmin(ctx, e)
	if !ok {
		return 1
	}
	defer a.close()
	var s bot.OrgUnit
	if kind == "staff" {
		var created bool
		if s, created, err = a.admin.EnsureSchool(ctx, *school, *bureau); err != nil {
			fmt.Fprintf(e.stderr, "minqing: %v\n", err)
			return 1
		}
		if created {
			fmt.Fprintf(e.stdout, textSchoolCreated, s.Name, s.Code)
		}
	} else if s, ok = a.findSchool(ctx, e, *school); !ok {
		return 1
	}

	rep, header, ignored, rejection, err := importRows(ctx, a.admin, s.ID, kind, rows)
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return 1
	}
	rejection = append(rejection, rep.Rejected...)
	fmt.Fprintf(e.stdout, textImportDone, filepath.Base(path), header, rep.Created, rep.Updated, rep.Unchanged, len(rejection))
	if len(rejection) > 0 {
		fmt.Fprint(e.stdout, textImportRejected)
		for _, r := range rejection {
			fmt.Fprintf(e.stdout, "  %s\n", r.Reason)
		}
	}
	if len(ignored) > 0 {
		fmt.Fprintf(e.stdout, textImportIgnored, strings.Join(ignored, "、"))
	}
	if len(rep.Missing) > 0 {
		fmt.Fprintf(e.stdout, textImportMissing, len(rep.Missing), strings.Join(rep.Missing, "、"))
	}
	return 0
}

// importRows reads an import file's rows as staff or students and imports
// them; it returns the report, the header row, the ignored columns and the
// rows rejected while reading.
func importRows(ctx context.Context, adm *admin.Admin, schoolID int64, kind string, rows [][]string) (admin.ImportReport, int, []string, []roster.Rejection, error) {
	if kind == "staff" {
		r, err := roster.ParseStaffRoster(rows)
		if err != nil {
			return admin.ImportReport{}, 0, nil, nil, err
		}
		rep, err := adm.ImportStaff(ctx, schoolID, r.Records)
		return rep, r.HeaderRow, r.Ignored, r.Rejections, err
	}
	r, err := roster.ParseStudentRoster(rows)
	if err != nil {
		return admin.ImportReport{}, 0, nil, nil, err
	}
	rep, err := adm.ImportStudents(ctx, schoolID, r.Records)
	return rep, r.HeaderRow, r.Ignored, r.Rejections, err
}

func cmdSchools(ctx context.Context, e *env, args []string) int {
	a, ok := openAdmin(ctx, e)
	if !ok {
		return 1
	}
	defer a.close()
	schools, err := a.admin.Schools(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return 1
	}
	if len(schools) == 0 {
		fmt.Fprint(e.stdout, textNoSchools)
		return 0
	}
	for _, s := range schools {
		fmt.Fprintf(e.stdout, "%s\t%s\n", s.Code, s.Name)
	}
	return 0
}

func cmdCodes(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("codes", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	school := fs.String("school", "", "学校名称或代码")
	out := fs.String("o", "", "写入文件（.xlsx 或 .csv）；不写则输出 CSV 到屏幕")
	renew := fs.Bool("renew", false, "为所有未绑定的人重新生成绑定码（旧码作废）")
	days := fs.Int("days", 30, "绑定码有效天数")
	if _, err := parseInterspersed(fs, args); err != nil {
		return 2
	}
	if *school == "" || *days < 1 {
		fmt.Fprintln(e.stderr, "用法：minqing codes --school 学校名称 [-o 绑定码.xlsx] [--renew] [--days 30]")
		return 2
	}
	a, s, ok := openForSchool(ctx, e, *school)
	if !ok {
		return 1
	}
	defer a.close()
	codes, err := a.admin.BindCodes(ctx, s.ID, *renew, time.Duration(*days)*24*time.Hour)
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return 1
	}
	header := []string{"姓名", "职务", "工号", "绑定码", "有效期至", "状态"}
	rows := make([][]string, 0, len(codes))
	pending, bound := 0, 0
	for _, c := range codes {
		status, exp := "待绑定", c.Expires.In(loadLocation(e)).Format("2006-01-02")
		if c.Bound {
			status, exp = "已绑定", ""
			bound++
		} else {
			pending++
		}
		rows = append(rows, []string{c.Person.Name, c.Person.Title, c.Person.StaffNo, c.Code, exp, status})
	}
	if *out == "" {
		if err := sheet.WriteTo(e.stdout, "csv", header, rows); err != nil {
			fmt.Fprintf(e.stderr, "minqing: %v\n", err)
			return 1
		}
		return 0
	}
	if err := sheet.Write(*out, header, rows); err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stdout, textCodesDone, s.Name, pending, bound, *out)
	fmt.Fprint(e.stdout, textCodesHint)
	return 0
}

func cmdRebind(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("rebind", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	school := fs.String("school", "", "学校名称或代码")
	days := fs.Int("days", 30, "新绑定码有效天数")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if *school == "" || len(pos) != 1 {
		fmt.Fprintln(e.stderr, "用法：minqing rebind --school 学校名称 姓名或工号")
		return 2
	}
	a, s, ok := openForSchool(ctx, e, *school)
	if !ok {
		return 1
	}
	defer a.close()
	ic, err := a.admin.ResetBinding(ctx, s.ID, pos[0], time.Duration(*days)*24*time.Hour)
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stdout, textRebindDone, ic.Person.Name, ic.Code, ic.Expires.In(loadLocation(e)).Format("2006-01-02"), ic.Code)
	return 0
}

func cmdSettings(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("settings", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	school := fs.String("school", "", "学校名称或代码")
	set := fs.String("set", "", "从 JSON 文件读取并保存设置（- 表示标准输入）")
	if _, err := parseInterspersed(fs, args); err != nil {
		return 2
	}
	if *school == "" {
		fmt.Fprintln(e.stderr, "用法：minqing settings --school 学校名称 [--set settings.json]")
		return 2
	}
	a, s, ok := openForSchool(ctx, e, *school)
	if !ok {
		return 1
	}
	defer a.close()
	if *set != "" {
		var doc []byte
		var err error
		if *set == "-" {
			doc, err = io.ReadAll(e.stdin)
		} else {
			doc, err = os.ReadFile(*set)
		}
		if err == nil {
			err = a.admin.PutSettings(ctx, s.ID, doc)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "minqing: %v\n", err)
			return 1
		}
		fmt.Fprintf(e.stdout, textSettingsSaved, s.Name)
	}
	doc, err := a.admin.Settings(ctx, s.ID)
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return 1
	}
	fmt.Fprintln(e.stdout, string(doc))
	return 0
}

func loadLocation(e *env) *time.Location {
	name := e.getenv("MINQING_TIMEZONE")
	if name == "" {
		name = "Asia/Shanghai"
	}
	if loc, err := time.LoadLocation(name); err == nil {
		return loc
	}
	return time.UTC
}
