package chat

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
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
	// repeatWindow: the same text from the same sender within it is the
	// same opinion.
	repeatWindow = 24 * time.Hour
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
	var sb strings.Builder
	sb.WriteString(textChooseSchool)
	for i, s := range schools {
		fmt.Fprintf(&sb, "\n%d. %s（%s）", i+1, s.Name, s.Code)
	}
	return bot.Text(sb.String())
}

// continueChooseSchool reads the sender's pick and carries on.
func (b *Bot) continueChooseSchool(ctx context.Context, tx bot.Tx, t *turn, text string) (bot.Reply, error) {
	schools, err := b.schools(ctx, tx)
	if err != nil {
		return bot.Reply{}, err
	}
	pick := strings.TrimSpace(text)
	var chosen *bot.OrgUnit
	if n, err := strconv.Atoi(pick); err == nil && n >= 1 && n <= len(schools) {
		chosen = &schools[n-1]
	}
	for i, s := range schools {
		if chosen == nil && (strings.EqualFold(s.Code, pick) || s.Name == pick || (len(pick) >= 6 && strings.Contains(s.Name, pick))) {
			chosen = &schools[i]
		}
	}
	if chosen == nil {
		return bot.Text(textChooseSchoolAgain), nil
	}
	data := t.dialog.Data
	t.setDialog(Dialog{LastCode: t.dialog.LastCode})
	b.chooseSchool(t, *chosen)
	switch data["then"] {
	case "opinion":
		return b.fileOpinion(ctx, tx, t, *chosen, data["text"], data["source"], "")
	case "draft":
		return b.startDraft(ctx, tx, t, *chosen)
	}
	return bot.Text(fmt.Sprintf(textSchoolChosen, chosen.Name)), nil
}

