package chat

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"minqing/bot"
	"minqing/bot/parse"
)

// Taking opinions in: from a message, after a confirmation, or through the
// 我要建议 flow; choosing the school in a bureau deployment.

const (
	opinionMinRunes = 5
	opinionMaxRunes = 1000
	// draftSilence is how long the 我要建议 flow waits for more before it
	// submits what it has.
	draftSilence = 2 * time.Minute
	// draftIdle drops a started flow that never got a message.
	draftIdle = 30 * time.Minute
	// schoolChoiceTTL is how long a sender's choice of school is kept.
	schoolChoiceTTL = 180 * 24 * time.Hour
)

// Dialog flows of intake.
const (
	flowConfirmOpinion = "confirm_opinion"
	flowChooseSchool   = "choose_school"
	flowDraft          = "draft"
)

var errNoSchool = errors.New("no school is set up")

func schoolChoiceKey(sender string) string { return "school:" + sender }

// schoolOf finds the school a sender speaks to: a staff member's own; the
// only one; or the one the sender chose. When the sender must choose, it
// returns the schools to choose from.
func (b *Bot) schoolOf(ctx context.Context, tx bot.Tx, t *turn) (bot.OrgUnit, []bot.OrgUnit, error) {
	if t.person != nil {
		u, err := tx.Unit(ctx, t.person.SchoolID)
		if err != nil {
			return bot.OrgUnit{}, nil, err
		}
		if u.Kind == bot.UnitSchool {
			return u, nil, nil
		}
	}
	schools, err := b.schools(ctx, tx)
	if err != nil {
		return bot.OrgUnit{}, nil, err
	}
	switch len(schools) {
	case 0:
		return bot.OrgUnit{}, nil, errNoSchool
	case 1:
		return schools[0], nil, nil
	}
	if raw, err := b.state.Get(ctx, schoolChoiceKey(t.sender)); err == nil {
		id, _ := strconv.ParseInt(string(raw), 10, 64)
		for _, s := range schools {
			if s.ID == id {
				return s, nil, nil
			}
		}
	}
	return bot.OrgUnit{}, schools, nil
}

// chooseSchool remembers the sender's school once the turn commits.
func (b *Bot) chooseSchool(t *turn, s bot.OrgUnit) {
	t.after(func(ctx context.Context) {
		if err := b.state.Set(ctx, schoolChoiceKey(t.sender), []byte(strconv.FormatInt(s.ID, 10)), schoolChoiceTTL); err != nil {
			b.log.Warn("state_unavailable", "op", "school_choice", "err", err)
		}
	})
}

// askSchool asks the sender to pick a school, keeping what they were doing.
func (b *Bot) askSchool(t *turn, schools []bot.OrgUnit, then, text, source string) bot.Reply {
	t.setDialog(Dialog{Flow: flowChooseSchool, Data: map[string]string{"then": then, "text": text, "source": source}, Since: t.now, LastCode: t.dialog.LastCode})
	head := textChooseSchool
	if then == "opinion" {
		head = textChooseSchoolKept
	}
	return bot.Text(head + schoolChoices(schools))
}

// schoolChoices lists the schools to choose from.
func schoolChoices(schools []bot.OrgUnit) string {
	var sb strings.Builder
	for i, s := range schools {
		fmt.Fprintf(&sb, "\n%d. %s（%s）", i+1, s.Name, s.Code)
	}
	sb.WriteString("\n" + textChooseSchoolFoot)
	return sb.String()
}

// schoolPick reads a pick from the list: a number in any width (２, 第2个,
// 二), a school code or a name.
func schoolPick(schools []bot.OrgUnit, text string) (bot.OrgUnit, bool) {
	pick := strings.TrimFunc(parse.Fold(strings.TrimSpace(text)), func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r)
	})
	num := strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(pick, "选"), "第"), "个"), "号")
	num = strings.TrimSuffix(num, "所")
	if i := strings.Index("一二三四五六七八九", num); i >= 0 && utf8.RuneCountInString(num) == 1 {
		num = strconv.Itoa(i/len("一") + 1)
	}
	if n, err := strconv.Atoi(num); err == nil && n >= 1 && n <= len(schools) {
		return schools[n-1], true
	}
	for _, s := range schools {
		if strings.EqualFold(s.Code, pick) || s.Name == pick || (utf8.RuneCountInString(pick) >= 2 && strings.Contains(s.Name, pick)) {
			return s, true
		}
	}
	return bot.OrgUnit{}, false
}

