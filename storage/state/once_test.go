package state_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
	"minqing/storage/state"
	"minqing/storage/state/statetest"
)

// onceStore is what the webhook uses to remember nonces.
type onceStore interface {
	bot.State
	SetOnce(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, []byte, error)
}

func TestSetOnce(t *testing.T) {
	stores := []struct {
		name string
		new  func(t *testing.T) onceStore
	}{
		{"memory", func(t *testing.T) onceStore { return state.NewMemory(100) }},
		{"redis", func(t *testing.T) onceStore { return statetest.Redis(t) }},
		{"redis cluster", func(t *testing.T) onceStore { return statetest.Cluster(t) }},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			s := st.new(t)
			ctx := context.Background()
			type res struct {
				First  bool
				Stored string
			}
			once := func(key, value string, ttl time.Duration) res {
				t.Helper()
				first, stored, err := s.SetOnce(ctx, key, []byte(value), ttl)
				if err != nil {
					t.Fatal(err)
				}
				return res{first, string(stored)}
			}
			key := fmt.Sprintf("once-%d", time.Now().UnixNano())
			got := []res{
				once(key, "a", longTTL),
				once(key, "b", longTTL),
				once(key, "a", longTTL),
				once(key+"-short", "c", shortTTL),
			}
			want := []res{{true, ""}, {false, "a"}, {false, "a"}, {true, ""}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			// Its own namespace: a value or a claim of the same key is
			// another entry.
			mustSet(t, s, key, "value", longTTL)
			if diff := cmp.Diff(res{false, "a"}, once(key, "z", longTTL)); diff != "" {
				t.Errorf("after Set: mismatch (-want +got):\n%s", diff)
			}
			eventually(t, "short once expires", func() bool { return once(key+"-short", "d", shortTTL).First })
			if _, _, err := s.SetOnce(ctx, key, nil, 0); err == nil {
				t.Errorf("SetOnce with ttl 0 succeeded")
			}
			// Concurrent callers: exactly one is first.
			race := key + "-race"
			firsts := make(chan bool, 16)
			for i := range 16 {
				go func() {
					first, _, err := s.SetOnce(ctx, race, []byte(fmt.Sprint(i)), longTTL)
					if err != nil {
						t.Error(err)
					}
					firsts <- first
				}()
			}
			n := 0
			for range 16 {
				if <-firsts {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%d concurrent callers were first, want 1", n)
			}
		})
	}
}

// RenewClaim keeps a pending claim alive and leaves completed or missing
// ones alone.
func TestRenewClaim(t *testing.T) {
	type renewer interface {
		bot.State
		RenewClaim(ctx context.Context, key string, ttl time.Duration) (bool, error)
	}
	for _, st := range []struct {
		name string
		new  func(t *testing.T) renewer
	}{
		{"memory", func(t *testing.T) renewer { return state.NewMemory(100) }},
		{"redis", func(t *testing.T) renewer { return statetest.Redis(t) }},
		{"redis-cluster", func(t *testing.T) renewer { return statetest.Cluster(t) }},
	} {
		t.Run(st.name, func(t *testing.T) {
			s := st.new(t)
			ctx := context.Background()
			key := fmt.Sprintf("renew-%d", time.Now().UnixNano())
			renew := func(k string, ttl time.Duration) bool {
				t.Helper()
				ok, err := s.RenewClaim(ctx, k, ttl)
				if err != nil {
					t.Fatal(err)
				}
				return ok
			}
			if renew(key, longTTL) {
				t.Errorf("renewed a missing claim")
			}
			if claimed, _, _, err := s.Claim(ctx, key, 300*time.Millisecond); err != nil || !claimed {
				t.Fatalf("Claim = %v, %v", claimed, err)
			}
			// Renewed past its first expiry, it is still held.
			for range 4 {
				time.Sleep(150 * time.Millisecond)
				if !renew(key, 300*time.Millisecond) {
					t.Fatalf("renew of a pending claim failed")
				}
			}
			if claimed, done, _, _ := s.Claim(ctx, key, longTTL); claimed || done {
				t.Errorf("renewed claim: claimed=%v done=%v, want still pending", claimed, done)
			}
			// Not renewed, it expires.
			eventually(t, "unrenewed claim expires", func() bool {
				c, _, _, err := s.Claim(ctx, key, 300*time.Millisecond)
				return err == nil && c
			})
			if err := s.Complete(ctx, key, []byte("r"), longTTL); err != nil {
				t.Fatal(err)
			}
			if renew(key, shortTTL) {
				t.Errorf("renewed a completed claim")
			}
			_, done, result, _ := s.Claim(ctx, key, longTTL)
			if !done || string(result) != "r" {
				t.Errorf("completed claim changed: done=%v result=%q", done, result)
			}
		})
	}
}
