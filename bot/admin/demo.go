package admin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"minqing/bot"
	"minqing/bot/chat"
	"minqing/bot/parse"
	"minqing/bot/roster"
)

// The demo school that `minqing demo` seeds, so that there is something to
// show from the first minute: units, staff (some bound to the simulator's
// personas), classes and students, and a few weeks of opinions in every
// state of the ledger. Everyone in it is fictional.

// DemoSchoolCode is the code of the demo school.
const DemoSchoolCode = "DEMO"

const demoSchoolName = "阳光实验中学（演示）"

// demoStaff: name, title, departments, classes, party member, persona key.
var demoStaff = []struct {
	name, title string
	depts       []string
	classes     []string
	party       bool
	persona     string
}{
	{"林志远", "校长", []string{"校长室"}, nil, true, "leader"},
	{"黄建华", "党支部书记", []string{"党支部"}, nil, true, ""},
	{"陈静", "纪检委员", []string{"党支部"}, []string{"初一(2)班"}, true, "discipline"},
	{"周明", "教务处主任", []string{"教务处"}, []string{"初三(1)班"}, true, ""},
	{"刘洋", "总务处主任", []string{"总务处"}, nil, false, ""},
	{"孙梅", "政教处主任", []string{"政教处"}, []string{"初二(1)班"}, true, ""},
	{"王丽华", "班主任", []string{"初二年级组"}, []string{"初二(3)班"}, true, "teacher"},
	{"吴芳", "班主任", []string{"初一年级组"}, []string{"初一(1)班"}, false, ""},
	{"郑伟", "教师", []string{"初三年级组"}, []string{"初三(1)班", "初三(2)班"}, true, ""},
	{"何佳", "教师", []string{"初一年级组"}, []string{"初一(1)班", "初一(2)班"}, false, ""},
	{"赵磊", "信息管理员", []string{"办公室"}, nil, false, "admin"},
	{"马军", "保安", []string{"总务处"}, nil, false, ""},
}

var demoStudents = []struct{ name, class string }{
	{"张小明", "初二(3)班"}, {"李思雨", "初二(3)班"}, {"王子涵", "初二(3)班"}, {"刘一诺", "初二(3)班"},
	{"陈浩然", "初一(1)班"}, {"杨欣怡", "初一(1)班"}, {"赵宇轩", "初一(2)班"}, {"黄梓萱", "初一(2)班"},
	{"周俊杰", "初三(1)班"}, {"吴雨桐", "初三(1)班"}, {"徐天佑", "初三(2)班"}, {"孙可欣", "初三(2)班"},
}

// demoOpinion is one opinion of the demo ledger: how many days ago it came
// in, its text, where it ended up, and whether it is the parent persona's.
type demoOpinion struct {
	daysAgo  int
	text     string
	source   string
	status   bot.OpinionStatus
	unit     string // assigned unit
	dueDays  int    // school days given at 交办
	answer   string
	rating   string
	mine     bool // the parent persona sent it (it has a receipt for them)
	category bot.Category
}

