package bot

import "time"

// UnitKind is the level of an organisational unit.
type UnitKind string

// The levels of the organisation: a bureau above schools; a school with
// campuses or branch schools (完小), departments (处室), grades and classes.
const (
	UnitBureau     UnitKind = "bureau"
	UnitSchool     UnitKind = "school"
	UnitCampus     UnitKind = "campus"
	UnitDepartment UnitKind = "department"
	UnitGrade      UnitKind = "grade"
	UnitClass      UnitKind = "class"
)

// OrgUnit is one unit of the organisation tree.
type OrgUnit struct {
	ID       int64
	ParentID int64 // 0 for a root
	Kind     UnitKind
	Name     string
}

// Role is what a staff member may do.
type Role string

// The roles of staff.
const (
	RoleTeacher        Role = "teacher"
	RolePartyMember    Role = "party_member"
	RoleMiddleLeader   Role = "middle_leader"
	RoleSchoolLeader   Role = "school_leader"
	RolePartySecretary Role = "party_secretary"
	RoleDiscipline     Role = "discipline"
	RoleAdmin          Role = "admin"
)

// Person is a member of staff (or, later, a student) known by name.
// Parents are never persons: they stay anonymous.
type Person struct {
	ID       int64
	SchoolID int64 // the OrgUnit of kind school (or bureau) the person belongs to
	Name     string
	Roles    []Role
	Created  time.Time
}

// Has reports whether p has role r.
func (p Person) Has(r Role) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}
