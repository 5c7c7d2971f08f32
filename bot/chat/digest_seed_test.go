package chat

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"minqing/bot"
	"minqing/storage"
	"minqing/storage/state"
	"minqing/storage/storagetest"
)

// The seeded school of the digest tests: 实验小学 under 城区教育局, with
// departments, a branch school, grades and classes, leaders, and opinions
// over three weeks around 2026-W47 (16–22 November 2026).

var shanghai = func() *time.Location {
	l, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return l
}()

// digestNow is the tests' clock: Monday 23 November 2026, 08:00 in
// Shanghai, after the default send time of W47's digest.
var digestNow = time.Date(2026, 11, 23, 8, 0, 0, 0, shanghai)

type seeded struct {
	db                                        *storage.DB
	bureau, school, branch                    bot.OrgUnit
	units                                     map[string]bot.OrgUnit
	principal, secretary, discipline, teacher bot.Person
	bureauStaff                               bot.Person
}

// seedOp is one opinion of the seed and its steps.
type seedOp struct {
	code     string
	at       string // created, local "2006-01-02 15:04"
	cat      bot.Category
	source   string
	unit     string // the unit it names
	sender   string // who sent it (a sender hash stand-in); "" for a home visit
	assign   string // when assigned (local), to assignTo, due dueDays later
	assignTo string
	due      string // due date
	answer   string // when answered (local)
	close    string // when closed (local)
	rating   string
	ratedAt  string
}

