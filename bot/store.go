package bot

import (
	"context"
	"time"
)

// Store is the durable data of the service. The implementation (package
// storage) speaks MySQL in production and SQLite on the embedded default.
//
// Everything one inbound message changes happens inside one Update, together
// with the record that the message was processed, so that a message is
// handled exactly once even if the state store forgets its dedup claims.
type Store interface {
	// Update runs fn in one transaction and commits it if fn returns nil.
	// fn may be called more than once when the database asks for a retry
	// (deadlock, busy); it must only touch the database through tx.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// ProcessedReply returns the reply recorded with a processed message's
	// dedup key, or ErrNotFound if no such message was processed.
	ProcessedReply(ctx context.Context, key string) ([]byte, error)
	// PurgeProcessed deletes the processed-message records made before the
	// given time and returns how many it deleted.
	PurgeProcessed(ctx context.Context, before time.Time) (int64, error)
	// BoundOpenIDs returns the openids of every active WeChat binding.
	BoundOpenIDs(ctx context.Context) ([]string, error)
	// Ping reports whether the database can be reached.
	Ping(ctx context.Context) error
}

// Tx is the view of the store inside one transaction.
type Tx interface {
	// RecordProcessed records that the message with the given dedup key was
	// processed, with the reply it got. It returns ErrConflict if the key was
	// already recorded: the caller must roll back and use the recorded reply.
	RecordProcessed(ctx context.Context, key string, reply []byte, at time.Time) error

	// PersonByOpenID returns the person whose active WeChat binding is
	// openid, or ErrNotFound if the sender is not bound staff.
	PersonByOpenID(ctx context.Context, openid string) (Person, error)

	OrgTx
	PeopleTx
	BindingTx
	OpinionTx
	DeliveryTx
	DigestTx
	CheckinTx
	VisitTx
	AdminTx
}

// OrgTx reads and writes the organisation tree.
type OrgTx interface {
	// Unit returns the unit with the given ID, or ErrNotFound.
	Unit(ctx context.Context, id int64) (OrgUnit, error)
	// UnitByName returns the unit of the kind and name under parent (0 for
	// the roots), or ErrNotFound.
	UnitByName(ctx context.Context, parentID int64, kind UnitKind, name string) (OrgUnit, error)
	// UnitByCode returns the unit with the given code, or ErrNotFound.
	UnitByCode(ctx context.Context, code string) (OrgUnit, error)
	// CreateUnit adds a unit and returns it with its ID; for a school,
	// SchoolID is set to the new ID. It returns ErrConflict if the parent
	// already has a unit of that kind and name, or the code is taken.
	CreateUnit(ctx context.Context, u OrgUnit) (OrgUnit, error)
	// Units returns the units of the given kinds (all kinds when none),
	// ordered by ID.
	Units(ctx context.Context, kinds ...UnitKind) ([]OrgUnit, error)
	// UnitsOfSchool returns every unit belonging to the school, the school
	// included, ordered by ID.
	UnitsOfSchool(ctx context.Context, schoolID int64) ([]OrgUnit, error)
}

// PeopleTx reads and writes staff and students.
type PeopleTx interface {
	// Person returns the person with the given ID, or ErrNotFound.
	Person(ctx context.Context, id int64) (Person, error)
	// Staff returns the people of a school (or bureau), ordered by ID;
	// inactive ones too when all is true.
	Staff(ctx context.Context, schoolID int64, all bool) ([]Person, error)
	// CreatePerson adds a person and returns it with its ID.
	CreatePerson(ctx context.Context, p Person) (Person, error)
	// UpdatePerson saves every field of p but ID, SchoolID and Created.
	// It returns ErrNotFound if there is no such person.
	UpdatePerson(ctx context.Context, p Person) error
	// PersonUnits returns the IDs of the units a person works in.
	PersonUnits(ctx context.Context, personID int64) ([]int64, error)
	// SetPersonUnits replaces the units a person works in.
	SetPersonUnits(ctx context.Context, personID int64, unitIDs []int64) error

	// Students returns the active students of a school, ordered by ID.
	Students(ctx context.Context, schoolID int64) ([]Student, error)
	// CreateStudent adds a student and returns it with its ID.
	CreateStudent(ctx context.Context, s Student) (Student, error)
	// UpdateStudent saves every field of s but ID and SchoolID; ErrNotFound
	// if there is no such student.
	UpdateStudent(ctx context.Context, s Student) error
}

