package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"minqing/bot"
	"minqing/bot/parse"
)

// Home visits (家访): logged in one message or through a guided flow
// (class, student, date, mode, what the family said, follow-up), checked
// against the roster (an unknown student is kept and flagged for the
// admin; a name two pupils share is asked about), and what the family said
// can go to the ledger with 转台帐, recorded by the teacher, not anonymous.

// The flows of this file.
const (
	flowVisit     = "visit"      // the guided 家访 flow
	flowVisitPick = "visit_pick" // which of the pupils sharing a name
)

// visitStep names the question the guided flow asked last.
type visitStep string

const (
	stepClass   visitStep = "class"
	stepStudent visitStep = "student"
	stepDate    visitStep = "date"
	stepMode    visitStep = "mode"
	stepNotes   visitStep = "notes"
	stepFollow  visitStep = "follow"
)

// visitDraft is a visit being gathered, kept in the dialog (Data["visit"]).
type visitDraft struct {
	Class     string `json:"class,omitempty"`
	Student   string `json:"student,omitempty"`
	Date      string `json:"date,omitempty"`
	Mode      string `json:"mode,omitempty"`
	Notes     string `json:"notes,omitempty"`
	NotesDone bool   `json:"notes_done,omitempty"`
	// FollowUp is "yes", "no" or "" (not asked yet).
	FollowUp string `json:"follow_up,omitempty"`
	// StudentID is the pupil picked among those sharing the name.
	StudentID int64   `json:"student_id,omitempty"`
	Choices   []int64 `json:"choices,omitempty"`
	// AsWritten keeps the student as written, not in the roster (the
	// answer 0 when asked which pupil).
	AsWritten bool `json:"as_written,omitempty"`
	// Elsewhere says the choices are pupils of that name in other classes.
	Elsewhere bool `json:"elsewhere,omitempty"`
}

func (d visitDraft) next() visitStep {
	switch {
	case d.Class == "":
		return stepClass
	case d.Student == "":
		return stepStudent
	case d.Date == "":
		return stepDate
	case d.Mode == "":
		return stepMode
	case !d.NotesDone:
		return stepNotes
	case d.FollowUp == "":
		return stepFollow
	}
	return ""
}

var stepQuestions = map[visitStep]string{
	stepClass: textVisitAskClass, stepStudent: textVisitAskStudent, stepDate: textVisitAskDate,
	stepMode: textVisitAskMode, stepNotes: textVisitAskNotes, stepFollow: textVisitAskFollow,
}

func (t *turn) setVisitDialog(flow string, d visitDraft) {
	raw, _ := json.Marshal(d)
	t.setDialog(Dialog{Flow: flow, Data: map[string]string{"visit": string(raw)}, Since: t.now, LastCode: t.dialog.LastCode})
}

func (t *turn) visitDraft() visitDraft {
	var d visitDraft
	_ = json.Unmarshal([]byte(t.dialog.Data["visit"]), &d)
	return d
}

func (t *turn) endFlow() { t.setDialog(Dialog{LastCode: t.dialog.LastCode}) }

// maxNameRunes bounds the names kept as written (classes, students,
// teachers): their columns hold 64 characters.
const maxNameRunes = 60

// followUpWords in a one-message log mark a visit as needing follow-up.
var followUpWords = []string{"需要跟进", "需跟进", "待跟进", "要跟进", "继续跟进", "持续关注", "需要再访", "需回访", "需要回访"}

// onHomeVisit handles a home-visit log: one message with the student
// saves it; otherwise the guided flow asks for what is missing.
func (b *Bot) onHomeVisit(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed) (bot.Reply, error) {
	if !t.person.Can(bot.ActCheckin) {
		return refuse(t.person, bot.ActCheckin), nil
	}
	d := visitDraft{Class: p.Class, Student: p.Student, Date: p.Date, Mode: p.Mode, Notes: p.Text, NotesDone: p.Text != ""}
	if d.Student == "" {
		return b.askVisit(t, d), nil
	}
	if d.Date == "" {
		d.Date = dayOf(t.now, b.loc).Format(time.DateOnly)
	}
	if d.Mode == "" {
		d.Mode = bot.VisitHome
	}
	d.NotesDone = true
	d.FollowUp = "no"
	for _, w := range followUpWords {
		if strings.Contains(p.Text, w) {
			d.FollowUp = "yes"
		}
	}
	return b.saveVisit(ctx, tx, t, d)
}