var demoOpinions = []demoOpinion{
	{daysAgo: 26, text: "食堂的饭菜太咸了，孩子回家总说口渴，希望能清淡一些。", source: bot.SourceText, status: bot.StatusClosed, unit: "总务处", dueDays: 5, answer: "已与食堂承包方沟通，每餐减盐三分之一，并请家长代表每月陪餐一次。", rating: parse.RatingSatisfied, mine: true},
	{daysAgo: 24, text: "放学时校门口接送的车太多，堵得厉害，孩子过马路很危险。", source: bot.SourceVoice, status: bot.StatusClosed, unit: "政教处", dueDays: 3, answer: "已联系交警在放学时段派人疏导，学校安排行政值班教师在校门口维持秩序。", rating: parse.RatingBasic},
	{daysAgo: 21, text: "作业太多了，初二的孩子每天写到十一点多，能不能统筹一下各科的作业量。", source: bot.SourceText, status: bot.StatusClosed, unit: "教务处", dueDays: 5, answer: "教务处已建立作业公示制度，各科作业总量控制在90分钟以内，班主任每周检查。", rating: parse.RatingSatisfied},
	{daysAgo: 19, text: "学校要求买的教辅资料太多了，有的根本没用上，希望公开收费明细。", source: bot.SourceText, status: bot.StatusClosed, unit: "总务处", dueDays: 5, answer: "教辅资料一律自愿购买，学校不统一征订；收费项目已在校门口公示栏公开。", rating: parse.RatingUnsatisfied},
	{daysAgo: 16, text: "男生厕所的冲水坏了一个多星期了，味道很大。", source: bot.SourceMenu, status: bot.StatusAnswered, unit: "总务处", dueDays: 2, answer: "已更换冲水阀，并安排每日两次检查。", mine: true},
	{daysAgo: 14, text: "有的老师在课堂上挖苦成绩差的学生，孩子很受伤，希望学校重视。", source: bot.SourceText, status: bot.StatusAnswered, unit: "政教处", dueDays: 5, answer: "学校已召开师德专题会议，相关教师已作出整改承诺，欢迎家长继续监督。"},
	{daysAgo: 12, text: "冬天教室的窗户关不严，风很大，孩子上课冻手。", source: bot.SourceVoice, status: bot.StatusProcessing, unit: "总务处", dueDays: 5},
	{daysAgo: 10, text: "希望学校多组织一些课外活动，比如篮球和书法兴趣班。", source: bot.SourceText, status: bot.StatusProcessing, unit: "教务处", dueDays: 10},
	{daysAgo: 9, text: "教务处办事效率太低，开个在读证明要跑三趟。", source: bot.SourceText, status: bot.StatusAssigned, unit: "教务处", dueDays: 3},
	{daysAgo: 6, text: "学校图书馆周末能不能开放，孩子想去借书。", source: bot.SourceMenu, status: bot.StatusAssigned, unit: "办公室", dueDays: 5, mine: true},
	{daysAgo: 5, text: "副校长开会时经常迟到，让全体老师等，作风问题希望纪检关注。", source: bot.SourceText, status: bot.StatusAssigned, unit: "党支部", dueDays: 5, category: bot.CatLeadership},
	{daysAgo: 4, text: "希望学校给每个教室装电视看球赛。", source: bot.SourceText, status: bot.StatusRejected, answer: "与教育教学无关，学校不予采纳，感谢您的关心。"},
	{daysAgo: 3, text: "学校操场的跑道有几处破损，孩子跑步容易摔倒。", source: bot.SourceText, status: bot.StatusReceived},
	{daysAgo: 2, text: "食堂的菜还是有点咸，能不能再调整一下。", source: bot.SourceText, status: bot.StatusMerged},
	{daysAgo: 2, text: "晚自习放学太晚了，路上没有路灯，家长很担心。", source: bot.SourceVoice, status: bot.StatusReceived},
	{daysAgo: 1, text: "建议学校开放日让家长进课堂听课，了解孩子在校情况。", source: bot.SourceText, status: bot.StatusReceived, mine: true},
	{daysAgo: 1, text: "体育课经常被主科老师占用，孩子锻炼时间太少。", source: bot.SourceText, status: bot.StatusWithdrawn},
}

// DemoReport says what SeedDemo made.
type DemoReport struct {
	School   bot.OrgUnit
	Staff    int
	Students int
	Opinions int
	Checkins int
	Essays   int
	// Bound maps persona keys to the staff bound to them.
	Bound map[string]string
}

