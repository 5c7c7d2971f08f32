package chat

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"minqing/bot"
	"minqing/storage"
	"minqing/storage/storagetest"
)

// twoInstances runs fn with two handles on one database per backend, as
// two instances of the service would have.
func twoInstances(t *testing.T, fn func(t *testing.T, a, b *storage.DB)) {
	t.Run("sqlite", func(t *testing.T) {
		a, other := storagetest.SQLiteWith(t, storage.Options{})
		fn(t, a, other(t))
	})
	t.Run("mysql", func(t *testing.T) {
		a, other := storagetest.MySQLWith(t, storage.Options{})
		fn(t, a, other(t))
	})
}

// seedReaders seeds the digest school and binds its readers (and the
// teacher) to openids.
func seedReaders(t *testing.T, db *storage.DB) *seeded {
	s := seedDigestSchool(t, db)
	ctx := context.Background()
	ids := map[int64]string{s.principal.ID: "oPrincipal", s.secretary.ID: "oSecretary", s.discipline.ID: "oDiscipline", s.teacher.ID: "oTeacher", s.bureauStaff.ID: "oBureau"}
	if err := db.Update(ctx, func(tx bot.Tx) error {
		for id, o := range ids {
			if err := tx.PutBinding(ctx, bot.Binding{PersonID: id, OpenID: o, Active: true, BoundAt: digestNow.Add(-time.Hour)}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

// sendAt is Monday 23 November 2026 at the given local time.
func sendAt(clock string) time.Time { return local("2026-11-23 " + clock) }

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func recipients(r *recorder) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, t := range r.texts {
		out = append(out, strings.SplitN(t, "|", 2)[0])
	}
	for _, m := range r.templates {
		out = append(out, m.ToOpenID)
	}
	slices.Sort(out)
	return out
}

var allReaders = []string{"oBureau", "oDiscipline", "oPrincipal", "oSecretary"}

func TestDigestDeliveryExactlyOnceAcrossInstances(t *testing.T) {
	twoInstances(t, func(t *testing.T, dbA, dbB *storage.DB) {
		seedReaders(t, dbA)
		rec := &recorder{}
		c := &clock{t: sendAt("07:29")}
		a, b := newDigestBot(t, dbA, rec, c.now), newDigestBot(t, dbB, rec, c.now)
		ctx := context.Background()
		if err := a.SendDueDigests(ctx, c.now()); err != nil {
			t.Fatal(err)
		}
		if got := recipients(rec); len(got) != 0 {
			t.Fatalf("before 07:30 sent to %v", got)
		}
		c.set(sendAt("07:30"))
		var wg sync.WaitGroup
		for _, bt := range []*Bot{a, b, a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := bt.SendDueDigests(ctx, c.now()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		c.set(sendAt("09:00"))
		if err := b.SendDueDigests(ctx, c.now()); err != nil {
			t.Fatal(err)
		}
		if got := recipients(rec); !slices.Equal(got, allReaders) {
			t.Errorf("sent to %v, want each reader once: %v", got, allReaders)
		}
		for _, txt := range rec.texts {
			if !strings.Contains(txt, "第47周周报") || !strings.Contains(txt, "https://mq.example.edu.cn/digest?") {
				t.Errorf("digest message lacks the week or the link: %q", txt)
			}
		}
	})
}

func TestDigestDeliveryCrashMidRun(t *testing.T) {
	twoInstances(t, func(t *testing.T, dbA, dbB *storage.DB) {
		s := seedReaders(t, dbA)
		rec := &recorder{}
		c := &clock{t: sendAt("07:30")}
		ctx := context.Background()
		// Instance A claimed the principal's digest and died before sending.
		if err := dbA.Update(ctx, func(tx bot.Tx) error {
			_, claimed, err := tx.ClaimDelivery(ctx, deliveryDigest, s.principal.ID, "2026-W47", c.now().UTC(), c.now().UTC().Add(-deliveryLease), maxDeliveryAttempts)
			if !claimed {
				t.Error("the first claim was not granted")
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		b := newDigestBot(t, dbB, rec, c.now)
		c.set(sendAt("07:31"))
		if err := b.SendDueDigests(ctx, c.now()); err != nil {
			t.Fatal(err)
		}
		if got, want := recipients(rec), []string{"oBureau", "oDiscipline", "oSecretary"}; !slices.Equal(got, want) {
			t.Errorf("while the dead claim is fresh, sent to %v, want %v", got, want)
		}
		c.set(sendAt("07:36")) // the lease (5 minutes) is over
		if err := b.SendDueDigests(ctx, c.now()); err != nil {
			t.Fatal(err)
		}
		if got := recipients(rec); !slices.Equal(got, allReaders) {
			t.Errorf("after the lease, sent to %v, want %v", got, allReaders)
		}
	})
}

func TestDigestDeliveryRetried(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		seedReaders(t, db)
		rec := &recorder{textErr: bot.ErrUnavailable, textFails: 1}
		c := &clock{t: sendAt("07:30")}
		b := newDigestBot(t, db, rec, c.now)
		ctx := context.Background()
		if err := b.SendDueDigests(ctx, c.now()); err != nil {
			t.Fatal(err)
		}
		if got := len(recipients(rec)); got != 3 {
			t.Fatalf("first run: %d sent, want 3 (one failed)", got)
		}
		c.set(sendAt("07:31"))
		if err := b.SendDueDigests(ctx, c.now()); err != nil {
			t.Fatal(err)
		}
		if got := recipients(rec); !slices.Equal(got, allReaders) {
			t.Errorf("after the retry, sent to %v, want %v", got, allReaders)
		}
		log := deliveries(t, db)
		retried := 0
		for _, d := range log {
			if d.Status != bot.DeliverySent {
				t.Errorf("person %d: %s, want sent", d.PersonID, d.Status)
			}
			if d.Attempts == 2 {
				retried++
			}
		}
		if retried != 1 {
			t.Errorf("%d deliveries took 2 attempts, want 1", retried)
		}

		// A send that keeps failing stops after maxDeliveryAttempts.
		rec2 := &recorder{textErr: bot.ErrUnavailable, textFails: 100}
		b2 := newDigestBot(t, db, rec2, c.now)
		for i := range 6 {
			c.set(sendAt("08:00").Add(time.Duration(i) * time.Minute))
			if _, err := b2.SendDigests(ctx, DigestOptions{School: "实验小学", Week: "2026-W46"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, d := range deliveriesOf(t, db, "2026-W46") {
			if d.Status != bot.DeliveryFailed || d.Attempts != maxDeliveryAttempts {
				t.Errorf("person %d: %s after %d attempts, want failed after %d", d.PersonID, d.Status, d.Attempts, maxDeliveryAttempts)
			}
		}
		if rec2.textFails != 100-3*maxDeliveryAttempts {
			t.Errorf("%d sends tried, want %d", 100-rec2.textFails, 3*maxDeliveryAttempts)
		}
	})
}

func deliveries(t *testing.T, db *storage.DB) []bot.Delivery { return deliveriesOf(t, db, "2026-W47") }

func deliveriesOf(t *testing.T, db *storage.DB, period string) []bot.Delivery {
	var out []bot.Delivery
	if err := db.Update(context.Background(), func(tx bot.Tx) error {
		var err error
		out, err = tx.Deliveries(context.Background(), deliveryDigest, period)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestDigestDeliveryChannels(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		s := seedReaders(t, db)
		ctx := context.Background()
		if err := db.Update(ctx, func(tx bot.Tx) error {
			return tx.PutSchoolSettings(ctx, s.school.ID, []byte(`{"digest":{"template_id":"TPL-DIGEST","send_at":"Mon 07:00","link_days":7}}`))
		}); err != nil {
			t.Fatal(err)
		}
		// The school's readers get the template (07:00); the bureau's
		// reader, outside the 48-hour window with no template, is
		// undeliverable.
		rec := &recorder{outside: map[string]bool{"oBureau": true}}
		c := &clock{t: sendAt("07:00")}
		b := newDigestBot(t, db, rec, c.now)
		if err := b.SendDueDigests(ctx, c.now()); err != nil {
			t.Fatal(err)
		}
		if len(rec.texts) != 0 || len(rec.templates) != 3 {
			t.Fatalf("sent %d texts and %d templates, want 0 and 3", len(rec.texts), len(rec.templates))
		}
		for _, m := range rec.templates {
			if m.TemplateID != "TPL-DIGEST" || !strings.HasPrefix(m.URL, "https://mq.example.edu.cn/digest?") || len(m.Fields) != 3 {
				t.Errorf("template message %+v", m)
			}
			u, _ := url.Parse(m.URL)
			l, err := b.VerifyDigestLink(u.Query())
			if err != nil || l.Week != "2026-W47" || l.UnitID != s.school.ID || !l.Expires.Equal(c.now().Add(7*24*time.Hour).Truncate(time.Second)) {
				t.Errorf("link %+v: %v", l, err)
			}
		}
		c.set(sendAt("07:30")) // the bureau's send time (the default)
		if err := b.SendDueDigests(ctx, c.now()); err != nil {
			t.Fatal(err)
		}
		if len(rec.texts) != 0 || len(rec.templates) != 3 {
			t.Fatalf("at 07:30 sent %d texts and %d templates in all, want 0 and 3", len(rec.texts), len(rec.templates))
		}
		var bureau bot.Delivery
		for _, d := range deliveries(t, db) {
			if d.PersonID == s.bureauStaff.ID {
				bureau = d
			}
		}
		if bureau.Status != bot.DeliveryUndeliverable {
			t.Errorf("bureau delivery %+v, want undeliverable", bureau)
		}

		// Without a template: a customer-service message with the link.
		if err := db.Update(ctx, func(tx bot.Tx) error { return tx.PutSchoolSettings(ctx, s.school.ID, []byte(`{}`)) }); err != nil {
			t.Fatal(err)
		}
		rec2 := &recorder{}
		b2 := newDigestBot(t, db, rec2, c.now)
		if _, err := b2.SendDigests(ctx, DigestOptions{School: "SYXX", Week: "2026-W46"}); err != nil {
			t.Fatal(err)
		}
		if len(rec2.texts) != 3 || len(rec2.templates) != 0 {
			t.Fatalf("sent %d texts and %d templates, want 3 and 0", len(rec2.texts), len(rec2.templates))
		}
		if !strings.Contains(rec2.texts[0], "第46周周报") || !strings.Contains(rec2.texts[0], "/digest?") {
			t.Errorf("text %q", rec2.texts[0])
		}
	})
}

// TestDigestInChat asks for the digest in chat, through Process.
func TestDigestInChat(t *testing.T) {
	storagetest.Backends(t, func(t *testing.T, db *storage.DB) {
		seedReaders(t, db)
		c := &clock{t: digestNow}
		b := newDigestBot(t, db, nil, c.now)
		ctx := context.Background()
		var msg int64
		send := func(openid, text string) string {
			msg++
			out, err := b.Process(ctx, bot.Inbound{OpenID: openid, Account: "gh_test", MsgID: msg, Created: c.now(), Kind: bot.KindText, Text: text})
			if err != nil {
				t.Fatal(err)
			}
			return out.Reply.Text
		}
		for _, tc := range []struct {
			who, text string
			want      []string
		}{
			{"oPrincipal", "周报", []string{"实验小学第47周周报（11月16日至11月22日）", "新收意见7条（上周3）", "https://mq.example.edu.cn/digest?", "14天内有效"}},
			{"oPrincipal", "上周周报", []string{"第47周周报"}},
			{"oPrincipal", "第46周周报", []string{"第46周周报（11月9日至11月15日）"}},
			{"oPrincipal", "第四十五周周报", []string{"第45周周报"}},
			{"oPrincipal", "本周周报", []string{"第48周周报"}},
			{"oPrincipal", "第60周周报", []string{"没有找到第60周"}},
			{"oDiscipline", "周报", []string{"新收意见1条（上周1）"}},
			{"oBureau", "周报", []string{"城区教育局第47周周报", "各校分项见网页版"}},
			{"oTeacher", "周报", []string{"领导"}},
			{"oParent", "周报", []string{"绑定"}},
		} {
			got := send(tc.who, tc.text)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("%s %q: reply lacks %q:\n%s", tc.who, tc.text, w, got)
				}
			}
		}
		// The link of the reply opens the digest; tampered or expired, it does not.
		reply := send("oPrincipal", "周报")
		link := reply[strings.Index(reply, "https://"):]
		link = link[:strings.IndexAny(link, "（\n")]
		u, err := url.Parse(link)
		if err != nil {
			t.Fatal(err)
		}
		d, err := b.DigestForLink(ctx, u.Query())
		if err != nil || d.Week != "2026-W47" || d.Name != "实验小学" {
			t.Fatalf("DigestForLink = %v, %v", d, err)
		}
		for _, tamper := range []func(url.Values){
			func(q url.Values) { q.Set("w", "2026-W46") },
			func(q url.Values) { q.Set("u", "999") },
			func(q url.Values) { q.Set("p", "0") },
			func(q url.Values) { q.Set("e", "99999999999") },
			func(q url.Values) { q.Del("sig") },
		} {
			q := u.Query()
			tamper(q)
			if _, err := b.DigestForLink(ctx, q); err != ErrLinkInvalid {
				t.Errorf("tampered link %v: %v, want ErrLinkInvalid", q, err)
			}
		}
		c.set(digestNow.Add(15 * 24 * time.Hour))
		if _, err := b.DigestForLink(ctx, u.Query()); err != ErrLinkExpired {
			t.Errorf("expired link: %v, want ErrLinkExpired", err)
		}
	})
}
