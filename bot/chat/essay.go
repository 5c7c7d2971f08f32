package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"minqing/bot"
	"minqing/bot/parse"
)

// Reflection essays (心得体会): 心得 starts a flow that gathers one or more
// messages — a pasted essay longer than WeChat's 2,048-byte message limit
// arrives in pieces — until 提交 (or 取消). The draft lives in the
// database, so that it survives the state store. An essay largely copied
// from an earlier essay of the same school is flagged for leaders, never
// refused and never mentioned to the writer.

const (
	// maxEssayRunes bounds one essay.
	maxEssayRunes = 20000
	// copyShingle is the length of the character n-grams compared.
	copyShingle = 5
	// CopyThreshold is the share of an essay's n-grams found in one
	// earlier essay that flags it.
	CopyThreshold = 0.6
	// splitPieceBytes is how long a piece must be to be taken for a part of
	// a text WeChat split at its 2,048-byte message limit (joined without a
	// line break).
	splitPieceBytes = 1800
	// maxEssayList bounds 心得列表 (a reply of about 2,000 bytes).
	maxEssayList = 15
)

// onEssay starts the essay flow, with the message's text as its first part.
func (b *Bot) onEssay(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed) (bot.Reply, error) {
	if !t.person.Can(bot.ActCheckin) {
		return refuse(t.person, bot.ActCheckin), nil
	}
	if err := tx.DeleteEssayDraft(ctx, t.person.ID); err != nil {
		return bot.Reply{}, err
	}
	t.setDialog(Dialog{Flow: flowEssay, Since: t.now, LastCode: t.dialog.LastCode})
	body := strings.TrimSpace(p.Text)
	if p.Title != "" {
		body = "《" + p.Title + "》\n" + body
	}
	if strings.TrimSpace(body) == "" {
		return bot.Text(textEssayStart), nil
	}
	d := bot.EssayDraft{PersonID: t.person.ID, Text: body, Parts: 1, Updated: t.now}
	if err := tx.PutEssayDraft(ctx, d); err != nil {
		return bot.Reply{}, err
	}
	return bot.Text(fmt.Sprintf(textEssayPart, d.Parts, thousands(parse.EssayChars(d.Text)))), nil
}

// continueEssay adds a message to the essay being written, or submits or
// cancels it.
func (b *Bot) continueEssay(ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, text string) (bot.Reply, bool, error) {
	if t.person == nil {
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		return bot.Reply{}, false, nil
	}
	d, err := tx.EssayDraftOf(ctx, t.person.ID)
	switch {
	case errors.Is(err, bot.ErrNotFound):
		d = bot.EssayDraft{PersonID: t.person.ID}
	case err != nil:
		return bot.Reply{}, true, err
	}
	switch p.Intent {
	case parse.IntentCancel:
		t.setDialog(Dialog{LastCode: t.dialog.LastCode})
		return bot.Text(textEssayCancelled), true, tx.DeleteEssayDraft(ctx, t.person.ID)
	case parse.IntentHelp:
		return bot.Text(textEssayStart), true, nil
	case parse.IntentSubmit:
		if strings.TrimSpace(d.Text) == "" {
			return bot.Text(textEssayEmpty), true, nil
		}
		r, err := b.submitEssay(ctx, tx, t, d)
		return r, true, err
	}
	t.setDialog(Dialog{Flow: flowEssay, Since: t.now, LastCode: t.dialog.LastCode})
	if utf8.RuneCountInString(d.Text)+utf8.RuneCountInString(text) > maxEssayRunes {
		return bot.Text(textEssayTooLong), true, nil
	}
	d.Text = joinEssayPart(d.Text, text)
	d.Parts++
	d.Updated = t.now
	if err := tx.PutEssayDraft(ctx, d); err != nil {
		return bot.Reply{}, true, err
	}
	return bot.Text(fmt.Sprintf(textEssayPart, d.Parts, thousands(parse.EssayChars(d.Text)))), true, nil
}

// submitLostEssay submits an essay whose flow the state store forgot
// (its draft is in the database); ok is false when there is none.
func (b *Bot) submitLostEssay(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, bool, error) {
	if !t.person.Can(bot.ActCheckin) {
		return bot.Reply{}, false, nil
	}
	d, err := tx.EssayDraftOf(ctx, t.person.ID)
	if errors.Is(err, bot.ErrNotFound) || (err == nil && strings.TrimSpace(d.Text) == "") {
		return bot.Reply{}, false, nil
	}
	if err != nil {
		return bot.Reply{}, false, err
	}
	r, err := b.submitEssay(ctx, tx, t, d)
	return r, true, err
}

// joinEssayPart appends a message to an essay: directly after a piece near
// WeChat's 2,048-byte limit (WeChat split one pasted text), after a line
// break otherwise.
func joinEssayPart(so, part string) string {
	if so == "" {
		return part
	}
	last := so
	if i := strings.LastIndexByte(so, '\n'); i >= 0 {
		last = so[i+1:]
	}
	if len(last) >= splitPieceBytes {
		return so + part
	}
	return so + "\n" + part
}