// SeedDemo creates the demo school, binding staff to the personas' openids
// (persona key → openid: leader, teacher, discipline, admin). It returns
// ErrConflict if the demo school exists.
func (a *Admin) SeedDemo(ctx context.Context, personas map[string]string) (DemoReport, error) {
	rep := DemoReport{Bound: map[string]string{}}
	now := a.now().UTC()
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		rep = DemoReport{Bound: map[string]string{}}
		if _, err := tx.UnitByCode(ctx, DemoSchoolCode); err == nil {
			return fmt.Errorf("the demo school exists already: %w", bot.ErrConflict)
		} else if !errors.Is(err, bot.ErrNotFound) {
			return err
		}
		school, err := tx.CreateUnit(ctx, bot.OrgUnit{Kind: bot.UnitSchool, Name: demoSchoolName, Code: DemoSchoolCode})
		if err != nil {
			return err
		}
		rep.School = school
		units, err := newUnitCache(ctx, tx, school.ID)
		if err != nil {
			return err
		}
		staffIDs := map[string]int64{}
		for _, s := range demoStaff {
			p, err := tx.CreatePerson(ctx, bot.Person{SchoolID: school.ID, Name: s.name, Title: s.title,
				Roles: roster.RolesFromTitle(s.title, s.party), Active: true})
			if err != nil {
				return err
			}
			staffIDs[s.name] = p.ID
			var ids []int64
			for _, d := range s.depts {
				u, err := units.get(ctx, school.ID, bot.UnitDepartment, d)
				if err != nil {
					return err
				}
				ids = append(ids, u.ID)
			}
			for _, c := range s.classes {
				u, err := units.get(ctx, school.ID, bot.UnitClass, c)
				if err != nil {
					return err
				}
				ids = append(ids, u.ID)
			}
			if err := tx.SetPersonUnits(ctx, p.ID, ids); err != nil {
				return err
			}
			rep.Staff++
			if openid := personas[s.persona]; s.persona != "" && openid != "" {
				if old, err := tx.BindingByOpenID(ctx, openid); err == nil {
					if err := tx.DeleteBinding(ctx, old.PersonID); err != nil {
						return err
					}
				}
				if err := tx.PutBinding(ctx, bot.Binding{PersonID: p.ID, OpenID: openid, Active: true, BoundAt: now}); err != nil {
					return err
				}
				rep.Bound[s.persona] = s.name
			}
		}
		for _, st := range demoStudents {
			class, err := units.get(ctx, school.ID, bot.UnitClass, st.class)
			if err != nil {
				return err
			}
			if _, err := tx.CreateStudent(ctx, bot.Student{SchoolID: school.ID, ClassID: class.ID, Name: st.name, Active: true}); err != nil {
				return err
			}
			rep.Students++
		}
		n, err := a.seedDemoOpinions(ctx, tx, school, units, staffIDs, personas["parent"], now)
		rep.Opinions = n
		if err != nil {
			return err
		}
		if rep.Checkins, rep.Essays, err = a.seedDemoStudy(ctx, tx, school, staffIDs, now); err != nil {
			return err
		}
		return a.seedDemoVisits(ctx, tx, school, units, staffIDs, now)
	})
	if err == nil {
		chat.TouchBindingsVersion(ctx, a.state, a.log)
	}
	return rep, err
}

