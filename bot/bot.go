// Package bot is minqing's domain: who is speaking, what they asked for,
// what the school's rules say, and what to answer. It knows nothing of
// HTTP, XML, SQL or Redis: it declares the interfaces it needs (Store,
// State, Notifier) and everything in it runs against fakes and a fixed clock.
package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
)

// Config is what a Bot is built from.
type Config struct {
	Store    Store
	State    State
	Notifier Notifier
	// Secret is the server secret (MINQING_SECRET) that keys every hash and
	// seal protecting users' identities.
	Secret string
	// Now is the clock; time.Now by default.
	Now func() time.Time
	// Location is the schools' time zone, for weeks and school days.
	Location *time.Location
	Logger   *slog.Logger
	// FloodLimit is how many messages one sender may send a minute before
	// the bot asks them to slow down (default 30).
	FloodLimit int
}

// Bot handles inbound messages. It is safe for concurrent use.
type Bot struct {
	store    Store
	state    State
	notifier Notifier
	keys     keys
	now      func() time.Time
	loc      *time.Location
	log      *slog.Logger
	flood    int
	staff    staffIndex
	catalog  catalog
}

// New returns a Bot.
func New(c Config) (*Bot, error) {
	if c.Store == nil || c.State == nil || c.Notifier == nil {
		return nil, fmt.Errorf("bot: Store, State and Notifier are required: %w", ErrInvalid)
	}
	k, err := newKeys(c.Secret)
	if err != nil {
		return nil, err
	}
	b := &Bot{
		store: c.Store, state: c.State, notifier: c.Notifier, keys: k,
		now: c.Now, loc: c.Location, log: c.Logger, flood: c.FloodLimit,
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.loc == nil {
		b.loc = time.UTC
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.flood <= 0 {
		b.flood = 30
	}
	return b, nil
}

// Dedup sources of an Outcome.
const (
	// DupState means the reply came from the state store's dedup claim.
	DupState = "state"
	// DupDB means the reply came from the processed-message record in the
	// database (the state store was unavailable or had forgotten).
	DupDB = "db"
)

// Outcome is what Process did with one delivery of a message.
type Outcome struct {
	Reply Reply
	// Duplicate is empty when this delivery was processed now, or says
	// where the reply of an earlier delivery came from (DupState, DupDB).
	// The transport must not push a duplicate's reply again.
	Duplicate string
}

const (
	// claimTTL bounds how long a delivery may hold a message's dedup claim
	// while it works. A process that dies mid-way frees the message after it.
	claimTTL = 30 * time.Second
	// doneTTL is how long the state store remembers a processed message's
	// reply for WeChat's retries (which come within ~15 s). The database
	// remembers it for a day.
	doneTTL = time.Hour
	// claimWait bounds how long a concurrent delivery waits for the reply
	// of the delivery that holds the claim.
	claimWait = 4 * time.Second
	// ProcessedRetention is how long processed-message records are kept.
	ProcessedRetention = 24 * time.Hour
)

// errAlreadyProcessed means the message's processed record already exists:
// another delivery committed it first.
var errAlreadyProcessed = errors.New("message already processed")

// Process handles one delivery of an inbound message exactly once: a retry
// of a message already handled — concurrent, or arriving at another
// instance — gets the same reply and changes nothing. The state store's
// claim catches retries cheaply; the processed-message record written in
// the same transaction as the message's side effects catches them when the
// state store is unavailable or has forgotten.
//
// An error means nothing was committed; WeChat's retry may succeed.
func (b *Bot) Process(ctx context.Context, in Inbound) (Outcome, error) {
	key := b.keys.dedup(in)
	sender := b.keys.sender(in.OpenID)
	mk := MessageKeys{Claim: "dedup:" + key, ClaimTTL: claimTTL, Get: []string{dialogKey(sender), bindingsVersionKey}}
	if in.Kind != KindEvent {
		mk.Rate, mk.RateWindow = "rate:msg:"+sender, time.Minute
	}
	stateOK := true
	mc, err := b.state.ClaimMessage(ctx, mk)
	switch {
	case err != nil:
		// Carry on without the state store: the database still
		// deduplicates, and the sender starts without a dialog.
		stateOK = false
		mc = MessageClaim{}
		b.log.Warn("state_unavailable", "op", "claim", "err", err)
	case mc.Done:
		r, err := decodeReply(mc.Result)
		return Outcome{Reply: r, Duplicate: DupState}, err
	case !mc.Claimed:
		out, ok, err := b.awaitClaim(ctx, mk.Claim)
		if err != nil || ok {
			return out, err
		}
		// The other delivery gave up its claim (or lost it): this one
		// works, with the dialog as it is now.
		mc.Values = make([][]byte, 2)
		mc.Values[0], _ = b.state.Get(ctx, mk.Get[0])
		mc.Values[1], _ = b.state.Get(ctx, mk.Get[1])
	}

	var reply Reply
	dup := ""
	if mc.Count > int64(b.flood) {
		// Answer without processing: nothing is recorded, so the sender
		// may send the same message again later.
		reply = Text(textFlood)
	} else {
		t := turn{in: in, sender: sender}
		if len(mc.Values) == 2 {
			t.dialog = decodeDialog(mc.Values[0], b.log)
			t.notStaff = b.certainlyNotStaff(ctx, sender, mc.Values[1])
		}
		reply, dup, err = b.processOnce(ctx, key, t)
		if err != nil {
			if stateOK {
				if rerr := b.state.Release(context.WithoutCancel(ctx), mk.Claim); rerr != nil {
					b.log.Warn("state_unavailable", "op", "release", "err", rerr)
				}
			}
			return Outcome{}, err
		}
	}
	if stateOK {
		if err := b.state.Complete(context.WithoutCancel(ctx), mk.Claim, encodeReply(reply), doneTTL); err != nil {
			b.log.Warn("state_unavailable", "op", "complete", "err", err)
		}
	}
	return Outcome{Reply: reply, Duplicate: dup}, nil
}

// awaitClaim waits for the delivery holding the claim to finish. It returns
// ok=false when the claim was released or expired and this delivery now
// holds it.
func (b *Bot) awaitClaim(ctx context.Context, claimKey string) (Outcome, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, claimWait)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return Outcome{}, false, fmt.Errorf("bot: waiting for a concurrent delivery: %w", ctx.Err())
		case <-tick.C:
		}
		claimed, done, result, err := b.state.Claim(ctx, claimKey, claimTTL)
		switch {
		case err != nil:
			// Fall back to the database, which serialises the deliveries.
			return Outcome{}, false, nil
		case done:
			r, err := decodeReply(result)
			return Outcome{Reply: r, Duplicate: DupState}, true, err
		case claimed:
			return Outcome{}, false, nil
		}
	}
}

