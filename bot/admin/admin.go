// Package admin is what the command line does for a school's IT teacher:
// schools, staff and student imports, bind codes, settings and the demo
// school. It shares the service's store, state and keys.
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"minqing/bot"
	"minqing/bot/chat"
	"minqing/bot/roster"
)

// Admin carries out the school administrator's commands — importing staff
// and students, issuing bind codes, resetting a binding — for the minqing
// command line. It shares the Bot's store, state and keys.
type Admin struct {
	store bot.Store
	state bot.State
	keys  bot.Keys
	now   func() time.Time
	log   *slog.Logger
	loc   *time.Location // the schools' time zone
}

// NewAdmin returns an Admin; Config.Notifier is not needed.
func NewAdmin(c chat.Config) (*Admin, error) {
	if c.Store == nil || c.State == nil {
		return nil, fmt.Errorf("bot: Store and State are required: %w", bot.ErrInvalid)
	}
	k, err := bot.NewKeys(c.Secret)
	if err != nil {
		return nil, err
	}
	c = c.WithDefaults()
	return &Admin{store: c.Store, state: c.State, keys: k, now: c.Now, log: c.Logger, loc: c.Location}, nil
}

// School finds a school by name or code; ErrNotFound if there is none.
func (a *Admin) School(ctx context.Context, nameOrCode string) (bot.OrgUnit, error) {
	var s bot.OrgUnit
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		var err error
		s, err = findSchool(ctx, tx, nameOrCode)
		return err
	})
	return s, err
}

func findSchool(ctx context.Context, tx bot.Tx, nameOrCode string) (bot.OrgUnit, error) {
	nameOrCode = strings.TrimSpace(nameOrCode)
	if u, err := tx.UnitByCode(ctx, strings.ToUpper(nameOrCode)); err == nil && u.Kind == bot.UnitSchool {
		return u, nil
	}
	schools, err := tx.Units(ctx, bot.UnitSchool)
	if err != nil {
		return bot.OrgUnit{}, err
	}
	for _, s := range schools {
		if s.Name == nameOrCode {
			return s, nil
		}
	}
	return bot.OrgUnit{}, problem(bot.ErrNotFound, textNoSuchSchool, nameOrCode)
}

// EnsureSchool returns the school of that name, creating it (under the
// named bureau, created too if need be) when there is none. created says
// whether the school is new.
func (a *Admin) EnsureSchool(ctx context.Context, name, bureau string) (school bot.OrgUnit, created bool, err error) {
	name, bureau = strings.TrimSpace(name), strings.TrimSpace(bureau)
	if name == "" {
		return bot.OrgUnit{}, false, problem(bot.ErrInvalid, textNeedSchoolName)
	}
	err = a.store.Update(ctx, func(tx bot.Tx) error {
		created = false
		var err error
		school, err = findSchool(ctx, tx, name)
		if err == nil || !errors.Is(err, bot.ErrNotFound) {
			return err
		}
		var parent int64
		if bureau != "" {
			b, err := tx.UnitByName(ctx, 0, bot.UnitBureau, bureau)
			if errors.Is(err, bot.ErrNotFound) {
				b, err = tx.CreateUnit(ctx, bot.OrgUnit{Kind: bot.UnitBureau, Name: bureau})
			}
			if err != nil {
				return err
			}
			parent = b.ID
		}
		school, err = createSchool(ctx, tx, parent, name)
		created = err == nil
		return err
	})
	return school, created, err
}

// createSchool adds a school with a fresh short code.
func createSchool(ctx context.Context, tx bot.Tx, parent int64, name string) (bot.OrgUnit, error) {
	for range 5 {
		s, err := tx.CreateUnit(ctx, bot.OrgUnit{ParentID: parent, Kind: bot.UnitSchool, Name: name, Code: bot.RandomCode(4)})
		if !errors.Is(err, bot.ErrConflict) {
			return s, err
		}
		// A code collision (or a school of that name under the bureau,
		// which findSchool ruled out): try another code.
	}
	return bot.OrgUnit{}, fmt.Errorf("create school %q: %w", name, bot.ErrConflict)
}

// ImportReport says what an import did.
type ImportReport struct {
	Created, Updated, Unchanged int
	// Rejected are the rows that were not imported, and why.
	Rejected []roster.Rejection
	// Missing names the active people (or students) of the school that the
	// file does not mention; they are left as they are.
	Missing []string
}

// unitCache finds or creates the units an import names.
type unitCache struct {
	tx     bot.Tx
	school bot.OrgUnit
	units  map[string]bot.OrgUnit
}