// continueChooseSchool reads the sender's pick and carries on with what
// they were doing. 取消 leaves the question; a new opinion replaces the
// one waiting; any other command passes through (handled=false) and the
// question stays.
func (b *Bot) continueChooseSchool(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, text string) (bot.Reply, bool, error) {
	if p.Intent == parse.IntentCancel {
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		return bot.Text(textChooseSchoolCancelled), true, nil
	}
	schools, err := b.schools(ctx, tx)
	if err != nil {
		return bot.Reply{}, true, err
	}
	chosen, ok := schoolPick(schools, text)
	if !ok {
		switch p.Intent {
		case parse.IntentOpinion:
			if p.Unsure {
				break
			}
			op := strings.TrimSpace(p.Text)
			if op == "" {
				op = text
			}
			source := bot.SourceText
			if t.in.Kind == bot.KindVoice {
				source = bot.SourceVoice
			}
			return b.askSchool(t, schools, "opinion", op, source), true, nil
		case parse.IntentStartOpinion:
			return b.askSchool(t, schools, "draft", "", ""), true, nil
		case parse.IntentUnknown:
		default:
			return bot.Reply{}, false, nil
		}
		if classifyTalk(text) == talkStatement {
			// Something to tell the school, in the parser's doubt: keep it
			// for after the choice.
			return b.askSchool(t, schools, "opinion", text, bot.SourceText), true, nil
		}
		return bot.Text(textChooseSchoolAgain + schoolChoices(schools)), true, nil
	}
	data := t.dialog.Data
	t.setDialog(Dialog{LastCode: t.dialog.LastCode})
	b.chooseSchool(t, chosen)
	switch data["then"] {
	case "opinion":
		r, err := b.fileOpinion(ctx, tx, t, chosen, data["text"], data["source"], "")
		if err == nil && r.Text != "" {
			r.Text = fmt.Sprintf(textSchoolChosen, chosen.Name) + "\n" + r.Text
		}
		return r, true, err
	case "draft":
		r, err := b.startDraft(ctx, tx, t, chosen)
		return r, true, err
	}
	return bot.Text(fmt.Sprintf(textSchoolChosen, chosen.Name)), true, nil
}

// onOpinion handles a message the parser read as an opinion.
func (b *Bot) onOpinion(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, raw string) (bot.Reply, error) {
	t.linked = true // the reply may quote the text
	text := strings.TrimSpace(p.Text)
	if text == "" {
		text = raw
	}
	// Too long is refused at once, counting the whole text (the parser
	// reads only its beginning), before it is kept in a dialog.
	if n := utf8.RuneCountInString(text) + parse.Unread(raw); n > opinionMaxRunes {
		return bot.Text(fmt.Sprintf(textOpinionTooLong, n, opinionMaxRunes)), nil
	}
	source := bot.SourceText
	if t.in.Kind == bot.KindVoice {
		source = bot.SourceVoice
	}
	if p.Unsure {
		t.setDialog(Dialog{Flow: flowConfirmOpinion, Data: map[string]string{"text": text, "source": source}, Since: t.now, LastCode: t.dialog.LastCode})
		return bot.Text(fmt.Sprintf(textConfirmOpinion, bot.Clip(text, 60))), nil
	}
	school, r, ok, err := b.schoolOrAsk(ctx, tx, t, "opinion", text, source)
	if !ok || err != nil {
		return r, err
	}
	return b.fileOpinion(ctx, tx, t, school, text, source, p.Category)
}