// processOnce runs the message's transaction. If another delivery recorded
// the message first, it returns that delivery's reply and DupDB.
func (b *Bot) processOnce(ctx context.Context, key string, start turn) (Reply, string, error) {
	now := b.now().UTC()
	var (
		reply Reply
		t     *turn
	)
	err := b.store.Update(ctx, func(tx Tx) error {
		t = &turn{in: start.in, now: now, sender: start.sender, dialog: start.dialog, notStaff: start.notStaff}
		r, err := b.route(ctx, tx, t)
		if err != nil {
			return err
		}
		if err := tx.RecordProcessed(ctx, key, encodeReply(r), now); err != nil {
			if errors.Is(err, ErrConflict) {
				return errAlreadyProcessed
			}
			return err
		}
		reply = r
		return nil
	})
	if errors.Is(err, errAlreadyProcessed) {
		raw, err := b.store.ProcessedReply(ctx, key)
		if err != nil {
			return Reply{}, "", fmt.Errorf("bot: reply of a processed message: %w", err)
		}
		r, err := decodeReply(raw)
		return r, DupDB, err
	}
	if err != nil {
		return Reply{}, "", fmt.Errorf("bot: process message: %w", err)
	}
	b.afterCommit(ctx, t)
	return reply, "", nil
}

// afterCommit carries out what a committed turn decided outside the
// database: the dialog state, then the actions queued with turn.after.
func (b *Bot) afterCommit(ctx context.Context, t *turn) {
	if t.dialogChanged {
		b.saveDialog(ctx, t.sender, t.dialog)
	}
	for _, fn := range t.afters {
		fn(ctx)
	}
}

