package state_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
	"minqing/storage/state"
	"minqing/storage/state/statetest"
)

func TestMemory(t *testing.T) {
	runConformance(t, func(t *testing.T) bot.State {
		m := state.NewMemory(1000)
		t.Cleanup(func() { _ = m.Close() })
		return m
	})
}

func TestRedis(t *testing.T) {
	statetest.RedisURL(t) // skip (or fail in CI) once, not per subtest
	runConformance(t, func(t *testing.T) bot.State { return statetest.Redis(t) })
}

// TestRedisCluster runs the suite on a Redis Cluster: every key may live on
// another master, and ClaimMessage's pipeline is split across them.
func TestRedisCluster(t *testing.T) {
	statetest.ClusterURL(t)
	runConformance(t, func(t *testing.T) bot.State { return statetest.Cluster(t) })
}

// Short TTLs for expiry tests, and how long to wait for an expiry at most.
const (
	shortTTL = 100 * time.Millisecond
	longTTL  = time.Minute
	patience = 3 * time.Second
)

// runConformance checks that the bot.State returned by newState honours
// every documented contract. newState is called once per subtest and must
// return an empty store (or one whose keys no other test uses).
func runConformance(t *testing.T, newState func(t *testing.T) bot.State) {
	tests := []struct {
		name string
		run  func(t *testing.T, s bot.State)
	}{
		{"GetMissing", testGetMissing},
		{"SetGet", testSetGet},
		{"SetEmptyValue", testSetEmptyValue},
		{"SetReplaces", testSetReplaces},
		{"SetExpires", testSetExpires},
		{"ValuesAreCopied", testValuesAreCopied},
		{"NonPositiveTTL", testNonPositiveTTL},
		{"Delete", testDelete},
		{"ClaimLifecycle", testClaimLifecycle},
		{"ClaimEmptyResult", testClaimEmptyResult},
		{"ReleaseThenClaim", testReleaseThenClaim},
		{"ReleaseAfterComplete", testReleaseAfterComplete},
		{"ReleaseMissing", testReleaseMissing},
		{"CompleteWithoutClaim", testCompleteWithoutClaim},
		{"ClaimExpires", testClaimExpires},
		{"CompleteExpires", testCompleteExpires},
		{"ClaimRace", testClaimRace},
		{"Incr", testIncr},
		{"IncrWindow", testIncrWindow},
		{"IncrRace", testIncrRace},
		{"Lock", testLock},
		{"UnlockMissing", testUnlockMissing},
		{"LockExpires", testLockExpires},
		{"LockRace", testLockRace},
		{"Namespaces", testNamespaces},
		{"Ping", testPing},
		{"ClaimMessage", testClaimMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newState(t))
		})
	}
}

func testGetMissing(t *testing.T, s bot.State) {
	_, err := s.Get(t.Context(), "missing")
	if !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("Get(missing) error = %v, want ErrNotFound", err)
	}
}

func testSetGet(t *testing.T, s bot.State) {
	for _, v := range []string{"v1", "民情 ✅", "\x00\xff binary\n"} {
		mustSet(t, s, "k", v, longTTL)
		if diff := cmp.Diff(v, mustGet(t, s, "k")); diff != "" {
			t.Errorf("Get mismatch (-want +got):\n%s", diff)
		}
	}
}

func testSetEmptyValue(t *testing.T, s bot.State) {
	mustSet(t, s, "k", "", longTTL)
	if diff := cmp.Diff("", mustGet(t, s, "k")); diff != "" {
		t.Errorf("Get mismatch (-want +got):\n%s", diff)
	}
}

func testSetReplaces(t *testing.T, s bot.State) {
	mustSet(t, s, "k", "old", shortTTL)
	mustSet(t, s, "k", "new", longTTL)
	if diff := cmp.Diff("new", mustGet(t, s, "k")); diff != "" {
		t.Errorf("Get mismatch (-want +got):\n%s", diff)
	}
	// The TTL is replaced too: the value outlives the first TTL.
	time.Sleep(2 * shortTTL)
	if diff := cmp.Diff("new", mustGet(t, s, "k")); diff != "" {
		t.Errorf("Get after the first TTL mismatch (-want +got):\n%s", diff)
	}
}