// schoolOrAsk finds the sender's school; when there is none yet, or the
// sender must choose, it returns ok=false and the reply that says so,
// keeping what the sender was doing (then, text, source) for after the
// choice.
func (b *Bot) schoolOrAsk(ctx context.Context, tx bot.Tx, t *turn, then, text, source string) (bot.OrgUnit, bot.Reply, bool, error) {
	school, choices, err := b.schoolOf(ctx, tx, t)
	switch {
	case errors.Is(err, errNoSchool):
		return bot.OrgUnit{}, bot.Text(textNoSchool), false, nil
	case err != nil:
		return bot.OrgUnit{}, bot.Reply{}, false, err
	case choices != nil:
		return bot.OrgUnit{}, b.askSchool(t, choices, then, text, source), false, nil
	}
	return school, bot.Reply{}, true, nil
}

// continueConfirm reads the answer to "is this an opinion?".
func (b *Bot) continueConfirm(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, _ string) (bot.Reply, bool, error) {
	data := t.dialog.Data
	switch p.Intent {
	case parse.IntentYes:
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		school, r, ok, err := b.schoolOrAsk(ctx, tx, t, "opinion", data["text"], data["source"])
		if !ok || err != nil {
			return r, true, err
		}
		r, err = b.fileOpinion(ctx, tx, t, school, data["text"], data["source"], "")
		return r, true, err
	case parse.IntentNo, parse.IntentCancel:
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		return bot.Text(textConfirmDeclined), true, nil
	}
	// Anything else is a new message: forget the question.
	t.setDialog(Dialog{LastCode: t.dialog.LastCode})
	return bot.Reply{}, false, nil
}

// newOpinion is what filing an opinion needs, from a chat turn or a draft.
type newOpinion struct {
	school bot.OrgUnit
	text   string
	source string
	// openid is the sender's, for the link (never stored in the database).
	openid string
	now    time.Time
	// res are the state store reservations of the delivery.
	res *reservations
	// stateDown: the state store already failed this message.
	stateDown bool
	// category is the parser's category of text, if it was parsed already.
	category parse.Category
}

// fileResult is a filed opinion, or why it was not filed.
type fileResult struct {
	opinion  bot.Opinion
	settings Settings
	// refusal, when not empty, says why nothing was filed.
	refusal string
	// committed must run once the transaction committed: it keeps the link.
	committed func(context.Context)
}

// file checks the limits and records an anonymous opinion. The daily cap
// and repeats are checked atomically in the state store, under the
// school's link key of the day: a counter, and a set-if-absent of the
// text's hash; without the state store nothing is filed (the sender is
// asked to try again), so a cap is never exceeded.
func (b *Bot) file(ctx context.Context, tx bot.Tx, n newOpinion) (fileResult, error) {
	text := strings.TrimSpace(n.text)
	switch runes := utf8.RuneCountInString(text); {
	case runes < opinionMinRunes:
		return fileResult{refusal: textOpinionTooShort}, nil
	case runes > opinionMaxRunes:
		return fileResult{refusal: fmt.Sprintf(textOpinionTooLong, runes, opinionMaxRunes)}, nil
	}
	set, err := b.settings(ctx, tx, n.school.ID)
	if err != nil {
		return fileResult{}, err
	}
	if n.stateDown {
		return b.linkDown("file", errLinkDown)
	}
	window := linkWindow(set)
	hash := bot.TextHash(text)
	lk, err := b.limitKeys(ctx, n.school.ID, n.openid, hash, n.now, window)
	if err != nil {
		return b.linkDown("file", err)
	}
	day, repeatKey := lk.day, lk.repeat
	if refusal, err := b.reserveLimits(ctx, n.res, lk, set); err != nil || refusal != "" {
		if err != nil {
			return b.linkDown("file", err)
		}
		return fileResult{refusal: refusal}, nil
	}
	cat := n.category
	if cat == "" || len(set.Lexicon) > 0 {
		cat = parse.Parse(text, parse.ParseContext{Today: n.now.In(b.loc), Lexicon: set.Lexicon}).Category
	}
	if !cat.Valid() {
		cat = parse.CatOther
	}
	unitID, err := b.unitNamed(ctx, tx, n.school.ID, text)
	if err != nil {
		return fileResult{}, err
	}
	hour := bot.HourOf(n.now)
	o := bot.Opinion{
		SchoolID: n.school.ID, Category: bot.Category(cat), UnitID: unitID, Text: text, TextHash: hash, Source: n.source,
		Anonymous: true, Status: bot.StatusReceived, Created: hour, Updated: hour,
	}
	if o, err = bot.CreateWithCode(ctx, tx, o); err != nil {
		return fileResult{}, err
	}
	// No "received" event: its ID and time would place the opinion among
	// the hour's requests. The ledger shows the receipt from Created.
	openid := n.openid
	committed := func(ctx context.Context) {
		b.setLater(ctx, "repeat", repeatKey, []byte(o.Code), ttlUnder(day, b.now(), repeatTTL))
		b.putLink(ctx, o, openid, window)
	}
	return fileResult{opinion: o, settings: set, committed: committed}, nil
}

