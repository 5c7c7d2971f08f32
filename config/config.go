// Package config loads and validates minqing's configuration from the
// environment. Every secret may also come from a file named by NAME_FILE
// (Docker and Kubernetes secrets). All problems are reported together.
package config

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
)

// Defaults used when the environment says nothing.
const (
	DefaultHTTPAddr    = ":8080"
	DefaultDataDir     = "./data"
	DefaultTimezone    = "Asia/Shanghai"
	DefaultMaxSkew     = 300 * time.Second
	DefaultReplyBudget = 4500 * time.Millisecond
	DefaultAdminAddr   = "127.0.0.1:9090"

	// Dev-mode WeChat settings, used by the simulator and the fake WeChat API
	// when no official account is configured.
	DevAppID  = "wx0000000000minqing"
	DevSecret = "minqing-dev-secret"
	DevToken  = "minqing-dev-token"
	// DevAESKey lets the simulator try safe mode; it is public, so dev
	// mode accepts it and no other key.
	DevAESKey = "minqingDevAESKeyForTheSimulatorOnly00000000"

	secretFileName = "secret"
	minSecretLen   = 32
)

// Config is the whole configuration of the service.
type Config struct {
	HTTPAddr string
	// AdminAddr is the listener of /metrics (and pprof); empty: none.
	AdminAddr string
	// Pprof serves net/http/pprof on the admin listener.
	Pprof bool
	// MemoryLimit is the Go runtime's soft memory limit in bytes
	// (MINQING_MEMORY_LIMIT, in MiB); 0: none. GOMEMLIMIT wins over it.
	MemoryLimit int64
	PublicURL   string // how users' browsers and WeChat reach the service, e.g. https://mq.example.edu.cn

	WeChat WeChat

	MySQLDSN string // empty: embedded SQLite under DataDir
	DataDir  string
	RedisURL string // empty: in-process state
	// RedisPrefix starts every key minqing writes to Redis, so that several
	// deployments (or tests) can share one server.
	RedisPrefix string

	// Secret keys every hash and seal that protects users' identities.
	Secret       string
	SecretSource string // "env", "file", "data dir" or "generated": for the start-up log

	Timezone string
	Location *time.Location

	LogLevel slog.Level
	// LogFormat is "json" in production and "text" in dev mode unless
	// MINQING_LOG_FORMAT says otherwise.
	LogFormat string

	// Dev turns on the web simulator and the fake WeChat API.
	Dev bool

	// ReplyBudget is how long the webhook waits for the bot before it
	// answers "success" and sends the reply as a customer-service message.
	ReplyBudget time.Duration
}

// WeChat is the official account.
type WeChat struct {
	AppID   string
	Secret  string
	Token   string
	AESKey  string        // EncodingAESKey; empty: plain mode
	MaxSkew time.Duration // 0: no timestamp check
	APIBase string        // empty: https://api.weixin.qq.com (or the built-in fake in dev mode)
}

// Embedded reports whether the service runs on the embedded default:
// an SQLite file and in-process state, one instance.
func (c Config) Embedded() bool { return c.MySQLDSN == "" }

// Getenv looks up an environment variable; os.Getenv in production.
type Getenv func(string) string

