package bot

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// OpinionStatus is where an opinion is in the ledger.
type OpinionStatus string

// The states of an opinion. received → assigned → processing → answered →
// closed; received or assigned → rejected or merged; received → withdrawn
// by its sender.
const (
	StatusReceived   OpinionStatus = "received"   // 待受理
	StatusAssigned   OpinionStatus = "assigned"   // 已交办
	StatusProcessing OpinionStatus = "processing" // 办理中
	StatusAnswered   OpinionStatus = "answered"   // 已答复
	StatusClosed     OpinionStatus = "closed"     // 已办结
	StatusRejected   OpinionStatus = "rejected"   // 不予受理
	StatusMerged     OpinionStatus = "merged"     // 重复（并入另一条）
	StatusWithdrawn  OpinionStatus = "withdrawn"  // 已撤回
)

// OpenStatuses are the statuses of opinions still waiting for the school.
var OpenStatuses = []OpinionStatus{StatusReceived, StatusAssigned, StatusProcessing}

// Opinion sources.
const (
	SourceText      = "text"       // typed in chat
	SourceVoice     = "voice"      // a voice message, as WeChat recognised it
	SourceMenu      = "menu"       // the 我要建议 flow
	SourceHomeVisit = "home_visit" // recorded by a teacher during a home visit
)

// Opinion is one entry of the ledger. An anonymous opinion holds nothing
// of its sender; the receipt (Receipt) is the only link back.
type Opinion struct {
	ID       int64
	SchoolID int64
	// Code is the receipt code the sender got, XXXX-XXXX.
	Code     string
	Category Category
	// UnitID is a unit the text names (教务处, 三年级…), 0 if none.
	UnitID   int64
	Text     string
	TextHash string
	Source   string
	// Anonymous is false for opinions recorded by staff (home visits).
	Anonymous  bool
	RecorderID int64
	Status     OpinionStatus
	// AssignedUnitID is the unit responsible since 交办.
	AssignedUnitID int64
	// Due is the date (midnight UTC of the school's calendar day) by which
	// the assigned unit should answer; zero when not assigned.
	Due time.Time
	// Answer is the school's answer, or the reason of a rejection.
	Answer     string
	AnsweredAt time.Time
	// Rating is the sender's satisfaction with the answer: satisfied,
	// basic or unsatisfied; empty until rated.
	Rating     string
	RatedAt    time.Time
	MergedInto int64
	Created    time.Time
	Updated    time.Time
}

// OpinionEvent is one step of an opinion through the ledger.
type OpinionEvent struct {
	ID        int64
	OpinionID int64
	Kind      string // received, assigned, processing, answered, closed, rejected, merged, withdrawn, recategorized, rated, pushed, push_failed
	// ActorID is the staff member who acted, 0 for the anonymous sender
	// and the system.
	ActorID int64
	Note    string
	At      time.Time
}

// Receipt links an anonymous opinion to its sender, for as long as it
// lives: a keyed hash of the openid and the openid sealed with the server
// secret. No page, export, log line or command shows it.
type Receipt struct {
	OpinionID    int64
	SenderHash   string
	SealedOpenID []byte
	Expires      time.Time
	Created      time.Time
}

// Draft is an opinion being gathered through the 我要建议 flow.
type Draft struct {
	SenderHash   string
	SchoolID     int64
	SealedOpenID []byte
	Parts        []string
	Source       string
	Started      time.Time
	// Deadline is when the draft is submitted if the sender stays silent.
	Deadline time.Time
}

// LedgerQuery selects opinions for the ledger.
type LedgerQuery struct {
	SchoolIDs []int64
	Statuses  []OpinionStatus
	// Categories, when not empty, keeps only these categories;
	// ExceptCategories drops those.
	Categories       []Category
	ExceptCategories []Category
	// Supervised adds the leadership opinions of these schools (a
	// supervisor's share of the ledger), listed after those SchoolIDs and
	// the categories select.
	Supervised []int64
	// Today orders opinions overdue on Today first.
	Today  time.Time
	Offset int
	// Limit is the page size; 20 when not positive.
	Limit int
}

// LedgerEntry is an opinion on a page of the ledger, with the names of the
// unit its text names and of the unit it is assigned to ("" for none).
type LedgerEntry struct {
	Opinion
	UnitName         string
	AssignedUnitName string
}

