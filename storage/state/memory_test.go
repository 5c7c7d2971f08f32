package state

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
)

// fakeClock is a settable clock for newMemory.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func newTestMemory(maxEntries int) (*Memory, *fakeClock) {
	c := &fakeClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
	return newMemory(maxEntries, c.now), c
}

// TestMemoryTTLExact checks that every kind of entry is visible until just
// before its TTL ends and gone exactly when it ends.
func TestMemoryTTLExact(t *testing.T) {
	const ttl = 10 * time.Second
	ctx := context.Background()
	tests := []struct {
		name  string
		write func(m *Memory) error
		alive func(m *Memory) bool
	}{
		{
			"Set",
			func(m *Memory) error { return m.Set(ctx, "k", []byte("v"), ttl) },
			func(m *Memory) bool { _, err := m.Get(ctx, "k"); return err == nil },
		},
		{
			"Claim",
			func(m *Memory) error { _, _, _, err := m.Claim(ctx, "k", ttl); return err },
			func(m *Memory) bool { c, _, _, _ := m.Claim(ctx, "k", time.Hour); return !c },
		},
		{
			"Complete",
			func(m *Memory) error { return m.Complete(ctx, "k", nil, ttl) },
			func(m *Memory) bool { _, d, _, _ := m.Claim(ctx, "k", time.Hour); return d },
		},
		{
			"Incr",
			func(m *Memory) error { _, err := m.Incr(ctx, "k", ttl); return err },
			func(m *Memory) bool { n, _ := m.Incr(ctx, "k", time.Hour); return n > 1 },
		},
		{
			"Lock",
			func(m *Memory) error { _, err := m.Lock(ctx, "k", ttl); return err },
			func(m *Memory) bool { _, err := m.Lock(ctx, "k", time.Hour); return errors.Is(err, bot.ErrConflict) },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, tc := range []struct {
				after time.Duration
				alive bool
			}{
				{ttl - time.Nanosecond, true},
				{ttl, false},
			} {
				m, clock := newTestMemory(10)
				if err := tt.write(m); err != nil {
					t.Fatal(err)
				}
				clock.advance(tc.after)
				if got := tt.alive(m); got != tc.alive {
					t.Errorf("alive after %v = %v, want %v", tc.after, got, tc.alive)
				}
			}
		})
	}
}

// TestMemoryEviction checks the bound: expired entries go first, then the
// least recently used.
func TestMemoryEviction(t *testing.T) {
	ctx := context.Background()
	m, _ := newTestMemory(3)
	set := func(key string, ttl time.Duration) {
		t.Helper()
		if err := m.Set(ctx, key, []byte(key), ttl); err != nil {
			t.Fatal(err)
		}
	}
	present := func() []string {
		var keys []string
		for _, k := range []string{"a", "b", "c", "d", "e", "f"} {
			if _, err := m.Get(ctx, k); err == nil {
				keys = append(keys, k)
			}
		}
		return keys
	}

	set("a", time.Hour)
	set("b", time.Hour)
	set("c", time.Hour)
	if _, err := m.Get(ctx, "a"); err != nil { // a is now used more recently than b
		t.Fatal(err)
	}
	set("d", time.Hour) // evicts b, the least recently used
	if diff := cmp.Diff([]string{"a", "c", "d"}, present()); diff != "" {
		t.Errorf("after LRU eviction, entries mismatch (-want +got):\n%s", diff)
	}

	m, clock := newTestMemory(3)
	set("a", time.Hour)
	set("b", time.Minute)
	set("c", time.Hour)
	clock.advance(time.Minute) // b expires; a is the least recently used
	set("d", time.Hour)        // takes b's place: a survives
	if diff := cmp.Diff([]string{"a", "c", "d"}, present()); diff != "" {
		t.Errorf("after expiry, entries mismatch (-want +got):\n%s", diff)
	}
	set("e", time.Hour) // a, c, d were just read in that order: a goes
	if diff := cmp.Diff([]string{"c", "d", "e"}, present()); diff != "" {
		t.Errorf("after a second LRU eviction, entries mismatch (-want +got):\n%s", diff)
	}

	// All namespaces share the bound.
	if _, err := m.Incr(ctx, "n", time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Lock(ctx, "l", time.Hour); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(3, m.Len()); diff != "" {
		t.Errorf("Len mismatch (-want +got):\n%s", diff)
	}
}

func TestMemoryExpiredRemovedOnNextCall(t *testing.T) {
	ctx := context.Background()
	m, clock := newTestMemory(10)
	for _, k := range []string{"a", "b", "c"} {
		if err := m.Set(ctx, k, []byte("v"), time.Second); err != nil {
			t.Fatal(err)
		}
	}
	clock.advance(time.Second)
	if err := m.Delete(ctx, "unrelated"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(0, m.Len()); diff != "" {
		t.Errorf("Len mismatch (-want +got):\n%s", diff)
	}
}

func TestNewMemoryDefaultBound(t *testing.T) {
	for _, n := range []int{0, -1} {
		if got := NewMemory(n).max; got != DefaultMaxEntries {
			t.Errorf("NewMemory(%d) bound = %d, want %d", n, got, DefaultMaxEntries)
		}
	}
}

// TestMemoryByteBudget checks the byte budget: the least recently used
// entries go when the bytes would exceed it, and the count follows removals.
func TestMemoryByteBudget(t *testing.T) {
	ctx := context.Background()
	per := int64(EntryOverhead + len(nsValue) + 1 + 16) // key "k" + 16-byte value (a size class: no rounding)
	m := newMemory(100, time.Now)
	m.maxBytes = 3 * per
	for _, k := range []string{"a", "b", "c", "d"} {
		if err := m.Set(ctx, k, []byte("0123456789abcdef"), time.Hour); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Get(ctx, "a"); err == nil {
		t.Errorf("a, the least recently used, survived a write over the byte budget")
	}
	for _, k := range []string{"b", "c", "d"} {
		if _, err := m.Get(ctx, k); err != nil {
			t.Errorf("Get(%q): %v", k, err)
		}
	}
	if diff := cmp.Diff(3*per, m.Bytes()); diff != "" {
		t.Errorf("Bytes mismatch (-want +got):\n%s", diff)
	}
	if err := m.Delete(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(2*per, m.Bytes()); diff != "" {
		t.Errorf("Bytes after Delete mismatch (-want +got):\n%s", diff)
	}
}
