package state

import (
	"container/heap"
	"container/list"
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"time"

	"minqing/bot"
)

// DefaultMaxEntries is the capacity NewMemory uses when asked for less than
// one entry.
const DefaultMaxEntries = 100_000

var _ bot.State = (*Memory)(nil)

// Memory is an in-process bot.State for a single instance of the service.
//
// It holds at most maxEntries entries (values, claims, counters and locks
// together). When a new entry would exceed the bound, expired entries are
// dropped first and then the least recently used ones (reading or writing an
// entry uses it). In fact expired entries are removed at the start of every
// call, so nothing outlives its TTL for longer than the next call, and there
// is no background goroutine. An
// evicted claim or lock is forgotten like an expired one, so the bound should
// comfortably exceed the working set.
//
// TTLs are honoured exactly: an entry written at t with ttl d is visible
// before t+d and gone from t+d on. Memory is safe for concurrent use; every
// method is atomic. Methods never block on I/O and ignore their context.
type Memory struct {
	mu      sync.Mutex
	max     int
	now     func() time.Time
	entries map[string]*memEntry
	lru     list.List // of *memEntry, most recently used at the front
	expiry  expiryHeap
}

// memEntry is one key of any namespace.
type memEntry struct {
	key     string // namespaced
	value   []byte // value, claim result or lock token
	done    bool   // claims: Complete ran
	count   int64  // counters
	expires time.Time
	elem    *list.Element
	index   int // in Memory.expiry
}

// NewMemory returns an empty Memory holding at most maxEntries entries
// (DefaultMaxEntries if maxEntries < 1).
func NewMemory(maxEntries int) *Memory {
	return newMemory(maxEntries, time.Now)
}

// newMemory is NewMemory with an injected clock, for tests.
func newMemory(maxEntries int, now func() time.Time) *Memory {
	if maxEntries < 1 {
		maxEntries = DefaultMaxEntries
	}
	return &Memory{max: maxEntries, now: now, entries: make(map[string]*memEntry)}
}

// Len returns the number of entries, expired ones included until the next
// call removes them.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// Close does nothing and returns nil; Memory has no background work. It
// exists so that Memory and Redis can be closed alike.
func (m *Memory) Close() error { return nil }

// Get implements bot.State.
func (m *Memory) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.begin()
	e := m.lookup(nsValue + key)
	if e == nil {
		return nil, fmt.Errorf("state: get: %w", bot.ErrNotFound)
	}
	return clone(e.value), nil
}

// Set implements bot.State. It returns an error wrapping bot.ErrInvalid if
// ttl is not positive.
func (m *Memory) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if err := checkTTL("set", ttl); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.begin()
	e := m.store(nsValue+key, now.Add(ttl))
	e.value = clone(value)
	return nil
}

// Delete implements bot.State.
func (m *Memory) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.begin()
	if e := m.entries[nsValue+key]; e != nil {
		m.remove(e)
	}
	return nil
}

