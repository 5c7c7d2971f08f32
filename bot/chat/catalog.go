package chat

import (
	"context"
	"sync"
	"time"

	"minqing/bot"
)

// catalog caches what taking an opinion in reads every time and what hardly
// ever changes: the list of schools, each school's units and settings.
// Entries live catalogTTL, so that a change made by another process — an
// import, `minqing settings` — shows within that time.
type catalog struct {
	mu       sync.Mutex
	schools  cached[[]bot.OrgUnit]
	units    map[int64]cached[[]bot.OrgUnit]
	settings map[int64]cached[Settings]
}

// catalogTTL is how stale the catalog may be.
const catalogTTL = 30 * time.Second

type cached[T any] struct {
	at  time.Time
	val T
}

func (c cached[T]) fresh(now time.Time) bool { return !c.at.IsZero() && now.Sub(c.at) < catalogTTL }

// schools returns every school.
func (b *Bot) schools(ctx context.Context, tx bot.Tx) ([]bot.OrgUnit, error) {
	now := b.now()
	b.catalog.mu.Lock()
	c := b.catalog.schools
	b.catalog.mu.Unlock()
	if c.fresh(now) {
		return c.val, nil
	}
	list, err := tx.Units(ctx, bot.UnitSchool)
	if err != nil {
		return nil, err
	}
	b.catalog.mu.Lock()
	b.catalog.schools = cached[[]bot.OrgUnit]{at: now, val: list}
	b.catalog.mu.Unlock()
	return list, nil
}

// unitsOf returns the units of a school, the school included.
func (b *Bot) unitsOf(ctx context.Context, tx bot.Tx, schoolID int64) ([]bot.OrgUnit, error) {
	now := b.now()
	b.catalog.mu.Lock()
	c := b.catalog.units[schoolID]
	b.catalog.mu.Unlock()
	if c.fresh(now) {
		return c.val, nil
	}
	list, err := tx.UnitsOfSchool(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	b.catalog.mu.Lock()
	if b.catalog.units == nil {
		b.catalog.units = map[int64]cached[[]bot.OrgUnit]{}
	}
	b.catalog.units[schoolID] = cached[[]bot.OrgUnit]{at: now, val: list}
	b.catalog.mu.Unlock()
	return list, nil
}

// settings returns a school's settings (defaults where it has none).
func (b *Bot) settings(ctx context.Context, tx bot.Tx, schoolID int64) (Settings, error) {
	now := b.now()
	b.catalog.mu.Lock()
	c := b.catalog.settings[schoolID]
	b.catalog.mu.Unlock()
	if c.fresh(now) {
		return c.val, nil
	}
	s, err := b.loadSettings(ctx, tx, schoolID)
	if err != nil {
		return s, err
	}
	b.catalog.mu.Lock()
	if b.catalog.settings == nil {
		b.catalog.settings = map[int64]cached[Settings]{}
	}
	b.catalog.settings[schoolID] = cached[Settings]{at: now, val: s}
	b.catalog.mu.Unlock()
	return s, nil
}
