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
// 撤回, 改为. The receipt code is the sender's key; changing an opinion
// also needs the receipt's keyed hash to match the sender.

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
	d := t.dialog
	d.LastCode = o.Code
	t.setDialog(d)
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

// ownOpinion finds the sender's opinion: by code, else the one named by
// the dialog, else the newest that pick accepts. ok=false: none.
func (b *Bot) ownOpinion(ctx context.Context, tx bot.Tx, t *turn, code string, since time.Time, pick func(bot.Opinion) bool) (bot.Opinion, bool, error) {
	mine, err := tx.SenderOpinions(ctx, t.sender, since)
	if err != nil {
		return bot.Opinion{}, false, err
	}
	if code == "" {
		code = t.dialog.LastCode
		if code != "" {
			for _, o := range mine {
				if o.Code == code && pick(o) {
					return o, true, nil
				}
			}
			code = ""
		}
		for _, o := range mine {
			if pick(o) {
				return o, true, nil
			}
		}
		return bot.Opinion{}, false, nil
	}
	for _, o := range mine {
		if o.Code == code {
			return o, true, nil
		}
	}
	return bot.Opinion{}, false, nil
}

// onRate keeps the sender's satisfaction with an answer.
func (b *Bot) onRate(ctx context.Context, tx bot.Tx, t *turn, code, rating string) (bot.Reply, error) {
	o, ok, err := b.ownOpinion(ctx, tx, t, code, t.now.AddDate(-1, 0, 0), func(o bot.Opinion) bool {
		return (o.Status == bot.StatusAnswered || o.Status == bot.StatusClosed) && o.Rating == ""
	})
	if err != nil {
		return bot.Reply{}, err
	}
	if !ok {
		return bot.Text(textRateNothing), nil
	}
	if o.Status != bot.StatusAnswered && o.Status != bot.StatusClosed {
		return bot.Text(fmt.Sprintf(textRateNotYet, o.Code, statusLabel(o.Status))), nil
	}
	o.Rating, o.RatedAt, o.Updated = rating, t.now, t.now
	if err := tx.UpdateOpinion(ctx, o); err != nil {
		return bot.Reply{}, err
	}
	if err := tx.AddOpinionEvent(ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: "rated", Note: rating, At: t.now}); err != nil {
		return bot.Reply{}, err
	}
	if rating == parse.RatingUnsatisfied {
		return bot.Text(fmt.Sprintf(textRatedUnsatisfied, o.Code)), nil
	}
	return bot.Text(fmt.Sprintf(textRated, ratingLabel(rating))), nil
}

// onWithdraw lets the sender take back an opinion nobody has acted on yet.
func (b *Bot) onWithdraw(ctx context.Context, tx bot.Tx, t *turn, code string) (bot.Reply, error) {
	if code == "" {
		return bot.Text(textWithdrawHow), nil
	}
	o, ok, err := b.ownOpinion(ctx, tx, t, code, t.now.AddDate(-1, 0, 0), func(bot.Opinion) bool { return true })
	if err != nil {
		return bot.Reply{}, err
	}
	if !ok {
		return bot.Text(fmt.Sprintf(textNotYours, code)), nil
	}
	if err := bot.Transition(&o, bot.StatusWithdrawn); err != nil {
		return bot.Text(fmt.Sprintf(textWithdrawTooLate, o.Code, statusLabel(o.Status))), nil
	}
	o.Updated = t.now
	if err := tx.UpdateOpinion(ctx, o); err != nil {
		return bot.Reply{}, err
	}
	if err := tx.AddOpinionEvent(ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: string(bot.StatusWithdrawn), At: t.now}); err != nil {
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
	o, ok, err := b.ownOpinion(ctx, tx, t, code, t.now.Add(-recategorizeWindow), func(o bot.Opinion) bool { return o.Status == bot.StatusReceived })
	if err != nil {
		return bot.Reply{}, err
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
	o.Category, o.Updated = cat, t.now
	if err := tx.UpdateOpinion(ctx, o); err != nil {
		return bot.Reply{}, err
	}
	if err := tx.AddOpinionEvent(ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: "recategorized", ActorID: actor, Note: note, At: t.now}); err != nil {
		return bot.Reply{}, err
	}
	return bot.Text(fmt.Sprintf(textRecategorized, o.Code, label(cat))), nil
}