// Claim implements bot.State. It returns an error wrapping bot.ErrInvalid if
// ttl is not positive.
func (m *Memory) Claim(_ context.Context, key string, ttl time.Duration) (claimed, done bool, result []byte, err error) {
	if err := checkTTL("claim", ttl); err != nil {
		return false, false, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.begin()
	if e := m.lookup(nsClaim + key); e != nil {
		if e.done {
			return false, true, clone(e.value), nil
		}
		return false, false, nil, nil
	}
	e := m.store(nsClaim+key, now.Add(ttl))
	e.done, e.value = false, nil
	return true, false, nil, nil
}

// Complete implements bot.State. It returns an error wrapping bot.ErrInvalid
// if ttl is not positive.
func (m *Memory) Complete(_ context.Context, key string, result []byte, ttl time.Duration) error {
	if err := checkTTL("complete", ttl); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.begin()
	e := m.store(nsClaim+key, now.Add(ttl))
	e.done, e.value = true, clone(result)
	return nil
}

// Release implements bot.State.
func (m *Memory) Release(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.begin()
	if e := m.entries[nsClaim+key]; e != nil && !e.done {
		m.remove(e)
	}
	return nil
}

// Incr implements bot.State. It returns an error wrapping bot.ErrInvalid if
// window is not positive.
func (m *Memory) Incr(_ context.Context, key string, window time.Duration) (int64, error) {
	if err := checkTTL("incr", window); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.begin()
	if e := m.lookup(nsCount + key); e != nil {
		e.count++
		return e.count, nil
	}
	e := m.store(nsCount+key, now.Add(window))
	e.count = 1
	return 1, nil
}

// Lock implements bot.State. It returns an error wrapping bot.ErrInvalid if
// ttl is not positive.
func (m *Memory) Lock(_ context.Context, key string, ttl time.Duration) (string, error) {
	if err := checkTTL("lock", ttl); err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.begin()
	if m.lookup(nsLock+key) != nil {
		return "", fmt.Errorf("state: lock: %w", bot.ErrConflict)
	}
	token := rand.Text()
	e := m.store(nsLock+key, now.Add(ttl))
	e.value = []byte(token)
	return token, nil
}

// Unlock implements bot.State.
func (m *Memory) Unlock(_ context.Context, key, token string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.begin()
	if e := m.entries[nsLock+key]; e != nil && string(e.value) == token {
		m.remove(e)
	}
	return nil
}

// RenewClaim makes a pending claim expire ttl from now; it reports false
// (and does nothing) if key is not claimed or already completed. It
// returns an error wrapping bot.ErrInvalid if ttl is not positive.
func (m *Memory) RenewClaim(_ context.Context, key string, ttl time.Duration) (bool, error) {
	if err := checkTTL("renew claim", ttl); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.begin()
	e := m.lookup(nsClaim + key)
	if e == nil || e.done {
		return false, nil
	}
	m.store(nsClaim+key, now.Add(ttl))
	return true, nil
}

// SetOnce stores value under key for ttl unless key is already there; it
// reports whether it stored it and otherwise returns the value stored
// first. It has a namespace of its own. It returns an error wrapping
// bot.ErrInvalid if ttl is not positive.
func (m *Memory) SetOnce(_ context.Context, key string, value []byte, ttl time.Duration) (first bool, stored []byte, err error) {
	if err := checkTTL("set once", ttl); err != nil {
		return false, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.begin()
	if e := m.lookup(nsOnce + key); e != nil {
		return false, clone(e.value), nil
	}
	e := m.store(nsOnce+key, now.Add(ttl))
	e.value = clone(value)
	return true, nil, nil
}

// Ping implements bot.State; Memory is always reachable.
func (m *Memory) Ping(context.Context) error { return nil }

// begin reads the clock and removes every entry that has expired by then.
// m.mu must be held.
func (m *Memory) begin() time.Time {
	now := m.now()
	for len(m.expiry) > 0 && !now.Before(m.expiry[0].expires) {
		m.remove(m.expiry[0])
	}
	return now
}

// lookup returns the live entry for key and marks it used, or nil. m.mu must
// be held and begin called.
func (m *Memory) lookup(key string) *memEntry {
	e := m.entries[key]
	if e != nil {
		m.lru.MoveToFront(e.elem)
	}
	return e
}

// store returns the entry for key, created if needed (evicting the least
// recently used entry when full), marked used and expiring at expires. The
// caller sets its payload. m.mu must be held and begin called.
func (m *Memory) store(key string, expires time.Time) *memEntry {
	if e := m.entries[key]; e != nil {
		e.expires = expires
		heap.Fix(&m.expiry, e.index)
		m.lru.MoveToFront(e.elem)
		return e
	}
	for len(m.entries) >= m.max {
		m.remove(m.lru.Back().Value.(*memEntry))
	}
	e := &memEntry{key: key, expires: expires}
	e.elem = m.lru.PushFront(e)
	heap.Push(&m.expiry, e)
	m.entries[key] = e
	return e
}

// remove drops e from every index. m.mu must be held.
func (m *Memory) remove(e *memEntry) {
	delete(m.entries, e.key)
	m.lru.Remove(e.elem)
	heap.Remove(&m.expiry, e.index)
}

// clone returns a copy of b that is never nil, so that an empty value or
// result reads back as empty rather than missing.
func clone(b []byte) []byte {
	return append([]byte{}, b...)
}

// expiryHeap orders entries by expiry, earliest first.
type expiryHeap []*memEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires.Before(h[j].expires) }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *expiryHeap) Push(x any) {
	e := x.(*memEntry)
	e.index = len(*h)
	*h = append(*h, e)
}

func (h *expiryHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	e.index = -1
	return e
}
