package chat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"minqing/bot"
)

// Small talk and text the parser cannot place. Nobody meets a dead end:
// greetings, thanks and questions get a short friendly answer with what
// the account does for them; for a parent (or any sender not bound as
// staff) a message that reads like a statement is offered as an opinion
// with one tap, and a fragment too short to be one is asked about.

// talkKind is what an unplaced message is.
type talkKind int

const (
	talkStatement talkKind = iota // reads like something to tell the school
	talkGreeting                  // 你好, 在吗, 老师好
	talkThanks                    // 谢谢, 辛苦了
	talkAck                       // 收到, 嗯嗯, 👍
	talkHowTo                     // 请问怎么反映问题？
	talkSymbols                   // emoji and punctuation only
	talkForeign                   // no Chinese at all (English …)
	talkFragment                  // a word or two: 食堂
)

// statementMinRunes is the length from which unplaced text is offered as
// an opinion.
const statementMinRunes = 6

var (
	greetingWords = []string{"你好", "您好", "在吗", "在不在", "有人吗", "有人在吗", "老师好", "校长好", "早上好", "上午好", "中午好", "下午好", "晚上好", "早安", "晚安", "哈喽", "嗨", "hello", "hi", "喂"}
	thanksWords   = []string{"谢谢", "感谢", "多谢", "谢了", "辛苦了", "辛苦", "麻烦了", "麻烦您了", "谢谢老师", "谢谢校长", "谢谢您", "非常感谢", "thanks", "thank you"}
	ackWords      = []string{"收到", "知道了", "明白", "明白了", "了解", "嗯", "嗯嗯", "哦", "哦哦", "ok", "okay", "好", "好吧", "行", "可以"}
	howToWords    = []string{"怎么反映", "如何反映", "怎么提意见", "如何提意见", "怎么提建议", "怎么投诉", "如何投诉", "怎么用", "怎么使用", "如何使用", "能做什么", "可以做什么", "干什么的", "是做什么的", "怎么留言", "在哪里反映", "向谁反映", "找谁反映"}
	// talkFillers may surround a greeting or thanks: "您好，老师！"
	talkFillers = []string{"老师", "校长", "您", "你", "啊", "呀", "哈", "呢", "吧", "的", "了", "哦", "嘛", "们", "大家", "请问", "一下", "非常", "十分", "太", "真是", "真的"}
)

// courtesyTalk is the kind of a message made of greeting, thanks or
// acknowledgement words alone.
func courtesyTalk(core string) (talkKind, bool) {
	switch {
	case onlyTalkWords(core, greetingWords):
		return talkGreeting, true
	case onlyTalkWords(core, thanksWords):
		return talkThanks, true
	case onlyTalkWords(core, ackWords):
		return talkAck, true
	}
	return 0, false
}

// classifyTalk reads a message the parser could not place.
func classifyTalk(text string) talkKind {
	low := strings.ToLower(strings.TrimSpace(text))
	core := strings.TrimFunc(low, func(r rune) bool { return isTalkPunct(r) })
	if core == "" {
		return talkSymbols
	}
	if !strings.ContainsFunc(core, func(r rune) bool { return unicode.Is(unicode.Han, r) }) {
		if k, ok := courtesyTalk(core); ok {
			return k
		}
		if !strings.ContainsFunc(core, unicode.IsLetter) {
			return talkSymbols
		}
		return talkForeign
	}
	for _, w := range howToWords {
		if strings.Contains(core, w) {
			return talkHowTo
		}
	}
	if k, ok := courtesyTalk(core); ok {
		return k
	}
	if onlyTalkWords(core, append(append([]string{}, greetingWords...), thanksWords...)) {
		return talkGreeting // 你好谢谢
	}
	if utf8.RuneCountInString(strings.Map(func(r rune) rune {
		if isTalkPunct(r) {
			return -1
		}
		return r
	}, core)) < statementMinRunes {
		return talkFragment
	}
	return talkStatement
}

func isTalkPunct(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.Is(unicode.Mn, r) ||
		r == '\u200d' || r == '\ufe0f' || (r >= 0x1F000 && r <= 0x1FAFF)
}

// onlyTalkWords reports whether s is made of words (at least one) and
// talk fillers only, ignoring punctuation.
func onlyTalkWords(s string, words []string) bool {
	found := false
	for s != "" {
		r, size := utf8.DecodeRuneInString(s)
		if isTalkPunct(r) {
			s = s[size:]
			continue
		}
		best := ""
		for _, w := range words {
			if len(w) > len(best) && strings.HasPrefix(s, w) {
				best = w
			}
		}
		if best != "" {
			found = true
			s = s[len(best):]
			continue
		}
		for _, f := range talkFillers {
			if len(f) > len(best) && strings.HasPrefix(s, f) {
				best = f
			}
		}
		if best == "" {
			return false
		}
		s = s[len(best):]
	}
	return found
}

// onUnplaced answers a text message the parser could not place.
func (b *Bot) onUnplaced(t *turn, text string) bot.Reply {
	role := textTalkWhatParent
	if t.person != nil {
		role = textTalkWhatStaff
	}
	switch classifyTalk(text) {
	case talkGreeting:
		return bot.Text(textTalkGreeting + "\n" + role)
	case talkThanks:
		return bot.Text(textTalkThanks)
	case talkAck:
		return bot.Text(textTalkAck)
	case talkHowTo:
		return bot.Text(textTalkHowTo + "\n" + role)
	case talkSymbols:
		return bot.Text(textTalkSymbols + "\n" + role)
	case talkForeign:
		return bot.Text(textTalkForeign)
	case talkFragment:
		return bot.Text(fmt.Sprintf(textTalkFragment, bot.Clip(strings.TrimSpace(text), 10)))
	}
	if t.person != nil {
		// Staff have commands: a statement that is not one may be a
		// mistyped command.
		return bot.Text(textNotUnderstood + "\n" + textTalkStaffOpinion)
	}
	// A parent's statement: offered as an opinion with one tap.
	source := bot.SourceText
	if t.in.Kind == bot.KindVoice {
		source = bot.SourceVoice
	}
	t.setDialog(Dialog{Flow: flowConfirmOpinion, Data: map[string]string{"text": text, "source": source}, Since: t.now, LastCode: t.dialog.LastCode})
	return bot.Text(fmt.Sprintf(textTalkOffer, bot.Clip(text, 40)))
}

// ownList answers 查询 or 详情 without a code: the sender's latest
// opinion, which the dialog remembers. Nothing else links a sender to
// their opinions (link.go), so older ones need their codes.
func (b *Bot) ownList(ctx context.Context, tx bot.Tx, t *turn) (bot.Reply, error) {
	if t.dialog.LastCode != "" {
		o, err := tx.OpinionByCode(ctx, t.dialog.LastCode)
		switch {
		case err == nil:
			return bot.Text(textOwnLatest + "\n" + b.statusText(o) + "\n" + textOwnListFoot), nil
		case !errors.Is(err, bot.ErrNotFound):
			return bot.Reply{}, err
		}
	}
	if t.person.Can(bot.ActLedger) {
		return bot.Text(textOwnListNoneLeader), nil
	}
	return bot.Text(textOwnListNone), nil
}
