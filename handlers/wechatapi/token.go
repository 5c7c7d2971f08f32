package wechatapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/silenceper/wechat/v2/credential"

	"minqing/bot"
)

const (
	// tokenLockTTL bounds how long a crashed refresher can block others.
	tokenLockTTL = 10 * time.Second
	// tokenWait bounds how long a caller waits for another instance's
	// refresh before giving up with ErrUnavailable.
	tokenWait = 5 * time.Second
	// tokenPoll is the longest pause between two looks at the cache while
	// another instance refreshes.
	tokenPoll = 100 * time.Millisecond
	// tokenMargin is how long before WeChat's expiry a token is dropped.
	tokenMargin = 5 * time.Minute
	// fetchBackoff is how long a failed fetch is answered from memory, so
	// that the callers queued behind the lock do not each fetch in turn.
	fetchBackoff = time.Second
)

// TokenKey returns the bot.State key under which the access token of appID
// is kept: the key the SDK's own cache uses
// (gowechat_officialaccount__access_token_<APPID>), so that other tools
// sharing the store find it.
func TokenKey(appID string) string {
	return credential.CacheKeyOfficialAccountPrefix + "_access_token_" + appID
}

// tokenLockKey names the lock that makes one refresher at a time.
func tokenLockKey(appID string) string { return "lock:wechat_token:" + appID }

// fetchFunc gets a new token from WeChat and reports its lifetime.
type fetchFunc func(ctx context.Context) (token string, expiresIn time.Duration, err error)

// tokenSource is the access-token handle given to the SDK and used by the
// Client. The token lives in bot.State; exactly one caller across all
// instances refreshes it, under a State lock, while the others poll the
// key. When the State is unavailable it falls back to a process-local
// cache with one refresher per process.
type tokenSource struct {
	state   bot.State
	key     string
	lockKey string
	fetch   fetchFunc
	now     func() time.Time
	log     *slog.Logger

	wait, poll, lockTTL time.Duration
	// sdkTimeout bounds GetAccessToken, which the SDK calls without a
	// context.
	sdkTimeout time.Duration

	// sem admits one local refresher at a time (a mutex a context can
	// abandon).
	sem      chan struct{}
	mu       sync.Mutex // guards localTok, localExp, failErr, failAt
	localTok string
	localExp time.Time
	failErr  error
	failAt   time.Time
	backoff  time.Duration
	// degraded is set while the State is unavailable, to log transitions
	// only.
	degraded atomic.Bool
}

var _ credential.AccessTokenContextHandle = (*tokenSource)(nil)

func newTokenSource(appID string, state bot.State, fetch fetchFunc, now func() time.Time, log *slog.Logger, timeout time.Duration) *tokenSource {
	return &tokenSource{
		state:      state,
		key:        TokenKey(appID),
		lockKey:    tokenLockKey(appID),
		fetch:      fetch,
		now:        now,
		log:        log,
		wait:       tokenWait,
		poll:       tokenPoll,
		lockTTL:    tokenLockTTL,
		sdkTimeout: tokenWait + 2*timeout,
		sem:        make(chan struct{}, 1),
		backoff:    fetchBackoff,
	}
}

// GetAccessToken implements credential.AccessTokenHandle for SDK calls that
// take no context.
func (t *tokenSource) GetAccessToken() (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), t.sdkTimeout)
	defer cancel()
	return t.GetAccessTokenContext(ctx)
}

// GetAccessTokenContext implements credential.AccessTokenContextHandle.
func (t *tokenSource) GetAccessTokenContext(ctx context.Context) (string, error) {
	return t.get(ctx, "")
}

// get returns a valid cached token, refreshing it if there is none. A
// non-empty rejected names a token WeChat refused: it is not returned, and
// it is dropped from the cache if it is still the cached one.
func (t *tokenSource) get(ctx context.Context, rejected string) (string, error) {
	v, err := t.state.Get(ctx, t.key)
	switch {
	case err == nil:
		if tok := string(v); tok != "" && tok != rejected {
			t.recovered()
			return tok, nil
		}
	case errors.Is(err, bot.ErrNotFound):
	case errors.Is(err, bot.ErrUnavailable):
		return t.local(ctx, rejected, err)
	default:
		return "", fmt.Errorf("read cached access token: %w", err)
	}
	t.recovered()
	return t.refresh(ctx, rejected)
}

