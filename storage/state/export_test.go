package state

import "time"

// OpenRedisLimited is OpenRedis with a pipeliner of at most maxFlushers
// flushers, flushers of them serving the queue unless stalled for stall.
// Tests use it to keep a call queued.
func OpenRedisLimited(rawURL string, opts RedisOptions, flushers, maxFlushers int, stall time.Duration) (*Redis, error) {
	return openRedis(rawURL, opts, pipelineLimits{flushers: flushers, maxFlushers: maxFlushers, stall: stall})
}

// CounterKey returns the Redis key of Incr's counter key.
func CounterKey(r *Redis, key string) string { return r.key(nsCount, key) }

// ScriptSHAs are the digests of the scripts Redis runs.
var ScriptSHAs = []string{claimSHA, deleteIfEqualSHA, incrSHA}
