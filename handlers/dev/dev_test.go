package dev_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"minqing/bot"
	"minqing/bot/chat"
	"minqing/handlers/dev"
	"minqing/handlers/fakewechat"
	"minqing/handlers/wechat"
)

// The dev-mode account: the only one the simulator signs for.
const (
	token  = dev.Token
	aesKey = dev.AESKey
	appID  = "wxb11529c136998cb6"
	secret = "dev-test-secret"
)

// webhook is a stub of minqing's POST /wechat: it checks the request as
// the real webhook does, records the message and answers a fixed reply.
type webhook struct {
	t      *testing.T
	crypto *wechat.Crypto // nil: plain mode
	srv    *httptest.Server

	mu   sync.Mutex
	got  []wechat.Message
	errs []string
}

func newWebhook(t *testing.T, aes bool) *webhook {
	t.Helper()
	w := &webhook{t: t}
	if aes {
		c, err := wechat.NewCrypto(aesKey, appID)
		if err != nil {
			t.Fatal(err)
		}
		w.crypto = c
	}
	w.srv = httptest.NewServer(http.HandlerFunc(w.serve))
	t.Cleanup(w.srv.Close)
	return w
}

func (w *webhook) fail(rw http.ResponseWriter, format string, args ...any) {
	w.mu.Lock()
	w.errs = append(w.errs, fmt.Sprintf(format, args...))
	w.mu.Unlock()
	http.Error(rw, "bad request", http.StatusForbidden)
}

func (w *webhook) serve(rw http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ts, nonce := q.Get("timestamp"), q.Get("nonce")
	if r.Method != http.MethodPost || !wechat.VerifySignature(q.Get("signature"), token, ts, nonce) {
		w.fail(rw, "bad method or signature")
		return
	}
	body, _ := io.ReadAll(r.Body)
	inner := body
	if w.crypto != nil {
		if q.Get("encrypt_type") != "aes" {
			w.fail(rw, "encrypt_type = %q", q.Get("encrypt_type"))
			return
		}
		env, err := wechat.ParseEnvelope(body)
		if err != nil || !wechat.VerifySignature(q.Get("msg_signature"), token, ts, nonce, env.Encrypt) {
			w.fail(rw, "bad envelope or msg_signature: %v", err)
			return
		}
		if inner, err = w.crypto.Decrypt(env.Encrypt); err != nil {
			w.fail(rw, "decrypt: %v", err)
			return
		}
	} else if q.Get("encrypt_type") != "" {
		w.fail(rw, "encrypt_type in plain mode")
		return
	}
	m, err := wechat.ParseMessage(inner)
	if err != nil {
		w.fail(rw, "parse: %v", err)
		return
	}
	if q.Get("openid") != m.FromUserName {
		w.fail(rw, "openid %q != FromUserName %q", q.Get("openid"), m.FromUserName)
		return
	}
	w.mu.Lock()
	w.got = append(w.got, m)
	w.mu.Unlock()

	var text string
	switch {
	case m.Content == "沉默":
		rw.Write([]byte("success"))
		return
	case m.Content == "拒绝":
		http.Error(rw, "no", http.StatusForbidden)
		return
	case m.MsgType == "text":
		text = "收到文字：" + m.Content
	case m.MsgType == "voice":
		text = "收到语音：" + m.Recognition
	case m.MsgType == "event":
		text = "收到事件：" + m.Event + " " + m.EventKey
	}
	reply := wechat.TextReply(m.FromUserName, m.ToUserName, time.Now().Unix(), text)
	if w.crypto != nil {
		var err error
		reply, err = wechat.EncryptedReply(w.crypto, token, reply, time.Now().Unix(), nonce)
		if err != nil {
			w.fail(rw, "encrypt reply: %v", err)
			return
		}
	}
	rw.Header().Set("Content-Type", "application/xml")
	rw.Write(reply)
}

// messages returns what the webhook received, and fails the test on any
// request it refused.
func (w *webhook) messages() []wechat.Message {
	w.t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, e := range w.errs {
		w.t.Errorf("webhook refused a request: %s", e)
	}
	w.errs = nil
	return append([]wechat.Message(nil), w.got...)
}

