package state

import (
	"container/heap"
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
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
// together) and, if it has a byte budget (NewMemorySized), at most about
// maxBytes bytes of them: keys, values and the bookkeeping of each entry
// (EntryOverhead), which is what the process's heap pays for them. When a
// write would exceed either bound, expired entries are dropped first and
// then the least recently used ones (reading or writing an entry uses it).
// In fact expired entries are removed at the start of every call, so
// nothing outlives its TTL for longer than the next call, and there is no
// background goroutine. An evicted claim or lock is forgotten like an
// expired one, so the bounds should comfortably exceed the working set.
//
// TTLs are honoured exactly: an entry written at t with ttl d is visible
// before t+d and gone from t+d on. Memory is safe for concurrent use; every
// method is atomic. Methods never block on I/O and ignore their context.
type Memory struct {
	mu       sync.Mutex
	max      int
	maxBytes int64 // 0: no byte budget
	bytes    int64 // the cost of every entry
	now      func() time.Time
	entries  map[string]*memEntry
	// The least recently used list, threaded through the entries (no
	// list element of its own per entry): most recently used at head.
	head, tail *memEntry
	expiry     expiryHeap
}

// memEntry is one key of any namespace. It is kept small: a webhook burst
// leaves one claim per message in the store.
type memEntry struct {
	key        string               // namespaced
	value      []byte               // value, claim result or lock token
	queue      map[string]time.Time // queues: member → due
	count      int64                // counters
	expires    int64                // Unix nanoseconds
	prev, next *memEntry            // the LRU list
	index      int32                // in Memory.expiry
	size       int32                // what the entry counts against maxBytes
	done       bool                 // claims: Complete ran
}

// EntryOverhead is what an entry costs beyond its key and value bytes: the
// entry itself, its slots in the map and the expiry heap, and the rounding
// of allocations (measured on amd64 with a store of a hundred thousand
// claims). The byte budget counts it for every entry.
const EntryOverhead = 176

// queueMemberOverhead is what a queue member costs beyond its bytes (its
// map slot with the due time).
const queueMemberOverhead = 64

// NewMemory returns an empty Memory holding at most maxEntries entries
// (DefaultMaxEntries if maxEntries < 1), with no byte budget.
func NewMemory(maxEntries int) *Memory {
	return newMemory(maxEntries, time.Now)
}

// NewMemorySized returns an empty Memory holding at most maxEntries entries
// (DefaultMaxEntries if maxEntries < 1) and at most about maxBytes bytes
// of them (no byte budget if maxBytes < 1). The byte budget is what bounds
// the memory of a busy store: a claim costs a few hundred bytes, a dialog
// more.
func NewMemorySized(maxEntries int, maxBytes int64) *Memory {
	m := newMemory(maxEntries, time.Now)
	m.maxBytes = max(maxBytes, 0)
	return m
}

// Bytes returns what the entries count against the byte budget, expired
// ones included until the next call removes them.
func (m *Memory) Bytes() int64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.bytes
}

// NewMemoryClock is NewMemory on the given clock, for tests that move time
// on (the expiry of link keys after days, say).
func NewMemoryClock(maxEntries int, now func() time.Time) *Memory {
	return newMemory(maxEntries, now)
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
	m.fit(e)
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
	m.fit(e)
	return true, false, nil, nil
}

// CompleteAsync is Complete (in process there is nothing to wait for);
// failed, if not nil, gets its error.
func (m *Memory) CompleteAsync(key string, result []byte, ttl time.Duration, failed func(error)) {
	if err := m.Complete(context.Background(), key, result, ttl); err != nil && failed != nil {
		failed(err)
	}
}

// SetAsync is Set; failed, if not nil, gets its error.
func (m *Memory) SetAsync(key string, value []byte, ttl time.Duration, failed func(error)) {
	if err := m.Set(context.Background(), key, value, ttl); err != nil && failed != nil {
		failed(err)
	}
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
	m.fit(e)
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
	m.fit(e)
	return 1, nil
}

// SetNX implements bot.State. It returns an error wrapping bot.ErrInvalid if
// ttl is not positive.
func (m *Memory) SetNX(_ context.Context, key string, value []byte, ttl time.Duration) (bool, []byte, error) {
	return m.setFirst("setnx", nsValue+key, value, ttl)
}

// Schedule implements bot.State. It returns an error wrapping
// bot.ErrInvalid if ttl is not positive.
func (m *Memory) Schedule(_ context.Context, key, member string, due time.Time, ttl time.Duration) error {
	if err := checkTTL("schedule", ttl); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.begin()
	e := m.lookup(nsQueue + key)
	if e == nil {
		e = m.store(nsQueue+key, now.Add(ttl))
		e.queue = map[string]time.Time{}
	} else {
		m.store(nsQueue+key, now.Add(ttl))
	}
	// Redis keeps scores in milliseconds.
	e.queue[member] = due.Truncate(time.Millisecond)
	m.fit(e)
	return nil
}

