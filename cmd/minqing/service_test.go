package main

// The test harness: boots the whole service through run(), as the binary
// does, on 127.0.0.1:0, and talks to it over HTTP as WeChat does.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"minqing/handlers/fakewechat"
	"minqing/handlers/wechat"
	"minqing/storage"
	"minqing/storage/state/statetest"
	"minqing/storage/storagetest"
)

// logSink collects the service's log lines and finds the address it
// listens on.
type logSink struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan string
	once  sync.Once
	admin string // the admin listener's URL
}

func newLogSink() *logSink { return &logSink{ready: make(chan string, 1)} }

func (s *logSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.buf.Write(p)
	for _, line := range bytes.Split(p, []byte("\n")) {
		var rec struct {
			Msg   string `json:"msg"`
			URL   string `json:"url"`
			Admin string `json:"admin_url"`
		}
		if json.Unmarshal(line, &rec) == nil && rec.Msg == "listening" {
			s.once.Do(func() { s.admin = rec.Admin; s.ready <- rec.URL })
		}
	}
	return len(p), nil
}

// String returns every line logged so far.
func (s *logSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.buf.String()
}

// service is a running minqing.
type service struct {
	URL string
	// AdminURL is the admin listener's (metrics, pprof).
	AdminURL string
	Env      map[string]string
	Logs     *logSink
	stop     func() int
}

// Stop shuts the service down gracefully and returns run's exit code.
func (s *service) Stop() int { return s.stop() }

// startService runs `minqing serve` with env (plus a :0 address and JSON
// logs) and waits until it listens. It stops when the test ends.
func startService(t testing.TB, env map[string]string) *service {
	t.Helper()
	full := map[string]string{"MINQING_HTTP_ADDR": "127.0.0.1:0", "MINQING_ADMIN_ADDR": "127.0.0.1:0", "MINQING_LOG_FORMAT": "json"}
	for k, v := range env {
		full[k] = v
	}
	logs := newLogSink()
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	go func() {
		exit <- run(ctx, []string{"serve"}, func(k string) string { return full[k] }, strings.NewReader(""), io.Discard, logs)
	}()
	s := &service{Env: full, Logs: logs}
	var once sync.Once
	code := -1
	s.stop = func() int {
		once.Do(func() {
			cancel()
			select {
			case code = <-exit:
			case <-time.After(30 * time.Second):
				t.Errorf("service did not stop within 30s")
			}
		})
		return code
	}
	t.Cleanup(func() { s.Stop() })
	select {
	case s.URL = <-logs.ready:
		logs.mu.Lock()
		s.AdminURL = logs.admin
		logs.mu.Unlock()
	case code := <-exit:
		t.Fatalf("service exited with %d before listening:\n%s", code, logs.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("service did not start within 30s:\n%s", logs.String())
	}
	return s
}

// backend is a configuration of the service's storage.
type backend struct {
	name string
	// env returns the variables selecting the backend, plus a way to open
	// the same database from the test.
	env func(t *testing.T) (map[string]string, func(t *testing.T) *storage.DB)
}

// Test account of the EasyWeChat vector.
const (
	vecToken  = "pamtest"
	vecAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	vecAppID  = "wxb11529c136998cb6"
	vecSecret = "vector-test-secret"
)

var backends = []backend{
	{"embedded", func(t *testing.T) (map[string]string, func(*testing.T) *storage.DB) {
		dir := t.TempDir()
		return map[string]string{"MINQING_DATA_DIR": dir}, func(t *testing.T) *storage.DB {
			return openTestDB(t, storage.Options{DataDir: dir})
		}
	}},
	{"mysql+redis", func(t *testing.T) (map[string]string, func(*testing.T) *storage.DB) {
		return mysqlEnv(t, storagetest.MySQLDSN(t), statetest.RedisURL(t))
	}},
}

// mysqlEnv selects MySQL at dsn with the state store at redisURL.
func mysqlEnv(t *testing.T, dsn, redisURL string) (map[string]string, func(*testing.T) *storage.DB) {
	return map[string]string{
			"MINQING_MYSQL_DSN":    dsn,
			"MINQING_REDIS_URL":    redisURL,
			"MINQING_REDIS_PREFIX": "minqing-test:" + randomHex(6) + ":",
			"MINQING_SECRET":       "test-secret-" + randomHex(16),
			"MINQING_DATA_DIR":     t.TempDir(),
		}, func(t *testing.T) *storage.DB {
			return openTestDB(t, storage.Options{MySQLDSN: dsn})
		}
}

// clusterBackend is MySQL with a Redis Cluster (MINQING_TEST_REDIS_CLUSTER)
// as the state store; the tests that must hold on a cluster add it to
// backends.
var clusterBackend = backend{"mysql+redis-cluster", func(t *testing.T) (map[string]string, func(*testing.T) *storage.DB) {
	return mysqlEnv(t, storagetest.MySQLDSN(t), statetest.ClusterURL(t))
}}

// redisBehindProxy is the mysql+redis backend with Redis reached through
// a proxy the test can close.
func redisBehindProxy(t *testing.T) (*storagetest.Proxy, map[string]string, func(*testing.T) *storage.DB) {
	t.Helper()
	u, err := url.Parse(statetest.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := storagetest.NewProxy(t, u.Host)
	u.Host = proxy.Addr()
	env, openDB := backends[1].env(t)
	env["MINQING_REDIS_URL"] = u.String()
	return proxy, env, openDB
}

func openTestDB(t *testing.T, o storage.Options) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// withAccount adds the vector's official account in safe mode, and a fake
// WeChat API for outbound calls (MySQL deployments are not in dev mode).
func withAccount(t *testing.T, env map[string]string) (*fakewechat.Server, map[string]string) {
	t.Helper()
	fake := fakewechat.New(fakewechat.Options{AppID: vecAppID, Secret: vecSecret})
	ts := httptest.NewServer(fake)
	t.Cleanup(ts.Close)
	out := map[string]string{
		"MINQING_WECHAT_TOKEN":    vecToken,
		"MINQING_WECHAT_AES_KEY":  vecAESKey,
		"MINQING_WECHAT_APPID":    vecAppID,
		"MINQING_WECHAT_SECRET":   vecSecret,
		"MINQING_WECHAT_API_BASE": ts.URL,
		"MINQING_DEV":             "false",
	}
	for k, v := range env {
		out[k] = v
	}
	return fake, out
}

// client returns a WeChat-side client for the service; crypto nil = plain mode.
func client(s *service, crypto *wechat.Crypto) *wechat.Client {
	return &wechat.Client{URL: s.URL + "/wechat", Token: s.Env["MINQING_WECHAT_TOKEN"], AppID: s.Env["MINQING_WECHAT_APPID"], Crypto: crypto}
}

func mustCrypto(t testing.TB, key, appID string) *wechat.Crypto {
	t.Helper()
	c, err := wechat.NewCrypto(key, appID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func get(t testing.TB, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// lines returns the JSON log records whose msg is msg.
func logRecords(s *service, msg string) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s.Logs.String()))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec map[string]any
		if json.Unmarshal(sc.Bytes(), &rec) == nil && rec["msg"] == msg {
			out = append(out, rec)
		}
	}
	return out
}
