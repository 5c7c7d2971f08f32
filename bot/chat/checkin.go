package chat

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"minqing/bot"
	"minqing/bot/parse"
)

// Study check-ins (学习打卡): a bound staff member reports time studied and
// notes written; the bot checks the values, records them and answers with
// the progress against the school's targets. Implausible values are
// questioned, not stored; a check-in equal to the previous one is not
// counted twice unless the sender confirms it.

const (
	flowStudyAsk     = "study_ask"     // 学习 alone: waiting for the duration
	flowStudyConfirm = "study_confirm" // a repeated check-in: waiting for 是
	flowEssay        = "essay"         // 心得 …: gathering an essay until 提交

	// maxDayMinutes is the most a day may hold.
	maxDayMinutes = 12 * 60
	// maxCheckinChars is the most characters of notes one check-in may report.
	maxCheckinChars = 50000
	// maxBackDays is how far back a check-in may be dated.
	maxBackDays = 14
	// undoWindow is how long a check-in may be undone.
	undoWindow = 24 * time.Hour
	// duplicateWindow is how long an equal check-in is taken for a repeat.
	duplicateWindow = 12 * time.Hour
)

// onStudy handles a study check-in.
func (b *Bot) onStudy(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed) (bot.Reply, error) {
	if !t.person.Can(bot.ActCheckin) {
		return refuse(t.person, bot.ActCheckin), nil
	}
	if p.Minutes == 0 && p.Chars == 0 {
		t.setDialog(Dialog{Flow: flowStudyAsk, Data: map[string]string{"title": p.Title, "date": p.Date}, Since: t.now, LastCode: t.dialog.LastCode})
		return bot.Text(textStudyAskDuration), nil
	}
	return b.recordStudy(ctx, tx, t, p, false)
}

// continueStudyAsk reads the answer to 学了多长时间？. A message that is
// something else leaves the question and is handled as usual.
func (b *Bot) continueStudyAsk(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, text string) (bot.Reply, bool, error) {
	if p.Intent == parse.IntentCancel {
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		return bot.Text(textCancelled), true, nil
	}
	q := p
	if q.Intent != parse.IntentStudy || (q.Minutes == 0 && q.Chars == 0) {
		q = parse.Parse("学习 "+text, parse.ParseContext{Today: t.now.In(b.loc)})
	}
	if q.Intent != parse.IntentStudy || (q.Minutes == 0 && q.Chars == 0) {
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		return bot.Reply{}, false, nil
	}
	if q.Title == "" {
		q.Title = t.dialog.Data["title"]
	}
	if q.Date == "" {
		q.Date = t.dialog.Data["date"]
	}
	t.setDialog(Dialog{LastCode: t.dialog.LastCode})
	r, err := b.recordStudy(ctx, tx, t, q, false)
	return r, true, err
}

// continueStudyConfirm reads the answer to "is this another check-in?".
func (b *Bot) continueStudyConfirm(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, _ string) (bot.Reply, bool, error) {
	d := t.dialog.Data
	t.setDialog(Dialog{LastCode: t.dialog.LastCode})
	switch p.Intent {
	case parse.IntentYes:
		minutes, _ := strconv.Atoi(d["minutes"])
		chars, _ := strconv.Atoi(d["chars"])
		r, err := b.recordStudy(ctx, tx, t, parse.Parsed{Intent: parse.IntentStudy, Minutes: minutes, Chars: chars, Title: d["title"], Date: d["date"]}, true)
		return r, true, err
	case parse.IntentNo, parse.IntentCancel:
		return bot.Text(textStudyNotDuplicate), true, nil
	}
	return bot.Reply{}, false, nil
}

// today is the current day at midnight in the school's time zone.
func (b *Bot) today(t *turn) time.Time {
	l := t.now.In(b.loc)
	return time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, b.loc)
}

