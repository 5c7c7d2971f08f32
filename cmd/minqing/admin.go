package main

import (
	"bufio"
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
		fail(e, err)
		return nil, false
	}
	a := &adminEnv{db: db}
	if cfg.RedisURL != "" {
		r, err := state.OpenRedis(ctx, cfg.RedisURL, state.RedisOptions{Prefix: cfg.RedisPrefix})
		if err != nil {
			db.Close()
			fail(e, err)
			return nil, false
		}
		a.stateStore = r
	} else {
		a.stateStore = state.NewMemory(1000)
	}
	a.admin, err = admin.NewAdmin(chat.Config{Store: db, State: a.stateStore, Secret: cfg.Secret, Location: cfg.Location, Logger: log})
	if err != nil {
		a.close()
		fail(e, err)
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

// findSchool resolves --school; when there is no match it names the
// schools that are close (a typo?) or all of them.
func (a *adminEnv) findSchool(ctx context.Context, e *env, name string) (bot.OrgUnit, bool) {
	s, err := a.admin.School(ctx, name)
	if err == nil {
		return s, true
	}
	if !errors.Is(err, bot.ErrNotFound) {
		fail(e, err)
		return s, false
	}
	a.noSuchSchool(ctx, e, name)
	return s, false
}

// schoolWithCounts is findSchool with how much the school holds, for the
// confirmation of merging or removing it.
func (a *adminEnv) schoolWithCounts(ctx context.Context, e *env, name string) (bot.OrgUnit, admin.SchoolCounts, bool) {
	s, ok := a.findSchool(ctx, e, name)
	if !ok {
		return s, admin.SchoolCounts{}, false
	}
	c, err := a.admin.Counts(ctx, s.ID)
	if err != nil {
		fail(e, err)
		return s, c, false
	}
	return s, c, true
}

// noSuchSchool says that there is no school of that name, and which there
// are.
func (a *adminEnv) noSuchSchool(ctx context.Context, e *env, name string) {
	schools, _ := a.admin.Schools(ctx)
	if len(schools) == 0 {
		fmt.Fprint(e.stderr, textNoSchools)
		return
	}
	fmt.Fprintf(e.stderr, textNoSuchSchool+"\n", name)
	if near, _ := a.admin.SimilarSchools(ctx, name); len(near) > 0 {
		fmt.Fprintf(e.stderr, textSchoolSimilar, schoolNames(near))
		return
	}
	fmt.Fprintf(e.stderr, textSchoolList, schoolNames(schools))
}

func schoolNames(schools []bot.OrgUnit) string {
	names := make([]string, len(schools))
	for i, s := range schools {
		names[i] = s.Name + "（" + s.Code + "）"
	}
	return strings.Join(names, "、")
}

// confirm asks the administrator to confirm a change on stdin, unless
// --yes was given. It prints what will happen either way.
func confirm(e *env, yes bool, what string) bool {
	fmt.Fprintln(e.stdout, what)
	if yes {
		return true
	}
	fmt.Fprint(e.stdout, textConfirmAsk)
	line, _ := bufio.NewReader(e.stdin).ReadString('\n')
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "是", "y", "yes", "确认":
		return true
	}
	fmt.Fprintln(e.stderr, "\n"+textConfirmAborted)
	return false
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

// parseArgs parses a command's arguments into fs (see parseInterspersed)
// and checks them with valid. Flags that do not parse have been reported
// by fs; arguments valid rejects get the command's usage. Either way ok is
// false and the command exits 2.
func parseArgs(e *env, fs *flag.FlagSet, args []string, usage string, valid func(pos []string) bool) (pos []string, ok bool) {
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, false
	}
	if !valid(pos) {
		fmt.Fprintln(e.stderr, usage)
		return nil, false
	}
	return pos, true
}

// schoolFlag is the --school flag of the commands on one school.
func schoolFlag(fs *flag.FlagSet) *string { return fs.String("school", "", textSchoolFlag) }

// withAdmin runs fn in the admin environment, or returns 1 when it cannot
// be opened (having said why).
func withAdmin(ctx context.Context, e *env, fn func(a *adminEnv) int) int {
	a, ok := openAdmin(ctx, e)
	if !ok {
		return 1
	}
	defer a.close()
	return fn(a)
}