func newUnitCache(ctx context.Context, tx bot.Tx, schoolID int64) (*unitCache, error) {
	school, err := tx.Unit(ctx, schoolID)
	if err != nil {
		return nil, err
	}
	all, err := tx.UnitsOfSchool(ctx, school.ID)
	if err != nil {
		return nil, err
	}
	c := &unitCache{tx: tx, school: school, units: map[string]bot.OrgUnit{}}
	for _, u := range all {
		c.units[unitKey(u.ParentID, u.Kind, u.Name)] = u
	}
	return c, nil
}

func unitKey(parent int64, kind bot.UnitKind, name string) string {
	return strconv.FormatInt(parent, 10) + "/" + string(kind) + "/" + name
}

func (c *unitCache) get(ctx context.Context, parent int64, kind bot.UnitKind, name string) (bot.OrgUnit, error) {
	k := unitKey(parent, kind, name)
	if u, ok := c.units[k]; ok {
		return u, nil
	}
	u, err := c.tx.CreateUnit(ctx, bot.OrgUnit{ParentID: parent, SchoolID: c.school.ID, Kind: kind, Name: name})
	if err != nil {
		return u, err
	}
	c.units[k] = u
	return u, nil
}

// parent returns the unit under which departments and classes of a row go:
// its campus (branch school) if it names one, else the school.
func (c *unitCache) parent(ctx context.Context, campus string) (int64, error) {
	if campus == "" || campus == c.school.Name {
		return c.school.ID, nil
	}
	u, err := c.get(ctx, c.school.ID, bot.UnitCampus, campus)
	return u.ID, err
}

// importInTx runs an import in one transaction, with the school's units
// at hand; the report starts afresh each time the transaction runs.
func (a *Admin) importInTx(ctx context.Context, schoolID int64, fn func(tx bot.Tx, units *unitCache, rep *ImportReport) error) (ImportReport, error) {
	var rep ImportReport
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		rep = ImportReport{}
		units, err := newUnitCache(ctx, tx, schoolID)
		if err != nil {
			return err
		}
		return fn(tx, units, &rep)
	})
	return rep, err
}

// ImportStaff creates or updates the school's staff from an import file's
// records, in one transaction. A record matches an existing person by staff
// number, else by name and phone tail, else by a name no one else has.
func (a *Admin) ImportStaff(ctx context.Context, schoolID int64, recs []roster.StaffRecord) (ImportReport, error) {
	return a.importInTx(ctx, schoolID, func(tx bot.Tx, units *unitCache, rep *ImportReport) error {
		existing, err := tx.Staff(ctx, schoolID, true)
		if err != nil {
			return err
		}
		matched := map[int64]int{} // person ID → row that matched it
		for _, r := range recs {
			p, found := matchStaff(existing, r)
			if found {
				if row, dup := matched[p.ID]; dup {
					rep.Rejected = append(rep.Rejected, roster.Rejection{Row: r.Row, Reason: fmt.Sprintf(textImportSamePerson, r.Row, row)})
					continue
				}
				matched[p.ID] = r.Row
			}
			parent, err := units.parent(ctx, r.Campus)
			if err != nil {
				return err
			}
			var unitIDs []int64
			if parent != schoolID {
				unitIDs = append(unitIDs, parent)
			}
			for _, d := range r.Departments {
				u, err := units.get(ctx, parent, bot.UnitDepartment, d)
				if err != nil {
					return err
				}
				unitIDs = append(unitIDs, u.ID)
			}
			for _, cl := range r.Classes {
				u, err := units.get(ctx, parent, bot.UnitClass, cl)
				if err != nil {
					return err
				}
				unitIDs = append(unitIDs, u.ID)
			}
			slices.Sort(unitIDs)
			unitIDs = slices.Compact(unitIDs)

			want := bot.Person{
				SchoolID: schoolID, Name: r.Name, Title: r.Title, Roles: r.Roles,
				PhoneTail: r.PhoneTail, StaffNo: r.StaffNo, Active: true,
			}
			if !found {
				p, err := tx.CreatePerson(ctx, want)
				if err != nil {
					return err
				}
				matched[p.ID] = r.Row
				if err := tx.SetPersonUnits(ctx, p.ID, unitIDs); err != nil {
					return err
				}
				rep.Created++
				continue
			}
			have, err := tx.PersonUnits(ctx, p.ID)
			if err != nil {
				return err
			}
			want.ID = p.ID
			if samePerson(p, want) && slices.Equal(have, unitIDs) {
				rep.Unchanged++
				continue
			}
			if err := tx.UpdatePerson(ctx, want); err != nil {
				return err
			}
			if err := tx.SetPersonUnits(ctx, p.ID, unitIDs); err != nil {
				return err
			}
			rep.Updated++
		}
		for _, p := range existing {
			if _, ok := matched[p.ID]; !ok && p.Active {
				rep.Missing = append(rep.Missing, p.Name)
			}
		}
		return nil
	})
}

