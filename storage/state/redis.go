package state

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"minqing/bot"
)

// DefaultPrefix is the key prefix OpenRedis uses when RedisOptions.Prefix is
// empty.
const DefaultPrefix = "minqing:"

// Client timeouts, tuned for a webhook that must answer WeChat within 5 s
// even when Redis is down. A refused connection fails at once; a server that
// accepts but does not answer, or a host that drops packets, fails a call
// after about 1 s, the budget of a pipeline's round trip (the larger of
// DialTimeout and ReadTimeout+WriteTimeout, see roundTripBudget); a caller's
// context deadline cuts any of these short. Query parameters of the URL
// (dial_timeout=…, max_retries=…) override them.
const (
	redisDialTimeout   = 1 * time.Second
	redisReadTimeout   = 500 * time.Millisecond
	redisWriteTimeout  = 500 * time.Millisecond
	redisPoolTimeout   = 1 * time.Second
	redisMaxRetries    = 1
	redisDialerRetries = 1 // go-redis retries a failed dial 5 times by default
)

var _ bot.State = (*Redis)(nil)

// RedisOptions configures OpenRedis.
type RedisOptions struct {
	// Prefix is prepended to every key so that several deployments, or
	// tests, can share one server. Empty means DefaultPrefix.
	Prefix string
}

// Redis is a bot.State over a go-redis UniversalClient (single node,
// Sentinel or Cluster), shared by every instance of the service.
//
// Each key is stored as Prefix + namespace + key. Every error from the
// client other than "no such key" — network errors, timeouts, and server
// errors such as READONLY during a failover — is wrapped so that
// errors.Is(err, bot.ErrUnavailable) holds, with the client's error still
// in the chain. It is safe for concurrent use.
//
// Every method but Ping goes through a pipeliner (see pipeline.go), so
// concurrent calls share round trips.
type Redis struct {
	client redis.UniversalClient
	pipe   *pipeliner
	prefix string
}

// OpenRedis returns a Redis for rawURL (MINQING_REDIS_URL), one of
//
//   - redis://[[user]:pass@]host:port[/db] for a single node;
//   - rediss://… for the same over TLS;
//   - redis[s]://[[user]:pass@]host1:port1?addr=host2:port2&addr=… for a
//     cluster;
//   - redis-sentinel://[[user]:pass@]host1:port1,host2:port2[/db]?master=NAME
//     for a Sentinel-managed master (sentinel port 26379 by default).
//
// Special characters in the user name and password must be percent-encoded.
// redis:// and rediss:// accept go-redis's query parameters
// (dial_timeout, max_retries, …); in a Sentinel URL the credentials are the
// master's and the sentinels are contacted without authentication.
//
// OpenRedis does not contact the server, so the service can start while
// Redis is down and report it through Ping; ctx is unused. It starts the
// goroutines of the pipeliner, which Close stops. A malformed URL
// returns an error wrapping bot.ErrInvalid whose text never contains the
// password.
func OpenRedis(ctx context.Context, rawURL string, opts RedisOptions) (*Redis, error) {
	return openRedis(rawURL, opts, defaultPipelineLimits)
}

// openRedis is OpenRedis with the pipeliner's limits.
func openRedis(rawURL string, opts RedisOptions, limits pipelineLimits) (*Redis, error) {
	cfg, err := parseRedisURL(rawURL)
	if err != nil {
		return nil, err
	}
	var (
		client redis.UniversalClient
		budget time.Duration
	)
	switch {
	case cfg.cluster != nil:
		o := cfg.cluster
		budget = tune(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.DialerRetries, &o.PipelinePoolSize)
		o.ContextTimeoutEnabled = true
		client = redis.NewClusterClient(o)
	case cfg.failover != nil:
		o := cfg.failover
		budget = tune(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.DialerRetries, &o.PipelinePoolSize)
		o.ContextTimeoutEnabled = true
		client = redis.NewFailoverClient(o)
	default:
		o := cfg.simple
		budget = tune(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.DialerRetries, &o.PipelinePoolSize)
		o.ContextTimeoutEnabled = true
		client = redis.NewClient(o)
	}
	prefix := opts.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &Redis{client: client, pipe: newPipeliner(client, budget, limits), prefix: prefix}, nil
}

