package conformance

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
	"minqing/storage"
)

var deliveryTests = []test{
	{"DeliveryLifecycle", []string{"ClaimDelivery", "FinishDelivery", "Deliveries"}, testDeliveryLifecycle},
	{"DeliveryErrors", []string{"ClaimDelivery", "FinishDelivery"}, testDeliveryErrors},
	{"DeliveryRaceAcrossInstances", []string{"ClaimDelivery"}, testDeliveryRace},
}

const stale = 10 * time.Minute

// claim claims kind "digest" for person in period 2026-W48 at the given
// minute after now, with records left sending for stale counted as dead.
func (e *env) claim(person int64, minute, max int) (bot.Delivery, bool) {
	e.t.Helper()
	var (
		d  bot.Delivery
		ok bool
	)
	at := now.Add(time.Duration(minute) * time.Minute)
	e.must(func(tx bot.Tx) error {
		var err error
		d, ok, err = tx.ClaimDelivery(e.ctx, "digest", person, "2026-W48", at, at.Add(-stale), max)
		return err
	})
	return d, ok
}

func (e *env) finish(person int64, minute int, status bot.DeliveryStatus, channel, why string) {
	e.t.Helper()
	e.must(func(tx bot.Tx) error {
		return tx.FinishDelivery(e.ctx, bot.Delivery{Kind: "digest", PersonID: person, Period: "2026-W48", Status: status,
			Channel: channel, Error: why, Updated: now.Add(time.Duration(minute) * time.Minute)})
	})
}

func at(minute int) time.Time { return now.Add(time.Duration(minute) * time.Minute) }

func testDeliveryLifecycle(t *testing.T, e *env) {
	record := func(person int64, st bot.DeliveryStatus, attempts int, channel, why string, updated int) bot.Delivery {
		return bot.Delivery{Kind: "digest", PersonID: person, Period: "2026-W48", Status: st, Attempts: attempts,
			Channel: channel, Error: why, Created: now, Updated: at(updated)}
	}
	// Each step is a claim (finish empty) or a finish, in order.
	steps := []struct {
		name        string
		person      int64
		minute      int
		finish      bot.DeliveryStatus
		channel     string
		why         string
		wantClaimed bool
		want        bot.Delivery // after a claim
	}{
		{name: "first claim creates", person: 1, minute: 0, wantClaimed: true, want: record(1, bot.DeliverySending, 1, "", "", 0)},
		{name: "being sent is not claimed", person: 1, minute: 5, want: record(1, bot.DeliverySending, 1, "", "", 0)},
		{name: "fails", person: 1, minute: 6, finish: bot.DeliveryFailed, channel: "kf", why: "wechat: errcode 45015"},
		{name: "failed is claimed again", person: 1, minute: 15, wantClaimed: true, want: record(1, bot.DeliverySending, 2, "kf", "wechat: errcode 45015", 15)},
		{name: "fails again", person: 1, minute: 16, finish: bot.DeliveryFailed, channel: "template", why: "wechat unavailable"},
		{name: "third attempt", person: 1, minute: 30, wantClaimed: true, want: record(1, bot.DeliverySending, 3, "template", "wechat unavailable", 30)},
		{name: "fails a third time", person: 1, minute: 31, finish: bot.DeliveryFailed, why: "wechat unavailable"},
		{name: "out of attempts", person: 1, minute: 45, want: record(1, bot.DeliveryFailed, 3, "", "wechat unavailable", 31)},

		{name: "second person", person: 2, minute: 0, wantClaimed: true, want: record(2, bot.DeliverySending, 1, "", "", 0)},
		{name: "is sent", person: 2, minute: 1, finish: bot.DeliverySent, channel: "kf"},
		{name: "sent is not claimed", person: 2, minute: 60, want: record(2, bot.DeliverySent, 1, "kf", "", 1)},

		{name: "third person", person: 3, minute: 0, wantClaimed: true, want: record(3, bot.DeliverySending, 1, "", "", 0)},
		{name: "is undeliverable", person: 3, minute: 1, finish: bot.DeliveryUndeliverable, why: "no channel"},
		{name: "undeliverable is not claimed", person: 3, minute: 60, want: record(3, bot.DeliveryUndeliverable, 1, "", "no channel", 1)},

		{name: "fourth person, an instance dies sending", person: 4, minute: 0, wantClaimed: true, want: record(4, bot.DeliverySending, 1, "", "", 0)},
		{name: "not stale yet", person: 4, minute: 10, want: record(4, bot.DeliverySending, 1, "", "", 0)},
		{name: "stale is claimed", person: 4, minute: 11, wantClaimed: true, want: record(4, bot.DeliverySending, 2, "", "", 11)},
	}
	for _, s := range steps {
		if s.finish != "" {
			e.finish(s.person, s.minute, s.finish, s.channel, s.why)
			continue
		}
		got, claimed := e.claim(s.person, s.minute, 3)
		if claimed != s.wantClaimed {
			t.Errorf("%s: claimed = %v, want %v", s.name, claimed, s.wantClaimed)
		}
		if diff := cmp.Diff(s.want, got); diff != "" {
			t.Errorf("%s: record mismatch (-want +got):\n%s", s.name, diff)
		}
	}

	// Other kinds and periods are records of their own.
	e.must(func(tx bot.Tx) error {
		if _, ok, err := tx.ClaimDelivery(e.ctx, "digest", 2, "2026-W49", at(0), at(-10), 3); err != nil || !ok {
			return fmt.Errorf("next week's claim = %v, %v; want claimed", ok, err)
		}
		if _, ok, err := tx.ClaimDelivery(e.ctx, "study_reminder", 2, "2026-W48", at(0), at(-10), 3); err != nil || !ok {
			return fmt.Errorf("other kind's claim = %v, %v; want claimed", ok, err)
		}
		return nil
	})
	var got []bot.Delivery
	e.must(func(tx bot.Tx) error {
		var err error
		got, err = tx.Deliveries(e.ctx, "digest", "2026-W48")
		return err
	})
	want := []bot.Delivery{
		record(1, bot.DeliveryFailed, 3, "", "wechat unavailable", 31),
		record(2, bot.DeliverySent, 1, "kf", "", 1),
		record(3, bot.DeliveryUndeliverable, 1, "", "no channel", 1),
		record(4, bot.DeliverySending, 2, "", "", 11),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Deliveries mismatch (-want +got):\n%s", diff)
	}
	e.must(func(tx bot.Tx) error {
		none, err := tx.Deliveries(e.ctx, "digest", "2026-W01")
		if err == nil && len(none) != 0 {
			t.Errorf("Deliveries of an empty period = %+v", none)
		}
		return err
	})
}

