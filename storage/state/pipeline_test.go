package state_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"minqing/bot"
	"minqing/storage/state"
	"minqing/storage/state/statetest"
)

// The tests in this file check what Redis's automatic pipelining must not
// change: each caller gets exactly its own results and errors, and honours
// its context, however many calls share a round trip.

// TestPipelineMix has many goroutines mix ClaimMessage, Complete and Get on
// keys of their own and on shared keys, on both backends, and checks every
// caller's results against what each key must hold.
func TestPipelineMix(t *testing.T) {
	backends := []struct {
		name string
		open func(t *testing.T) bot.State
	}{
		{"Memory", func(t *testing.T) bot.State {
			m := state.NewMemory(100_000)
			t.Cleanup(func() { _ = m.Close() })
			return m
		}},
		{"Redis", func(t *testing.T) bot.State { return statetest.Redis(t) }},
		{"RedisCluster", func(t *testing.T) bot.State { return statetest.Cluster(t) }},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { testPipelineMix(t, b.open(t)) })
	}
}

func testPipelineMix(t *testing.T, s bot.State) {
	const (
		callers = 200
		rounds  = 3
	)
	ctx := t.Context()
	mustSet(t, s, "shared", "S", longTTL)
	ownValue := func(i int) []byte {
		if i%2 == 1 {
			return nil // odd callers have no value
		}
		return fmt.Appendf(nil, "value %d", i)
	}
	for i := range callers {
		if v := ownValue(i); v != nil {
			mustSet(t, s, fmt.Sprint("v", i), string(v), longTTL)
		}
	}

	type sharedResult struct {
		claimed bool
		count   int64
	}
	var (
		start  sync.WaitGroup
		wg     sync.WaitGroup
		shared = make([]sharedResult, callers)
	)
	start.Add(1)
	for i := range callers {
		wg.Go(func() {
			start.Wait()
			check := func(what string, want, got bot.MessageClaim, err error) {
				if err != nil {
					t.Errorf("caller %d: %s: %v", i, what, err)
					return
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("caller %d: %s mismatch (-want +got):\n%s", i, what, diff)
				}
			}
			k := bot.MessageKeys{
				ClaimTTL: longTTL, Rate: fmt.Sprint("r", i), RateWindow: longTTL,
				Get: []string{fmt.Sprint("v", i), "shared", fmt.Sprint("missing", i)},
			}
			values := [][]byte{ownValue(i), []byte("S"), nil}
			for round := range rounds {
				k.Claim = fmt.Sprint("m", i, "-", round)
				got, err := s.ClaimMessage(ctx, k)
				check("first delivery", bot.MessageClaim{Claimed: true, Count: int64(2*round + 1), Values: values}, got, err)
				got, err = s.ClaimMessage(ctx, k)
				check("concurrent delivery", bot.MessageClaim{Count: int64(2*round + 2), Values: values}, got, err)
				reply := fmt.Appendf(nil, "reply %d/%d", i, round)
				if err := s.Complete(ctx, k.Claim, reply, longTTL); err != nil {
					t.Errorf("caller %d: Complete: %v", i, err)
				}
				v, err := s.Get(ctx, k.Get[0])
				switch {
				case ownValue(i) == nil && !errors.Is(err, bot.ErrNotFound):
					t.Errorf("caller %d: Get(missing) = %q, %v; want ErrNotFound", i, v, err)
				case ownValue(i) != nil && (err != nil || !bytes.Equal(v, ownValue(i))):
					t.Errorf("caller %d: Get = %q, %v; want %q", i, v, err, ownValue(i))
				}
				got, err = s.ClaimMessage(ctx, bot.MessageKeys{Claim: k.Claim, ClaimTTL: longTTL})
				check("retry", bot.MessageClaim{Done: true, Result: reply, Values: [][]byte{}}, got, err)
			}
			got, err := s.ClaimMessage(ctx, bot.MessageKeys{Claim: "everyone", ClaimTTL: longTTL, Rate: "everyone", RateWindow: longTTL})
			if err != nil {
				t.Errorf("caller %d: shared ClaimMessage: %v", i, err)
				return
			}
			shared[i] = sharedResult{got.Claimed, got.Count}
		})
	}
	start.Done()
	wg.Wait()

	var winners int
	var counts []int64
	for _, r := range shared {
		if r.claimed {
			winners++
		}
		counts = append(counts, r.count)
	}
	if winners != 1 {
		t.Errorf("%d callers claimed the shared key, want 1", winners)
	}
	slices.Sort(counts)
	want := make([]int64, callers)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("shared counts mismatch (-want +got):\n%s", diff)
	}
}

