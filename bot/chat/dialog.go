package chat

import (
	"context"
	"encoding/json"
	"log/slog"
	"time"
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

// DialogTTL is how long a dialog waits for the sender's next message.
const DialogTTL = 30 * time.Minute

func dialogKey(sender string) string { return "dialog:" + sender }

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
func (b *Bot) saveDialog(ctx context.Context, sender string, d Dialog) {
	var err error
	if d.empty() {
		err = b.state.Delete(ctx, dialogKey(sender))
	} else {
		var raw []byte
		raw, err = json.Marshal(d)
		if err == nil {
			err = b.state.Set(ctx, dialogKey(sender), raw, DialogTTL)
		}
	}
	if err != nil {
		b.log.Warn("state_unavailable", "op", "save_dialog", "err", err)
	}
}