func local(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

var seedOps = []seedOp{
	// W46 (9–15 Nov): last week.
	{code: "A001-0001", at: "2026-11-09 09:00", cat: "teaching", source: "text", unit: "三(2)班", sender: "p1", assign: "2026-11-09 14:00", assignTo: "教务处", due: "2026-11-13", answer: "2026-11-11 10:00", close: "2026-11-12 10:00", rating: "satisfied", ratedAt: "2026-11-12 09:00"},
	{code: "A001-0002", at: "2026-11-10 20:00", cat: "logistics", source: "voice", unit: "三(2)班", sender: "p2", assign: "2026-11-11 08:30", assignTo: "总务处", due: "2026-11-16", answer: "2026-11-17 16:00", rating: "unsatisfied", ratedAt: "2026-11-18 07:00"},
	{code: "A001-0003", at: "2026-11-12 12:00", cat: "safety", source: "text", unit: "", sender: "p3"},
	{code: "A001-0004", at: "2026-11-13 18:30", cat: "leadership", source: "text", unit: "", sender: "p4", assign: "2026-11-16 09:00", assignTo: "纪检", due: "2026-11-20"},
	// W47 (16–22 Nov): the digest's week.
	{code: "B002-0001", at: "2026-11-16 00:00", cat: "teaching", source: "text", unit: "三(2)班", sender: "p1", assign: "2026-11-16 10:00", assignTo: "教务处", due: "2026-11-19", answer: "2026-11-18 15:00", rating: "basic", ratedAt: "2026-11-19 08:00"},
	{code: "B002-0002", at: "2026-11-16 07:45", cat: "teaching", source: "text", unit: "三(2)班", sender: "p5", assign: "2026-11-16 10:05", assignTo: "教务处", due: "2026-11-18"},
	{code: "B002-0003", at: "2026-11-17 21:10", cat: "teaching", source: "voice", unit: "三(2)班", sender: "p6", assign: "2026-11-18 08:00", assignTo: "教务处", due: "2026-11-25", answer: "2026-11-20 11:00", close: "2026-11-21 09:00", rating: "satisfied", ratedAt: "2026-11-20 20:00"},
	{code: "B002-0004", at: "2026-11-18 12:30", cat: "logistics", source: "text", unit: "四(1)班", sender: "p7", assign: "2026-11-18 16:00", assignTo: "总务处", due: "2026-11-20", answer: "2026-11-20 17:30"},
	{code: "B002-0005", at: "2026-11-19 19:00", cat: "safety", source: "home_visit", unit: "四(1)班", sender: ""},
	{code: "B002-0006", at: "2026-11-20 08:00", cat: "fees", source: "text", unit: "东湖完小", sender: "p8"},
	{code: "B002-0007", at: "2026-11-21 10:00", cat: "leadership", source: "text", unit: "", sender: "p9"},
	{code: "B002-0008", at: "2026-11-22 23:59", cat: "ethics", source: "menu", unit: "", sender: "p2"},
	// W48: after the week (not counted as new).
	{code: "C003-0001", at: "2026-11-23 00:00", cat: "other", source: "text", unit: "", sender: "p1"},
}

func seedDigestSchool(tb testing.TB, db *storage.DB) *seeded {
	tb.Helper()
	ctx := context.Background()
	s := &seeded{db: db, units: map[string]bot.OrgUnit{}}
	err := db.Update(ctx, func(tx bot.Tx) error {
		var err error
		if s.bureau, err = tx.CreateUnit(ctx, bot.OrgUnit{Kind: bot.UnitBureau, Name: "城区教育局"}); err != nil {
			return err
		}
		if s.school, err = tx.CreateUnit(ctx, bot.OrgUnit{ParentID: s.bureau.ID, Kind: bot.UnitSchool, Name: "实验小学", Code: "SYXX"}); err != nil {
			return err
		}
		if _, err = tx.CreateUnit(ctx, bot.OrgUnit{ParentID: s.bureau.ID, Kind: bot.UnitSchool, Name: "第二中学", Code: "DEZX"}); err != nil {
			return err
		}
		add := func(parent int64, kind bot.UnitKind, name string) (bot.OrgUnit, error) {
			u, err := tx.CreateUnit(ctx, bot.OrgUnit{ParentID: parent, SchoolID: s.school.ID, Kind: kind, Name: name})
			s.units[name] = u
			return u, err
		}
		for _, d := range []string{"校长办公室", "教务处", "总务处", "政教处", "党支部", "纪检"} {
			if _, err := add(s.school.ID, bot.UnitDepartment, d); err != nil {
				return err
			}
		}
		if s.branch, err = add(s.school.ID, bot.UnitCampus, "东湖完小"); err != nil {
			return err
		}
		for _, g := range []struct{ grade, class string }{{"三年级", "三(2)班"}, {"四年级", "四(1)班"}} {
			gu, err := add(s.school.ID, bot.UnitGrade, g.grade)
			if err != nil {
				return err
			}
			if _, err := add(gu.ID, bot.UnitClass, g.class); err != nil {
				return err
			}
		}
		person := func(school int64, name string, roles ...bot.Role) (bot.Person, error) {
			return tx.CreatePerson(ctx, bot.Person{SchoolID: school, Name: name, Roles: roles, Active: true, Created: digestNow.Add(-60 * 24 * time.Hour)})
		}
		if s.principal, err = person(s.school.ID, "王校长", bot.RoleSchoolLeader); err != nil {
			return err
		}
		if s.secretary, err = person(s.school.ID, "李书记", bot.RolePartySecretary); err != nil {
			return err
		}
		if s.discipline, err = person(s.school.ID, "赵委员", bot.RoleDiscipline, bot.RoleTeacher); err != nil {
			return err
		}
		if s.teacher, err = person(s.school.ID, "陈老师", bot.RoleTeacher); err != nil {
			return err
		}
		if s.bureauStaff, err = person(s.bureau.ID, "周科长", bot.RoleSchoolLeader); err != nil {
			return err
		}
		if err := s.seedStudy(ctx, tx); err != nil {
			return err
		}
		if err := s.seedVisits(ctx, tx); err != nil {
			return err
		}
		for _, so := range seedOps {
			if err := s.addOpinion(ctx, tx, so); err != nil {
				return fmt.Errorf("%s: %w", so.code, err)
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func (s *seeded) addOpinion(ctx context.Context, tx bot.Tx, so seedOp) error {
	at := local(so.at)
	o := bot.Opinion{SchoolID: s.school.ID, Code: so.code, Category: so.cat, UnitID: s.units[so.unit].ID, Text: "意见 " + so.code,
		TextHash: bot.TextHash(so.code), Source: so.source, Anonymous: so.sender != "", Status: bot.StatusReceived, Created: at, Updated: at}
	if so.sender == "" {
		o.RecorderID = s.teacher.ID
	}
	o, err := tx.CreateOpinion(ctx, o)
	if err != nil {
		return err
	}
	step := func(when string, kind bot.OpinionStatus, edit func(*bot.Opinion, time.Time)) error {
		if when == "" {
			return nil
		}
		t := local(when)
		o.Status, o.Updated = kind, t
		if edit != nil {
			edit(&o, t)
		}
		if err := tx.UpdateOpinion(ctx, o); err != nil {
			return err
		}
		return tx.AddOpinionEvent(ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: string(kind), At: t})
	}
	if err := tx.AddOpinionEvent(ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: "received", At: at}); err != nil {
		return err
	}
	if err := step(so.assign, bot.StatusAssigned, func(o *bot.Opinion, _ time.Time) {
		o.AssignedUnitID = s.units[so.assignTo].ID
		d, _ := time.Parse(time.DateOnly, so.due)
		o.Due = d
	}); err != nil {
		return err
	}
	if err := step(so.answer, bot.StatusAnswered, func(o *bot.Opinion, t time.Time) { o.Answer, o.AnsweredAt = "已处理", t }); err != nil {
		return err
	}
	if err := step(so.close, bot.StatusClosed, nil); err != nil {
		return err
	}
	if so.rating != "" {
		t := local(so.ratedAt)
		o.Rating, o.RatedAt = so.rating, t
		if t.After(o.Updated) {
			o.Updated = t
		}
		if err := tx.UpdateOpinion(ctx, o); err != nil {
			return err
		}
		return tx.AddOpinionEvent(ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: "rated", At: t})
	}
	return nil
}

// recorder is a Notifier that records what it was asked to send and
// fails as told: the WeChat API is the one thing faked here.
type recorder struct {
	mu        sync.Mutex
	texts     []string
	templates []bot.TemplateMessage
	// textErr and templateErr, when set, are returned (and the send not
	// recorded) while their counters are above zero.
	textErr, templateErr error
	textFails, tmplFails int
	outside              map[string]bool // openids outside the 48-hour window
}

func (r *recorder) SendText(ctx context.Context, openid, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.outside[openid] {
		return bot.ErrOutsideWindow
	}
	if r.textErr != nil && r.textFails > 0 {
		r.textFails--
		return r.textErr
	}
	r.texts = append(r.texts, openid+"|"+text)
	return nil
}

func (r *recorder) SendTemplate(ctx context.Context, m bot.TemplateMessage) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.templateErr != nil && r.tmplFails > 0 {
		r.tmplFails--
		return r.templateErr
	}
	r.templates = append(r.templates, m)
	return nil
}

// newDigestBot is a Bot on db with the fixed clock.
func newDigestBot(tb testing.TB, db *storage.DB, n bot.Notifier, now func() time.Time) *Bot {
	tb.Helper()
	if n == nil {
		n = &recorder{}
	}
	b, err := New(Config{Store: db, State: state.NewMemory(1000), Notifier: n, Secret: "digest-test-secret-0123456789",
		Now: now, Location: shanghai, PublicURL: "https://mq.example.edu.cn"})
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// backends are the databases every storage-backed digest test runs on.
func backends(t *testing.T, fn func(t *testing.T, db func(testing.TB) *storage.DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, storagetest.SQLite) })
	t.Run("mysql", func(t *testing.T) { fn(t, storagetest.MySQL) })
}

func storageSQLite(tb testing.TB) *storage.DB { return storagetest.SQLite(tb) }

// seedStudy: W47 — the principal studied 5.5 hours (met), the secretary
// 2 hours (behind), the discipline member was excused; the teacher (no
// target) 1 hour. Two essays, the second flagged as copying the first.
// W46 — the principal 3 hours, the secretary 6.
func (s *seeded) seedStudy(ctx context.Context, tx bot.Tx) error {
	for _, c := range []struct {
		who          bot.Person
		day          string
		minutes, chr int
	}{
		{s.principal, "2026-11-16", 180, 1200}, {s.principal, "2026-11-22", 150, 0},
		{s.secretary, "2026-11-18", 120, 800},
		{s.teacher, "2026-11-20", 60, 0},
		{s.principal, "2026-11-10", 180, 500}, {s.secretary, "2026-11-12", 360, 2000},
	} {
		if _, err := tx.AddCheckin(ctx, bot.Checkin{PersonID: c.who.ID, SchoolID: s.school.ID, Day: c.day, Minutes: c.minutes, Chars: c.chr, Created: local(c.day + " 20:00")}); err != nil {
			return err
		}
	}
	if err := tx.PutExcuse(ctx, bot.Excuse{PersonID: s.discipline.ID, Week: "2026-W47", Source: "chat", Created: local("2026-11-16 08:00")}); err != nil {
		return err
	}
	first, err := tx.AddEssay(ctx, bot.Essay{PersonID: s.principal.ID, SchoolID: s.school.ID, Title: "学习心得", Text: "心得正文", Chars: 4, Created: local("2026-11-17 21:00")})
	if err != nil {
		return err
	}
	_, err = tx.AddEssay(ctx, bot.Essay{PersonID: s.teacher.ID, SchoolID: s.school.ID, Title: "心得", Text: "心得正文", Chars: 4,
		SimilarTo: first.ID, SimilarPerson: s.principal.ID, Similarity: 1, Created: local("2026-11-19 21:00")})
	return err
}

// seedVisits: five students (three in 三(2)班, two in 四(1)班). W47 — the
// teacher visited two families of 三(2)班 (met the weekly target), the
// discipline member none; the principal observed a lesson and had a talk.
// W46 — the teacher visited one family of 四(1)班; the secretary observed
// a lesson.
func (s *seeded) seedVisits(ctx context.Context, tx bot.Tx) error {
	var students []bot.Student
	for _, st := range []struct{ name, class string }{{"张一", "三(2)班"}, {"李二", "三(2)班"}, {"王三", "三(2)班"}, {"赵四", "四(1)班"}, {"钱五", "四(1)班"}} {
		x, err := tx.CreateStudent(ctx, bot.Student{SchoolID: s.school.ID, ClassID: s.units[st.class].ID, Name: st.name, Active: true})
		if err != nil {
			return err
		}
		students = append(students, x)
	}
	day := func(d string) time.Time { t, _ := time.Parse(time.DateOnly, d); return t }
	for _, v := range []struct {
		student int
		day     string
	}{{0, "2026-11-17"}, {1, "2026-11-19"}, {3, "2026-11-11"}} {
		st := students[v.student]
		if _, err := tx.CreateVisit(ctx, bot.Visit{SchoolID: s.school.ID, TeacherID: s.teacher.ID, ClassID: st.ClassID, StudentID: st.ID,
			Student: st.Name, Day: day(v.day), Mode: "home", Notes: "家长反映良好", Created: local(v.day + " 19:00")}); err != nil {
			return err
		}
	}
	if _, err := tx.CreateObservation(ctx, bot.Observation{SchoolID: s.school.ID, ObserverID: s.principal.ID, ClassID: s.units["三(2)班"].ID, Class: "三(2)班",
		Subject: "语文", TeacherID: s.teacher.ID, Day: day("2026-11-18"), Created: local("2026-11-18 10:00")}); err != nil {
		return err
	}
	if _, err := tx.CreateObservation(ctx, bot.Observation{SchoolID: s.school.ID, ObserverID: s.secretary.ID, ClassID: s.units["四(1)班"].ID, Class: "四(1)班",
		Subject: "数学", Day: day("2026-11-12"), Created: local("2026-11-12 10:00")}); err != nil {
		return err
	}
	_, err := tx.CreateTalk(ctx, bot.Talk{SchoolID: s.school.ID, LeaderID: s.principal.ID, TeacherID: s.teacher.ID, Day: day("2026-11-20"), Notes: "谈心", Created: local("2026-11-20 16:00")})
	return err
}