// tune sets the webhook timeouts where the URL left the go-redis default,
// and returns the budget of a pipeline's round trip. Pipelines run on the
// main connection pool unless the URL sets pipeline_pool_size: the
// pipeliner needs only a few connections, and with go-redis's separate
// pipeline pool a round trip to a server that does not answer overran its
// deadline by up to a second in our tests.
func tune(dial, read, write, pool *time.Duration, maxRetries, dialerRetries, pipelinePoolSize *int) time.Duration {
	setDefault(dial, redisDialTimeout)
	setDefault(read, redisReadTimeout)
	setDefault(write, redisWriteTimeout)
	setDefault(pool, redisPoolTimeout)
	setDefault(maxRetries, redisMaxRetries)
	setDefault(dialerRetries, redisDialerRetries)
	setDefault(pipelinePoolSize, -1)
	return roundTripBudget(*dial, *read, *write)
}

func setDefault[T comparable](p *T, v T) {
	var zero T
	if *p == zero {
		*p = v
	}
}

// Client returns the underlying client, for readiness checks and tests.
// Keys written through it bypass the prefix.
func (r *Redis) Client() redis.UniversalClient { return r.client }

// Prefix returns the prefix of every key r writes.
func (r *Redis) Prefix() string { return r.prefix }

// Close stops r and closes the client. Calls in flight fail or complete;
// later calls return an error wrapping bot.ErrUnavailable.
func (r *Redis) Close() error {
	r.pipe.stop()
	err := r.client.Close() // interrupts round trips in flight
	r.pipe.wait()
	if err != nil {
		return fmt.Errorf("state: close: %w", err)
	}
	return nil
}

// Script sources. Each script touches one key, so they work on a cluster.
// What a plain command can do is not scripted: a script costs the server
// its EVALSHA and every command it calls. Claims and SetNX are one SET …
// NX GET, a counter INCR with PEXPIRE … NX (both Redis 7.0).
// They are sent as EVALSHA, and as EVAL when the server does not have them
// (see pipeliner.retryNoScript).
const (
	// deleteIfEqualSource deletes KEYS[1] if its value is ARGV[1].
	deleteIfEqualSource = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`
	// renewSource makes KEYS[1] expire in ARGV[2] ms if its value is
	// ARGV[1]; it returns 1 if it did.
	renewSource = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`
	// decrIfExistsSource decrements KEYS[1] if it exists (keeping its
	// expiry), so that a counter that expired is not recreated.
	decrIfExistsSource = `
if redis.call('EXISTS', KEYS[1]) == 1 then
	return redis.call('DECR', KEYS[1])
end
return 0
`
	// scheduleSource adds member ARGV[2] with score ARGV[1] to the sorted
	// set KEYS[1] and makes the set expire in ARGV[3] ms.
	scheduleSource = `
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`
)

// SHA1 digests of the scripts, for EVALSHA.
var (
	deleteIfEqualSHA = redis.NewScript(deleteIfEqualSource).Hash()
	decrIfExistsSHA  = redis.NewScript(decrIfExistsSource).Hash()
	scheduleSHA      = redis.NewScript(scheduleSource).Hash()
	renewSHA         = redis.NewScript(renewSource).Hash()
)

// scriptSources maps each digest to its script.
var scriptSources = map[string]string{
	deleteIfEqualSHA: deleteIfEqualSource,
	decrIfExistsSHA:  decrIfExistsSource,
	scheduleSHA:      scheduleSource,
	renewSHA:         renewSource,
}

// evalSHA returns an EVALSHA of the script with digest sha on key.
func evalSHA(ctx context.Context, sha, key string, args ...any) *redis.Cmd {
	return redis.NewCmd(ctx, append([]any{"evalsha", sha, 1, key}, args...)...)
}

// setPX returns a SET of key to value expiring in ttl (rounded up to whole
// milliseconds), with extra options such as NX.
func setPX(ctx context.Context, key string, value any, ttl time.Duration, opts ...any) *redis.StatusCmd {
	return redis.NewStatusCmd(ctx, append([]any{"set", key, value, "px", ceilMillis(ttl).Milliseconds()}, opts...)...)
}

// setNXGet returns a SET of key to value expiring in ttl unless key
// exists, replying with the value already there (redis.Nil: it stored
// value). One command, atomic (Redis 7.0: SET … NX GET).
func setNXGet(ctx context.Context, key string, value any, ttl time.Duration) *redis.StringCmd {
	return redis.NewStringCmd(ctx, "set", key, value, "nx", "px", ceilMillis(ttl).Milliseconds(), "get")
}

