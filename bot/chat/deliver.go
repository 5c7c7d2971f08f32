package chat

import (
	"context"
	"errors"
	"fmt"
	"time"

	"minqing/bot"
)

// Scheduled deliveries to staff — study reminders, weekly digests — go
// exactly once per person and period across instances: each is claimed in
// the sent log (bot.DeliveryTx) before it is sent and its outcome recorded
// after, so that an instance that dies mid-run leaves the rest to the next
// tick, a failed send is retried on later ticks (at most
// maxDeliveryAttempts times), and a person no channel reaches is recorded
// as undeliverable instead of being tried forever.

const (
	// maxDeliveryAttempts bounds the tries of one delivery.
	maxDeliveryAttempts = 3
	// deliveryLease is how long a claimed delivery is left to the
	// instance that claimed it before another may take it over (that
	// instance died between claim and outcome).
	deliveryLease = 5 * time.Minute
)

// Delivery channels recorded in the sent log.
const (
	channelKF       = "kf"       // a customer-service message, inside the 48-hour window
	channelTemplate = "template" // a template message
)

// errUndeliverable means no channel reaches the person: outside the
// customer-service window with no template configured, not following the
// account, or not bound. It is recorded, not retried.
var errUndeliverable = errors.New("no channel reaches the person")

// deliverOnce sends one scheduled message of kind for period to a person,
// unless it was sent (or found undeliverable) already, is being sent by
// another instance, or ran out of attempts. send does the sending and
// returns the channel it used. It returns the delivery as recorded.
func (b *Bot) deliverOnce(ctx context.Context, kind, period string, personID int64, send func(ctx context.Context) (channel string, err error)) (bot.Delivery, error) {
	now := b.now().UTC()
	var (
		d       bot.Delivery
		claimed bool
	)
	err := b.store.Update(ctx, func(tx bot.Tx) error {
		var err error
		d, claimed, err = tx.ClaimDelivery(ctx, kind, personID, period, now, now.Add(-deliveryLease), maxDeliveryAttempts)
		return err
	})
	if err != nil || !claimed {
		return d, err
	}
	channel, serr := send(ctx)
	d.Channel, d.Error, d.Updated = channel, "", b.now().UTC()
	switch {
	case serr == nil:
		d.Status = bot.DeliverySent
	case errors.Is(serr, errUndeliverable):
		d.Status, d.Error = bot.DeliveryUndeliverable, deliveryError(serr)
	default:
		d.Status, d.Error = bot.DeliveryFailed, deliveryError(serr)
	}
	// The outcome must be recorded even if the caller's context ended: a
	// sent message left "sending" would be sent again after the lease.
	rctx := context.WithoutCancel(ctx)
	if err := b.store.Update(rctx, func(tx bot.Tx) error { return tx.FinishDelivery(rctx, d) }); err != nil {
		return d, fmt.Errorf("chat: record delivery: %w", err)
	}
	if d.Status == bot.DeliveryFailed {
		b.log.Warn("delivery_failed", "kind", kind, "period", period, "attempt", d.Attempts, "err", serr)
	}
	return d, nil
}

// deliveryError is what the sent log keeps of why a send failed: the
// domain error's name, never the driver's text (which may carry values).
func deliveryError(err error) string {
	for _, e := range []error{errUndeliverable, bot.ErrOutsideWindow, bot.ErrNotFollowing, bot.ErrNotFound, bot.ErrUnavailable} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return "send failed"
}

// pushToStaff sends a bound staff member text as a customer-service
// message or, outside the 48-hour window, the template message tm when the
// school configured one (tm.TemplateID not empty; ToOpenID is filled in
// here). It returns the channel used, or errUndeliverable (wrapping the
// reason) when neither reaches the person.
func (b *Bot) pushToStaff(ctx context.Context, personID int64, text string, tm bot.TemplateMessage) (string, error) {
	var openid string
	err := b.store.Update(ctx, func(tx bot.Tx) error {
		bd, err := tx.BindingOf(ctx, personID)
		if err == nil && bd.Active {
			openid = bd.OpenID
		}
		if errors.Is(err, bot.ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil {
		return "", err
	}
	if openid == "" {
		return "", fmt.Errorf("%w: %w", errUndeliverable, bot.ErrNotFound)
	}
	err = b.notifier.SendText(ctx, openid, text)
	switch {
	case err == nil:
		return channelKF, nil
	case errors.Is(err, bot.ErrNotFollowing):
		return "", fmt.Errorf("%w: %w", errUndeliverable, err)
	case !errors.Is(err, bot.ErrOutsideWindow):
		return "", err
	}
	if tm.TemplateID == "" {
		return "", fmt.Errorf("%w: %w", errUndeliverable, bot.ErrOutsideWindow)
	}
	tm.ToOpenID = openid
	if err := b.notifier.SendTemplate(ctx, tm); err != nil {
		if errors.Is(err, bot.ErrNotFollowing) || errors.Is(err, bot.ErrOutsideWindow) {
			return "", fmt.Errorf("%w: %w", errUndeliverable, err)
		}
		return "", err
	}
	return channelTemplate, nil
}