// onVisitMenu starts the guided flow from the menu (教职工 → 家访记录).
func (b *Bot) onVisitMenu(t *turn) bot.Reply {
	if !t.person.Can(bot.ActCheckin) {
		return refuse(t.person, bot.ActCheckin)
	}
	r := b.askVisit(t, visitDraft{})
	r.Text = textMenuVisitHow + "\n\n" + r.Text
	return r
}

// askVisit asks the next question of the guided flow.
func (b *Bot) askVisit(t *turn, d visitDraft) bot.Reply {
	t.setVisitDialog(flowVisit, d)
	return bot.Text(stepQuestions[d.next()])
}

// continueVisit takes the answer to the guided flow's last question.
func (b *Bot) continueVisit(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, text string) (bot.Reply, error) {
	if p.Intent == parse.IntentCancel {
		t.endFlow()
		return bot.Text(textCancelled), nil
	}
	if p.Intent == parse.IntentHomeVisit && p.Student != "" {
		// a whole log sent in the middle of the flow replaces it
		t.endFlow()
		return b.onHomeVisit(ctx, tx, t, p)
	}
	d := t.visitDraft()
	answer := strings.TrimSpace(parse.Clean(text))
	today := dayOf(t.now, b.loc)
	switch d.next() {
	case stepClass:
		c, ok := parse.ParseClass(answer)
		if !ok {
			return bot.Text(textVisitAskClassBad), nil
		}
		d.Class = c
	case stepStudent:
		name := strings.TrimSuffix(strings.TrimSuffix(answer, "家长"), "同学")
		if !isPersonName(name) {
			return bot.Text(textVisitStudentBad), nil
		}
		d.Student = name
	case stepDate:
		day, ok := parse.DateIn(answer, t.now.In(b.loc))
		if !ok {
			return bot.Text(textVisitDateBad), nil
		}
		if day > today.Format(time.DateOnly) {
			return bot.Text(textVisitDateFuture), nil
		}
		d.Date = day
	case stepMode:
		m := parse.ModeIn(answer)
		if m == "" {
			return bot.Text(textVisitModeBad), nil
		}
		d.Mode = m
	case stepNotes:
		if !slices.Contains([]string{"无", "没有", "没", "无。", "暂无", "没什么"}, answer) {
			d.Notes = answer
		}
		d.NotesDone = true
	case stepFollow:
		switch {
		case p.Intent == parse.IntentNo || strings.HasPrefix(answer, "不"):
			d.FollowUp = "no"
		case p.Intent == parse.IntentYes || strings.HasPrefix(answer, "需要") || strings.HasPrefix(answer, "要"):
			d.FollowUp = "yes"
		default:
			return bot.Text(textVisitFollowBad), nil
		}
	}
	if d.next() != "" {
		return b.askVisit(t, d), nil
	}
	return b.saveVisit(ctx, tx, t, d)
}

// continueVisitPick takes the number of the pupil meant.
func (b *Bot) continueVisitPick(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, text string) (bot.Reply, error) {
	if p.Intent == parse.IntentCancel {
		t.endFlow()
		return bot.Text(textCancelled), nil
	}
	d := t.visitDraft()
	n, err := strconv.Atoi(strings.TrimSpace(parse.Clean(text)))
	low := 1
	if d.Elsewhere {
		low = 0
	}
	if err != nil || n < low || n > len(d.Choices) {
		return bot.Text(fmt.Sprintf(textVisitPickBad, low, len(d.Choices))), nil
	}
	if n == 0 {
		d.AsWritten, d.Choices = true, nil
		return b.saveVisit(ctx, tx, t, d)
	}
	d.StudentID, d.Choices = d.Choices[n-1], nil
	return b.saveVisit(ctx, tx, t, d)
}