// incrCmds returns the INCR of a fixed-window counter and the PEXPIRE …
// NX that starts its window: only on the first increment, or if the
// counter somehow lost its expiry. The two are sent in order in one
// pipeline (on a cluster to the key's node).
func incrCmds(ctx context.Context, key string, window time.Duration) (*redis.IntCmd, *redis.IntCmd) {
	return redis.NewIntCmd(ctx, "incr", key), redis.NewIntCmd(ctx, "pexpire", key, ceilMillis(window).Milliseconds(), "nx")
}

// setNXResult interprets a setNXGet: stored, or the value already there.
func setNXResult(op string, cmd *redis.StringCmd) (stored bool, existing []byte, err error) {
	b, err := cmd.Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return true, nil, nil
	case err != nil:
		return false, nil, wrap(op, err)
	}
	return false, b, nil
}

// Get implements bot.State.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	cmd := redis.NewStringCmd(ctx, "get", r.key(nsValue, key))
	if err := r.pipe.do(ctx, cmd); err != nil {
		return nil, wrap("get", err)
	}
	b, err := cmd.Bytes()
	if err != nil {
		return nil, wrap("get", err)
	}
	return b, nil
}

// Set implements bot.State. It returns an error wrapping bot.ErrInvalid if
// ttl is not positive; TTLs are rounded up to whole milliseconds.
func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := checkTTL("set", ttl); err != nil {
		return err
	}
	return r.do(ctx, "set", setPX(ctx, r.key(nsValue, key), value, ttl))
}

// Delete implements bot.State.
func (r *Redis) Delete(ctx context.Context, key string) error {
	return r.do(ctx, "delete", redis.NewIntCmd(ctx, "del", r.key(nsValue, key)))
}

// Claim implements bot.State with SET NX GET of a pending marker; a completed
// claim holds a one-byte done marker followed by the result. It returns an
// error wrapping bot.ErrInvalid if ttl is not positive.
func (r *Redis) Claim(ctx context.Context, key string, ttl time.Duration) (claimed, done bool, result []byte, err error) {
	if err := checkTTL("claim", ttl); err != nil {
		return false, false, nil, err
	}
	cmd := setNXGet(ctx, r.key(nsClaim, key), pendingMark, ttl)
	if err := r.pipe.do(ctx, cmd); err != nil {
		return false, false, nil, wrap("claim", err)
	}
	return claimResult(cmd)
}

// Complete implements bot.State. It returns an error wrapping bot.ErrInvalid
// if ttl is not positive.
func (r *Redis) Complete(ctx context.Context, key string, result []byte, ttl time.Duration) error {
	if err := checkTTL("complete", ttl); err != nil {
		return err
	}
	v := make([]byte, 0, len(doneMark)+len(result))
	v = append(append(v, doneMark...), result...)
	return r.do(ctx, "complete", setPX(ctx, r.key(nsClaim, key), v, ttl))
}

// CompleteAsync is Complete without waiting for Redis's reply: the
// command rides in the next shared round trip, and failed, if not nil, is
// called with the error should it fail (from the pipeline's goroutine; it
// must not block). A reply that depends on nothing stored need not wait.
func (r *Redis) CompleteAsync(key string, result []byte, ttl time.Duration, failed func(error)) {
	v := make([]byte, 0, len(doneMark)+len(result))
	v = append(append(v, doneMark...), result...)
	r.sendLater("complete", setPX(context.Background(), r.key(nsClaim, key), v, ttl), ttl, failed)
}

// SetAsync is Set without waiting for Redis's reply (see CompleteAsync).
func (r *Redis) SetAsync(key string, value []byte, ttl time.Duration, failed func(error)) {
	r.sendLater("set", setPX(context.Background(), r.key(nsValue, key), value, ttl), ttl, failed)
}