// DueMembers implements bot.State.
func (m *Memory) DueMembers(_ context.Context, key string, before time.Time, limit int) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.begin()
	e := m.lookup(nsQueue + key)
	if e == nil || limit <= 0 {
		return nil, nil
	}
	var out []string
	for member, due := range e.queue {
		if !due.After(before.Truncate(time.Millisecond)) {
			out = append(out, member)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if c := e.queue[a].Compare(e.queue[b]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Unschedule implements bot.State.
func (m *Memory) Unschedule(_ context.Context, key, member string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.begin()
	if e := m.entries[nsQueue+key]; e != nil {
		delete(e.queue, member)
		if len(e.queue) == 0 {
			m.remove(e)
		} else {
			m.fit(e)
		}
	}
	return nil
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
	m.fit(e)
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
	return m.setFirst("set once", nsOnce+key, value, ttl)
}

// setFirst stores value under the namespaced key k for ttl unless k is
// already there, as SetNX and SetOnce do in their namespaces.
func (m *Memory) setFirst(op, k string, value []byte, ttl time.Duration) (bool, []byte, error) {
	if err := checkTTL(op, ttl); err != nil {
		return false, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.begin()
	if e := m.lookup(k); e != nil {
		return false, clone(e.value), nil
	}
	e := m.store(k, now.Add(ttl))
	e.value = clone(value)
	m.fit(e)
	return true, nil, nil
}

// Ping implements bot.State; Memory is always reachable.
func (m *Memory) Ping(context.Context) error { return nil }

// begin reads the clock and removes every entry that has expired by then.
// m.mu must be held.
func (m *Memory) begin() time.Time {
	now := m.now()
	n := now.UnixNano()
	for len(m.expiry) > 0 && n >= m.expiry[0].expires {
		m.remove(m.expiry[0])
	}
	return now
}

// lookup returns the live entry for key and marks it used, or nil. m.mu must
// be held and begin called.
func (m *Memory) lookup(key string) *memEntry {
	e := m.entries[key]
	if e != nil {
		m.touch(e)
	}
	return e
}

// store returns the entry for key, created if needed (evicting the least
// recently used entry when full), marked used and expiring at expires. The
// caller sets its payload, then calls fit. m.mu must be held and begin
// called.
func (m *Memory) store(key string, expires time.Time) *memEntry {
	if e := m.entries[key]; e != nil {
		e.expires = expires.UnixNano()
		heap.Fix(&m.expiry, int(e.index))
		m.touch(e)
		return e
	}
	for len(m.entries) >= m.max {
		m.remove(m.tail)
	}
	e := &memEntry{key: key, expires: expires.UnixNano()}
	m.pushFront(e)
	heap.Push(&m.expiry, e)
	m.entries[key] = e
	return e
}

// fit counts e's payload, just written, against the byte budget and evicts
// the least recently used other entries while the store is over it (e, the
// most recently used, stays even if it alone is over). m.mu must be held.
func (m *Memory) fit(e *memEntry) {
	size := int64(EntryOverhead + len(e.key) + cap(e.value))
	for member := range e.queue {
		size += int64(queueMemberOverhead + len(member))
	}
	size = min(size, 1<<31-1)
	m.bytes += size - int64(e.size)
	e.size = int32(size)
	for m.maxBytes > 0 && m.bytes > m.maxBytes && m.tail != e {
		m.remove(m.tail)
	}
}

// remove drops e from every index. m.mu must be held.
func (m *Memory) remove(e *memEntry) {
	delete(m.entries, e.key)
	m.unlink(e)
	heap.Remove(&m.expiry, int(e.index))
	m.bytes -= int64(e.size)
}

// pushFront puts e, in no list, at the head of the LRU list.
func (m *Memory) pushFront(e *memEntry) {
	e.prev, e.next = nil, m.head
	if m.head != nil {
		m.head.prev = e
	} else {
		m.tail = e
	}
	m.head = e
}

// unlink takes e out of the LRU list.
func (m *Memory) unlink(e *memEntry) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		m.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		m.tail = e.prev
	}
	e.prev, e.next = nil, nil
}

// touch marks e the most recently used.
func (m *Memory) touch(e *memEntry) {
	if m.head != e {
		m.unlink(e)
		m.pushFront(e)
	}
}

// clone returns a copy of b that is never nil, so that an empty value or
// result reads back as empty rather than missing.
func clone(b []byte) []byte {
	return append([]byte{}, b...)
}

// expiryHeap orders entries by expiry, earliest first.
type expiryHeap []*memEntry

func (h expiryHeap) Len() int           { return len(h) }
func (h expiryHeap) Less(i, j int) bool { return h[i].expires < h[j].expires }
func (h expiryHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = int32(i)
	h[j].index = int32(j)
}

func (h *expiryHeap) Push(x any) {
	e := x.(*memEntry)
	e.index = int32(len(*h))
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