// withSchool runs fn in the admin environment on the school named by
// --school, or returns 1 when there is none (having said why).
func withSchool(ctx context.Context, e *env, name string, fn func(a *adminEnv, s bot.OrgUnit) int) int {
	a, s, ok := openForSchool(ctx, e, name)
	if !ok {
		return 1
	}
	defer a.close()
	return fn(a, s)
}

func cmdImport(ctx context.Context, e *env, args []string) int {
	fs := adminFlags(e, "import", textImportUsage)
	school := schoolFlag(fs)
	isNew := fs.Bool("new", false, "学校还不存在时新建（只用于教职工名单）")
	bureau := fs.String("bureau", "", "新建学校时所属的教育局（可选）")
	pos, ok := parseArgs(e, fs, args, textImportUsage, func(pos []string) bool {
		return len(pos) == 2 && (pos[0] == "staff" || pos[0] == "students") && *school != ""
	})
	if !ok {
		return 2
	}
	kind, path := pos[0], pos[1]
	rows, err := sheet.Read(path)
	if err != nil {
		return fail(e, err)
	}
	return withAdmin(ctx, e, func(a *adminEnv) int {
		s, err := a.admin.School(ctx, *school)
		switch {
		case err == nil:
		case !errors.Is(err, bot.ErrNotFound):
			return fail(e, err)
		case kind == "staff" && *isNew:
			var created bool
			if s, created, err = a.admin.EnsureSchool(ctx, *school, *bureau); err != nil {
				return fail(e, err)
			}
			if created {
				fmt.Fprintf(e.stdout, textSchoolCreated, s.Name, s.Code)
			}
		default:
			// A typo must not make a second school: say which exist.
			a.noSuchSchool(ctx, e, *school)
			if kind == "staff" {
				fmt.Fprintf(e.stderr, textImportNewSchool, *school, path, *school)
			} else {
				fmt.Fprint(e.stderr, textImportNewStudents)
			}
			return 2
		}

		rep, header, ignored, suggest, rejection, err := importRows(ctx, a.admin, s.ID, kind, rows)
		if err != nil {
			return fail(e, err)
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
			cols := make([]string, len(ignored))
			for i, c := range ignored {
				cols[i] = c
				if sug := suggest[c]; sug != "" {
					cols[i] = fmt.Sprintf(textImportSuggest, c, sug)
				}
			}
			fmt.Fprintf(e.stdout, textImportIgnored, strings.Join(cols, "、"))
		}
		if len(rep.Missing) > 0 {
			fmt.Fprintf(e.stdout, textImportMissing, len(rep.Missing), strings.Join(rep.Missing, "、"))
		}
		return 0
	})
}

// importRows reads an import file's rows as staff or students and imports
// them; it returns the report, the header row, the ignored columns and the
// rows rejected while reading.
func importRows(ctx context.Context, adm *admin.Admin, schoolID int64, kind string, rows [][]string) (admin.ImportReport, int, []string, map[string]string, []roster.Rejection, error) {
	if kind == "staff" {
		r, err := roster.ParseStaffRoster(rows)
		if err != nil {
			return admin.ImportReport{}, 0, nil, nil, nil, err
		}
		rep, err := adm.ImportStaff(ctx, schoolID, r.Records)
		return rep, r.HeaderRow, r.Ignored, r.Suggest, r.Rejections, err
	}
	r, err := roster.ParseStudentRoster(rows)
	if err != nil {
		return admin.ImportReport{}, 0, nil, nil, nil, err
	}
	rep, err := adm.ImportStudents(ctx, schoolID, r.Records)
	return rep, r.HeaderRow, r.Ignored, r.Suggest, r.Rejections, err
}

