package config

import (
	"bytes"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func env(m map[string]string) Getenv {
	return func(k string) string { return m[k] }
}

func TestLoadEmbeddedDefault(t *testing.T) {
	dir := t.TempDir()
	c, err := Load(env(map[string]string{"MINQING_DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Embedded() || !c.Dev {
		t.Errorf("Embedded()=%v Dev=%v, want both true", c.Embedded(), c.Dev)
	}
	if c.HTTPAddr != DefaultHTTPAddr || c.WeChat.MaxSkew != 300*time.Second || c.Location.String() != "Asia/Shanghai" {
		t.Errorf("defaults not applied: %+v", c)
	}
	if c.WeChat.Token != DevToken || c.WeChat.AppID != DevAppID {
		t.Errorf("dev WeChat defaults not applied: %+v", c.WeChat)
	}
	if c.LogFormat != "text" {
		t.Errorf("LogFormat = %q, want text in dev mode", c.LogFormat)
	}
	if len(c.Secret) < minSecretLen || c.SecretSource != "generated" {
		t.Fatalf("secret not generated: len=%d source=%q", len(c.Secret), c.SecretSource)
	}
	fi, err := os.Stat(filepath.Join(dir, secretFileName))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode = %v, want 0600", fi.Mode().Perm())
	}
	// The second start reuses it.
	c2, err := Load(env(map[string]string{"MINQING_DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if c2.Secret != c.Secret || c2.SecretSource != "data dir" {
		t.Errorf("secret not reused: source=%q same=%v", c2.SecretSource, c2.Secret == c.Secret)
	}
}

func TestLoadReportsAllProblems(t *testing.T) {
	_, err := Load(env(map[string]string{
		"MINQING_HTTP_ADDR":       "8080",
		"MINQING_MYSQL_DSN":       "not a dsn",
		"MINQING_WECHAT_AES_KEY":  "short",
		"MINQING_WECHAT_MAX_SKEW": "soon",
		"MINQING_TIMEZONE":        "Mars/Olympus",
		"MINQING_LOG_LEVEL":       "loud",
		"MINQING_REDIS_URL":       "http://x",
	}))
	if err == nil {
		t.Fatal("Load succeeded, want an error")
	}
	for _, want := range []string{
		"MINQING_HTTP_ADDR", "MINQING_MYSQL_DSN", "MINQING_WECHAT_AES_KEY", "MINQING_WECHAT_MAX_SKEW",
		"MINQING_TIMEZONE", "MINQING_LOG_LEVEL", "MINQING_REDIS_URL", "MINQING_WECHAT_TOKEN",
		"MINQING_WECHAT_APPID", "MINQING_WECHAT_SECRET", "MINQING_SECRET",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %s:\n%v", want, err)
		}
	}
}

func TestLoadProduction(t *testing.T) {
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "wx-secret")
	if err := os.WriteFile(secretFile, []byte("s3cr3t-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(env(map[string]string{
		"MINQING_MYSQL_DSN":          "minqing:pw@tcp(db:3306)/minqing",
		"MINQING_REDIS_URL":          "redis://:pw@redis:6379/0",
		"MINQING_SECRET":             strings.Repeat("k", 40),
		"MINQING_WECHAT_APPID":       "wxb11529c136998cb6",
		"MINQING_WECHAT_SECRET_FILE": secretFile,
		"MINQING_WECHAT_TOKEN":       "pamtest",
		"MINQING_WECHAT_AES_KEY":     "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
		"MINQING_WECHAT_MAX_SKEW":    "0",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Dev || c.Embedded() || c.LogFormat != "json" {
		t.Errorf("Dev=%v Embedded=%v LogFormat=%q, want production", c.Dev, c.Embedded(), c.LogFormat)
	}
	if diff := cmp.Diff(WeChat{
		AppID: "wxb11529c136998cb6", Secret: "s3cr3t-from-file", Token: "pamtest",
		AESKey: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
	}, c.WeChat); diff != "" {
		t.Errorf("WeChat mismatch (-want +got):\n%s", diff)
	}

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "config", c)
	for _, secret := range []string{"s3cr3t-from-file", "pamtest", "abcdefghijklmnop", "kkkkkkkkkk", ":pw@"} {
		if strings.Contains(buf.String(), secret) {
			t.Errorf("logged config contains secret %q: %s", secret, buf.String())
		}
	}
}

func TestDevRefusedWithRealAccount(t *testing.T) {
	_, err := Load(env(map[string]string{
		"MINQING_DATA_DIR":      t.TempDir(),
		"MINQING_DEV":           "true",
		"MINQING_WECHAT_SECRET": "real",
		"MINQING_WECHAT_APPID":  "wxreal",
		"MINQING_WECHAT_TOKEN":  "real1",
	}))
	if err == nil || !strings.Contains(err.Error(), "MINQING_DEV") {
		t.Fatalf("err = %v, want a refusal of dev mode", err)
	}
}

func TestRedactingHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewRedactingHandler(slog.NewJSONHandler(&buf, nil)))
	log.With("openid", "oSecret1").Info("msg", "text", "食堂饭菜太咸了", slog.Group("g", "name", "张三", "ok", 1), "kind", "text")
	out := buf.String()
	for _, leak := range []string{"oSecret1", "食堂", "张三"} {
		if strings.Contains(out, leak) {
			t.Errorf("log line leaks %q: %s", leak, out)
		}
	}
	if !strings.Contains(out, `"kind":"text"`) || !strings.Contains(out, `"ok":1`) {
		t.Errorf("harmless attributes lost: %s", out)
	}
}

// A small school runs the embedded default with its real account: no dev
// mode, no error.
func TestEmbeddedWithRealAccount(t *testing.T) {
	c, err := Load(env(map[string]string{
		"MINQING_DATA_DIR":       t.TempDir(),
		"MINQING_WECHAT_APPID":   "wxreal0000000001",
		"MINQING_WECHAT_SECRET":  "real-secret",
		"MINQING_WECHAT_TOKEN":   "realtoken1",
		"MINQING_WECHAT_AES_KEY": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Dev || !c.Embedded() || c.Secret == "" {
		t.Errorf("Dev=%v Embedded=%v secret set=%v; want a production embedded service", c.Dev, c.Embedded(), c.Secret != "")
	}
}
