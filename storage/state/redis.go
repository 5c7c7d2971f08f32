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
// even when Redis is down. A refused connection fails at once, a server that
// accepts but does not answer after ReadTimeout (about 0.5 s), and a host
// that drops packets after DialTimeout per attempt (2 s at worst); a
// caller's context deadline cuts any of these short. Query parameters of the
// URL (dial_timeout=…, max_retries=…) override them.
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
type Redis struct {
	client redis.UniversalClient
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
// Redis is down and report it through Ping; ctx is unused. A malformed URL
// returns an error wrapping bot.ErrInvalid whose text never contains the
// password.
func OpenRedis(ctx context.Context, rawURL string, opts RedisOptions) (*Redis, error) {
	cfg, err := parseRedisURL(rawURL)
	if err != nil {
		return nil, err
	}
	var client redis.UniversalClient
	switch {
	case cfg.cluster != nil:
		o := cfg.cluster
		tune(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.DialerRetries)
		o.ContextTimeoutEnabled = true
		client = redis.NewClusterClient(o)
	case cfg.failover != nil:
		o := cfg.failover
		tune(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.DialerRetries)
		o.ContextTimeoutEnabled = true
		client = redis.NewFailoverClient(o)
	default:
		o := cfg.simple
		tune(&o.DialTimeout, &o.ReadTimeout, &o.WriteTimeout, &o.PoolTimeout, &o.MaxRetries, &o.DialerRetries)
		o.ContextTimeoutEnabled = true
		client = redis.NewClient(o)
	}
	prefix := opts.Prefix
	if prefix == "" {
		prefix = DefaultPrefix
	}
	return &Redis{client: client, prefix: prefix}, nil
}

// tune sets the webhook timeouts where the URL left the go-redis default.
func tune(dial, read, write, pool *time.Duration, maxRetries, dialerRetries *int) {
	setDefault(dial, redisDialTimeout)
	setDefault(read, redisReadTimeout)
	setDefault(write, redisWriteTimeout)
	setDefault(pool, redisPoolTimeout)
	setDefault(maxRetries, redisMaxRetries)
	setDefault(dialerRetries, redisDialerRetries)
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

// Close closes the client.
func (r *Redis) Close() error {
	if err := r.client.Close(); err != nil {
		return fmt.Errorf("state: close: %w", err)
	}
	return nil
}

// Script sources, also sent in pipelines (where EVALSHA's NOSCRIPT
// fallback is not available).
const (
	claimSource = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
	return 1
end
return redis.call('GET', KEYS[1])
`
	incrSource = `
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
	redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
`
)

// Scripts. Each touches one key, so they work on a cluster.
var (
	// claimScript sets KEYS[1] to the pending marker ARGV[1] for ARGV[2] ms
	// unless it exists; it returns 1 if it did, else the stored value.
	claimScript = redis.NewScript(claimSource)
	// deleteIfEqualScript deletes KEYS[1] if its value is ARGV[1].
	deleteIfEqualScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
	return redis.call('DEL', KEYS[1])
end
return 0
`)
	// incrScript increments KEYS[1] and, on the first increment (or if the
	// counter somehow lost its expiry), makes it expire in ARGV[1] ms.
	incrScript = redis.NewScript(incrSource)
)

// Get implements bot.State.
func (r *Redis) Get(ctx context.Context, key string) ([]byte, error) {
	b, err := r.client.Get(ctx, r.key(nsValue, key)).Bytes()
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
	return wrap("set", r.client.Set(ctx, r.key(nsValue, key), value, ceilMillis(ttl)).Err())
}

// Delete implements bot.State.
func (r *Redis) Delete(ctx context.Context, key string) error {
	return wrap("delete", r.client.Del(ctx, r.key(nsValue, key)).Err())
}

// Claim implements bot.State with SET NX of a pending marker; a completed
// claim holds a one-byte done marker followed by the result. It returns an
// error wrapping bot.ErrInvalid if ttl is not positive.
func (r *Redis) Claim(ctx context.Context, key string, ttl time.Duration) (claimed, done bool, result []byte, err error) {
	if err := checkTTL("claim", ttl); err != nil {
		return false, false, nil, err
	}
	v, err := claimScript.Run(ctx, r.client, []string{r.key(nsClaim, key)}, pendingMark, ceilMillis(ttl).Milliseconds()).Result()
	if err != nil {
		return false, false, nil, wrap("claim", err)
	}
	return claimResult(v)
}

// Complete implements bot.State. It returns an error wrapping bot.ErrInvalid
// if ttl is not positive.
func (r *Redis) Complete(ctx context.Context, key string, result []byte, ttl time.Duration) error {
	if err := checkTTL("complete", ttl); err != nil {
		return err
	}
	v := make([]byte, 0, len(doneMark)+len(result))
	v = append(append(v, doneMark...), result...)
	return wrap("complete", r.client.Set(ctx, r.key(nsClaim, key), v, ceilMillis(ttl)).Err())
}

// Release implements bot.State: it deletes the claim only while it is
// pending.
func (r *Redis) Release(ctx context.Context, key string) error {
	return wrap("release", deleteIfEqualScript.Run(ctx, r.client, []string{r.key(nsClaim, key)}, pendingMark).Err())
}

// Incr implements bot.State with INCR and PEXPIRE in one script. It returns
// an error wrapping bot.ErrInvalid if window is not positive.
func (r *Redis) Incr(ctx context.Context, key string, window time.Duration) (int64, error) {
	if err := checkTTL("incr", window); err != nil {
		return 0, err
	}
	n, err := incrScript.Run(ctx, r.client, []string{r.key(nsCount, key)}, ceilMillis(window).Milliseconds()).Int64()
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
	ok, err := r.client.SetNX(ctx, r.key(nsLock, key), token, ceilMillis(ttl)).Result()
	if err != nil {
		return "", wrap("lock", err)
	}
	if !ok {
		return "", fmt.Errorf("state: lock: %w", bot.ErrConflict)
	}
	return token, nil
}

// Unlock implements bot.State with a compare-and-delete script.
func (r *Redis) Unlock(ctx context.Context, key, token string) error {
	return wrap("unlock", deleteIfEqualScript.Run(ctx, r.client, []string{r.key(nsLock, key)}, token).Err())
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
