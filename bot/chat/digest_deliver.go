package chat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"minqing/bot"
)

// Sending the weekly digest: at the school's send time (Monday 07:30 by
// default) every reader of each school — and of the bureau — gets last
// week's digest, exactly once across instances through deliverOnce:
// a template message linking to the page when the school configured a
// template, else a customer-service message inside the 48-hour window.

// deliveryDigest is the sent log's kind of the weekly digest.
const deliveryDigest = "digest"

// digestJob is the scheduled job that sends due digests.
func (b *Bot) digestJob() Job {
	return Job{Name: "send_digests", Every: time.Minute, Run: b.SendDueDigests}
}

// SendDueDigests sends every digest that is due at now and not yet sent
// (or failed fewer than maxDeliveryAttempts times).
func (b *Bot) SendDueDigests(ctx context.Context, now time.Time) error {
	var units []bot.OrgUnit
	if err := b.store.Update(ctx, func(tx bot.Tx) error {
		var err error
		units, err = tx.Units(ctx, bot.UnitSchool, bot.UnitBureau)
		return err
	}); err != nil {
		return err
	}
	var errs []error
	for _, u := range units {
		if err := b.sendUnitDigests(ctx, u, now); err != nil {
			errs = append(errs, fmt.Errorf("unit %d: %w", u.ID, err))
		}
	}
	return errors.Join(errs...)
}

// SendDigests sends one unit's digest of week to its readers now,
// whatever the send time (`minqing digest --send`). It returns the
// deliveries as recorded.
func (b *Bot) SendDigests(ctx context.Context, o DigestOptions) ([]bot.Delivery, error) {
	var (
		unit bot.OrgUnit
		week = lastCompleteWeek(b.now(), b.loc)
	)
	if err := b.store.Update(ctx, func(tx bot.Tx) error {
		var err error
		if unit, err = digestUnitNamed(ctx, tx, o.School); err != nil {
			return err
		}
		if o.Week != "" {
			week, err = ParseWeek(o.Week, b.loc)
		}
		return err
	}); err != nil {
		return nil, err
	}
	return b.sendWeek(ctx, unit, week)
}

func (b *Bot) sendUnitDigests(ctx context.Context, u bot.OrgUnit, now time.Time) error {
	set := DefaultSettings()
	if u.Kind == bot.UnitSchool {
		if err := b.store.Update(ctx, func(tx bot.Tx) error {
			var err error
			set, err = b.settings(ctx, tx, u.ID)
			return err
		}); err != nil {
			return err
		}
	}
	off, err := sendOffset(set.Digest.SendAt)
	if err != nil {
		off, _ = sendOffset(defaultDigestSettings().SendAt)
	}
	cur := WeekOf(now, b.loc)
	if now.Before(cur.Start.Add(off)) {
		return nil
	}
	_, err = b.sendWeek(ctx, u, cur.Prev())
	return err
}

// sendWeek delivers a unit's digest of week to each of its readers not
// yet done.
func (b *Bot) sendWeek(ctx context.Context, u bot.OrgUnit, week Week) ([]bot.Delivery, error) {
	period := week.Label()
	var (
		readers []bot.Person
		done    = map[int64]bool{}
		set     = DefaultSettings()
	)
	err := b.store.Update(ctx, func(tx bot.Tx) error {
		readers = readers[:0]
		staff, err := tx.Staff(ctx, u.ID, false)
		if err != nil {
			return err
		}
		for _, p := range staff {
			ok, err := b.mayReadDigest(ctx, tx, &p)
			if err != nil {
				return err
			}
			if ok {
				readers = append(readers, p)
			}
		}
		log, err := tx.Deliveries(ctx, deliveryDigest, period)
		if err != nil {
			return err
		}
		for _, d := range log {
			if d.Status == bot.DeliverySent || d.Status == bot.DeliveryUndeliverable || d.Attempts >= maxDeliveryAttempts {
				done[d.PersonID] = true
			}
		}
		if u.Kind == bot.UnitSchool {
			set, err = b.settings(ctx, tx, u.ID)
		}
		return err
	})
	if err != nil || len(readers) == 0 {
		return nil, err
	}
	// Readers with the same view share one computation.
	cache := map[string]*Digest{}
	var (
		out  []bot.Delivery
		errs []error
	)
	for _, p := range readers {
		if done[p.ID] {
			continue
		}
		d, err := b.deliverOnce(ctx, deliveryDigest, period, p.ID, func(ctx context.Context) (string, error) {
			dg, err := b.readerDigest(ctx, u, week, p, cache)
			if err != nil {
				return "", err
			}
			return b.sendDigest(ctx, p, dg, set)
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, d)
	}
	return out, errors.Join(errs...)
}

// readerDigest makes (or reuses) the digest as the reader sees it.
func (b *Bot) readerDigest(ctx context.Context, u bot.OrgUnit, week Week, p bot.Person, cache map[string]*Digest) (*Digest, error) {
	var d *Digest
	err := b.store.Update(ctx, func(tx bot.Tx) error {
		sc, err := b.scopeOf(ctx, tx, &p)
		if err != nil {
			return err
		}
		key := fmt.Sprint(sc.ordinary, sc.supervised, p.Can(bot.ActDigest))
		if d = cache[key]; d != nil {
			return nil
		}
		if d, err = b.makeDigest(ctx, tx, digestRequest{Unit: u, Week: week, Viewer: &p}); err != nil {
			return err
		}
		cache[key] = d
		return nil
	})
	return d, err
}

// sendDigest sends the digest to its reader: the template message when
// the school configured one, else the short text as a customer-service
// message.
func (b *Bot) sendDigest(ctx context.Context, p bot.Person, d *Digest, set Settings) (string, error) {
	link := b.digestURL(d.UnitID, p.ID, d.Week, set.Digest.LinkDays)
	if set.Digest.TemplateID == "" {
		withLink := *d
		withLink.Link = link
		return b.pushToStaff(ctx, p.ID, withLink.Short(set.Digest.LinkDays), bot.TemplateMessage{})
	}
	var openid string
	if err := b.store.Update(ctx, func(tx bot.Tx) error {
		bd, err := tx.BindingOf(ctx, p.ID)
		if err == nil && bd.Active {
			openid = bd.OpenID
		}
		if errors.Is(err, bot.ErrNotFound) {
			return nil
		}
		return err
	}); err != nil {
		return "", err
	}
	if openid == "" {
		return "", fmt.Errorf("%w: %w", errUndeliverable, bot.ErrNotFound)
	}
	newN, overdue := 0, 0
	for _, s := range d.Sections {
		if l, ok := s.Data.(*LedgerDigest); ok {
			newN, overdue = l.New.This, l.Overdue.This
		}
	}
	tm := bot.TemplateMessage{ToOpenID: openid, TemplateID: set.Digest.TemplateID, URL: link, Fields: []bot.TemplateField{
		{Key: "thing1", Value: bot.Clip(fmt.Sprintf(textDigestTplTitle, d.Name), 20)},
		{Key: "time2", Value: bot.Clip(fmt.Sprintf(textDigestTplWeek, d.Number, shortDate(d.From), shortDate(d.To)), 20)},
		{Key: "thing3", Value: bot.Clip(fmt.Sprintf(textDigestTplSummary, newN, overdue), 20)},
	}}
	if err := b.notifier.SendTemplate(ctx, tm); err != nil {
		if errors.Is(err, bot.ErrNotFollowing) {
			return "", fmt.Errorf("%w: %w", errUndeliverable, err)
		}
		return "", err
	}
	return channelTemplate, nil
}