// sim is the simulator's API in front of a stub webhook and a fake WeChat
// API.
type sim struct {
	hook *webhook
	fake *fakewechat.Server
	api  *httptest.Server // the fake WeChat API, to push through
	srv  *httptest.Server // the simulator
	logs *bytes.Buffer
	h    http.Handler
}

func newSim(t *testing.T, aes bool) *sim {
	t.Helper()
	s := &sim{hook: newWebhook(t, aes), logs: &bytes.Buffer{}}
	s.fake = fakewechat.New(fakewechat.Options{AppID: appID, Secret: secret})
	s.api = httptest.NewServer(s.fake)
	t.Cleanup(s.api.Close)
	o := dev.Options{
		WebhookURL: s.hook.srv.URL + "/wechat", Token: token, AppID: appID,
		Fake: s.fake, Menu: chat.DefaultMenu(),
		Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: s.logs}, nil)),
	}
	if aes {
		o.AESKey = aesKey
	}
	h, err := dev.NewHandler(o)
	if err != nil {
		t.Fatal(err)
	}
	s.h = h
	s.srv = httptest.NewServer(h)
	t.Cleanup(s.srv.Close)
	return s
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// answer is a decoded JSON answer of the simulator.
type answer struct {
	Status int
	Body   map[string]any
	Header http.Header
}

func (s *sim) do(t *testing.T, method, path, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	a := answer{Status: res.StatusCode, Header: res.Header}
	if err := json.Unmarshal(b, &a.Body); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v\n%s", method, path, err, b)
	}
	return a
}

// push makes the fake WeChat API record a customer-service message to
// openid, as the service does.
func (s *sim) push(t *testing.T, openid, text string) {
	t.Helper()
	res, err := http.Get(s.api.URL + "/cgi-bin/token?grant_type=client_credential&appid=" + appID + "&secret=" + secret)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	body, _ := json.Marshal(map[string]any{"touser": openid, "msgtype": "text", "text": map[string]string{"content": text}})
	res, err = http.Post(s.api.URL+"/cgi-bin/message/custom/send?access_token="+tok.AccessToken, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	var ans struct {
		ErrCode int `json:"errcode"`
	}
	json.NewDecoder(res.Body).Decode(&ans)
	res.Body.Close()
	if ans.ErrCode != 0 {
		t.Fatalf("push to %s: errcode %d", openid, ans.ErrCode)
	}
}

var modes = []struct {
	name string
	aes  bool
}{{"plain", false}, {"aes", true}}

func TestSend(t *testing.T) {
	type sent struct {
		From, MsgType, Content, Recognition, Event, EventKey string
	}
	tests := []struct {
		name      string
		body      string
		want      map[string]any
		wantSent  sent
		wantEmpty bool
	}{
		{
			name:     "text as a persona",
			body:     `{"persona":"parent","text":"建议：食堂饭菜太咸了\n希望少放点盐"}`,
			want:     map[string]any{"reply": "收到文字：建议：食堂饭菜太咸了\n希望少放点盐", "empty": false, "status": 200.0},
			wantSent: sent{From: "dev-parent-0001", MsgType: "text", Content: "建议：食堂饭菜太咸了\n希望少放点盐"},
		},
		{
			name:     "text as an openid",
			body:     `{"openid":"oSomeone_1","text":"帮助"}`,
			want:     map[string]any{"reply": "收到文字：帮助", "empty": false, "status": 200.0},
			wantSent: sent{From: "oSomeone_1", MsgType: "text", Content: "帮助"},
		},
		{
			name:     "voice",
			body:     `{"persona":"teacher","voice":"学习两小时"}`,
			want:     map[string]any{"reply": "收到语音：学习两小时", "empty": false, "status": 200.0},
			wantSent: sent{From: "dev-teacher-0001", MsgType: "voice", Recognition: "学习两小时"},
		},
		{
			name:     "menu click",
			body:     `{"persona":"leader","event":"CLICK","key":"OPINION"}`,
			want:     map[string]any{"reply": "收到事件：CLICK OPINION", "empty": false, "status": 200.0},
			wantSent: sent{From: "dev-leader-0001", MsgType: "event", Event: "CLICK", EventKey: "OPINION"},
		},
		{
			name:     "subscribe",
			body:     `{"persona":"admin","event":"subscribe"}`,
			want:     map[string]any{"reply": "收到事件：subscribe ", "empty": false, "status": 200.0},
			wantSent: sent{From: "dev-admin-0001", MsgType: "event", Event: "subscribe"},
		},
		{
			name:     "unsubscribe",
			body:     `{"persona":"admin","event":"unsubscribe"}`,
			want:     map[string]any{"reply": "收到事件：unsubscribe ", "empty": false, "status": 200.0},
			wantSent: sent{From: "dev-admin-0001", MsgType: "event", Event: "unsubscribe"},
		},
		{
			name:     "no passive reply",
			body:     `{"persona":"parent","text":"沉默"}`,
			want:     map[string]any{"reply": "", "empty": true, "status": 200.0},
			wantSent: sent{From: "dev-parent-0001", MsgType: "text", Content: "沉默"},
		},
	}
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					s := newSim(t, mode.aes)
					got := s.do(t, "POST", "/dev/api/send", tt.body)
					if got.Status != http.StatusOK {
						t.Fatalf("status %d: %v", got.Status, got.Body)
					}
					if diff := cmp.Diff(tt.want, got.Body); diff != "" {
						t.Errorf("answer mismatch (-want +got):\n%s", diff)
					}
					msgs := s.hook.messages()
					if len(msgs) != 1 {
						t.Fatalf("webhook got %d messages, want 1", len(msgs))
					}
					m := msgs[0]
					gotSent := sent{m.FromUserName, m.MsgType, m.Content, m.Recognition, m.Event, m.EventKey}
					if diff := cmp.Diff(tt.wantSent, gotSent); diff != "" {
						t.Errorf("message mismatch (-want +got):\n%s", diff)
					}
					if m.MsgType != "event" && m.MsgId == 0 {
						t.Error("a message without a MsgId")
					}
					if d := time.Since(time.Unix(m.CreateTime, 0)); d > time.Minute || d < -time.Minute {
						t.Errorf("CreateTime is %v away from now", d)
					}
				})
			}
		})
	}
}