// isPersonName reports whether s looks like a person's name: 2 to 5 Han
// characters (a middle dot allowed for minority names).
func isPersonName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 5 {
		return false
	}
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) && r != '·' {
			return false
		}
	}
	return true
}

// dayOf is the school's calendar day of t, as midnight UTC: how days are
// stored.
func dayOf(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, time.UTC)
}

// roster is what the visit features need of a school's roster.
type roster struct {
	units map[int64]bot.OrgUnit
}

func (b *Bot) loadRoster(ctx context.Context, tx bot.Tx, schoolID int64) (roster, error) {
	us, err := b.unitsOf(ctx, tx, schoolID)
	if err != nil {
		return roster{}, err
	}
	r := roster{units: make(map[int64]bot.OrgUnit, len(us))}
	for _, u := range us {
		r.units[u.ID] = u
	}
	return r, nil
}

// campusOf returns the branch school (完小) a unit is in, or 0.
func (r roster) campusOf(id int64) int64 {
	for range 4 {
		u, ok := r.units[id]
		if !ok {
			return 0
		}
		if u.Kind == bot.UnitCampus {
			return u.ID
		}
		id = u.ParentID
	}
	return 0
}

// classNamed finds the class unit of that (normalised) name: among the
// preferred units first (the sender's classes or campus), else the one
// of the school, else 0.
func (r roster) classNamed(name string, preferred []int64) int64 {
	var all []int64
	for _, u := range r.units {
		if u.Kind == bot.UnitClass && parse.NormalizeClass(u.Name) == name {
			all = append(all, u.ID)
		}
	}
	slices.Sort(all)
	if len(all) <= 1 {
		if len(all) == 1 {
			return all[0]
		}
		return 0
	}
	for _, id := range all {
		if slices.Contains(preferred, id) || slices.Contains(preferred, r.campusOf(id)) {
			return id
		}
	}
	for _, id := range all {
		if r.campusOf(id) == 0 {
			return id
		}
	}
	return all[0]
}

// kinds returns the IDs among ids of units of the kind.
func (r roster) kinds(ids []int64, k bot.UnitKind) []int64 {
	var out []int64
	for _, id := range ids {
		if r.units[id].Kind == k {
			out = append(out, id)
		}
	}
	return out
}

// unitsOfKind loads the school's roster and returns it with the person's
// units of the kind.
func (b *Bot) unitsOfKind(ctx context.Context, tx bot.Tx, p *bot.Person, k bot.UnitKind) (roster, []int64, error) {
	r, err := b.loadRoster(ctx, tx, p.SchoolID)
	if err != nil {
		return roster{}, nil, err
	}
	units, err := tx.PersonUnits(ctx, p.ID)
	if err != nil {
		return roster{}, nil, err
	}
	return r, r.kinds(units, k), nil
}