// BindingTx reads and writes bind codes and WeChat bindings.
type BindingTx interface {
	// PutBindCode stores c as the person's bind code, replacing any
	// earlier one. It returns ErrConflict if the hash is taken.
	PutBindCode(ctx context.Context, c BindCode) error
	// BindCodeByHash returns the code with the given hash, or ErrNotFound.
	BindCodeByHash(ctx context.Context, hash string) (BindCode, error)
	// BindCodeOf returns the person's bind code, or ErrNotFound.
	BindCodeOf(ctx context.Context, personID int64) (BindCode, error)
	// MarkBindCodeUsed records that the person's code was used. It returns
	// ErrNotFound if the person has no code.
	MarkBindCodeUsed(ctx context.Context, personID int64, at time.Time) error

	// BindingOf returns the person's binding, active or not, or ErrNotFound.
	BindingOf(ctx context.Context, personID int64) (Binding, error)
	// BindingByOpenID returns the binding of openid, active or not, or
	// ErrNotFound.
	BindingByOpenID(ctx context.Context, openid string) (Binding, error)
	// PutBinding binds b.OpenID to b.PersonID, replacing the person's
	// earlier binding. It returns ErrConflict if the openid is bound to
	// somebody else.
	PutBinding(ctx context.Context, b Binding) error
	// DeleteBinding removes the person's binding; no binding is not an error.
	DeleteBinding(ctx context.Context, personID int64) error
	// SetBindingActive marks the binding of openid active or inactive
	// (unsubscribed). It returns ErrNotFound if openid is not bound.
	SetBindingActive(ctx context.Context, openid string, active bool, at time.Time) error
}

// AdminTx is what the administration commands change beyond imports:
// correcting schools and people, and the audit trail of such changes.
type AdminTx interface {
	// RenameUnit renames a unit; ErrNotFound if there is none, ErrConflict
	// if a sibling already has the name.
	RenameUnit(ctx context.Context, id int64, name string) error
	// MergeSchool moves everything of school from — units, people,
	// students, opinions, visits, study records — into school into and deletes from. A
	// unit of from whose kind and name exist at the same place in into is
	// merged with it.
	MergeSchool(ctx context.Context, from, into int64) error
	// MergePerson folds person from into person into (the same person
	// imported twice): units are joined, from's ledger records become
	// into's, from's binding moves to into if into has none, and from is
	// deleted.
	MergePerson(ctx context.Context, from, into int64) error
	// DeleteSchool deletes a school and everything that belongs to it.
	DeleteSchool(ctx context.Context, id int64) error
	// DeletePerson deletes a person with their binding, bind code and
	// units. It returns ErrConflict if the person acted on or recorded an
	// opinion, or has visits, observations or talks on record (deactivate
	// them instead), ErrNotFound if there is none.
	DeletePerson(ctx context.Context, id int64) error
	// AddAudit records an administrative change.
	AddAudit(ctx context.Context, e AuditEntry) error
	// AuditTrail returns the newest entries first, at most limit.
	AuditTrail(ctx context.Context, limit int) ([]AuditEntry, error)
}

// AuditEntry is one administrative change: what was done, to what, when.
type AuditEntry struct {
	ID       int64
	At       time.Time
	Command  string // e.g. "schools rename"
	SchoolID int64  // the school concerned, 0 for none; not a reference (the school may be gone)
	Detail   string // what changed, for the administrator
}