// TestSendIDs checks that messages get distinct MsgIds and events distinct
// CreateTimes (WeChat's dedup keys), even when sent in a burst.
func TestSendIDs(t *testing.T) {
	s := newSim(t, false)
	for range 5 {
		s.do(t, "POST", "/dev/api/send", `{"persona":"parent","text":"你好"}`)
		s.do(t, "POST", "/dev/api/send", `{"persona":"parent","event":"CLICK","key":"HELP"}`)
	}
	ids, times := map[int64]bool{}, map[int64]bool{}
	for _, m := range s.hook.messages() {
		if m.MsgType == "event" {
			if times[m.CreateTime] {
				t.Errorf("two events with CreateTime %d", m.CreateTime)
			}
			times[m.CreateTime] = true
			continue
		}
		if ids[m.MsgId] {
			t.Errorf("two messages with MsgId %d", m.MsgId)
		}
		ids[m.MsgId] = true
	}
	if len(ids) != 5 || len(times) != 5 {
		t.Errorf("%d distinct MsgIds and %d distinct event times, want 5 and 5", len(ids), len(times))
	}
}

func TestSendValidation(t *testing.T) {
	tests := []struct {
		name, body, wantErr string
	}{
		{"not JSON", `{"persona":`, "JSON"},
		{"unknown field", `{"persona":"parent","txt":"hi"}`, "JSON"},
		{"no user", `{"text":"hi"}`, "请指定身份"},
		{"unknown persona", `{"persona":"janitor","text":"hi"}`, "没有这个身份"},
		{"persona and openid", `{"persona":"parent","openid":"o1","text":"hi"}`, "只能指定一个"},
		{"bad openid", `{"openid":"o 1<script>","text":"hi"}`, "openid 格式不正确"},
		{"nothing to send", `{"persona":"parent"}`, "text、voice 或 event"},
		{"two things to send", `{"persona":"parent","text":"a","voice":"b"}`, "text、voice 或 event"},
		{"empty text", `{"persona":"parent","text":""}`, "不能为空"},
		{"blank text", `{"persona":"parent","text":"  \n "}`, "不能为空"},
		{"empty voice", `{"persona":"parent","voice":""}`, "不能为空"},
		{"text too long", `{"persona":"parent","text":"` + strings.Repeat("长", dev.MaxText+1) + `"}`, "太长"},
		{"unknown event", `{"persona":"parent","event":"VIEW","key":"x"}`, "不支持的事件"},
		{"click without key", `{"persona":"parent","event":"CLICK"}`, "需要 key"},
		{"key without event", `{"persona":"parent","text":"hi","key":"x"}`, "key 只用于事件"},
		{"key too long", `{"persona":"parent","event":"CLICK","key":"` + strings.Repeat("k", 200) + `"}`, "key 太长"},
	}
	s := newSim(t, false)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := s.do(t, "POST", "/dev/api/send", tt.body)
			if got.Status != http.StatusBadRequest {
				t.Errorf("status %d, want 400", got.Status)
			}
			if msg, _ := got.Body["error"].(string); !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error %q does not contain %q", msg, tt.wantErr)
			}
		})
	}
	// A text of exactly the limit is fine.
	if got := s.do(t, "POST", "/dev/api/send", `{"persona":"parent","text":"`+strings.Repeat("长", dev.MaxText)+`"}`); got.Status != http.StatusOK {
		t.Errorf("text of %d characters: status %d %v", dev.MaxText, got.Status, got.Body)
	}
	if n := len(s.hook.messages()); n != 1 {
		t.Errorf("webhook got %d messages, want only the valid one", n)
	}
	res, err := http.Get(s.srv.URL + "/dev/api/send")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /dev/api/send: status %d, want 405", res.StatusCode)
	}
}

