package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"minqing/bot"
	"minqing/bot/parse"
)

// What a sender does with their opinion afterwards: 查询, 满意/不满意,
// 撤回, 改为. The receipt code is the sender's key to 查询 and to rate;
// 撤回 and 改为 also need the link (link.go) to name the sender, so they
// work within the link window only.

const (
	// maxQueryMisses unknown codes an hour lock a sender out of 查询.
	maxQueryMisses = 20
	// recategorizeWindow: a sender may correct the category for this long.
	recategorizeWindow = 24 * time.Hour
)

func queryMissKey(sender string) string { return "querymiss:" + sender }

// onQuery shows an opinion's status and answer to whoever has its code.
func (b *Bot) onQuery(ctx context.Context, tx bot.Tx, t *turn, code string) (bot.Reply, error) {
	if code == "" {
		return bot.Text(textQueryHow), nil
	}
	o, err := tx.OpinionByCode(ctx, code)
	if errors.Is(err, bot.ErrNotFound) {
		n, serr := b.state.Incr(ctx, queryMissKey(t.sender), time.Hour)
		if serr == nil && n > maxQueryMisses {
			return bot.Text(textQueryLocked), nil
		}
		return bot.Text(fmt.Sprintf(textQueryNotFound, code)), nil
	}
	if err != nil {
		return bot.Reply{}, err
	}
	t.linked = true
	d := t.dialog
	d.LastCode = o.Code
	t.setDialog(d)
	if o.Anonymous && o.Rating == "" && (o.Status == bot.StatusAnswered || o.Status == bot.StatusClosed) {
		d.Shown = o.Code
		t.setDialog(d)
		set, err := b.settings(ctx, tx, o.SchoolID)
		if err != nil {
			return bot.Reply{}, err
		}
		openid := t.in.OpenID
		t.after(func(ctx context.Context) { b.noteAnswered(ctx, o, openid, linkWindow(set)) })
	}
	return bot.Text(b.statusText(o)), nil
}

// statusText tells a sender where their opinion is.
func (b *Bot) statusText(o bot.Opinion) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, textQueryHead, o.Code, label(o.Category), o.Created.In(b.loc).Format("1月2日"), bot.Clip(o.Text, 40))
	sb.WriteString("\n")
	fmt.Fprintf(&sb, textQueryStatus, statusLabel(o.Status))
	switch o.Status {
	case bot.StatusAssigned, bot.StatusProcessing:
		if !o.Due.IsZero() {
			fmt.Fprintf(&sb, textQueryDue, o.Due.Format("1月2日"))
		}
	case bot.StatusAnswered, bot.StatusClosed:
		fmt.Fprintf(&sb, "\n"+textQueryAnswer, o.Answer)
		if o.Rating == "" && o.Anonymous {
			sb.WriteString("\n" + fmt.Sprintf(textRateHow, o.Code))
		} else if o.Rating != "" {
			fmt.Fprintf(&sb, "\n"+textQueryRated, ratingLabel(o.Rating))
		}
	case bot.StatusRejected:
		fmt.Fprintf(&sb, "\n"+textQueryRejected, o.Answer)
	case bot.StatusMerged:
		sb.WriteString("\n" + textQueryMerged)
	}
	return sb.String()
}

