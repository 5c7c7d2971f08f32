package config

import (
	"context"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"strings"
)

// NewLogger builds the service's logger: JSON or text at the configured
// level, behind a handler that drops personal data.
func NewLogger(c Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	var h slog.Handler
	if c.LogFormat == "text" {
		h = slog.NewTextHandler(w, opts)
	} else {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(NewRedactingHandler(h))
}

// piiKeys are attribute keys whose values are personal data or message
// content. Call sites should not log them at all; this is the safety net.
var piiKeys = map[string]bool{
	"openid": true, "open_id": true, "from": true, "to": true, "touser": true,
	"from_user": true, "to_user": true, "user": true,
	"text": true, "content": true, "message": true, "body": true, "reply": true,
	"name": true, "person": true, "phone": true, "student": true, "teacher": true,
	"recognition": true, "label": true,
}

// NewRedactingHandler wraps h so that attributes whose key names personal
// data (openid, text, name, …) are logged as "[redacted]", whatever the call
// site wrote, including inside groups; and anything shaped like an openid
// in the message or any string or error attribute is logged as "[openid]".
func NewRedactingHandler(h slog.Handler) slog.Handler { return redactingHandler{h} }

type redactingHandler struct{ next slog.Handler }

func (h redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	nr := slog.NewRecord(r.Time, r.Level, ScrubOpenIDs(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		nr.AddAttrs(redactAttr(a))
		return true
	})
	return h.next.Handle(ctx, nr)
}

func (h redactingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(as))
	for i, a := range as {
		out[i] = redactAttr(a)
	}
	return redactingHandler{h.next.WithAttrs(out)}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{h.next.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	a.Value = a.Value.Resolve()
	if piiKeys[strings.ToLower(a.Key)] {
		return slog.String(a.Key, "[redacted]")
	}
	switch a.Value.Kind() {
	case slog.KindGroup:
		g := a.Value.Group()
		out := make([]slog.Attr, len(g))
		for i, x := range g {
			out[i] = redactAttr(x)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	case slog.KindString:
		if s := a.Value.String(); hasOpenID(s) {
			return slog.String(a.Key, ScrubOpenIDs(s))
		}
	case slog.KindAny:
		// Errors (and anything else that prints itself) are logged as
		// their text: scrub it.
		var text string
		switch v := a.Value.Any().(type) {
		case error:
			text = v.Error()
		case fmt.Stringer:
			text = v.String()
		default:
			return a
		}
		if hasOpenID(text) {
			return slog.String(a.Key, ScrubOpenIDs(text))
		}
	}
	return a
}

// openIDLen is the length of a WeChat openid: "o" and 27 URL-safe
// base64 characters.
const openIDLen = 28

func urlSafe(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// urlSafeRuns yields the start and end of each longest run of URL-safe
// characters in s.
func urlSafeRuns(s string) iter.Seq2[int, int] {
	return func(yield func(int, int) bool) {
		for i := 0; i < len(s); {
			if !urlSafe(s[i]) {
				i++
				continue
			}
			j := i
			for j < len(s) && urlSafe(s[j]) {
				j++
			}
			if !yield(i, j) {
				return
			}
			i = j
		}
	}
}

// openIDShaped reports whether a run of URL-safe characters is shaped like
// an openid: exactly 28 of them, starting with "o".
func openIDShaped(run string) bool { return len(run) == openIDLen && run[0] == 'o' }

// hasOpenID reports whether s holds a run of exactly 28 URL-safe
// characters starting with "o": something shaped like an openid.
func hasOpenID(s string) bool {
	if len(s) < openIDLen || !strings.Contains(s, "o") {
		return false
	}
	for i, j := range urlSafeRuns(s) {
		if openIDShaped(s[i:j]) {
			return true
		}
	}
	return false
}

// ScrubOpenIDs replaces everything shaped like an openid in s by
// "[openid]".
func ScrubOpenIDs(s string) string {
	if !hasOpenID(s) {
		return s
	}
	var b strings.Builder
	last := 0
	for i, j := range urlSafeRuns(s) {
		if openIDShaped(s[i:j]) {
			b.WriteString(s[last:i])
			b.WriteString("[openid]")
			last = j
		}
	}
	b.WriteString(s[last:])
	return b.String()
}