// turn is one inbound message being handled inside its transaction.
type turn struct {
	in     Inbound
	now    time.Time
	sender string  // keyed hash of the openid
	person *Person // bound staff, or nil for everyone else
	// notStaff says the staff index knows the sender is not bound staff.
	notStaff bool
	dialog   Dialog
	// dialogChanged asks afterCommit to save (or clear) the dialog.
	dialogChanged bool
	// afters run once the transaction committed: pushes, cache updates.
	afters []func(context.Context)
}

// after queues fn to run once the turn's transaction has committed. A
// transaction that is retried starts a new turn, so nothing runs twice.
func (t *turn) after(fn func(context.Context)) { t.afters = append(t.afters, fn) }

// setDialog replaces the sender's dialog state after the commit.
func (t *turn) setDialog(d Dialog) {
	t.dialog, t.dialogChanged = d, true
}

// route decides what the message is and runs the matching handler.
func (b *Bot) route(ctx context.Context, tx Tx, t *turn) (Reply, error) {
	if !t.notStaff {
		p, err := tx.PersonByOpenID(ctx, t.in.OpenID)
		switch {
		case err == nil:
			t.person = &p
		case !errors.Is(err, ErrNotFound):
			return Reply{}, err
		}
	}

	switch t.in.Kind {
	case KindEvent:
		return b.onEvent(ctx, tx, t)
	case KindText, KindVoice:
		text := normalizeText(t.in.Text)
		if text == "" {
			if t.in.Kind == KindVoice {
				return Text(textVoiceUnrecognised), nil
			}
			return Text(textHelp), nil
		}
		return b.onText(ctx, tx, t, text)
	default:
		return Text(textNonText), nil
	}
}

func (b *Bot) onEvent(ctx context.Context, tx Tx, t *turn) (Reply, error) {
	switch t.in.Event {
	case EventSubscribe:
		prefix := ""
		if code, ok := strings.CutPrefix(t.in.EventKey, "qrscene_"); ok {
			if s, found, err := b.schoolByCode(ctx, tx, code); err != nil {
				return Reply{}, err
			} else if found {
				b.chooseSchool(t, s)
				prefix = fmt.Sprintf(textSchoolWelcome, s.Name) + "\n"
			}
		}
		r, err := b.onSubscribe(ctx, tx, t)
		if r.Text != "" {
			r.Text = prefix + r.Text
		}
		return r, err
	case EventUnsubscribe:
		return b.onUnsubscribe(ctx, tx, t)
	case EventScan:
		s, found, err := b.schoolByCode(ctx, tx, t.in.EventKey)
		if err != nil || !found {
			return Reply{}, err
		}
		b.chooseSchool(t, s)
		return Text(fmt.Sprintf(textSchoolChosen, s.Name)), nil
	case EventClick:
		return b.onMenu(ctx, tx, t, t.in.EventKey)
	default:
		// Menu links, location reports: nothing to say.
		return Reply{}, nil
	}
}

// schoolByCode finds the school of a QR code's scene.
func (b *Bot) schoolByCode(ctx context.Context, tx Tx, code string) (OrgUnit, bool, error) {
	u, err := tx.UnitByCode(ctx, strings.ToUpper(strings.TrimSpace(code)))
	if errors.Is(err, ErrNotFound) || (err == nil && u.Kind != UnitSchool) {
		return OrgUnit{}, false, nil
	}
	return u, err == nil, err
}

