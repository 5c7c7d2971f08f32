package fakewechat_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"minqing/handlers/fakewechat"
)

const (
	appID  = "wx0123456789abcdef"
	secret = "0123456789abcdef0123456789abcdef"
)

var t0 = time.Date(2024, 5, 6, 8, 0, 0, 0, time.UTC)

// clock is a settable fake clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type env struct {
	fake  *fakewechat.Server
	srv   *httptest.Server
	clock *clock
}

func newEnv(t *testing.T, o fakewechat.Options) *env {
	t.Helper()
	c := &clock{now: t0}
	o.AppID, o.Secret, o.Now = appID, secret, c.Now
	fake := fakewechat.New(o)
	srv := httptest.NewServer(fake)
	t.Cleanup(srv.Close)
	return &env{fake: fake, srv: srv, clock: c}
}

// answer is the union of the fields WeChat answers with.
type answer struct {
	ErrCode     int             `json:"errcode"`
	ErrMsg      string          `json:"errmsg"`
	AccessToken string          `json:"access_token"`
	ExpiresIn   int64           `json:"expires_in"`
	MsgID       int64           `json:"msgid"`
	Menu        json.RawMessage `json:"menu"`
}

// do calls the fake and decodes a 200 JSON answer.
func (e *env) do(t *testing.T, method, path string, body any) answer {
	t.Helper()
	status, raw := e.raw(t, method, path, body)
	if status != http.StatusOK {
		t.Fatalf("%s %s: status %d: %s", method, path, status, raw)
	}
	var a answer
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatalf("%s %s: decode %q: %v", method, path, raw, err)
	}
	return a
}

func (e *env) raw(t *testing.T, method, path string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, r)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, raw
}

func tokenPath(grant, id, sec string) string {
	return "/cgi-bin/token?" + url.Values{"grant_type": {grant}, "appid": {id}, "secret": {sec}}.Encode()
}

// mustToken fetches a valid token.
func (e *env) mustToken(t *testing.T) string {
	t.Helper()
	a := e.do(t, "GET", tokenPath("client_credential", appID, secret), nil)
	if a.ErrCode != 0 || a.AccessToken == "" {
		t.Fatalf("token: %+v", a)
	}
	return a.AccessToken
}

func textMsg(to, text string) map[string]any {
	return map[string]any{"touser": to, "msgtype": "text", "text": map[string]string{"content": text}}
}

func customPath(tok string) string {
	return "/cgi-bin/message/custom/send?access_token=" + url.QueryEscape(tok)
}

func TestToken(t *testing.T) {
	tests := []struct {
		name             string
		grant, id, sec   string
		wantCode         int
		wantFetchesAfter int
	}{
		{"ok", "client_credential", appID, secret, 0, 1},
		{"bad grant", "password", appID, secret, fakewechat.CodeInvalidGrant, 0},
		{"bad appid", "client_credential", "wxother", secret, fakewechat.CodeInvalidAppID, 0},
		{"bad secret", "client_credential", appID, "nope", fakewechat.CodeInvalidSecret, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fakewechat.Options{})
			a := e.do(t, "GET", tokenPath(tt.grant, tt.id, tt.sec), nil)
			if a.ErrCode != tt.wantCode {
				t.Errorf("errcode = %d (%s), want %d", a.ErrCode, a.ErrMsg, tt.wantCode)
			}
			if tt.wantCode == 0 && (a.AccessToken == "" || a.ExpiresIn != 7200) {
				t.Errorf("answer = %+v, want a token expiring in 7200 s", a)
			}
			if got := e.fake.TokenFetches(); got != tt.wantFetchesAfter {
				t.Errorf("TokenFetches() = %d, want %d", got, tt.wantFetchesAfter)
			}
		})
	}
}

