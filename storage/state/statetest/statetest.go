// Package statetest gives tests a real Redis-backed state.Redis.
//
// Tests that need Redis call Redis(tb) (or RedisURL(tb) to open their own
// client). The server comes from MINQING_TEST_REDIS_URL, e.g.
//
//	MINQING_TEST_REDIS_URL=redis://127.0.0.1:6379/0 go test ./...
//
// When it is unset the test is skipped, except with CI=true, where it fails:
// in CI a missing Redis is a broken setup, not a reason to test less.
//
// Tests that also run against a Redis Cluster call Cluster(tb) (or
// ClusterURL(tb)). The cluster comes from MINQING_TEST_REDIS_CLUSTER, a
// cluster URL naming its masters, e.g.
//
//	MINQING_TEST_REDIS_CLUSTER='redis://127.0.0.1:7001?addr=127.0.0.1:7002&addr=127.0.0.1:7003'
//
// with the same rule: skipped when unset, failed with CI=true. The helpers
// start nothing: .ci/run starts a three-master cluster on loopback ports
// and sets the variable.
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

// EnvCluster names the environment variable holding the test cluster's URL.
const EnvCluster = "MINQING_TEST_REDIS_CLUSTER"

// RedisURL returns MINQING_TEST_REDIS_URL. If it is unset, it skips the test,
// or fails it when CI=true.
func RedisURL(tb testing.TB) string {
	tb.Helper()
	return required(tb, EnvURL, "Redis")
}

// ClusterURL returns MINQING_TEST_REDIS_CLUSTER. If it is unset, it skips
// the test, or fails it when CI=true. It fails the test if the URL does not
// describe a cluster (no addr parameter).
func ClusterURL(tb testing.TB) string {
	tb.Helper()
	u := required(tb, EnvCluster, "a Redis Cluster")
	if !strings.Contains(u, "addr=") {
		tb.Fatalf("%s = %q is not a cluster URL (want redis://host:port?addr=host:port&addr=…)", EnvCluster, u)
	}
	return u
}

func required(tb testing.TB, env, what string) string {
	tb.Helper()
	u := os.Getenv(env)
	if u != "" {
		return u
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s is not set (required when CI=true)", env)
	}
	tb.Skipf("%s is not set; skipping test against %s", env, what)
	return ""
}

// Redis returns a state.Redis on the test server (see RedisURL for when it
// skips or fails) whose keys all start with a fresh random prefix, so tests
// may run in parallel and share a server with anything else. It fails the
// test if the server cannot be reached. When the test ends, every key under
// the prefix is deleted and the client closed; the test must not close it.
func Redis(tb testing.TB) *state.Redis {
	tb.Helper()
	return open(tb, RedisURL(tb), EnvURL)
}

// Cluster is Redis on the test cluster (see ClusterURL). It fails the test
// if the cluster is not serving every slot.
func Cluster(tb testing.TB) *state.Redis {
	tb.Helper()
	r := open(tb, ClusterURL(tb), EnvCluster)
	cc, ok := r.Client().(*redis.ClusterClient)
	if !ok {
		tb.Fatalf("statetest: %s did not open a cluster client (%T)", EnvCluster, r.Client())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	info, err := cc.ClusterInfo(ctx).Result()
	if err != nil || !strings.Contains(info, "cluster_state:ok") {
		tb.Fatalf("statetest: %s: cluster not ready: %v %q", EnvCluster, err, info)
	}
	return r
}

func open(tb testing.TB, rawURL, env string) *state.Redis {
	tb.Helper()
	prefix := "minqing-test:" + rand.Text()[:16] + ":"
	r, err := state.OpenRedis(context.Background(), rawURL, state.RedisOptions{Prefix: prefix})
	if err != nil {
		tb.Fatalf("statetest: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.Ping(ctx); err != nil {
		_ = r.Close()
		tb.Fatalf("statetest: %s is set but Redis cannot be reached: %v", env, err)
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
