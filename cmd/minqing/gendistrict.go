package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"minqing/bot"
	"minqing/bot/chat"
	"minqing/storage"
)

// `minqing gen-district`: a district to measure the weekly digest on —
// by default DESIGN's size: 50 schools, 5,000 staff, 100,000 students,
// 1,000,000 opinions with their events, 2,000,000 study check-ins, 200,000 home visits and the leaders'
// observations and talks, over two years up to now. Rows go in with
// multi-row INSERTs, one transaction per school and table chunk.

const textGenUsage = "用法：minqing gen-district [--schools 50] [--scale 1.0] [--years 2]（写入 MINQING_* 配置的数据库）"

// genSize is one school's size at scale 1.
var genSize = struct{ staff, students, opinions, checkins, visits int }{100, 2000, 20000, 40000, 4000}

func cmdGenDistrict(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("gen-district", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	schools := fs.Int("schools", 50, "学校数")
	scale := fs.Float64("scale", 1, "每校数据量的比例（1 = 每校 100 名教职工、2000 名学生、2 万条意见、4 万次学习打卡、4000 次家访）")
	years := fs.Float64("years", 2, "年数")
	seed := fs.Uint64("seed", 1, "随机种子")
	if _, err := parseInterspersed(fs, args); err != nil {
		return 2
	}
	if *schools < 1 || *scale <= 0 || *years <= 0 {
		fmt.Fprintln(e.stderr, textGenUsage)
		return 2
	}
	cfg, log, ok := loadConfig(e)
	if !ok {
		return 1
	}
	db, err := openDB(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return 1
	}
	defer db.Close()
	g := &generator{db: db, sqlx: db.SQL(), rng: rand.New(rand.NewPCG(*seed, 2026)), now: time.Now().UTC().Truncate(time.Second),
		loc: cfg.Location, scale: *scale, years: *years, out: e}
	start := time.Now()
	if err := g.run(ctx, *schools); err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "已生成 %d 所学校：教职工 %d，学生 %d，意见 %d（事件 %d），学习打卡 %d，家访 %d，听课 %d，谈心 %d；用时 %s\n",
		*schools, g.n.staff, g.n.students, g.n.opinions, g.n.events, g.n.checkins, g.n.visits, g.n.observations, g.n.talks, time.Since(start).Round(time.Second))
	return 0
}

type generator struct {
	db    *storage.DB
	sqlx  *sqlx.DB
	rng   *rand.Rand
	now   time.Time
	loc   *time.Location
	scale float64
	years float64
	out   *env
	n     struct{ staff, students, opinions, events, checkins, visits, observations, talks int }
	// nextOpinion is the next opinion ID (explicit, so that events can
	// name it in the same multi-row INSERTs).
	nextOpinion int64
}

func (g *generator) sized(n int) int { return max(1, int(float64(n)*g.scale)) }

func (g *generator) run(ctx context.Context, schools int) error {
	var bureau bot.OrgUnit
	err := g.db.Update(ctx, func(tx bot.Tx) error {
		var err error
		bureau, err = tx.UnitByName(ctx, 0, bot.UnitBureau, "全区教育局（生成）")
		if err == nil {
			return fmt.Errorf("the generated district exists already (start from an empty database): %w", bot.ErrConflict)
		}
		bureau, err = tx.CreateUnit(ctx, bot.OrgUnit{Kind: bot.UnitBureau, Name: "全区教育局（生成）"})
		if err != nil {
			return err
		}
		_, err = tx.CreatePerson(ctx, bot.Person{SchoolID: bureau.ID, Name: "区局督导", Roles: []bot.Role{bot.RoleSchoolLeader}, Active: true, Created: g.now})
		return err
	})
	if err != nil {
		return err
	}
	if err := g.sqlx.GetContext(ctx, &g.nextOpinion, `SELECT COALESCE(MAX(id), 0) + 1 FROM opinions`); err != nil {
		return err
	}
	for i := range schools {
		if err := g.school(ctx, bureau, i); err != nil {
			return fmt.Errorf("school %d: %w", i+1, err)
		}
		fmt.Fprintf(g.out.stderr, "school %d/%d done\n", i+1, schools)
	}
	return nil
}

