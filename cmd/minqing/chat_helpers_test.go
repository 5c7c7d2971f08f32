package main

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"minqing/handlers/fakewechat"
	"minqing/handlers/wechat"
	"minqing/storage"
	"minqing/storage/sheet"
)

// msgIDs hands out distinct MsgIds across a test binary.
var msgIDs atomic.Int64

func init() { msgIDs.Store(time.Now().UnixNano() / 1000) }

// person is one WeChat user talking to the service.
type person struct {
	t      *testing.T
	c      *wechat.Client
	openid string
}

func (s *service) as(t *testing.T, openid string) *person {
	var crypto *wechat.Crypto
	if key := s.Env["MINQING_WECHAT_AES_KEY"]; key != "" {
		crypto = mustCrypto(t, key, s.Env["MINQING_WECHAT_APPID"])
	}
	c := client(s, crypto)
	if c.Token == "" {
		c.Token = "minqing-dev-token"
	}
	return &person{t: t, c: c, openid: openid}
}

// say sends a text message and returns the passive reply.
func (p *person) say(text string) string {
	p.t.Helper()
	return p.send(wechat.NewText(p.openid, "gh_test", text, msgIDs.Add(1), time.Now()))
}

// voice sends a voice message with WeChat's recognition.
func (p *person) voice(recognition string) string {
	p.t.Helper()
	return p.send(wechat.NewVoice(p.openid, "gh_test", recognition, "media-1", msgIDs.Add(1), time.Now()))
}

// event sends an event; events are deduplicated by sender and CreateTime,
// so each gets a distinct second.
func (p *person) event(event, key string) string {
	p.t.Helper()
	return p.send(wechat.NewEvent(p.openid, "gh_test", event, key, time.Unix(msgIDs.Add(1)/1000, 0)))
}

// sentLog is every message the tests sent, for the anonymity tests to
// recompute what anyone holding the secret could derive from them.
var sentLog struct {
	mu   sync.Mutex
	msgs []wechat.Message
}

func (p *person) send(m wechat.Message) string {
	p.t.Helper()
	sentLog.mu.Lock()
	sentLog.msgs = append(sentLog.msgs, m)
	sentLog.mu.Unlock()
	res, err := p.c.Send(context.Background(), m)
	if err != nil {
		p.t.Fatalf("send %q: %v", m.Content, err)
	}
	if res.Status != 200 {
		p.t.Fatalf("send %q: status %d %s", m.Content, res.Status, res.Body)
	}
	return res.Reply.Content
}

// expect fails the test unless reply contains every want.
func expect(t *testing.T, what, reply string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(reply, w) {
			t.Errorf("%s: reply does not contain %q:\n%s", what, w, reply)
		}
	}
}

// refuse fails the test if reply contains any of bad.
func expectNot(t *testing.T, what, reply string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(reply, b) {
			t.Errorf("%s: reply contains %q:\n%s", what, b, reply)
		}
	}
}

// admin runs a minqing admin command against the service's configuration
// and returns its output.
func (s *service) admin(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut strings.Builder
	code := run(context.Background(), args, func(k string) string { return s.Env[k] }, strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("minqing %s = %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
	}
	return out.String()
}

// bindCodes writes the school's bind codes to a file and returns them by
// name.
func (s *service) bindCodes(t *testing.T, school string, extra ...string) map[string]string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "codes.xlsx")
	s.admin(t, append([]string{"codes", "--school", school, "-o", path}, extra...)...)
	rows, err := sheet.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, r := range rows[1:] {
		if len(r) >= 4 && r[3] != "" {
			codes[r[0]] = r[3]
		}
	}
	return codes
}

// world is a running service with a school imported.
type world struct {
	*service
	backend backend
	db      *storage.DB
	fake    *fakewechat.Server
	school  string            // the school imported
	codes   map[string]string // its bind codes by name, once issued (bound)
}

const testSchool = "岳阳市第七中学"

// newWorld starts the service on a backend with the vector's account in
// safe mode and imports the messy staff file of bot/roster/testdata.
func newWorld(t *testing.T, b backend) *world {
	t.Helper()
	w := startWorld(t, b, testSchool)
	out := w.admin(t, "import", "staff", testdata("staff_messy.xlsx"), "--school", testSchool, "--new")
	expect(t, "import", out, "新增 16 人", "未导入 3 行")
	return w
}

// startWorld starts the service on a backend with the vector's account in
// safe mode, for a school the caller imports.
func startWorld(t *testing.T, b backend, school string) *world {
	t.Helper()
	env, openDB := b.env(t)
	fake, env := withAccount(t, env)
	s := startService(t, env)
	return &world{service: s, backend: b, db: openDB(t), fake: fake, school: school}
}

// onEachBackend runs test on a new world (newWorld) of every backend, each
// as a subtest named after its backend.
func onEachBackend(t *testing.T, test func(t *testing.T, w *world)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { test(t, newWorld(t, b)) })
	}
}

// testdata is the repository's bot/roster/testdata.
func testdata(name string) string {
	return filepath.Join("..", "..", "bot", "roster", "testdata", name)
}
