package bot

import (
	"context"
	"time"
)

// State is the short-lived state shared by all instances of the service:
// dialog state, dedup claims with their cached replies, rate counters, locks
// and small caches such as the WeChat access token. Everything in it expires.
//
// Implementations: storage/state.Redis (shared by every instance) and
// storage/state.Memory (one process, bounded). Keys are opaque to the
// implementation; callers never put an openid or message text in a key.
// Every method returns ErrUnavailable (wrapped) when the store cannot be
// reached, so that callers can degrade instead of failing the message.
type State interface {
	// Get returns the value stored under key, or ErrNotFound if there is
	// none or it has expired.
	Get(ctx context.Context, key string) ([]byte, error)
	// Set stores value under key for ttl (which must be positive),
	// replacing any earlier value.
	Set(ctx context.Context, key string, value []byte, ttl time.Duration) error
	// Delete removes key. Deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error

	// Claim marks key as being processed by the caller for ttl, unless
	// somebody claimed it first. It returns
	//   - claimed=true when the caller now holds the claim;
	//   - claimed=false, done=false while another holder is still working;
	//   - claimed=false, done=true and the stored result once Complete ran.
	// The result may be empty.
	Claim(ctx context.Context, key string, ttl time.Duration) (claimed, done bool, result []byte, err error)
	// Complete stores result for a claimed key for ttl; later Claims of the
	// key return it. Completing a key that is not claimed stores it anyway.
	Complete(ctx context.Context, key string, result []byte, ttl time.Duration) error
	// Release gives up an unfinished claim so that a retry may process the
	// key again. Releasing a completed key does nothing.
	Release(ctx context.Context, key string) error

	// Incr adds one to the counter under key and returns the new count. The
	// counter expires window after its first increment (a fixed window).
	Incr(ctx context.Context, key string, window time.Duration) (int64, error)

	// SetNX stores value under key for ttl unless the key already holds a
	// value (same namespace as Get and Set). It returns stored=true if it
	// stored value; otherwise the value already there.
	SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (stored bool, existing []byte, err error)

	// Schedule puts member in the queue named key, due at due (replacing
	// its due time if it is there already). The whole queue expires ttl
	// after the last Schedule.
	Schedule(ctx context.Context, key, member string, due time.Time, ttl time.Duration) error
	// DueMembers returns up to limit members of the queue due before the
	// given time, earliest first.
	DueMembers(ctx context.Context, key string, before time.Time, limit int) ([]string, error)
	// Unschedule removes member from the queue; a missing one is not an
	// error.
	Unschedule(ctx context.Context, key, member string) error

	// Lock takes the lock named key for ttl and returns a token for Unlock.
	// It returns ErrConflict if another holder has the lock.
	Lock(ctx context.Context, key string, ttl time.Duration) (token string, err error)
	// Unlock releases the lock if token still holds it; otherwise (expired,
	// taken over) it does nothing and returns nil.
	Unlock(ctx context.Context, key, token string) error

	// ClaimMessage does in one round trip what the start of every inbound
	// message needs: Claim(k.Claim, k.ClaimTTL); Incr(k.Rate, k.RateWindow)
	// unless k.Rate is empty; and Get of each of k.Get, whose values come
	// back in MessageClaim.Values in the same order (nil when missing).
	ClaimMessage(ctx context.Context, k MessageKeys) (MessageClaim, error)

	// Ping reports whether the store can be reached.
	Ping(ctx context.Context) error
}

// MessageKeys names what ClaimMessage claims, counts and reads.
type MessageKeys struct {
	Claim      string
	ClaimTTL   time.Duration
	Rate       string
	RateWindow time.Duration
	Get        []string
}

// MessageClaim is what ClaimMessage found: the claim as Claim reports it,
// the rate count (0 when not counted) and the values read.
type MessageClaim struct {
	Claimed bool
	Done    bool
	Result  []byte
	Count   int64
	Values  [][]byte
}