func testSetExpires(t *testing.T, s bot.State) {
	ctx := t.Context()
	start := time.Now()
	mustSet(t, s, "k", "v", shortTTL)
	if _, err := s.Get(ctx, "k"); err != nil && time.Since(start) < shortTTL {
		t.Fatalf("Get before the TTL: %v", err)
	}
	eventually(t, "the value expires", func() bool {
		_, err := s.Get(ctx, "k")
		if err != nil && !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("Get: %v", err)
		}
		return err != nil
	})
}

func testValuesAreCopied(t *testing.T, s bot.State) {
	ctx := t.Context()
	in := []byte("abc")
	if err := s.Set(ctx, "k", in, longTTL); err != nil {
		t.Fatal(err)
	}
	in[0] = 'x'
	out, err := s.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	out[0] = 'y'
	if diff := cmp.Diff("abc", mustGet(t, s, "k")); diff != "" {
		t.Errorf("Get mismatch (-want +got):\n%s", diff)
	}
}

func testNonPositiveTTL(t *testing.T, s bot.State) {
	ctx := t.Context()
	for _, ttl := range []time.Duration{0, -time.Second} {
		calls := []struct {
			name string
			call func() error
		}{
			{"Set", func() error { return s.Set(ctx, "k", []byte("v"), ttl) }},
			{"Claim", func() error { _, _, _, err := s.Claim(ctx, "k", ttl); return err }},
			{"Complete", func() error { return s.Complete(ctx, "k", nil, ttl) }},
			{"Incr", func() error { _, err := s.Incr(ctx, "k", ttl); return err }},
			{"Lock", func() error { _, err := s.Lock(ctx, "k", ttl); return err }},
		}
		for _, c := range calls {
			if err := c.call(); !errors.Is(err, bot.ErrInvalid) {
				t.Errorf("%s(ttl %v) error = %v, want ErrInvalid", c.name, ttl, err)
			}
		}
	}
}

func testDelete(t *testing.T, s bot.State) {
	ctx := t.Context()
	if err := s.Delete(ctx, "missing"); err != nil {
		t.Fatalf("Delete(missing): %v", err)
	}
	mustSet(t, s, "k", "v", longTTL)
	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := s.Get(ctx, "k"); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("Get after Delete error = %v, want ErrNotFound", err)
	}
}

// claimed, pending and done are the outcomes Claim can report.
var (
	claimed = outcome{Claimed: true}
	pending = outcome{}
)

func done(result string) outcome { return outcome{Done: true, Result: result} }

// outcome is what Claim returned, comparable with cmp.
type outcome struct {
	Claimed, Done bool
	Result        string
}

func testClaimLifecycle(t *testing.T, s bot.State) {
	ctx := t.Context()
	checkClaim(t, s, "k", longTTL, claimed)
	checkClaim(t, s, "k", longTTL, pending)
	if err := s.Complete(ctx, "k", []byte("reply"), longTTL); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	checkClaim(t, s, "k", longTTL, done("reply"))
	checkClaim(t, s, "k", longTTL, done("reply"))
	checkClaim(t, s, "other", longTTL, claimed)
}

func testClaimEmptyResult(t *testing.T, s bot.State) {
	ctx := t.Context()
	for key, result := range map[string][]byte{"empty": {}, "nil": nil} {
		checkClaim(t, s, key, longTTL, claimed)
		if err := s.Complete(ctx, key, result, longTTL); err != nil {
			t.Fatalf("Complete: %v", err)
		}
		checkClaim(t, s, key, longTTL, done(""))
		mustRelease(t, s, key) // does nothing once completed
		checkClaim(t, s, key, longTTL, done(""))
	}
}

func testReleaseThenClaim(t *testing.T, s bot.State) {
	checkClaim(t, s, "k", longTTL, claimed)
	mustRelease(t, s, "k")
	checkClaim(t, s, "k", longTTL, claimed)
	checkClaim(t, s, "k", longTTL, pending)
}

