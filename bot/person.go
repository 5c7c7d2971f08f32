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
	// SchoolID is the school the unit belongs to: the unit itself for a
	// school, 0 for a bureau.
	SchoolID int64
	Kind     UnitKind
	Name     string
	// Code is a short code of a school, for QR codes and links; may be empty.
	Code string
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

// Person is a member of staff known by name. Parents are never persons:
// they stay anonymous.
type Person struct {
	ID int64
	// SchoolID is the unit of kind school the person belongs to — or of
	// kind bureau for the bureau's own staff.
	SchoolID int64
	// School is the name of that unit, filled in by reads.
	School string
	Name   string
	// Title is the job title as the import file gave it (职务).
	Title     string
	Roles     []Role
	PhoneTail string
	StaffNo   string
	Active    bool
	Created   time.Time
}

// BindCode is a staff member's one-time code to link their WeChat.
type BindCode struct {
	PersonID int64
	// Hash is the keyed hash of the code, by which it is looked up.
	Hash string
	// Sealed is the code encrypted with the server secret, so that the list
	// of codes can be printed again.
	Sealed  []byte
	Expires time.Time
	Used    time.Time // zero while unused
	Created time.Time
}

// Binding links a staff member to a WeChat user. It is the only place an
// openid is kept in clear.
type Binding struct {
	PersonID int64
	OpenID   string
	// Active is false while the user has unsubscribed from the account.
	Active  bool
	BoundAt time.Time
}

// Student is a pupil of a class, named in home-visit logs.
type Student struct {
	ID        int64
	SchoolID  int64
	ClassID   int64
	Name      string
	StudentNo string
	Active    bool
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

const (
	// BindCodeLen is the length of a bind code (40 bits from RandomCode's
	// alphabet).
	BindCodeLen = 8
	// DefaultBindCodeTTL is how long a bind code stays valid.
	DefaultBindCodeTTL = 30 * 24 * time.Hour
)