// limits are the state-store keys of one sender's daily cap and of one
// text's repeat check, under the school's link key of the day.
type limits struct {
	day         bot.LinkKey
	repeat, cap string
	ttl         time.Duration
}

func (b *Bot) limitKeys(ctx context.Context, schoolID int64, openid, hash string, now time.Time, window time.Duration) (limits, error) {
	school := strconv.FormatInt(schoolID, 10)
	day, err := b.linkKey(ctx, b.dayKeyName(schoolID, now), window)
	if err != nil {
		return limits{}, err
	}
	return limits{
		day:    day,
		repeat: "repeat:" + day.Sum("repeat", school, openid, hash),
		cap:    "cap:" + day.Sum("cap", school, openid),
		ttl:    ttlUnder(day, b.now(), repeatTTL),
	}, nil
}

// reserveLimits takes the text's repeat slot and counts the opinion
// against the cap, atomically in the state store (memoised in res, so a
// transaction that runs again, or one reserved ahead, asks nothing more).
// A refusal says why the opinion may not be filed.
func (b *Bot) reserveLimits(ctx context.Context, res *reservations, lk limits, set Settings) (refusal string, err error) {
	if err := res.reserveBoth(ctx, b.state, lk.repeat, []byte(repeatPending), lk.ttl, lk.cap); err != nil {
		return "", err
	}
	stored, existing, err := res.setNX(ctx, b.state, lk.repeat, []byte(repeatPending), lk.ttl)
	if err != nil {
		return "", err
	}
	if !stored {
		if string(existing) == repeatPending {
			return textOpinionRepeatPending, nil
		}
		return fmt.Sprintf(textOpinionRepeat, existing), nil
	}
	count, err := res.increment(ctx, b.state, lk.cap, lk.ttl)
	if err != nil {
		_ = res.release(ctx, b.state, lk.repeat)
		return "", err
	}
	if count > int64(set.DailyOpinionCap) {
		if err := res.release(ctx, b.state, lk.repeat); err != nil {
			return "", err
		}
		return fmt.Sprintf(textOpinionCap, set.DailyOpinionCap), nil
	}
	return "", nil
}

// reserveAhead, for a plain opinion from a sender who is not staff, to
// the only school, takes the repeat slot and counts the cap before the
// message's transaction, on the request's goroutine: inside it they would
// be two state-store round trips run one after another by the committer
// of a whole batch. The transaction finds them in res. What it turns out
// not to use is given back (giveBackUnused). It returns the parse of the
// text, for the transaction to reuse.
func (b *Bot) reserveAhead(ctx context.Context, t *turn) {
	if t.dialog.Flow != "" || !t.notStaff || t.in.Kind != bot.KindText {
		return
	}
	text := normalizeText(t.in.Text)
	if text == "" || isPrivacyQuestion(text) {
		return
	}
	p := parse.Parse(text, parse.ParseContext{Today: t.now.In(b.loc)})
	t.parsed, t.parsedText = &p, text
	if p.Intent != parse.IntentOpinion || p.Unsure {
		return
	}
	body := strings.TrimSpace(p.Text)
	if body == "" {
		body = text
	}
	body = strings.TrimSpace(body)
	if n := utf8.RuneCountInString(body); n < opinionMinRunes || n+parse.Unread(text) > opinionMaxRunes {
		return
	}
	now := b.now()
	b.catalog.mu.Lock()
	schools := b.catalog.schools
	b.catalog.mu.Unlock()
	if !schools.fresh(now) || len(schools.val) != 1 {
		return
	}
	school := schools.val[0]
	b.catalog.mu.Lock()
	set, ok := b.catalog.settings[school.ID]
	b.catalog.mu.Unlock()
	if !ok || !set.fresh(now) {
		return
	}
	lk, err := b.limitKeys(ctx, school.ID, t.in.OpenID, bot.TextHash(body), t.now, linkWindow(set.val))
	if err != nil {
		return // the transaction finds the state store down itself
	}
	t.res.ahead = true
	_, _ = b.reserveLimits(ctx, t.res, lk, set.val)
}

