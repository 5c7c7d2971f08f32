package chat

import (
	"context"
	"fmt"
	"slices"
	"time"

	"minqing/bot"
)

// memoTx remembers the digest's reads within one digest, per school: the
// bureau's digest computes every school's column and then the district's
// totals from the same reads, so the district's pass reads nothing again.
// Reads of several schools are split into one read per school (the
// storage runs them per school in the same order anyway). Results are
// cloned, since sections may reorder or filter what they get.
type memoTx struct {
	bot.Tx
	m map[string]any
}

func newMemoTx(tx bot.Tx) *memoTx { return &memoTx{Tx: tx, m: map[string]any{}} }

func memo[T any](t *memoTx, key string, read func() ([]T, error)) ([]T, error) {
	if v, ok := t.m[key]; ok {
		return slices.Clone(v.([]T)), nil
	}
	v, err := read()
	if err != nil {
		return nil, err
	}
	t.m[key] = v
	return slices.Clone(v), nil
}

// memoSchools runs a memoised read per school and joins the results.
func memoSchools[T any](t *memoTx, name string, ids []int64, rest string, read func(ids []int64) ([]T, error)) ([]T, error) {
	var out []T
	for _, id := range ids {
		part, err := memo(t, fmt.Sprintf("%s|%d|%s", name, id, rest), func() ([]T, error) { return read([]int64{id}) })
		if err != nil {
			return nil, err
		}
		out = append(out, part...)
	}
	return out, nil
}

func tkey(ts ...time.Time) string {
	s := ""
	for _, t := range ts {
		s += t.UTC().Format(time.RFC3339Nano) + "|"
	}
	return s
}

func (t *memoTx) DigestCreated(ctx context.Context, ids []int64, from, to time.Time) ([]bot.DigestOpinion, error) {
	return memoSchools(t, "created", ids, tkey(from, to), func(ids []int64) ([]bot.DigestOpinion, error) {
		return t.Tx.DigestCreated(ctx, ids, from, to)
	})
}

type activeRead struct {
	ops    []bot.DigestOpinion
	events []bot.DigestEvent
}

func (t *memoTx) DigestActive(ctx context.Context, ids []int64, since time.Time) ([]bot.DigestOpinion, []bot.DigestEvent, error) {
	var ops []bot.DigestOpinion
	var events []bot.DigestEvent
	for _, id := range ids {
		key := fmt.Sprintf("active|%d|%s", id, tkey(since))
		r, ok := t.m[key].(activeRead)
		if !ok {
			o, e, err := t.Tx.DigestActive(ctx, []int64{id}, since)
			if err != nil {
				return nil, nil, err
			}
			r = activeRead{o, e}
			t.m[key] = r
		}
		ops, events = append(ops, r.ops...), append(events, r.events...)
	}
	return ops, events, nil
}

func (t *memoTx) DigestDue(ctx context.Context, ids []int64, from, to time.Time, dayEnd time.Duration) ([]bot.DigestDue, error) {
	return memoSchools(t, "due", ids, tkey(from, to)+dayEnd.String(), func(ids []int64) ([]bot.DigestDue, error) {
		return t.Tx.DigestDue(ctx, ids, from, to, dayEnd)
	})
}

func (t *memoTx) DigestRatings(ctx context.Context, ids []int64, from, to time.Time) ([]bot.DigestRating, error) {
	return memoSchools(t, "ratings", ids, tkey(from, to), func(ids []int64) ([]bot.DigestRating, error) {
		return t.Tx.DigestRatings(ctx, ids, from, to)
	})
}

func (t *memoTx) Staff(ctx context.Context, schoolID int64, all bool) ([]bot.Person, error) {
	return memo(t, fmt.Sprintf("staff|%d|%v", schoolID, all), func() ([]bot.Person, error) { return t.Tx.Staff(ctx, schoolID, all) })
}

func (t *memoTx) UnitsOfSchool(ctx context.Context, schoolID int64) ([]bot.OrgUnit, error) {
	return memo(t, fmt.Sprintf("units|%d", schoolID), func() ([]bot.OrgUnit, error) { return t.Tx.UnitsOfSchool(ctx, schoolID) })
}

func (t *memoTx) StudyTotals(ctx context.Context, schoolID int64, from, to string) ([]bot.StudyTotal, error) {
	return memo(t, fmt.Sprintf("study|%d|%s|%s", schoolID, from, to), func() ([]bot.StudyTotal, error) { return t.Tx.StudyTotals(ctx, schoolID, from, to) })
}

func (t *memoTx) SchoolExcuses(ctx context.Context, schoolID int64, fromWeek, toWeek string) ([]bot.Excuse, error) {
	return memo(t, fmt.Sprintf("excuses|%d|%s|%s", schoolID, fromWeek, toWeek), func() ([]bot.Excuse, error) {
		return t.Tx.SchoolExcuses(ctx, schoolID, fromWeek, toWeek)
	})
}

func (t *memoTx) SchoolEssays(ctx context.Context, schoolID int64, from, to time.Time, withText bool) ([]bot.Essay, error) {
	return memo(t, fmt.Sprintf("essays|%d|%s%v", schoolID, tkey(from, to), withText), func() ([]bot.Essay, error) {
		return t.Tx.SchoolEssays(ctx, schoolID, from, to, withText)
	})
}

func (t *memoTx) VisitCounts(ctx context.Context, schoolID int64, from, to time.Time) ([]bot.PersonCount, error) {
	return memo(t, fmt.Sprintf("visits|%d|%s", schoolID, tkey(from, to)), func() ([]bot.PersonCount, error) {
		return t.Tx.VisitCounts(ctx, schoolID, from, to)
	})
}

func (t *memoTx) Coverage(ctx context.Context, schoolID int64, from, to time.Time) ([]bot.ClassCoverage, error) {
	return memo(t, fmt.Sprintf("coverage|%d|%s", schoolID, tkey(from, to)), func() ([]bot.ClassCoverage, error) {
		return t.Tx.Coverage(ctx, schoolID, from, to)
	})
}

func (t *memoTx) LeaderCounts(ctx context.Context, schoolID int64, from, to time.Time) ([]bot.LeaderCount, error) {
	return memo(t, fmt.Sprintf("leaders|%d|%s", schoolID, tkey(from, to)), func() ([]bot.LeaderCount, error) {
		return t.Tx.LeaderCounts(ctx, schoolID, from, to)
	})
}