// TestRedisPipelineErrorsStayPut checks that commands failing in a shared
// round trip (a script error, a missing key) fail only their own callers.
func TestRedisPipelineErrorsStayPut(t *testing.T) {
	r := statetest.Redis(t)
	ctx := t.Context()
	// A counter that is not a number makes the counter script fail.
	if err := r.Client().Set(ctx, state.CounterKey(r, "bad"), "not a number", time.Minute).Err(); err != nil {
		t.Fatal(err)
	}
	mustSet(t, r, "present", "P", longTTL)

	const callers = 200
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range callers {
		wg.Go(func() {
			start.Wait()
			switch i % 5 {
			case 0:
				if _, err := r.Incr(ctx, "bad", time.Minute); !errors.Is(err, bot.ErrUnavailable) {
					t.Errorf("caller %d: Incr(bad) error = %v, want ErrUnavailable", i, err)
				}
			case 1:
				_, err := r.ClaimMessage(ctx, bot.MessageKeys{Claim: fmt.Sprint("c", i), ClaimTTL: time.Minute, Rate: "bad", RateWindow: time.Minute})
				if !errors.Is(err, bot.ErrUnavailable) {
					t.Errorf("caller %d: ClaimMessage(rate bad) error = %v, want ErrUnavailable", i, err)
				}
			case 2:
				if _, err := r.Get(ctx, fmt.Sprint("missing", i)); !errors.Is(err, bot.ErrNotFound) {
					t.Errorf("caller %d: Get(missing) error = %v, want ErrNotFound", i, err)
				}
			case 3:
				if v, err := r.Get(ctx, "present"); err != nil || string(v) != "P" {
					t.Errorf("caller %d: Get(present) = %q, %v; want P", i, v, err)
				}
			case 4:
				got, err := r.ClaimMessage(ctx, bot.MessageKeys{
					Claim: fmt.Sprint("c", i), ClaimTTL: time.Minute, Rate: fmt.Sprint("r", i), RateWindow: time.Minute,
					Get: []string{"present", fmt.Sprint("missing", i)},
				})
				want := bot.MessageClaim{Claimed: true, Count: 1, Values: [][]byte{[]byte("P"), nil}}
				if err != nil {
					t.Errorf("caller %d: ClaimMessage: %v", i, err)
				} else if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("caller %d: ClaimMessage mismatch (-want +got):\n%s", i, diff)
				}
			}
		})
	}
	start.Done()
	wg.Wait()
}

// TestRedisNoScript checks that the scripts still run after the server has
// forgotten them, as after a restart or a failover, and are cached again.
func TestRedisNoScript(t *testing.T) {
	r := statetest.Redis(t)
	ctx := t.Context()
	checkClaim(t, r, "before", longTTL, claimed)
	if err := r.Client().ScriptFlush(ctx).Err(); err != nil {
		t.Fatalf("SCRIPT FLUSH: %v", err)
	}

	const callers = 50
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range callers {
		wg.Go(func() {
			start.Wait()
			k := bot.MessageKeys{Claim: fmt.Sprint("m", i), ClaimTTL: longTTL, Rate: "shared", RateWindow: longTTL}
			got, err := r.ClaimMessage(ctx, k)
			if err != nil || !got.Claimed || got.Count < 1 || got.Count > callers {
				t.Errorf("caller %d: ClaimMessage = %+v, %v; want claimed and counted", i, got, err)
			}
			if err := r.Release(ctx, k.Claim); err != nil {
				t.Errorf("caller %d: Release: %v", i, err)
			}
		})
	}
	start.Done()
	wg.Wait()
	if n := mustIncr(t, r, "shared", longTTL); n != callers+1 {
		t.Errorf("Incr after %d counted claims = %d, want %d", callers, n, callers+1)
	}
	checkClaim(t, r, "m0", longTTL, claimed) // released above
	// The scripts are cached again, on a cluster by the nodes that ran them.
	scripts := []struct {
		key string
		sha string
	}{
		{state.ClaimKey(r, "m0"), state.ReleaseSHA},
	}
	for _, s := range scripts {
		var node redis.Scripter = r.Client()
		if cc, ok := r.Client().(*redis.ClusterClient); ok {
			n, err := cc.MasterForKey(ctx, s.key)
			if err != nil {
				t.Fatal(err)
			}
			node = n
		}
		exists, err := node.ScriptExists(ctx, s.sha).Result()
		if err != nil {
			t.Fatal(err)
		}
		if !exists[0] {
			t.Errorf("script %s is not cached", s.sha)
		}
	}
}