// repeatPending marks a text being filed by a delivery not yet committed.
const repeatPending = "?"

// linkDown is the refusal when the state store, which keeps the link, is
// unavailable: nothing is filed or changed without it.
func (b *Bot) linkDown(op string, err error) (fileResult, error) {
	if !errors.Is(err, errLinkDown) {
		return fileResult{}, err
	}
	b.log.Warn("state_unavailable", "op", op, "err", err)
	return fileResult{refusal: textTryLater}, nil
}

// fileOpinion files an opinion from the current turn and answers with the
// receipt.
//
// category is what the parser made of the text, if it did (else empty):
// with no school lexicon to apply it need not be parsed again.
func (b *Bot) fileOpinion(ctx context.Context, tx bot.Tx, t *turn, school bot.OrgUnit, text, source string, category parse.Category) (bot.Reply, error) {
	t.linked = true
	res, err := b.file(ctx, tx, newOpinion{school: school, text: text, source: source, category: category,
		openid: t.in.OpenID, now: t.now, res: t.res, stateDown: t.stateDown})
	if err != nil || res.refusal != "" {
		return bot.Text(res.refusal), err
	}
	t.after(res.committed)
	// "改为 …" right after needs no code.
	d := t.dialog
	d.LastCode = res.opinion.Code
	t.setDialog(d)
	return bot.Text(receiptText(res.opinion, res.settings)), nil
}

// receiptText is the answer to a filed opinion, in at most five short
// lines: what was received and its category, the code, how to follow up,
// and, on a line of its own, what is kept about the sender (隐私 says it
// all).
func receiptText(o bot.Opinion, s Settings) string {
	example := textRecategorizeExample
	if label(o.Category) == example {
		example = textRecategorizeExample2
	}
	return fmt.Sprintf(textOpinionFiled, label(o.Category), o.Code) + "\n" +
		fmt.Sprintf(textOpinionNext, o.Code, example) + "\n" +
		fmt.Sprintf(textAnonymityLine, linkDays(s))
}

// linkDays is a school's link window in days.
func linkDays(s Settings) int { return int(linkWindow(s) / (24 * time.Hour)) }

// isPrivacyQuestion reports the 隐私 command.
func isPrivacyQuestion(text string) bool {
	switch strings.Trim(text, " ？?。！!") {
	case "隐私", "隐私说明", "匿名说明", "隐私政策":
		return true
	}
	return false
}

// onPrivacy states in full what is kept about a sender, with the link
// window of the sender's school.
func (b *Bot) onPrivacy(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	set := DefaultSettings()
	if school, _, err := b.schoolOf(ctx, tx, t); err == nil && school.ID != 0 {
		if set, err = b.settings(ctx, tx, school.ID); err != nil {
			return bot.Reply{}, err
		}
	} else if err != nil && !errors.Is(err, errNoSchool) {
		return bot.Reply{}, err
	}
	return bot.Text(fmt.Sprintf(textPrivacy, linkDays(set))), nil
}

// unitNamed returns the unit of the school whose name the text mentions
// (the longest such name), or 0.
func (b *Bot) unitNamed(ctx context.Context, tx bot.Tx, schoolID int64, text string) (int64, error) {
	units, err := b.unitsOf(ctx, tx, schoolID)
	if err != nil {
		return 0, err
	}
	var best bot.OrgUnit
	for _, u := range units {
		if u.Kind == bot.UnitSchool || utf8.RuneCountInString(u.Name) < 2 {
			continue
		}
		if strings.Contains(text, u.Name) && len(u.Name) > len(best.Name) {
			best = u
		}
	}
	return best.ID, nil
}

