package main

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"minqing/bot"
	"minqing/bot/chat"
	"minqing/handlers/wechatapi"
	"minqing/storage"
	"minqing/storage/state"
)

// reminderInstance is one more instance of the service's bot, on its own
// database handle and state connection, with a fake clock: what a second
// replica runs as its study_reminders job.
func (w *world) reminderInstance(t *testing.T, now *fakeNow) *chat.Bot {
	t.Helper()
	ctx := context.Background()
	var db *storage.DB
	var st bot.State
	if dsn := w.Env["MINQING_MYSQL_DSN"]; dsn != "" {
		db = openTestDB(t, storage.Options{MySQLDSN: dsn})
		r, err := state.OpenRedis(ctx, w.Env["MINQING_REDIS_URL"], state.RedisOptions{Prefix: w.Env["MINQING_REDIS_PREFIX"]})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		st = r
	} else {
		db = openTestDB(t, storage.Options{DataDir: w.Env["MINQING_DATA_DIR"]})
		st = state.NewMemory(1000)
	}
	api, err := wechatapi.New(wechatapi.Options{AppID: vecAppID, Secret: vecSecret, APIBase: w.Env["MINQING_WECHAT_API_BASE"], State: st})
	if err != nil {
		t.Fatal(err)
	}
	secret := w.Env["MINQING_SECRET"]
	if secret == "" {
		secret = "reminder-test-secret"
	}
	b, err := chat.New(chat.Config{Store: db, State: st, Notifier: api, Secret: secret, Now: now.get, Location: shanghai(t)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type fakeNow struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeNow) get() time.Time  { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeNow) set(t time.Time) { f.mu.Lock(); defer f.mu.Unlock(); f.t = t }

type deliveryRow struct {
	Status   string `db:"status"`
	Attempts int    `db:"attempts"`
	Channel  string `db:"channel"`
	Error    string `db:"error"`
}

func delivery(t *testing.T, db *storage.DB, personID int64, period string) (deliveryRow, bool) {
	t.Helper()
	var rows []deliveryRow
	if err := db.SQL().Select(&rows, `SELECT status, attempts, channel, error FROM deliveries WHERE kind = ? AND person_id = ? AND period = ?`,
		chat.KindStudyReminder, personID, period); err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		return deliveryRow{}, false
	}
	return rows[0], true
}

// TestStudyRemindersExactlyOnce runs the reminder job of two instances
// sharing the database (and Redis) with a fake clock: each behind person
// gets one reminder a week — after a failed send (retried, at most 3
// times), after an instance died between claim and send, by
// customer-service message inside the 48-hour window and by template
// outside it, recorded as undeliverable when nothing reaches them.
func TestStudyRemindersExactlyOnce(t *testing.T) {
	onEachBackend(t, func(t *testing.T, w *world) {
		w.studySettings(t, defaultStudy)
		loc := shanghai(t)
		// Three weeks ahead, so that the service's own job (on the
		// real clock) never works on the same week.
		week := chat.WeekOf(time.Now().In(loc).AddDate(0, 0, 21), loc)
		thursday := week.Start.AddDate(0, 0, 3)
		due := time.Date(thursday.Year(), thursday.Month(), thursday.Day(), 17, 5, 0, 0, loc)

		w.bound(t, "张伟", "oZhangWei")          // touched: customer-service; the first send fails
		w.bound(t, "黄海", "oHuangHai")          // not touched: template, which fails 3 times
		w.bound(t, "吴敏华", "oWuMinhua")         // an instance died holding her reminder
		fan := w.bound(t, "范小平", "oPrincipal") // paused
		w.bound(t, "王丽", "oWangLi")            // no target
		w.bound(t, "李建国", "oLiJianguo")        // done for the week
		expect(t, "pause", fan.say("暂停提醒"), "已暂停")
		w.fake.SetWindow(48 * time.Hour)
		for _, o := range []string{"oZhangWei", "oWuMinhua", "oPrincipal", "oLiJianguo"} {
			w.fake.Touch(o, time.Now())
		}
		ids := map[string]int64{}
		for _, n := range []string{"张伟", "黄海", "吴敏华", "范小平", "王丽", "李建国", "谭红"} {
			ids[n] = personID(t, w.db, n)
		}
		var schoolID int64
		if err := w.db.SQL().Get(&schoolID, `SELECT school_id FROM people WHERE id = ?`, ids["张伟"]); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		err := w.db.Update(ctx, func(tx bot.Tx) error {
			for _, c := range []bot.Checkin{
				{PersonID: ids["李建国"], SchoolID: schoolID, Day: week.Start.Format(time.DateOnly), Minutes: 300},
				{PersonID: ids["黄海"], SchoolID: schoolID, Day: week.Start.AddDate(0, 0, 1).Format(time.DateOnly), Minutes: 60},
			} {
				if _, err := tx.AddCheckin(ctx, c); err != nil {
					return err
				}
			}
			// An instance claimed 吴敏华's reminder a minute before the
			// due time and died before sending it.
			_, claimed, err := tx.ClaimDelivery(ctx, chat.KindStudyReminder, ids["吴敏华"], week.Label(), due.Add(-time.Minute).UTC(), due.Add(-6*time.Minute).UTC(), 3)
			if err == nil && !claimed {
				t.Error("the dead instance's claim was not taken")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		clock := &fakeNow{t: due.Add(-time.Hour)}
		a, bb := w.reminderInstance(t, clock), w.reminderInstance(t, clock)
		tick := func(at time.Time, both bool) {
			t.Helper()
			clock.set(at)
			var wg sync.WaitGroup
			for i, inst := range []*chat.Bot{a, bb} {
				if i == 1 && !both {
					continue
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := inst.RemindStudy(ctx, at); err != nil {
						t.Logf("reminders at %s: %v", at.Format(time.TimeOnly), err)
					}
				}()
			}
			wg.Wait()
		}
		tag := fmt.Sprintf("第%d周", week.Number())
		sent := func(openid, api string) []string {
			var out []string
			for _, m := range w.fake.SentTo(openid, 0) {
				if m.API == api && (strings.Contains(m.Text, tag) || strings.Contains(m.Data["thing1"], tag)) {
					out = append(out, m.Text+m.Data["thing2"])
				}
			}
			return out
		}

		tick(due.Add(-time.Hour), true) // before the reminder time: nothing
		// Only this week's: the service's own job, on the real clock,
		// may remind people of the current week meanwhile.
		var n int
		if err := w.db.SQL().Get(&n, `SELECT COUNT(*) FROM deliveries WHERE kind = ? AND period = ?`, chat.KindStudyReminder, week.Label()); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("%d deliveries before the reminder time, want only the dead instance's", n)
		}
		w.fake.FailNext("custom", -1, 1)   // 张伟's first send (the first customer-service call)
		w.fake.FailNext("template", -1, 3) // every attempt for 黄海
		tick(due, false)
		tick(due.Add(time.Minute), true)
		tick(due.Add(7*time.Minute), true) // 吴敏华's lease has run out
		tick(due.Add(8*time.Minute), true)
		tick(due.Add(9*time.Minute), true)

		if got := sent("oZhangWei", "custom"); len(got) != 1 || !strings.Contains(got[0], "还差 5 小时") {
			t.Errorf("张伟 got %q, want one reminder 还差 5 小时", got)
		}
		if got := sent("oWuMinhua", "custom"); len(got) != 1 {
			t.Errorf("吴敏华 got %d reminders, want 1", len(got))
		}
		if got := sent("oHuangHai", "template"); len(got) != 0 {
			t.Errorf("黄海 got %q although every template send failed", got)
		}
		for _, o := range []string{"oPrincipal", "oWangLi", "oLiJianguo"} {
			if got := append(sent(o, "custom"), sent(o, "template")...); len(got) != 0 {
				t.Errorf("%s got %q, want no reminder", o, got)
			}
		}
		for _, c := range []struct {
			name string
			want deliveryRow
		}{
			{"张伟", deliveryRow{Status: "sent", Attempts: 2, Channel: "kf"}},
			{"吴敏华", deliveryRow{Status: "sent", Attempts: 2, Channel: "kf"}},
			{"黄海", deliveryRow{Status: "failed", Attempts: 3, Error: bot.ErrUnavailable.Error()}},
			{"谭红", deliveryRow{Status: "undeliverable", Attempts: 1, Error: "no channel reaches the person"}},
		} {
			got, ok := delivery(t, w.db, ids[c.name], week.Label())
			if !ok || got != c.want {
				t.Errorf("%s's delivery = %+v (%v), want %+v", c.name, got, ok, c.want)
			}
		}
		for _, n := range []string{"范小平", "王丽", "李建国"} {
			if got, ok := delivery(t, w.db, ids[n], week.Label()); ok {
				t.Errorf("%s has a delivery %+v, want none", n, got)
			}
		}

		// The next week, the template goes through outside the window.
		next := week.Next()
		due2 := due.AddDate(0, 0, 7)
		tick(due2, true)
		tick(due2.Add(time.Minute), true)
		tag = fmt.Sprintf("第%d周", next.Number())
		if got := sent("oHuangHai", "template"); len(got) != 1 || !strings.Contains(got[0], "还差5小时") {
			t.Errorf("黄海 got %q by template, want one 还差5小时", got)
		}
		if got, _ := delivery(t, w.db, ids["黄海"], next.Label()); got != (deliveryRow{Status: "sent", Attempts: 1, Channel: "template"}) {
			t.Errorf("黄海's delivery the next week = %+v", got)
		}
		// Without a template, outside the window is not deliverable.
		w.studySettings(t, `{}`)
		due3 := due.AddDate(0, 0, 14)
		tick(due3, true)
		tag = fmt.Sprintf("第%d周", next.Next().Number())
		if got, _ := delivery(t, w.db, ids["黄海"], next.Next().Label()); got.Status != "undeliverable" || got.Attempts != 1 {
			t.Errorf("黄海's delivery without a template = %+v, want undeliverable", got)
		}
		if got := append(sent("oHuangHai", "template"), sent("oHuangHai", "custom")...); len(got) != 0 {
			t.Errorf("黄海 got %q without a template", got)
		}
		tick(due3.Add(time.Minute), true)
		if got, _ := delivery(t, w.db, ids["黄海"], next.Next().Label()); got.Attempts != 1 {
			t.Errorf("an undeliverable reminder was tried again: %+v", got)
		}
	})
}
