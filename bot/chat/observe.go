package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"minqing/bot"
	"minqing/bot/parse"
)

// Observations (推门听课) and talks (谈心) of leaders. The teacher named
// resolves to a person of the roster where it can — a surname with 老师
// matching one of the class's teachers, or a full name matching one
// person — and otherwise the leader is asked which one. They are visible to
// the leader and the school's leaders (exports), not to other teachers; the
// observed teacher gets the evaluation only when the school turns that on.

const flowStaffPick = "staff_pick" // which member of staff an observation or talk was with

// leaderRecord is an observation or a talk waiting for the leader to say
// which teacher it was with (Dialog.Data["record"]).
type leaderRecord struct {
	Kind        string  `json:"kind"` // "observation" or "talk"
	ClassID     int64   `json:"class_id,omitempty"`
	CampusID    int64   `json:"campus_id,omitempty"`
	Class       string  `json:"class,omitempty"`
	Subject     string  `json:"subject,omitempty"`
	TeacherName string  `json:"teacher_name,omitempty"`
	Date        string  `json:"date"`
	Notes       string  `json:"notes,omitempty"`
	Choices     []int64 `json:"choices,omitempty"`
}

// onObservation records a lesson observed: 听课 初二3班 语文 李老师 评价….
func (b *Bot) onObservation(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed) (bot.Reply, error) {
	if !t.person.Can(bot.ActObserve) {
		return refuse(t.person, bot.ActObserve), nil
	}
	if p.Class == "" && p.Subject == "" && p.Teacher == "" {
		return bot.Text(textObserveHow), nil
	}
	rec := leaderRecord{Kind: "observation", Class: p.Class, Subject: p.Subject, TeacherName: p.Teacher, Date: b.recordDate(t, p.Date), Notes: p.Text}
	r, err := b.loadRoster(ctx, tx, t.person.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	mine, err := tx.PersonUnits(ctx, t.person.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	if rec.Class != "" {
		rec.ClassID = r.classNamed(rec.Class, mine)
		rec.CampusID = r.campusOf(rec.ClassID)
	}
	if rec.ClassID == 0 {
		if cs := r.kinds(mine, bot.UnitCampus); len(cs) == 1 {
			rec.CampusID = cs[0] // the leader's branch school
		}
	}
	return b.resolveAndSave(ctx, tx, t, rec)
}

// onTalk records a talk: 谈心 王老师 最近带毕业班压力大.
func (b *Bot) onTalk(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed) (bot.Reply, error) {
	if !t.person.Can(bot.ActObserve) {
		return refuse(t.person, bot.ActObserve), nil
	}
	if p.Teacher == "" {
		return bot.Text(textTalkHow), nil
	}
	rec := leaderRecord{Kind: "talk", TeacherName: p.Teacher, Date: b.recordDate(t, p.Date), Notes: p.Text}
	return b.resolveAndSave(ctx, tx, t, rec)
}

// recordDate is the day a record names, today when it names none or a
// day after today.
func (b *Bot) recordDate(t *turn, date string) string {
	today := dayOf(t.now, b.loc).Format(time.DateOnly)
	if date == "" || date > today {
		return today
	}
	return date
}

// resolveAndSave finds the teacher of rec and saves it, or asks which.
func (b *Bot) resolveAndSave(ctx context.Context, tx bot.Tx, t *turn, rec leaderRecord) (bot.Reply, error) {
	if rec.TeacherName == "" {
		return b.saveLeaderRecord(ctx, tx, t, rec, 0, "")
	}
	cands, err := b.staffMatching(ctx, tx, t.person, rec.TeacherName, rec.ClassID)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(cands) == 1 {
		return b.saveLeaderRecord(ctx, tx, t, rec, cands[0].ID, cands[0].Name)
	}
	if len(cands) == 0 {
		return b.saveLeaderRecord(ctx, tx, t, rec, 0, "")
	}
	var lines []string
	rec.Choices = nil
	for i, c := range cands {
		rec.Choices = append(rec.Choices, c.ID)
		l := fmt.Sprintf("%d. %s", i+1, c.Name)
		if c.Title != "" {
			l += "（" + c.Title + "）"
		}
		lines = append(lines, l)
	}
	raw, _ := json.Marshal(rec)
	t.setDialog(Dialog{Flow: flowStaffPick, Data: map[string]string{"record": string(raw)}, Since: t.now, LastCode: t.dialog.LastCode})
	return bot.Text(fmt.Sprintf(textStaffPick, rec.TeacherName, strings.Join(lines, "\n"))), nil
}

// continueStaffPick takes the number of the teacher meant (0: none of
// them, keep the name as written).
func (b *Bot) continueStaffPick(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, text string) (bot.Reply, error) {
	if p.Intent == parse.IntentCancel {
		t.endFlow()
		return bot.Text(textCancelled), nil
	}
	var rec leaderRecord
	_ = json.Unmarshal([]byte(t.dialog.Data["record"]), &rec)
	n, err := strconv.Atoi(strings.TrimSpace(parse.Clean(text)))
	if err != nil || n < 0 || n > len(rec.Choices) {
		return bot.Text(fmt.Sprintf(textStaffPickBad, len(rec.Choices))), nil
	}
	t.endFlow()
	if n == 0 {
		return b.saveLeaderRecord(ctx, tx, t, rec, 0, "")
	}
	who, err := tx.Person(ctx, rec.Choices[n-1])
	if err != nil {
		return bot.Reply{}, err
	}
	return b.saveLeaderRecord(ctx, tx, t, rec, who.ID, who.Name)
}

// staffMatching returns the school's active staff a name may mean: for
// 李老师, those surnamed 李 — only the class's teachers when classID is
// known and one of them matches; for a full name, those with that name.
func (b *Bot) staffMatching(ctx context.Context, tx bot.Tx, leader *bot.Person, name string, classID int64) ([]bot.Person, error) {
	staff, err := tx.Staff(ctx, leader.SchoolID, false)
	if err != nil {
		return nil, err
	}
	surname, bySurname := strings.CutSuffix(name, "老师")
	var cands []bot.Person
	for _, s := range staff {
		if s.ID == leader.ID {
			continue
		}
		if bySurname && strings.HasPrefix(s.Name, surname) && len(s.Name) > len(surname) || !bySurname && s.Name == name {
			cands = append(cands, s)
		}
	}
	if !bySurname || classID == 0 || len(cands) <= 1 {
		return cands, nil
	}
	var inClass []bot.Person
	for _, c := range cands {
		units, err := tx.PersonUnits(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		for _, u := range units {
			if u == classID {
				inClass = append(inClass, c)
				break
			}
		}
	}
	if len(inClass) == 1 {
		return inClass, nil
	}
	return cands, nil
}

// saveLeaderRecord stores an observation or a talk with the teacher
// resolved (teacherID, name) or as written (0, "").
func (b *Bot) saveLeaderRecord(ctx context.Context, tx bot.Tx, t *turn, rec leaderRecord, teacherID int64, name string) (bot.Reply, error) {
	p := t.person
	day, err := time.Parse(time.DateOnly, rec.Date)
	if err != nil {
		day = dayOf(t.now, b.loc)
	}
	who := name
	if who == "" {
		who = rec.TeacherName
	}
	who, rec.Class, rec.Subject = bot.Clip(who, maxNameRunes), bot.Clip(rec.Class, maxNameRunes), bot.Clip(rec.Subject, 30)
	var out string
	if rec.Kind == "talk" {
		if _, err := tx.CreateTalk(ctx, bot.Talk{SchoolID: p.SchoolID, LeaderID: p.ID, TeacherID: teacherID, TeacherName: who,
			Day: day, Notes: rec.Notes, Created: t.now}); err != nil {
			return bot.Reply{}, err
		}
		out = fmt.Sprintf(textTalkSaved, who, dayLabel(day))
		if rec.Notes != "" {
			out += fmt.Sprintf(textTalkNotes, rec.Notes)
		}
	} else {
		class := rec.Class
		if class == "" {
			class = textAnyClass
		}
		if _, err := tx.CreateObservation(ctx, bot.Observation{SchoolID: p.SchoolID, ObserverID: p.ID, CampusID: rec.CampusID, ClassID: rec.ClassID,
			Class: class, Subject: rec.Subject, TeacherID: teacherID, TeacherName: who, Day: day, Notes: rec.Notes, Created: t.now}); err != nil {
			return bot.Reply{}, err
		}
		what := strings.TrimSpace(strings.Join([]string{class, rec.Subject, who}, " "))
		out = fmt.Sprintf(textObserveSaved, what, dayLabel(day))
		if rec.Notes != "" {
			out += fmt.Sprintf(textObserveEval, rec.Notes)
		}
	}
	if rec.TeacherName != "" && teacherID == 0 {
		out += fmt.Sprintf(textStaffNotFound, rec.TeacherName)
	}
	set, err := b.settings(ctx, tx, p.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	if rec.Kind == "observation" && set.Visits.Push() && teacherID != 0 && rec.Notes != "" {
		push := fmt.Sprintf(textPushEvaluation, p.Name, dayLabel(day), rec.Notes)
		t.after(func(ctx context.Context) {
			if _, err := b.pushToStaff(ctx, teacherID, push, bot.TemplateMessage{}); err != nil {
				b.log.Warn("push_failed", "what", "evaluation", "err", err)
			}
		})
	}
	prog, err := b.leaderProgress(ctx, tx, t, set, false)
	if err != nil {
		return bot.Reply{}, err
	}
	return bot.Text(out + prog), nil
}

// isSchoolLeader and isMiddleLeader decide which targets apply.
func isSchoolLeader(p *bot.Person) bool {
	return p.Has(bot.RoleSchoolLeader) || p.Has(bot.RolePartySecretary)
}

func isMiddleLeader(p *bot.Person) bool { return p.Has(bot.RoleMiddleLeader) }

// within reports whether day d lies in the period.
func (v visitPeriod) within(d time.Time) bool { return !d.Before(v.from) && d.Before(v.to) }

// leaderProgress is the leader's progress against the targets of their
// level — a week for school leaders, a semester and a month for middle
// leaders — and their observations at their branch school, from one read
// of their observations and one of their talks; with semTotals it starts
// with the semester's totals (我的听课).
func (b *Bot) leaderProgress(ctx context.Context, tx bot.Tx, t *turn, set Settings, semTotals bool) (string, error) {
	p := t.person
	v := set.Visits
	wk, sem, inSem, span := b.weekAndSemester(set, t.now)
	obs, err := tx.ObservationsBy(ctx, p.ID, span.from, span.to)
	if err != nil {
		return "", err
	}
	talks, err := tx.TalksBy(ctx, p.ID, span.from, span.to)
	if err != nil {
		return "", err
	}
	today := dayOf(t.now, b.loc)
	var weekObs, weekTalks, semTalks, month int
	var semObs []bot.Observation
	for _, o := range obs {
		if wk.within(o.Day) {
			weekObs++
		}
		if inSem && sem.within(o.Day) {
			semObs = append(semObs, o)
			if o.Day.Year() == today.Year() && o.Day.Month() == today.Month() {
				month++
			}
		}
	}
	for _, k := range talks {
		if wk.within(k.Day) {
			weekTalks++
		}
		if inSem && sem.within(k.Day) {
			semTalks++
		}
	}
	out := ""
	if semTotals && inSem {
		out += fmt.Sprintf(textObserveProgSem, len(semObs), semTalks)
	}
	if isSchoolLeader(p) || !isMiddleLeader(p) {
		out += fmt.Sprintf(textObserveWeek, weekObs, v.LeaderWeeklyObservations, weekTalks, v.LeaderWeeklyTalks)
	}
	if !inSem {
		return out, nil
	}
	if isMiddleLeader(p) {
		out += fmt.Sprintf(textObserveSemester, sem.label, len(semObs), v.MiddleSemesterObservations, month, v.MiddleMonthlyObservations)
	}
	r, campuses, err := b.unitsOfKind(ctx, tx, p, bot.UnitCampus)
	if err != nil {
		return "", err
	}
	for _, c := range campuses {
		var there []string
		for _, o := range semObs {
			if o.CampusID == c {
				there = append(there, dayLabel(o.Day)+" "+strings.TrimSpace(o.Class+" "+o.Subject))
			}
		}
		list := ""
		if len(there) > 0 {
			list = fmt.Sprintf(textObserveCampusLs, strings.Join(there[max(0, len(there)-5):], "；"))
		}
		out += fmt.Sprintf(textObserveCampus, r.units[c].Name, len(there), list)
	}
	return out, nil
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// onObserveProgress answers 我的听课 and 还差几节课.
func (b *Bot) onObserveProgress(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	if !t.person.Can(bot.ActObserve) {
		return refuse(t.person, bot.ActObserve), nil
	}
	set, err := b.settings(ctx, tx, t.person.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	prog, err := b.leaderProgress(ctx, tx, t, set, true)
	if err != nil {
		return bot.Reply{}, err
	}
	return bot.Text(textObserveMine + prog), nil
}
