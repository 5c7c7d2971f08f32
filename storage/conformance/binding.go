package conformance

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
)

var bindingTests = []test{
	{"BindCodes", []string{"PutBindCode", "BindCodeByHash", "BindCodeOf", "MarkBindCodeUsed"}, testBindCodes},
	{"Bindings", []string{"PutBinding", "BindingOf", "BindingByOpenID", "SetBindingActive", "DeleteBinding", "BoundOpenIDs", "PersonByOpenID"}, testBindings},
}

func testBindCodes(t *testing.T, e *env) {
	school := e.school("一中", "YZ01")
	a, b, c := e.person(school, "甲"), e.person(school, "乙"), e.person(school, "丙")
	testOnePerPerson(t, e, a, b, c, onePerPerson[bot.BindCode]{
		names:    [3]string{"PutBindCode", "BindCodeOf", "BindCodeByHash"},
		put:      bot.Tx.PutBindCode,
		byPerson: bot.Tx.BindCodeOf,
		byKey:    bot.Tx.BindCodeByHash,
		row: func(p bot.Person, hash string) bot.BindCode {
			return bot.BindCode{PersonID: p.ID, Hash: hash, Sealed: []byte("sealed-" + hash), Expires: now.Add(72 * time.Hour), Created: now}
		},
		keys: [3]string{"ha1", "hb1", "ha2"},
	})
	e.must(func(tx bot.Tx) error {
		wantErr(t, "MarkBindCodeUsed", tx.MarkBindCodeUsed(e.ctx, a.ID, now.Add(time.Hour)), nil)
		wantErr(t, "MarkBindCodeUsed(no code)", tx.MarkBindCodeUsed(e.ctx, c.ID, now), bot.ErrNotFound)
		got, err := tx.BindCodeOf(e.ctx, a.ID)
		if err != nil || !got.Used.Equal(now.Add(time.Hour)) {
			t.Errorf("used code = %+v, %v; want Used set", got, err)
		}
		return nil
	})
}

func testBindings(t *testing.T, e *env) {
	school := e.school("一中", "YZ01")
	a, b, c := e.person(school, "甲", bot.RoleTeacher), e.person(school, "乙"), e.person(school, "丙")
	binding := func(p bot.Person, openid string) bot.Binding {
		return bot.Binding{PersonID: p.ID, OpenID: openid, Active: true, BoundAt: now}
	}
	testOnePerPerson(t, e, a, b, c, onePerPerson[bot.Binding]{
		names:    [3]string{"PutBinding", "BindingOf", "BindingByOpenID"},
		put:      bot.Tx.PutBinding,
		byPerson: bot.Tx.BindingOf,
		byKey:    bot.Tx.BindingByOpenID,
		row:      binding,
		keys:     [3]string{"oA1", "oB", "oA2"},
	})
	e.must(func(tx bot.Tx) error {
		p, err := tx.PersonByOpenID(e.ctx, "oA2")
		wantErr(t, "PersonByOpenID", err, nil)
		if diff := cmp.Diff(a, p); diff != "" {
			t.Errorf("PersonByOpenID mismatch (-want +got):\n%s", diff)
		}
		_, err = tx.PersonByOpenID(e.ctx, "oNobody")
		wantErr(t, "PersonByOpenID(unbound)", err, bot.ErrNotFound)
		return nil
	})

	boundOpenIDs := func(want ...string) {
		t.Helper()
		got, err := e.db.BoundOpenIDs(e.ctx)
		wantErr(t, "BoundOpenIDs", err, nil)
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("BoundOpenIDs mismatch (-want +got):\n%s", diff)
		}
	}
	boundOpenIDs("oA2", "oB")

	// Unsubscribing keeps the binding, inactive: the openid is no longer
	// staff for PersonByOpenID or the staff index.
	e.must(func(tx bot.Tx) error {
		wantErr(t, "SetBindingActive(false)", tx.SetBindingActive(e.ctx, "oB", false, now.Add(time.Hour)), nil)
		wantErr(t, "SetBindingActive(unbound)", tx.SetBindingActive(e.ctx, "oNobody", false, now), bot.ErrNotFound)
		got, err := tx.BindingOf(e.ctx, b.ID)
		if err != nil || got.Active {
			t.Errorf("after unsubscribing: %+v, %v; want inactive", got, err)
		}
		_, err = tx.PersonByOpenID(e.ctx, "oB")
		wantErr(t, "PersonByOpenID(inactive binding)", err, bot.ErrNotFound)
		return nil
	})
	boundOpenIDs("oA2")
	e.must(func(tx bot.Tx) error {
		wantErr(t, "SetBindingActive(true)", tx.SetBindingActive(e.ctx, "oB", true, now.Add(2*time.Hour)), nil)
		// An inactive person is not staff, whatever the binding says.
		b.Active = false
		wantErr(t, "UpdatePerson", tx.UpdatePerson(e.ctx, b), nil)
		_, err := tx.PersonByOpenID(e.ctx, "oB")
		wantErr(t, "PersonByOpenID(inactive person)", err, bot.ErrNotFound)

		wantErr(t, "DeleteBinding", tx.DeleteBinding(e.ctx, a.ID), nil)
		wantErr(t, "DeleteBinding(none)", tx.DeleteBinding(e.ctx, a.ID), nil)
		_, err = tx.BindingOf(e.ctx, a.ID)
		wantErr(t, "BindingOf(deleted)", err, bot.ErrNotFound)
		// The openid is free again.
		return tx.PutBinding(e.ctx, binding(c, "oA2"))
	})
	boundOpenIDs("oA2", "oB")
}

