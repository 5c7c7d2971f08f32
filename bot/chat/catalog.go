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

// fromCatalog reads through the catalog: the entry get finds while it is
// fresh, else what load returns, kept with put. get and put run under the
// catalog's lock.
func fromCatalog[T any](b *Bot, get func(*catalog) cached[T], put func(*catalog, cached[T]), load func() (T, error)) (T, error) {
	now := b.now()
	b.catalog.mu.Lock()
	c := get(&b.catalog)
	b.catalog.mu.Unlock()
	if c.fresh(now) {
		return c.val, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	b.catalog.mu.Lock()
	put(&b.catalog, cached[T]{at: now, val: v})
	b.catalog.mu.Unlock()
	return v, nil
}

// putSchool keeps a school's entry in m, made on first use.
func putSchool[T any](m *map[int64]cached[T], schoolID int64, c cached[T]) {
	if *m == nil {
		*m = map[int64]cached[T]{}
	}
	(*m)[schoolID] = c
}

// schools returns every school.
func (b *Bot) schools(ctx context.Context, tx bot.Tx) ([]bot.OrgUnit, error) {
	return fromCatalog(b,
		func(c *catalog) cached[[]bot.OrgUnit] { return c.schools },
		func(c *catalog, e cached[[]bot.OrgUnit]) { c.schools = e },
		func() ([]bot.OrgUnit, error) { return tx.Units(ctx, bot.UnitSchool) })
}

// unitsOf returns the units of a school, the school included.
func (b *Bot) unitsOf(ctx context.Context, tx bot.Tx, schoolID int64) ([]bot.OrgUnit, error) {
	return fromCatalog(b,
		func(c *catalog) cached[[]bot.OrgUnit] { return c.units[schoolID] },
		func(c *catalog, e cached[[]bot.OrgUnit]) { putSchool(&c.units, schoolID, e) },
		func() ([]bot.OrgUnit, error) { return tx.UnitsOfSchool(ctx, schoolID) })
}

// settings returns a school's settings (defaults where it has none).
func (b *Bot) settings(ctx context.Context, tx bot.Tx, schoolID int64) (Settings, error) {
	return fromCatalog(b,
		func(c *catalog) cached[Settings] { return c.settings[schoolID] },
		func(c *catalog, e cached[Settings]) { putSchool(&c.settings, schoolID, e) },
		func() (Settings, error) { return b.loadSettings(ctx, tx, schoolID) })
}