// matchStaff finds the existing person an import record describes.
func matchStaff(existing []bot.Person, r roster.StaffRecord) (bot.Person, bool) {
	if r.StaffNo != "" {
		for _, p := range existing {
			if p.StaffNo == r.StaffNo {
				return p, true
			}
		}
	}
	var byName []bot.Person
	for _, p := range existing {
		if p.Name != r.Name {
			continue
		}
		if r.PhoneTail != "" && p.PhoneTail == r.PhoneTail {
			return p, true
		}
		byName = append(byName, p)
	}
	// The same name is the same person unless the phone numbers say
	// otherwise.
	if len(byName) == 1 && (r.PhoneTail == "" || byName[0].PhoneTail == "") && (r.StaffNo == "" || byName[0].StaffNo == "") {
		return byName[0], true
	}
	return bot.Person{}, false
}

func samePerson(a, b bot.Person) bool {
	return a.Name == b.Name && a.Title == b.Title && slices.Equal(a.Roles, b.Roles) &&
		a.PhoneTail == b.PhoneTail && a.StaffNo == b.StaffNo && a.Active == b.Active
}

// ImportStudents creates or updates the school's students, matched by
// student number, else by name within the class.
func (a *Admin) ImportStudents(ctx context.Context, schoolID int64, recs []roster.StudentRecord) (ImportReport, error) {
	return a.importInTx(ctx, schoolID, func(tx bot.Tx, units *unitCache, rep *ImportReport) error {
		existing, err := tx.Students(ctx, schoolID)
		if err != nil {
			return err
		}
		matched := map[int64]bool{}
		for _, r := range recs {
			parent, err := units.parent(ctx, r.Campus)
			if err != nil {
				return err
			}
			class, err := units.get(ctx, parent, bot.UnitClass, r.Class)
			if err != nil {
				return err
			}
			want := bot.Student{SchoolID: schoolID, ClassID: class.ID, Name: r.Name, StudentNo: r.StudentNo, Active: true}
			var found *bot.Student
			for i := range existing {
				s := &existing[i]
				if (r.StudentNo != "" && s.StudentNo == r.StudentNo) ||
					(s.Name == r.Name && s.ClassID == class.ID && (r.StudentNo == "" || s.StudentNo == "")) {
					found = s
					break
				}
			}
			switch {
			case found == nil:
				s, err := tx.CreateStudent(ctx, want)
				if err != nil {
					return err
				}
				matched[s.ID] = true
				rep.Created++
			case *found == bot.Student{ID: found.ID, SchoolID: schoolID, ClassID: class.ID, Name: r.Name, StudentNo: r.StudentNo, Active: true}:
				matched[found.ID] = true
				rep.Unchanged++
			default:
				want.ID = found.ID
				if err := tx.UpdateStudent(ctx, want); err != nil {
					return err
				}
				matched[found.ID] = true
				rep.Updated++
			}
		}
		for _, s := range existing {
			if !matched[s.ID] {
				rep.Missing = append(rep.Missing, s.Name)
			}
		}
		return nil
	})
}

// IssuedCode is one line of the list of bind codes to hand out.
type IssuedCode struct {
	Person bot.Person
	// Code is empty for staff already bound.
	Code    string
	Expires time.Time
	Bound   bool
	// WasBound says, from ResetBinding, that a binding was removed.
	WasBound bool
}

// BindCodes returns a bind code for every active staff member of the
// school who is not bound yet: the code issued earlier while it is unused
// and valid, else (or with renew) a new one valid for ttl.
func (a *Admin) BindCodes(ctx context.Context, schoolID int64, renew bool, ttl time.Duration) ([]IssuedCode, error) {
	if ttl <= 0 {
		ttl = bot.DefaultBindCodeTTL
	}
	var out []IssuedCode
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		out = nil
		now := a.now().UTC()
		staff, err := tx.Staff(ctx, schoolID, false)
		if err != nil {
			return err
		}
		for _, p := range staff {
			if _, err := tx.BindingOf(ctx, p.ID); err == nil {
				out = append(out, IssuedCode{Person: p, Bound: true})
				continue
			} else if !errors.Is(err, bot.ErrNotFound) {
				return err
			}
			if !renew {
				c, err := tx.BindCodeOf(ctx, p.ID)
				if err == nil && c.Used.IsZero() && now.Before(c.Expires) {
					if code, err := a.keys.Open(c.Sealed); err == nil {
						out = append(out, IssuedCode{Person: p, Code: string(code), Expires: c.Expires})
						continue
					}
				} else if err != nil && !errors.Is(err, bot.ErrNotFound) {
					return err
				}
			}
			ic, err := a.issueCode(ctx, tx, p, now, ttl)
			if err != nil {
				return err
			}
			out = append(out, ic)
		}
		return nil
	})
	return out, err
}

