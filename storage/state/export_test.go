package state

import "time"

// OpenRedisLimited is OpenRedis with a pipeliner of at most maxFlushers
// flushers, flushers of them serving the queue unless stalled for stall.
// Tests use it to keep a call queued.
func OpenRedisLimited(rawURL string, opts RedisOptions, flushers, maxFlushers int, stall time.Duration) (*Redis, error) {
	return openRedis(rawURL, opts, pipelineLimits{flushers: flushers, maxFlushers: maxFlushers, stall: stall})
}

// ClaimKey returns the Redis key of Claim's key.
func ClaimKey(r *Redis, key string) string { return r.key(nsClaim, key) }

// CounterKey returns the Redis key of Incr's key.
func CounterKey(r *Redis, key string) string { return r.key(nsCount, key) }

// ReleaseSHA is the digest of the script Release runs (Claim and Incr
// are plain commands).
var ReleaseSHA = deleteIfEqualSHA

// ValueKey returns the Redis key of Get's and Set's key.
func ValueKey(r *Redis, key string) string { return r.key(nsValue, key) }
