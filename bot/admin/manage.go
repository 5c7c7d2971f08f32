package admin

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"minqing/bot"
	"minqing/bot/chat"
	"minqing/bot/parse"
	"minqing/bot/roster"
)

// Correcting what an import got wrong: renaming, merging and removing
// schools, removing or deactivating staff, removing the demo school. Every
// change is recorded in the audit trail, in the same transaction.

// Error is an administration problem whose text (Chinese, for the school's
// IT teacher) says what is wrong and what to do. It wraps the domain error
// (ErrNotFound, ErrConflict, ErrInvalid).
type Error struct {
	Msg string
	Err error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

func problem(err error, format string, args ...any) *Error {
	return &Error{Msg: fmt.Sprintf(format, args...), Err: err}
}

// SimilarSchools returns the schools whose name or code is close to name
// (a typo away), closest first, at most three.
func (a *Admin) SimilarSchools(ctx context.Context, name string) ([]bot.OrgUnit, error) {
	schools, err := a.Schools(ctx)
	if err != nil {
		return nil, err
	}
	return similarUnits(schools, name, 3), nil
}

// similarUnits ranks units by how close their name (or code) is to name.
func similarUnits(units []bot.OrgUnit, name string, limit int) []bot.OrgUnit {
	name = strings.TrimSpace(name)
	type scored struct {
		u bot.OrgUnit
		d int
	}
	var hits []scored
	for _, u := range units {
		d := parse.Distance(name, u.Name)
		if u.Code != "" {
			d = min(d, parse.Distance(strings.ToUpper(name), u.Code))
		}
		if strings.Contains(u.Name, name) || strings.Contains(name, u.Name) {
			d = min(d, 1)
		}
		if Close(d, name) {
			hits = append(hits, scored{u, d})
		}
	}
	slices.SortStableFunc(hits, func(x, y scored) int { return x.d - y.d })
	out := make([]bot.OrgUnit, 0, limit)
	for i := 0; i < len(hits) && i < limit; i++ {
		out = append(out, hits[i].u)
	}
	return out
}

// Close reports whether an edit distance d from name is a likely typo:
// a third of its characters, at least one.
func Close(d int, name string) bool {
	return d <= max(1, utf8.RuneCountInString(name)/3)
}

func (a *Admin) audit(ctx context.Context, tx bot.Tx, command string, schoolID int64, detail string) error {
	return tx.AddAudit(ctx, bot.AuditEntry{At: a.now().UTC(), Command: command, SchoolID: schoolID, Detail: detail})
}

// RenameSchool gives a school a new name.
func (a *Admin) RenameSchool(ctx context.Context, schoolID int64, name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return problem(bot.ErrInvalid, textNeedName)
	}
	return a.store.Update(ctx, func(tx bot.Tx) error {
		s, err := tx.Unit(ctx, schoolID)
		if err != nil {
			return err
		}
		if other, err := findSchool(ctx, tx, name); err == nil && other.ID != s.ID {
			return problem(bot.ErrConflict, textSchoolNameTaken, name, other.Code)
		}
		if err := tx.RenameUnit(ctx, s.ID, name); err != nil {
			if errors.Is(err, bot.ErrConflict) {
				return problem(err, textSchoolNameTaken, name, "")
			}
			return err
		}
		return a.audit(ctx, tx, "schools rename", s.ID, fmt.Sprintf("%s（%s）→ %s", s.Name, s.Code, name))
	})
}

// SchoolCounts is what belongs to a school, for confirming a change.
type SchoolCounts struct {
	Staff, Students, Opinions, Bound int
}

// Counts says how much a school holds.
func (a *Admin) Counts(ctx context.Context, schoolID int64) (SchoolCounts, error) {
	var c SchoolCounts
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		c = SchoolCounts{}
		staff, err := tx.Staff(ctx, schoolID, true)
		if err != nil {
			return err
		}
		c.Staff = len(staff)
		for _, p := range staff {
			if _, err := tx.BindingOf(ctx, p.ID); err == nil {
				c.Bound++
			}
		}
		students, err := tx.Students(ctx, schoolID)
		if err != nil {
			return err
		}
		c.Students = len(students)
		_, c.Opinions, err = tx.Ledger(ctx, bot.LedgerQuery{SchoolIDs: []int64{schoolID}, Limit: 1})
		return err
	})
	return c, err
}

// MergeSchools moves everything of school from into school into and
// removes from: for a school created twice by a typo.
func (a *Admin) MergeSchools(ctx context.Context, from, into int64) error {
	if from == into {
		return problem(bot.ErrInvalid, textMergeSame)
	}
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		f, err := tx.Unit(ctx, from)
		if err != nil {
			return err
		}
		i, err := tx.Unit(ctx, into)
		if err != nil {
			return err
		}
		// The same staff list imported into both: one person each.
		theirs, err := tx.Staff(ctx, from, true)
		if err != nil {
			return err
		}
		ours, err := tx.Staff(ctx, into, true)
		if err != nil {
			return err
		}
		same := 0
		for _, p := range theirs {
			r := roster.StaffRecord{Name: p.Name, PhoneTail: p.PhoneTail, StaffNo: p.StaffNo}
			if q, ok := matchStaff(ours, r); ok {
				if err := tx.MergePerson(ctx, p.ID, q.ID); err != nil {
					return err
				}
				same++
			}
		}
		if err := tx.MergeSchool(ctx, from, into); err != nil {
			return err
		}
		return a.audit(ctx, tx, "schools merge", into, fmt.Sprintf(textAuditMerge, f.Name, f.Code, i.Name, i.Code, same))
	})
	if err == nil {
		chat.TouchBindingsVersion(ctx, a.state, a.log)
	}
	return err
}

