// Package state implements bot.State, the short-lived state shared by the
// instances of the service: dialog state, dedup claims, rate counters, locks
// and small caches.
//
// Two implementations pass the same conformance suite:
//
//   - Redis, over a go-redis UniversalClient (single node, Sentinel or
//     Cluster), for deployments with more than one instance;
//   - Memory, in-process and bounded, for the embedded single-instance
//     default.
//
// Both keep five separate namespaces: values (Get/Set/SetNX/Delete), claims
// (Claim/Complete/Release), counters (Incr), locks (Lock/Unlock) and queues
// (Schedule/DueMembers/Unschedule). The same
// key may be used in each without interference. Neither implementation logs
// keys or values.
package state

import (
	"fmt"
	"time"

	"minqing/bot"
)

// Namespaces, prepended to every key (after the Redis prefix).
const (
	nsValue = "v:"
	nsClaim = "c:"
	nsCount = "n:"
	nsLock  = "l:"
	nsQueue = "q:"
	nsOnce  = "o:"
)

// Stored forms of a claim: a pending marker, or doneMark followed by the
// result, so that an empty result is distinct from "pending".
const (
	pendingMark = "p"
	doneMark    = "d"
)

// checkTTL returns an error wrapping bot.ErrInvalid unless ttl is positive.
func checkTTL(op string, ttl time.Duration) error {
	if ttl <= 0 {
		return fmt.Errorf("state: %s: ttl %v is not positive: %w", op, ttl, bot.ErrInvalid)
	}
	return nil
}
