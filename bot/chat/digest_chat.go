package chat

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"minqing/bot"
)

// 周报 in chat: the short text of a week's digest with the link to its
// page. 周报 and 上周周报 are the last complete week, 本周周报 the week so
// far, 第47周周报 (or 2026-W47) a given week.

// weekAsk is which week a message asks for.
type weekAsk struct {
	current bool
	year    int // 0: the latest year in which the week has begun
	number  int // 0: the last complete week
}

var (
	reDigestNumber = regexp.MustCompile(`第\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*周`)
	reDigestISO    = regexp.MustCompile(`(20[0-9]{2})\s*-?\s*[Ww]\s*([0-9]{1,2})`)
)

// digestWeekAsked reads a digest request that names a week (第47周周报);
// ok is false unless the message is about the digest.
func digestWeekAsked(text string) (weekAsk, bool) {
	if !strings.Contains(text, "周报") && !strings.Contains(text, "周汇总") && !strings.Contains(strings.ToLower(text), "digest") {
		return weekAsk{}, false
	}
	var a weekAsk
	if m := reDigestISO.FindStringSubmatch(text); m != nil {
		a.year, _ = strconv.Atoi(m[1])
		a.number, _ = strconv.Atoi(m[2])
		return a, true
	}
	if m := reDigestNumber.FindStringSubmatch(text); m != nil {
		a.number = chineseNumber(m[1])
		return a, a.number > 0
	}
	rest := strings.NewReplacer("周报", "", "周汇总", "").Replace(text)
	if strings.Contains(rest, "本周") || strings.Contains(rest, "这周") || strings.Contains(rest, "这一周") {
		a.current = true
	}
	return a, len([]rune(text)) <= 12
}

// chineseNumber reads 1–99 in digits or Chinese numerals (四十七).
func chineseNumber(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	digits := map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	n, cur := 0, 0
	for _, r := range s {
		if r == '十' {
			if cur == 0 {
				cur = 1
			}
			n += cur * 10
			cur = 0
			continue
		}
		cur = digits[r]
	}
	return n + cur
}

// resolveWeek turns a request into a week, relative to now.
func resolveWeek(a weekAsk, now time.Time, loc *time.Location) (Week, error) {
	cur := WeekOf(now, loc)
	switch {
	case a.current:
		return cur, nil
	case a.number == 0:
		return cur.Prev(), nil
	}
	year := a.year
	if year == 0 {
		year, _ = cur.Start.ISOWeek()
		if w, err := ParseWeek(fmt.Sprintf("%d-W%02d", year, a.number), loc); err != nil || w.Start.After(cur.Start) {
			year--
		}
	}
	return ParseWeek(fmt.Sprintf("%d-W%02d", year, a.number), loc)
}

// onDigest answers 周报.
func (b *Bot) onDigest(ctx context.Context, tx bot.Tx, t *turn, text string) (bot.Reply, error) {
	ok, err := b.mayReadDigest(ctx, tx, t.person)
	if err != nil {
		return bot.Reply{}, err
	}
	if !ok {
		return refuse(t.person, bot.ActDigest), nil
	}
	a, _ := digestWeekAsked(text)
	week, err := resolveWeek(a, t.now, b.loc)
	if err != nil {
		return bot.Text(fmt.Sprintf(textDigestNoWeek, a.number)), nil
	}
	if week.Start.After(t.now) {
		return bot.Text(fmt.Sprintf(textDigestFuture, a.number)), nil
	}
	unit, err := digestUnit(ctx, tx, t.person)
	if err != nil {
		return bot.Reply{}, err
	}
	d, err := b.makeDigest(ctx, tx, digestRequest{Unit: unit, Week: week, Viewer: t.person})
	if err != nil {
		return bot.Reply{}, err
	}
	days := defaultDigestSettings().LinkDays
	if unit.Kind == bot.UnitSchool {
		set, err := b.settings(ctx, tx, unit.ID)
		if err != nil {
			return bot.Reply{}, err
		}
		days = set.Digest.LinkDays
	}
	d.Link = b.digestURL(unit.ID, t.person.ID, week.Label(), days)
	return bot.Text(d.Short(days)), nil
}

// DigestOptions say which digest MakeDigest makes.
type DigestOptions struct {
	// School is a school's (or the bureau's) name or code.
	School string
	// Week is a label (2026-W47); empty: the last complete week.
	Week string
}

// MakeDigest makes a digest as the administrator sees it (everything),
// with a link valid for the school's link days; for the CLI.
func (b *Bot) MakeDigest(ctx context.Context, o DigestOptions) (*Digest, error) {
	var d *Digest
	err := b.store.Update(ctx, func(tx bot.Tx) error {
		unit, err := digestUnitNamed(ctx, tx, o.School)
		if err != nil {
			return err
		}
		week := lastCompleteWeek(b.now(), b.loc)
		if o.Week != "" {
			if week, err = ParseWeek(o.Week, b.loc); err != nil {
				return err
			}
		}
		if d, err = b.makeDigest(ctx, tx, digestRequest{Unit: unit, Week: week}); err != nil {
			return err
		}
		days := defaultDigestSettings().LinkDays
		if unit.Kind == bot.UnitSchool {
			set, err := b.settings(ctx, tx, unit.ID)
			if err != nil {
				return err
			}
			days = set.Digest.LinkDays
		}
		d.Link = b.digestURL(unit.ID, 0, week.Label(), days)
		return nil
	})
	return d, err
}

// digestUnitNamed finds a school or bureau by code or name.
func digestUnitNamed(ctx context.Context, tx bot.Tx, name string) (bot.OrgUnit, error) {
	name = strings.TrimSpace(name)
	if u, err := tx.UnitByCode(ctx, strings.ToUpper(name)); err == nil && (u.Kind == bot.UnitSchool || u.Kind == bot.UnitBureau) {
		return u, nil
	}
	units, err := tx.Units(ctx, bot.UnitSchool, bot.UnitBureau)
	if err != nil {
		return bot.OrgUnit{}, err
	}
	for _, u := range units {
		if u.Name == name {
			return u, nil
		}
	}
	return bot.OrgUnit{}, fmt.Errorf("no school or bureau named %q: %w", name, bot.ErrNotFound)
}

// Location is the schools' time zone.
func (b *Bot) Location() *time.Location { return b.loc }