func (r *Redis) sendLater(op string, cmd redis.Cmder, ttl time.Duration, failed func(error)) {
	if err := checkTTL(op, ttl); err != nil {
		if failed != nil {
			failed(err)
		}
		return
	}
	var then func()
	if failed != nil {
		then = func() {
			if err := wrap(op, cmd.Err()); err != nil {
				failed(err)
			}
		}
	}
	if r.pipe.send([]redis.Cmder{cmd}, then) {
		return
	}
	// The queue is full or the store is closing: send it now.
	ctx, cancel := context.WithTimeout(context.Background(), asyncTimeout)
	defer cancel()
	if err := r.do(ctx, op, cmd); err != nil && failed != nil {
		failed(err)
	}
}

// asyncTimeout bounds a write that CompleteAsync or SetAsync could not
// queue and sends itself.
const asyncTimeout = 2 * time.Second

// Release implements bot.State: it deletes the claim only while it is
// pending.
func (r *Redis) Release(ctx context.Context, key string) error {
	return r.do(ctx, "release", evalSHA(ctx, deleteIfEqualSHA, r.key(nsClaim, key), pendingMark))
}

// Incr implements bot.State with INCR and PEXPIRE NX in one round trip. It returns
// an error wrapping bot.ErrInvalid if window is not positive.
func (r *Redis) Incr(ctx context.Context, key string, window time.Duration) (int64, error) {
	if err := checkTTL("incr", window); err != nil {
		return 0, err
	}
	incr, expire := incrCmds(ctx, r.key(nsCount, key), window)
	if err := r.pipe.do(ctx, incr, expire); err != nil {
		return 0, wrap("incr", err)
	}
	n, err := incr.Result()
	if err == nil {
		err = expire.Err()
	}
	if err != nil {
		return 0, wrap("incr", err)
	}
	return n, nil
}

// SetNX implements bot.State with SET NX GET on the value namespace. It
// returns an error wrapping bot.ErrInvalid if ttl is not positive.
func (r *Redis) SetNX(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, []byte, error) {
	if err := checkTTL("setnx", ttl); err != nil {
		return false, nil, err
	}
	cmd := setNXGet(ctx, r.key(nsValue, key), value, ttl)
	if err := r.pipe.do(ctx, cmd); err != nil {
		return false, nil, wrap("setnx", err)
	}
	return setNXResult("setnx", cmd)
}

// ReserveLimit is SetNX(key, value, ttl) and, in the same round trip,
// Incr(counter, window) when SetNX stored value: the repeat slot and the
// daily cap of an opinion. The keys may be on different cluster nodes, so
// the two are not one script: the counter is incremented either way, and
// given back when nothing was stored (a second round trip, on the rare
// repeat only). count is 0 then.
func (r *Redis) ReserveLimit(ctx context.Context, key string, value []byte, ttl time.Duration, counter string, window time.Duration) (stored bool, existing []byte, count int64, err error) {
	if err := checkTTL("reserve limit", ttl); err != nil {
		return false, nil, 0, err
	}
	if err := checkTTL("reserve limit", window); err != nil {
		return false, nil, 0, err
	}
	set := setNXGet(ctx, r.key(nsValue, key), value, ttl)
	ckey := r.key(nsCount, counter)
	incr, expire := incrCmds(ctx, ckey, window)
	if err := r.pipe.do(ctx, set, incr, expire); err != nil {
		return false, nil, 0, wrap("reserve limit", err)
	}
	if stored, existing, err = setNXResult("reserve limit", set); err != nil {
		return false, nil, 0, err
	}
	if err := errors.Join(incr.Err(), expire.Err()); err != nil {
		if stored {
			return true, nil, 0, wrap("reserve limit", err)
		}
		return false, existing, 0, nil
	}
	if !stored {
		// Give the count back: this opinion is not filed.
		if err := r.do(ctx, "reserve limit", evalSHA(ctx, decrIfExistsSHA, ckey)); err != nil {
			return false, nil, 0, err
		}
		return false, existing, 0, nil
	}
	return true, nil, incr.Val(), nil
}

// Schedule implements bot.State with ZADD and PEXPIRE in one script; due
// times are kept in milliseconds.
func (r *Redis) Schedule(ctx context.Context, key, member string, due time.Time, ttl time.Duration) error {
	if err := checkTTL("schedule", ttl); err != nil {
		return err
	}
	return r.do(ctx, "schedule", evalSHA(ctx, scheduleSHA, r.key(nsQueue, key), due.UnixMilli(), member, ceilMillis(ttl).Milliseconds()))
}

