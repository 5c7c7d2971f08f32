package chat

import (
	"context"
	"crypto/rand"
	"log/slog"
	"sync"
	"time"

	"minqing/bot"
)

// staffIndex knows which senders are bound staff, so that the messages of
// everyone else — most of them, parents — need no database read to find
// out who is speaking. Every instance reloads it when the bindings version
// in the state store changes (whoever changes a binding changes the
// version), and at least every staffIndexMaxAge. Without the state store
// there is no version to trust, and every message asks the database.
type staffIndex struct {
	mu      sync.Mutex
	version string
	loaded  time.Time
	senders map[string]bool // keyed hashes of bound staff's openids
}

const (
	bindingsVersionKey = "bindings:version"
	bindingsVersionTTL = 30 * 24 * time.Hour
	staffIndexMaxAge   = time.Minute
)

// certainlyNotStaff reports whether sender is known not to be bound staff,
// given the bindings version read with the message.
func (b *Bot) certainlyNotStaff(ctx context.Context, sender string, version []byte) bool {
	idx := &b.staff
	idx.mu.Lock()
	defer idx.mu.Unlock()
	now := b.now()
	if idx.senders == nil || idx.version != string(version) || now.Sub(idx.loaded) > staffIndexMaxAge {
		openids, err := b.store.BoundOpenIDs(ctx)
		if err != nil {
			b.log.Warn("staff_index_failed", "err", err)
			idx.senders = nil
			return false
		}
		m := make(map[string]bool, len(openids))
		for _, o := range openids {
			m[b.keys.Sender(o)] = true
		}
		idx.senders, idx.version, idx.loaded = m, string(version), now
	}
	return !idx.senders[sender]
}

// bindingsChanged tells every instance that a WeChat binding changed. Call
// it after the change committed.
func (b *Bot) bindingsChanged(ctx context.Context) {
	b.staff.mu.Lock()
	b.staff.senders = nil
	b.staff.mu.Unlock()
	TouchBindingsVersion(ctx, b.state, b.log)
}

// TouchBindingsVersion gives the bindings a new version, so that every
// instance reloads its staff index.
func TouchBindingsVersion(ctx context.Context, state bot.State, log *slog.Logger) {
	if err := state.Set(ctx, bindingsVersionKey, []byte(rand.Text()), bindingsVersionTTL); err != nil {
		log.Warn("state_unavailable", "op", "bindings_version", "err", err)
	}
}