func cmdSchools(ctx context.Context, e *env, args []string) int {
	fs := adminFlags(e, "schools", textSchoolsUsage)
	yes := fs.Bool("yes", false, "不再询问确认")
	want := map[string]int{"": 0, "list": 0, "rename": 2, "merge": 2, "remove": 1}
	pos, ok := parseArgs(e, fs, args, textSchoolsUsage, func(pos []string) bool {
		if len(pos) == 0 {
			return true
		}
		n, ok := want[pos[0]]
		return ok && len(pos)-1 == n
	})
	if !ok {
		return 2
	}
	sub := ""
	if len(pos) > 0 {
		sub, pos = pos[0], pos[1:]
	}
	return withAdmin(ctx, e, func(a *adminEnv) int {
		switch sub {
		case "", "list":
			schools, err := a.admin.Schools(ctx)
			if err != nil {
				return fail(e, err)
			}
			if len(schools) == 0 {
				fmt.Fprint(e.stdout, textNoSchools)
				return 0
			}
			for _, s := range schools {
				fmt.Fprintf(e.stdout, "%s\t%s\n", s.Code, s.Name)
			}
			return 0
		case "rename":
			s, ok := a.findSchool(ctx, e, pos[0])
			if !ok {
				return 1
			}
			if !confirm(e, *yes, fmt.Sprintf(textConfirmRename, s.Name, s.Code, pos[1])) {
				return 1
			}
			if err := a.admin.RenameSchool(ctx, s.ID, pos[1]); err != nil {
				return fail(e, err)
			}
			fmt.Fprintf(e.stdout, textSchoolRenamed, s.Name, strings.TrimSpace(pos[1]), s.Code)
		case "merge":
			from, c, ok := a.schoolWithCounts(ctx, e, pos[0])
			if !ok {
				return 1
			}
			into, ok := a.findSchool(ctx, e, pos[1])
			if !ok {
				return 1
			}
			if !confirm(e, *yes, fmt.Sprintf(textConfirmMerge, from.Name, from.Code, c.Staff, c.Bound, c.Students, c.Opinions, into.Name, into.Code)) {
				return 1
			}
			if err := a.admin.MergeSchools(ctx, from.ID, into.ID); err != nil {
				return fail(e, err)
			}
			fmt.Fprintf(e.stdout, textSchoolMerged, from.Name, into.Name)
		case "remove":
			s, c, ok := a.schoolWithCounts(ctx, e, pos[0])
			if !ok {
				return 1
			}
			if !confirm(e, *yes, fmt.Sprintf(textConfirmRemove, s.Name, s.Code, c.Staff, c.Bound, c.Students, c.Opinions)) {
				return 1
			}
			if err := a.admin.RemoveSchool(ctx, s.ID); err != nil {
				return fail(e, err)
			}
			fmt.Fprintf(e.stdout, textSchoolRemoved, s.Name, s.Code)
		}
		return 0
	})
}

func cmdStaff(ctx context.Context, e *env, args []string) int {
	fs := adminFlags(e, "staff", textStaffUsage)
	school := schoolFlag(fs)
	yes := fs.Bool("yes", false, "不再询问确认")
	pos, ok := parseArgs(e, fs, args, textStaffUsage, func(pos []string) bool {
		return len(pos) == 2 && (pos[0] == "remove" || pos[0] == "deactivate") && *school != ""
	})
	if !ok {
		return 2
	}
	return withSchool(ctx, e, *school, func(a *adminEnv, s bot.OrgUnit) int {
		p, err := a.admin.FindStaff(ctx, s.ID, pos[1])
		if err != nil {
			return fail(e, err)
		}
		verb := textStaffVerbRemove
		if pos[0] == "deactivate" {
			verb = textStaffVerbDeact
		}
		if !confirm(e, *yes, fmt.Sprintf(textConfirmStaff, verb, s.Name, p.Name, p.Title)) {
			return 1
		}
		// The staff number, when there is one, names exactly the person
		// confirmed.
		who := pos[1]
		if p.StaffNo != "" {
			who = p.StaffNo
		}
		if pos[0] == "remove" {
			if _, err := a.admin.RemoveStaff(ctx, s.ID, who); err != nil {
				return fail(e, err)
			}
			fmt.Fprintf(e.stdout, textStaffRemoved, p.Name, p.Title)
			return 0
		}
		if _, err := a.admin.DeactivateStaff(ctx, s.ID, who); err != nil {
			return fail(e, err)
		}
		fmt.Fprintf(e.stdout, textStaffDeactivated, p.Name, p.Title)
		return 0
	})
}

func cmdAudit(ctx context.Context, e *env, args []string) int {
	fs := adminFlags(e, "audit", textAuditUsage)
	n := fs.Int("n", 50, "显示最近多少条")
	_, ok := parseArgs(e, fs, args, textAuditUsage, func(pos []string) bool {
		return len(pos) == 0 && *n >= 1
	})
	if !ok {
		return 2
	}
	return withAdmin(ctx, e, func(a *adminEnv) int {
		entries, err := a.admin.AuditTrail(ctx, *n)
		if err != nil {
			return fail(e, err)
		}
		if len(entries) == 0 {
			fmt.Fprint(e.stdout, textAuditEmpty)
		}
		loc := loadLocation(e)
		for _, en := range entries {
			fmt.Fprintf(e.stdout, textAuditLine, en.At.In(loc).Format("2006-01-02 15:04"), en.Command, en.Detail)
		}
		return 0
	})
}

