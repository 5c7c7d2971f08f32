package chat

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"minqing/bot"
)

// The link between an anonymous opinion and its sender.
//
// The database never holds it: no openid, nothing keyed or sealed under
// MINQING_SECRET beside an opinion, and an anonymous opinion's times only
// to the hour. What the service must know for a while lives only in the
// state store, keyed or sealed under random link keys (bot.LinkKey) that
// are kept only there and expire after the school's link window
// (Settings.LinkDays): the daily cap and repeats (under a key of the day),
// the sender of each opinion (sealed under a key of the hour, for the push
// of the answer, 撤回 and 改为), the answers awaiting the sender's rating,
// the 我要建议 draft, the sender's dialog (a key of the day) and each
// message's claim, cached reply and processed record (a key of the hour;
// the record itself is in the database). Every record under a key expires no later than
// the key. Once a key has expired, what it covered is unlinkable for
// everybody, whoever holds the database, the secret and every backup.

const (
	linkKeyPrefix = "linkkey:"
	// linkKeyCacheFor bounds how long an instance uses a link key without
	// asking the state store again (never past the key's expiry).
	linkKeyCacheFor = time.Minute
	// dedupKeyTTL is the life of the key that names processed-message
	// records: WeChat's retries come within seconds, and the records are
	// purged after ProcessedRetention.
	dedupKeyTTL = 2 * time.Hour
	// repeatTTL bounds the repeat and cap records (one day's).
	repeatTTL = 24 * time.Hour
)

// errLinkDown means the state store cannot be reached: whatever needs the
// link is refused politely, never done without it.
var errLinkDown = errors.New("the state store is unavailable")

// linkKeyCache holds the link keys an instance read, for a short while.
type linkKeyCache struct {
	mu sync.Mutex
	m  map[string]bot.LinkKey
	// until says when each cached key must be read again.
	until map[string]time.Time
}

// linkWindow is a school's link window.
func linkWindow(s Settings) time.Duration {
	days := s.LinkDays
	if days <= 0 {
		days = DefaultLinkDays
	}
	return time.Duration(min(days, MaxLinkDays)) * 24 * time.Hour
}

// dayKeyName names a school's link key of the calendar day of now.
func (b *Bot) dayKeyName(schoolID int64, now time.Time) string {
	return linkKeyPrefix + strconv.FormatInt(schoolID, 10) + ":d:" + now.In(b.loc).Format("20060102")
}

// hourKeyName names a school's link key of the hour of now.
func hourKeyName(schoolID int64, now time.Time) string {
	return linkKeyPrefix + strconv.FormatInt(schoolID, 10) + ":h:" + now.UTC().Format("2006010215")
}

// dedupKeyName names the key of the processed-message records of the
// messages WeChat created in the hour of created.
func dedupKeyName(created time.Time) string {
	return linkKeyPrefix + "dedup:" + created.UTC().Format("2006010215")
}

// linkKey returns the link key called name. With ttl > 0 it is created
// (random, expiring after ttl) if the state store has none; with ttl = 0 a
// missing key is bot.ErrNotFound. An unreachable store is errLinkDown,
// unless this instance read the key before and it has not expired: then
// the key it knows is used (so that, say, a retry during a Redis outage
// finds its processed record).
func (b *Bot) linkKey(ctx context.Context, name string, ttl time.Duration) (bot.LinkKey, error) {
	now := b.now()
	c := &b.links
	c.mu.Lock()
	cached, known := c.m[name]
	if known && now.Before(c.until[name]) {
		c.mu.Unlock()
		return cached, nil
	}
	c.mu.Unlock()
	k, err := b.fetchLinkKey(ctx, name, ttl, now)
	if errors.Is(err, errLinkDown) && known && now.Before(cached.Expires) {
		return cached, nil
	}
	return k, err
}

