package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"minqing/bot"
)

// Binding staff to their WeChat: 绑定 CODE, 解绑, 我是谁, and what
// subscribe and unsubscribe do to a binding.

const (
	// maxBindFailures wrong codes within bindFailWindow lock the sender out
	// of binding for bindLockout.
	maxBindFailures = 5
	bindFailWindow  = time.Hour
	bindLockout     = time.Hour
)

func bindFailKey(sender string) string { return "bindfail:" + sender }
func bindLockKey(sender string) string { return "bindlock:" + sender }

// onBind links the sender to the staff member whose code they sent.
func (b *Bot) onBind(ctx context.Context, tx bot.Tx, t *turn, code string) (bot.Reply, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" {
		return bot.Text(textBindHow), nil
	}
	// Guessing is throttled through the state store; without it, binding
	// waits rather than going unprotected.
	if _, err := b.state.Get(ctx, bindLockKey(t.sender)); err == nil {
		return bot.Text(textBindLocked), nil
	} else if !errors.Is(err, bot.ErrNotFound) {
		return bot.Text(textBindUnavailable), nil
	}
	if t.person != nil {
		return bot.Text(fmt.Sprintf(textBindAlreadyBound, t.person.School, t.person.Name)), nil
	}

	c, err := tx.BindCodeByHash(ctx, b.keys.BindCodeHash(code))
	switch {
	case errors.Is(err, bot.ErrNotFound):
		return b.bindFailed(ctx, t, textBindWrong)
	case err != nil:
		return bot.Reply{}, err
	case !c.Used.IsZero():
		return b.bindFailed(ctx, t, textBindUsed)
	case !t.now.Before(c.Expires):
		return b.bindFailed(ctx, t, textBindExpired)
	}
	p, err := tx.Person(ctx, c.PersonID)
	if err != nil {
		return bot.Reply{}, err
	}
	if !p.Active {
		return bot.Text(textBindInactive), nil
	}
	// An old, inactive binding of this WeChat user to somebody else goes.
	if old, err := tx.BindingByOpenID(ctx, t.in.OpenID); err == nil && old.PersonID != p.ID {
		if err := tx.DeleteBinding(ctx, old.PersonID); err != nil {
			return bot.Reply{}, err
		}
	} else if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return bot.Reply{}, err
	}
	if err := tx.PutBinding(ctx, bot.Binding{PersonID: p.ID, OpenID: t.in.OpenID, Active: true, BoundAt: t.now}); err != nil {
		return bot.Reply{}, err
	}
	if err := tx.MarkBindCodeUsed(ctx, p.ID, t.now); err != nil {
		return bot.Reply{}, err
	}
	t.after(b.bindingsChanged)
	return bot.Text(fmt.Sprintf(textBindDone, p.School, p.Name, roleLabels(p.Roles)) + "\n\n" + staffHelp(&p)), nil
}

// bindFailed counts a failed attempt and answers with why. The count is
// kept even if the transaction is retried or fails: that errs on the side
// of locking a guesser out sooner.
func (b *Bot) bindFailed(ctx context.Context, t *turn, why string) (bot.Reply, error) {
	n, err := b.state.Incr(ctx, bindFailKey(t.sender), bindFailWindow)
	if err != nil {
		return bot.Text(textBindUnavailable), nil
	}
	if n >= maxBindFailures {
		if err := b.state.Set(ctx, bindLockKey(t.sender), []byte{1}, bindLockout); err != nil {
			return bot.Text(textBindUnavailable), nil
		}
		return bot.Text(why + "\n" + textBindLocked), nil
	}
	return bot.Text(why + fmt.Sprintf(textBindTriesLeft, maxBindFailures-n)), nil
}

// onUnbind removes the sender's binding.
func (b *Bot) onUnbind(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	if t.person == nil {
		return bot.Text(textUnbindNotBound), nil
	}
	if err := tx.DeleteBinding(ctx, t.person.ID); err != nil {
		return bot.Reply{}, err
	}
	t.after(b.bindingsChanged)
	return bot.Text(fmt.Sprintf(textUnbindDone, t.person.Name)), nil
}

// onWhoAmI tells the sender who the service takes them for.
func (b *Bot) onWhoAmI(t *turn) bot.Reply {
	if t.person == nil {
		return bot.Text(textWhoAmIAnonymous)
	}
	return bot.Text(fmt.Sprintf(textWhoAmI, t.person.School, t.person.Name, roleLabels(t.person.Roles)) + "\n\n" + staffHelp(t.person))
}

// onSubscribe welcomes a follower; a staff member who comes back after
// unsubscribing finds their binding restored.
func (b *Bot) onSubscribe(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	bd, err := tx.BindingByOpenID(ctx, t.in.OpenID)
	switch {
	case errors.Is(err, bot.ErrNotFound):
		return bot.Text(textWelcome), nil
	case err != nil:
		return bot.Reply{}, err
	}
	if !bd.Active {
		if err := tx.SetBindingActive(ctx, t.in.OpenID, true, t.now); err != nil {
			return bot.Reply{}, err
		}
		t.after(b.bindingsChanged)
	}
	p, err := tx.Person(ctx, bd.PersonID)
	if err != nil {
		return bot.Reply{}, err
	}
	return bot.Text(fmt.Sprintf(textWelcomeBack, p.Name) + "\n\n" + staffHelp(&p)), nil
}

// onUnsubscribe keeps a staff member's binding but marks it inactive.
func (b *Bot) onUnsubscribe(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	err := tx.SetBindingActive(ctx, t.in.OpenID, false, t.now)
	switch {
	case err == nil:
		t.after(b.bindingsChanged)
	case !errors.Is(err, bot.ErrNotFound):
		return bot.Reply{}, err
	}
	return bot.Reply{}, nil
}

// roleLabels names roles in Chinese: "教师、党员".
func roleLabels(rs []bot.Role) string {
	if len(rs) == 0 {
		return textRoleNone
	}
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		if l, ok := textRoleLabel[r]; ok {
			out = append(out, l)
		}
	}
	return strings.Join(out, "、")
}

// staffHelp lists what a staff member can send, by their roles.
func staffHelp(p *bot.Person) string {
	var lines []string
	if p.Can(bot.ActCheckin) {
		lines = append(lines, textHelpCheckin)
	}
	if p.Can(bot.ActObserve) {
		lines = append(lines, textHelpObserve)
	}
	if p.Can(bot.ActLedger) || p.Can(bot.ActSupervise) {
		lines = append(lines, textHelpLedger)
	}
	if p.Can(bot.ActDigest) {
		lines = append(lines, textHelpDigest)
	}
	lines = append(lines, textHelpStaffCommon)
	return strings.Join(lines, "\n")
}