// Load reads the configuration. On the embedded default it may create the
// data directory and a generated secret in it. The returned error lists
// every problem found, one per line.
func Load(getenv Getenv) (Config, error) {
	l := loader{getenv: getenv}
	c := Config{
		HTTPAddr:    l.str("MINQING_HTTP_ADDR", DefaultHTTPAddr),
		AdminAddr:   l.str("MINQING_ADMIN_ADDR", DefaultAdminAddr),
		Pprof:       l.boolean("MINQING_PPROF", false),
		MemoryLimit: l.mebibytes("MINQING_MEMORY_LIMIT", 64),
		PublicURL:   strings.TrimRight(l.str("MINQING_PUBLIC_URL", ""), "/"),
		WeChat: WeChat{
			AppID:   l.str("MINQING_WECHAT_APPID", ""),
			Secret:  l.secret("MINQING_WECHAT_SECRET"),
			Token:   l.secret("MINQING_WECHAT_TOKEN"),
			AESKey:  l.secret("MINQING_WECHAT_AES_KEY"),
			MaxSkew: l.seconds("MINQING_WECHAT_MAX_SKEW", DefaultMaxSkew),
			APIBase: strings.TrimRight(l.str("MINQING_WECHAT_API_BASE", ""), "/"),
		},
		MySQLDSN:    l.secret("MINQING_MYSQL_DSN"),
		DataDir:     l.str("MINQING_DATA_DIR", DefaultDataDir),
		RedisURL:    l.secret("MINQING_REDIS_URL"),
		RedisPrefix: l.str("MINQING_REDIS_PREFIX", "minqing:"),
		Secret:      l.secret("MINQING_SECRET"),
		Timezone:    l.str("MINQING_TIMEZONE", DefaultTimezone),
		LogFormat:   l.str("MINQING_LOG_FORMAT", ""),
		ReplyBudget: l.duration("MINQING_REPLY_BUDGET", DefaultReplyBudget),
	}
	if c.Secret != "" {
		c.SecretSource = l.sources["MINQING_SECRET"]
	}

	// Dev mode: an explicit opt-in, or the embedded default with no
	// official account at all. It is refused (see validate) whenever a
	// real Token, AES key or AppSecret is configured: the simulator lets
	// anyone speak as any user.
	c.Dev = c.Embedded() && c.RedisURL == "" && c.WeChat == (WeChat{MaxSkew: c.WeChat.MaxSkew}) &&
		l.str("MINQING_DEV", "") == ""
	if v := l.str("MINQING_DEV", ""); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			l.problem("MINQING_DEV must be true or false, got %q", v)
		}
		c.Dev = b
	}
	if strings.EqualFold(c.AdminAddr, "off") {
		c.AdminAddr = ""
	}

	c.validate(&l)
	if len(l.problems) > 0 {
		return c, &Error{Problems: l.problems}
	}
	if c.Dev {
		c.applyDevDefaults()
	}
	if c.Secret == "" && c.Embedded() {
		if err := c.loadOrCreateSecret(); err != nil {
			return c, &Error{Problems: []string{err.Error()}}
		}
	}
	return c, nil
}

// Error lists every configuration problem.
type Error struct{ Problems []string }

func (e *Error) Error() string {
	return "invalid configuration:\n  - " + strings.Join(e.Problems, "\n  - ")
}

func (c *Config) validate(l *loader) {
	if _, _, err := net.SplitHostPort(c.HTTPAddr); err != nil {
		l.problem("MINQING_HTTP_ADDR must be host:port (e.g. :8080), got %q", c.HTTPAddr)
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			l.problem("MINQING_PUBLIC_URL must be an http(s) URL such as https://minqing.example.edu.cn, got %q", c.PublicURL)
		}
	}
	if c.WeChat.APIBase != "" {
		if u, err := url.Parse(c.WeChat.APIBase); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			l.problem("MINQING_WECHAT_API_BASE must be an http(s) URL, got %q", c.WeChat.APIBase)
		}
	}
	if c.WeChat.AESKey != "" {
		if err := checkAESKey(c.WeChat.AESKey); err != nil {
			l.problem("MINQING_WECHAT_AES_KEY %v", err)
		}
		if c.WeChat.AppID == "" && !c.Dev {
			l.problem("MINQING_WECHAT_APPID is required in safe mode (MINQING_WECHAT_AES_KEY is set)")
		}
	}
	if !c.Dev {
		// A real deployment talks to a real official account.
		if c.WeChat.Token == "" {
			l.problem("MINQING_WECHAT_TOKEN is required (the Token from the WeChat admin console, 基本配置 → 服务器配置)")
		}
		if c.WeChat.AppID == "" {
			l.problem("MINQING_WECHAT_APPID is required (开发者ID AppID)")
		}
		if c.WeChat.Secret == "" {
			l.problem("MINQING_WECHAT_SECRET is required (开发者密码 AppSecret)")
		}
	} else {
		for _, v := range c.realCredentials() {
			l.problem("dev mode (MINQING_DEV) is refused: %s is set to a real value; the dev simulator lets anyone speak as any user, so it never runs with a real official account. Unset MINQING_DEV (or set it to false) for production, or unset %s for development", v, v)
		}
	}
	if c.AdminAddr != "" {
		if _, _, err := net.SplitHostPort(c.AdminAddr); err != nil {
			l.problem("MINQING_ADMIN_ADDR must be host:port (e.g. 127.0.0.1:9090) or off, got %q", c.AdminAddr)
		}
	}
	if c.Pprof && c.AdminAddr == "" {
		l.problem("MINQING_PPROF=true needs the admin listener (MINQING_ADMIN_ADDR is off)")
	}
	if c.WeChat.Token != "" && c.WeChat.Token != DevToken && !isAlnum(c.WeChat.Token) {
		l.problem("MINQING_WECHAT_TOKEN must be 3-32 letters or digits, as WeChat requires")
	}
	if c.MySQLDSN != "" {
		if _, err := mysql.ParseDSN(c.MySQLDSN); err != nil {
			l.problem("MINQING_MYSQL_DSN is not a valid MySQL DSN (user:pass@tcp(host:3306)/minqing): %s", redactDSNError(err))
		}
	}
	if c.RedisURL != "" {
		u, err := url.Parse(c.RedisURL)
		if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss" && u.Scheme != "redis-sentinel") {
			l.problem("MINQING_REDIS_URL must look like redis://host:6379/0, rediss://… or redis-sentinel://h1:26379,h2:26379/0?master=NAME")
		}
	}
	if c.MySQLDSN != "" && c.Secret == "" {
		l.problem("MINQING_SECRET is required with MySQL (at least %d characters; e.g. `openssl rand -hex 32`); every instance must share it", minSecretLen)
	}
	if c.RedisURL != "" && c.MySQLDSN == "" {
		l.problem("MINQING_REDIS_URL is set but MINQING_MYSQL_DSN is not: the embedded SQLite database serves one instance only, so shared state needs MySQL too")
	}
	if c.Secret != "" && len(c.Secret) < minSecretLen {
		l.problem("MINQING_SECRET must be at least %d characters", minSecretLen)
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		l.problem("MINQING_TIMEZONE is not a known time zone (e.g. Asia/Shanghai): %q", c.Timezone)
	}
	c.Location = loc
	c.LogLevel = l.level("MINQING_LOG_LEVEL", slog.LevelInfo)
	switch c.LogFormat {
	case "":
		c.LogFormat = "json"
		if c.Dev {
			c.LogFormat = "text"
		}
	case "json", "text":
	default:
		l.problem("MINQING_LOG_FORMAT must be json or text, got %q", c.LogFormat)
	}
	if c.ReplyBudget <= 0 || c.ReplyBudget > 4800*time.Millisecond {
		l.problem("MINQING_REPLY_BUDGET must be between 0 and 4.8s (WeChat waits 5s), got %s", c.ReplyBudget)
	}
}

