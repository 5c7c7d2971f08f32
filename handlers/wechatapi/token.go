package wechatapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"minqing/bot"
)

const (
	// tokenMargin is how long before WeChat's expiry a token is dropped.
	tokenMargin = 5 * time.Minute
	// fetchBackoff is how long a failed fetch is answered from memory, so
	// that the callers queued behind it do not each fetch in turn.
	fetchBackoff = time.Second
)

// TokenKey returns the bot.State key under which the access token of appID
// is kept, with WeChat's expiry (less 5 minutes) as its TTL. It is the key
// the SDK's StableAccessToken uses
// (gowechat_officialaccount__stable_access_token_<APPID>), so that other
// tools sharing the store find it.
func TokenKey(appID string) string {
	return "gowechat_officialaccount__stable_access_token_" + appID
}

// fetchFunc gets a token from WeChat's stable_token endpoint and reports
// its remaining lifetime; force asks for a new token even if the current
// one is still valid.
type fetchFunc func(ctx context.Context, force bool) (token string, expiresIn time.Duration, err error)

// tokenSource hands out the access token. The token lives in bot.State;
// any instance may fetch it when the State has none, without a lock: the
// stable_token endpoint answers every caller with the same token while it
// is valid, so concurrent fetches do not invalidate each other's token (as
// /cgi-bin/token would). Within a process one fetch runs at a time. While
// the State is unavailable a process-local copy serves.
type tokenSource struct {
	state bot.State
	key   string
	fetch fetchFunc
	now   func() time.Time
	log   *slog.Logger

	// sem admits one fetch per process at a time (a mutex a context can
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

func newTokenSource(appID string, state bot.State, fetch fetchFunc, now func() time.Time, log *slog.Logger) *tokenSource {
	return &tokenSource{
		state:   state,
		key:     TokenKey(appID),
		fetch:   fetch,
		now:     now,
		log:     log,
		sem:     make(chan struct{}, 1),
		backoff: fetchBackoff,
	}
}

// get returns a valid cached token, fetching one if there is none. A
// non-empty rejected names a token WeChat refused: it is not returned, it
// is dropped from the State if it is still the cached one, and if
// stable_token still answers with it a forced refresh replaces it.
func (t *tokenSource) get(ctx context.Context, rejected string) (string, error) {
	if tok, ok := t.cached(ctx, rejected); ok {
		return tok, nil
	}
	select {
	case t.sem <- struct{}{}:
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for access token fetch: %w: %w", bot.ErrUnavailable, ctx.Err())
	}
	defer func() { <-t.sem }()
	// Another caller of this process may have fetched meanwhile.
	if tok, ok := t.cached(ctx, rejected); ok {
		return tok, nil
	}
	if rejected != "" {
		t.drop(ctx, rejected)
	}
	tok, expiresIn, err := t.guardedFetch(ctx, false)
	if err != nil {
		return "", err
	}
	if tok == rejected {
		// WeChat still hands out the token it refuses (it was reset, or
		// another client used /cgi-bin/token): only a forced refresh,
		// which WeChat rate-limits, replaces it.
		t.log.Info("wechat_token_force_refresh")
		if tok, expiresIn, err = t.guardedFetch(ctx, true); err != nil {
			return "", err
		}
	}
	ttl := cacheTTL(expiresIn)
	t.storeLocal(tok, ttl)
	if err := t.state.Set(ctx, t.key, []byte(tok), ttl); err != nil && !errors.Is(err, bot.ErrUnavailable) {
		t.log.Warn("wechat_token_store_failed", slog.Any("error", err))
	}
	return tok, nil
}

// cached returns the token in the State, or, while the State is
// unavailable, the process-local copy; never rejected.
func (t *tokenSource) cached(ctx context.Context, rejected string) (string, bool) {
	v, err := t.state.Get(ctx, t.key)
	switch {
	case err == nil:
		t.recovered()
		if tok := string(v); tok != "" && tok != rejected {
			return tok, true
		}
		return "", false
	case errors.Is(err, bot.ErrNotFound):
		t.recovered()
		return "", false
	case errors.Is(err, bot.ErrUnavailable):
		if t.degraded.CompareAndSwap(false, true) {
			t.log.Warn("wechat_token_state_unavailable",
				slog.String("fallback", "process-local token cache"),
				slog.Any("error", err))
		}
		return t.cachedLocal(rejected)
	default:
		t.log.Warn("wechat_token_state_read_failed", slog.Any("error", err))
		return t.cachedLocal(rejected)
	}
}

// drop removes rejected from the State if it is still the cached token,
// so that no other caller picks it up. Between the read and the delete
// another instance may store a newer token, which is then deleted too:
// harmless, the next fetch gets that same token back from stable_token.
func (t *tokenSource) drop(ctx context.Context, rejected string) {
	t.mu.Lock()
	if t.localTok == rejected {
		t.localTok = ""
	}
	t.mu.Unlock()
	v, err := t.state.Get(ctx, t.key)
	if err != nil || string(v) != rejected {
		return
	}
	if err := t.state.Delete(ctx, t.key); err != nil && !errors.Is(err, bot.ErrUnavailable) {
		t.log.Warn("wechat_token_drop_failed", slog.Any("error", err))
	}
}

// guardedFetch fetches a token unless a fetch failed within the backoff,
// in which case it returns that failure again. Failures caused by the
// caller's own context are not remembered.
func (t *tokenSource) guardedFetch(ctx context.Context, force bool) (string, time.Duration, error) {
	t.mu.Lock()
	failErr, failAt := t.failErr, t.failAt
	t.mu.Unlock()
	if failErr != nil && t.now().Sub(failAt) < t.backoff {
		return "", 0, fmt.Errorf("access token fetch failed %v ago: %w", t.now().Sub(failAt).Round(time.Millisecond), failErr)
	}
	tok, expiresIn, err := t.fetch(ctx, force)
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