// TestRedisCancelWhileQueued checks that a caller whose context ends while
// its call is queued gets the context's error at once, and that its
// commands are never sent.
func TestRedisCancelWhileQueued(t *testing.T) {
	direct := statetest.Redis(t)
	p := newProxy(t, redisAddr(t))
	// One flusher, never stood in for: while it waits for a reply, calls
	// stay queued.
	r, err := state.OpenRedisLimited(p.url(t), state.RedisOptions{Prefix: direct.Prefix()}, 1, 1, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	ctx := t.Context()
	mustSet(t, r, "warm-up", "v", longTTL)

	p.holdReplies()
	first := make(chan error, 1)
	go func() { first <- r.Set(ctx, "first-call", []byte("v"), longTTL) }()
	p.awaitSent(t, "first-call")

	qctx, cancel := context.WithCancel(ctx)
	queued := make(chan error, 1)
	go func() { queued <- r.Set(qctx, "queued-call", []byte("v"), longTTL) }()
	time.Sleep(20 * time.Millisecond) // let it queue
	cancel()
	select {
	case err := <-queued:
		if !errors.Is(err, context.Canceled) || !errors.Is(err, bot.ErrUnavailable) {
			t.Errorf("queued Set error = %v, want context.Canceled and ErrUnavailable", err)
		}
	case <-time.After(time.Second):
		t.Fatal("queued Set did not return when its context ended")
	}

	p.releaseReplies()
	if err := <-first; err != nil {
		t.Fatalf("first Set: %v", err)
	}
	// The flusher takes the cancelled call off the queue before this one.
	mustSet(t, r, "last-call", "v", longTTL)
	if p.sent("queued-call") {
		t.Error("the cancelled call's command was sent")
	}
	if _, err := direct.Get(ctx, "queued-call"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Get(queued-call) error = %v, want ErrNotFound", err)
	}
	if diff := cmp.Diff("v", mustGet(t, direct, "first-call")); diff != "" {
		t.Errorf("Get(first-call) mismatch (-want +got):\n%s", diff)
	}
}

// TestRedisCanceledBeforeCall checks that calls whose context has already
// ended send nothing.
func TestRedisCanceledBeforeCall(t *testing.T) {
	r := statetest.Redis(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	for i := range 100 {
		err := r.Set(ctx, fmt.Sprint("k", i), []byte("v"), longTTL)
		if !errors.Is(err, context.Canceled) || !errors.Is(err, bot.ErrUnavailable) {
			t.Fatalf("Set with an ended context: error = %v, want context.Canceled and ErrUnavailable", err)
		}
	}
	for i := range 100 {
		if _, err := r.Get(t.Context(), fmt.Sprint("k", i)); !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("Get(k%d) error = %v, want ErrNotFound", i, err)
		}
	}
}

// TestRedisDown checks that with nothing listening every one of many
// concurrent callers gets ErrUnavailable promptly.
func TestRedisDown(t *testing.T) {
	r, err := state.OpenRedis(t.Context(), "redis://"+closedPort(t)+"/0", state.RedisOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close() })
	start := time.Now()
	errs := manyCalls(t.Context(), r, 200)
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("the calls took %v, want < 2s", elapsed)
	}
	for i, err := range errs {
		if !errors.Is(err, bot.ErrUnavailable) {
			t.Errorf("caller %d: error = %v, want ErrUnavailable", i, err)
		}
	}
}

