package chat

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"minqing/bot"
)

// The ledger export (民情台帐.xlsx) in the layout inspectors expect: one row
// per opinion made in a week or a semester, oldest first.

// ExportOptions say which opinions ExportLedger writes.
type ExportOptions struct {
	// School is the school's name or code.
	School string
	// Week (2026-W47) or Semester (2026-秋); neither: the current semester.
	Week, Semester string
}

// ledgerExportHead is the export's header row.
var ledgerExportHead = []string{"回执码", "日期", "类别", "来源", "内容摘要", "承办部门", "状态", "答复", "答复日期", "满意度"}

// exportSummaryLen bounds the 内容摘要 column.
const exportSummaryLen = 200

// ExportLedger returns the header and rows of a school's ledger export,
// and the period's name (for the file name).
func (b *Bot) ExportLedger(ctx context.Context, o ExportOptions) (head []string, rows [][]string, period string, err error) {
	err = b.store.Update(ctx, func(tx bot.Tx) error {
		unit, err := digestUnitNamed(ctx, tx, o.School)
		if err != nil {
			return err
		}
		if unit.Kind != bot.UnitSchool {
			return fmt.Errorf("the ledger export is per school, %q is not one: %w", o.School, bot.ErrInvalid)
		}
		from, to, name, err := b.exportPeriod(ctx, tx, unit, o)
		if err != nil {
			return err
		}
		period = name
		rows, err = b.ledgerRows(ctx, tx, unit, from, to, nil)
		return err
	})
	return ledgerExportHead, rows, period, err
}

// ExportForLink is the export of a digest link's week, as its reader may
// see it: the ledger of the week's opinions.
func (b *Bot) ExportForLink(ctx context.Context, q url.Values) (head []string, rows [][]string, name string, err error) {
	l, err := b.VerifyDigestLink(q)
	if err != nil {
		return nil, nil, "", err
	}
	err = b.store.Update(ctx, func(tx bot.Tx) error {
		unit, err := tx.Unit(ctx, l.UnitID)
		if err != nil || unit.Kind != bot.UnitSchool {
			return ErrLinkInvalid
		}
		week, err := ParseWeek(l.Week, b.loc)
		if err != nil {
			return ErrLinkInvalid
		}
		var in *digestInput
		if l.PersonID != 0 {
			p, err := tx.Person(ctx, l.PersonID)
			if err != nil {
				return ErrLinkRevoked
			}
			ok, err := b.mayReadDigest(ctx, tx, &p)
			if err != nil {
				return err
			}
			if !ok || p.SchoolID != unit.ID {
				return ErrLinkRevoked
			}
			sc, err := b.scopeOf(ctx, tx, &p)
			if err != nil {
				return err
			}
			in = &digestInput{Ordinary: sc.ordinary, Supervised: sc.supervised}
		}
		name = unit.Name + "-" + week.Label()
		rows, err = b.ledgerRows(ctx, tx, unit, week.Start, week.End(), in)
		return err
	})
	return ledgerExportHead, rows, name, err
}

// exportPeriod resolves the export's period.
func (b *Bot) exportPeriod(ctx context.Context, tx bot.Tx, unit bot.OrgUnit, o ExportOptions) (from, to time.Time, name string, err error) {
	if o.Week != "" {
		w, err := ParseWeek(o.Week, b.loc)
		if err != nil {
			return from, to, "", err
		}
		return w.Start, w.End(), w.Label(), nil
	}
	set, err := b.settings(ctx, tx, unit.ID)
	if err != nil {
		return from, to, "", err
	}
	var sem Semester
	if o.Semester != "" {
		if sem, err = set.SemesterNamed(o.Semester, b.now(), b.loc); err != nil {
			return from, to, "", err
		}
	} else {
		var ok bool
		if sem, ok = set.CurrentSemester(b.now(), b.loc); !ok {
			return from, to, "", fmt.Errorf("no semester has begun: %w", bot.ErrNotFound)
		}
	}
	return sem.Start, sem.End, sem.Name, nil
}

// ledgerRows are the export's rows of the school's opinions made in
// [from, to); in, when not nil, limits them to what its viewer may see.
func (b *Bot) ledgerRows(ctx context.Context, tx bot.Tx, unit bot.OrgUnit, from, to time.Time, in *digestInput) ([][]string, error) {
	ops, err := tx.ExportOpinions(ctx, unit.ID, from, to)
	if err != nil {
		return nil, err
	}
	names, err := unitIndex(ctx, tx, []bot.OrgUnit{unit})
	if err != nil {
		return nil, err
	}
	rows := [][]string{}
	for _, o := range ops {
		if in != nil && !in.covers(o.SchoolID, o.Category) {
			continue
		}
		answered := ""
		if !o.AnsweredAt.IsZero() {
			answered = o.AnsweredAt.In(b.loc).Format(time.DateOnly)
		}
		rows = append(rows, []string{
			o.Code, o.Created.In(b.loc).Format(time.DateOnly), label(o.Category), sourceLabel(o.Source),
			bot.Clip(o.Text, exportSummaryLen), names[o.AssignedUnitID], statusLabel(o.Status), o.Answer, answered, ratingLabel(o.Rating),
		})
	}
	return rows, nil
}