// realCredentials names the secrets of an official account that are set
// to something other than the public dev-mode values.
func (c *Config) realCredentials() []string {
	var out []string
	if c.WeChat.Token != "" && c.WeChat.Token != DevToken {
		out = append(out, "MINQING_WECHAT_TOKEN")
	}
	if c.WeChat.AESKey != "" && c.WeChat.AESKey != DevAESKey {
		out = append(out, "MINQING_WECHAT_AES_KEY")
	}
	if c.WeChat.Secret != "" && c.WeChat.Secret != DevSecret {
		out = append(out, "MINQING_WECHAT_SECRET")
	}
	return out
}

func (c *Config) applyDevDefaults() {
	if c.WeChat.AppID == "" {
		c.WeChat.AppID = DevAppID
	}
	if c.WeChat.Secret == "" {
		c.WeChat.Secret = DevSecret
	}
	if c.WeChat.Token == "" {
		c.WeChat.Token = DevToken
	}
}

// loadOrCreateSecret reads the secret kept in the data directory, or
// generates one and keeps it there (mode 0600) for the next start.
func (c *Config) loadOrCreateSecret() error {
	path := filepath.Join(c.DataDir, secretFileName)
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		s := strings.TrimSpace(string(b))
		if len(s) < minSecretLen {
			return fmt.Errorf("%s holds a secret shorter than %d characters; delete it to generate a new one (existing receipts become unreadable)", path, minSecretLen)
		}
		c.Secret, c.SecretSource = s, "data dir"
		return nil
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("cannot read %s: %v", path, err)
	}
	if err := os.MkdirAll(c.DataDir, 0o750); err != nil {
		return fmt.Errorf("cannot create MINQING_DATA_DIR %s: %v", c.DataDir, err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("cannot generate a secret: %v", err)
	}
	s := hex.EncodeToString(raw)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	if _, err := f.WriteString(s + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	c.Secret, c.SecretSource = s, "generated"
	return nil
}

// LogValue prints the effective configuration with every secret redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("http_addr", c.HTTPAddr),
		slog.String("admin_addr", c.AdminAddr),
		slog.Bool("pprof", c.Pprof),
		slog.Int64("memory_limit", c.MemoryLimit),
		slog.String("public_url", c.PublicURL),
		slog.String("wechat_appid", c.WeChat.AppID),
		slog.String("wechat_secret", redact(c.WeChat.Secret)),
		slog.String("wechat_token", redact(c.WeChat.Token)),
		slog.String("wechat_aes_key", redact(c.WeChat.AESKey)),
		slog.Bool("wechat_safe_mode", c.WeChat.AESKey != ""),
		slog.Duration("wechat_max_skew", c.WeChat.MaxSkew),
		slog.String("wechat_api_base", c.WeChat.APIBase),
		slog.String("mysql_dsn", RedactDSN(c.MySQLDSN)),
		slog.String("data_dir", c.DataDir),
		slog.String("redis_url", RedactURL(c.RedisURL)),
		slog.String("redis_prefix", c.RedisPrefix),
		slog.String("secret", redact(c.Secret)),
		slog.String("secret_source", c.SecretSource),
		slog.String("timezone", c.Timezone),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("log_format", c.LogFormat),
		slog.Bool("dev", c.Dev),
		slog.Duration("reply_budget", c.ReplyBudget),
	)
}