// saveVisit resolves the draft against the roster and records it — or asks
// which pupil is meant.
func (b *Bot) saveVisit(ctx context.Context, tx bot.Tx, t *turn, d visitDraft) (bot.Reply, error) {
	teacher := t.person
	if teacher.SchoolID == 0 {
		t.endFlow()
		return bot.Text(textVisitNoSchool), nil
	}
	day, err := time.Parse(time.DateOnly, d.Date)
	if err != nil {
		day = dayOf(t.now, b.loc)
	}
	if day.After(dayOf(t.now, b.loc)) {
		d.Date = ""
		return b.askVisit(t, d), nil
	}
	r, err := b.loadRoster(ctx, tx, teacher.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	mine, err := tx.PersonUnits(ctx, teacher.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	v := bot.Visit{SchoolID: teacher.SchoolID, TeacherID: teacher.ID, Class: bot.Clip(parse.NormalizeClass(d.Class), maxNameRunes), Student: bot.Clip(d.Student, maxNameRunes),
		Day: day, Mode: d.Mode, Notes: d.Notes, FollowUp: d.FollowUp == "yes", Created: t.now}
	// a grade alone (三年级) is not a class: the pupil is looked for in the
	// whole school
	_, isClass := parse.ParseClass(d.Class)
	if isClass {
		v.ClassID = r.classNamed(v.Class, mine)
	}
	var students []bot.Student
	switch {
	case d.AsWritten:
	case d.StudentID != 0:
		s, err := tx.Student(ctx, d.StudentID)
		if err != nil {
			return bot.Reply{}, err
		}
		students = []bot.Student{s}
	default:
		if students, err = tx.StudentsNamed(ctx, teacher.SchoolID, d.Student); err != nil {
			return bot.Reply{}, err
		}
	}
	var cands, elsewhere []bot.Student
	for _, s := range students {
		switch {
		case d.AsWritten:
		case d.StudentID != 0:
			if s.ID == d.StudentID {
				cands = append(cands, s)
			}
		case s.Name == d.Student && (v.ClassID == 0 && !isClass || s.ClassID == v.ClassID):
			cands = append(cands, s)
		case s.Name == d.Student:
			elsewhere = append(elsewhere, s)
		}
	}
	if len(cands) == 0 && len(elsewhere) > 0 {
		// not in the class written, but the school has pupils of that name
		d.Choices, d.Elsewhere = nil, true
		var lines []string
		for i, s := range elsewhere {
			d.Choices = append(d.Choices, s.ID)
			lines = append(lines, fmt.Sprintf("%d. %s %s", i+1, r.units[s.ClassID].Name, s.Name))
		}
		t.setVisitDialog(flowVisitPick, d)
		return bot.Text(fmt.Sprintf(textVisitPickElsewhere, v.Class, d.Student, strings.Join(lines, "\n"))), nil
	}
	switch len(cands) {
	case 0:
		v.Flagged = true
	case 1:
		v.StudentID, v.ClassID = cands[0].ID, cands[0].ClassID
		v.Class = r.units[cands[0].ClassID].Name
	default:
		d.Choices = nil
		var lines []string
		for i, s := range cands {
			d.Choices = append(d.Choices, s.ID)
			lines = append(lines, fmt.Sprintf("%d. %s %s", i+1, r.units[s.ClassID].Name, s.Name))
		}
		t.setVisitDialog(flowVisitPick, d)
		return bot.Text(fmt.Sprintf(textVisitPickStudent, len(cands), d.Student, strings.Join(lines, "\n"))), nil
	}
	if v.Class == "" {
		v.Class = textNotGiven
	}
	v, err = tx.CreateVisit(ctx, v)
	if err != nil {
		return bot.Reply{}, err
	}
	if t.dialog.Flow == flowVisit || t.dialog.Flow == flowVisitPick {
		t.endFlow()
	}
	set, err := b.settings(ctx, tx, teacher.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	w := WeekOf(t.now, b.loc)
	week, err := tx.VisitsBy(ctx, teacher.ID, dayOf(w.Start, b.loc), dayOf(w.End(), b.loc))
	if err != nil {
		return bot.Reply{}, err
	}
	out := fmt.Sprintf(textVisitSaved, v.Class, v.Student, dayLabel(v.Day), modeLabel(v.Mode))
	if v.Notes != "" {
		out += fmt.Sprintf(textVisitSavedSaid, v.Notes)
	}
	follow := textNo
	if v.FollowUp {
		follow = textYes
	}
	out += fmt.Sprintf(textVisitSavedFlw, follow)
	if v.Flagged {
		out += textVisitFlagged
	}
	out += fmt.Sprintf(textVisitWeek, len(week), set.Visits.TeacherWeekly)
	if v.Notes != "" {
		out += textVisitToLedger
	}
	return bot.Text(out), nil
}

func modeLabel(m string) string {
	if l, ok := visitModeLabels[m]; ok {
		return l
	}
	return textNotGiven
}

// dayLabel writes a stored day as users read it: 11月18日.
func dayLabel(d time.Time) string { return fmt.Sprintf("%d月%d日", d.Month(), d.Day()) }

// onToLedger files what the family said during the teacher's latest visit
// not filed yet as an opinion: source home_visit, not anonymous, recorded
// by the teacher, into the ledger's usual lifecycle.
func (b *Bot) onToLedger(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	if !t.person.Can(bot.ActCheckin) {
		return refuse(t.person, bot.ActCheckin), nil
	}
	today := dayOf(t.now, b.loc)
	recent, err := tx.VisitsBy(ctx, t.person.ID, today.AddDate(0, 0, -14), today.AddDate(0, 0, 1))
	if err != nil {
		return bot.Reply{}, err
	}
	var v bot.Visit
	for i := len(recent) - 1; i >= 0; i-- {
		if recent[i].Notes != "" && recent[i].OpinionID == 0 {
			v = recent[i]
			break
		}
	}
	if v.ID == 0 {
		return bot.Text(textToLedgerNone), nil
	}
	cat := parse.Parse(v.Notes, parse.ParseContext{Today: t.now.In(b.loc)}).Category
	if !cat.Valid() {
		cat = parse.CatOther
	}
	o := bot.Opinion{
		SchoolID: v.SchoolID, Category: bot.Category(cat), UnitID: v.ClassID, Text: v.Notes, TextHash: bot.TextHash(v.Notes),
		Source: bot.SourceHomeVisit, Anonymous: false, RecorderID: t.person.ID, Status: bot.StatusReceived, Created: t.now, Updated: t.now,
	}
	if o, err = bot.CreateWithCode(ctx, tx, o); err != nil {
		return bot.Reply{}, err
	}
	if err := tx.AddOpinionEvent(ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: string(bot.StatusReceived), ActorID: t.person.ID, Note: bot.SourceHomeVisit, At: t.now}); err != nil {
		return bot.Reply{}, err
	}
	if err := tx.SetVisitOpinion(ctx, v.ID, o.ID); err != nil {
		if errors.Is(err, bot.ErrConflict) {
			return bot.Text(textToLedgerNone), nil
		}
		return bot.Reply{}, err
	}
	return bot.Text(fmt.Sprintf(textToLedgerDone, v.Student, label(o.Category), o.Code)), nil
}

// pushToRecorder sends the answer of an opinion recorded during a home
// visit to the teacher who recorded it, and records whether it arrived.
func (b *Bot) pushToRecorder(ctx context.Context, opinionID, recorderID int64, text string) {
	channel, err := b.pushToStaff(ctx, recorderID, text, bot.TemplateMessage{})
	kind, note := "pushed", "recorder "+channel
	if err != nil {
		kind, note = "push_failed", "recorder: "+deliveryError(err)
		if !errors.Is(err, errUndeliverable) {
			b.log.Warn("push_failed", "what", "visit_answer", "err", err)
		}
	}
	b.recordPush(ctx, opinionID, kind, note)
}

// visitPeriod is a period as stored days, with its label.
type visitPeriod struct {
	from, to time.Time
	label    string
}

func (b *Bot) weekPeriod(now time.Time) visitPeriod {
	w := WeekOf(now, b.loc)
	last := w.End().AddDate(0, 0, -1)
	return visitPeriod{dayOf(w.Start, b.loc), dayOf(w.End(), b.loc), dayLabel(dayOf(w.Start, b.loc)) + "—" + dayLabel(dayOf(last, b.loc))}
}

func (b *Bot) semesterPeriod(set Settings, now time.Time) (visitPeriod, bool) {
	s, ok := set.CurrentSemester(now, b.loc)
	if !ok {
		return visitPeriod{}, false
	}
	return visitPeriod{dayOf(s.Start, b.loc), dayOf(s.End, b.loc), s.Name}, true
}

// weekAndSemester is this week, the current semester (if any), and the span
// that covers both, for one read of a person's records.
func (b *Bot) weekAndSemester(set Settings, now time.Time) (wk, sem visitPeriod, inSem bool, span visitPeriod) {
	wk = b.weekPeriod(now)
	sem, inSem = b.semesterPeriod(set, now)
	span = wk
	if inSem {
		span.from, span.to = minTime(wk.from, sem.from), maxTime(wk.to, sem.to)
	}
	return wk, sem, inSem, span
}

// onVisitProgress answers 我的家访 (onProgress has checked the permission):
// the week against the target, the semester, and the coverage of the
// teacher's classes.
func (b *Bot) onVisitProgress(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	p := t.person
	set, err := b.settings(ctx, tx, p.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	wk, sem, inSem, span := b.weekAndSemester(set, t.now)
	visits, err := tx.VisitsBy(ctx, p.ID, span.from, span.to)
	if err != nil {
		return bot.Reply{}, err
	}
	week, semester := 0, 0
	for _, v := range visits {
		if wk.within(v.Day) {
			week++
		}
		if inSem && sem.within(v.Day) {
			semester++
		}
	}
	target := set.Visits.TeacherWeekly
	status := textTargetMet
	if week < target {
		status = fmt.Sprintf(textTargetShort, target-week)
	}
	out := fmt.Sprintf(textVisitProgressWeek, wk.label, week, target, status)
	if !inSem {
		return bot.Text(out), nil
	}
	out += fmt.Sprintf(textVisitProgressSem, sem.label, semester)
	r, classes, err := b.unitsOfKind(ctx, tx, p, bot.UnitClass)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(classes) == 0 {
		return bot.Text(out + textVisitNoClasses), nil
	}
	cov, err := tx.Coverage(ctx, p.SchoolID, sem.from, sem.to)
	if err != nil {
		return bot.Reply{}, err
	}
	out += textVisitCoverageHead
	for _, c := range classes {
		cc := bot.ClassCoverage{ClassID: c}
		for _, x := range cov {
			if x.ClassID == c {
				cc = x
			}
		}
		out += fmt.Sprintf(textVisitCoverageLine, r.units[c].Name, cc.Visited, cc.Students)
	}
	if set.Visits.Coverage() && strings.Contains(p.Title, "班主任") {
		out += textVisitCoverageGoal
	}
	return bot.Text(out), nil
}

// maxUnvisitedNames bounds the names listed per class.
const maxUnvisitedNames = 40

// onUnvisited answers 未家访 (onProgress has checked the permission): the
// students of the teacher's classes not visited this semester.
func (b *Bot) onUnvisited(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	p := t.person
	set, err := b.settings(ctx, tx, p.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	sem, ok := b.semesterPeriod(set, t.now)
	if !ok {
		return bot.Text(textNoSemester), nil
	}
	r, classes, err := b.unitsOfKind(ctx, tx, p, bot.UnitClass)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(classes) == 0 {
		return bot.Text(strings.TrimPrefix(textVisitNoClasses, "\n")), nil
	}
	visited, err := tx.VisitedStudents(ctx, p.SchoolID, sem.from, sem.to)
	if err != nil {
		return bot.Reply{}, err
	}
	students, err := tx.Students(ctx, p.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	out, found := fmt.Sprintf(textUnvisitedHead, sem.label), false
	for _, c := range classes {
		var names []string
		for _, s := range students {
			if s.ClassID == c {
				if _, seen := slices.BinarySearch(visited, s.ID); !seen {
					names = append(names, s.Name)
				}
			}
		}
		if len(names) == 0 {
			continue
		}
		found = true
		shown := strings.Join(names[:min(len(names), maxUnvisitedNames)], "、")
		if len(names) > maxUnvisitedNames {
			shown += textUnvisitedMore
		}
		out += fmt.Sprintf(textUnvisitedLine, r.units[c].Name, len(names), shown)
	}
	if !found {
		return bot.Text(fmt.Sprintf(textUnvisitedNone, sem.label)), nil
	}
	return bot.Text(out), nil
}