// TestSendCrossSite: another site in the same browser cannot post as a
// persona.
func TestSendCrossSite(t *testing.T) {
	s := newSim(t, false)
	post := func(ctype string, hdr ...string) int {
		req, _ := http.NewRequest("POST", s.srv.URL+"/dev/api/send", strings.NewReader(`{"persona":"parent","text":"hi"}`))
		req.Header.Set("Content-Type", ctype)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	for _, tt := range []struct {
		name  string
		ctype string
		hdr   []string
		want  int
	}{
		{"same origin", "application/json", []string{"Sec-Fetch-Site", "same-origin"}, http.StatusOK},
		{"cross site", "application/json", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
		{"other origin", "application/json", []string{"Origin", "http://evil.example"}, http.StatusForbidden},
		{"form", "text/plain", nil, http.StatusUnsupportedMediaType},
	} {
		if got := post(tt.ctype, tt.hdr...); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}
	if n := len(s.hook.messages()); n != 1 {
		t.Errorf("webhook got %d messages, want 1", n)
	}
}

// TestSendWebhookFailures: a refused message and an unreachable webhook are
// reported to the page, and the log says neither openid nor text.
func TestSendWebhookFailures(t *testing.T) {
	s := newSim(t, true)
	got := s.do(t, "POST", "/dev/api/send", `{"persona":"parent","text":"拒绝"}`)
	if got.Status != http.StatusBadGateway || got.Body["status"] != 403.0 {
		t.Errorf("refused: %d %v", got.Status, got.Body)
	}
	s.hook.srv.Close()
	got = s.do(t, "POST", "/dev/api/send", `{"persona":"parent","text":"秘密的意见"}`)
	if msg, _ := got.Body["error"].(string); got.Status != http.StatusBadGateway || !strings.Contains(msg, "失败") {
		t.Errorf("webhook down: %d %v", got.Status, got.Body)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "dev_send_failed") {
		t.Errorf("no dev_send_failed in the log:\n%s", logs)
	}
	for _, secret := range []string{"dev-parent-0001", "秘密", "openid"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %q:\n%s", secret, logs)
		}
	}
}

// TestSendTouches: writing opens WeChat's customer-service window.
func TestSendTouches(t *testing.T) {
	s := newSim(t, false)
	s.fake.SetWindow(48 * time.Hour)
	s.do(t, "POST", "/dev/api/send", `{"persona":"parent","text":"你好"}`)
	s.push(t, "dev-parent-0001", "在窗口内") // fails the test with 45015 if not touched
}

func TestPushed(t *testing.T) {
	s := newSim(t, false)
	s.push(t, "dev-parent-0001", "第一条\n两行")
	s.push(t, "dev-teacher-0001", "给老师")
	s.push(t, "dev-parent-0001", "第二条")

	type msg struct {
		Seq    float64
		OpenID string
		Text   string
	}
	page := func(t *testing.T, query string) (int, []msg, float64) {
		t.Helper()
		a := s.do(t, "GET", "/dev/api/pushed?"+query, "")
		var out []msg
		list, _ := a.Body["messages"].([]any)
		for _, m := range list {
			m := m.(map[string]any)
			if _, err := time.Parse(time.RFC3339Nano, m["at"].(string)); err != nil {
				t.Errorf("at: %v", err)
			}
			out = append(out, msg{m["seq"].(float64), m["openid"].(string), m["text"].(string)})
		}
		last, _ := a.Body["last_seq"].(float64)
		return a.Status, out, last
	}
	tests := []struct {
		name     string
		query    string
		want     []msg
		wantLast float64
	}{
		{"one openid", "openid=dev-parent-0001", []msg{{1, "dev-parent-0001", "第一条\n两行"}, {3, "dev-parent-0001", "第二条"}}, 3},
		{"a persona", "persona=teacher", []msg{{2, "dev-teacher-0001", "给老师"}}, 3},
		{"after", "persona=parent&after=1", []msg{{3, "dev-parent-0001", "第二条"}}, 3},
		{"several", "persona=parent&persona=teacher&after=1", []msg{{2, "dev-teacher-0001", "给老师"}, {3, "dev-parent-0001", "第二条"}}, 3},
		{"nothing new", "persona=parent&after=3", nil, 3},
		{"nobody's", "persona=leader", nil, 3},
		// A cursor beyond the fake's numbers (the service restarted) is
		// answered at once, even with a wait.
		{"restarted", "persona=parent&after=99&wait=10s", nil, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, got, last := page(t, tt.query)
			if status != http.StatusOK {
				t.Fatalf("status %d", status)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("messages mismatch (-want +got):\n%s", diff)
			}
			if last != tt.wantLast {
				t.Errorf("last_seq = %v, want %v", last, tt.wantLast)
			}
		})
	}

	for _, q := range []string{"", "persona=janitor", "openid=a%20b", "persona=parent&after=-1", "persona=parent&after=x", "persona=parent&wait=soon"} {
		if a := s.do(t, "GET", "/dev/api/pushed?"+q, ""); a.Status != http.StatusBadRequest || a.Body["error"] == nil {
			t.Errorf("%q: %d %v, want 400 with an error", q, a.Status, a.Body)
		}
	}
}