func redact(s string) string {
	if s == "" {
		return ""
	}
	return "REDACTED"
}

// RedactDSN hides the password of a MySQL DSN.
func RedactDSN(dsn string) string {
	if dsn == "" {
		return ""
	}
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return "REDACTED (unparsable)"
	}
	if cfg.Passwd != "" {
		cfg.Passwd = "REDACTED"
	}
	return cfg.FormatDSN()
}

// RedactURL hides the password of a URL such as a Redis URL.
func RedactURL(raw string) string {
	if raw == "" {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "REDACTED (unparsable)"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "REDACTED")
	}
	return u.String()
}

func redactDSNError(err error) string {
	// The driver's parse errors do not echo the password, but be sure.
	return strings.SplitN(err.Error(), "@", 2)[0]
}

func checkAESKey(k string) error {
	if len(k) != 43 {
		return fmt.Errorf("must be the 43-character EncodingAESKey, got %d characters", len(k))
	}
	b, err := base64.StdEncoding.DecodeString(k + "=")
	if err != nil || len(b) != 32 {
		return errors.New("is not a valid EncodingAESKey (43 characters of base64)")
	}
	return nil
}

func isAlnum(s string) bool {
	if len(s) < 3 || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// loader reads variables and collects problems.
type loader struct {
	getenv   Getenv
	problems []string
	sources  map[string]string
}

func (l *loader) problem(format string, args ...any) {
	l.problems = append(l.problems, fmt.Sprintf(format, args...))
}

func (l *loader) str(name, def string) string {
	if v := strings.TrimSpace(l.getenv(name)); v != "" {
		return v
	}
	return def
}

// secret reads NAME, or the file named by NAME_FILE; setting both is an error.
func (l *loader) secret(name string) string {
	if l.sources == nil {
		l.sources = map[string]string{}
	}
	v := strings.TrimSpace(l.getenv(name))
	file := strings.TrimSpace(l.getenv(name + "_FILE"))
	switch {
	case v != "" && file != "":
		l.problem("set %s or %s_FILE, not both", name, name)
		return v
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			l.problem("%s_FILE: cannot read %s: %v", name, file, errors.Unwrap(err))
			return ""
		}
		l.sources[name] = "file"
		return strings.TrimSpace(string(b))
	default:
		l.sources[name] = "env"
		return v
	}
}

// parsed reads name with parse (def if unset). A value parse rejects is a
// problem, reported as "name must be <want>", and gives def.
func parsed[T any](l *loader, name string, def T, want string, parse func(string) (T, error)) T {
	v := l.str(name, "")
	if v == "" {
		return def
	}
	x, err := parse(v)
	if err != nil {
		l.problem("%s must be %s, got %q", name, want, v)
		return def
	}
	return x
}

// errRange marks a number that parses but is outside what the setting allows.
var errRange = errors.New("out of range")

func (l *loader) boolean(name string, def bool) bool {
	return parsed(l, name, def, "true or false", strconv.ParseBool)
}

// mebibytes reads a whole number of MiB (def if unset) and returns bytes.
func (l *loader) mebibytes(name string, def int64) int64 {
	return parsed(l, name, def<<20, "a whole number of MiB (0 = no limit)", func(v string) (int64, error) {
		n, err := strconv.ParseInt(v, 10, 64)
		if err == nil && (n < 0 || n > 1<<20) {
			err = errRange
		}
		return n << 20, err
	})
}

func (l *loader) seconds(name string, def time.Duration) time.Duration {
	return parsed(l, name, def, "a whole number of seconds (0 = no check)", func(v string) (time.Duration, error) {
		n, err := strconv.Atoi(v)
		if err == nil && n < 0 {
			err = errRange
		}
		return time.Duration(n) * time.Second, err
	})
}

func (l *loader) duration(name string, def time.Duration) time.Duration {
	return parsed(l, name, def, "a duration such as 4.5s", time.ParseDuration)
}

func (l *loader) level(name string, def slog.Level) slog.Level {
	return parsed(l, name, def, "debug, info, warn or error", func(v string) (slog.Level, error) {
		var lv slog.Level
		err := lv.UnmarshalText([]byte(v))
		return lv, err
	})
}