func testReleaseAfterComplete(t *testing.T, s bot.State) {
	checkClaim(t, s, "k", longTTL, claimed)
	if err := s.Complete(t.Context(), "k", []byte("reply"), longTTL); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	mustRelease(t, s, "k")
	checkClaim(t, s, "k", longTTL, done("reply"))
}

func testReleaseMissing(t *testing.T, s bot.State) {
	mustRelease(t, s, "missing")
	checkClaim(t, s, "missing", longTTL, claimed)
}

func testCompleteWithoutClaim(t *testing.T, s bot.State) {
	if err := s.Complete(t.Context(), "k", []byte("reply"), longTTL); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	checkClaim(t, s, "k", longTTL, done("reply"))
}

func testClaimExpires(t *testing.T, s bot.State) {
	start := time.Now()
	checkClaim(t, s, "k", shortTTL, claimed)
	if got := claim(t, s, "k", longTTL); got != pending && time.Since(start) < shortTTL {
		t.Fatalf("second Claim before the TTL = %+v, want pending", got)
	}
	eventually(t, "the claim expires", func() bool {
		return claim(t, s, "k", longTTL) == claimed
	})
	checkClaim(t, s, "k", longTTL, pending)
}

func testCompleteExpires(t *testing.T, s bot.State) {
	start := time.Now()
	if err := s.Complete(t.Context(), "k", []byte("reply"), shortTTL); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if got := claim(t, s, "k", longTTL); got != done("reply") && time.Since(start) < shortTTL {
		t.Fatalf("Claim before the TTL = %+v, want done", got)
	}
	eventually(t, "the result expires", func() bool {
		return claim(t, s, "k", longTTL) == claimed
	})
}

func testClaimRace(t *testing.T, s bot.State) {
	got := race(t, func() (outcome, error) {
		c, d, r, err := s.Claim(t.Context(), "k", longTTL)
		return outcome{c, d, string(r)}, err
	})
	want := append([]outcome{claimed}, slices.Repeat([]outcome{pending}, racers-1)...)
	slices.SortFunc(got, func(a, b outcome) int {
		if a.Claimed == b.Claimed {
			return 0
		}
		if a.Claimed {
			return -1
		}
		return 1
	})
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("concurrent Claims mismatch (-want +got):\n%s", diff)
	}
}

func testIncr(t *testing.T, s bot.State) {
	var got []int64
	for range 3 {
		got = append(got, mustIncr(t, s, "k", longTTL))
	}
	got = append(got, mustIncr(t, s, "other", longTTL))
	if diff := cmp.Diff([]int64{1, 2, 3, 1}, got); diff != "" {
		t.Errorf("Incr mismatch (-want +got):\n%s", diff)
	}
}

func testIncrWindow(t *testing.T, s bot.State) {
	if n := mustIncr(t, s, "k", shortTTL); n != 1 {
		t.Fatalf("first Incr = %d, want 1", n)
	}
	// Increments do not extend a fixed window, so polling cannot keep the
	// counter alive: it restarts at 1 once the window has passed.
	last := int64(1)
	eventually(t, "the window ends", func() bool {
		n := mustIncr(t, s, "k", shortTTL)
		if n != 1 && n != last+1 {
			t.Fatalf("Incr = %d after %d", n, last)
		}
		last = n
		return n == 1
	})
}

func testIncrRace(t *testing.T, s bot.State) {
	got := race(t, func() (int64, error) { return s.Incr(t.Context(), "k", longTTL) })
	slices.Sort(got)
	want := make([]int64, racers)
	for i := range want {
		want[i] = int64(i + 1)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("concurrent Incrs mismatch (-want +got):\n%s", diff)
	}
}

