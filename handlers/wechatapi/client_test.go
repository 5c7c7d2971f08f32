package wechatapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/bot"
	"minqing/handlers/fakewechat"
)

const (
	testAppID  = "wx0123456789abcdef"
	testSecret = "S3CRET0123456789abcdef0123456789"
	openid     = "oUSER-openid-0001"
	text       = "您的意见已收到，编号 K7M2-9QXD"
)

var t0 = time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC)

// syncBuffer collects log output from many goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// errLog records OnError calls.
type errLog struct {
	mu   sync.Mutex
	apis []string
	errs []error
}

func (l *errLog) record(api string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.apis = append(l.apis, api)
	l.errs = append(l.errs, err)
}

func (l *errLog) APIs() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.apis...)
}

type env struct {
	fake  *fakewechat.Server
	srv   *httptest.Server
	state *fakeState
	logs  *syncBuffer
	errs  *errLog
}

func newEnv(t *testing.T) *env {
	t.Helper()
	fake := fakewechat.New(fakewechat.Options{AppID: testAppID, Secret: testSecret, Now: func() time.Time { return t0 }})
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &env{fake: fake, srv: srv, state: newFakeState(), logs: &syncBuffer{}, errs: &errLog{}}
}

// client returns a Client of the fake; opts may adjust its Options.
func (e *env) client(t *testing.T, opts ...func(*Options)) *Client {
	t.Helper()
	o := Options{
		AppID:   testAppID,
		Secret:  testSecret,
		APIBase: e.srv.URL,
		State:   e.state,
		Logger:  slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Timeout: 2 * time.Second,
		OnError: e.errs.record,
	}
	for _, f := range opts {
		f(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// cachedToken returns the token in the shared State.
func (e *env) cachedToken(t *testing.T) string {
	t.Helper()
	v, err := e.state.Get(context.Background(), TokenKey(testAppID))
	if err != nil {
		t.Fatalf("cached token: %v", err)
	}
	return string(v)
}

// checkLogs fails if the logs mention an openid or message text.
func (e *env) checkLogs(t *testing.T) {
	t.Helper()
	logs := e.logs.String()
	for _, s := range []string{openid, text, "K7M2", testSecret, "access_token="} {
		if strings.Contains(logs, s) {
			t.Errorf("logs contain %q:\n%s", s, logs)
		}
	}
}

func TestNewValidates(t *testing.T) {
	_, err := New(Options{APIBase: "ftp://x", Timeout: -1})
	if !errors.Is(err, bot.ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
	for _, want := range []string{"AppID", "Secret", "State", "APIBase", "Timeout"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestSendHappyPath(t *testing.T) {
	tests := []struct {
		name string
		send func(ctx context.Context, c *Client) error
		want []fakewechat.Sent
	}{
		{
			name: "text",
			send: func(ctx context.Context, c *Client) error { return c.SendText(ctx, openid, text) },
			want: []fakewechat.Sent{{Seq: 1, API: "custom", ToUser: openid, Text: text, At: t0}},
		},
		{
			name: "template",
			send: func(ctx context.Context, c *Client) error {
				return c.SendTemplate(ctx, bot.TemplateMessage{
					ToOpenID:   openid,
					TemplateID: "TPL-weekly",
					URL:        "https://minqing.example/d/abc?week=2024-19&x=<y>",
					Fields: []bot.TemplateField{
						{Key: "thing1", Value: "第一中学 周报"},
						{Key: "time2", Value: "2024-05-06"},
					},
				})
			},
			want: []fakewechat.Sent{{
				Seq: 1, API: "template", ToUser: openid, TemplateID: "TPL-weekly",
				URL:  "https://minqing.example/d/abc?week=2024-19&x=<y>",
				Data: map[string]string{"thing1": "第一中学 周报", "time2": "2024-05-06"},
				At:   t0,
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.client(t)
			if err := tt.send(context.Background(), c); err != nil {
				t.Fatalf("send: %v", err)
			}
			if diff := cmp.Diff(tt.want, e.fake.Sent()); diff != "" {
				t.Errorf("Sent() mismatch (-want +got):\n%s", diff)
			}
			if got := e.fake.TokenFetches(); got != 1 {
				t.Errorf("TokenFetches() = %d, want 1", got)
			}
			if got := e.errs.APIs(); len(got) != 0 {
				t.Errorf("OnError called for %v", got)
			}
			e.checkLogs(t)
		})
	}
}

func TestInvalidArguments(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	ctx := context.Background()
	tests := []struct {
		name string
		err  error
	}{
		{"text no openid", c.SendText(ctx, "", text)},
		{"text empty", c.SendText(ctx, openid, "")},
		{"template no id", c.SendTemplate(ctx, bot.TemplateMessage{ToOpenID: openid})},
		{"template empty key", c.SendTemplate(ctx, bot.TemplateMessage{ToOpenID: openid, TemplateID: "T", Fields: []bot.TemplateField{{Value: "v"}}})},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, bot.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tt.name, tt.err)
		}
	}
	if n := e.fake.TokenFetches(); n != 0 {
		t.Errorf("TokenFetches() = %d, want 0 (nothing sent)", n)
	}
}

// sendConcurrently sends n texts, spread over clients, at once.
func sendConcurrently(t *testing.T, clients []*Client, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := make(chan struct{})
	for i := range n {
		c := clients[i%len(clients)]
		wg.Go(func() {
			<-start
			errs <- c.SendText(context.Background(), fmt.Sprintf("o%d", i), "hi")
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("SendText: %v", err)
		}
	}
}

func TestTokenFetchedOnce(t *testing.T) {
	tests := []struct {
		name      string
		clients   int
		stateDown bool
	}{
		{"one client, 50 concurrent sends", 1, false},
		{"two clients sharing one State", 2, false},
		{"five clients sharing one State", 5, false},
		{"State unavailable: process-local cache", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.state.down.Store(tt.stateDown)
			var clients []*Client
			for range tt.clients {
				clients = append(clients, e.client(t))
			}
			sendConcurrently(t, clients, 50)
			// One token for everybody. Without a cross-instance lock each
			// client (process) may ask stable_token once on a cold start;
			// they all get the same token back.
			if got := e.fake.TokensIssued(); got != 1 {
				t.Errorf("TokensIssued() = %d, want 1", got)
			}
			fetches := e.fake.TokenFetches()
			if fetches < 1 || fetches > tt.clients {
				t.Errorf("TokenFetches() = %d, want 1 to %d (at most one per client)", fetches, tt.clients)
			}
			if got := len(e.fake.Sent()); got != 50 {
				t.Errorf("len(Sent()) = %d, want 50", got)
			}
			// A second round uses the cached token.
			sendConcurrently(t, clients, 10)
			if got := e.fake.TokenFetches(); got != fetches {
				t.Errorf("TokenFetches() after second round = %d, want still %d", got, fetches)
			}
			if got := e.fake.TokensIssued(); got != 1 {
				t.Errorf("TokensIssued() after second round = %d, want 1", got)
			}
		})
	}
}

func TestTokenStoredUnderSDKKey(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	if err := c.SendText(context.Background(), openid, text); err != nil {
		t.Fatal(err)
	}
	// The SDK's StableAccessToken key, so that SDK-based tools sharing
	// the store find the token.
	if got := TokenKey(testAppID); got != "gowechat_officialaccount__stable_access_token_"+testAppID {
		t.Errorf("TokenKey = %q", got)
	}
	tok := e.cachedToken(t)
	if !strings.HasPrefix(tok, "FAKE_") {
		t.Errorf("cached token = %q, want the fake's token", tok)
	}
	// Kept with WeChat's expiry (7200 s) less the 5-minute margin.
	if ttl := e.state.ttl(TokenKey(testAppID)); ttl <= 7200*time.Second-tokenMargin-time.Minute || ttl > 7200*time.Second-tokenMargin {
		t.Errorf("token TTL = %v, want about %v", ttl, 7200*time.Second-tokenMargin)
	}
}

func TestRejectedTokenRetriedOnce(t *testing.T) {
	tests := []struct {
		name        string
		setup       func(f *fakewechat.Server)
		wantErrcode int64 // 0: success
		// wantFetches counts stable_token calls, wantIssued the tokens
		// minted: when WeChat refuses a token it still hands out, a
		// plain call returns it again and a forced refresh replaces it.
		wantFetches int
		wantIssued  int
		wantSent    int
	}{
		{"ExpireTokens → 40001", func(f *fakewechat.Server) { f.ExpireTokens() }, 0, 2, 2, 2},
		{"42001 once", func(f *fakewechat.Server) { f.FailNext(fakewechat.APICustom, 42001, 1) }, 0, 3, 2, 2},
		{"40014 once", func(f *fakewechat.Server) { f.FailNext(fakewechat.APICustom, 40014, 1) }, 0, 3, 2, 2},
		{"40001 twice: retried only once", func(f *fakewechat.Server) { f.FailNext(fakewechat.APICustom, 40001, 2) }, 40001, 3, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.client(t)
			ctx := context.Background()
			if err := c.SendText(ctx, openid, "first"); err != nil {
				t.Fatal(err)
			}
			before := e.cachedToken(t)
			tt.setup(e.fake)

			err := c.SendText(ctx, openid, "second")
			var ae *APIError
			switch {
			case tt.wantErrcode == 0 && err != nil:
				t.Fatalf("SendText: %v", err)
			case tt.wantErrcode != 0 && (!errors.As(err, &ae) || ae.Code != tt.wantErrcode):
				t.Fatalf("SendText: err = %v, want errcode %d", err, tt.wantErrcode)
			}
			if got := e.fake.TokenFetches(); got != tt.wantFetches {
				t.Errorf("TokenFetches() = %d, want %d", got, tt.wantFetches)
			}
			if got := e.fake.TokensIssued(); got != tt.wantIssued {
				t.Errorf("TokensIssued() = %d, want %d", got, tt.wantIssued)
			}
			if got := len(e.fake.Sent()); got != tt.wantSent {
				t.Errorf("len(Sent()) = %d, want %d", got, tt.wantSent)
			}
			if after := e.cachedToken(t); after == before {
				t.Errorf("cached token unchanged after WeChat rejected it")
			}
		})
	}
}

func TestRejectedTokenAlreadyReplaced(t *testing.T) {
	// Two clients hold the same token; WeChat rejects it; both retry but
	// only one fetch happens: the second finds the token already replaced.
	e := newEnv(t)
	a, b := e.client(t), e.client(t)
	ctx := context.Background()
	if err := a.SendText(ctx, openid, "x"); err != nil {
		t.Fatal(err)
	}
	e.fake.ExpireTokens()
	if err := a.SendText(ctx, openid, "x"); err != nil {
		t.Fatal(err)
	}
	if err := b.SendText(ctx, openid, "x"); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.TokenFetches(); got != 2 {
		t.Errorf("TokenFetches() = %d, want 2", got)
	}

	// A rejection of an old token does not drop the newer cached one.
	cur := e.cachedToken(t)
	got, err := a.tokens.get(ctx, "FAKE_old-token")
	if err != nil || got != cur {
		t.Errorf("get(rejected=old) = %q, %v; want the cached %q", got, err, cur)
	}
	if n := e.fake.TokenFetches(); n != 2 {
		t.Errorf("TokenFetches() = %d, want still 2", n)
	}
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name     string
		api      string
		errcode  int
		send     func(c *Client) error
		wantIs   error // nil: none of the domain errors
		wantCode int64 // 0: no APIError expected
	}{
		{"45015 outside window", fakewechat.APICustom, 45015, sendText, bot.ErrOutsideWindow, 45015},
		{"43004 not following", fakewechat.APICustom, 43004, sendText, bot.ErrNotFollowing, 43004},
		{"43004 template", fakewechat.APITemplate, 43004, sendTemplate, bot.ErrNotFollowing, 43004},
		{"-1 system busy", fakewechat.APICustom, -1, sendText, bot.ErrUnavailable, -1},
		{"502 status", fakewechat.APICustom, 502, sendText, bot.ErrUnavailable, 0},
		{"503 on token", fakewechat.APIStableToken, 503, sendText, bot.ErrUnavailable, 0},
		{"-1 on token", fakewechat.APIStableToken, -1, sendText, bot.ErrUnavailable, -1},
		{"40003 invalid openid", fakewechat.APICustom, 40003, sendText, nil, 40003},
		{"40125 bad secret", fakewechat.APIStableToken, 40125, sendText, nil, 40125},
	}
	domain := []error{bot.ErrOutsideWindow, bot.ErrNotFollowing, bot.ErrUnavailable, bot.ErrInvalid}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.client(t)
			e.fake.FailNext(tt.api, tt.errcode, 1)
			err := tt.send(c)
			if err == nil {
				t.Fatal("send succeeded, want an error")
			}
			for _, d := range domain {
				if got, want := errors.Is(err, d), d == tt.wantIs; got != want {
					t.Errorf("errors.Is(%v, %v) = %v, want %v", err, d, got, want)
				}
			}
			var ae *APIError
			if gotAs := errors.As(err, &ae); gotAs != (tt.wantCode != 0) || (gotAs && ae.Code != tt.wantCode) {
				t.Errorf("errors.As(APIError) = %v %+v, want errcode %d", gotAs, ae, tt.wantCode)
			}
			if tt.wantCode != 0 && !strings.Contains(err.Error(), fmt.Sprintf("errcode %d", tt.wantCode)) {
				t.Errorf("error %q does not name the errcode", err)
			}
			wantAPI := "wechat " + tt.api
			if tt.api == fakewechat.APIStableToken {
				wantAPI = "wechat token"
			}
			if !strings.Contains(err.Error(), wantAPI) {
				t.Errorf("error %q does not name the API %q", err, wantAPI)
			}
			// OnError saw the failed call (and the failed token fetch).
			wantAPIs := []string{tt.api}
			if tt.api == fakewechat.APIStableToken {
				wantAPIs = []string{APIToken, APICustom}
			}
			if diff := cmp.Diff(wantAPIs, e.errs.APIs()); diff != "" {
				t.Errorf("OnError APIs mismatch (-want +got):\n%s", diff)
			}
			e.checkLogs(t)
		})
	}
}

