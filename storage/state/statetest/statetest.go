// Package statetest gives tests a real Redis-backed state.Redis.
//
// Tests that need Redis call Redis(tb) (or RedisURL(tb) to open their own
// client). The server comes from MINQING_TEST_REDIS_URL, e.g.
//
//	MINQING_TEST_REDIS_URL=redis://127.0.0.1:6379/0 go test ./...
//
// When it is unset the test is skipped, except with CI=true, where it fails:
// in CI a missing Redis is a broken setup, not a reason to test less.
package statetest

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"minqing/storage/state"
)

// EnvURL names the environment variable holding the test server's URL.
const EnvURL = "MINQING_TEST_REDIS_URL"

// RedisURL returns MINQING_TEST_REDIS_URL. If it is unset, it skips the test,
// or fails it when CI=true.
func RedisURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvURL)
	if u != "" {
		return u
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s is not set (required when CI=true)", EnvURL)
	}
	tb.Skipf("%s is not set; skipping test against Redis", EnvURL)
	return ""
}

// Redis returns a state.Redis on the test server (see RedisURL for when it
// skips or fails) whose keys all start with a fresh random prefix, so tests
// may run in parallel and share a server with anything else. It fails the
// test if the server cannot be reached. When the test ends, every key under
// the prefix is deleted and the client closed; the test must not close it.
func Redis(tb testing.TB) *state.Redis {
	tb.Helper()
	rawURL := RedisURL(tb)
	prefix := "minqing-test:" + rand.Text()[:16] + ":"
	r, err := state.OpenRedis(context.Background(), rawURL, state.RedisOptions{Prefix: prefix})
	if err != nil {
		tb.Fatalf("statetest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Ping(ctx); err != nil {
		_ = r.Close()
		tb.Fatalf("statetest: %s is set but Redis cannot be reached: %v", EnvURL, err)
	}
	tb.Cleanup(func() {
		// tb.Context is already cancelled when cleanups run.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := deletePrefix(ctx, r.Client(), prefix); err != nil {
			tb.Errorf("statetest: delete keys under the test prefix: %v", err)
		}
		if err := r.Close(); err != nil {
			tb.Errorf("statetest: %v", err)
		}
	})
	return r
}

// deletePrefix deletes every key starting with prefix, on every master of a
// cluster. Keys are deleted one by one, since in a cluster they may live in
// different slots.
func deletePrefix(ctx context.Context, c redis.UniversalClient, prefix string) error {
	del := func(ctx context.Context, c redis.Cmdable) error {
		iter := c.Scan(ctx, 0, globEscape(prefix)+"*", 1000).Iterator()
		for iter.Next(ctx) {
			if err := c.Del(ctx, iter.Val()).Err(); err != nil {
				return err
			}
		}
		return iter.Err()
	}
	if cc, ok := c.(*redis.ClusterClient); ok {
		return cc.ForEachMaster(ctx, func(ctx context.Context, node *redis.Client) error {
			return del(ctx, node)
		})
	}
	return del(ctx, c)
}

// globEscape escapes the characters SCAN MATCH treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
