package state_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"minqing/bot"
	"minqing/storage/state"
	"minqing/storage/state/statetest"
)

// TestRedisUnavailable checks that a Redis that is down, or up but silent,
// makes every method fail fast with bot.ErrUnavailable, and that OpenRedis
// itself succeeds regardless.
func TestRedisUnavailable(t *testing.T) {
	const limit = 2 * time.Second
	servers := []struct {
		name string
		addr func(t *testing.T) string
	}{
		{"Refused", closedPort},
		{"Silent", silentServer},
	}
	for _, srv := range servers {
		t.Run(srv.name, func(t *testing.T) {
			t.Parallel()
			r, err := state.OpenRedis(t.Context(), "redis://"+srv.addr(t)+"/0", state.RedisOptions{})
			if err != nil {
				t.Fatalf("OpenRedis: %v", err)
			}
			t.Cleanup(func() { _ = r.Close() })

			calls := []struct {
				name string
				call func(ctx context.Context) error
			}{
				{"Ping", r.Ping},
				{"Get", func(ctx context.Context) error { _, err := r.Get(ctx, "k"); return err }},
				{"Set", func(ctx context.Context) error { return r.Set(ctx, "k", []byte("v"), time.Minute) }},
				{"Delete", func(ctx context.Context) error { return r.Delete(ctx, "k") }},
				{"Claim", func(ctx context.Context) error { _, _, _, err := r.Claim(ctx, "k", time.Minute); return err }},
				{"Complete", func(ctx context.Context) error { return r.Complete(ctx, "k", nil, time.Minute) }},
				{"Release", func(ctx context.Context) error { return r.Release(ctx, "k") }},
				{"Incr", func(ctx context.Context) error { _, err := r.Incr(ctx, "k", time.Minute); return err }},
				{"Lock", func(ctx context.Context) error { _, err := r.Lock(ctx, "k", time.Minute); return err }},
				{"Unlock", func(ctx context.Context) error { return r.Unlock(ctx, "k", "token") }},
			}
			// Concurrently, so that the test takes as long as the slowest
			// call, not their sum.
			type result struct {
				err     error
				elapsed time.Duration
			}
			results := make([]result, len(calls))
			var wg sync.WaitGroup
			for i, c := range calls {
				wg.Go(func() {
					start := time.Now()
					err := c.call(t.Context())
					results[i] = result{err, time.Since(start)}
				})
			}
			wg.Wait()
			for i, c := range calls {
				if got := results[i]; got.elapsed > limit {
					t.Errorf("%s took %v, want < %v", c.name, got.elapsed, limit)
				}
				if err := results[i].err; !errors.Is(err, bot.ErrUnavailable) {
					t.Errorf("%s error = %v, want ErrUnavailable", c.name, err)
				}
			}
		})
	}
}

// TestRedisContextDeadline checks that a caller's deadline cuts a call to a
// silent server short.
func TestRedisContextDeadline(t *testing.T) {
	r, err := state.OpenRedis(t.Context(), "redis://"+silentServer(t), state.RedisOptions{})
	if err != nil {
		t.Fatalf("OpenRedis: %v", err)
	}
	t.Cleanup(func() { _ = r.Close() })
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = r.Get(ctx, "k")
	if elapsed := time.Since(start); elapsed > 400*time.Millisecond {
		t.Errorf("Get with a 50ms deadline took %v", elapsed)
	}
	if !errors.Is(err, bot.ErrUnavailable) {
		t.Errorf("Get error = %v, want ErrUnavailable", err)
	}
}

// closedPort returns a local address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// silentServer returns the address of a server that accepts connections,
// reads everything and never answers. It stops when the test ends.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { _, _ = io.Copy(io.Discard, c) })
		}
	})
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return l.Addr().String()
}