// onePerPerson is a kind of row a person has at most one of, under a key no
// two people share (a bind code under its hash, a binding under its
// openid): how testOnePerPerson puts and reads it.
type onePerPerson[T any] struct {
	names    [3]string // of put, byPerson and byKey, for the reports
	put      func(tx bot.Tx, ctx context.Context, row T) error
	byPerson func(tx bot.Tx, ctx context.Context, personID int64) (T, error)
	byKey    func(tx bot.Tx, ctx context.Context, key string) (T, error)
	row      func(p bot.Person, key string) T // p's row under key
	keys     [3]string                        // a's first key, b's, a's second
}

// testOnePerPerson: a and b each put a row, a replaces theirs and puts it
// again unchanged, and neither c, who has none, nor a may take b's key
// (ErrConflict). Read back by person and by key, a and b have the last row
// they put; c has none and a's first key is nobody's (ErrNotFound).
func testOnePerPerson[T any](t *testing.T, e *env, a, b, c bot.Person, k onePerPerson[T]) {
	t.Helper()
	put, of, by := k.names[0], k.names[1], k.names[2]
	a1, b1, a2 := k.keys[0], k.keys[1], k.keys[2]
	for _, s := range []struct {
		name string
		put  T
		want error
	}{
		{"a's first", k.row(a, a1), nil},
		{"b's first", k.row(b, b1), nil},
		{"a's replaced", k.row(a, a2), nil},
		{"a's put again unchanged", k.row(a, a2), nil},
		{"c, who has none, takes b's key", k.row(c, b1), bot.ErrConflict},
		{"a, who has one, takes b's key", k.row(a, b1), bot.ErrConflict},
	} {
		wantErr(t, put+": "+s.name, e.update(func(tx bot.Tx) error { return k.put(tx, e.ctx, s.put) }), s.want)
	}
	e.must(func(tx bot.Tx) error {
		for _, w := range []struct {
			p   bot.Person
			key string
		}{{a, a2}, {b, b1}} {
			want := k.row(w.p, w.key)
			got, err := k.byPerson(tx, e.ctx, w.p.ID)
			wantRead(t, fmt.Sprintf("%s(%d)", of, w.p.ID), want, got, err)
			got, err = k.byKey(tx, e.ctx, w.key)
			wantRead(t, fmt.Sprintf("%s(%s)", by, w.key), want, got, err)
		}
		_, err := k.byPerson(tx, e.ctx, c.ID)
		wantErr(t, of+"(nobody's)", err, bot.ErrNotFound)
		_, err = k.byKey(tx, e.ctx, a1)
		wantErr(t, by+"(replaced)", err, bot.ErrNotFound)
		return nil
	})
}
