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
// They are sent as EVALSHA, and as EVAL when the server does not have them
// (see pipeliner.retryNoScript).
const (
	// claimSource sets KEYS[1] to the pending marker ARGV[1] for ARGV[2] ms
	// unless it exists; it returns 1 if it did, else the stored value.
	claimSource = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
	return 1
end
return redis.call('GET', KEYS[1])
`
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
	// incrSource increments KEYS[1] and, on the first increment (or if the
	// counter somehow lost its expiry), makes it expire in ARGV[1] ms.
	incrSource = `
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
	redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
`
)

// SHA1 digests of the scripts, for EVALSHA.
var (
	claimSHA         = redis.NewScript(claimSource).Hash()
	deleteIfEqualSHA = redis.NewScript(deleteIfEqualSource).Hash()
	incrSHA          = redis.NewScript(incrSource).Hash()
	renewSHA         = redis.NewScript(renewSource).Hash()
)

// scriptSources maps each digest to its script.
var scriptSources = map[string]string{
	claimSHA:         claimSource,
	deleteIfEqualSHA: deleteIfEqualSource,
	incrSHA:          incrSource,
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

// Claim implements bot.State with SET NX of a pending marker; a completed
// claim holds a one-byte done marker followed by the result. It returns an
// error wrapping bot.ErrInvalid if ttl is not positive.
func (r *Redis) Claim(ctx context.Context, key string, ttl time.Duration) (claimed, done bool, result []byte, err error) {
	if err := checkTTL("claim", ttl); err != nil {
		return false, false, nil, err
	}
	cmd := evalSHA(ctx, claimSHA, r.key(nsClaim, key), pendingMark, ceilMillis(ttl).Milliseconds())
	if err := r.do(ctx, "claim", cmd); err != nil {
		return false, false, nil, err
	}
	return claimResult(cmd.Val())
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

// Release implements bot.State: it deletes the claim only while it is
// pending.
func (r *Redis) Release(ctx context.Context, key string) error {
	return r.do(ctx, "release", evalSHA(ctx, deleteIfEqualSHA, r.key(nsClaim, key), pendingMark))
}

// Incr implements bot.State with INCR and PEXPIRE in one script. It returns
// an error wrapping bot.ErrInvalid if window is not positive.
func (r *Redis) Incr(ctx context.Context, key string, window time.Duration) (int64, error) {
	if err := checkTTL("incr", window); err != nil {
		return 0, err
	}
	cmd := evalSHA(ctx, incrSHA, r.key(nsCount, key), ceilMillis(window).Milliseconds())
	if err := r.do(ctx, "incr", cmd); err != nil {
		return 0, err
	}
	n, err := cmd.Int64()
	if err != nil {
		return 0, wrap("incr", err)
	}
	return n, nil
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
// NX, then GET, in one script); it reports whether it stored it and
// otherwise returns the value stored first. It has a namespace of its own.
// It returns an error wrapping bot.ErrInvalid if ttl is not positive.
func (r *Redis) SetOnce(ctx context.Context, key string, value []byte, ttl time.Duration) (first bool, stored []byte, err error) {
	if err := checkTTL("set once", ttl); err != nil {
		return false, nil, err
	}
	cmd := evalSHA(ctx, claimSHA, r.key(nsOnce, key), value, ceilMillis(ttl).Milliseconds())
	if err := r.do(ctx, "set once", cmd); err != nil {
		return false, nil, err
	}
	switch v := cmd.Val().(type) {
	case int64:
		return true, nil, nil
	case string:
		return false, []byte(v), nil
	default:
		return false, nil, fmt.Errorf("state: set once: unexpected reply %T: %w", v, bot.ErrUnavailable)
	}
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