func testLock(t *testing.T, s bot.State) {
	ctx := t.Context()
	tok1 := mustLock(t, s, "k", longTTL)
	if tok1 == "" {
		t.Fatal("Lock returned an empty token")
	}
	checkLocked(t, s, "k")
	if err := s.Unlock(ctx, "k", "wrong"+tok1); err != nil {
		t.Fatalf("Unlock(wrong token): %v", err)
	}
	checkLocked(t, s, "k")
	if err := s.Unlock(ctx, "k", tok1); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	tok2 := mustLock(t, s, "k", longTTL)
	if tok2 == tok1 {
		t.Errorf("second Lock returned the first token again")
	}
	// A stale holder's Unlock must not release the new holder's lock.
	if err := s.Unlock(ctx, "k", tok1); err != nil {
		t.Fatalf("Unlock(stale token): %v", err)
	}
	checkLocked(t, s, "k")
	mustLock(t, s, "other", longTTL)
}

func testUnlockMissing(t *testing.T, s bot.State) {
	if err := s.Unlock(t.Context(), "missing", "token"); err != nil {
		t.Fatalf("Unlock(missing): %v", err)
	}
}

func testLockExpires(t *testing.T, s bot.State) {
	ctx := t.Context()
	start := time.Now()
	tok1 := mustLock(t, s, "k", shortTTL)
	if _, err := s.Lock(ctx, "k", longTTL); !errors.Is(err, bot.ErrConflict) && time.Since(start) < shortTTL {
		t.Fatalf("Lock while held error = %v, want ErrConflict", err)
	}
	var tok2 string
	eventually(t, "the lock expires", func() bool {
		tok, err := s.Lock(ctx, "k", longTTL)
		if err != nil && !errors.Is(err, bot.ErrConflict) {
			t.Fatalf("Lock: %v", err)
		}
		tok2 = tok
		return err == nil
	})
	if err := s.Unlock(ctx, "k", tok1); err != nil {
		t.Fatalf("Unlock(expired token): %v", err)
	}
	checkLocked(t, s, "k")
	if err := s.Unlock(ctx, "k", tok2); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
}

func testLockRace(t *testing.T, s bot.State) {
	got := race(t, func() (bool, error) {
		_, err := s.Lock(t.Context(), "k", longTTL)
		if errors.Is(err, bot.ErrConflict) {
			return false, nil
		}
		return err == nil, err
	})
	if n := len(slices.DeleteFunc(got, func(won bool) bool { return !won })); n != 1 {
		t.Errorf("%d of %d concurrent Locks succeeded, want 1", n, racers)
	}
}

func testNamespaces(t *testing.T, s bot.State) {
	ctx := t.Context()
	mustSet(t, s, "k", "v", longTTL)
	checkClaim(t, s, "k", longTTL, claimed)
	if n := mustIncr(t, s, "k", longTTL); n != 1 {
		t.Errorf("Incr = %d, want 1", n)
	}
	tok := mustLock(t, s, "k", longTTL)
	if diff := cmp.Diff("v", mustGet(t, s, "k")); diff != "" {
		t.Errorf("Get mismatch (-want +got):\n%s", diff)
	}
	if err := s.Delete(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	checkClaim(t, s, "k", longTTL, pending)
	checkLocked(t, s, "k")
	if n := mustIncr(t, s, "k", longTTL); n != 2 {
		t.Errorf("Incr = %d, want 2", n)
	}
	mustRelease(t, s, "k")
	if err := s.Unlock(ctx, "k", tok); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "k"); !errors.Is(err, bot.ErrNotFound) {
		t.Errorf("Get after Delete error = %v, want ErrNotFound", err)
	}
}