func sendText(c *Client) error { return c.SendText(context.Background(), openid, text) }

func sendTemplate(c *Client) error {
	return c.SendTemplate(context.Background(), bot.TemplateMessage{ToOpenID: openid, TemplateID: "T"})
}

func TestWindowAndFollowerThroughFake(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	e.fake.SetWindow(48 * time.Hour)

	e.fake.Touch(openid, t0.Add(-49*time.Hour))
	if err := sendText(c); !errors.Is(err, bot.ErrOutsideWindow) {
		t.Errorf("stale touch: err = %v, want ErrOutsideWindow", err)
	}
	e.fake.Touch(openid, t0.Add(-time.Hour))
	if err := sendText(c); err != nil {
		t.Errorf("fresh touch: err = %v", err)
	}
	e.fake.SetFollower(openid, false)
	if err := sendText(c); !errors.Is(err, bot.ErrNotFollowing) {
		t.Errorf("unfollowed: err = %v, want ErrNotFollowing", err)
	}
	if got := len(e.fake.Sent()); got != 1 {
		t.Errorf("len(Sent()) = %d, want 1", got)
	}
}

// closedURL returns the address of a server that is no longer listening.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	l.Close()
	return u
}

// slowServer delegates to fake but hangs on paths for which slow is true,
// until the client gives up.
func slowServer(t *testing.T, fake http.Handler, slow func(path string) bool) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slow(r.URL.Path) {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		fake.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		close(release)
		srv.Close()
	})
	return srv
}