func (b *Bot) fetchLinkKey(ctx context.Context, name string, ttl time.Duration, now time.Time) (bot.LinkKey, error) {
	c := &b.links
	var raw []byte
	if ttl > 0 {
		fresh := make([]byte, 8+bot.LinkKeySize)
		binary.BigEndian.PutUint64(fresh, uint64(now.Add(ttl).UnixMilli()))
		if _, err := rand.Read(fresh[8:]); err != nil {
			panic("chat: crypto/rand failed: " + err.Error())
		}
		stored, existing, err := b.state.SetNX(ctx, name, fresh, ttl)
		if err != nil {
			return bot.LinkKey{}, fmt.Errorf("%w: %w", errLinkDown, err)
		}
		raw = fresh
		if !stored {
			raw = existing
		}
	} else {
		var err error
		raw, err = b.state.Get(ctx, name)
		if errors.Is(err, bot.ErrNotFound) {
			return bot.LinkKey{}, err
		}
		if err != nil {
			return bot.LinkKey{}, fmt.Errorf("%w: %w", errLinkDown, err)
		}
	}
	if len(raw) != 8+bot.LinkKeySize {
		return bot.LinkKey{}, fmt.Errorf("chat: link key %d bytes long: %w", len(raw), errLinkDown)
	}
	expires := time.UnixMilli(int64(binary.BigEndian.Uint64(raw[:8])))
	if !now.Before(expires) {
		return bot.LinkKey{}, bot.ErrNotFound
	}
	k, err := bot.NewLinkKey(raw[8:], expires)
	if err != nil {
		return bot.LinkKey{}, err
	}
	c.mu.Lock()
	if c.m == nil {
		c.m, c.until = map[string]bot.LinkKey{}, map[string]time.Time{}
	}
	for n, old := range c.m {
		if !now.Before(old.Expires) {
			delete(c.m, n)
			delete(c.until, n)
		}
	}
	c.m[name] = k
	c.until[name] = minTime(now.Add(linkKeyCacheFor), expires)
	c.mu.Unlock()
	return k, nil
}

// ttlUnder is ttl, shortened so that a record expires with its key.
func ttlUnder(k bot.LinkKey, now time.Time, ttl time.Duration) time.Duration {
	if left := k.Expires.Sub(now); left < ttl {
		return left
	}
	return ttl
}

// processedKey is the key under which the database records that in was
// processed. It is keyed under a link key of the message's hour, so a
// backup and the secret cannot tell whose message a record was; legacy is
// true when the state store is down and the record falls back to a key
// under the secret (then a reply that concerns an opinion is not kept).
//
// With offline set (the state store already failed this message) only a
// key this instance knows is used.
func (b *Bot) processedKey(ctx context.Context, in bot.Inbound, offline bool) (key string, legacy bool) {
	var (
		k   bot.LinkKey
		err error
	)
	if offline {
		k, err = b.knownLinkKey(dedupKeyName(in.Created))
	} else {
		k, err = b.linkKey(ctx, dedupKeyName(in.Created), dedupKeyTTL)
	}
	if err != nil {
		return b.keys.Dedup(in), true
	}
	return k.Dedup(in), false
}

// knownLinkKey returns a link key this instance read before and that has
// not expired, without asking the state store.
func (b *Bot) knownLinkKey(name string) (bot.LinkKey, error) {
	c := &b.links
	c.mu.Lock()
	defer c.mu.Unlock()
	if k, ok := c.m[name]; ok && b.now().Before(k.Expires) {
		return k, nil
	}
	return bot.LinkKey{}, errLinkDown
}

// linkRecordKey is where the sender of an opinion is kept.
func linkRecordKey(opinionID int64) string { return "link:" + strconv.FormatInt(opinionID, 10) }

// putLink keeps the sender of a filed opinion, sealed under the school's
// key of the hour, for the link window at most.
func (b *Bot) putLink(ctx context.Context, o bot.Opinion, openid string, window time.Duration) {
	now := b.now()
	name := hourKeyName(o.SchoolID, now)
	k, err := b.linkKey(ctx, name, window)
	if err != nil {
		b.log.Warn("state_unavailable", "op", "put_link", "err", err)
		return
	}
	v := append([]byte(name+"\n"), k.Seal([]byte(openid))...)
	b.setLater(ctx, "put_link", linkRecordKey(o.ID), v, ttlUnder(k, now, window))
}

