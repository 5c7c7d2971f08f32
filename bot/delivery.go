package bot

import (
	"context"
	"time"
)

// Delivery is one scheduled message to one person for one period — a study
// reminder for a school week, a weekly digest — recorded so that it is sent
// once across instances and retried a bounded number of times.
type Delivery struct {
	Kind     string // e.g. "study_reminder", "digest"
	PersonID int64
	Period   string // e.g. "2026-W47"
	Status   DeliveryStatus
	Attempts int
	Channel  string // "kf" (customer-service), "template", or "" when none
	Error    string // why the last attempt failed, without personal data
	Created  time.Time
	Updated  time.Time
}

// DeliveryStatus is where a delivery is: being sent, sent, failed (and
// retried), or not deliverable at all.
type DeliveryStatus string

// The statuses of a delivery.
const (
	DeliverySending       DeliveryStatus = "sending" // claimed; Updated is the claim time
	DeliverySent          DeliveryStatus = "sent"
	DeliveryFailed        DeliveryStatus = "failed"        // retried while Attempts < the caller's max
	DeliveryUndeliverable DeliveryStatus = "undeliverable" // no channel reaches the person; not retried
)

// DeliveryTx reads and writes the sent log of scheduled deliveries.
type DeliveryTx interface {
	// ClaimDelivery takes the delivery of kind to person for period for the caller, atomically across
	// instances: it creates the record (status sending, 1 attempt), or moves a failed record — or one left
	// sending before staleBefore by an instance that died — back to sending with one more attempt, provided
	// Attempts < max, and returns it with claimed=true. Otherwise (sent, undeliverable, being sent by another
	// instance, out of attempts) it returns the record with claimed=false.
	ClaimDelivery(ctx context.Context, kind string, personID int64, period string, now, staleBefore time.Time, max int) (d Delivery, claimed bool, err error)
	// FinishDelivery records the outcome of a claimed delivery (Status, Channel, Error, Updated).
	// It returns ErrNotFound if there is no such record.
	FinishDelivery(ctx context.Context, d Delivery) error
	// Deliveries returns every record of kind for period, ordered by person.
	Deliveries(ctx context.Context, kind, period string) ([]Delivery, error)
}