// loadSettings reads a school's settings (defaults where it has none).
func (b *Bot) loadSettings(ctx context.Context, tx bot.Tx, schoolID int64) (Settings, error) {
	doc, err := tx.SchoolSettings(ctx, schoolID)
	if errors.Is(err, bot.ErrNotFound) {
		return DefaultSettings(), nil
	}
	if err != nil {
		return Settings{}, err
	}
	s, err := ParseSettings(doc)
	if err != nil {
		// Stored settings were checked when saved; fall back rather than
		// stop taking opinions.
		b.log.Error("settings_invalid", "school_id", schoolID, "err", err)
		return DefaultSettings(), nil
	}
	return s, nil
}

// onStartDraft begins the 我要建议 flow.
func (b *Bot) onStartDraft(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	school, r, ok, err := b.schoolOrAsk(ctx, tx, t, "draft", "", "")
	if !ok || err != nil {
		return r, err
	}
	return b.startDraft(ctx, tx, t, school)
}

// draft is an opinion being gathered through the 我要建议 flow. It lives
// in the state store only, under a random reference the sender's dialog
// holds, with the sender's openid sealed under the school's link key of
// the hour (to push the receipt when it is submitted after the silence).
type draft struct {
	School   int64     `json:"school"`
	KeyName  string    `json:"key"`
	OpenID   []byte    `json:"openid"`
	Parts    []string  `json:"parts"`
	Source   string    `json:"source"`
	Started  time.Time `json:"started"`
	Deadline time.Time `json:"deadline"`
}

const (
	// draftQueue is the state store queue of drafts by deadline.
	draftQueue = "drafts"
	// draftKeep is how long a draft outlives its deadline in the store.
	draftKeep = 10 * time.Minute
)

func draftKey(ref string) string      { return "draft:" + ref }
func draftTakenKey(ref string) string { return "draft-taken:" + ref }

// loadDraft reads the draft ref names; found=false when it is gone.
func (b *Bot) loadDraft(ctx context.Context, ref string) (draft, bool, error) {
	if ref == "" {
		return draft{}, false, nil
	}
	raw, err := b.state.Get(ctx, draftKey(ref))
	if errors.Is(err, bot.ErrNotFound) {
		return draft{}, false, nil
	}
	if err != nil {
		return draft{}, false, fmt.Errorf("%w: %w", errLinkDown, err)
	}
	var d draft
	if err := json.Unmarshal(raw, &d); err != nil {
		b.log.Warn("draft_corrupt", "err", err)
		return draft{}, false, nil
	}
	return d, true, nil
}

// saveDraft stores the draft and (re)schedules its submission.
func (b *Bot) saveDraft(ctx context.Context, ref string, d draft) {
	raw, err := json.Marshal(d)
	if err == nil {
		ttl := d.Deadline.Sub(b.now()) + draftKeep
		if err = b.state.Set(ctx, draftKey(ref), raw, ttl); err == nil {
			err = b.state.Schedule(ctx, draftQueue, ref, d.Deadline, draftIdle+draftKeep)
		}
	}
	if err != nil {
		b.log.Warn("state_unavailable", "op", "save_draft", "err", err)
	}
}

// dropDraft forgets a submitted or cancelled draft.
func (b *Bot) dropDraft(ctx context.Context, ref string) {
	err := errors.Join(b.state.Delete(ctx, draftKey(ref)), b.state.Unschedule(ctx, draftQueue, ref))
	if err != nil {
		b.log.Warn("state_unavailable", "op", "drop_draft", "err", err)
	}
}