// TestRedisCloseInFlight checks that Close interrupts round trips in flight
// at once, that their callers get ErrUnavailable, and that later calls do
// too.
func TestRedisCloseInFlight(t *testing.T) {
	direct := statetest.Redis(t)
	p := newProxy(t, redisAddr(t))
	r, err := state.OpenRedis(t.Context(), p.url(t), state.RedisOptions{Prefix: direct.Prefix()})
	if err != nil {
		t.Fatal(err)
	}
	mustSet(t, r, "warm-up", "v", longTTL)

	p.holdReplies()
	defer p.releaseReplies()
	const callers = 50
	done := make(chan []error, 1)
	go func() { done <- manyCalls(context.Background(), r, callers) }()
	time.Sleep(100 * time.Millisecond) // all sent, replies held

	start := time.Now()
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 300*time.Millisecond {
		t.Errorf("Close took %v with calls in flight", elapsed)
	}
	select {
	case errs := <-done:
		for i, err := range errs {
			if !errors.Is(err, bot.ErrUnavailable) {
				t.Errorf("caller %d: error = %v, want ErrUnavailable", i, err)
			}
		}
	case <-time.After(time.Second):
		t.Fatal("calls in flight did not return after Close")
	}
	if _, err := r.Get(t.Context(), "warm-up"); !errors.Is(err, bot.ErrUnavailable) {
		t.Errorf("Get after Close error = %v, want ErrUnavailable", err)
	}
	if err := r.Complete(t.Context(), "k", nil, time.Minute); !errors.Is(err, bot.ErrUnavailable) {
		t.Errorf("Complete after Close error = %v, want ErrUnavailable", err)
	}
}

// TestRedisCloseUnderLoad closes a Redis that goroutines keep calling: each
// call succeeds or fails with ErrUnavailable, and none hangs.
func TestRedisCloseUnderLoad(t *testing.T) {
	direct := statetest.Redis(t)
	r, err := state.OpenRedis(t.Context(), statetest.RedisURL(t), state.RedisOptions{Prefix: direct.Prefix()})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			ctx := context.Background()
			k := bot.MessageKeys{Claim: fmt.Sprint("m", i), ClaimTTL: time.Minute, Get: []string{"x"}}
			for {
				_, err := r.ClaimMessage(ctx, k)
				if err == nil {
					err = r.Complete(ctx, k.Claim, nil, time.Minute)
				}
				if errors.Is(err, bot.ErrUnavailable) {
					return // closed
				}
				if err != nil {
					t.Errorf("caller %d: %v", i, err)
					return
				}
			}
		})
	}
	time.Sleep(200 * time.Millisecond)
	if err := r.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	waitGroupTimeout(t, &wg, 2*time.Second, "callers after Close")
}

// TestRedisNoGoroutineLeak checks that Close leaves no goroutine behind,
// whatever state the pipeliner was in.
func TestRedisNoGoroutineLeak(t *testing.T) {
	scenarios := []struct {
		name string
		run  func(t *testing.T)
	}{
		{"Idle", func(t *testing.T) {
			r, err := state.OpenRedis(t.Context(), statetest.RedisURL(t), state.RedisOptions{})
			if err != nil {
				t.Fatal(err)
			}
			_ = r.Close()
		}},
		{"AfterLoad", func(t *testing.T) {
			direct := statetest.Redis(t)
			r, err := state.OpenRedis(t.Context(), statetest.RedisURL(t), state.RedisOptions{Prefix: direct.Prefix()})
			if err != nil {
				t.Fatal(err)
			}
			for _, err := range manyCalls(t.Context(), r, 200) {
				if err != nil && !errors.Is(err, bot.ErrNotFound) {
					t.Error(err)
				}
			}
			_ = r.Close()
		}},
		{"Down", func(t *testing.T) {
			r, err := state.OpenRedis(t.Context(), "redis://"+closedPort(t)+"/0", state.RedisOptions{})
			if err != nil {
				t.Fatal(err)
			}
			manyCalls(t.Context(), r, 200)
			_ = r.Close()
		}},
		{"StalledInFlight", func(t *testing.T) {
			// Stalled round trips make stand-in flushers start.
			r, err := state.OpenRedis(t.Context(), "redis://"+silentServer(t)+"/0", state.RedisOptions{})
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan []error, 1)
			go func() { done <- manyCalls(context.Background(), r, 50) }()
			time.Sleep(100 * time.Millisecond)
			_ = r.Close()
			<-done
		}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			t.Run("run", sc.run) // its cleanups run before the count below
			var after int
			deadline := time.Now().Add(3 * time.Second)
			for {
				if after = runtime.NumGoroutine(); after <= before || time.Now().After(deadline) {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if after > before {
				buf := make([]byte, 1<<20)
				t.Errorf("%d goroutines before, %d after Close:\n%s", before, after, buf[:runtime.Stack(buf, true)])
			}
		})
	}
}

