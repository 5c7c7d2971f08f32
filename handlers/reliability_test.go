package handlers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
	"minqing/handlers/wechat"
)

// pinger answers Ping with err, or blocks until release is closed,
// ignoring its context as a driver stuck on a frozen server does.
type pinger struct {
	err     error
	release chan struct{}
}

func (p pinger) Ping(ctx context.Context) error {
	if p.release != nil {
		<-p.release
	}
	return p.err
}

// /readyz pings each dependency with its own deadline: a frozen database
// does not make the state store look down, and the answer comes in time.
func TestReadyzEachDependency(t *testing.T) {
	frozen := make(chan struct{})
	t.Cleanup(func() { close(frozen) })
	tests := []struct {
		name       string
		store      Pinger
		state      Pinger
		wantCode   int
		wantStatus map[string]string
	}{
		{"both up", pinger{}, pinger{}, 200, map[string]string{"database": "ok", "state": "ok"}},
		{"database frozen", pinger{release: frozen}, pinger{}, 503, map[string]string{"database": "unavailable", "state": "ok"}},
		{"state frozen", pinger{}, pinger{release: frozen}, 503, map[string]string{"database": "ok", "state": "unavailable"}},
		{"state down", pinger{}, pinger{err: errors.New("connection refused")}, 503, map[string]string{"database": "ok", "state": "unavailable"}},
		{"both frozen", pinger{release: frozen}, pinger{release: frozen}, 503, map[string]string{"database": "unavailable", "state": "unavailable"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(Options{Bot: stubBot{}, Token: "testtoken", Store: tt.store, State: tt.state})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			rec := httptest.NewRecorder()
			s.http.Handler.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
			if d := time.Since(start); d > readyTimeout+500*time.Millisecond {
				t.Errorf("answered after %s", d)
			}
			var got map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tt.wantCode {
				t.Errorf("status %d, want %d", rec.Code, tt.wantCode)
			}
			if diff := cmp.Diff(tt.wantStatus, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// slowBot fails, or answers, after a delay.
type slowBot struct {
	delay time.Duration
	err   error
	reply string
	dup   string
}

func (b slowBot) FailureReply() bot.Reply {
	return bot.Text("系统正忙，这条消息没有处理成功，请稍后再发送一次。")
}

func (b slowBot) Process(ctx context.Context, in bot.Inbound) (bot.Outcome, error) {
	time.Sleep(b.delay)
	if b.err != nil {
		return bot.Outcome{}, b.err
	}
	return bot.Outcome{Reply: bot.Text(b.reply), Duplicate: b.dup}, nil
}

// flaky fails its first fails sends with err, then records.
type flaky struct {
	recorder
	mu    sync.Mutex
	fails int
	err   error
	tries int
}

func (f *flaky) SendText(ctx context.Context, openid, text string) error {
	f.mu.Lock()
	f.tries++
	fail := f.tries <= f.fails
	f.mu.Unlock()
	if fail {
		return f.err
	}
	return f.recorder.SendText(ctx, openid, text)
}

func (f *flaky) attempts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tries
}

func lateServer(t *testing.T, p Processor, n bot.Notifier) (*Server, *wechat.Client) {
	t.Helper()
	s, err := New(Options{Bot: p, Notifier: n, Token: "testtoken", ReplyBudget: 50 * time.Millisecond, PushBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.http.Handler)
	t.Cleanup(ts.Close)
	return s, &wechat.Client{URL: ts.URL + "/wechat", Token: "testtoken"}
}

// Nothing acknowledged is dropped silently: a message that fails after
// "success" gets a customer-service message asking to send it again, and
// late pushes are retried while WeChat fails; what cannot be delivered is
// counted.
func TestLateDelivery(t *testing.T) {
	unavailable := fmt.Errorf("wechat custom: %w", bot.ErrUnavailable)
	tests := []struct {
		name      string
		bot       slowBot
		fails     int
		err       error
		wantSent  []string
		wantTries int
		wantLost  string // the undelivered label counted, if any
	}{
		{"late reply", slowBot{delay: 150 * time.Millisecond, reply: "晚到的答复"}, 0, nil, []string{"晚到的答复"}, 1, ""},
		{"late reply, WeChat busy twice", slowBot{delay: 150 * time.Millisecond, reply: "晚到的答复"}, 2, unavailable, []string{"晚到的答复"}, 3, ""},
		{"late failure", slowBot{delay: 150 * time.Millisecond, err: errors.New("invalid connection")}, 0, nil, []string{textNotReceived}, 1, ""},
		{"late failure, notice retried", slowBot{delay: 150 * time.Millisecond, err: errors.New("invalid connection")}, 1, unavailable, []string{textNotReceived}, 2, ""},
		{"late failure, WeChat down", slowBot{delay: 150 * time.Millisecond, err: errors.New("invalid connection")}, 100, unavailable, nil, pushAttempts, "failure_notice"},
		{"late duplicate: its first delivery answers", slowBot{delay: 150 * time.Millisecond, reply: "晚到的答复", dup: bot.DupState}, 0, nil, nil, 0, ""},
		{"late duplicate whose first delivery died", slowBot{delay: 150 * time.Millisecond, reply: "晚到的答复", dup: bot.DupRecovered}, 0, nil, []string{"晚到的答复"}, 1, ""},
		{"outside the 48-hour window: not retried", slowBot{delay: 150 * time.Millisecond, reply: "晚到的答复"}, 100, fmt.Errorf("x: %w", bot.ErrOutsideWindow), nil, 1, "late_reply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := &flaky{fails: tt.fails, err: tt.err}
			s, c := lateServer(t, tt.bot, n)
			res, err := c.Send(context.Background(), wechat.NewText("oLate", "gh", "建议：x", 1, time.Now()))
			if err != nil || !res.Empty {
				t.Fatalf("answer = %+v, %v; want success", res, err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := s.Shutdown(ctx); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantSent, n.texts()); diff != "" {
				t.Errorf("sent mismatch (-want +got):\n%s", diff)
			}
			if got := n.attempts(); got != tt.wantTries {
				t.Errorf("%d attempts, want %d", got, tt.wantTries)
			}
			rec := httptest.NewRecorder()
			s.metrics.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
			for _, what := range []string{"late_reply", "failure_notice", "rest_of_reply"} {
				want := 0
				if what == tt.wantLost {
					want = 1
				}
				line := fmt.Sprintf("minqing_push_undelivered_total{what=%q} %d", what, want)
				if !strings.Contains(rec.Body.String(), line) {
					t.Errorf("metrics lack %s", line)
				}
			}
		})
	}
}

// The admin handler serves the metrics; the public one does not.
func TestMetricsOnlyOnAdmin(t *testing.T) {
	s, err := New(Options{Bot: stubBot{}, Token: "testtoken"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		h    http.Handler
		path string
		want int
	}{
		{s.http.Handler, "/metrics", 404},
		{s.http.Handler, "/debug/pprof/", 404},
		{s.admin.Handler, "/metrics", 200},
		{s.admin.Handler, "/debug/pprof/", 404},
	} {
		rec := httptest.NewRecorder()
		tc.h.ServeHTTP(rec, httptest.NewRequest("GET", tc.path, nil))
		if rec.Code != tc.want {
			t.Errorf("%s = %d, want %d", tc.path, rec.Code, tc.want)
		}
	}
}