// senderOf returns the openid of the sender of an anonymous opinion while
// the link lasts; found=false once it is gone (or never was: not
// anonymous, filed before the upgrade, lost with an in-process store).
// An unreachable store is errLinkDown.
func (b *Bot) senderOf(ctx context.Context, o bot.Opinion) (openid string, found bool, err error) {
	if !o.Anonymous {
		return "", false, nil
	}
	raw, err := b.state.Get(ctx, linkRecordKey(o.ID))
	if errors.Is(err, bot.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("%w: %w", errLinkDown, err)
	}
	name, sealed, ok := strings.Cut(string(raw), "\n")
	if !ok {
		return "", false, nil
	}
	k, err := b.linkKey(ctx, name, 0)
	if errors.Is(err, bot.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, err
	}
	id, err := k.Open([]byte(sealed))
	if err != nil {
		return "", false, nil
	}
	return string(id), true, nil
}

// isAuthor reports whether the turn's sender filed o (while the link
// lasts).
func (b *Bot) isAuthor(ctx context.Context, t *turn, o bot.Opinion) (bool, error) {
	if t.stateDown {
		return false, errLinkDown
	}
	id, found, err := b.senderOf(ctx, o)
	return found && id == t.in.OpenID, err
}

// reservations are the state store changes a delivery of a message made
// before its transaction committed. The transaction function may run more
// than once (bot.Store.Update); a rerun reuses what the first run got,
// and a delivery that fails undoes what it stored.
type reservations struct {
	setnx map[string]setnxResult
	incr  map[string]int64
	// undo are value keys to delete if the delivery fails.
	undo []string
	// ahead says reservations were taken before the transaction
	// (reserveAhead); used are the setnx keys the transaction asked for.
	ahead bool
	used  map[string]bool
}

// giveBackUnused deletes, after a committed transaction, the repeat slots
// reserved ahead that it did not use (its turn went another way).
func (b *Bot) giveBackUnused(ctx context.Context, r *reservations) {
	if !r.ahead {
		return
	}
	for _, k := range r.undo {
		if !r.used[k] {
			if err := b.state.Delete(context.WithoutCancel(ctx), k); err != nil {
				b.log.Warn("state_unavailable", "op", "give_back", "err", err)
			}
		}
	}
}

type setnxResult struct {
	stored   bool
	existing []byte
}

func (r *reservations) setNX(ctx context.Context, s bot.State, key string, value []byte, ttl time.Duration) (bool, []byte, error) {
	if r.used == nil {
		r.used = map[string]bool{}
	}
	r.used[key] = true
	if got, ok := r.setnx[key]; ok {
		return got.stored, got.existing, nil
	}
	stored, existing, err := s.SetNX(ctx, key, value, ttl)
	if err != nil {
		return false, nil, fmt.Errorf("%w: %w", errLinkDown, err)
	}
	if r.setnx == nil {
		r.setnx = map[string]setnxResult{}
	}
	r.setnx[key] = setnxResult{stored, existing}
	if stored {
		r.undo = append(r.undo, key)
	}
	return stored, existing, nil
}

// limitReserver is a state store that takes a repeat slot and counts the
// cap in one round trip (storage/state's Redis can): SetNX(key), and
// Incr(counter) only if it stored (count 0 otherwise).
type limitReserver interface {
	ReserveLimit(ctx context.Context, key string, value []byte, ttl time.Duration, counter string, window time.Duration) (stored bool, existing []byte, count int64, err error)
}

// reserveBoth takes the slot key and counts counter in one round trip
// where the store can, memoising both as setNX and increment would; the
// calls to those that follow then ask nothing more. Elsewhere, or when
// either is memoised already, it does nothing.
func (r *reservations) reserveBoth(ctx context.Context, s bot.State, key string, value []byte, ttl time.Duration, counter string) error {
	lr, ok := s.(limitReserver)
	if !ok {
		return nil
	}
	if _, ok := r.setnx[key]; ok {
		return nil
	}
	if _, ok := r.incr[counter]; ok {
		return nil
	}
	stored, existing, n, err := lr.ReserveLimit(ctx, key, value, ttl, counter, ttl)
	if err != nil {
		return fmt.Errorf("%w: %w", errLinkDown, err)
	}
	if r.setnx == nil {
		r.setnx = map[string]setnxResult{}
	}
	r.setnx[key] = setnxResult{stored, existing}
	if stored {
		r.undo = append(r.undo, key)
		if r.incr == nil {
			r.incr = map[string]int64{}
		}
		r.incr[counter] = n
	}
	return nil
}