// manyCalls makes n concurrent calls of every kind but Lock and Unlock on
// s and returns their errors.
func manyCalls(ctx context.Context, s bot.State, n int) []error {
	errs := make([]error, n)
	var start, wg sync.WaitGroup
	start.Add(1)
	for i := range n {
		wg.Go(func() {
			start.Wait()
			key := fmt.Sprint("many-", i)
			switch i % 6 {
			case 0:
				_, errs[i] = s.ClaimMessage(ctx, bot.MessageKeys{Claim: key, ClaimTTL: time.Minute, Rate: key, RateWindow: time.Minute, Get: []string{key, "x"}})
			case 1:
				errs[i] = s.Complete(ctx, key, []byte("reply"), time.Minute)
			case 2:
				_, errs[i] = s.Get(ctx, key)
			case 3:
				errs[i] = s.Set(ctx, key, []byte("v"), time.Minute)
			case 4:
				_, errs[i] = s.Incr(ctx, key, time.Minute)
			case 5:
				_, _, _, errs[i] = s.Claim(ctx, key, time.Minute)
			}
		})
	}
	start.Done()
	wg.Wait()
	return errs
}

// waitGroupTimeout waits for wg, failing the test after d.
func waitGroupTimeout(t *testing.T, wg *sync.WaitGroup, d time.Duration, what string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s: still running after %v", what, d)
	}
}

// redisAddr returns the host:port of the test server, skipping the test
// unless it is a single node reached over plain TCP.
func redisAddr(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(statetest.RedisURL(t))
	if err != nil || u.Scheme != "redis" || u.Query().Has("addr") {
		t.Skipf("%s is not a redis:// URL of a single node", statetest.EnvURL)
	}
	return u.Host
}

// proxy forwards connections to a Redis server, recording what clients
// send, and can hold the server's replies back.
type proxy struct {
	target string
	l      net.Listener
	hold   sync.RWMutex // write-locked while replies are held
	mu     sync.Mutex
	conns  []net.Conn
	sentTo bytes.Buffer // everything clients sent
	wg     sync.WaitGroup
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{target: target, l: l}
	p.wg.Go(p.accept)
	t.Cleanup(func() {
		_ = l.Close()
		p.mu.Lock()
		for _, c := range p.conns {
			_ = c.Close()
		}
		p.mu.Unlock()
		p.wg.Wait()
	})
	return p
}

// url returns the test server's URL with the proxy's address.
func (p *proxy) url(t *testing.T) string {
	t.Helper()
	u, err := url.Parse(statetest.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	u.Host = p.l.Addr().String()
	return u.String()
}

func (p *proxy) accept() {
	for {
		client, err := p.l.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			_ = client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Go(func() {
			defer server.Close()
			defer client.Close()
			buf := make([]byte, 32<<10)
			for {
				n, err := client.Read(buf)
				if n > 0 {
					p.mu.Lock()
					p.sentTo.Write(buf[:n])
					p.mu.Unlock()
					if _, err := server.Write(buf[:n]); err != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		})
		p.wg.Go(func() {
			defer server.Close()
			defer client.Close()
			buf := make([]byte, 32<<10)
			for {
				n, err := server.Read(buf)
				if n > 0 {
					p.hold.RLock()
					_, werr := client.Write(buf[:n])
					p.hold.RUnlock()
					if werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		})
	}
}

func (p *proxy) holdReplies()    { p.hold.Lock() }
func (p *proxy) releaseReplies() { p.hold.Unlock() }

// sent reports whether a client has sent s.
func (p *proxy) sent(s string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Contains(p.sentTo.String(), s)
}

// awaitSent waits until a client has sent s.
func (p *proxy) awaitSent(t *testing.T, s string) {
	t.Helper()
	eventually(t, "send "+s, func() bool { return p.sent(s) })
}