func (b *Bot) startDraft(ctx context.Context, tx bot.Tx, t *turn, school bot.OrgUnit) (bot.Reply, error) {
	t.linked = true
	ref := t.dialog.Data["draft"]
	d, found, err := b.loadDraft(ctx, ref)
	if err != nil {
		b.log.Warn("state_unavailable", "op", "draft", "err", err)
		return bot.Text(textTryLater), nil
	}
	if found && len(d.Parts) > 0 {
		t.setDialog(Dialog{Flow: flowDraft, Data: map[string]string{"draft": ref}, Since: t.now, LastCode: t.dialog.LastCode})
		return bot.Text(fmt.Sprintf(textDraftResume, len(d.Parts))), nil
	}
	set, err := b.settings(ctx, tx, school.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	name := hourKeyName(school.ID, t.now)
	k, err := b.linkKey(ctx, name, linkWindow(set))
	if err != nil {
		b.log.Warn("state_unavailable", "op", "draft", "err", err)
		return bot.Text(textTryLater), nil
	}
	ref = rand.Text()
	d = draft{School: school.ID, KeyName: name, OpenID: k.Seal([]byte(t.in.OpenID)), Source: bot.SourceMenu,
		Started: t.now, Deadline: t.now.Add(draftIdle)}
	t.after(func(ctx context.Context) { b.saveDraft(ctx, ref, d) })
	t.setDialog(Dialog{Flow: flowDraft, Data: map[string]string{"draft": ref}, Since: t.now, LastCode: t.dialog.LastCode})
	return bot.Text(fmt.Sprintf(textDraftStart, school.Name)), nil
}

// continueDraft adds a message to the draft, or submits or cancels it.
// handled=false means the message is an ordinary one: the draft is gone
// (submitted after the silence), or the message is a command, which
// passes through while the draft waits.
func (b *Bot) continueDraft(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, text string) (bot.Reply, bool, error) {
	ref := t.dialog.Data["draft"]
	d, found, err := b.loadDraft(ctx, ref)
	if err != nil {
		b.log.Warn("state_unavailable", "op", "draft", "err", err)
		return bot.Text(textTryLater), true, nil
	}
	if found {
		if _, err := b.state.Get(ctx, draftTakenKey(ref)); err == nil {
			found = false // being submitted after the silence
		}
	}
	if !found {
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		return bot.Reply{}, false, nil
	}
	t.linked = true
	switch p.Intent {
	case parse.IntentSubmit:
		r, err := b.submitDraftNow(ctx, tx, t, ref, d)
		return r, true, err
	case parse.IntentCancel:
		t.after(func(ctx context.Context) { b.dropDraft(ctx, ref) })
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		return bot.Text(textDraftCancelled), true, nil
	case parse.IntentHelp:
		return bot.Text(textDraftHelp), true, nil
	case parse.IntentTicketQuery, parse.IntentWithdraw, parse.IntentRecategorize, parse.IntentRating,
		parse.IntentLedger, parse.IntentDetail, parse.IntentAssign, parse.IntentProcessing, parse.IntentAnswer,
		parse.IntentReject, parse.IntentClose, parse.IntentMerge, parse.IntentBind, parse.IntentUnbind,
		parse.IntentWhoAmI, parse.IntentDigest:
		// A command, not a part of the opinion: it passes through, and
		// the draft waits.
		return bot.Reply{}, false, nil
	}
	total := utf8.RuneCountInString(text)
	for _, part := range d.Parts {
		total += utf8.RuneCountInString(part)
	}
	if total > opinionMaxRunes {
		return bot.Text(fmt.Sprintf(textDraftFull, opinionMaxRunes)), true, nil
	}
	d.Parts = append(d.Parts, text)
	d.Deadline = t.now.Add(draftSilence)
	if t.in.Kind == bot.KindVoice {
		d.Source = bot.SourceMenu // a voice part stays a menu opinion
	}
	t.after(func(ctx context.Context) { b.saveDraft(ctx, ref, d) })
	t.setDialog(Dialog{Flow: flowDraft, Data: map[string]string{"draft": ref}, Since: t.now, LastCode: t.dialog.LastCode})
	return bot.Text(fmt.Sprintf(textDraftPart, len(d.Parts), total)), true, nil
}

// takeDraft claims a draft for submission, so that the sender's 提交 and
// the job never both file it.
func (b *Bot) takeDraft(ctx context.Context, res *reservations, ref string) (bool, error) {
	stored, _, err := res.setNX(ctx, b.state, draftTakenKey(ref), []byte("1"), draftKeep)
	return stored, err
}

// submitDraftNow submits the draft at the sender's 提交.
func (b *Bot) submitDraftNow(ctx context.Context, tx bot.Tx, t *turn, ref string, d draft) (bot.Reply, error) {
	if len(d.Parts) == 0 {
		return bot.Text(textDraftEmpty), nil
	}
	took, err := b.takeDraft(ctx, t.res, ref)
	if err != nil {
		b.log.Warn("state_unavailable", "op", "draft", "err", err)
		return bot.Text(textTryLater), nil
	}
	if !took {
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		return bot.Text(textDraftAlreadySubmitted), nil
	}
	res, err := b.fileDraft(ctx, tx, d, t.in.OpenID, t.now, t.res)
	if err != nil {
		return bot.Reply{}, err
	}
	if res.refusal == textTryLater {
		// Keep the draft for another 提交.
		_ = t.res.release(ctx, b.state, draftTakenKey(ref))
		return bot.Text(res.refusal), nil
	}
	t.after(func(ctx context.Context) { b.dropDraft(ctx, ref) })
	t.setDialog(Dialog{LastCode: res.opinion.Code, Since: t.now})
	if res.refusal != "" {
		return bot.Text(res.refusal), nil
	}
	t.after(res.committed)
	return bot.Text(fmt.Sprintf(textDraftSubmitted, len(d.Parts)) + "\n" + receiptText(res.opinion, res.settings)), nil
}

// fileDraft files a draft.
func (b *Bot) fileDraft(ctx context.Context, tx bot.Tx, d draft, openid string, now time.Time, res *reservations) (fileResult, error) {
	school, err := tx.Unit(ctx, d.School)
	if err != nil {
		return fileResult{}, err
	}
	return b.file(ctx, tx, newOpinion{school: school, text: strings.Join(d.Parts, "\n"), source: d.Source,
		openid: openid, now: now, res: res})
}

// submitDueDrafts files the drafts whose senders went quiet, and pushes
// each sender the receipt. It runs as a scheduled job, on one instance at
// a time; the drafts and their queue are in the state store.
func (b *Bot) submitDueDrafts(ctx context.Context, now time.Time) error {
	due, err := b.state.DueMembers(ctx, draftQueue, now, 100)
	if err != nil {
		return err
	}
	for _, ref := range due {
		b.submitDueDraft(ctx, ref, now)
	}
	return nil
}

func (b *Bot) submitDueDraft(ctx context.Context, ref string, now time.Time) {
	d, found, err := b.loadDraft(ctx, ref)
	if err != nil {
		b.log.Warn("state_unavailable", "op", "due_draft", "err", err)
		return
	}
	if !found {
		b.dropDraft(ctx, ref)
		return
	}
	if d.Deadline.After(now) {
		return // extended meanwhile; rescheduled with it
	}
	res := &reservations{}
	if took, err := b.takeDraft(ctx, res, ref); err != nil || !took {
		return // the sender's 提交 has it, or the store is down
	}
	if len(d.Parts) == 0 {
		b.dropDraft(ctx, ref)
		return
	}
	k, err := b.linkKey(ctx, d.KeyName, 0)
	var openid []byte
	if err == nil {
		openid, err = k.Open(d.OpenID)
	}
	if err != nil {
		// The key is gone (the store lost it): nobody to file for.
		b.log.Warn("draft_unlinked", "err", err)
		b.dropDraft(ctx, ref)
		return
	}
	var fr fileResult
	err = b.store.Update(ctx, func(tx bot.Tx) error {
		var err error
		fr, err = b.fileDraft(ctx, tx, d, string(openid), now, res)
		return err
	})
	if err != nil || fr.refusal == textTryLater {
		b.rollback(ctx, res)
		if err != nil {
			b.log.Error("draft_submit_failed", "err", err)
		}
		return
	}
	b.dropDraft(ctx, ref)
	var text string
	if fr.refusal != "" {
		text = textDraftAutoRefused + "\n" + fr.refusal
	} else {
		fr.committed(ctx)
		text = fmt.Sprintf(textDraftAutoSubmitted, len(d.Parts)) + "\n" + receiptText(fr.opinion, fr.settings)
	}
	if err := b.notifier.SendText(ctx, string(openid), text); err != nil {
		b.log.Warn("push_failed", "what", "draft_receipt", "err", err)
	}
}