// OpinionTx reads and writes the ledger.
type OpinionTx interface {
	// CreateOpinion adds an opinion and returns it with its ID. It returns
	// ErrConflict if the code is taken.
	CreateOpinion(ctx context.Context, o Opinion) (Opinion, error)
	// UpdateOpinion saves the mutable fields of o (status, category, unit,
	// assignment, due date, answer, rating, merge) and Updated. It returns
	// ErrNotFound if there is no such opinion.
	UpdateOpinion(ctx context.Context, o Opinion) error
	// Opinion returns the opinion with the given ID, or ErrNotFound.
	Opinion(ctx context.Context, id int64) (Opinion, error)
	// OpinionByCode returns the opinion with the given receipt code, or
	// ErrNotFound.
	OpinionByCode(ctx context.Context, code string) (Opinion, error)
	// AddOpinionEvent records a step of an opinion.
	AddOpinionEvent(ctx context.Context, e OpinionEvent) error
	// OpinionEvents returns an opinion's steps, oldest first.
	OpinionEvents(ctx context.Context, opinionID int64) ([]OpinionEvent, error)
	// Ledger returns one page of the opinions q selects — those of
	// SchoolIDs and the categories, then the leadership opinions of
	// Supervised; within each part overdue first, then oldest first — with
	// their units' names, and how many match in all. It is one statement
	// (two when the page is past the end, to count), so that 台帐 costs one.
	// No school in q selects nothing.
	Ledger(ctx context.Context, q LedgerQuery) ([]LedgerEntry, int, error)

	// PutReceipt stores an opinion's receipt.
	PutReceipt(ctx context.Context, r Receipt) error
	// Receipt returns an opinion's receipt, or ErrNotFound (expired, purged,
	// or the opinion was not anonymous).
	Receipt(ctx context.Context, opinionID int64) (Receipt, error)
	// SenderOpinions returns the opinions whose receipts carry senderHash,
	// made since the given time, newest first.
	SenderOpinions(ctx context.Context, senderHash string, since time.Time) ([]Opinion, error)

	// PutDraft stores the sender's draft, replacing an earlier one.
	PutDraft(ctx context.Context, d Draft) error
	// Draft returns the sender's draft, or ErrNotFound.
	Draft(ctx context.Context, senderHash string) (Draft, error)
	// DeleteDraft removes the sender's draft; none is not an error.
	DeleteDraft(ctx context.Context, senderHash string) error

	// SchoolSettings returns a school's settings document, or ErrNotFound.
	SchoolSettings(ctx context.Context, schoolID int64) ([]byte, error)
	// PutSchoolSettings stores a school's settings document.
	PutSchoolSettings(ctx context.Context, schoolID int64, doc []byte) error
}

// transitions is the lifecycle of an opinion: from each status, the
// statuses it may move to.
var transitions = map[OpinionStatus][]OpinionStatus{
	StatusReceived:   {StatusAssigned, StatusRejected, StatusMerged, StatusWithdrawn},
	StatusAssigned:   {StatusAssigned, StatusProcessing, StatusAnswered, StatusRejected, StatusMerged},
	StatusProcessing: {StatusAssigned, StatusAnswered},
	StatusAnswered:   {StatusClosed, StatusProcessing},
}

// ErrTransition means the lifecycle does not allow the move.
var ErrTransition = fmt.Errorf("transition not allowed: %w", ErrConflict)

// Transition moves o to status to, or returns ErrTransition.
func Transition(o *Opinion, to OpinionStatus) error {
	for _, s := range transitions[o.Status] {
		if s == to {
			o.Status = to
			return nil
		}
	}
	return ErrTransition
}

// CreateWithCode stores o under a fresh receipt code.
func CreateWithCode(ctx context.Context, tx OpinionTx, o Opinion) (Opinion, error) {
	for range 5 {
		c := RandomCode(8)
		o.Code = c[:4] + "-" + c[4:]
		created, err := tx.CreateOpinion(ctx, o)
		if !errors.Is(err, ErrConflict) {
			return created, err
		}
	}
	return o, fmt.Errorf("create opinion: no free receipt code: %w", ErrConflict)
}

// TextHash identifies an opinion's text regardless of spacing and
// punctuation, to merge repeats.
func TextHash(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:16])
}
