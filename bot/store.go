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
}
