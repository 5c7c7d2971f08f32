package wechatapi

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"minqing/bot"
)

// fakeState is a map-based bot.State with what the token source needs:
// Get/Set/Delete/Lock/Unlock. Setting down makes every method fail with
// bot.ErrUnavailable.
type fakeState struct {
	down atomic.Bool

	mu    sync.Mutex
	vals  map[string]fakeEntry
	locks map[string]fakeEntry
	n     int
}

type fakeEntry struct {
	val []byte
	exp time.Time
}

var _ bot.State = (*fakeState)(nil)

var errNotImplemented = errors.New("fakeState: not implemented")

func newFakeState() *fakeState {
	return &fakeState{vals: map[string]fakeEntry{}, locks: map[string]fakeEntry{}}
}

func (s *fakeState) check() error {
	if s.down.Load() {
		return errDown
	}
	return nil
}

var errDown = errors.Join(errors.New("fakeState: down"), bot.ErrUnavailable)

func (s *fakeState) Get(_ context.Context, key string) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.vals[key]
	if !ok || !time.Now().Before(e.exp) {
		return nil, bot.ErrNotFound
	}
	return append([]byte(nil), e.val...), nil
}

func (s *fakeState) Set(_ context.Context, key string, value []byte, ttl time.Duration) error {
	if err := s.check(); err != nil {
		return err
	}
	if ttl <= 0 {
		return bot.ErrInvalid
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vals[key] = fakeEntry{val: append([]byte(nil), value...), exp: time.Now().Add(ttl)}
	return nil
}

func (s *fakeState) Delete(_ context.Context, key string) error {
	if err := s.check(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.vals, key)
	return nil
}

func (s *fakeState) Lock(_ context.Context, key string, ttl time.Duration) (string, error) {
	if err := s.check(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.locks[key]; ok && time.Now().Before(e.exp) {
		return "", bot.ErrConflict
	}
	s.n++
	tok := strconv.Itoa(s.n)
	s.locks[key] = fakeEntry{val: []byte(tok), exp: time.Now().Add(ttl)}
	return tok, nil
}

func (s *fakeState) Unlock(_ context.Context, key, token string) error {
	if err := s.check(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.locks[key]; ok && string(e.val) == token {
		delete(s.locks, key)
	}
	return nil
}

func (s *fakeState) Claim(context.Context, string, time.Duration) (bool, bool, []byte, error) {
	return false, false, nil, errNotImplemented
}

func (s *fakeState) Complete(context.Context, string, []byte, time.Duration) error {
	return errNotImplemented
}

func (s *fakeState) Release(context.Context, string) error { return errNotImplemented }

func (s *fakeState) Incr(context.Context, string, time.Duration) (int64, error) {
	return 0, errNotImplemented
}

func (s *fakeState) SetNX(context.Context, string, []byte, time.Duration) (bool, []byte, error) {
	return false, nil, errNotImplemented
}

func (s *fakeState) Schedule(context.Context, string, string, time.Time, time.Duration) error {
	return errNotImplemented
}

func (s *fakeState) DueMembers(context.Context, string, time.Time, int) ([]string, error) {
	return nil, errNotImplemented
}

func (s *fakeState) Unschedule(context.Context, string, string) error {
	return errNotImplemented
}

func (s *fakeState) ClaimMessage(context.Context, bot.MessageKeys) (bot.MessageClaim, error) {
	return bot.MessageClaim{}, errNotImplemented
}

func (s *fakeState) Ping(context.Context) error { return s.check() }

// ttl returns how long key has left, or 0.
func (s *fakeState) ttl(key string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.vals[key]
	if !ok {
		return 0
	}
	return time.Until(e.exp)
}