// DueMembers implements bot.State with ZRANGEBYSCORE.
func (r *Redis) DueMembers(ctx context.Context, key string, before time.Time, limit int) ([]string, error) {
	if limit <= 0 {
		return nil, nil
	}
	cmd := redis.NewStringSliceCmd(ctx, "zrangebyscore", r.key(nsQueue, key), "-inf", before.UnixMilli(), "limit", 0, limit)
	if err := r.do(ctx, "due members", cmd); err != nil {
		return nil, err
	}
	return cmd.Val(), nil
}

// Unschedule implements bot.State with ZREM.
func (r *Redis) Unschedule(ctx context.Context, key, member string) error {
	return r.do(ctx, "unschedule", redis.NewIntCmd(ctx, "zrem", r.key(nsQueue, key), member))
}

// Lock implements bot.State with SET NX PX of a random token. It returns an
// error wrapping bot.ErrInvalid if ttl is not positive.
func (r *Redis) Lock(ctx context.Context, key string, ttl time.Duration) (string, error) {
	if err := checkTTL("lock", ttl); err != nil {
		return "", err
	}
	token := rand.Text()
	cmd := setPX(ctx, r.key(nsLock, key), token, ttl, "nx")
	if err := r.pipe.do(ctx, cmd); err != nil {
		return "", wrap("lock", err)
	}
	switch err := cmd.Err(); {
	case errors.Is(err, redis.Nil): // not set: somebody holds the lock
		return "", fmt.Errorf("state: lock: %w", bot.ErrConflict)
	case err != nil:
		return "", wrap("lock", err)
	}
	return token, nil
}

// Unlock implements bot.State with a compare-and-delete script.
func (r *Redis) Unlock(ctx context.Context, key, token string) error {
	return r.do(ctx, "unlock", evalSHA(ctx, deleteIfEqualSHA, r.key(nsLock, key), token))
}

// RenewClaim makes a pending claim expire ttl from now; it reports false
// (and does nothing) if key is not claimed or already completed. It
// returns an error wrapping bot.ErrInvalid if ttl is not positive.
func (r *Redis) RenewClaim(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if err := checkTTL("renew claim", ttl); err != nil {
		return false, err
	}
	cmd := evalSHA(ctx, renewSHA, r.key(nsClaim, key), pendingMark, ceilMillis(ttl).Milliseconds())
	if err := r.do(ctx, "renew claim", cmd); err != nil {
		return false, err
	}
	n, err := cmd.Int64()
	if err != nil {
		return false, wrap("renew claim", err)
	}
	return n == 1, nil
}

// SetOnce stores value under key for ttl unless key is already there (SET
// NX GET); it reports whether it stored it and
// otherwise returns the value stored first. It has a namespace of its own.
// It returns an error wrapping bot.ErrInvalid if ttl is not positive.
func (r *Redis) SetOnce(ctx context.Context, key string, value []byte, ttl time.Duration) (first bool, stored []byte, err error) {
	if err := checkTTL("set once", ttl); err != nil {
		return false, nil, err
	}
	cmd := setNXGet(ctx, r.key(nsOnce, key), value, ttl)
	if err := r.pipe.do(ctx, cmd); err != nil {
		return false, nil, wrap("set once", err)
	}
	return setNXResult("set once", cmd)
}

// do sends cmd through the pipeliner and returns its error, if any,
// wrapped for op.
func (r *Redis) do(ctx context.Context, op string, cmd redis.Cmder) error {
	if err := r.pipe.do(ctx, cmd); err != nil {
		return wrap(op, err)
	}
	return wrap(op, cmd.Err())
}

// Ping implements bot.State.
func (r *Redis) Ping(ctx context.Context) error {
	return wrap("ping", r.client.Ping(ctx).Err())
}

func (r *Redis) key(namespace, key string) string {
	return r.prefix + namespace + key
}

// wrap translates a client error for op: redis.Nil becomes bot.ErrNotFound,
// anything else bot.ErrUnavailable (keeping err in the chain).
func wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, redis.Nil):
		return fmt.Errorf("state: %s: %w", op, bot.ErrNotFound)
	default:
		return fmt.Errorf("state: %s: %w: %w", op, bot.ErrUnavailable, err)
	}
}

// ceilMillis rounds d up to whole milliseconds, Redis's resolution.
func ceilMillis(d time.Duration) time.Duration {
	return (d + time.Millisecond - 1).Truncate(time.Millisecond)
}