// RemoveSchool deletes a school and everything in it.
func (a *Admin) RemoveSchool(ctx context.Context, schoolID int64) error {
	return a.removeSchool(ctx, schoolID, "schools remove")
}

func (a *Admin) removeSchool(ctx context.Context, schoolID int64, command string) error {
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		s, err := tx.Unit(ctx, schoolID)
		if err != nil {
			return err
		}
		if err := tx.DeleteSchool(ctx, schoolID); err != nil {
			return err
		}
		return a.audit(ctx, tx, command, s.ID, fmt.Sprintf("%s（%s）", s.Name, s.Code))
	})
	if err == nil {
		chat.TouchBindingsVersion(ctx, a.state, a.log)
	}
	return err
}

// RemoveDemo deletes the demo school that SeedDemo made; ErrNotFound if
// there is none.
func (a *Admin) RemoveDemo(ctx context.Context) (bot.OrgUnit, error) {
	var s bot.OrgUnit
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		var err error
		s, err = tx.UnitByCode(ctx, DemoSchoolCode)
		if errors.Is(err, bot.ErrNotFound) {
			return problem(err, textNoDemo)
		}
		return err
	})
	if err != nil {
		return s, err
	}
	return s, a.removeSchool(ctx, s.ID, "demo remove")
}

// FindStaff finds the staff member of the school named who: a name or a
// staff number.
func (a *Admin) FindStaff(ctx context.Context, schoolID int64, who string) (bot.Person, error) {
	var p bot.Person
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		var err error
		p, err = findStaff(ctx, tx, schoolID, who, true)
		return err
	})
	return p, err
}

// findStaff finds one staff member by name or staff number; the errors
// say what to do (a close name, the staff numbers of namesakes).
func findStaff(ctx context.Context, tx bot.Tx, schoolID int64, who string, inactive bool) (bot.Person, error) {
	who = strings.TrimSpace(who)
	staff, err := tx.Staff(ctx, schoolID, inactive)
	if err != nil {
		return bot.Person{}, err
	}
	var hits []bot.Person
	for _, p := range staff {
		if p.Name == who || (p.StaffNo != "" && p.StaffNo == who) {
			hits = append(hits, p)
		}
	}
	switch len(hits) {
	case 1:
		return hits[0], nil
	case 0:
		var near []string
		for _, p := range staff {
			if d := parse.Distance(who, p.Name); Close(d, who) || strings.Contains(p.Name, who) {
				near = append(near, p.Name)
			}
		}
		if len(near) > 0 {
			return bot.Person{}, problem(bot.ErrNotFound, textStaffNotFoundNear, who, strings.Join(near, "、"))
		}
		return bot.Person{}, problem(bot.ErrNotFound, textStaffNotFound, who)
	}
	var ids []string
	for _, p := range hits {
		no := p.StaffNo
		if no == "" {
			no = textNoStaffNo
		}
		ids = append(ids, fmt.Sprintf("%s（%s，工号 %s）", p.Name, p.Title, no))
	}
	return bot.Person{}, problem(bot.ErrConflict, textStaffAmbiguous, len(hits), who, strings.Join(ids, "、"))
}

// RemoveStaff deletes a staff member imported by mistake. Someone who
// already acted in the ledger cannot be deleted: deactivate them instead.
func (a *Admin) RemoveStaff(ctx context.Context, schoolID int64, who string) (bot.Person, error) {
	return a.changeStaff(ctx, schoolID, who, true, "staff remove", func(tx bot.Tx, p *bot.Person) error {
		err := tx.DeletePerson(ctx, p.ID)
		if errors.Is(err, bot.ErrConflict) {
			return problem(err, textStaffHasHistory, p.Name)
		}
		return err
	})
}

// DeactivateStaff marks a staff member who left as inactive and removes
// their WeChat binding; their records stay.
func (a *Admin) DeactivateStaff(ctx context.Context, schoolID int64, who string) (bot.Person, error) {
	return a.changeStaff(ctx, schoolID, who, false, "staff deactivate", func(tx bot.Tx, p *bot.Person) error {
		p.Active = false
		if err := tx.UpdatePerson(ctx, *p); err != nil {
			return err
		}
		return tx.DeleteBinding(ctx, p.ID)
	})
}

// changeStaff finds who among the school's staff (inactive ones too when
// inactive is set), applies change to them and records command in the
// audit trail, in one transaction; once that is committed, the bots
// reload their bindings.
func (a *Admin) changeStaff(ctx context.Context, schoolID int64, who string, inactive bool, command string,
	change func(tx bot.Tx, p *bot.Person) error) (bot.Person, error) {
	var p bot.Person
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		var err error
		if p, err = findStaff(ctx, tx, schoolID, who, inactive); err != nil {
			return err
		}
		if err := change(tx, &p); err != nil {
			return err
		}
		return a.audit(ctx, tx, command, schoolID, fmt.Sprintf("%s（%s）", p.Name, p.Title))
	})
	if err == nil {
		chat.TouchBindingsVersion(ctx, a.state, a.log)
	}
	return p, err
}

// AuditTrail returns the newest administrative changes first.
func (a *Admin) AuditTrail(ctx context.Context, limit int) ([]bot.AuditEntry, error) {
	var out []bot.AuditEntry
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		var err error
		out, err = tx.AuditTrail(ctx, limit)
		return err
	})
	return out, err
}
