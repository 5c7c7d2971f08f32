package config

import (
	"bytes"
	"fmt"
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

// Dev mode is an explicit opt-in or the embedded default with no account,
// and it never runs with a real Token, AES key or AppSecret.
func TestDevMode(t *testing.T) {
	const (
		realToken  = "realtoken1"
		realSecret = "real-secret"
		realKey    = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	)
	mysqlEnv := map[string]string{
		"MINQING_MYSQL_DSN": "u:p@tcp(127.0.0.1:3306)/minqing", "MINQING_SECRET": strings.Repeat("s", 32),
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantDev bool
		refused []string // the variables named in the refusal; nil = no error
	}{
		{"embedded, nothing set", nil, true, nil},
		{"embedded, MINQING_DEV=false", map[string]string{"MINQING_DEV": "false"}, false,
			[]string{"MINQING_WECHAT_TOKEN is required"}},
		{"embedded, AppID only", map[string]string{"MINQING_WECHAT_APPID": "wxreal"}, false,
			[]string{"MINQING_WECHAT_TOKEN is required", "MINQING_WECHAT_SECRET is required"}},
		{"embedded, Token only (secret forgotten)", map[string]string{"MINQING_WECHAT_TOKEN": realToken}, false,
			[]string{"MINQING_WECHAT_SECRET is required"}},
		{"embedded, real account without secret", map[string]string{
			"MINQING_WECHAT_APPID": "wxreal", "MINQING_WECHAT_TOKEN": realToken, "MINQING_WECHAT_AES_KEY": realKey}, false,
			[]string{"MINQING_WECHAT_SECRET is required"}},
		{"opt-in with dev credentials", map[string]string{"MINQING_DEV": "true", "MINQING_WECHAT_TOKEN": DevToken,
			"MINQING_WECHAT_SECRET": DevSecret, "MINQING_WECHAT_AES_KEY": DevAESKey}, true, nil},
		{"opt-in with MySQL and no account", mysqlEnv, true, nil},
		{"opt-in, real token", map[string]string{"MINQING_DEV": "true", "MINQING_WECHAT_TOKEN": realToken}, false,
			[]string{"refused: MINQING_WECHAT_TOKEN"}},
		{"opt-in, real AES key", map[string]string{"MINQING_DEV": "true", "MINQING_WECHAT_AES_KEY": realKey, "MINQING_WECHAT_APPID": "wxreal"}, false,
			[]string{"refused: MINQING_WECHAT_AES_KEY"}},
		{"opt-in, real secret", map[string]string{"MINQING_DEV": "true", "MINQING_WECHAT_SECRET": realSecret}, false,
			[]string{"refused: MINQING_WECHAT_SECRET"}},
		{"opt-in, real secret behind an API proxy", map[string]string{"MINQING_DEV": "true", "MINQING_WECHAT_SECRET": realSecret,
			"MINQING_WECHAT_API_BASE": "https://wxproxy.example.edu.cn"}, false, []string{"refused: MINQING_WECHAT_SECRET"}},
		{"opt-in, real account", map[string]string{"MINQING_DEV": "true", "MINQING_WECHAT_APPID": "wxreal", "MINQING_WECHAT_TOKEN": realToken,
			"MINQING_WECHAT_SECRET": realSecret, "MINQING_WECHAT_AES_KEY": realKey}, false,
			[]string{"refused: MINQING_WECHAT_TOKEN", "refused: MINQING_WECHAT_AES_KEY", "refused: MINQING_WECHAT_SECRET"}},
		{"opt-in on MySQL, real token", map[string]string{"MINQING_WECHAT_TOKEN": realToken}, false,
			[]string{"refused: MINQING_WECHAT_TOKEN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := map[string]string{"MINQING_DATA_DIR": t.TempDir()}
			if strings.Contains(tt.name, "MySQL") {
				for k, v := range mysqlEnv {
					e[k] = v
				}
				e["MINQING_DEV"] = "true"
			}
			for k, v := range tt.env {
				e[k] = v
			}
			c, err := Load(env(e))
			if tt.refused == nil {
				if err != nil {
					t.Fatal(err)
				}
				if c.Dev != tt.wantDev {
					t.Errorf("Dev = %v, want %v", c.Dev, tt.wantDev)
				}
				return
			}
			if err == nil {
				t.Fatalf("loaded (Dev=%v), want a refusal naming %q", c.Dev, tt.refused)
			}
			for _, want := range tt.refused {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not say %q:\n%v", want, err)
				}
			}
			for _, secret := range []string{realToken, realSecret, realKey} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows a secret: %v", err)
				}
			}
		})
	}
}

func TestAdminAddr(t *testing.T) {
	tests := []struct {
		env       map[string]string
		wantAddr  string
		wantPprof bool
		wantErr   string
	}{
		{nil, DefaultAdminAddr, false, ""},
		{map[string]string{"MINQING_ADMIN_ADDR": "127.0.0.1:0", "MINQING_PPROF": "true"}, "127.0.0.1:0", true, ""},
		{map[string]string{"MINQING_ADMIN_ADDR": "off"}, "", false, ""},
		{map[string]string{"MINQING_ADMIN_ADDR": "off", "MINQING_PPROF": "true"}, "", true, "MINQING_PPROF=true needs"},
		{map[string]string{"MINQING_ADMIN_ADDR": "9090"}, "", false, "MINQING_ADMIN_ADDR must be host:port"},
		{map[string]string{"MINQING_PPROF": "maybe"}, "", false, "MINQING_PPROF must be true or false"},
	}
	for _, tt := range tests {
		e := map[string]string{"MINQING_DATA_DIR": t.TempDir()}
		for k, v := range tt.env {
			e[k] = v
		}
		c, err := Load(env(e))
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: err = %v, want %q", tt.env, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", tt.env, err)
			continue
		}
		if c.AdminAddr != tt.wantAddr || c.Pprof != tt.wantPprof {
			t.Errorf("%v: AdminAddr=%q Pprof=%v, want %q %v", tt.env, c.AdminAddr, c.Pprof, tt.wantAddr, tt.wantPprof)
		}
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

// Anything shaped like an openid is scrubbed from every string and error
// attribute, whatever its key.
func TestRedactingHandlerScrubsOpenIDs(t *testing.T) {
	const openid = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
	var buf bytes.Buffer
	log := slog.New(NewRedactingHandler(slog.NewJSONHandler(&buf, nil)))
	log.With("ctx", "user "+openid).Warn("failed for "+openid,
		"err", fmt.Errorf("Error 1062: Duplicate entry '%s' for key 'ux'", openid),
		"detail", "/x/"+openid+"?y",
		slog.Group("g", "why", openid),
		"kept", "o6_bmjrPTlm6_2sgVt7hMZOPfL2Mx", // 29 characters: not an openid
		"hash", "0123456789abcdef0123456789ab")
	out := buf.String()
	if strings.Count(out, openid) != 1 { // only in "kept"
		t.Errorf("log line leaks the openid: %s", out)
	}
	for _, want := range []string{`"msg":"failed for [openid]"`, `Duplicate entry '[openid]'`, `"detail":"/x/[openid]?y"`,
		`"why":"[openid]"`, `"ctx":"user [openid]"`, `"kept":"o6_bmjrPTlm6_2sgVt7hMZOPfL2Mx"`, `"hash":"0123456789abcdef0123456789ab"`} {
		if !strings.Contains(out, want) {
			t.Errorf("log line lacks %s: %s", want, out)
		}
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