func testDeliveryErrors(t *testing.T, e *env) {
	long := strings.Repeat("错", 300)
	claim := func(kind, period string, max int) func(tx bot.Tx) error {
		return func(tx bot.Tx) error {
			_, _, err := tx.ClaimDelivery(e.ctx, kind, 9, period, now, now, max)
			return err
		}
	}
	finish := func(status bot.DeliveryStatus, msg string) func(tx bot.Tx) error {
		return func(tx bot.Tx) error {
			return tx.FinishDelivery(e.ctx, bot.Delivery{Kind: "digest", PersonID: 9, Period: "2026-W48", Status: status, Error: msg, Updated: now})
		}
	}
	for _, c := range []struct {
		name string
		fn   func(tx bot.Tx) error
		want error
	}{
		{"finish without a record", finish(bot.DeliverySent, ""), bot.ErrNotFound},
		{"claim without a kind", claim("", "2026-W48", 3), bot.ErrInvalid},
		{"claim with a period too long", claim("digest", strings.Repeat("9", 17), 3), bot.ErrInvalid},
		{"claim with no attempts allowed", claim("digest", "2026-W48", 0), bot.ErrInvalid},
		{"finish with an unknown status", finish("lost", ""), bot.ErrInvalid},
		{"a long error is cut, not refused", func(tx bot.Tx) error {
			if err := claim("digest", "2026-W48", 3)(tx); err != nil {
				return err
			}
			return finish(bot.DeliveryFailed, long)(tx)
		}, nil},
	} {
		wantErr(t, c.name, e.update(c.fn), c.want)
	}
	e.must(func(tx bot.Tx) error {
		ds, err := tx.Deliveries(e.ctx, "digest", "2026-W48")
		if err == nil && (len(ds) != 1 || ds[0].Error != long[:len("错")*255]) {
			t.Errorf("Deliveries = %+v; want one with the error cut to 255 characters", ds)
		}
		return err
	})
}

// Two instances (two handles on one database), each with several
// goroutines, claim the same deliveries at the same time: each is claimed
// exactly once; then, every one failed, exactly once again.
func testDeliveryRace(t *testing.T, e *env) {
	const people, workers = 20, 4
	instances := []*storage.DB{e.db, e.another(t)}
	race := func(minute int) map[int64]int {
		var (
			mu      sync.Mutex
			claimed = map[int64]int{}
			wg      sync.WaitGroup
		)
		for i, db := range instances {
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for k := range people {
						person := int64((k*(2*w+1)+i)%people + 1) // each worker its own order
						var ok bool
						err := db.Update(e.ctx, func(tx bot.Tx) error {
							var err error
							_, ok, err = tx.ClaimDelivery(e.ctx, "digest", person, "2026-W48", at(minute), at(minute).Add(-stale), 3)
							return err
						})
						if err != nil {
							t.Errorf("instance %d: claim: %v", i, err)
							continue
						}
						if ok {
							mu.Lock()
							claimed[person]++
							mu.Unlock()
						}
					}
				}()
			}
		}
		wg.Wait()
		return claimed
	}
	want := map[int64]int{}
	for p := range people {
		want[int64(p+1)] = 1
	}
	if diff := cmp.Diff(want, race(0)); diff != "" {
		t.Errorf("claims per person mismatch (-want +got):\n%s", diff)
	}
	for p := range people {
		e.finish(int64(p+1), 1, bot.DeliveryFailed, "kf", "wechat unavailable")
	}
	if diff := cmp.Diff(want, race(15)); diff != "" {
		t.Errorf("claims of failed deliveries per person mismatch (-want +got):\n%s", diff)
	}
}