func (a *Admin) issueCode(ctx context.Context, tx bot.Tx, p bot.Person, now time.Time, ttl time.Duration) (IssuedCode, error) {
	for range 5 {
		code := bot.RandomCode(bot.BindCodeLen)
		c := bot.BindCode{PersonID: p.ID, Hash: a.keys.BindCodeHash(code), Sealed: a.keys.Seal([]byte(code)), Expires: now.Add(ttl), Created: now}
		err := tx.PutBindCode(ctx, c)
		if err == nil {
			return IssuedCode{Person: p, Code: code, Expires: c.Expires}, nil
		}
		if !errors.Is(err, bot.ErrConflict) {
			return IssuedCode{}, err
		}
	}
	return IssuedCode{}, fmt.Errorf("issue bind code: %w", bot.ErrConflict)
}

// ResetBinding unbinds the staff member of the school named who (a name or
// a staff number) and issues a new bind code, for a teacher who changed
// phones or lost their WeChat. It returns ErrNotFound if no one matches and
// ErrConflict if several do.
func (a *Admin) ResetBinding(ctx context.Context, schoolID int64, who string, ttl time.Duration) (IssuedCode, error) {
	if ttl <= 0 {
		ttl = bot.DefaultBindCodeTTL
	}
	var ic IssuedCode
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		p, err := findStaff(ctx, tx, schoolID, who, false)
		if err != nil {
			return err
		}
		_, err = tx.BindingOf(ctx, p.ID)
		switch {
		case err == nil:
			if err := tx.DeleteBinding(ctx, p.ID); err != nil {
				return err
			}
		case !errors.Is(err, bot.ErrNotFound):
			return err
		}
		wasBound := err == nil
		ic, err = a.issueCode(ctx, tx, p, a.now().UTC(), ttl)
		ic.WasBound = wasBound
		return err
	})
	if err == nil {
		chat.TouchBindingsVersion(ctx, a.state, a.log)
	}
	return ic, err
}

// Schools returns every school, ordered by ID.
func (a *Admin) Schools(ctx context.Context) ([]bot.OrgUnit, error) {
	var out []bot.OrgUnit
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		var err error
		out, err = tx.Units(ctx, bot.UnitSchool)
		return err
	})
	return out, err
}

// Settings returns a school's effective settings — its routes as they
// apply to its units — as indented JSON, or with template as the Chinese
// template of `minqing settings --template`.
func (a *Admin) Settings(ctx context.Context, schoolID int64, template bool) ([]byte, error) {
	var s chat.Settings
	err := a.store.Update(ctx, func(tx bot.Tx) error {
		units, err := tx.UnitsOfSchool(ctx, schoolID)
		if err != nil {
			return err
		}
		doc, err := tx.SchoolSettings(ctx, schoolID)
		switch {
		case errors.Is(err, bot.ErrNotFound):
			s = chat.DefaultSettings()
		case err != nil:
			return err
		default:
			if s, err = chat.ParseSettings(doc); err != nil {
				return err
			}
		}
		s = s.WithRoutes(units)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if template {
		return chat.Template(s), nil
	}
	return json.MarshalIndent(s, "", "  ")
}

// PutSettings checks and stores a school's settings document: it must
// parse, and its routes must name units of the school.
func (a *Admin) PutSettings(ctx context.Context, schoolID int64, doc []byte) error {
	s, err := chat.ParseSettings(doc)
	if err != nil {
		return err
	}
	return a.store.Update(ctx, func(tx bot.Tx) error {
		if _, err := tx.Unit(ctx, schoolID); err != nil {
			return err
		}
		units, err := tx.UnitsOfSchool(ctx, schoolID)
		if err != nil {
			return err
		}
		if err := s.CheckRoutes(units); err != nil {
			return err
		}
		if err := tx.PutSchoolSettings(ctx, schoolID, doc); err != nil {
			return err
		}
		return a.audit(ctx, tx, "settings", schoolID, settingsSummary(doc))
	})
}

// settingsSummary names the keys a settings document sets, for the audit
// trail.
func settingsSummary(doc []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(doc, &m) != nil {
		return ""
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "说明" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return fmt.Sprintf(textAuditSettings, strings.Join(keys, "、"))
}
