package chat

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"

	"minqing/bot"
	"minqing/bot/parse"
)

// Dialog is where a sender is in a multi-step flow (the 我要建议 menu flow,
// say). It lives in the state store and expires after DialogTTL of silence.
type Dialog struct {
	Flow string            `json:"flow,omitempty"`
	Data map[string]string `json:"data,omitempty"`
	// Since is when the flow started or last moved on.
	Since time.Time `json:"since"`
	// LastCode is the receipt code of the sender's latest opinion, so that
	// "改为 师德师风" right after it needs no code.
	LastCode string `json:"last_code,omitempty"`
	// Shown is the receipt code of the answer the sender was last shown
	// (查询), so that a rating right after is about it.
	Shown string `json:"shown,omitempty"`
}

// empty reports whether there is nothing to keep.
func (d Dialog) empty() bool { return d.Flow == "" && d.LastCode == "" && d.Shown == "" }

// continuation reads the next message of a sender in a flow;
// handled=false lets the message through to the commands, the flow
// staying where it was.
type continuation func(b *Bot, ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, text string) (r bot.Reply, handled bool, err error)

// flows are the continuations of the flows, by Dialog.Flow.
var flows = map[string]continuation{
	flowDraft:          (*Bot).continueDraft,
	flowConfirmOpinion: (*Bot).continueConfirm,
	flowStudyAsk:       (*Bot).continueStudyAsk,
	flowStudyConfirm:   (*Bot).continueStudyConfirm,
	flowEssay:          (*Bot).continueEssay,
	flowChooseSchool:   (*Bot).continueChooseSchool,
	flowVisit:          handlesAll((*Bot).continueVisit),
	flowVisitPick:      handlesAll((*Bot).continueVisitPick),
	flowStaffPick:      handlesAll((*Bot).continueStaffPick),
}

// handlesAll is the continuation of a flow that lets no message through.
func handlesAll(f func(b *Bot, ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, text string) (bot.Reply, error)) continuation {
	return func(b *Bot, ctx context.Context, tx bot.Tx, t *turn, p parse.Parsed, text string) (bot.Reply, bool, error) {
		r, err := f(b, ctx, tx, t, p, text)
		return r, true, err
	}
}

// DialogTTL is how long a dialog waits for the sender's next message.
const DialogTTL = 30 * time.Minute

// dialogKey is where the dialog of openid is kept: keyed under the link
// key of the day (a dialog may name the code just filed), or, with the
// state store down, under the secret (nothing is stored then anyway). A
// dialog in progress at midnight is forgotten.
func (b *Bot) dialogKey(ctx context.Context, openid string, offline bool) string {
	name := linkKeyPrefix + "dialog:" + b.now().In(b.loc).Format("20060102")
	var (
		k   bot.LinkKey
		err error
	)
	if offline {
		k, err = b.knownLinkKey(name)
	} else {
		k, err = b.linkKey(ctx, name, dialogKeyTTL)
	}
	if err != nil {
		return "dialog:" + b.keys.Sender(openid)
	}
	return "dialog:" + k.Sum("dialog", openid)
}

// dialogKeyTTL outlives the day the key is made on, and is shorter than
// any link window.
const dialogKeyTTL = 25 * time.Hour

// decodeDialog reads a stored dialog; nothing stored, or something
// unreadable, is no dialog (the sender starts afresh).
func decodeDialog(raw []byte, log *slog.Logger) Dialog {
	var d Dialog
	if len(raw) == 0 {
		return d
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		log.Warn("dialog_corrupt", "err", err)
		return Dialog{}
	}
	return d
}

// saveDialog stores the dialog, or clears it when there is nothing to keep.
func (b *Bot) saveDialog(ctx context.Context, key string, d Dialog) {
	var err error
	if d.empty() {
		err = b.state.Delete(ctx, key)
	} else {
		var raw []byte
		raw, err = json.Marshal(d)
		if err == nil {
			err = b.state.Set(ctx, key, raw, DialogTTL)
		}
	}
	if err != nil {
		b.log.Warn("state_unavailable", "op", "save_dialog", "err", err)
	}
}