func TestStableToken(t *testing.T) {
	e := newEnv(t, fakewechat.Options{TokenTTL: time.Hour})
	req := map[string]any{"grant_type": "client_credential", "appid": appID, "secret": secret}
	first := e.do(t, "POST", "/cgi-bin/stable_token", req)
	second := e.do(t, "POST", "/cgi-bin/stable_token", req)
	if first.AccessToken == "" || first.AccessToken != second.AccessToken {
		t.Errorf("stable tokens %q, %q: want the same non-empty token", first.AccessToken, second.AccessToken)
	}
	if f, i := e.fake.TokenFetches(), e.fake.TokensIssued(); f != 2 || i != 1 {
		t.Errorf("TokenFetches, TokensIssued = %d, %d; want 2, 1", f, i)
	}
	req["force_refresh"] = true
	forced := e.do(t, "POST", "/cgi-bin/stable_token", req)
	if forced.AccessToken == "" || forced.AccessToken == first.AccessToken {
		t.Errorf("force_refresh gave %q, want a new token", forced.AccessToken)
	}
	if f, i := e.fake.TokenFetches(), e.fake.TokensIssued(); f != 3 || i != 2 {
		t.Errorf("after force_refresh: TokenFetches, TokensIssued = %d, %d; want 3, 2", f, i)
	}
	req["secret"] = "nope"
	if a := e.do(t, "POST", "/cgi-bin/stable_token", req); a.ErrCode != fakewechat.CodeInvalidSecret {
		t.Errorf("bad secret: errcode %d, want %d", a.ErrCode, fakewechat.CodeInvalidSecret)
	}
}

func TestAccessTokenChecks(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(t *testing.T, e *env, tok string) string // returns the token to use
		wantCode int
	}{
		{"valid", func(_ *testing.T, _ *env, tok string) string { return tok }, 0},
		{"missing", func(*testing.T, *env, string) string { return "" }, fakewechat.CodeTokenMissing},
		{"unknown", func(*testing.T, *env, string) string { return "FAKE_nope" }, fakewechat.CodeInvalidToken},
		{"expired by time", func(t *testing.T, e *env, tok string) string {
			e.clock.Advance(7200 * time.Second)
			return tok
		}, fakewechat.CodeTokenExpired},
		{"ExpireTokens", func(t *testing.T, e *env, tok string) string {
			e.fake.ExpireTokens()
			return tok
		}, fakewechat.CodeInvalidToken},
		{"old token within grace", func(t *testing.T, e *env, tok string) string {
			e.mustToken(t)
			e.clock.Advance(4 * time.Minute)
			return tok
		}, 0},
		{"old token after grace", func(t *testing.T, e *env, tok string) string {
			e.mustToken(t)
			e.clock.Advance(6 * time.Minute)
			return tok
		}, fakewechat.CodeTokenExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fakewechat.Options{})
			tok := tt.setup(t, e, e.mustToken(t))
			a := e.do(t, "POST", customPath(tok), textMsg("o1", "hi"))
			if a.ErrCode != tt.wantCode {
				t.Errorf("errcode = %d (%s), want %d", a.ErrCode, a.ErrMsg, tt.wantCode)
			}
			wantSent := 0
			if tt.wantCode == 0 {
				wantSent = 1
			}
			if got := len(e.fake.Sent()); got != wantSent {
				t.Errorf("len(Sent()) = %d, want %d", got, wantSent)
			}
		})
	}
}