func TestUnavailable(t *testing.T) {
	tests := []struct {
		name         string
		base         func(t *testing.T, e *env) string
		wantDeadline bool
	}{
		{"unreachable", func(t *testing.T, _ *env) string { return closedURL(t) }, false},
		{"token endpoint hangs", func(t *testing.T, e *env) string {
			return slowServer(t, e.fake, func(p string) bool { return p == "/cgi-bin/stable_token" }).URL
		}, true},
		{"send hangs", func(t *testing.T, e *env) string {
			return slowServer(t, e.fake, func(p string) bool { return strings.Contains(p, "custom") }).URL
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			base := tt.base(t, e)
			c := e.client(t, func(o *Options) {
				o.APIBase = base
				o.Timeout = 200 * time.Millisecond
			})
			start := time.Now()
			err := sendText(c)
			elapsed := time.Since(start)
			if !errors.Is(err, bot.ErrUnavailable) {
				t.Errorf("err = %v, want ErrUnavailable", err)
			}
			if got := errors.Is(err, context.DeadlineExceeded); got != tt.wantDeadline {
				t.Errorf("errors.Is(err, DeadlineExceeded) = %v, want %v (err %v)", got, tt.wantDeadline, err)
			}
			if elapsed > 2*time.Second {
				t.Errorf("took %v, want about the 200ms timeout", elapsed)
			}
			if len(e.errs.APIs()) == 0 {
				t.Error("OnError not called")
			}
		})
	}
}

