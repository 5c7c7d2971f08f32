package conformance

import (
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
	code := func(p bot.Person, hash string) bot.BindCode {
		return bot.BindCode{PersonID: p.ID, Hash: hash, Sealed: []byte("sealed-" + hash), Expires: now.Add(72 * time.Hour), Created: now}
	}
	for _, s := range []struct {
		name string
		put  bot.BindCode
		want error
	}{
		{"a's first code", code(a, "ha1"), nil},
		{"b's first code", code(b, "hb1"), nil},
		{"a's code replaced", code(a, "ha2"), nil},
		{"a's code put again unchanged", code(a, "ha2"), nil},
		{"c, who has none, takes b's hash", code(c, "hb1"), bot.ErrConflict},
		{"a, who has one, takes b's hash", code(a, "hb1"), bot.ErrConflict},
	} {
		wantErr(t, s.name, e.update(func(tx bot.Tx) error { return tx.PutBindCode(e.ctx, s.put) }), s.want)
	}
	e.must(func(tx bot.Tx) error {
		for _, want := range []bot.BindCode{code(a, "ha2"), code(b, "hb1")} {
			got, err := tx.BindCodeOf(e.ctx, want.PersonID)
			wantErr(t, "BindCodeOf", err, nil)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("BindCodeOf(%d) mismatch (-want +got):\n%s", want.PersonID, diff)
			}
			got, err = tx.BindCodeByHash(e.ctx, want.Hash)
			wantErr(t, "BindCodeByHash", err, nil)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("BindCodeByHash(%s) mismatch (-want +got):\n%s", want.Hash, diff)
			}
		}
		_, err := tx.BindCodeOf(e.ctx, c.ID)
		wantErr(t, "BindCodeOf(nobody's code)", err, bot.ErrNotFound)
		_, err = tx.BindCodeByHash(e.ctx, "ha1")
		wantErr(t, "BindCodeByHash(replaced hash)", err, bot.ErrNotFound)
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
	for _, s := range []struct {
		name string
		put  bot.Binding
		want error
	}{
		{"a binds", binding(a, "oA1"), nil},
		{"b binds", binding(b, "oB"), nil},
		{"a rebinds another WeChat", binding(a, "oA2"), nil},
		{"a rebinds the same again", binding(a, "oA2"), nil},
		{"c, unbound, takes b's openid", binding(c, "oB"), bot.ErrConflict},
		{"a, bound, takes b's openid", binding(a, "oB"), bot.ErrConflict},
	} {
		wantErr(t, s.name, e.update(func(tx bot.Tx) error { return tx.PutBinding(e.ctx, s.put) }), s.want)
	}
	e.must(func(tx bot.Tx) error {
		for _, want := range []bot.Binding{binding(a, "oA2"), binding(b, "oB")} {
			got, err := tx.BindingOf(e.ctx, want.PersonID)
			wantErr(t, "BindingOf", err, nil)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("BindingOf(%d) mismatch (-want +got):\n%s", want.PersonID, diff)
			}
			got, err = tx.BindingByOpenID(e.ctx, want.OpenID)
			wantErr(t, "BindingByOpenID", err, nil)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("BindingByOpenID(%s) mismatch (-want +got):\n%s", want.OpenID, diff)
			}
		}
		_, err := tx.BindingOf(e.ctx, c.ID)
		wantErr(t, "BindingOf(unbound)", err, bot.ErrNotFound)
		_, err = tx.BindingByOpenID(e.ctx, "oA1")
		wantErr(t, "BindingByOpenID(replaced)", err, bot.ErrNotFound)
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
