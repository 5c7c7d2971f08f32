package chat

import (
	"context"
	"crypto/hmac"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"minqing/bot"
)

// Digest links: the page of one digest, for one reader, signed with a key
// derived from the server secret over the school (or bureau), the reader,
// the week and the expiry, so that nobody can read another school's
// digest, another week, or keep a link past its expiry. Reader 0 is the
// administrator's link from the CLI, which sees everything.

// DigestPath is where the digest page is served.
const DigestPath = "/digest"

// Errors of a digest link.
var (
	ErrLinkInvalid = fmt.Errorf("digest link is not valid: %w", bot.ErrInvalid)
	ErrLinkExpired = fmt.Errorf("digest link expired: %w", bot.ErrInvalid)
	ErrLinkRevoked = fmt.Errorf("digest link's reader may no longer read it: %w", bot.ErrNotFound)
)

// DigestLink is what a verified link names.
type DigestLink struct {
	UnitID   int64
	PersonID int64
	Week     string
	Expires  time.Time
}

func (b *Bot) linkSig(unit, person int64, week string, exp int64) string {
	return b.keys.Sum("digest-link/v1", strconv.FormatInt(unit, 10), strconv.FormatInt(person, 10), week, strconv.FormatInt(exp, 10))
}

// digestQuery is the signed query of a link.
func (b *Bot) digestQuery(unit, person int64, week string, expires time.Time) url.Values {
	exp := expires.Unix()
	return url.Values{
		"u": {strconv.FormatInt(unit, 10)}, "p": {strconv.FormatInt(person, 10)}, "w": {week},
		"e": {strconv.FormatInt(exp, 10)}, "sig": {b.linkSig(unit, person, week, exp)},
	}
}

// digestURL is the page of a digest for a reader, valid for days.
func (b *Bot) digestURL(unit, person int64, week string, days int) string {
	if days <= 0 {
		days = defaultDigestSettings().LinkDays
	}
	return b.publicURL + DigestPath + "?" + b.digestQuery(unit, person, week, b.now().Add(time.Duration(days)*24*time.Hour)).Encode()
}

// VerifyDigestLink checks a link's query: ErrLinkInvalid when it is
// incomplete or its signature does not match, ErrLinkExpired after its
// expiry.
func (b *Bot) VerifyDigestLink(q url.Values) (DigestLink, error) {
	unit, err1 := strconv.ParseInt(q.Get("u"), 10, 64)
	person, err2 := strconv.ParseInt(q.Get("p"), 10, 64)
	exp, err3 := strconv.ParseInt(q.Get("e"), 10, 64)
	week := q.Get("w")
	if err1 != nil || err2 != nil || err3 != nil || unit <= 0 || person < 0 || week == "" || len(week) > 10 {
		return DigestLink{}, ErrLinkInvalid
	}
	want := b.linkSig(unit, person, week, exp)
	if !hmac.Equal([]byte(want), []byte(strings.ToLower(q.Get("sig")))) {
		return DigestLink{}, ErrLinkInvalid
	}
	l := DigestLink{UnitID: unit, PersonID: person, Week: week, Expires: time.Unix(exp, 0)}
	if !b.now().Before(l.Expires) {
		return l, ErrLinkExpired
	}
	return l, nil
}

// DigestForLink verifies a link and makes the digest it names, as its
// reader sees it now (a reader who lost the right to read it gets
// ErrLinkRevoked). The returned digest carries the link itself.
func (b *Bot) DigestForLink(ctx context.Context, q url.Values) (*Digest, error) {
	l, err := b.VerifyDigestLink(q)
	if err != nil {
		return nil, err
	}
	var d *Digest
	err = b.store.Update(ctx, func(tx bot.Tx) error {
		unit, err := tx.Unit(ctx, l.UnitID)
		if errors.Is(err, bot.ErrNotFound) {
			return ErrLinkInvalid
		}
		if err != nil {
			return err
		}
		week, err := ParseWeek(l.Week, b.loc)
		if err != nil {
			return ErrLinkInvalid
		}
		req := digestRequest{Unit: unit, Week: week}
		if l.PersonID != 0 {
			p, err := tx.Person(ctx, l.PersonID)
			if errors.Is(err, bot.ErrNotFound) {
				return ErrLinkRevoked
			}
			if err != nil {
				return err
			}
			ok, err := b.mayReadDigest(ctx, tx, &p)
			if err != nil {
				return err
			}
			if !ok || p.SchoolID != unit.ID {
				return ErrLinkRevoked
			}
			req.Viewer = &p
		}
		d, err = b.makeDigest(ctx, tx, req)
		return err
	})
	if err != nil {
		return nil, err
	}
	d.Link = b.publicURL + DigestPath + "?" + q.Encode()
	return d, nil
}

// LinkDays is how long the school's links stay valid, for the page's
// expiry message.
func (b *Bot) LinkDays(ctx context.Context, unitID int64) int {
	days := defaultDigestSettings().LinkDays
	_ = b.store.Update(ctx, func(tx bot.Tx) error {
		set, err := b.settings(ctx, tx, unitID)
		if err == nil {
			days = set.Digest.LinkDays
		}
		return nil
	})
	return days
}