// onRate keeps the sender's satisfaction with an answer, and what they
// wrote after it. Without a code it is about the answer it follows: the
// one the sender just looked at (查询), else the answer pushed or shown to
// the sender within the link window that is still unrated; with several,
// the bot asks which.
func (b *Bot) onRate(ctx context.Context, tx bot.Tx, t *turn, code, rating, comment string) (bot.Reply, error) {
	t.linked = true
	rateable := func(o bot.Opinion) bool {
		return (o.Status == bot.StatusAnswered || o.Status == bot.StatusClosed) && o.Rating == ""
	}
	var o bot.Opinion
	switch {
	case code != "":
		var err error
		o, err = tx.OpinionByCode(ctx, code)
		if errors.Is(err, bot.ErrNotFound) {
			return bot.Text(fmt.Sprintf(textQueryNotFound, code)), nil
		}
		if err != nil {
			return bot.Reply{}, err
		}
		if o.Rating != "" {
			return bot.Text(fmt.Sprintf(textRateAlready, o.Code, ratingLabel(o.Rating))), nil
		}
	default:
		candidates, r, err := b.rateCandidates(ctx, tx, t, rateable)
		if err != nil || len(candidates) == 0 {
			return r, err
		}
		if len(candidates) > 1 {
			codes := make([]string, len(candidates))
			for i, c := range candidates {
				codes[i] = c.Code
			}
			return bot.Text(fmt.Sprintf(textRateWhich, strings.Join(codes, "、"), candidates[0].Code)), nil
		}
		o = candidates[0]
	}
	if !rateable(o) {
		return bot.Text(fmt.Sprintf(textRateNotYet, o.Code, statusLabel(o.Status))), nil
	}
	o.Rating, o.RatingComment = rating, bot.Clip(strings.TrimSpace(comment), 300)
	// The sender's act, to the hour (never before the answer it rates).
	o.RatedAt = laterOf(bot.HourOf(t.now), o.AnsweredAt)
	o.Updated = laterOf(bot.HourOf(t.now), o.Updated)
	if err := tx.UpdateOpinion(ctx, o); err != nil {
		return bot.Reply{}, err
	}
	if rating == parse.RatingUnsatisfied {
		return bot.Text(fmt.Sprintf(textRatedUnsatisfied, o.Code)), nil
	}
	return bot.Text(fmt.Sprintf(textRated, ratingLabel(rating), o.Code)), nil
}