// refresh takes the refresh lock and fetches a token, or, while somebody
// else holds the lock, polls the cache for the token they store.
func (t *tokenSource) refresh(ctx context.Context, rejected string) (string, error) {
	waitCtx, cancel := context.WithTimeout(ctx, t.wait)
	defer cancel()
	pause := min(10*time.Millisecond, t.poll)
	for {
		lock, err := t.state.Lock(ctx, t.lockKey, t.lockTTL)
		switch {
		case err == nil:
			return t.refreshLocked(ctx, rejected, lock)
		case errors.Is(err, bot.ErrConflict):
		case errors.Is(err, bot.ErrUnavailable):
			return t.local(ctx, rejected, err)
		default:
			return "", fmt.Errorf("lock access token refresh: %w", err)
		}

		timer := time.NewTimer(pause)
		select {
		case <-waitCtx.Done():
			timer.Stop()
			if ctx.Err() != nil {
				return "", fmt.Errorf("waiting for access token refresh: %w: %w", bot.ErrUnavailable, ctx.Err())
			}
			return "", fmt.Errorf("access token refresh by another holder did not finish within %v: %w", t.wait, bot.ErrUnavailable)
		case <-timer.C:
		}
		pause = min(2*pause, t.poll)

		v, err := t.state.Get(ctx, t.key)
		switch {
		case err == nil:
			if tok := string(v); tok != "" && tok != rejected {
				return tok, nil
			}
		case errors.Is(err, bot.ErrUnavailable):
			return t.local(ctx, rejected, err)
		}
	}
}

// refreshLocked runs while holding the refresh lock: check again, drop the
// rejected token if it is still cached, fetch, store, unlock.
func (t *tokenSource) refreshLocked(ctx context.Context, rejected, lock string) (string, error) {
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		if err := t.state.Unlock(uctx, t.lockKey, lock); err != nil {
			t.log.Warn("wechat_token_unlock_failed", slog.Any("error", err))
		}
	}()

	v, err := t.state.Get(ctx, t.key)
	switch {
	case err == nil:
		tok := string(v)
		if tok != "" && tok != rejected {
			return tok, nil // somebody refreshed meanwhile
		}
		if tok != "" {
			// Still the token WeChat refused: drop it so that no other
			// caller picks it up while we fetch.
			if err := t.state.Delete(ctx, t.key); err != nil {
				t.log.Warn("wechat_token_drop_failed", slog.Any("error", err))
			}
		}
	case errors.Is(err, bot.ErrNotFound):
	default:
		t.log.Warn("wechat_token_state_read_failed", slog.Any("error", err))
	}

	tok, expiresIn, err := t.guardedFetch(ctx)
	if err != nil {
		return "", err
	}
	ttl := cacheTTL(expiresIn)
	t.storeLocal(tok, ttl)
	if err := t.state.Set(ctx, t.key, []byte(tok), ttl); err != nil {
		t.log.Warn("wechat_token_store_failed", slog.Any("error", err))
	}
	return tok, nil
}

// local serves the token from the process-local cache while the State is
// unavailable, with one refresher per process.
func (t *tokenSource) local(ctx context.Context, rejected string, cause error) (string, error) {
	if t.degraded.CompareAndSwap(false, true) {
		t.log.Warn("wechat_token_state_unavailable",
			slog.String("fallback", "process-local token cache"),
			slog.Any("error", cause))
	}
	if tok, ok := t.cachedLocal(rejected); ok {
		return tok, nil
	}
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for access token refresh: %w: %w", bot.ErrUnavailable, ctx.Err())
	}
	defer func() { <-t.sem }()
	if tok, ok := t.cachedLocal(rejected); ok {
		return tok, nil
	}
	tok, expiresIn, err := t.guardedFetch(ctx)
	if err != nil {
		return "", err
	}
	t.storeLocal(tok, cacheTTL(expiresIn))
	return tok, nil
}

// guardedFetch fetches a token unless a fetch failed within the backoff,
// in which case it returns that failure again. Failures caused by the
// caller's own context are not remembered.
func (t *tokenSource) guardedFetch(ctx context.Context) (string, time.Duration, error) {
	t.mu.Lock()
	failErr, failAt := t.failErr, t.failAt
	t.mu.Unlock()
	if failErr != nil && t.now().Sub(failAt) < t.backoff {
		return "", 0, fmt.Errorf("access token fetch failed %v ago: %w", t.now().Sub(failAt).Round(time.Millisecond), failErr)
	}
	tok, expiresIn, err := t.fetch(ctx)
	switch {
	case err == nil:
		t.mu.Lock()
		t.failErr = nil
		t.mu.Unlock()
	case ctx.Err() == nil:
		t.mu.Lock()
		t.failErr, t.failAt = err, t.now()
		t.mu.Unlock()
	}
	return tok, expiresIn, err
}

func (t *tokenSource) recovered() {
	if t.degraded.CompareAndSwap(true, false) {
		t.log.Info("wechat_token_state_recovered")
	}
}

func (t *tokenSource) cachedLocal(rejected string) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.localTok == "" || t.localTok == rejected || !t.now().Before(t.localExp) {
		return "", false
	}
	return t.localTok, true
}

func (t *tokenSource) storeLocal(tok string, ttl time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.localTok = tok
	t.localExp = t.now().Add(ttl)
}

// cacheTTL is how long a token that WeChat says expires in expiresIn is
// kept: expiresIn − 5 minutes, or half of it for short lifetimes.
func cacheTTL(expiresIn time.Duration) time.Duration {
	if expiresIn > 2*tokenMargin {
		return expiresIn - tokenMargin
	}
	return max(expiresIn/2, time.Second)
}
