// Package conformance is the test suite every database behind bot.Store
// passes: each Store and Tx method with its error contract (not found,
// conflict), the group commit (batches form, a failing function falls back
// without taking the others down, a function reads its own writes, a
// message key twice in one batch) and the sent log of scheduled deliveries
// across two instances.
//
// storage's tests run it on SQLite always and on MySQL when
// MINQING_TEST_MYSQL_DSN is set (mandatory with CI=true):
//
//	conformance.Run(t, storagetest.SQLiteWith)
package conformance

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
	"minqing/storage"
)

// NewStore opens a new, empty, migrated database for one test with the
// options o — the suite sets the clock and the committers, the backend where
// the data lives — closed when the test ends. It also returns a function
// that opens another handle on the same database, as a second instance of
// the service would.
type NewStore func(tb testing.TB, o storage.Options) (db *storage.DB, another func(testing.TB) *storage.DB)

// now is the suite's clock: Monday 23 November 2026, 08:00 UTC.
var now = time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)

// test is one test of the suite with the Tx and Store methods it covers.
type test struct {
	name   string
	covers []string
	run    func(t *testing.T, e *env)
}

// suite lists the tests, each noun's from its own file.
func suite() []test {
	return slices.Concat(processedTests, orgTests, peopleTests, bindingTests, opinionTests, deliveryTests, batchTests, visitTests, checkinTests, adminTests, digestTests)
}

// Run runs the suite, each test on a database of its own.
func Run(t *testing.T, newStore NewStore) {
	t.Run("EveryMethodCovered", func(t *testing.T) { everyMethodCovered(t) })
	for _, tc := range suite() {
		t.Run(tc.name, func(t *testing.T) {
			db, another := newStore(t, storage.Options{Now: func() time.Time { return now }})
			tc.run(t, &env{t: t, db: db, another: another, newStore: newStore, ctx: context.Background()})
		})
	}
}

// everyMethodCovered fails when bot.Tx or bot.Store has a method no test of
// the suite claims to cover: a new method comes with its conformance test.
func everyMethodCovered(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range suite() {
		for _, m := range tc.covers {
			covered[m] = true
		}
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[bot.Tx](), reflect.TypeFor[bot.Store]()} {
		for i := range typ.NumMethod() {
			if m := typ.Method(i); !covered[m.Name] {
				t.Errorf("%s.%s has no conformance test", typ, m.Name)
			}
		}
	}
}

// env is what a test works with: its database and the means to open more.
type env struct {
	t        *testing.T
	db       *storage.DB
	another  func(testing.TB) *storage.DB
	newStore NewStore
	ctx      context.Context
}

// update runs fn in one Update and returns its error.
func (e *env) update(fn func(tx bot.Tx) error) error {
	return e.db.Update(e.ctx, fn)
}

// concurrently runs n Updates at once, the i-th running fn(tx, i), and
// returns their errors by i.
func (e *env) concurrently(n int, fn func(tx bot.Tx, i int) error) []error {
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range errs {
		wg.Go(func() { errs[i] = e.update(func(tx bot.Tx) error { return fn(tx, i) }) })
	}
	wg.Wait()
	return errs
}

// must runs fn in one Update and fails the test if it returns an error.
func (e *env) must(fn func(tx bot.Tx) error) {
	e.t.Helper()
	if err := e.update(fn); err != nil {
		e.t.Fatal(err)
	}
}

// wantErr fails the test unless err is target (nil for success).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	switch {
	case target == nil && err != nil:
		t.Errorf("%s: %v, want success", what, err)
	case target != nil && !errors.Is(err, target):
		t.Errorf("%s: %v, want %v", what, err, target)
	}
}

// wantRead fails the test unless a read (what) returned want and no error.
func wantRead[T any](t *testing.T, what string, want, got T, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("%s: %v, want success", what, err)
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", what, diff)
	}
}

// school creates a school with the given name and code.
func (e *env) school(name, code string) bot.OrgUnit {
	e.t.Helper()
	var u bot.OrgUnit
	e.must(func(tx bot.Tx) error {
		var err error
		u, err = tx.CreateUnit(e.ctx, bot.OrgUnit{Kind: bot.UnitSchool, Name: name, Code: code})
		return err
	})
	return u
}

// unit creates a unit under parent in the parent's school.
func (e *env) unit(parent bot.OrgUnit, kind bot.UnitKind, name string) bot.OrgUnit {
	e.t.Helper()
	var u bot.OrgUnit
	e.must(func(tx bot.Tx) error {
		var err error
		u, err = tx.CreateUnit(e.ctx, bot.OrgUnit{ParentID: parent.ID, SchoolID: parent.SchoolID, Kind: kind, Name: name})
		return err
	})
	return u
}

// person creates an active staff member of school with the given roles.
func (e *env) person(school bot.OrgUnit, name string, roles ...bot.Role) bot.Person {
	e.t.Helper()
	var p bot.Person
	e.must(func(tx bot.Tx) error {
		var err error
		p, err = tx.CreatePerson(e.ctx, bot.Person{SchoolID: school.ID, Name: name, Roles: roles, Active: true})
		return err
	})
	p.School = school.Name
	return p
}