// rateCandidates are the answers a rating without a code may be about.
// When there are none it returns the reply that says so.
func (b *Bot) rateCandidates(ctx context.Context, tx bot.Tx, t *turn, rateable func(bot.Opinion) bool) ([]bot.Opinion, bot.Reply, error) {
	if c := t.dialog.Shown; c != "" {
		o, err := tx.OpinionByCode(ctx, c)
		if err != nil && !errors.Is(err, bot.ErrNotFound) {
			return nil, bot.Reply{}, err
		}
		if err == nil && rateable(o) {
			return []bot.Opinion{o}, bot.Reply{}, nil
		}
	}
	school, _, err := b.schoolOf(ctx, tx, t)
	if errors.Is(err, errNoSchool) || (err == nil && school.ID == 0) {
		return nil, bot.Text(textRateNothing), nil
	}
	if err != nil {
		return nil, bot.Reply{}, err
	}
	set, err := b.settings(ctx, tx, school.ID)
	if err != nil {
		return nil, bot.Reply{}, err
	}
	list, err := b.answeredTo(ctx, school.ID, t.in.OpenID, linkWindow(set))
	if err != nil {
		b.log.Warn("state_unavailable", "op", "rate", "err", err)
		return nil, bot.Text(textRateNeedCode), nil
	}
	var out []bot.Opinion
	seen := map[string]bool{}
	for _, a := range list {
		if seen[a.Code] {
			continue
		}
		seen[a.Code] = true
		o, err := tx.OpinionByCode(ctx, a.Code)
		if errors.Is(err, bot.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, bot.Reply{}, err
		}
		if rateable(o) {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		return nil, bot.Text(textRateNothing), nil
	}
	return out, bot.Reply{}, nil
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// ownOpinion finds the opinion code names (or the dialog's latest) and
// checks, through the link, that the sender filed it. ok=false: not the
// sender's, or the link is gone; r is then the reply.
func (b *Bot) ownOpinion(ctx context.Context, tx bot.Tx, t *turn, code string) (bot.Opinion, bot.Reply, bool, error) {
	t.linked = true
	o, err := tx.OpinionByCode(ctx, code)
	if errors.Is(err, bot.ErrNotFound) {
		return o, bot.Text(fmt.Sprintf(textNotYours, code)), false, nil
	}
	if err != nil {
		return o, bot.Reply{}, false, err
	}
	mine, err := b.isAuthor(ctx, t, o)
	if errors.Is(err, errLinkDown) {
		b.log.Warn("state_unavailable", "op", "own_opinion", "err", err)
		return o, bot.Text(textTryLater), false, nil
	}
	if err != nil {
		return o, bot.Reply{}, false, err
	}
	if !mine {
		return o, bot.Text(fmt.Sprintf(textNotYours, code)), false, nil
	}
	return o, bot.Reply{}, true, nil
}

// onWithdraw lets the sender take back an opinion nobody has acted on yet.
func (b *Bot) onWithdraw(ctx context.Context, tx bot.Tx, t *turn, code string) (bot.Reply, error) {
	if code == "" {
		return bot.Text(textWithdrawHow), nil
	}
	o, r, ok, err := b.ownOpinion(ctx, tx, t, code)
	if err != nil || !ok {
		return r, err
	}
	if err := bot.Transition(&o, bot.StatusWithdrawn); err != nil {
		return bot.Text(fmt.Sprintf(textWithdrawTooLate, o.Code, statusLabel(o.Status))), nil
	}
	// No event, and the time to the hour: the sender's act.
	o.Updated = laterOf(bot.HourOf(t.now), o.Updated)
	if err := tx.UpdateOpinion(ctx, o); err != nil {
		return bot.Reply{}, err
	}
	return bot.Text(fmt.Sprintf(textWithdrawn, o.Code)), nil
}

// onRecategorize corrects the category: the sender's own recent opinion,
// or — for leaders — any opinion of their ledger.
func (b *Bot) onRecategorize(ctx context.Context, tx bot.Tx, t *turn, code string, pc parse.Category) (bot.Reply, error) {
	cat := bot.Category(pc)
	if !pc.Valid() {
		return bot.Text(textRecategorizeHow), nil
	}
	own := code
	if own == "" {
		own = t.dialog.LastCode
	}
	var (
		o  bot.Opinion
		ok bool
	)
	if own != "" {
		var r bot.Reply
		var err error
		o, r, ok, err = b.ownOpinion(ctx, tx, t, own)
		if err != nil {
			return bot.Reply{}, err
		}
		if !ok && r.Text == textTryLater && t.person == nil {
			return r, nil
		}
		if ok && t.now.Sub(o.Created) > recategorizeWindow+time.Hour {
			ok = false
		}
	}
	actor := int64(0)
	if !ok && code != "" && t.person != nil {
		// A leader correcting the ledger.
		lo, err := tx.OpinionByCode(ctx, code)
		if err != nil && !errors.Is(err, bot.ErrNotFound) {
			return bot.Reply{}, err
		}
		if err == nil {
			if r, allowed, err := b.mayHandle(ctx, tx, t, lo); err != nil || !allowed {
				return r, err
			}
			o, ok, actor = lo, true, t.person.ID
		}
	}
	if !ok {
		if code != "" {
			return bot.Text(fmt.Sprintf(textNotYours, code)), nil
		}
		return bot.Text(textRecategorizeNothing), nil
	}
	if actor == 0 && o.Status != bot.StatusReceived {
		return bot.Text(fmt.Sprintf(textRecategorizeTooLate, o.Code)), nil
	}
	if o.Category == cat {
		return bot.Text(fmt.Sprintf(textRecategorized, o.Code, label(cat))), nil
	}
	note := string(o.Category) + " → " + string(cat)
	o.Category = cat
	if actor == 0 {
		// The sender's act: to the hour, and no event.
		o.Updated = laterOf(bot.HourOf(t.now), o.Updated)
		if err := tx.UpdateOpinion(ctx, o); err != nil {
			return bot.Reply{}, err
		}
		return bot.Text(fmt.Sprintf(textRecategorized, o.Code, label(cat))), nil
	}
	o.Updated = t.now
	if err := tx.UpdateOpinion(ctx, o); err != nil {
		return bot.Reply{}, err
	}
	if err := tx.AddOpinionEvent(ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: "recategorized", ActorID: actor, Note: note, At: t.now}); err != nil {
		return bot.Reply{}, err
	}
	return bot.Text(fmt.Sprintf(textRecategorized, o.Code, label(cat))), nil
}