func (r *reservations) increment(ctx context.Context, s bot.State, key string, window time.Duration) (int64, error) {
	if n, ok := r.incr[key]; ok {
		return n, nil
	}
	n, err := s.Incr(ctx, key, window)
	if err != nil {
		return 0, fmt.Errorf("%w: %w", errLinkDown, err)
	}
	if r.incr == nil {
		r.incr = map[string]int64{}
	}
	r.incr[key] = n
	return n, nil
}

// release gives back one value key reserved with setNX (the reservation
// turned out not to be needed); a rerun reserves it afresh.
func (r *reservations) release(ctx context.Context, s bot.State, key string) error {
	delete(r.setnx, key)
	for i, k := range r.undo {
		if k == key {
			r.undo = append(r.undo[:i], r.undo[i+1:]...)
			return s.Delete(ctx, key)
		}
	}
	return nil
}

// rollback undoes the reservations of a failed delivery. A counter is not
// given back: a failed attempt counts against the daily cap (the safe
// side).
func (b *Bot) rollback(ctx context.Context, r *reservations) {
	for _, k := range r.undo {
		if err := b.state.Delete(context.WithoutCancel(ctx), k); err != nil {
			b.log.Warn("state_unavailable", "op", "rollback", "err", err)
		}
	}
	r.undo = nil
}

// answered is an answer pushed or shown to a sender, which a rating
// without a code may be about.
type answered struct {
	Code string    `json:"code"`
	At   time.Time `json:"at"`
}

const maxAnswered = 20

func answeredKey(k bot.LinkKey, schoolID int64, openid string) string {
	return "answered:" + k.Sum("answered", strconv.FormatInt(schoolID, 10), openid)
}

// noteAnswered remembers that the answer of o reached openid (pushed, or
// shown on 查询), under the school's key of the day.
func (b *Bot) noteAnswered(ctx context.Context, o bot.Opinion, openid string, window time.Duration) {
	now := b.now()
	k, err := b.linkKey(ctx, b.dayKeyName(o.SchoolID, now), window)
	if err != nil {
		b.log.Warn("state_unavailable", "op", "note_answered", "err", err)
		return
	}
	key := answeredKey(k, o.SchoolID, openid)
	var list []answered
	if raw, err := b.state.Get(ctx, key); err == nil {
		_ = json.Unmarshal(raw, &list)
	}
	kept := list[:0]
	for _, a := range list {
		if a.Code != o.Code {
			kept = append(kept, a)
		}
	}
	list = append(kept, answered{Code: o.Code, At: now.UTC()})
	if len(list) > maxAnswered {
		list = list[len(list)-maxAnswered:]
	}
	raw, _ := json.Marshal(list)
	if err := b.state.Set(ctx, key, raw, ttlUnder(k, now, window)); err != nil {
		b.log.Warn("state_unavailable", "op", "note_answered", "err", err)
	}
}

// answeredTo returns the answers that reached openid within the school's
// link window, newest first.
func (b *Bot) answeredTo(ctx context.Context, schoolID int64, openid string, window time.Duration) ([]answered, error) {
	now := b.now()
	var out []answered
	for d := 0; time.Duration(d)*24*time.Hour <= window; d++ {
		k, err := b.linkKey(ctx, b.dayKeyName(schoolID, now.AddDate(0, 0, -d)), 0)
		if errors.Is(err, bot.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		raw, err := b.state.Get(ctx, answeredKey(k, schoolID, openid))
		if errors.Is(err, bot.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %w", errLinkDown, err)
		}
		var list []answered
		if json.Unmarshal(raw, &list) != nil {
			continue
		}
		for i := len(list) - 1; i >= 0; i-- {
			out = append(out, list[i])
		}
	}
	return out, nil
}