func (b *Bot) onText(ctx context.Context, tx Tx, t *turn, text string) (Reply, error) {
	p := Parse(text, ParseContext{Today: t.now.In(b.loc)})

	// A flow in progress sees the message first.
	switch t.dialog.Flow {
	case flowDraft:
		if r, handled, err := b.continueDraft(ctx, tx, t, p, text); handled || err != nil {
			return r, err
		}
	case flowConfirmOpinion:
		if r, handled, err := b.continueConfirm(ctx, tx, t, p); handled || err != nil {
			return r, err
		}
	case flowChooseSchool:
		if p.Intent == IntentCancel {
			t.setDialog(Dialog{LastCode: t.dialog.LastCode})
			return Text(textCancelled), nil
		}
		return b.continueChooseSchool(ctx, tx, t, text)
	}

	switch p.Intent {
	case IntentHelp:
		if t.person != nil {
			return Text(textHelp + "\n\n" + textHelpStaffHead + "\n" + staffHelp(t.person)), nil
		}
		return Text(textHelp), nil
	case IntentCancel:
		if t.dialog.Flow == "" {
			return Text(textNothingToCancel), nil
		}
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		return Text(textCancelled), nil
	case IntentBind:
		return b.onBind(ctx, tx, t, p.BindCode)
	case IntentUnbind:
		return b.onUnbind(ctx, tx, t)
	case IntentWhoAmI:
		return b.onWhoAmI(t), nil
	case IntentOpinion:
		return b.onOpinion(ctx, tx, t, p, text)
	case IntentStartOpinion:
		return b.onStartDraft(ctx, tx, t)
	case IntentSubmit:
		return Text(textNothingToSubmit), nil
	case IntentTicketQuery:
		return b.onQuery(ctx, tx, t, p.Code)
	case IntentRating:
		return b.onRate(ctx, tx, t, p.Code, p.Rating)
	case IntentWithdraw:
		return b.onWithdraw(ctx, tx, t, p.Code)
	case IntentRecategorize:
		return b.onRecategorize(ctx, tx, t, p.Code, p.Category)
	case IntentLedger:
		return b.onLedger(ctx, tx, t, p.Page)
	case IntentDetail:
		return b.onDetail(ctx, tx, t, p.Code)
	case IntentAssign:
		return b.onAssign(ctx, tx, t, p.Code, p.Unit, p.Days)
	case IntentProcessing:
		return b.onStep(ctx, tx, t, p.Code, StatusProcessing, p.Text)
	case IntentAnswer:
		return b.onAnswer(ctx, tx, t, p.Code, p.Text, false)
	case IntentReject:
		return b.onAnswer(ctx, tx, t, p.Code, p.Text, true)
	case IntentClose:
		return b.onStep(ctx, tx, t, p.Code, StatusClosed, p.Text)
	case IntentMerge:
		return b.onMerge(ctx, tx, t, p.Code, p.Target)
	case IntentStudy, IntentEssay, IntentHomeVisit, IntentProgress:
		if !t.person.Can(ActCheckin) {
			return refuse(t.person, ActCheckin), nil
		}
		return Text(textCheckinSoon), nil
	case IntentObservation, IntentTalk:
		if !t.person.Can(ActObserve) {
			return refuse(t.person, ActObserve), nil
		}
		return Text(textCheckinSoon), nil
	case IntentDigest:
		if !t.person.Can(ActDigest) {
			return refuse(t.person, ActDigest), nil
		}
		return Text(textDigestSoon), nil
	case IntentYes, IntentNo:
		return Text(textNothingToConfirm), nil
	}
	return Text(textNotUnderstood), nil
}

// onMenu answers a click on the custom menu.
func (b *Bot) onMenu(ctx context.Context, tx Tx, t *turn, key string) (Reply, error) {
	switch key {
	case MenuOpinion:
		return b.onStartDraft(ctx, tx, t)
	case MenuQuery:
		return Text(textQueryHow), nil
	case MenuCheckin:
		if !t.person.Can(ActCheckin) {
			return refuse(t.person, ActCheckin), nil
		}
		return Text(textHelpCheckin), nil
	case MenuVisit:
		if !t.person.Can(ActCheckin) {
			return refuse(t.person, ActCheckin), nil
		}
		return Text(textMenuVisitHow), nil
	case MenuLedger:
		return b.onLedger(ctx, tx, t, 1)
	case MenuMe:
		return b.onWhoAmI(t), nil
	case MenuHelp:
		return b.onText(ctx, tx, t, "帮助")
	}
	return Text(textHelp), nil
}

// normalizeText turns full-width spaces into spaces and trims the message;
// the parser does the rest (full-width characters, a voice recognition's
// final 。).
func normalizeText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\u3000", " "))
}

func encodeReply(r Reply) []byte {
	if r.IsEmpty() {
		return []byte{}
	}
	b, err := json.Marshal(r)
	if err != nil {
		panic("bot: encode reply: " + err.Error())
	}
	return b
}

func decodeReply(b []byte) (Reply, error) {
	var r Reply
	if len(b) == 0 {
		return r, nil
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("bot: decode cached reply: %w", err)
	}
	return r, nil
}

// FailureReply is the answer to a message whose processing failed: nothing
// was saved, and the sender is asked to send it again.
func FailureReply() Reply { return Text(textBusy) }
