package chat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"minqing/bot"
)

// Study reminders: at the school's reminder time (Thursday 17:00 by
// default) everyone with a weekly target who is behind, not excused and
// has not paused reminders gets one nudge for the week, through
// deliverOnce — exactly once across instances, retried on later ticks.

// KindStudyReminder is the sent-log kind of study reminders.
const KindStudyReminder = "study_reminder"

// RemindStudy sends the week's due study reminders at now. It is the
// study_reminders job; it is safe to run on every instance at once.
func (b *Bot) RemindStudy(ctx context.Context, now time.Time) error {
	var schools []bot.OrgUnit
	if err := b.store.Update(ctx, func(tx bot.Tx) error {
		var err error
		schools, err = tx.Units(ctx, bot.UnitSchool)
		return err
	}); err != nil {
		return err
	}
	var errs []error
	for _, s := range schools {
		if err := b.remindSchool(ctx, s.ID, now); err != nil {
			errs = append(errs, fmt.Errorf("school %d: %w", s.ID, err))
		}
	}
	return errors.Join(errs...)
}

// reminderDue is one reminder to send.
type reminderDue struct {
	person  bot.Person
	minutes int
	target  int
}

func (b *Bot) remindSchool(ctx context.Context, schoolID int64, now time.Time) error {
	week := WeekOf(now, b.loc)
	var (
		set Settings
		due []reminderDue
	)
	err := b.store.Update(ctx, func(tx bot.Tx) error {
		due = nil
		var err error
		// Uncached: the job runs once a minute, and reads a change at once.
		if set, err = b.loadSettings(ctx, tx, schoolID); err != nil {
			return err
		}
		if set.Study.RemindersOff || now.Before(set.Study.reminderAt(week)) {
			return nil
		}
		if _, ok := set.SemesterOf(now, b.loc); !ok {
			return nil
		}
		staff, err := tx.Staff(ctx, schoolID, false)
		if err != nil {
			return err
		}
		totals, err := tx.StudyTotals(ctx, schoolID, week.Start.Format(time.DateOnly), week.End().Format(time.DateOnly))
		if err != nil {
			return err
		}
		minutes := map[int64]int{}
		for _, s := range totals {
			minutes[s.PersonID] = s.Minutes
		}
		excuses, err := tx.SchoolExcuses(ctx, schoolID, week.Label(), week.Label())
		if err != nil {
			return err
		}
		skip := map[int64]bool{}
		for _, e := range excuses {
			skip[e.PersonID] = true
		}
		paused, err := tx.RemindersPaused(ctx, schoolID)
		if err != nil {
			return err
		}
		for _, id := range paused {
			skip[id] = true
		}
		done, err := tx.Deliveries(ctx, KindStudyReminder, week.Label())
		if err != nil {
			return err
		}
		for _, d := range done {
			// Sent, undeliverable or out of attempts: nothing to do. A
			// failed one, or one left sending by a dead instance, is
			// tried again (ClaimDelivery decides).
			if d.Status == bot.DeliverySent || d.Status == bot.DeliveryUndeliverable || d.Attempts >= maxDeliveryAttempts {
				skip[d.PersonID] = true
			}
		}
		for _, p := range staff {
			target := set.Study.TargetOf(p).weeklyMinutes()
			if !p.Active || skip[p.ID] || target == 0 || minutes[p.ID] >= target || !p.Can(bot.ActCheckin) {
				continue
			}
			due = append(due, reminderDue{person: p, minutes: minutes[p.ID], target: target})
		}
		return nil
	})
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range due {
		text := fmt.Sprintf(textReminder, week.Number(), hours(r.minutes), hours(r.target), hours(r.target-r.minutes))
		tm := bot.TemplateMessage{TemplateID: set.Study.ReminderTemplateID, Fields: []bot.TemplateField{
			{Key: "thing1", Value: fmt.Sprintf(textReminderField1, week.Number())},
			{Key: "thing2", Value: fmt.Sprintf(textReminderField2, hours(r.minutes), hours(r.target-r.minutes))},
		}}
		id := r.person.ID
		if _, err := b.deliverOnce(ctx, KindStudyReminder, week.Label(), id, func(ctx context.Context) (string, error) {
			return b.pushToStaff(ctx, id, text, tm)
		}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