// recordStudy checks and stores a check-in with minutes or characters.
func (b *Bot) recordStudy(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, confirmed bool) (bot.Reply, error) {
	set, err := b.settings(ctx, tx, t.person.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	today := b.today(t)
	day := today
	if p.Date != "" {
		if day, err = time.ParseInLocation(time.DateOnly, p.Date, b.loc); err != nil {
			day = today
		}
	}
	dayText := dayLabel(day)
	sem, inTerm := set.SemesterOf(today, b.loc)
	switch {
	case day.After(today):
		return bot.Text(fmt.Sprintf(textStudyFuture, dayText)), nil
	case !inTerm:
		return bot.Text(textStudyNoSemester), nil
	case day.Before(sem.Start):
		return bot.Text(fmt.Sprintf(textStudyBeforeTerm, dayText, sem.Name, dayLabel(sem.Start))), nil
	case today.Sub(day) > maxBackDays*24*time.Hour:
		return bot.Text(fmt.Sprintf(textStudyTooOld, dayText)), nil
	case p.Minutes > maxDayMinutes:
		return bot.Text(fmt.Sprintf(textStudyTooLong, hours(p.Minutes))), nil
	case p.Chars > maxCheckinChars:
		return bot.Text(fmt.Sprintf(textStudyTooManyChars, thousands(p.Chars))), nil
	}
	dayKey := day.Format(time.DateOnly)
	// One read serves the day's total, the repeat check and the progress:
	// the semester's check-ins (the day is in it, and not after today).
	list, err := tx.Checkins(ctx, t.person.ID, sem.Start.Format(time.DateOnly), sem.End.Format(time.DateOnly))
	if err != nil {
		return bot.Reply{}, err
	}
	sum := 0
	var last bot.Checkin
	for _, c := range list {
		if c.Day == dayKey {
			sum += c.Minutes
		}
		if c.ID > last.ID {
			last = c
		}
	}
	if p.Minutes > 0 && sum+p.Minutes > maxDayMinutes {
		return bot.Text(fmt.Sprintf(textStudyDayTooLong, dayText, hours(sum), hours(p.Minutes))), nil
	}
	c := bot.Checkin{PersonID: t.person.ID, SchoolID: t.person.SchoolID, Day: dayKey, Minutes: p.Minutes, Chars: p.Chars, Title: p.Title, Created: t.now}
	if !confirmed && last.ID != 0 && last.Day == c.Day && last.Minutes == c.Minutes && last.Chars == c.Chars && last.Title == c.Title && t.now.Sub(last.Created) < duplicateWindow {
		t.setDialog(Dialog{Flow: flowStudyConfirm, Since: t.now, LastCode: t.dialog.LastCode, Data: map[string]string{
			"minutes": strconv.Itoa(c.Minutes), "chars": strconv.Itoa(c.Chars), "title": c.Title, "date": c.Day}})
		return bot.Text(fmt.Sprintf(textStudyDuplicate, b.checkinText(last))), nil
	}
	if c, err = tx.AddCheckin(ctx, c); err != nil {
		return bot.Reply{}, err
	}
	progress, err := b.checkinProgress(ctx, tx, t, set, day, append(list, c))
	if err != nil {
		return bot.Reply{}, err
	}
	return bot.Text(fmt.Sprintf(textStudyRecorded, b.checkinText(c), progress)), nil
}

// checkinText describes a check-in: 11月17日（周二）学习 2.5 小时，笔记 1,500 字《论群众路线》.
func (b *Bot) checkinText(c bot.Checkin) string {
	day, err := time.ParseInLocation(time.DateOnly, c.Day, b.loc)
	if err != nil {
		return c.Day
	}
	var s string
	if c.Minutes > 0 {
		s = fmt.Sprintf(textStudyWhat, dayLabel(day), weekdayNames[day.Weekday()], hours(c.Minutes))
		if c.Chars > 0 {
			s += fmt.Sprintf(textStudyAndNotes, thousands(c.Chars))
		}
	} else {
		s = fmt.Sprintf(textStudyWhatNotes, dayLabel(day), weekdayNames[day.Weekday()], thousands(c.Chars))
	}
	if c.Title != "" {
		s += "《" + c.Title + "》"
	}
	return s
}

// studyFigures are one person's figures for a week and its semester.
type studyFigures struct {
	target        StudyTarget
	week          Week
	weekMinutes   int
	weekEntries   []bot.Checkin
	excused       bool
	semester      Semester
	semMinutes    int
	semChars      int
	semEssays     int
	semExcused    int
	yearMinutes   int
	year          int
	semesterKnown bool
}

// figures reads a person's study for the week containing day and that
// week's semester.
// semList, when not nil, is the person's check-ins of day's semester,
// read already; full adds the semester's essays and excused weeks (a check-in
// reply needs only the week's).
func (b *Bot) figures(ctx context.Context, tx bot.Tx, p bot.Person, set Settings, day time.Time, withYear, full bool, semList []bot.Checkin) (studyFigures, error) {
	f := studyFigures{target: set.Study.TargetOf(p), week: WeekOf(day, b.loc)}
	weekFrom, weekTo := f.week.Start.Format(time.DateOnly), f.week.End().Format(time.DateOnly)
	f.semester, f.semesterKnown = set.CurrentSemester(day, b.loc)
	if f.semesterKnown && semList == nil {
		var err error
		if semList, err = tx.Checkins(ctx, p.ID, f.semester.Start.Format(time.DateOnly), f.semester.End.Format(time.DateOnly)); err != nil {
			return f, err
		}
	}
	// The week may begin before the semester: read it alone then.
	if !f.semesterKnown || weekFrom < f.semester.Start.Format(time.DateOnly) || weekTo > f.semester.End.Format(time.DateOnly) {
		week, err := tx.Checkins(ctx, p.ID, weekFrom, weekTo)
		if err != nil {
			return f, err
		}
		f.weekEntries = week
	} else {
		for _, c := range semList {
			if c.Day >= weekFrom && c.Day < weekTo {
				f.weekEntries = append(f.weekEntries, c)
			}
		}
		slices.SortFunc(f.weekEntries, func(a, b bot.Checkin) int { return cmp.Or(strings.Compare(a.Day, b.Day), cmp.Compare(a.ID, b.ID)) })
	}
	for _, c := range f.weekEntries {
		f.weekMinutes += c.Minutes
	}
	for _, c := range semList {
		f.semMinutes += c.Minutes
		f.semChars += c.Chars
	}
	if f.semesterKnown {
		fromWeek, toWeek := f.week.Label(), f.week.Label()
		if full {
			fromWeek, toWeek = WeekOf(f.semester.Start, b.loc).Label(), WeekOf(f.semester.End.AddDate(0, 0, -1), b.loc).Label()
			essays, err := tx.SchoolEssays(ctx, p.SchoolID, f.semester.Start, f.semester.End, false)
			if err != nil {
				return f, err
			}
			for _, e := range essays {
				if e.PersonID == p.ID {
					f.semEssays++
				}
			}
		}
		ex, err := tx.SchoolExcuses(ctx, p.SchoolID, fromWeek, toWeek)
		if err != nil {
			return f, err
		}
		for _, e := range ex {
			if e.PersonID == p.ID {
				f.semExcused++
				if e.Week == f.week.Label() {
					f.excused = true
				}
			}
		}
	}
	if withYear {
		f.year = day.Year()
		list, err := tx.Checkins(ctx, p.ID, fmt.Sprintf("%d-01-01", f.year), fmt.Sprintf("%d-01-01", f.year+1))
		if err != nil {
			return f, err
		}
		for _, c := range list {
			f.yearMinutes += c.Minutes
		}
	}
	return f, nil
}

// weekText is the week's progress: 本周 3.5/5 小时，还差 1.5 小时.
func (b *Bot) weekText(f studyFigures, now time.Time) string {
	name := textThisWeek
	if !f.week.Contains(now) {
		name = fmt.Sprintf(textThatWeek, dayLabel(f.week.Start))
	}
	target := f.target.weeklyMinutes()
	switch {
	case f.excused:
		return fmt.Sprintf(textWeekExcused, name)
	case target == 0:
		return fmt.Sprintf(textWeekNoTarget, name, hours(f.weekMinutes))
	case f.weekMinutes >= target:
		return fmt.Sprintf(textWeekDone, name, hours(f.weekMinutes), hours(target))
	}
	return fmt.Sprintf(textWeekProgress, name, hours(f.weekMinutes), hours(target), hours(target-f.weekMinutes))
}

// notesText is the semester's notes: 本学期笔记 12,300/20,000 字.
func notesText(f studyFigures) string {
	switch {
	case f.target.SemesterNoteChars == 0:
		return fmt.Sprintf(textNotesNoTarget, thousands(f.semChars))
	case f.semChars >= f.target.SemesterNoteChars:
		return fmt.Sprintf(textNotesDone, thousands(f.semChars), thousands(f.target.SemesterNoteChars))
	}
	return fmt.Sprintf(textNotesProgress, thousands(f.semChars), thousands(f.target.SemesterNoteChars))
}

// checkinProgress is what follows 已记录：…: the week and the semester's notes.
func (b *Bot) checkinProgress(ctx context.Context, tx bot.Tx, t *turn, set Settings, day time.Time, semList []bot.Checkin) (string, error) {
	f, err := b.figures(ctx, tx, *t.person, set, day, false, false, semList)
	if err != nil {
		return "", err
	}
	parts := []string{b.weekText(f, t.now)}
	if f.target.SemesterNoteChars > 0 || f.semChars > 0 {
		parts = append(parts, notesText(f))
	}
	return strings.Join(parts, "；"), nil
}

// undoCheckin undoes the sender's last check-in if it is less than 24
// hours old; ok is false when there is none and the message may be meant
// for an opinion (撤回 rather than 撤销, which only undoes check-ins).
func (b *Bot) undoCheckin(ctx context.Context, tx bot.Tx, t *turn, checkinsOnly bool) (bot.Reply, bool, error) {
	if !t.person.Can(bot.ActCheckin) {
		return bot.Reply{}, false, nil
	}
	last, err := tx.LastCheckin(ctx, t.person.ID)
	if errors.Is(err, bot.ErrNotFound) || (err == nil && t.now.Sub(last.Created) > undoWindow) {
		if checkinsOnly {
			return bot.Text(textUndoNothing), true, nil
		}
		return bot.Reply{}, false, nil
	}
	if err != nil {
		return bot.Reply{}, false, err
	}
	if err := tx.DeleteCheckin(ctx, t.person.ID, last.ID); err != nil {
		return bot.Reply{}, false, err
	}
	set, err := b.settings(ctx, tx, t.person.SchoolID)
	if err != nil {
		return bot.Reply{}, false, err
	}
	day, err := time.ParseInLocation(time.DateOnly, last.Day, b.loc)
	if err != nil {
		day = b.today(t)
	}
	progress, err := b.checkinProgress(ctx, tx, t, set, day, nil)
	if err != nil {
		return bot.Reply{}, false, err
	}
	return bot.Text(fmt.Sprintf(textUndoDone, b.checkinText(last), progress)), true, nil
}

// onStudyProgress answers 我的学习: this week with its entries, this
// semester and this year against the targets.
func (b *Bot) onStudyProgress(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	set, err := b.settings(ctx, tx, t.person.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	today := b.today(t)
	f, err := b.figures(ctx, tx, *t.person, set, today, true, true, nil)
	if err != nil {
		return bot.Reply{}, err
	}
	lines := []string{
		fmt.Sprintf(textStudyProgressHead, f.week.Number(), dayLabel(f.week.Start), dayLabel(f.week.End().AddDate(0, 0, -1))),
		fmt.Sprintf(textStudyProgressWeek, b.weekText(f, t.now)),
	}
	for _, c := range f.weekEntries {
		lines = append(lines, fmt.Sprintf(textStudyProgressEntry, b.checkinText(c)))
	}
	if len(f.weekEntries) == 0 {
		lines = append(lines, textStudyProgressNone)
	}
	if f.semesterKnown {
		notes := fmt.Sprintf(textNotesPlain, thousands(f.semChars))
		if f.target.SemesterNoteChars > 0 {
			notes = fmt.Sprintf(textNotesOf, thousands(f.semChars), thousands(f.target.SemesterNoteChars))
		}
		essays := fmt.Sprintf(textEssayCountNoTarget, f.semEssays)
		if f.target.SemesterEssays > 0 {
			essays = fmt.Sprintf(textEssayCount, f.semEssays, f.target.SemesterEssays)
		}
		line := fmt.Sprintf(textStudyProgressTerm, f.semester.Name, hours(f.semMinutes), notes, essays)
		if f.semExcused > 0 {
			line += fmt.Sprintf(textExcusedWeeks, f.semExcused)
		}
		lines = append(lines, line)
	}
	lines = append(lines, fmt.Sprintf(textStudyProgressYear, f.year, hours(f.yearMinutes)), textStudyProgressTail)
	return bot.Text(strings.Join(lines, "\n")), nil
}

// onExcuse marks the weeks of 请假 excused.
func (b *Bot) onExcuse(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed) (bot.Reply, error) {
	if !t.person.Can(bot.ActCheckin) {
		return refuse(t.person, bot.ActCheckin), nil
	}
	if p.Date == "" {
		return bot.Text(textExcuseHow), nil
	}
	from, err1 := time.ParseInLocation(time.DateOnly, p.Date, b.loc)
	to, err2 := time.ParseInLocation(time.DateOnly, p.Until, b.loc)
	if err1 != nil || err2 != nil {
		return bot.Text(textExcuseHow), nil
	}
	weeks, err := ExcuseWeeks(from, to, b.loc)
	switch {
	case errors.Is(err, errExcuseBackwards):
		return bot.Text(textExcuseBad), nil
	case err != nil:
		return bot.Text(textExcuseTooLong), nil
	}
	var names []string
	for _, w := range weeks {
		if err := tx.PutExcuse(ctx, bot.Excuse{PersonID: t.person.ID, Week: w.Label(), Source: "chat", Created: t.now}); err != nil {
			return bot.Reply{}, err
		}
		names = append(names, fmt.Sprintf(textExcuseWeek, w.Number(), dayLabel(w.Start), dayLabel(w.End().AddDate(0, 0, -1))))
	}
	return bot.Text(fmt.Sprintf(textExcuseDone, strings.Join(names, "、"))), nil
}

var (
	errExcuseBackwards = errors.New("excuse ends before it starts")
	errExcuseTooLong   = errors.New("excuse over 26 weeks")
)

// ExcuseWeeks returns the school weeks that the days from–to (inclusive)
// touch; at most 26.
func ExcuseWeeks(from, to time.Time, loc *time.Location) ([]Week, error) {
	if to.Before(from) {
		return nil, fmt.Errorf("%w: %w", errExcuseBackwards, bot.ErrInvalid)
	}
	var out []Week
	for w := WeekOf(from, loc); !w.Start.After(to); w = w.Next() {
		if len(out) == 26 {
			return nil, fmt.Errorf("%w: %w", errExcuseTooLong, bot.ErrInvalid)
		}
		out = append(out, w)
	}
	return out, nil
}

// onReminders pauses or resumes the sender's study reminders.
func (b *Bot) onReminders(ctx context.Context, tx bot.Tx, t *turn, paused bool) (bot.Reply, error) {
	if !t.person.Can(bot.ActCheckin) {
		return refuse(t.person, bot.ActCheckin), nil
	}
	if err := tx.SetRemindersPaused(ctx, t.person.ID, paused, t.now); err != nil {
		return bot.Reply{}, err
	}
	if paused {
		return bot.Text(textRemindersPaused), nil
	}
	return bot.Text(textRemindersResumed), nil
}

// hours formats minutes as hours with at most one decimal: 150 → 2.5.
func hours(minutes int) string {
	s := strconv.FormatFloat(float64(minutes)/60, 'f', 1, 64)
	return strings.TrimSuffix(s, ".0")
}

// thousands formats n with thousands separators: 12300 → 12,300.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