// TestPushedLongPoll: a waiting poll ends as soon as a message for one of
// its users arrives, and not for anyone else's.
func TestPushedLongPoll(t *testing.T) {
	for _, query := range []string{"persona=parent", "persona=parent&persona=leader"} {
		t.Run(query, func(t *testing.T) {
			s := newSim(t, false)
			type result struct {
				a    answer
				took time.Duration
			}
			done := make(chan result, 1)
			start := time.Now()
			go func() {
				done <- result{s.do(t, "GET", "/dev/api/pushed?"+query+"&after=0&wait=10s", ""), time.Since(start)}
			}()
			time.Sleep(100 * time.Millisecond)
			s.push(t, "dev-teacher-0001", "不是给家长的")
			select {
			case r := <-done:
				t.Fatalf("the poll ended on someone else's message: %v", r.a.Body)
			case <-time.After(200 * time.Millisecond):
			}
			s.push(t, "dev-parent-0001", "学校的答复")
			select {
			case r := <-done:
				list, _ := r.a.Body["messages"].([]any)
				if len(list) != 1 || list[0].(map[string]any)["text"] != "学校的答复" || r.a.Body["last_seq"] != 2.0 {
					t.Errorf("got %v", r.a.Body)
				}
				if r.took > 5*time.Second {
					t.Errorf("the poll took %v", r.took)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the poll did not end when the message arrived")
			}
		})
	}

	t.Run("times out", func(t *testing.T) {
		s := newSim(t, false)
		start := time.Now()
		a := s.do(t, "GET", "/dev/api/pushed?persona=parent&wait=300ms", "")
		if took := time.Since(start); took < 250*time.Millisecond || took > 3*time.Second {
			t.Errorf("a 300ms wait took %v", took)
		}
		if list, _ := a.Body["messages"].([]any); a.Status != 200 || len(list) != 0 {
			t.Errorf("got %d %v", a.Status, a.Body)
		}
	})

	t.Run("ends with the request", func(t *testing.T) {
		s := newSim(t, false)
		ctx, cancel := context.WithCancel(context.Background())
		req := httptest.NewRequestWithContext(ctx, "GET", "/dev/api/pushed?persona=parent&persona=teacher&wait=30s", nil)
		done := make(chan struct{})
		go func() {
			s.h.ServeHTTP(httptest.NewRecorder(), req)
			close(done)
		}()
		time.Sleep(50 * time.Millisecond)
		cancel()
		select {
		case <-done:
		case <-time.After(2 * time.Second):
			t.Fatal("the poll went on after its request ended")
		}
	})
}

func TestPage(t *testing.T) {
	s := newSim(t, false)
	get := func(t *testing.T, path string, hdr ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", s.srv.URL+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}

	res, body := get(t, "/dev/")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("/dev/: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{"民情服务号 · 模拟器", `id="input"`, `id="send"`, `src="static/app.js"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, bad := range []string{"http://", "https://", "<style", " style=", "onclick"} {
		if strings.Contains(body, bad) {
			t.Errorf("the page contains %q (external resource or inline code)", bad)
		}
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if got := res.Header.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("X-Content-Type-Options = %q", got)
	}
	if etag := res.Header.Get("ETag"); etag == "" {
		t.Error("the page has no ETag")
	} else if res, _ := get(t, "/dev/", "If-None-Match", etag); res.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation: %d, want 304", res.StatusCode)
	}

	for path, ctype := range map[string]string{"/dev/static/app.js": "javascript", "/dev/static/style.css": "text/css"} {
		res, body := get(t, path)
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), ctype) || len(body) < 1000 {
			t.Errorf("%s: %d %s, %d bytes", path, res.StatusCode, res.Header.Get("Content-Type"), len(body))
		}
		for _, bad := range []string{"http://", "https://", "@import", "url("} {
			if strings.Contains(body, bad) {
				t.Errorf("%s refers to something outside: %q", path, bad)
			}
		}
	}
	for _, path := range []string{"/dev/static/", "/dev/static/nope.js", "/dev/nope", "/dev/api/nope"} {
		if res, _ := get(t, path); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}

	a := s.do(t, "GET", "/dev/api/personas", "")
	if got := a.Header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("API Cache-Control = %q, want no-store", got)
	}
	var got struct {
		Personas []dev.Persona
		Menu     []bot.MenuItem
		Mode     string
	}
	b, _ := json.Marshal(a.Body)
	json.Unmarshal(b, &got)
	if diff := cmp.Diff(dev.Personas, got.Personas); diff != "" {
		t.Errorf("personas mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(chat.DefaultMenu(), got.Menu); diff != "" {
		t.Errorf("menu mismatch (-want +got):\n%s", diff)
	}
	if got.Mode != "plain" {
		t.Errorf("mode = %q", got.Mode)
	}
}

func TestNewHandler(t *testing.T) {
	fake := fakewechat.New(fakewechat.Options{AppID: appID, Secret: secret})
	for _, o := range []dev.Options{
		{Token: token, Fake: fake},
		{WebhookURL: "http://x/wechat", Fake: fake},
		{WebhookURL: "http://x/wechat", Token: token},
		{WebhookURL: "http://x/wechat", Token: token, Fake: fake, AppID: appID, AESKey: "short"},
		// A real account's Token or AES key: refused.
		{WebhookURL: "http://x/wechat", Token: "pamtest", Fake: fake, AppID: appID},
		{WebhookURL: "http://x/wechat", Token: token, Fake: fake, AppID: appID, AESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"},
	} {
		if _, err := dev.NewHandler(o); err == nil {
			t.Errorf("NewHandler(%+v) succeeded", o)
		}
	}
}
