package chat

import (
	"context"
	"encoding/json"
	"flag"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
	"minqing/internal/goldentest"
	"minqing/storage"
)

var update = flag.Bool("update", false, "rewrite the golden files of the digest tests")

func fixedClock() time.Time { return digestNow }

func makeTestDigest(t *testing.T, b *Bot, db *storage.DB, unit bot.OrgUnit, week string, viewer *bot.Person) *Digest {
	t.Helper()
	w, err := ParseWeek(week, shanghai)
	if err != nil {
		t.Fatal(err)
	}
	var d *Digest
	if err := db.Update(context.Background(), func(tx bot.Tx) error {
		var err error
		d, err = b.makeDigest(context.Background(), tx, digestRequest{Unit: unit, Week: w, Viewer: viewer})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return d
}

// TestDigestGolden pins the text and JSON of the seeded school's W47
// digest, as the CLI (everything), the principal and the discipline
// member (the supervisor) see it, on both backends.
func TestDigestGolden(t *testing.T) {
	backends(t, func(t *testing.T, open func(testing.TB) *storage.DB) {
		db := open(t)
		s := seedDigestSchool(t, db)
		b := newDigestBot(t, db, nil, fixedClock)
		for _, c := range []struct {
			name   string
			viewer *bot.Person
			unit   bot.OrgUnit
		}{
			{"school", nil, s.school},
			{"principal", &s.principal, s.school},
			{"discipline", &s.discipline, s.school},
			{"bureau", &s.bureauStaff, s.bureau},
		} {
			t.Run(c.name, func(t *testing.T) {
				d := makeTestDigest(t, b, db, c.unit, "2026-W47", c.viewer)
				d.Link = "https://mq.example.edu.cn/digest?fixed"
				js, err := d.JSON()
				if err != nil {
					t.Fatal(err)
				}
				goldentest.Check(t, "digest_"+c.name+".txt", []byte(d.Text(shanghai)), *update)
				goldentest.Check(t, "digest_"+c.name+".json", normalizeIDs(t, js), *update)
			})
		}
	})
}

// normalizeIDs drops the database IDs from the JSON, which differ between
// backends only in principle, and keeps the rest.
func normalizeIDs(t *testing.T, js []byte) []byte {
	var v map[string]any
	if err := json.Unmarshal(js, &v); err != nil {
		t.Fatal(err)
	}
	delete(v, "unit_id")
	if schools, ok := v["schools"].([]any); ok {
		for _, s := range schools {
			delete(s.(map[string]any), "school_id")
		}
	}
	out, _ := json.MarshalIndent(v, "", "  ")
	return append(out, '\n')
}

func TestDigestWeekBoundaries(t *testing.T) {
	// Sunday 23:59 belongs to the week; Monday 00:00 to the next one.
	db := func() *storage.DB { return nil }
	_ = db
	for _, c := range []struct {
		at   string
		want string
	}{
		{"2026-11-22 23:59", "2026-W47"},
		{"2026-11-23 00:00", "2026-W48"},
		{"2026-11-16 00:00", "2026-W47"},
		{"2026-11-15 23:59", "2026-W46"},
	} {
		if got := WeekOf(local(c.at), shanghai).Label(); got != c.want {
			t.Errorf("WeekOf(%s) = %s, want %s", c.at, got, c.want)
		}
	}
}

// TestDigestBoundaryCounts checks on the seed that the opinions of Sunday
// 23:59 and Monday 00:00 (local) count in the right weeks: B002-0001
// (Mon 00:00) and B002-0008 (Sun 23:59) are W47's, C003-0001 (Mon 00:00
// of W48) is not.
func TestDigestBoundaryCounts(t *testing.T) {
	db := storageSQLite(t)
	s := seedDigestSchool(t, db)
	b := newDigestBot(t, db, nil, fixedClock)
	d := makeTestDigest(t, b, db, s.school, "2026-W47", nil)
	l := d.data["ledger"].(*LedgerDigest)
	if l.New.This != 8 || l.New.Last != 4 {
		t.Errorf("new = %+v, want 8 this week and 4 last", l.New)
	}
	d48 := makeTestDigest(t, b, db, s.school, "2026-W48", nil)
	if got := d48.data["ledger"].(*LedgerDigest).New.This; got != 1 {
		t.Errorf("W48 new = %d, want 1", got)
	}
	if !d48.Partial {
		t.Error("W48 is not over at the clock's time and should be partial")
	}
}

func TestSuppress(t *testing.T) {
	g := func(key string, count int, senders ...string) *group {
		m := map[string]bool{}
		for _, s := range senders {
			m[s] = true
		}
		return &group{key: key, label: key, count: count, senders: m}
	}
	for _, c := range []struct {
		name   string
		groups []*group
		k      int
		want   []Cell
	}{
		{"all large", []*group{g("a", 5, "1", "2", "3"), g("b", 3, "4", "5", "6")}, 3,
			[]Cell{{Key: "a", Label: "a", Count: 5}, {Key: "b", Label: "b", Count: 3}}},
		{"one small folds with the smallest shown", []*group{g("a", 5, "1", "2", "3"), g("b", 4, "4", "5", "6"), g("c", 2, "7")}, 3,
			[]Cell{{Key: "a", Label: "a", Count: 5}, {Key: "other", Label: textDigestOther, Count: 6}}},
		{"two small make an other of k", []*group{g("a", 5, "1", "2", "3"), g("b", 2, "4", "5"), g("c", 1, "6")}, 3,
			[]Cell{{Key: "a", Label: "a", Count: 5}, {Key: "other", Label: textDigestOther, Count: 3}}},
		{"many opinions of one sender are one sender", []*group{g("a", 9, "1"), g("b", 3, "2", "3", "4")}, 3,
			[]Cell{{Key: "other", Label: textDigestOther, Count: 12}}},
		{"nothing left to fold with", []*group{g("a", 9, "1"), g("b", 1, "2")}, 3,
			[]Cell{{Key: "other", Label: textDigestOther, Suppressed: true}}},
		{"unknown senders do not count", []*group{g("a", 4)}, 3,
			[]Cell{{Key: "other", Label: textDigestOther, Suppressed: true}}},
		{"k of 1 shows all", []*group{g("a", 1, "1")}, 1, []Cell{{Key: "a", Label: "a", Count: 1}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if diff := cmp.Diff(c.want, suppress(c.groups, c.k)); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDigestSupervisorRouting: leadership opinions are counted only in
// the supervisor's digest — the discipline member by default, the party
// secretary or the bureau when the settings say so.
func TestDigestSupervisorRouting(t *testing.T) {
	for _, c := range []struct {
		supervisor string
		// who sees the leadership opinion B002-0007 among W47's new ones
		discipline, secretary, principal, bureau bool
	}{
		{SupervisorDiscipline, true, false, false, false},
		{SupervisorPartySecretary, false, true, false, false},
		{SupervisorBureau, false, false, false, true},
	} {
		t.Run(c.supervisor, func(t *testing.T) {
			db := storageSQLite(t)
			s := seedDigestSchool(t, db)
			ctx := context.Background()
			if err := db.Update(ctx, func(tx bot.Tx) error {
				return tx.PutSchoolSettings(ctx, s.school.ID, []byte(`{"supervisor":"`+c.supervisor+`"}`))
			}); err != nil {
				t.Fatal(err)
			}
			b := newDigestBot(t, db, nil, fixedClock)
			sees := func(p bot.Person, unit bot.OrgUnit) bool {
				d := makeTestDigest(t, b, db, unit, "2026-W47", &p)
				l, ok := d.data["ledger"].(*LedgerDigest)
				if !ok {
					return false
				}
				for _, r := range l.ByCategory {
					if r.Category == string(bot.CatLeadership) && r.This > 0 {
						return true
					}
				}
				return false
			}
			got := [4]bool{sees(s.discipline, s.school), sees(s.secretary, s.school), sees(s.principal, s.school), sees(s.bureauStaff, s.bureau)}
			want := [4]bool{c.discipline, c.secretary, c.principal, c.bureau}
			if got != want {
				t.Errorf("leadership seen by discipline, secretary, principal, bureau = %v, want %v", got, want)
			}
		})
	}
}

func TestDigestWeekAsked(t *testing.T) {
	now := digestNow // Monday of W48
	for _, c := range []struct {
		text string
		want string // "" when the text asks for no week
	}{
		{"周报", "2026-W47"},
		{"上周周报", "2026-W47"},
		{"本周周报", "2026-W48"},
		{"第47周周报", "2026-W47"},
		{"第四十六周周报", "2026-W46"},
		{"第 2 周周报", "2026-W02"},
		{"第50周周报", "2025-W50"},
		{"2026-W40周报", "2026-W40"},
		{"孩子的周报怎么没有发下来，老师能不能每周发一次周报给家长看看", ""},
	} {
		a, ok := digestWeekAsked(c.text)
		if want := c.want != ""; ok != want {
			t.Errorf("%q: ok = %v, want %v", c.text, ok, want)
			continue
		}
		if !ok {
			continue
		}
		w, err := resolveWeek(a, now, shanghai)
		if err != nil || w.Label() != c.want {
			t.Errorf("%q: week %s (%v), want %s", c.text, w.Label(), err, c.want)
		}
	}
	if !strings.Contains(textDigestNoWeek, "第47周周报") {
		t.Error("the no-week answer should show an example")
	}
}
