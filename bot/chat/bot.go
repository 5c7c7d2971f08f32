// Package chat processes one inbound message: exactly once across WeChat's
// retries and across instances, through the sender's dialog, to the feature
// that handles it (intake, the ledger, follow-ups, binding …), inside one
// transaction with the record that the message was processed. It also runs
// the scheduled work (purges, draft submission). Each feature is one file
// plus its Chinese text (text_*.go). It depends on the interfaces of package
// bot, so it runs against fakes and a fixed clock.
package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"minqing/bot"
	"minqing/bot/parse"
)

// Config is what a Bot is built from.
type Config struct {
	Store    bot.Store
	State    bot.State
	Notifier bot.Notifier
	// Secret is the server secret (MINQING_SECRET). It keys rate counters
	// and a parent's choice of school, and the fallback keys while the state
	// store is down; nothing that links an opinion to its sender is keyed
	// under it (see link.go).
	Secret string
	// Now is the clock; time.Now by default.
	Now func() time.Time
	// Location is the schools' time zone, for weeks and school days.
	Location *time.Location
	Logger   *slog.Logger
	// FloodLimit is how many messages one sender may send a minute before
	// the bot asks them to slow down (default 30).
	FloodLimit int
	// PublicURL is where readers' browsers reach the service, for the
	// links of the weekly digest (no trailing slash).
	PublicURL string
}

// WithDefaults returns c with the optional fields left unset filled in:
// time.Now, UTC, a logger that discards, a flood limit of 30.
func (c Config) WithDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Location == nil {
		c.Location = time.UTC
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.FloodLimit <= 0 {
		c.FloodLimit = 30
	}
	return c
}

// Bot handles inbound messages. It is safe for concurrent use.
type Bot struct {
	store    bot.Store
	state    bot.State
	notifier bot.Notifier
	keys     bot.Keys
	now      func() time.Time
	loc      *time.Location
	log      *slog.Logger
	flood    int
	staff    staffIndex
	catalog  catalog
	links    linkKeyCache
	// publicURL is Config.PublicURL.
	publicURL string
}

// New returns a Bot.
func New(c Config) (*Bot, error) {
	if c.Store == nil || c.State == nil || c.Notifier == nil {
		return nil, fmt.Errorf("bot: Store, State and Notifier are required: %w", bot.ErrInvalid)
	}
	k, err := bot.NewKeys(c.Secret)
	if err != nil {
		return nil, err
	}
	c = c.WithDefaults()
	return &Bot{
		store: c.Store, state: c.State, notifier: c.Notifier, keys: k,
		now: c.Now, loc: c.Location, log: c.Logger, flood: c.FloodLimit,
		publicURL: strings.TrimRight(c.PublicURL, "/"),
	}, nil
}