func TestSendRecords(t *testing.T) {
	e := newEnv(t, fakewechat.Options{})
	tok := e.mustToken(t)
	e.do(t, "POST", customPath(tok), textMsg("o1", "你好 <b>&"))
	a := e.do(t, "POST", "/cgi-bin/message/template/send?access_token="+tok, map[string]any{
		"touser": "o2", "template_id": "TPL", "url": "https://example.com/d?a=1&b=2",
		"data": map[string]any{"thing1": map[string]string{"value": "周报"}},
	})
	if a.ErrCode != 0 || a.MsgID == 0 {
		t.Fatalf("template answer %+v", a)
	}
	e.do(t, "POST", customPath(tok), textMsg("o1", "second"))

	want := []fakewechat.Sent{
		{Seq: 1, API: "custom", ToUser: "o1", Text: "你好 <b>&", At: t0},
		{Seq: 2, API: "template", ToUser: "o2", TemplateID: "TPL", URL: "https://example.com/d?a=1&b=2", Data: map[string]string{"thing1": "周报"}, At: t0},
		{Seq: 3, API: "custom", ToUser: "o1", Text: "second", At: t0},
	}
	if diff := cmp.Diff(want, e.fake.Sent()); diff != "" {
		t.Errorf("Sent() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]fakewechat.Sent{want[2]}, e.fake.SentTo("o1", 1)); diff != "" {
		t.Errorf("SentTo(o1, 1) mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]fakewechat.Sent{}, e.fake.SentTo("o2", 2)); diff != "" {
		t.Errorf("SentTo(o2, 2) mismatch (-want +got):\n%s", diff)
	}
}

func TestSendValidation(t *testing.T) {
	e := newEnv(t, fakewechat.Options{})
	tok := e.mustToken(t)
	tests := []struct {
		name     string
		path     string
		body     any
		wantCode int
	}{
		{"custom no touser", customPath(tok), textMsg("", "x"), fakewechat.CodeInvalidOpenID},
		{"custom image", customPath(tok), map[string]any{"touser": "o1", "msgtype": "image"}, fakewechat.CodeInvalidMsgType},
		{"custom not json", customPath(tok), "nope", fakewechat.CodeDataFormat},
		{"template no id", "/cgi-bin/message/template/send?access_token=" + tok, map[string]any{"touser": "o1"}, fakewechat.CodeInvalidTemplate},
		{"menu empty", "/cgi-bin/menu/create?access_token=" + tok, map[string]any{"button": []any{}}, fakewechat.CodeInvalidButton},
		{"menu get none", "/cgi-bin/menu/get?access_token=" + tok, nil, fakewechat.CodeMenuNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := "POST"
			if tt.body == nil {
				method = "GET"
			}
			if a := e.do(t, method, tt.path, tt.body); a.ErrCode != tt.wantCode {
				t.Errorf("errcode = %d (%s), want %d", a.ErrCode, a.ErrMsg, tt.wantCode)
			}
		})
	}
	if n := len(e.fake.Sent()); n != 0 {
		t.Errorf("len(Sent()) = %d, want 0", n)
	}
}

func TestFailNext(t *testing.T) {
	e := newEnv(t, fakewechat.Options{})
	tok := e.mustToken(t)
	e.fake.FailNext(fakewechat.APICustom, fakewechat.CodeOutsideWindow, 2)
	var got []int
	for range 3 {
		got = append(got, e.do(t, "POST", customPath(tok), textMsg("o1", "x")).ErrCode)
	}
	if diff := cmp.Diff([]int{45015, 45015, 0}, got); diff != "" {
		t.Errorf("errcodes mismatch (-want +got):\n%s", diff)
	}

	e.fake.FailNext(fakewechat.APIToken, 502, 1)
	if status, _ := e.raw(t, "GET", tokenPath("client_credential", appID, secret), nil); status != http.StatusBadGateway {
		t.Errorf("status = %d, want 502", status)
	}
	e.mustToken(t)
}

func TestWindowAndFollowers(t *testing.T) {
	tests := []struct {
		name     string
		setup    func(f *fakewechat.Server)
		wantCode int
	}{
		{"no window set", func(*fakewechat.Server) {}, 0},
		{"never touched", func(f *fakewechat.Server) { f.SetWindow(48 * time.Hour) }, fakewechat.CodeOutsideWindow},
		{"touched recently", func(f *fakewechat.Server) {
			f.SetWindow(48 * time.Hour)
			f.Touch("o1", t0.Add(-47*time.Hour))
		}, 0},
		{"touched too long ago", func(f *fakewechat.Server) {
			f.SetWindow(48 * time.Hour)
			f.Touch("o1", t0.Add(-49*time.Hour))
		}, fakewechat.CodeOutsideWindow},
		{"other user touched", func(f *fakewechat.Server) {
			f.SetWindow(48 * time.Hour)
			f.Touch("o2", t0)
		}, fakewechat.CodeOutsideWindow},
		{"window disabled again", func(f *fakewechat.Server) {
			f.SetWindow(48 * time.Hour)
			f.SetWindow(0)
		}, 0},
		{"not following", func(f *fakewechat.Server) { f.SetFollower("o1", false) }, fakewechat.CodeNotFollowing},
		{"follows again", func(f *fakewechat.Server) {
			f.SetFollower("o1", false)
			f.SetFollower("o1", true)
		}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, fakewechat.Options{})
			tt.setup(e.fake)
			a := e.do(t, "POST", customPath(e.mustToken(t)), textMsg("o1", "x"))
			if a.ErrCode != tt.wantCode {
				t.Errorf("errcode = %d (%s), want %d", a.ErrCode, a.ErrMsg, tt.wantCode)
			}
		})
	}

	t.Run("window passes with the clock", func(t *testing.T) {
		e := newEnv(t, fakewechat.Options{})
		e.fake.SetWindow(time.Hour)
		e.fake.Touch("o1", t0)
		tok := e.mustToken(t)
		if a := e.do(t, "POST", customPath(tok), textMsg("o1", "x")); a.ErrCode != 0 {
			t.Fatalf("errcode = %d, want 0", a.ErrCode)
		}
		e.clock.Advance(61 * time.Minute)
		if a := e.do(t, "POST", customPath(tok), textMsg("o1", "x")); a.ErrCode != fakewechat.CodeOutsideWindow {
			t.Errorf("errcode = %d, want 45015", a.ErrCode)
		}
	})

	t.Run("templates ignore the window but not following", func(t *testing.T) {
		e := newEnv(t, fakewechat.Options{})
		e.fake.SetWindow(time.Hour)
		tok := e.mustToken(t)
		path := "/cgi-bin/message/template/send?access_token=" + tok
		if a := e.do(t, "POST", path, map[string]any{"touser": "o1", "template_id": "T"}); a.ErrCode != 0 {
			t.Errorf("errcode = %d, want 0", a.ErrCode)
		}
		e.fake.SetFollower("o1", false)
		if a := e.do(t, "POST", path, map[string]any{"touser": "o1", "template_id": "T"}); a.ErrCode != fakewechat.CodeNotFollowing {
			t.Errorf("errcode = %d, want 43004", a.ErrCode)
		}
	})
}