func testPing(t *testing.T, s bot.State) {
	if err := s.Ping(t.Context()); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

// racers is how many goroutines race in the concurrency tests.
const racers = 50

// race calls f from racers goroutines released at once and returns the
// results in no particular order.
func race[T any](t *testing.T, f func() (T, error)) []T {
	t.Helper()
	var (
		start sync.WaitGroup
		wg    sync.WaitGroup
		mu    sync.Mutex
		got   []T
	)
	start.Add(1)
	for range racers {
		wg.Go(func() {
			start.Wait()
			v, err := f()
			if err != nil {
				t.Errorf("racing call: %v", err)
				return
			}
			mu.Lock()
			got = append(got, v)
			mu.Unlock()
		})
	}
	start.Done()
	wg.Wait()
	return got
}

// eventually polls cond until it holds, failing the test after patience.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(patience)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: did not happen within %v", what, patience)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func mustSet(t *testing.T, s bot.State, key, value string, ttl time.Duration) {
	t.Helper()
	if err := s.Set(t.Context(), key, []byte(value), ttl); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func mustGet(t *testing.T, s bot.State, key string) string {
	t.Helper()
	v, err := s.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return string(v)
}

func mustRelease(t *testing.T, s bot.State, key string) {
	t.Helper()
	if err := s.Release(t.Context(), key); err != nil {
		t.Fatalf("Release(%q): %v", key, err)
	}
}

func mustIncr(t *testing.T, s bot.State, key string, window time.Duration) int64 {
	t.Helper()
	n, err := s.Incr(t.Context(), key, window)
	if err != nil {
		t.Fatalf("Incr(%q): %v", key, err)
	}
	return n
}

func mustLock(t *testing.T, s bot.State, key string, ttl time.Duration) string {
	t.Helper()
	tok, err := s.Lock(t.Context(), key, ttl)
	if err != nil {
		t.Fatalf("Lock(%q): %v", key, err)
	}
	return tok
}

// checkLocked fails the test unless key is locked.
func checkLocked(t *testing.T, s bot.State, key string) {
	t.Helper()
	if _, err := s.Lock(t.Context(), key, longTTL); !errors.Is(err, bot.ErrConflict) {
		t.Fatalf("Lock(%q) while held error = %v, want ErrConflict", key, err)
	}
}

func claim(t *testing.T, s bot.State, key string, ttl time.Duration) outcome {
	t.Helper()
	c, d, r, err := s.Claim(t.Context(), key, ttl)
	if err != nil {
		t.Fatalf("Claim(%q): %v", key, err)
	}
	if !d && r != nil {
		t.Errorf("Claim(%q) returned a result %q without done", key, r)
	}
	return outcome{c, d, string(r)}
}

func checkClaim(t *testing.T, s bot.State, key string, ttl time.Duration, want outcome) {
	t.Helper()
	if diff := cmp.Diff(want, claim(t, s, key, ttl)); diff != "" {
		t.Errorf("Claim(%q) mismatch (-want +got):\n%s", key, diff)
	}
}

func testClaimMessage(t *testing.T, s bot.State) {
	ctx := context.Background()
	k := bot.MessageKeys{Claim: "m1", ClaimTTL: time.Minute, Rate: "r1", RateWindow: time.Minute, Get: []string{"d1", "d2"}}
	got, err := s.ClaimMessage(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(bot.MessageClaim{Claimed: true, Count: 1, Values: [][]byte{nil, nil}}, got); diff != "" {
		t.Errorf("first ClaimMessage mismatch (-want +got):\n%s", diff)
	}
	if err := s.Set(ctx, "d1", []byte(`{"flow":"x"}`), time.Minute); err != nil {
		t.Fatal(err)
	}
	// Another delivery while the first is pending.
	got, err = s.ClaimMessage(ctx, k)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(bot.MessageClaim{Count: 2, Values: [][]byte{[]byte(`{"flow":"x"}`), nil}}, got); diff != "" {
		t.Errorf("pending ClaimMessage mismatch (-want +got):\n%s", diff)
	}
	if err := s.Complete(ctx, "m1", []byte("reply"), time.Minute); err != nil {
		t.Fatal(err)
	}
	got, err = s.ClaimMessage(ctx, bot.MessageKeys{Claim: "m1", ClaimTTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(bot.MessageClaim{Done: true, Result: []byte("reply"), Values: [][]byte{}}, got); diff != "" {
		t.Errorf("done ClaimMessage mismatch (-want +got):\n%s", diff)
	}
	// The keys are the same as the single calls'.
	if n, err := s.Incr(ctx, "r1", time.Minute); err != nil || n != 3 {
		t.Errorf("Incr after two ClaimMessage = %d, %v; want 3", n, err)
	}
	if _, err := s.ClaimMessage(ctx, bot.MessageKeys{Claim: "m2"}); !errors.Is(err, bot.ErrInvalid) {
		t.Errorf("ClaimMessage without a TTL = %v, want ErrInvalid", err)
	}
}
