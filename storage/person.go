package storage

import (
	"context"
	"strings"
	"time"

	"minqing/bot"
)

// personRow is a row of people as selected by personColumns.
type personRow struct {
	ID        int64     `db:"id"`
	SchoolID  int64     `db:"school_id"`
	School    string    `db:"school"`
	Name      string    `db:"name"`
	Title     string    `db:"title"`
	Roles     string    `db:"roles"`
	PhoneTail string    `db:"phone_tail"`
	StaffNo   string    `db:"staff_no"`
	Active    bool      `db:"active"`
	CreatedAt time.Time `db:"created_at"`
}

// personColumns select a personRow from people p joined with their school u.
const personColumns = `p.id, p.school_id, u.name AS school, p.name, p.title, p.roles, p.phone_tail, p.staff_no, p.active, p.created_at`

const personFrom = ` FROM people p JOIN org_units u ON u.id = p.school_id `

func (r personRow) person() bot.Person {
	p := bot.Person{
		ID: r.ID, SchoolID: r.SchoolID, School: r.School, Name: r.Name, Title: r.Title,
		PhoneTail: r.PhoneTail, StaffNo: r.StaffNo, Active: r.Active, Created: r.CreatedAt.UTC(),
	}
	for _, s := range strings.Split(r.Roles, ",") {
		if s = strings.TrimSpace(s); s != "" {
			p.Roles = append(p.Roles, bot.Role(s))
		}
	}
	return p
}

func joinRoles(rs []bot.Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ",")
}

// PersonByOpenID implements bot.Tx.
func (t *tx) PersonByOpenID(ctx context.Context, openid string) (bot.Person, error) {
	var r personRow
	err := t.tx.GetContext(t.ctx(ctx), &r, `
		SELECT `+personColumns+personFrom+`
		JOIN wechat_bindings b ON b.person_id = p.id
		WHERE b.openid = ? AND b.active = TRUE AND p.active = TRUE`, openid)
	if err != nil {
		return bot.Person{}, t.db.translate("person by openid", err)
	}
	return r.person(), nil
}

// Person implements bot.PeopleTx.
func (t *tx) Person(ctx context.Context, id int64) (bot.Person, error) {
	var r personRow
	if err := t.tx.GetContext(t.ctx(ctx), &r, `SELECT `+personColumns+personFrom+` WHERE p.id = ?`, id); err != nil {
		return bot.Person{}, t.db.translate("person", err)
	}
	return r.person(), nil
}

// Staff implements bot.PeopleTx.
func (t *tx) Staff(ctx context.Context, schoolID int64, all bool) ([]bot.Person, error) {
	q := `SELECT ` + personColumns + personFrom + ` WHERE p.school_id = ?`
	if !all {
		q += ` AND p.active = TRUE`
	}
	var rows []personRow
	if err := t.tx.SelectContext(t.ctx(ctx), &rows, q+` ORDER BY p.id`, schoolID); err != nil {
		return nil, t.db.translate("staff", err)
	}
	out := make([]bot.Person, len(rows))
	for i, r := range rows {
		out[i] = r.person()
	}
	return out, nil
}

