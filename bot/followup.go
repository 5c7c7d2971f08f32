package bot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
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
func (b *Bot) onQuery(ctx context.Context, tx Tx, t *turn, code string) (Reply, error) {
	if code == "" {
		return Text(textQueryHow), nil
	}
	o, err := tx.OpinionByCode(ctx, code)
	if errors.Is(err, ErrNotFound) {
		n, serr := b.state.Incr(ctx, queryMissKey(t.sender), time.Hour)
		if serr == nil && n > maxQueryMisses {
			return Text(textQueryLocked), nil
		}
		return Text(fmt.Sprintf(textQueryNotFound, code)), nil
	}
	if err != nil {
		return Reply{}, err
	}
	d := t.dialog
	d.LastCode = o.Code
	t.setDialog(d)
	return Text(b.statusText(o)), nil
}

// statusText tells a sender where their opinion is.
func (b *Bot) statusText(o Opinion) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, textQueryHead, o.Code, o.Category.Label(), o.Created.In(b.loc).Format("1月2日"), clip(o.Text, 40))
	sb.WriteString("\n")
	fmt.Fprintf(&sb, textQueryStatus, statusLabel(o.Status))
	switch o.Status {
	case StatusAssigned, StatusProcessing:
		if !o.Due.IsZero() {
			fmt.Fprintf(&sb, textQueryDue, o.Due.Format("1月2日"))
		}
	case StatusAnswered, StatusClosed:
		fmt.Fprintf(&sb, "\n"+textQueryAnswer, o.Answer)
		if o.Rating == "" && o.Anonymous {
			sb.WriteString("\n" + fmt.Sprintf(textRateHow, o.Code))
		} else if o.Rating != "" {
			fmt.Fprintf(&sb, "\n"+textQueryRated, ratingLabel(o.Rating))
		}
	case StatusRejected:
		fmt.Fprintf(&sb, "\n"+textQueryRejected, o.Answer)
	case StatusMerged:
		sb.WriteString("\n" + textQueryMerged)
	}
	return sb.String()
}

// ownOpinion finds the sender's opinion: by code, else the one named by
// the dialog, else the newest that pick accepts. ok=false: none.
func (b *Bot) ownOpinion(ctx context.Context, tx Tx, t *turn, code string, since time.Time, pick func(Opinion) bool) (Opinion, bool, error) {
	mine, err := tx.SenderOpinions(ctx, t.sender, since)
	if err != nil {
		return Opinion{}, false, err
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
		return Opinion{}, false, nil
	}
	for _, o := range mine {
		if o.Code == code {
			return o, true, nil
		}
	}
	return Opinion{}, false, nil
}

// onRate keeps the sender's satisfaction with an answer.
func (b *Bot) onRate(ctx context.Context, tx Tx, t *turn, code, rating string) (Reply, error) {
	o, ok, err := b.ownOpinion(ctx, tx, t, code, t.now.AddDate(-1, 0, 0), func(o Opinion) bool {
		return (o.Status == StatusAnswered || o.Status == StatusClosed) && o.Rating == ""
	})
	if err != nil {
		return Reply{}, err
	}
	if !ok {
		return Text(textRateNothing), nil
	}
	if o.Status != StatusAnswered && o.Status != StatusClosed {
		return Text(fmt.Sprintf(textRateNotYet, o.Code, statusLabel(o.Status))), nil
	}
	o.Rating, o.RatedAt, o.Updated = rating, t.now, t.now
	if err := tx.UpdateOpinion(ctx, o); err != nil {
		return Reply{}, err
	}
	if err := tx.AddOpinionEvent(ctx, OpinionEvent{OpinionID: o.ID, Kind: "rated", Note: rating, At: t.now}); err != nil {
		return Reply{}, err
	}
	if rating == RatingUnsatisfied {
		return Text(fmt.Sprintf(textRatedUnsatisfied, o.Code)), nil
	}
	return Text(fmt.Sprintf(textRated, ratingLabel(rating))), nil
}

// onWithdraw lets the sender take back an opinion nobody has acted on yet.
func (b *Bot) onWithdraw(ctx context.Context, tx Tx, t *turn, code string) (Reply, error) {
	if code == "" {
		return Text(textWithdrawHow), nil
	}
	o, ok, err := b.ownOpinion(ctx, tx, t, code, t.now.AddDate(-1, 0, 0), func(Opinion) bool { return true })
	if err != nil {
		return Reply{}, err
	}
	if !ok {
		return Text(fmt.Sprintf(textNotYours, code)), nil
	}
	if err := transition(&o, StatusWithdrawn); err != nil {
		return Text(fmt.Sprintf(textWithdrawTooLate, o.Code, statusLabel(o.Status))), nil
	}
	o.Updated = t.now
	if err := tx.UpdateOpinion(ctx, o); err != nil {
		return Reply{}, err
	}
	if err := tx.AddOpinionEvent(ctx, OpinionEvent{OpinionID: o.ID, Kind: string(StatusWithdrawn), At: t.now}); err != nil {
		return Reply{}, err
	}
	return Text(fmt.Sprintf(textWithdrawn, o.Code)), nil
}

// onRecategorize corrects the category: the sender's own recent opinion,
// or — for leaders — any opinion of their ledger.
func (b *Bot) onRecategorize(ctx context.Context, tx Tx, t *turn, code string, cat Category) (Reply, error) {
	if !validCategory(cat) {
		return Text(textRecategorizeHow), nil
	}
	o, ok, err := b.ownOpinion(ctx, tx, t, code, t.now.Add(-recategorizeWindow), func(o Opinion) bool { return o.Status == StatusReceived })
	if err != nil {
		return Reply{}, err
	}
	actor := int64(0)
	if !ok && code != "" && t.person != nil {
		// A leader correcting the ledger.
		lo, err := tx.OpinionByCode(ctx, code)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return Reply{}, err
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
			return Text(fmt.Sprintf(textNotYours, code)), nil
		}
		return Text(textRecategorizeNothing), nil
	}
	if actor == 0 && o.Status != StatusReceived {
		return Text(fmt.Sprintf(textRecategorizeTooLate, o.Code)), nil
	}
	if o.Category == cat {
		return Text(fmt.Sprintf(textRecategorized, o.Code, cat.Label())), nil
	}
	note := string(o.Category) + " → " + string(cat)
	o.Category, o.Updated = cat, t.now
	if err := tx.UpdateOpinion(ctx, o); err != nil {
		return Reply{}, err
	}
	if err := tx.AddOpinionEvent(ctx, OpinionEvent{OpinionID: o.ID, Kind: "recategorized", ActorID: actor, Note: note, At: t.now}); err != nil {
		return Reply{}, err
	}
	return Text(fmt.Sprintf(textRecategorized, o.Code, cat.Label())), nil
}