const (
	// claimTTL bounds how long a delivery holds a message's dedup claim
	// without renewing it: a few seconds past the webhook's reply budget
	// (4.5 s), so that a process that dies mid-way frees the message for
	// WeChat's next retry. A live delivery renews its claim every
	// claimRenew while it works.
	claimTTL   = 8 * time.Second
	claimRenew = claimTTL / 3
	// doneTTL is how long the state store remembers a processed message's
	// reply for WeChat's retries (which come within ~15 s). The database
	// remembers it for a day.
	doneTTL = time.Hour
	// claimPollMax is the longest pause between two looks at a claim
	// another delivery holds.
	claimPollMax = 200 * time.Millisecond
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
func (b *Bot) Process(ctx context.Context, in bot.Inbound) (bot.Outcome, error) {
	// The claim and the processed record are keyed under a link key of the
	// message's hour, the dialog under one of the day (link.go): what they
	// hold (a reply with a receipt code, the code just filed) is not keyed
	// under the secret. The keys are cached: no round trip most of the time.
	key, legacy := b.processedKey(ctx, in, false)
	dialog := b.dialogKey(ctx, in.OpenID, legacy)
	sender := b.keys.Sender(in.OpenID)
	mk := bot.MessageKeys{Claim: "dedup:" + key, ClaimTTL: claimTTL, Get: []string{dialog, bindingsVersionKey}}
	if in.Kind != bot.KindEvent {
		mk.Rate, mk.RateWindow = "rate:msg:"+sender, time.Minute
	}
	stateOK := true
	// tookOver: this delivery took the claim of one that stopped renewing
	// it (its process died).
	tookOver := false
	mc, err := b.state.ClaimMessage(ctx, mk)
	switch {
	case err != nil:
		// Carry on without the state store: the database still
		// deduplicates, and the sender starts without a dialog.
		stateOK = false
		mc = bot.MessageClaim{}
		b.log.Warn("state_unavailable", "op", "claim", "err", err)
	case mc.Done:
		r, err := decodeReply(mc.Result)
		return bot.Outcome{Reply: r, Duplicate: bot.DupState}, err
	case !mc.Claimed:
		out, ok, took, err := b.awaitClaim(ctx, mk.Claim)
		if err != nil || ok {
			return out, err
		}
		tookOver = took
		// The other delivery gave up its claim (or lost it): this one
		// works, with the dialog as it is now.
		mc.Values = make([][]byte, 2)
		mc.Values[0], _ = b.state.Get(ctx, mk.Get[0])
		mc.Values[1], _ = b.state.Get(ctx, mk.Get[1])
	}

	if stateOK {
		stop := b.renewClaim(ctx, mk.Claim)
		defer stop()
	}
	var reply bot.Reply
	dup := ""
	if mc.Count > int64(b.flood) {
		// Answer without processing: nothing is recorded, so the sender
		// may send the same message again later.
		reply = bot.Text(textFlood)
	} else {
		t := turn{in: in, sender: sender, stateDown: !stateOK, key: key, legacy: legacy, dialogKey: dialog,
			// A claim taken over from a delivery that died may follow its
			// commit: then only the database's record tells.
			claimed: stateOK && !tookOver}
		if len(mc.Values) == 2 {
			t.dialog = decodeDialog(mc.Values[0], b.log)
			t.notStaff = b.certainlyNotStaff(ctx, sender, mc.Values[1])
		}
		reply, dup, err = b.processOnce(ctx, t)
		if err == nil && dup == bot.DupDB && tookOver {
			// The holder committed and died before it answered: nobody
			// else will deliver this reply.
			dup = bot.DupRecovered
		}
		if err != nil {
			if stateOK {
				if rerr := b.state.Release(context.WithoutCancel(ctx), mk.Claim); rerr != nil {
					b.log.Warn("state_unavailable", "op", "release", "err", rerr)
				}
			}
			return bot.Outcome{}, err
		}
	}
	if stateOK {
		// The reply does not wait for the claim's completion: until it
		// lands, a retry waits on the pending claim (and the database's
		// record answers it if the completion is lost).
		if a, ok := b.state.(asyncState); ok {
			a.CompleteAsync(mk.Claim, encodeReply(reply), doneTTL, b.warnState("complete"))
		} else if err := b.state.Complete(context.WithoutCancel(ctx), mk.Claim, encodeReply(reply), doneTTL); err != nil {
			b.log.Warn("state_unavailable", "op", "complete", "err", err)
		}
	}
	return bot.Outcome{Reply: reply, Duplicate: dup}, nil
}

// asyncState is a state store that can write without waiting for the
// reply (storage/state's stores can).
type asyncState interface {
	CompleteAsync(key string, result []byte, ttl time.Duration, failed func(error))
	SetAsync(key string, value []byte, ttl time.Duration, failed func(error))
}

// warnState returns the function that logs a failed write of op.
func (b *Bot) warnState(op string) func(error) {
	return func(err error) { b.log.Warn("state_unavailable", "op", op, "err", err) }
}

// setLater writes key without waiting for the state store's reply where it
// can: for records nothing in this delivery reads back, whose loss is
// logged as it was before.
func (b *Bot) setLater(ctx context.Context, op, key string, value []byte, ttl time.Duration) {
	if a, ok := b.state.(asyncState); ok {
		a.SetAsync(key, value, ttl, b.warnState(op))
		return
	}
	if err := b.state.Set(ctx, key, value, ttl); err != nil {
		b.log.Warn("state_unavailable", "op", op, "err", err)
	}
}

// claimRenewer is a state store that can extend a pending claim
// (storage/state's stores can). Without it a claim simply lasts claimTTL,
// and the database's processed-message record still stops a second
// processing.
type claimRenewer interface {
	RenewClaim(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// renewClaim keeps the claim alive while this delivery works, and returns
// the function that stops renewing it. Most messages finish long before
// the first renewal, so nothing runs until then (a timer, no goroutine).
func (b *Bot) renewClaim(ctx context.Context, claimKey string) (stop func()) {
	r, ok := b.state.(claimRenewer)
	if !ok {
		return func() {}
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var (
		mu      sync.Mutex
		stopped bool
		timer   *time.Timer
	)
	timer = time.AfterFunc(claimRenew, func() {
		if _, err := r.RenewClaim(ctx, claimKey, claimTTL); err != nil && ctx.Err() == nil {
			b.log.Warn("state_unavailable", "op", "renew_claim", "err", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			timer.Reset(claimRenew)
		}
	})
	return func() {
		mu.Lock()
		stopped = true
		timer.Stop()
		mu.Unlock()
		cancel()
	}
}

// awaitClaim waits for the delivery holding the claim to finish. It returns
// ok=false when the claim was released or expired (its holder died) and
// this delivery now holds it. It waits as long as ctx allows: the webhook
// answers WeChat "success" at its budget meanwhile, and if the wait ends
// first the outcome is DupPending — never a failure, since the holder may
// still succeed.
func (b *Bot) awaitClaim(ctx context.Context, claimKey string) (out bot.Outcome, ok, tookOver bool, err error) {
	wait := 20 * time.Millisecond
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return bot.Outcome{Duplicate: bot.DupPending}, true, false, nil
		case <-timer.C:
		}
		claimed, done, result, err := b.state.Claim(ctx, claimKey, claimTTL)
		switch {
		case err != nil && ctx.Err() != nil:
			return bot.Outcome{Duplicate: bot.DupPending}, true, false, nil
		case err != nil:
			// Fall back to the database, which serialises the deliveries.
			return bot.Outcome{}, false, false, nil
		case done:
			r, err := decodeReply(result)
			return bot.Outcome{Reply: r, Duplicate: bot.DupState}, true, false, err
		case claimed:
			return bot.Outcome{}, false, true, nil
		}
		wait = min(2*wait, claimPollMax)
		timer.Reset(wait)
	}
}

// processOnce runs the message's transaction. If another delivery recorded
// the message first, it returns that delivery's reply and DupDB.
//
// The record is keyed under a link key of the message's hour (processedKey)
// and dated to the hour, so that it names neither its sender nor its
// moment. When the state store is down it falls back to a key under the
// secret, and then a reply about an opinion is recorded empty: a retry
// answered from the record says nothing rather than name a receipt code
// beside a key anyone with the secret could recompute.
func (b *Bot) processOnce(ctx context.Context, start turn) (bot.Reply, string, error) {
	now := b.now().UTC()
	key, legacy := start.key, start.legacy
	var (
		reply bot.Reply
		t     *turn
		res   = &reservations{}
	)
	start.now, start.res = now, res
	if start.claimed {
		b.reserveAhead(ctx, &start)
		res.used = nil // what the transaction asks for from here
	}
	err := b.store.Update(ctx, func(tx bot.Tx) error {
		t = &turn{in: start.in, now: now, sender: start.sender, dialog: start.dialog, notStaff: start.notStaff, res: res,
			stateDown: start.stateDown, dialogKey: start.dialogKey, claimed: start.claimed,
			parsed: start.parsed, parsedText: start.parsedText}
		r, err := b.route(ctx, tx, t)
		if err != nil {
			return err
		}
		if w, ok := tx.(writeTracker); ok && t.claimed && !w.Wrote() {
			// Nothing to commit: the state store's claim, completed
			// with this reply, is the message's dedup. (If the state
			// store forgets it, a retry at most repeats this reply.)
			reply = r
			return nil
		}
		recorded := r
		if legacy && t.linked {
			recorded = bot.Reply{}
		}
		if err := tx.RecordProcessed(ctx, key, encodeReply(recorded), bot.HourOf(now)); err != nil {
			if errors.Is(err, bot.ErrConflict) {
				return errAlreadyProcessed
			}
			return err
		}
		reply = r
		return nil
	})
	if err != nil {
		b.rollback(ctx, res)
	}
	if errors.Is(err, errAlreadyProcessed) {
		raw, err := b.store.ProcessedReply(ctx, key)
		if err != nil {
			return bot.Reply{}, "", fmt.Errorf("bot: reply of a processed message: %w", err)
		}
		r, err := decodeReply(raw)
		return r, bot.DupDB, err
	}
	if err != nil {
		return bot.Reply{}, "", fmt.Errorf("bot: process message: %w", err)
	}
	b.giveBackUnused(ctx, res)
	b.afterCommit(ctx, t)
	return reply, "", nil
}

// writeTracker is a transaction that knows whether the running function
// wrote anything (storage's does). A reply without side effects is then
// not recorded in the database while the state store holds the claim.
type writeTracker interface {
	Wrote() bool
}

// afterCommit carries out what a committed turn decided outside the
// database: the dialog state, then the actions queued with turn.after.
func (b *Bot) afterCommit(ctx context.Context, t *turn) {
	if t.dialogChanged {
		b.saveDialog(ctx, t.dialogKey, t.dialog)
	}
	for _, fn := range t.afters {
		fn(ctx)
	}
}

// turn is one inbound message being handled inside its transaction.
type turn struct {
	in     bot.Inbound
	now    time.Time
	sender string      // keyed hash of the openid
	person *bot.Person // bound staff, or nil for everyone else
	// notStaff says the staff index knows the sender is not bound staff.
	notStaff bool
	dialog   Dialog
	// dialogChanged asks afterCommit to save (or clear) the dialog.
	dialogChanged bool
	// afters run once the transaction committed: pushes, cache updates.
	afters []func(context.Context)
	// res are the state store reservations of this delivery, shared by
	// the runs of its transaction function.
	res *reservations
	// linked says the reply concerns an anonymous opinion of the sender's
	// (a receipt, a status, a draft).
	linked bool
	// claimed says this delivery holds the message's claim in the state
	// store, which then deduplicates a reply with no side effects.
	claimed bool
	// parsed is the parse of parsedText, when reserveAhead made it.
	parsed     *parse.Parsed
	parsedText string
	// stateDown says the state store failed this message already: what
	// needs the link is refused at once rather than waiting on it again.
	stateDown bool
	// key names the message's claim and processed record; legacy says it
	// is keyed under the secret (the state store was down).
	key    string
	legacy bool
	// dialogKey is where the sender's dialog is kept.
	dialogKey string
}

// after queues fn to run once the turn's transaction has committed. A
// transaction that is retried starts a new turn, so nothing runs twice.
func (t *turn) after(fn func(context.Context)) { t.afters = append(t.afters, fn) }

// setDialog replaces the sender's dialog state after the commit.
func (t *turn) setDialog(d Dialog) {
	t.dialog, t.dialogChanged = d, true
}

// route decides what the message is and runs the matching handler.
func (b *Bot) route(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	if !t.notStaff {
		p, err := tx.PersonByOpenID(ctx, t.in.OpenID)
		switch {
		case err == nil:
			t.person = &p
		case !errors.Is(err, bot.ErrNotFound):
			return bot.Reply{}, err
		}
	}

	switch t.in.Kind {
	case bot.KindEvent:
		return b.onEvent(ctx, tx, t)
	case bot.KindText, bot.KindVoice:
		text := normalizeText(t.in.Text)
		if text == "" {
			if t.in.Kind == bot.KindVoice {
				return bot.Text(textVoiceUnrecognised), nil
			}
			return bot.Text(textHelp), nil
		}
		return b.onText(ctx, tx, t, text)
	default:
		return bot.Text(textNonText), nil
	}
}

func (b *Bot) onEvent(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	switch t.in.Event {
	case bot.EventSubscribe:
		prefix := ""
		if code, ok := strings.CutPrefix(t.in.EventKey, "qrscene_"); ok {
			if s, found, err := b.schoolByCode(ctx, tx, code); err != nil {
				return bot.Reply{}, err
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
	case bot.EventUnsubscribe:
		return b.onUnsubscribe(ctx, tx, t)
	case bot.EventScan:
		s, found, err := b.schoolByCode(ctx, tx, t.in.EventKey)
		if err != nil || !found {
			return bot.Reply{}, err
		}
		b.chooseSchool(t, s)
		return bot.Text(fmt.Sprintf(textSchoolChosen, s.Name)), nil
	case bot.EventClick:
		return b.onMenu(ctx, tx, t, t.in.EventKey)
	default:
		// Menu links, location reports: nothing to say.
		return bot.Reply{}, nil
	}
}

// schoolByCode finds the school of a QR code's scene.
func (b *Bot) schoolByCode(ctx context.Context, tx bot.Tx, code string) (bot.OrgUnit, bool, error) {
	u, err := tx.UnitByCode(ctx, strings.ToUpper(strings.TrimSpace(code)))
	if errors.Is(err, bot.ErrNotFound) || (err == nil && u.Kind != bot.UnitSchool) {
		return bot.OrgUnit{}, false, nil
	}
	return u, err == nil, err
}

func (b *Bot) onText(ctx context.Context, tx bot.Tx, t *turn, text string) (bot.Reply, error) {
	if isPrivacyQuestion(text) {
		return b.onPrivacy(ctx, tx, t)
	}
	var p parse.Parsed
	if t.parsed != nil && t.parsedText == text {
		p = *t.parsed
	} else {
		p = parse.Parse(text, parse.ParseContext{Today: t.now.In(b.loc)})
	}

	// A flow in progress sees the message first (dialog.go).
	if resume, ok := flows[t.dialog.Flow]; ok {
		if r, handled, err := resume(b, ctx, tx, t, p, text); handled || err != nil {
			return r, err
		}
	}

	switch p.Intent {
	case parse.IntentHelp:
		if t.person != nil {
			return bot.Text(textHelp + "\n\n" + textHelpStaffHead + "\n" + staffHelp(t.person)), nil
		}
		return bot.Text(textHelp), nil
	case parse.IntentCancel:
		if t.dialog.Flow == "" {
			return bot.Text(textNothingToCancel), nil
		}
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		return bot.Text(textCancelled), nil
	case parse.IntentBind:
		return b.onBind(ctx, tx, t, p.BindCode)
	case parse.IntentUnbind:
		return b.onUnbind(ctx, tx, t)
	case parse.IntentWhoAmI:
		return b.onWhoAmI(t), nil
	case parse.IntentOpinion:
		return b.onOpinion(ctx, tx, t, p, text)
	case parse.IntentStartOpinion:
		return b.onStartDraft(ctx, tx, t)
	case parse.IntentSubmit:
		if r, ok, err := b.submitLostEssay(ctx, tx, t); ok || err != nil {
			return r, err
		}
		return bot.Text(textNothingToSubmit), nil
	case parse.IntentTicketQuery:
		return b.onQuery(ctx, tx, t, p.Code)
	case parse.IntentRating:
		return b.onRate(ctx, tx, t, p.Code, p.Rating, p.Text)
	case parse.IntentWithdraw:
		if p.Code == "" && t.person != nil {
			if r, ok, err := b.undoCheckin(ctx, tx, t, strings.HasPrefix(text, "撤销")); ok || err != nil {
				return r, err
			}
		}
		return b.onWithdraw(ctx, tx, t, p.Code)
	case parse.IntentRecategorize:
		return b.onRecategorize(ctx, tx, t, p.Code, p.Category)
	case parse.IntentLedger:
		return b.onLedger(ctx, tx, t, p.Page)
	case parse.IntentDetail:
		return b.onDetail(ctx, tx, t, p.Code)
	case parse.IntentAssign:
		return b.onAssign(ctx, tx, t, p.Code, p.Unit, p.Days)
	case parse.IntentProcessing:
		return b.onStep(ctx, tx, t, p.Code, bot.StatusProcessing, p.Text)
	case parse.IntentAnswer:
		return b.onAnswer(ctx, tx, t, p.Code, p.Text, false)
	case parse.IntentReject:
		return b.onAnswer(ctx, tx, t, p.Code, p.Text, true)
	case parse.IntentClose:
		return b.onStep(ctx, tx, t, p.Code, bot.StatusClosed, p.Text)
	case parse.IntentMerge:
		return b.onMerge(ctx, tx, t, p.Code, p.Target)
	case parse.IntentStudy:
		return b.onStudy(ctx, tx, t, p)
	case parse.IntentEssay:
		return b.onEssay(ctx, tx, t, p)
	case parse.IntentExcuse:
		return b.onExcuse(ctx, tx, t, p)
	case parse.IntentPauseReminders, parse.IntentResumeReminders:
		return b.onReminders(ctx, tx, t, p.Intent == parse.IntentPauseReminders)
	case parse.IntentEssayList:
		return b.onEssayList(ctx, tx, t)
	case parse.IntentHomeVisit:
		return b.onHomeVisit(ctx, tx, t, p)
	case parse.IntentToLedger:
		return b.onToLedger(ctx, tx, t)
	case parse.IntentProgress:
		return b.onProgress(ctx, tx, t, p)
	case parse.IntentObservation:
		return b.onObservation(ctx, tx, t, p)
	case parse.IntentTalk:
		return b.onTalk(ctx, tx, t, p)
	case parse.IntentDigest:
		return b.onDigest(ctx, tx, t, text)
	case parse.IntentYes, parse.IntentNo:
		return bot.Text(textNothingToConfirm), nil
	}
	if _, ok := digestWeekAsked(text); ok {
		return b.onDigest(ctx, tx, t, text)
	}
	return b.onUnplaced(t, text), nil
}

// onMenu answers a click on the custom menu.
func (b *Bot) onMenu(ctx context.Context, tx bot.Tx, t *turn, key string) (bot.Reply, error) {
	switch key {
	case bot.MenuOpinion:
		return b.onStartDraft(ctx, tx, t)
	case bot.MenuQuery:
		return bot.Text(textQueryHow), nil
	case bot.MenuCheckin:
		if !t.person.Can(bot.ActCheckin) {
			return refuse(t.person, bot.ActCheckin), nil
		}
		return bot.Text(textHelpCheckin), nil
	case bot.MenuEssay:
		return b.onEssay(ctx, tx, t, parse.Parsed{Intent: parse.IntentEssay})
	case bot.MenuVisit:
		return b.onVisitMenu(t), nil
	case bot.MenuLedger:
		return b.onLedger(ctx, tx, t, 1)
	case bot.MenuMe:
		return b.onWhoAmI(t), nil
	case bot.MenuHelp:
		return b.onText(ctx, tx, t, "帮助")
	}
	return bot.Text(textHelp), nil
}

// normalizeText turns full-width spaces into spaces and trims the message;
// the parser does the rest (full-width characters, a voice recognition's
// final 。).
func normalizeText(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\u3000", " "))
}

func encodeReply(r bot.Reply) []byte {
	if r.IsEmpty() {
		return []byte{}
	}
	b, err := json.Marshal(r)
	if err != nil {
		panic("bot: encode reply: " + err.Error())
	}
	return b
}

func decodeReply(b []byte) (bot.Reply, error) {
	var r bot.Reply
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
func (b *Bot) FailureReply() bot.Reply { return bot.Text(textBusy) }
