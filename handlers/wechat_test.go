package handlers

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"minqing/bot"
	"minqing/handlers/wechat"
)

func TestSplitText(t *testing.T) {
	long := strings.Repeat("民情台帐第一行内容。\n", 150) // 3,150 bytes of three-byte runes
	first, rest := splitText(long, maxPassiveReply)
	parts := append([]string{first}, rest...)
	if strings.Join(parts, "") != long {
		t.Fatal("the parts do not add up to the text")
	}
	for i, p := range parts {
		if len(p) > maxPassiveReply || !utf8.ValidString(p) {
			t.Errorf("part %d: %d bytes, valid UTF-8 %v", i, len(p), utf8.ValidString(p))
		}
		if i < len(parts)-1 && !strings.HasSuffix(p, "\n") {
			t.Errorf("part %d does not end at a line break", i)
		}
	}
	if first, rest := splitText("短", maxPassiveReply); first != "短" || len(rest) != 0 {
		t.Errorf("short text split: %q %q", first, rest)
	}
}

// stubBot answers every message with a fixed reply, or panics.
type stubBot struct {
	reply string
	panic bool
}

func (s stubBot) FailureReply() bot.Reply {
	return bot.Text("系统正忙，这条消息没有处理成功，请稍后再发送一次。")
}

func (s stubBot) Process(ctx context.Context, in bot.Inbound) (bot.Outcome, error) {
	if s.panic {
		panic("boom")
	}
	return bot.Outcome{Reply: bot.Text(s.reply)}, nil
}

// recorder is a bot.Notifier that keeps what it was asked to send.
type recorder struct {
	mu   sync.Mutex
	sent []string
}

func (r *recorder) SendText(ctx context.Context, openid, text string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, text)
	return nil
}

func (r *recorder) SendTemplate(context.Context, bot.TemplateMessage) error { return nil }

func (r *recorder) texts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.sent...)
}

func newTestServer(t *testing.T, p Processor, n bot.Notifier) *wechat.Client {
	t.Helper()
	s, err := New(Options{Bot: p, Notifier: n, Token: "testtoken", MaxSkew: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.http.Handler)
	t.Cleanup(ts.Close)
	return &wechat.Client{URL: ts.URL + "/wechat", Token: "testtoken"}
}

// A reply longer than a passive reply may be goes out in parts: the first
// passively, the rest as customer-service messages.
func TestLongReplyIsSplit(t *testing.T) {
	long := strings.Repeat("这是一条很长的答复。\n", 120)
	n := &recorder{}
	c := newTestServer(t, stubBot{reply: long}, n)
	res, err := c.Send(context.Background(), wechat.NewText("oLong", "gh", "台帐", 1, time.Now()))
	if err != nil || res.Status != 200 {
		t.Fatalf("%+v %v", res, err)
	}
	if len(res.Reply.Content) > maxPassiveReply {
		t.Errorf("passive reply of %d bytes", len(res.Reply.Content))
	}
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) && res.Reply.Content+strings.Join(n.texts(), "") != long {
		time.Sleep(10 * time.Millisecond)
	}
	if got := res.Reply.Content + strings.Join(n.texts(), ""); got != long {
		t.Errorf("reply and pushes do not add up: %d of %d bytes", len(got), len(long))
	}
}

// A panic in the bot never reaches WeChat: the user is asked to send again.
func TestPanicIsContained(t *testing.T) {
	c := newTestServer(t, stubBot{panic: true}, &recorder{})
	res, err := c.Send(context.Background(), wechat.NewText("oPanic", "gh", "帮助", 2, time.Now()))
	if err != nil || res.Status != 200 || !strings.Contains(res.Reply.Content, "稍后再发送") {
		t.Fatalf("%+v %v", res, err)
	}
}