func TestCallerContextCancelled(t *testing.T) {
	e := newEnv(t)
	base := slowServer(t, e.fake, func(p string) bool { return strings.Contains(p, "custom") }).URL
	c := e.client(t, func(o *Options) { o.APIBase = base })
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := c.SendText(ctx, openid, text)
	if !errors.Is(err, bot.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want ErrUnavailable and DeadlineExceeded", err)
	}
	if el := time.Since(start); el > time.Second {
		t.Errorf("took %v, want the caller's 100ms", el)
	}
}

func TestErrorsAreRedacted(t *testing.T) {
	tests := []struct {
		name  string
		base  func(t *testing.T, e *env) string
		setup func(t *testing.T, e *env, c *Client) // may fetch a token first
		// inURL: a credential is in the request URL (access_token=), so
		// the error shows it redacted. The stable_token request carries
		// the secret in its body only.
		inURL bool
	}{
		{
			// The token request fails: its body carries the secret.
			name:  "token request unreachable",
			base:  func(t *testing.T, _ *env) string { return closedURL(t) },
			setup: func(*testing.T, *env, *Client) {},
		},
		{
			name: "token request times out",
			base: func(t *testing.T, e *env) string {
				return slowServer(t, e.fake, func(p string) bool { return p == "/cgi-bin/stable_token" }).URL
			},
			setup: func(*testing.T, *env, *Client) {},
		},
		{
			// The send fails with a status: its URL carries access_token=.
			name:  "send answers 502",
			inURL: true,
			base:  func(_ *testing.T, e *env) string { return e.srv.URL },
			setup: func(t *testing.T, e *env, c *Client) {
				if err := sendText(c); err != nil {
					t.Fatal(err)
				}
				e.fake.FailNext(fakewechat.APICustom, 502, 1)
			},
		},
		{
			name:  "send times out",
			inURL: true,
			base: func(t *testing.T, e *env) string {
				return slowServer(t, e.fake, func(p string) bool { return strings.Contains(p, "custom") }).URL
			},
			setup: func(*testing.T, *env, *Client) {},
		},
		{
			name:  "send unreachable with a cached token",
			inURL: true,
			base:  func(t *testing.T, _ *env) string { return closedURL(t) },
			setup: func(t *testing.T, e *env, _ *Client) {
				e.state.Set(context.Background(), TokenKey(testAppID), []byte("CACHED-TOKEN-value-123"), time.Hour)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			base := tt.base(t, e)
			c := e.client(t, func(o *Options) {
				o.APIBase = base
				o.Timeout = 200 * time.Millisecond
			})
			tt.setup(t, e, c)
			err := sendText(c)
			if err == nil {
				t.Fatal("send succeeded, want an error")
			}
			secrets := []string{testSecret, "CACHED-TOKEN-value-123"}
			if v, gerr := e.state.Get(context.Background(), TokenKey(testAppID)); gerr == nil {
				secrets = append(secrets, string(v))
			}
			var all []string
			for _, err := range e.errs.errs {
				all = append(all, err.Error(), fmt.Sprintf("%+v", err))
			}
			all = append(all, err.Error(), fmt.Sprintf("%#v", err), e.logs.String())
			for _, s := range all {
				for _, secret := range secrets {
					if strings.Contains(s, secret) {
						t.Errorf("%q contains the credential %q", s, secret)
					}
				}
			}
			if tt.inURL && !strings.Contains(err.Error(), "REDACTED") {
				t.Errorf("error %q: want the redacted URL in it", err)
			}
			// Nothing in the chain exposes the original *url.Error.
			var ue *url.Error
			if errors.As(err, &ue) {
				t.Errorf("error chain exposes %T", ue)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	r := redactor{secret: "topsecret"}
	tests := []struct{ in, want string }{
		{`Get "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=abc%2Bdef": EOF`,
			`Get "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=REDACTED": EOF`},
		{`http post error : uri=http://x/send?access_token=TOKEN_1.2-3 , statusCode=502`,
			`http post error : uri=http://x/send?access_token=REDACTED , statusCode=502`},
		{`{"access_token":"T0K3N","expires_in":7200}`, `{"access_token":"REDACTED","expires_in":7200}`},
		{`x?appsecret=zzz&a=1`, `x?appsecret=REDACTED&a=1`},
		{`plain topsecret leak`, `plain REDACTED leak`},
		{`nothing here`, `nothing here`},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, r.redact(tt.in)); diff != "" {
			t.Errorf("redact(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestTokenFromAnotherInstance(t *testing.T) {
	// Another instance fetched a token and stored it: it is used as is.
	e := newEnv(t)
	c := e.client(t)
	ctx := context.Background()
	body := strings.NewReader(`{"grant_type":"client_credential","appid":"` + testAppID + `","secret":"` + testSecret + `","force_refresh":false}`)
	resp, err := http.Post(e.srv.URL+"/cgi-bin/stable_token", "application/json", body)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&res)
	resp.Body.Close()
	if err != nil || res.AccessToken == "" {
		t.Fatalf("stable_token: %+v, %v", res, err)
	}
	e.state.Set(ctx, TokenKey(testAppID), []byte(res.AccessToken), time.Hour)
	if err := sendText(c); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.TokenFetches(); got != 1 {
		t.Errorf("TokenFetches() = %d, want 1 (the other instance's)", got)
	}
	// And a client with an empty State asks stable_token, which answers
	// with the same token: the other instance's token stays valid.
	other := newEnv(t)
	other.fake, other.srv = e.fake, e.srv
	c2 := other.client(t)
	if err := sendText(c2); err != nil {
		t.Fatal(err)
	}
	if got := other.cachedToken(t); got != res.AccessToken {
		t.Errorf("second instance's token = %q, want the first's %q", got, res.AccessToken)
	}
	if err := sendText(c); err != nil {
		t.Errorf("first instance after the second fetched: %v", err)
	}
	if got := e.fake.TokensIssued(); got != 1 {
		t.Errorf("TokensIssued() = %d, want 1", got)
	}
}

func TestStateUnavailableRejectedToken(t *testing.T) {
	e := newEnv(t)
	e.state.down.Store(true)
	c := e.client(t)
	if err := sendText(c); err != nil {
		t.Fatal(err)
	}
	e.fake.ExpireTokens()
	if err := sendText(c); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.TokenFetches(); got != 2 {
		t.Errorf("TokenFetches() = %d, want 2", got)
	}
	if !strings.Contains(e.logs.String(), "wechat_token_state_unavailable") {
		t.Errorf("no warning about the unavailable State in the logs:\n%s", e.logs)
	}
	// When the State comes back the shared path is used again.
	e.state.down.Store(false)
	if err := sendText(c); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(e.logs.String(), "wechat_token_state_recovered") {
		t.Errorf("no recovery message in the logs:\n%s", e.logs)
	}
}

func TestSetMenu(t *testing.T) {
	e := newEnv(t)
	c := e.client(t)
	buttons := []MenuButton{
		{Name: "我要建议", Type: "click", Key: "OPINION"},
		{Name: "学习", Sub: []MenuButton{
			{Name: "我的学习", Type: "click", Key: "MY_STUDY"},
			{Name: "周报", Type: "view", URL: "https://minqing.example/digest?a=1&b=2"},
		}},
		{Name: "帮助", Type: "click", Key: "HELP"},
	}
	if err := c.SetMenu(context.Background(), buttons); err != nil {
		t.Fatalf("SetMenu: %v", err)
	}
	want := map[string]any{"button": []any{
		map[string]any{"type": "click", "name": "我要建议", "key": "OPINION"},
		map[string]any{"name": "学习", "sub_button": []any{
			map[string]any{"type": "click", "name": "我的学习", "key": "MY_STUDY"},
			map[string]any{"type": "view", "name": "周报", "url": "https://minqing.example/digest?a=1&b=2"},
		}},
		map[string]any{"type": "click", "name": "帮助", "key": "HELP"},
	}}
	var got any
	if err := json.Unmarshal(e.fake.Menu(), &got); err != nil {
		t.Fatalf("decode recorded menu %s: %v", e.fake.Menu(), err)
	}
	if diff := cmp.Diff(any(want), got); diff != "" {
		t.Errorf("recorded menu mismatch (-want +got):\n%s", diff)
	}
}

func TestSetMenuInvalid(t *testing.T) {
	leaf := MenuButton{Name: "a", Type: "click", Key: "A"}
	tests := []struct {
		name    string
		buttons []MenuButton
	}{
		{"none", nil},
		{"four top-level", []MenuButton{leaf, leaf, leaf, leaf}},
		{"six sub-buttons", []MenuButton{{Name: "m", Sub: []MenuButton{leaf, leaf, leaf, leaf, leaf, leaf}}}},
		{"nested sub-menu", []MenuButton{{Name: "m", Sub: []MenuButton{{Name: "n", Sub: []MenuButton{leaf}}}}}},
		{"unknown type", []MenuButton{{Name: "a", Type: "scancode_push", Key: "A"}}},
		{"click without key", []MenuButton{{Name: "a", Type: "click"}}},
		{"view without url", []MenuButton{{Name: "a", Type: "view"}}},
		{"empty name", []MenuButton{{Type: "click", Key: "A"}}},
		{"top name too long", []MenuButton{{Name: "一二三四五六", Type: "click", Key: "A"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.client(t)
			if err := c.SetMenu(context.Background(), tt.buttons); !errors.Is(err, bot.ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
			if e.fake.Menu() != nil || e.fake.TokenFetches() != 0 {
				t.Error("an invalid menu reached WeChat")
			}
		})
	}
}

func TestClientsShareNothing(t *testing.T) {
	// Two Clients with different bases and timeouts in one process: each
	// call goes to its own Client's base (no process-wide HTTP client or
	// URI modifier, as with the SDK), in any order.
	a, b := newEnv(t), newEnv(t)
	ca := a.client(t)
	cb := b.client(t, func(o *Options) { o.Timeout = 300 * time.Millisecond })
	ctx := context.Background()
	for i, c := range []*Client{ca, cb, ca} {
		if err := c.SetMenu(ctx, []MenuButton{{Name: "帮助", Type: "click", Key: fmt.Sprintf("HELP%d", i)}}); err != nil {
			t.Fatalf("SetMenu %d: %v", i, err)
		}
	}
	if got := string(a.fake.Menu()); !strings.Contains(got, `"HELP2"`) {
		t.Errorf("first fake's menu = %s, want HELP2", got)
	}
	if got := string(b.fake.Menu()); !strings.Contains(got, `"HELP1"`) {
		t.Errorf("second fake's menu = %s, want HELP1", got)
	}
	if a.fake.TokenFetches() != 1 || b.fake.TokenFetches() != 1 {
		t.Errorf("TokenFetches() = %d, %d; want 1, 1", a.fake.TokenFetches(), b.fake.TokenFetches())
	}
	if ca.http == http.DefaultClient || ca.http == cb.http {
		t.Error("Clients share an http.Client")
	}
}

func TestFailedFetchBackoff(t *testing.T) {
	e := newEnv(t)
	var attempts atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/cgi-bin/stable_token" {
			attempts.Add(1)
		}
		e.fake.ServeHTTP(w, r)
	}))
	defer srv.Close()
	c := e.client(t, func(o *Options) { o.APIBase = srv.URL })
	clk := &struct {
		sync.Mutex
		now time.Time
	}{now: t0}
	c.tokens.now = func() time.Time { clk.Lock(); defer clk.Unlock(); return clk.now }

	e.fake.FailNext(fakewechat.APIStableToken, -1, 1)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := sendText(c); !errors.Is(err, bot.ErrUnavailable) {
				t.Errorf("err = %v, want ErrUnavailable", err)
			}
		})
	}
	wg.Wait()
	if got := attempts.Load(); got != 1 {
		t.Errorf("token requests = %d, want 1 (the others answered from the backoff)", got)
	}

	clk.Lock()
	clk.now = clk.now.Add(2 * fetchBackoff)
	clk.Unlock()
	if err := sendText(c); err != nil {
		t.Fatalf("after the backoff: %v", err)
	}
	if got := attempts.Load(); got != 2 {
		t.Errorf("token requests = %d, want 2", got)
	}
}