// CreatePerson implements bot.PeopleTx.
func (t *tx) CreatePerson(ctx context.Context, p bot.Person) (bot.Person, error) {
	now := t.db.now().UTC()
	err := t.insert(ctx, &p.ID, "create person", `
		INSERT INTO people (school_id, name, roles, title, phone_tail, staff_no, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.SchoolID, p.Name, joinRoles(p.Roles), p.Title, p.PhoneTail, p.StaffNo, p.Active, now, now)
	if err != nil {
		return p, err
	}
	p.Created = now
	return p, nil
}

// UpdatePerson implements bot.PeopleTx.
func (t *tx) UpdatePerson(ctx context.Context, p bot.Person) error {
	res, err := t.tx.ExecContext(t.ctx(ctx), `
		UPDATE people SET name = ?, roles = ?, title = ?, phone_tail = ?, staff_no = ?, active = ?, updated_at = ?
		WHERE id = ?`,
		p.Name, joinRoles(p.Roles), p.Title, p.PhoneTail, p.StaffNo, p.Active, t.db.now().UTC(), p.ID)
	return t.db.mustAffect("update person", res, err)
}

// PersonUnits implements bot.PeopleTx.
func (t *tx) PersonUnits(ctx context.Context, personID int64) ([]int64, error) {
	var ids []int64
	if err := t.tx.SelectContext(t.ctx(ctx), &ids, `SELECT unit_id FROM person_units WHERE person_id = ? ORDER BY unit_id`, personID); err != nil {
		return nil, t.db.translate("person units", err)
	}
	return ids, nil
}

// SetPersonUnits implements bot.PeopleTx: it deletes the person's other
// units and inserts the missing ones, leaving the rows that stay untouched
// (no DELETE of everything then INSERT; see upsert.go).
func (t *tx) SetPersonUnits(ctx context.Context, personID int64, unitIDs []int64) error {
	ids := make([]any, 0, len(unitIDs))
	seen := map[int64]bool{}
	for _, u := range unitIDs {
		if !seen[u] {
			seen[u] = true
			ids = append(ids, u)
		}
	}
	del := `DELETE FROM person_units WHERE person_id = ?`
	if len(ids) > 0 {
		del += ` AND unit_id NOT IN (?` + strings.Repeat(`, ?`, len(ids)-1) + `)`
	}
	if _, err := t.tx.ExecContext(t.ctx(ctx), del, append([]any{personID}, ids...)...); err != nil {
		return t.db.translate("set person units", err)
	}
	if len(ids) == 0 {
		return nil
	}
	var q strings.Builder
	q.WriteString(`INSERT INTO person_units (person_id, unit_id) VALUES `)
	args := make([]any, 0, 2*len(ids))
	for i, u := range ids {
		if i > 0 {
			q.WriteString(`, `)
		}
		q.WriteString(`(?, ?)`)
		args = append(args, personID, u)
	}
	q.WriteString(t.db.byDialect(` ON DUPLICATE KEY UPDATE unit_id = unit_id`, ` ON CONFLICT (person_id, unit_id) DO NOTHING`))
	if _, err := t.tx.ExecContext(t.ctx(ctx), q.String(), args...); err != nil {
		return t.db.translate("set person units", err)
	}
	return nil
}

// BoundOpenIDs implements bot.Store.
func (d *DB) BoundOpenIDs(ctx context.Context) ([]string, error) {
	var out []string
	if err := d.db.SelectContext(ctx, &out, `SELECT openid FROM wechat_bindings WHERE active = TRUE`); err != nil {
		return nil, d.translate("bound openids", err)
	}
	return out, nil
}

type studentRow struct {
	ID        int64  `db:"id"`
	SchoolID  int64  `db:"school_id"`
	ClassID   int64  `db:"class_id"`
	Name      string `db:"name"`
	StudentNo string `db:"student_no"`
	Active    bool   `db:"active"`
}

// Students implements bot.PeopleTx.
func (t *tx) Students(ctx context.Context, schoolID int64) ([]bot.Student, error) {
	var rows []studentRow
	err := t.tx.SelectContext(t.ctx(ctx), &rows, `
		SELECT id, school_id, class_id, name, student_no, active FROM students
		WHERE school_id = ? AND active = TRUE ORDER BY id`, schoolID)
	if err != nil {
		return nil, t.db.translate("students", err)
	}
	out := make([]bot.Student, len(rows))
	for i, r := range rows {
		out[i] = bot.Student(r)
	}
	return out, nil
}

// CreateStudent implements bot.PeopleTx.
func (t *tx) CreateStudent(ctx context.Context, s bot.Student) (bot.Student, error) {
	now := t.db.now().UTC()
	err := t.insert(ctx, &s.ID, "create student", `
		INSERT INTO students (school_id, class_id, name, student_no, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, s.SchoolID, s.ClassID, s.Name, s.StudentNo, s.Active, now, now)
	return s, err
}

// UpdateStudent implements bot.PeopleTx.
func (t *tx) UpdateStudent(ctx context.Context, s bot.Student) error {
	res, err := t.tx.ExecContext(t.ctx(ctx), `
		UPDATE students SET class_id = ?, name = ?, student_no = ?, active = ?, updated_at = ? WHERE id = ?`,
		s.ClassID, s.Name, s.StudentNo, s.Active, t.db.now().UTC(), s.ID)
	return t.db.mustAffect("update student", res, err)
}