// onOpinion handles a message the parser read as an opinion.
func (b *Bot) onOpinion(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, raw string) (bot.Reply, error) {
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
func (b *Bot) continueConfirm(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed) (bot.Reply, bool, error) {
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
	school       bot.OrgUnit
	text         string
	source       string
	senderHash   string
	sealedOpenID []byte
	now          time.Time
	// category is the parser's category of text, if it was parsed already.
	category parse.Category
}

// fileResult is a filed opinion, or why it was not filed.
type fileResult struct {
	opinion  bot.Opinion
	settings Settings
	// refusal, when not empty, says why nothing was filed.
	refusal string
}

// file checks the limits and records an anonymous opinion with its receipt.
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
	hash := bot.TextHash(text)
	mine, err := tx.SenderOpinions(ctx, n.senderHash, n.now.Add(-repeatWindow))
	if err != nil {
		return fileResult{}, err
	}
	for _, o := range mine {
		if o.TextHash == hash && o.SchoolID == n.school.ID {
			return fileResult{refusal: fmt.Sprintf(textOpinionRepeat, o.Code)}, nil
		}
	}
	if len(mine) >= set.DailyOpinionCap {
		return fileResult{refusal: fmt.Sprintf(textOpinionCap, set.DailyOpinionCap)}, nil
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
	o := bot.Opinion{
		SchoolID: n.school.ID, Category: bot.Category(cat), UnitID: unitID, Text: text, TextHash: hash, Source: n.source,
		Anonymous: true, Status: bot.StatusReceived, Created: n.now, Updated: n.now,
	}
	if o, err = bot.CreateWithCode(ctx, tx, o); err != nil {
		return fileResult{}, err
	}
	if err := tx.AddOpinionEvent(ctx, bot.OpinionEvent{OpinionID: o.ID, Kind: string(bot.StatusReceived), Note: n.source, At: n.now}); err != nil {
		return fileResult{}, err
	}
	r := bot.Receipt{OpinionID: o.ID, SenderHash: n.senderHash, SealedOpenID: n.sealedOpenID,
		Expires: n.now.Add(time.Duration(set.ReceiptDays) * 24 * time.Hour), Created: n.now}
	if err := tx.PutReceipt(ctx, r); err != nil {
		return fileResult{}, err
	}
	return fileResult{opinion: o, settings: set}, nil
}

// fileOpinion files an opinion from the current turn and answers with the
// receipt.
//
// category is what the parser made of the text, if it did (else empty):
// with no school lexicon to apply it need not be parsed again.
func (b *Bot) fileOpinion(ctx context.Context, tx bot.Tx, t *turn, school bot.OrgUnit, text, source string, category parse.Category) (bot.Reply, error) {
	res, err := b.file(ctx, tx, newOpinion{school: school, text: text, source: source, category: category,
		senderHash: t.sender, sealedOpenID: b.keys.Seal([]byte(t.in.OpenID)), now: t.now})
	if err != nil || res.refusal != "" {
		return bot.Text(res.refusal), err
	}
	// No dialog to save: "改为 …" and "满意" without a code find the
	// sender's newest opinion through its receipt.
	return bot.Text(receiptText(res.opinion, res.settings)), nil
}

// receiptText is the answer to a filed opinion: the code, and plainly what
// is and is not kept about the sender.
func receiptText(o bot.Opinion, s Settings) string {
	return fmt.Sprintf(textOpinionFiled, label(o.Category), o.Code) + "\n" +
		fmt.Sprintf(textAnonymityPromise, s.ReceiptDays) + "\n" +
		fmt.Sprintf(textOpinionNext, o.Code)
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

func (b *Bot) startDraft(ctx context.Context, tx bot.Tx, t *turn, school bot.OrgUnit) (bot.Reply, error) {
	if d, err := tx.Draft(ctx, t.sender); err == nil && len(d.Parts) > 0 {
		t.setDialog(Dialog{Flow: flowDraft, Since: t.now, LastCode: t.dialog.LastCode})
		return bot.Text(fmt.Sprintf(textDraftResume, len(d.Parts))), nil
	} else if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return bot.Reply{}, err
	}
	d := bot.Draft{SenderHash: t.sender, SchoolID: school.ID, SealedOpenID: b.keys.Seal([]byte(t.in.OpenID)),
		Source: bot.SourceMenu, Started: t.now, Deadline: t.now.Add(draftIdle)}
	if err := tx.PutDraft(ctx, d); err != nil {
		return bot.Reply{}, err
	}
	t.setDialog(Dialog{Flow: flowDraft, Since: t.now, LastCode: t.dialog.LastCode})
	return bot.Text(fmt.Sprintf(textDraftStart, school.Name)), nil
}

// continueDraft adds a message to the draft, or submits or cancels it.
// handled=false means the draft is gone (submitted after the silence) and
// the message is an ordinary one.
func (b *Bot) continueDraft(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, text string) (bot.Reply, bool, error) {
	d, err := tx.Draft(ctx, t.sender)
	if errors.Is(err, bot.ErrNotFound) {
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		return bot.Reply{}, false, nil
	}
	if err != nil {
		return bot.Reply{}, true, err
	}
	switch p.Intent {
	case parse.IntentSubmit:
		r, err := b.submitDraftNow(ctx, tx, t, d)
		return r, true, err
	case parse.IntentCancel:
		if err := tx.DeleteDraft(ctx, t.sender); err != nil {
			return bot.Reply{}, true, err
		}
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		return bot.Text(textDraftCancelled), true, nil
	case parse.IntentHelp:
		return bot.Text(textDraftHelp), true, nil
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
	if err := tx.PutDraft(ctx, d); err != nil {
		return bot.Reply{}, true, err
	}
	t.setDialog(Dialog{Flow: flowDraft, Since: t.now, LastCode: t.dialog.LastCode})
	return bot.Text(fmt.Sprintf(textDraftPart, len(d.Parts), total, bot.Clip(strings.Join(d.Parts, " "), 80))), true, nil
}

// submitDraftNow submits the draft at the sender's 提交.
func (b *Bot) submitDraftNow(ctx context.Context, tx bot.Tx, t *turn, d bot.Draft) (bot.Reply, error) {
	if len(d.Parts) == 0 {
		return bot.Text(textDraftEmpty), nil
	}
	res, err := b.fileDraft(ctx, tx, d, t.now)
	if err != nil {
		return bot.Reply{}, err
	}
	t.setDialog(Dialog{LastCode: res.opinion.Code, Since: t.now})
	if res.refusal != "" {
		return bot.Text(res.refusal), nil
	}
	return bot.Text(fmt.Sprintf(textDraftSubmitted, bot.Clip(res.opinion.Text, 300)) + "\n" + receiptText(res.opinion, res.settings)), nil
}

// fileDraft files a draft and deletes it.
func (b *Bot) fileDraft(ctx context.Context, tx bot.Tx, d bot.Draft, now time.Time) (fileResult, error) {
	if err := tx.DeleteDraft(ctx, d.SenderHash); err != nil {
		return fileResult{}, err
	}
	school, err := tx.Unit(ctx, d.SchoolID)
	if err != nil {
		return fileResult{}, err
	}
	return b.file(ctx, tx, newOpinion{school: school, text: strings.Join(d.Parts, "\n"), source: d.Source,
		senderHash: d.SenderHash, sealedOpenID: d.SealedOpenID, now: now})
}

// submitDueDrafts files the drafts whose senders went quiet, and pushes
// each sender the receipt. It runs as a scheduled job.
func (b *Bot) submitDueDrafts(ctx context.Context, now time.Time) error {
	due, err := b.store.DueDrafts(ctx, now)
	if err != nil {
		return err
	}
	for _, hash := range due {
		var to, text string
		err := b.store.Update(ctx, func(tx bot.Tx) error {
			to, text = "", ""
			d, err := tx.Draft(ctx, hash)
			if errors.Is(err, bot.ErrNotFound) || (err == nil && d.Deadline.After(now)) {
				return nil // submitted or extended meanwhile
			}
			if err != nil {
				return err
			}
			if len(d.Parts) == 0 {
				return tx.DeleteDraft(ctx, hash)
			}
			res, err := b.fileDraft(ctx, tx, d, now)
			if err != nil {
				return err
			}
			openid, err := b.keys.Open(d.SealedOpenID)
			if err != nil {
				return nil // sealed with another secret: nobody to tell
			}
			to = string(openid)
			if res.refusal != "" {
				text = textDraftAutoRefused + "\n" + res.refusal
			} else {
				text = fmt.Sprintf(textDraftAutoSubmitted, bot.Clip(res.opinion.Text, 300)) + "\n" + receiptText(res.opinion, res.settings)
			}
			return nil
		})
		if err != nil {
			b.log.Error("draft_submit_failed", "err", err)
			continue
		}
		if to != "" {
			if err := b.notifier.SendText(ctx, to, text); err != nil {
				b.log.Warn("push_failed", "what", "draft_receipt", "err", err)
			}
		}
	}
	return nil
}