// TestClusterClaimMessageAcrossMasters checks that ClaimMessage works when
// its claim, counter and values live on different masters: the pipeline is
// split by node, and no command spans two slots.
func TestClusterClaimMessageAcrossMasters(t *testing.T) {
	r := statetest.Cluster(t)
	cc := r.Client().(*redis.ClusterClient)
	ctx := context.Background()
	master := func(key string) string {
		c, err := cc.MasterForKey(ctx, key)
		if err != nil {
			t.Fatalf("MasterForKey: %v", err)
		}
		return c.Options().Addr
	}
	// Value keys on every master, and a claim and counter on two different
	// ones.
	var gets []string
	seen := map[string]bool{}
	for i := 0; len(seen) < 3 && i < 1000; i++ {
		k := fmt.Sprintf("v%d", i)
		if m := master(state.ValueKey(r, k)); !seen[m] {
			seen[m] = true
			gets = append(gets, k)
		}
	}
	if len(seen) < 3 {
		t.Fatalf("found value keys on %d masters, want 3", len(seen))
	}
	claimKey, rateKey := "claim", ""
	for i := 0; rateKey == "" && i < 1000; i++ {
		k := fmt.Sprintf("rate%d", i)
		if master(state.CounterKey(r, k)) != master(state.ClaimKey(r, claimKey)) {
			rateKey = k
		}
	}
	for i, k := range gets {
		mustSet(t, r, k, fmt.Sprint("value ", i), longTTL)
	}
	keys := bot.MessageKeys{Claim: claimKey, ClaimTTL: longTTL, Rate: rateKey, RateWindow: longTTL, Get: append(gets, "missing")}
	for round, want := range []bot.MessageClaim{
		{Claimed: true, Count: 1, Values: [][]byte{[]byte("value 0"), []byte("value 1"), []byte("value 2"), nil}},
		{Claimed: false, Count: 2, Values: [][]byte{[]byte("value 0"), []byte("value 1"), []byte("value 2"), nil}},
	} {
		got, err := r.ClaimMessage(ctx, keys)
		if err != nil {
			t.Fatalf("round %d: ClaimMessage: %v", round, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("round %d: ClaimMessage mismatch (-want +got):\n%s", round, diff)
		}
	}
}

// TestRedisReserveLimit checks ReserveLimit on a single node and on the
// cluster (its two keys in different slots): the counter counts only
// what was stored, a refused slot's count is given back, and the
// counter's window starts with its first count.
func TestRedisReserveLimit(t *testing.T) {
	for _, tc := range []struct {
		name string
		open func(testing.TB) *state.Redis
	}{{"single", statetest.Redis}, {"cluster", func(tb testing.TB) *state.Redis { statetest.ClusterURL(tb); return statetest.Cluster(tb) }}} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.open(t)
			ctx := t.Context()
			reserve := func(key string) (bool, string, int64) {
				t.Helper()
				stored, existing, n, err := r.ReserveLimit(ctx, key, []byte("?"), longTTL, "cap", longTTL)
				if err != nil {
					t.Fatalf("ReserveLimit(%s): %v", key, err)
				}
				return stored, string(existing), n
			}
			if stored, _, n := reserve("a"); !stored || n != 1 {
				t.Fatalf("first = %v, %d; want stored, 1", stored, n)
			}
			if stored, existing, n := reserve("a"); stored || existing != "?" || n != 0 {
				t.Fatalf("repeat = %v, %q, %d; want not stored, \"?\", 0", stored, existing, n)
			}
			if stored, _, n := reserve("b"); !stored || n != 2 {
				t.Fatalf("second = %v, %d; want stored, 2 (the repeat given back)", stored, n)
			}
			if ttl := r.Client().PTTL(ctx, state.CounterKey(r, "cap")).Val(); ttl <= 0 || ttl > longTTL {
				t.Errorf("counter PTTL = %v, want within (0, %v]", ttl, longTTL)
			}
			if _, _, _, err := r.ReserveLimit(ctx, "c", []byte("?"), 0, "cap", longTTL); !errors.Is(err, bot.ErrInvalid) {
				t.Errorf("ttl 0: err = %v, want ErrInvalid", err)
			}
		})
	}
}
