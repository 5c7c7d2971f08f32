package bot

import (
	"context"
	"time"
)

// What the weekly digest reads of the ledger: compact rows and counts,
// never the opinions' text (the export reads that), so that one school's
// digest is a handful of indexed queries.

// DigestOpinion is an opinion as the digest counts it.
type DigestOpinion struct {
	ID             int64
	SchoolID       int64
	Code           string
	Category       Category
	Source         string
	UnitID         int64
	AssignedUnitID int64
	Status         OpinionStatus
	Due            time.Time // calendar date at midnight UTC; zero when none
	AnsweredAt     time.Time
	Rating         string
	RatedAt        time.Time
	Created        time.Time
	Updated        time.Time
	// Sender tells senders apart, to count them for k-anonymity:
	// "staff:<id>" of the recorder of a home-visit opinion; for an
	// anonymous opinion, which nothing links to its sender, the opinion
	// itself ("opinion:<id>"), so that every opinion counts as one sender
	// (an upper bound). It is never shown.
	Sender string
}

// DigestEvent is one step of an opinion, without its note or actor.
type DigestEvent struct {
	OpinionID int64
	Kind      string
	At        time.Time
}

// DigestDue counts, per school and category, the opinions due in a
// period: how many, how many answered by the end of their due day, and how
// many are closed.
type DigestDue struct {
	SchoolID       int64
	Category       Category
	Due            int
	AnsweredInTime int
	Closed         int
}

// DigestRating counts, per school, category and rating, the opinions
// rated in a period.
type DigestRating struct {
	SchoolID int64
	Category Category
	Rating   string
	Count    int
}

// DigestTx holds the read-only aggregate queries of the weekly digest and
// the ledger export.
type DigestTx interface {
	// DigestCreated returns the opinions of the schools made in
	// [from, to), school by school, oldest first.
	DigestCreated(ctx context.Context, schoolIDs []int64, from, to time.Time) ([]DigestOpinion, error)
	// DigestActive returns the opinions of the schools that are open now or
	// were updated at or after since, and every event of those opinions,
	// oldest first: enough to tell each one's state at any time after since.
	DigestActive(ctx context.Context, schoolIDs []int64, since time.Time) ([]DigestOpinion, []DigestEvent, error)
	// DigestDue counts the opinions of the schools due on the days
	// [from, to) (dates at midnight UTC). An answer is in time before
	// dayEnd after the due date's midnight (24h less the school's UTC
	// offset: the end of the due day in the school's zone, in UTC).
	DigestDue(ctx context.Context, schoolIDs []int64, from, to time.Time, dayEnd time.Duration) ([]DigestDue, error)
	// DigestRatings counts the opinions of the schools rated in [from, to).
	DigestRatings(ctx context.Context, schoolIDs []int64, from, to time.Time) ([]DigestRating, error)
	// ExportOpinions returns the whole opinions of a school made in
	// [from, to), oldest first, for the ledger export.
	ExportOpinions(ctx context.Context, schoolID int64, from, to time.Time) ([]Opinion, error)
}