// submitEssay stores the essay with its title, character count and copy
// flag.
func (b *Bot) submitEssay(ctx context.Context, tx bot.Tx, t *turn, d bot.EssayDraft) (bot.Reply, error) {
	title, text := parse.EssayTitle(d.Text)
	e := bot.Essay{PersonID: t.person.ID, SchoolID: t.person.SchoolID, Title: title, Text: text, Chars: parse.EssayChars(text), Created: t.now}
	earlier, err := tx.SchoolEssays(ctx, t.person.SchoolID, time.Time{}.Add(time.Hour), t.now.Add(time.Second), true)
	if err != nil {
		return bot.Reply{}, err
	}
	mine := shingles(text)
	for _, o := range earlier {
		if o.PersonID == t.person.ID {
			continue
		}
		if s := overlap(mine, shingles(o.Text)); s >= CopyThreshold && s > e.Similarity {
			e.SimilarTo, e.SimilarPerson, e.Similarity = o.ID, o.PersonID, s
		}
	}
	if _, err := tx.AddEssay(ctx, e); err != nil {
		return bot.Reply{}, err
	}
	if err := tx.DeleteEssayDraft(ctx, t.person.ID); err != nil {
		return bot.Reply{}, err
	}
	t.setDialog(Dialog{LastCode: t.dialog.LastCode})
	set, err := b.settings(ctx, tx, t.person.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	f, err := b.figures(ctx, tx, *t.person, set, b.today(t), false, true, nil)
	if err != nil {
		return bot.Reply{}, err
	}
	count := fmt.Sprintf(textEssayCountNoTarget, f.semEssays)
	if f.target.SemesterEssays > 0 {
		count = fmt.Sprintf(textEssayCount, f.semEssays, f.target.SemesterEssays)
	}
	shown := ""
	if title != "" {
		shown = "《" + title + "》"
	}
	return bot.Text(fmt.Sprintf(textEssaySubmitted, shown, thousands(e.Chars), count)), nil
}

// Similarity is the share of text's character 5-grams (letters and digits)
// found in other: 1 for a copy, near 0 for unrelated texts.
func Similarity(text, other string) float64 { return overlap(shingles(text), shingles(other)) }

// shingles is the set of character n-grams of an essay's letters and
// digits (whitespace and punctuation dropped, so that re-punctuating does
// not hide a copy).
func shingles(text string) map[string]struct{} {
	var rs []rune
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			rs = append(rs, unicode.ToLower(r))
		}
	}
	out := make(map[string]struct{}, len(rs))
	for i := 0; i+copyShingle <= len(rs); i++ {
		out[string(rs[i:i+copyShingle])] = struct{}{}
	}
	return out
}

// overlap is the share of a's n-grams that are in b.
func overlap(a, b map[string]struct{}) float64 {
	if len(a) == 0 {
		return 0
	}
	n := 0
	for k := range a {
		if _, ok := b[k]; ok {
			n++
		}
	}
	return float64(n) / float64(len(a))
}

// onEssayList shows leaders this semester's essays of their school.
func (b *Bot) onEssayList(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	if !t.person.Can(bot.ActDigest) {
		return refuse(t.person, bot.ActDigest), nil
	}
	set, err := b.settings(ctx, tx, t.person.SchoolID)
	if err != nil {
		return bot.Reply{}, err
	}
	sem, ok := set.CurrentSemester(t.now, b.loc)
	if !ok {
		return bot.Text(textStudyNoSemester), nil
	}
	essays, err := tx.SchoolEssays(ctx, t.person.SchoolID, sem.Start, sem.End, false)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(essays) == 0 {
		return bot.Text(fmt.Sprintf(textEssayListNone, sem.Name)), nil
	}
	staff, err := tx.Staff(ctx, t.person.SchoolID, true)
	if err != nil {
		return bot.Reply{}, err
	}
	names := map[int64]string{}
	for _, p := range staff {
		names[p.ID] = p.Name
	}
	titles := map[int64]string{}
	for _, e := range essays {
		titles[e.ID] = essayTitleText(e.Title)
	}
	lines := []string{fmt.Sprintf(textEssayListHead, sem.Name, len(essays))}
	for i, e := range essays {
		if i == maxEssayList {
			lines = append(lines, fmt.Sprintf(textEssayListMore, len(essays)-i))
			break
		}
		line := fmt.Sprintf(textEssayListItem, i+1, essayTitleText(e.Title), names[e.PersonID], thousands(e.Chars), dayLabel(e.Created.In(b.loc)))
		if e.SimilarTo != 0 {
			other, ok := titles[e.SimilarTo]
			if !ok {
				other = textUntitled
			}
			line += fmt.Sprintf(textEssayListCopy, names[e.SimilarPerson], other, int(e.Similarity*100+0.5))
		}
		lines = append(lines, line)
	}
	return bot.Text(strings.Join(lines, "\n")), nil
}

func essayTitleText(t string) string {
	if t == "" {
		return textUntitled
	}
	return "《" + t + "》"
}