func TestBoundedSent(t *testing.T) {
	e := newEnv(t, fakewechat.Options{MaxSent: 3})
	tok := e.mustToken(t)
	for _, text := range []string{"a", "b", "c", "d", "e"} {
		e.do(t, "POST", customPath(tok), textMsg("o1", text))
	}
	var got []string
	for _, m := range e.fake.Sent() {
		got = append(got, m.Text)
	}
	if diff := cmp.Diff([]string{"c", "d", "e"}, got); diff != "" {
		t.Errorf("kept texts mismatch (-want +got):\n%s", diff)
	}
	if s := e.fake.Sent(); s[len(s)-1].Seq != 5 {
		t.Errorf("last Seq = %d, want 5", s[len(s)-1].Seq)
	}
}

func TestMenu(t *testing.T) {
	e := newEnv(t, fakewechat.Options{})
	tok := e.mustToken(t)
	menu := map[string]any{"button": []any{map[string]any{"type": "click", "name": "帮助", "key": "HELP"}}}
	if a := e.do(t, "POST", "/cgi-bin/menu/create?access_token="+tok, menu); a.ErrCode != 0 {
		t.Fatalf("menu create errcode %d", a.ErrCode)
	}
	const want = `{"button":[{"key":"HELP","name":"帮助","type":"click"}]}`
	if diff := cmp.Diff(want, string(e.fake.Menu())); diff != "" {
		t.Errorf("Menu() mismatch (-want +got):\n%s", diff)
	}
	a := e.do(t, "GET", "/cgi-bin/menu/get?access_token="+tok, nil)
	if diff := cmp.Diff(want, string(a.Menu)); diff != "" {
		t.Errorf("menu/get mismatch (-want +got):\n%s", diff)
	}
	_, raw := e.raw(t, "GET", "/_fake/menu", nil)
	if diff := cmp.Diff(want, strings.TrimSpace(string(raw))); diff != "" {
		t.Errorf("/_fake/menu mismatch (-want +got):\n%s", diff)
	}
}

func (e *env) inspect(t *testing.T, ctx context.Context, query string) (fakewechat.SentPage, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", e.srv.URL+"/_fake/sent?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fakewechat.SentPage{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fakewechat.SentPage{}, errors.New(resp.Status + ": " + string(b))
	}
	var p fakewechat.SentPage
	err = json.NewDecoder(resp.Body).Decode(&p)
	return p, err
}