func (a *Admin) seedDemoOpinions(ctx context.Context, tx bot.Tx, school bot.OrgUnit, units *unitCache, staff map[string]int64, parent string, now time.Time) (int, error) {
	set := chat.DefaultSettings()
	principal, discipline := staff["林志远"], staff["陈静"]
	var first bot.Opinion
	n := 0
	for i, d := range demoOpinions {
		at := now.AddDate(0, 0, -d.daysAgo).Add(time.Duration(-i*37) * time.Minute)
		cat := d.category
		if cat == "" {
			cat = bot.Category(parse.Parse(d.text, parse.ParseContext{}).Category)
			if !parse.Category(cat).Valid() {
				cat = bot.Category(parse.CatOther)
			}
		}
		actor := principal
		if cat == bot.CatLeadership {
			actor = discipline
		}
		o := bot.Opinion{SchoolID: school.ID, Category: cat, Text: d.text, TextHash: bot.TextHash(d.text), Source: d.source,
			Anonymous: true, Status: bot.StatusReceived, Created: at, Updated: at}
		o, err := bot.CreateWithCode(ctx, tx, o)
		if err != nil {
			return n, err
		}
		n++
		if i == 0 {
			first = o
		}
		events := []bot.OpinionEvent{{Kind: string(bot.StatusReceived), Note: d.source, At: at}}
		step := func(kind bot.OpinionStatus, after time.Duration, note string) time.Time {
			at = at.Add(after)
			events = append(events, bot.OpinionEvent{Kind: string(kind), ActorID: actor, Note: note, At: at})
			o.Status, o.Updated = kind, at
			return at
		}
		if d.unit != "" {
			u, err := units.get(ctx, school.ID, bot.UnitDepartment, d.unit)
			if err != nil {
				return n, err
			}
			step(bot.StatusAssigned, 5*time.Hour, fmt.Sprintf("%s，%d个工作日", d.unit, d.dueDays))
			o.AssignedUnitID = u.ID
			o.Due = set.AddSchoolDays(bot.CivilDate(at, time.UTC), d.dueDays)
		}
		switch d.status {
		case bot.StatusProcessing:
			step(bot.StatusProcessing, 20*time.Hour, "")
		case bot.StatusAnswered, bot.StatusClosed:
			step(bot.StatusProcessing, 20*time.Hour, "")
			o.Answer, o.AnsweredAt = d.answer, step(bot.StatusAnswered, 30*time.Hour, bot.Clip(d.answer, 100))
			if d.rating != "" {
				o.Rating, o.RatedAt = d.rating, at.Add(3*time.Hour)
				events = append(events, bot.OpinionEvent{Kind: "rated", Note: d.rating, At: o.RatedAt})
			}
			if d.status == bot.StatusClosed {
				step(bot.StatusClosed, 26*time.Hour, "")
			}
		case bot.StatusRejected:
			o.Answer, o.AnsweredAt = d.answer, step(bot.StatusRejected, 6*time.Hour, d.answer)
		case bot.StatusMerged:
			o.MergedInto = first.ID
			step(bot.StatusMerged, 4*time.Hour, "→ "+first.Code)
		case bot.StatusWithdrawn:
			at = at.Add(40 * time.Minute)
			events = append(events, bot.OpinionEvent{Kind: string(bot.StatusWithdrawn), At: at})
			o.Status, o.Updated = bot.StatusWithdrawn, at
		}
		if err := tx.UpdateOpinion(ctx, o); err != nil {
			return n, err
		}
		for _, e := range events {
			e.OpinionID = o.ID
			if err := tx.AddOpinionEvent(ctx, e); err != nil {
				return n, err
			}
		}
		if d.mine && parent != "" {
			r := bot.Receipt{OpinionID: o.ID, SenderHash: a.keys.Sender(parent), SealedOpenID: a.keys.Seal([]byte(parent)),
				Expires: o.Created.Add(time.Duration(set.ReceiptDays) * 24 * time.Hour), Created: o.Created}
			if err := tx.PutReceipt(ctx, r); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// demoEssays are the demo school's reflection essays: author, title, text.
// The third copies most of the first, so that 心得列表 shows the flag.
var demoEssays = []struct{ author, title, text string }{
	{"周明", "践行群众路线 做人民满意的教师", "通过学习党的群众路线教育实践活动的有关文件，我深刻认识到群众路线是党的生命线和根本工作路线。作为一名教务主任，我要把家长和学生的意见当作改进工作的第一信号，坚持每周深入课堂听课，每月召开一次家长座谈会，把作业总量、课后服务这些家长最关心的事一件一件办好。今后我将坚持问计于民、问需于民，用实际行动赢得群众的信任。"},
	{"孙梅", "在家访中读懂群众", "这学期我走访了二十多个家庭，深刻体会到学校工作离不开家长的理解和支持。有的家长工作忙、顾不上孩子，有的家长对学校的收费和作业有疑问，我都一一记下来，回校后和相关处室商量解决办法。通过学习，我更加明白为人民服务不是一句口号，而是要把群众的冷暖放在心上，把小事当作大事来办。"},
	{"郑伟", "学习群众路线的体会", "通过学习党的群众路线教育实践活动的有关文件，我深刻认识到群众路线是党的生命线和根本工作路线。作为一名教师，我要把家长和学生的意见当作改进工作的第一信号，坚持深入课堂，每月召开一次家长座谈会，把作业总量、课后服务这些家长最关心的事一件一件办好。今后我将坚持问计于民、问需于民，用实际行动赢得群众的信任。"},
}

// seedDemoStudy gives the demo staff with a target four weeks of
// check-ins — most on track, the teacher persona behind this week, so
// that 我的学习 and the Thursday reminder have something to show — and
// the essays above, flagged as the chat flow flags them.
func (a *Admin) seedDemoStudy(ctx context.Context, tx bot.Tx, school bot.OrgUnit, staff map[string]int64, now time.Time) (checkins, essays int, err error) {
	titles := []string{"论群众路线", "党章", "十八届三中全会精神", "中小学教师职业道德规范", "厉行节约、反对浪费"}
	today := now.In(a.loc)
	today = time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, a.loc)
	week := chat.WeekOf(today, a.loc)
	for k, s := range demoStaff {
		if !s.party {
			continue
		}
		for back := 3; back >= 0; back-- {
			w := week
			for i := 0; i < back; i++ {
				w = w.Prev()
			}
			// Three sessions a week: Monday, Wednesday, Friday; in the
			// current week only those already past, and the teacher
			// persona (王丽华) skips this week's.
			for j, off := range []int{0, 2, 4} {
				day := w.Start.AddDate(0, 0, off)
				if !day.Before(today) || (back == 0 && s.persona == "teacher" && j > 0) {
					continue
				}
				minutes := 60 + 30*((k+j+back)%3)
				c := bot.Checkin{PersonID: staff[s.name], SchoolID: school.ID, Day: day.Format(time.DateOnly), Minutes: minutes,
					Title: titles[(k+j+back)%len(titles)], Created: day.Add(20 * time.Hour).UTC()}
				if j == 1 {
					c.Chars = 800 + 100*((k+back)%5)
				}
				if _, err := tx.AddCheckin(ctx, c); err != nil {
					return checkins, essays, err
				}
				checkins++
			}
		}
	}
	var stored []bot.Essay
	for i, e := range demoEssays {
		es := bot.Essay{PersonID: staff[e.author], SchoolID: school.ID, Title: e.title, Text: e.text,
			Chars: parse.EssayChars(e.text), Created: now.Add(time.Duration(i-len(demoEssays)) * 24 * time.Hour)}
		for _, o := range stored {
			if sim := chat.Similarity(es.Text, o.Text); sim >= chat.CopyThreshold && sim > es.Similarity {
				es.SimilarTo, es.SimilarPerson, es.Similarity = o.ID, o.PersonID, sim
			}
		}
		es, err := tx.AddEssay(ctx, es)
		if err != nil {
			return checkins, essays, err
		}
		stored = append(stored, es)
		essays++
	}
	return checkins, essays, nil
}

// SeedLoadStaff adds n party members to the demo school, bound to the
// openids openid(0) … openid(n-1), for load tests of check-ins
// (`minqing demo --load-staff N`). Those already bound are left alone.
func (a *Admin) SeedLoadStaff(ctx context.Context, n int, openid func(int) string) (int, error) {
	added := 0
	now := a.now().UTC()
	for start := 0; start < n; start += 500 {
		batch := 0
		err := a.store.Update(ctx, func(tx bot.Tx) error {
			batch = 0
			school, err := tx.UnitByCode(ctx, DemoSchoolCode)
			if err != nil {
				return err
			}
			for i := start; i < min(start+500, n); i++ {
				if _, err := tx.BindingByOpenID(ctx, openid(i)); err == nil {
					continue
				} else if !errors.Is(err, bot.ErrNotFound) {
					return err
				}
				p, err := tx.CreatePerson(ctx, bot.Person{SchoolID: school.ID, Name: fmt.Sprintf("压测%05d", i), Title: "教师",
					Roles: []bot.Role{bot.RoleTeacher, bot.RolePartyMember}, Active: true})
				if err != nil {
					return err
				}
				if err := tx.PutBinding(ctx, bot.Binding{PersonID: p.ID, OpenID: openid(i), Active: true, BoundAt: now}); err != nil {
					return err
				}
				batch++
			}
			return nil
		})
		if err != nil {
			return added, err
		}
		added += batch
	}
	chat.TouchBindingsVersion(ctx, a.state, a.log)
	return added, nil
}