func cmdCodes(ctx context.Context, e *env, args []string) int {
	fs := adminFlags(e, "codes", textCodesUsage)
	school := schoolFlag(fs)
	out := fs.String("o", "", "写入文件（.xlsx 或 .csv）；不写则输出 CSV 到屏幕")
	renew := fs.Bool("renew", false, "为所有未绑定的人重新生成绑定码（旧码作废）")
	days := fs.Int("days", 30, "绑定码有效天数")
	_, ok := parseArgs(e, fs, args, textCodesUsage, func(pos []string) bool {
		return *school != "" && *days >= 1
	})
	if !ok {
		return 2
	}
	return withSchool(ctx, e, *school, func(a *adminEnv, s bot.OrgUnit) int {
		codes, err := a.admin.BindCodes(ctx, s.ID, *renew, time.Duration(*days)*24*time.Hour)
		if err != nil {
			return fail(e, err)
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
				return fail(e, err)
			}
			return 0
		}
		if err := sheet.Write(*out, header, rows); err != nil {
			return fail(e, err)
		}
		fmt.Fprintf(e.stdout, textCodesDone, s.Name, pending, bound, *out)
		fmt.Fprint(e.stdout, textCodesHint)
		return 0
	})
}

func cmdRebind(ctx context.Context, e *env, args []string) int {
	fs := adminFlags(e, "rebind", textRebindUsage)
	school := schoolFlag(fs)
	days := fs.Int("days", 30, "新绑定码有效天数")
	pos, ok := parseArgs(e, fs, args, textRebindUsage, func(pos []string) bool {
		return *school != "" && len(pos) == 1
	})
	if !ok {
		return 2
	}
	return withSchool(ctx, e, *school, func(a *adminEnv, s bot.OrgUnit) int {
		ic, err := a.admin.ResetBinding(ctx, s.ID, pos[0], time.Duration(*days)*24*time.Hour)
		if err != nil {
			return fail(e, err)
		}
		text := textRebindDone
		if !ic.WasBound {
			text = textRebindNeverBound
		}
		fmt.Fprintf(e.stdout, text, ic.Person.Name, ic.Code, ic.Expires.In(loadLocation(e)).Format("2006-01-02"), ic.Code)
		return 0
	})
}

func cmdSettings(ctx context.Context, e *env, args []string) int {
	fs := adminFlags(e, "settings", textSettingsUsage)
	school := schoolFlag(fs)
	set := fs.String("set", "", "从 JSON 文件读取并保存设置（- 表示标准输入；中文或英文设置项都可以）")
	template := fs.Bool("template", false, "输出中文设置模板（当前的设置），修改后用 --set 保存")
	_, ok := parseArgs(e, fs, args, textSettingsUsage, func(pos []string) bool {
		return *school != "" && (*set == "" || !*template)
	})
	if !ok {
		return 2
	}
	return withSchool(ctx, e, *school, func(a *adminEnv, s bot.OrgUnit) int {
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
				return fail(e, err)
			}
			fmt.Fprintf(e.stdout, textSettingsSaved, s.Name)
		}
		doc, err := a.admin.Settings(ctx, s.ID, *template)
		if err != nil {
			return fail(e, err)
		}
		fmt.Fprintln(e.stdout, strings.TrimRight(string(doc), "\n"))
		return 0
	})
}

// loadLocation is parseLocation's zone, or UTC when MINQING_TIMEZONE names
// none.
func loadLocation(e *env) *time.Location {
	if loc, err := parseLocation(e); err == nil {
		return loc
	}
	return time.UTC
}

// cliFlags is the flag set of a command whose wrong options the flag
// package explains, on stderr.
func cliFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	return fs
}

// adminFlags is the flag set of an admin command: a wrong option or -h
// prints the command's Chinese usage and its options, not the flag
// package's English.
func adminFlags(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintln(e.stderr, textFlagsBad)
		fmt.Fprintln(e.stderr, usage)
		fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(e.stderr, "  --%s  %s\n", f.Name, f.Usage)
		})
	}
	return fs
}