func TestInspectSent(t *testing.T) {
	e := newEnv(t, fakewechat.Options{})
	tok := e.mustToken(t)
	e.do(t, "POST", customPath(tok), textMsg("o1", "one"))
	e.do(t, "POST", customPath(tok), textMsg("o2", "two"))
	e.do(t, "POST", customPath(tok), textMsg("o1", "three"))

	tests := []struct {
		query     string
		wantTexts []string
	}{
		{"", []string{"one", "two", "three"}},
		{"touser=o1", []string{"one", "three"}},
		{"touser=o1&after=1", []string{"three"}},
		{"touser=o2&after=2", nil},
		{"touser=o3&wait=0", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p, err := e.inspect(t, context.Background(), tt.query)
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, m := range p.Messages {
				texts = append(texts, m.Text)
			}
			if diff := cmp.Diff(tt.wantTexts, texts); diff != "" {
				t.Errorf("texts mismatch (-want +got):\n%s", diff)
			}
			if p.LastSeq != 3 {
				t.Errorf("last_seq = %d, want 3", p.LastSeq)
			}
		})
	}

	for _, q := range []string{"after=x", "wait=soon", "after=-1"} {
		if _, err := e.inspect(t, context.Background(), q); err == nil || !strings.Contains(err.Error(), "400") {
			t.Errorf("%s: err = %v, want 400", q, err)
		}
	}
}

func TestInspectLongPoll(t *testing.T) {
	t.Run("wakes on a message for the user", func(t *testing.T) {
		e := newEnv(t, fakewechat.Options{})
		tok := e.mustToken(t)
		type result struct {
			page fakewechat.SentPage
			err  error
		}
		done := make(chan result, 1)
		start := time.Now()
		go func() {
			p, err := e.inspect(t, context.Background(), "touser=o1&after=0&wait=10s")
			done <- result{p, err}
		}()
		time.Sleep(50 * time.Millisecond)
		e.do(t, "POST", customPath(tok), textMsg("o2", "not for o1"))
		time.Sleep(50 * time.Millisecond)
		e.do(t, "POST", customPath(tok), textMsg("o1", "for o1"))
		r := <-done
		if r.err != nil {
			t.Fatal(r.err)
		}
		if len(r.page.Messages) != 1 || r.page.Messages[0].Text != "for o1" || r.page.LastSeq != 2 {
			t.Errorf("page = %+v, want the one message for o1, last_seq 2", r.page)
		}
		if el := time.Since(start); el > 5*time.Second {
			t.Errorf("long poll took %v, want it to end when the message arrived", el)
		}
	})

	t.Run("wait passes", func(t *testing.T) {
		e := newEnv(t, fakewechat.Options{})
		start := time.Now()
		p, err := e.inspect(t, context.Background(), "touser=o1&wait=200ms")
		if err != nil {
			t.Fatal(err)
		}
		if el := time.Since(start); el < 150*time.Millisecond {
			t.Errorf("answered after %v, want it to wait about 200ms", el)
		}
		if len(p.Messages) != 0 || p.LastSeq != 0 {
			t.Errorf("page = %+v, want empty", p)
		}
	})

	t.Run("ends with the request context", func(t *testing.T) {
		c := &clock{now: t0}
		fake := fakewechat.New(fakewechat.Options{AppID: appID, Secret: secret, Now: c.Now})
		handlerDone := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			fake.ServeHTTP(w, r)
			close(handlerDone)
		}))
		defer srv.Close()
		e := &env{fake: fake, srv: srv, clock: c}

		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		if _, err := e.inspect(t, ctx, "touser=o1&wait=30s"); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want deadline exceeded", err)
		}
		select {
		case <-handlerDone:
		case <-time.After(5 * time.Second):
			t.Error("handler still running 5s after the client went away")
		}
	})
}

func TestConcurrentUse(t *testing.T) {
	e := newEnv(t, fakewechat.Options{MaxSent: 50})
	tok := e.mustToken(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			for range 10 {
				body, _ := json.Marshal(textMsg("o1", "x"))
				resp, err := http.Post(e.srv.URL+customPath(tok), "application/json", bytes.NewReader(body))
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				e.fake.Touch("o1", t0)
				_ = e.fake.SentTo("o1", int64(i))
			}
		})
	}
	wg.Wait()
	sent := e.fake.Sent()
	if len(sent) != 50 || sent[len(sent)-1].Seq != 200 {
		t.Errorf("kept %d messages, last seq %d; want 50 and 200", len(sent), sent[len(sent)-1].Seq)
	}
	for i := 1; i < len(sent); i++ {
		if sent[i].Seq != sent[i-1].Seq+1 {
			t.Fatalf("sequence gap at %d: %d after %d", i, sent[i].Seq, sent[i-1].Seq)
		}
	}
}