// school makes one school: units, staff, students, then its history.
func (g *generator) school(ctx context.Context, bureau bot.OrgUnit, idx int) error {
	var (
		s        genSchool
		classes  []int64
		staff    []bot.Person
		leaders  []int64
		teachers []int64
		unit     bot.OrgUnit
	)
	err := g.db.Update(ctx, func(tx bot.Tx) error {
		var err error
		if unit, err = tx.CreateUnit(ctx, bot.OrgUnit{ParentID: bureau.ID, Kind: bot.UnitSchool, Name: fmt.Sprintf("第%d学校（生成）", idx+1), Code: fmt.Sprintf("G%03d", idx+1)}); err != nil {
			return err
		}
		s = genSchool{ID: unit.ID, Parents: g.sized(genSize.students) * 2}
		add := func(parent int64, kind bot.UnitKind, name string) (bot.OrgUnit, error) {
			return tx.CreateUnit(ctx, bot.OrgUnit{ParentID: parent, SchoolID: unit.ID, Kind: kind, Name: name})
		}
		for _, d := range []string{"校长办公室", "教务处", "总务处", "政教处", "党支部"} {
			u, err := add(unit.ID, bot.UnitDepartment, d)
			if err != nil {
				return err
			}
			s.Depts = append(s.Depts, u.ID)
		}
		campus, err := add(unit.ID, bot.UnitCampus, "东湖完小")
		if err != nil {
			return err
		}
		s.Named = append(s.Named, campus.ID)
		perClass := 45
		nClasses := max(1, g.sized(genSize.students)/perClass)
		grades := []string{"一", "二", "三", "四", "五", "六"}
		for gi, gname := range grades {
			gu, err := add(unit.ID, bot.UnitGrade, gname+"年级")
			if err != nil {
				return err
			}
			s.Named = append(s.Named, gu.ID)
			for c := gi; c < nClasses; c += len(grades) {
				cu, err := add(gu.ID, bot.UnitClass, fmt.Sprintf("%s(%d)班", gname, c/len(grades)+1))
				if err != nil {
					return err
				}
				classes = append(classes, cu.ID)
				s.Named = append(s.Named, cu.ID)
			}
		}
		nStaff := g.sized(genSize.staff)
		for i := range nStaff {
			roles := []bot.Role{bot.RoleTeacher}
			switch {
			case i == 0:
				roles = []bot.Role{bot.RoleSchoolLeader, bot.RolePartyMember}
			case i == 1:
				roles = []bot.Role{bot.RolePartySecretary, bot.RolePartyMember}
			case i == 2:
				roles = []bot.Role{bot.RoleDiscipline, bot.RoleTeacher, bot.RolePartyMember}
			case i < 7:
				roles = []bot.Role{bot.RoleMiddleLeader, bot.RoleTeacher, bot.RolePartyMember}
			case i%2 == 0:
				roles = append(roles, bot.RolePartyMember)
			}
			p, err := tx.CreatePerson(ctx, bot.Person{SchoolID: unit.ID, Name: fmt.Sprintf("教师%03d", i+1), Roles: roles, Active: true, Created: g.now})
			if err != nil {
				return err
			}
			staff = append(staff, p)
			if p.Has(bot.RoleSchoolLeader) || p.Has(bot.RolePartySecretary) || p.Has(bot.RoleMiddleLeader) {
				leaders = append(leaders, p.ID)
				if s.Actor == 0 {
					s.Actor = p.ID
				}
			}
			if p.Has(bot.RoleTeacher) {
				teachers = append(teachers, p.ID)
			}
		}
		s.Recorders = teachers
		return nil
	})
	if err != nil {
		return err
	}
	g.n.staff += len(staff)

	// Students.
	var studentRows [][]any
	for i := range g.sized(genSize.students) {
		studentRows = append(studentRows, []any{unit.ID, classes[i%len(classes)], fmt.Sprintf("学生%05d", i+1), fmt.Sprintf("S%03d%05d", idx+1, i+1), true, g.now, g.now})
	}
	if err := g.insert(ctx, "students", "school_id, class_id, name, student_no, active, created_at, updated_at", studentRows); err != nil {
		return err
	}
	g.n.students += len(studentRows)
	var studentIDs []int64
	if err := g.sqlx.SelectContext(ctx, &studentIDs, `SELECT id FROM students WHERE school_id = ? ORDER BY id`, unit.ID); err != nil {
		return err
	}

	// Opinions, with their events.
	from := g.now.Add(-time.Duration(g.years * 365 * 24 * float64(time.Hour)))
	weeks := g.now.Sub(from).Hours() / (24 * 7)
	seq := 0
	ops := genLedger(g.rng, s, from, g.now, float64(g.sized(genSize.opinions))/weeks, chat.DefaultSettings(), g.loc, func() string {
		seq++
		return fmt.Sprintf("%02X%02X-%04X", (idx+1)%256, (seq>>16)%256, seq%65536)
	})
	var opRows, evRows [][]any
	for _, o := range ops {
		id := g.nextOpinion
		g.nextOpinion++
		x := o.O
		opRows = append(opRows, []any{id, x.SchoolID, x.Code, string(x.Category), nullable(x.UnitID), x.Text, x.TextHash, x.Source, x.Anonymous, nullable(x.RecorderID),
			string(x.Status), nullable(x.AssignedUnitID), dateOrNil(x.Due), strOrNil(x.Answer), timeOrNil(x.AnsweredAt), strOrNil(x.Rating), timeOrNil(x.RatedAt), x.Created, x.Updated})
		for _, e := range o.Events {
			evRows = append(evRows, []any{id, e.Kind, nullable(e.ActorID), e.Note, e.At})
		}
	}
	if err := g.insert(ctx, "opinions", `id, school_id, code, category, unit_id, text, text_hash, source, anonymous, recorder_id, status,
		assigned_unit_id, due_date, answer, answered_at, rating, rated_at, created_at, updated_at`, opRows); err != nil {
		return err
	}
	if err := g.insert(ctx, "opinion_events", "opinion_id, kind, actor_id, note, at", evRows); err != nil {
		return err
	}
	g.n.opinions, g.n.events = g.n.opinions+len(opRows), g.n.events+len(evRows)

	// Study check-ins: spread over the staff and the days.
	var ciRows [][]any
	span := g.now.Sub(from)
	for range g.sized(genSize.checkins) {
		p := staff[g.rng.IntN(len(staff))]
		at := from.Add(time.Duration(g.rng.Int64N(int64(span))))
		ciRows = append(ciRows, []any{p.ID, unit.ID, at.In(g.loc).Format(time.DateOnly), 30 + 15*g.rng.IntN(10), 100 * g.rng.IntN(20), "", at})
	}
	if err := g.insert(ctx, "study_checkins", "person_id, school_id, day, minutes, chars, title, created_at", ciRows); err != nil {
		return err
	}
	g.n.checkins += len(ciRows)

	// Home visits by the teachers; observations and talks by the leaders.
	var vRows [][]any
	for range g.sized(genSize.visits) {
		at := from.Add(time.Duration(g.rng.Int64N(int64(span))))
		st := studentIDs[g.rng.IntN(len(studentIDs))]
		vRows = append(vRows, []any{unit.ID, teachers[g.rng.IntN(len(teachers))], classes[int(st)%len(classes)], st, "", "",
			bot.CivilDate(at, g.loc).Format(time.DateOnly), "home", "家长反映孩子在家情况良好", false, false, at})
	}
	if err := g.insert(ctx, "visits", "school_id, teacher_id, class_id, student_id, class_name, student, day, mode, notes, follow_up, flagged, created_at", vRows); err != nil {
		return err
	}
	g.n.visits += len(vRows)
	var obRows, tkRows [][]any
	for w := 0.0; w < weeks; w++ {
		for _, l := range leaders {
			at := from.Add(time.Duration(w*7*24*float64(time.Hour)) + time.Duration(g.rng.IntN(5*24))*time.Hour)
			if g.rng.Float64() < 0.8 {
				obRows = append(obRows, []any{unit.ID, l, classes[g.rng.IntN(len(classes))], "", "语文", "", bot.CivilDate(at, g.loc).Format(time.DateOnly), "", at})
			}
			if g.rng.Float64() < 0.6 {
				tkRows = append(tkRows, []any{unit.ID, l, "", bot.CivilDate(at, g.loc).Format(time.DateOnly), "", at})
			}
		}
	}
	if err := g.insert(ctx, "observations", "school_id, observer_id, class_id, class_name, subject, teacher_name, day, notes, created_at", obRows); err != nil {
		return err
	}
	if err := g.insert(ctx, "talks", "school_id, leader_id, teacher_name, day, notes, created_at", tkRows); err != nil {
		return err
	}
	g.n.observations, g.n.talks = g.n.observations+len(obRows), g.n.talks+len(tkRows)
	return nil
}

// insert writes rows with multi-row INSERTs of up to 20,000 values, a
// transaction per 100,000 rows.
func (g *generator) insert(ctx context.Context, table, columns string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	width := len(rows[0])
	per := max(1, 20000/width)
	row := "(?" + strings.Repeat(", ?", width-1) + ")"
	for start := 0; start < len(rows); start += 100000 {
		tx, err := g.sqlx.BeginTxx(ctx, nil)
		if err != nil {
			return err
		}
		end := min(len(rows), start+100000)
		for i := start; i < end; i += per {
			chunk := rows[i:min(end, i+per)]
			var q strings.Builder
			q.WriteString("INSERT INTO " + table + " (" + columns + ") VALUES ")
			args := make([]any, 0, len(chunk)*width)
			for j, r := range chunk {
				if j > 0 {
					q.WriteString(", ")
				}
				q.WriteString(row)
				args = append(args, r...)
			}
			if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
				tx.Rollback()
				return fmt.Errorf("insert %s: %w", table, err)
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

func nullable(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func strOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC()
}

func dateOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(time.DateOnly)
}
