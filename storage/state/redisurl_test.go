package state

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"minqing/bot"
)

// parsed summarises a redisConfig for comparison.
type parsed struct {
	Kind               string
	Addrs              []string
	DB                 int
	Username, Password string
	TLSServerName      string // "" without TLS
	Master             string
}

func summarize(c redisConfig) parsed {
	switch {
	case c.simple != nil:
		o := c.simple
		p := parsed{Kind: "single", Addrs: []string{o.Addr}, DB: o.DB, Username: o.Username, Password: o.Password}
		if o.TLSConfig != nil {
			p.TLSServerName = o.TLSConfig.ServerName
		}
		return p
	case c.cluster != nil:
		o := c.cluster
		p := parsed{Kind: "cluster", Addrs: o.Addrs, Username: o.Username, Password: o.Password}
		if o.TLSConfig != nil {
			p.TLSServerName = o.TLSConfig.ServerName
		}
		return p
	case c.failover != nil:
		o := c.failover
		p := parsed{Kind: "sentinel", Addrs: o.SentinelAddrs, DB: o.DB, Username: o.Username, Password: o.Password, Master: o.MasterName}
		if o.TLSConfig != nil {
			p.TLSServerName = o.TLSConfig.ServerName
		}
		return p
	}
	return parsed{}
}

func TestParseRedisURL(t *testing.T) {
	tests := []struct {
		url  string
		want parsed
	}{
		{"redis://127.0.0.1:6379/0", parsed{Kind: "single", Addrs: []string{"127.0.0.1:6379"}}},
		{"redis://localhost", parsed{Kind: "single", Addrs: []string{"localhost:6379"}}},
		{"redis://:s3cr3t@redis.internal:6380/2", parsed{Kind: "single", Addrs: []string{"redis.internal:6380"}, DB: 2, Password: "s3cr3t"}},
		{"redis://minqing:p%40ss%2Fw%3Ard@[::1]:6379/1", parsed{Kind: "single", Addrs: []string{"[::1]:6379"}, DB: 1, Username: "minqing", Password: "p@ss/w:rd"}},
		{"rediss://user:s3cr3t@cache.example.com:6380/3", parsed{Kind: "single", Addrs: []string{"cache.example.com:6380"}, DB: 3, Username: "user", Password: "s3cr3t", TLSServerName: "cache.example.com"}},
		{"redis://h1:7000?addr=h2:7001&addr=h3:7002", parsed{Kind: "cluster", Addrs: []string{"h1:7000", "h2:7001", "h3:7002"}}},
		{"rediss://:s3cr3t@h1:7000/0?addr=h2:7001", parsed{Kind: "cluster", Addrs: []string{"h1:7000", "h2:7001"}, Password: "s3cr3t", TLSServerName: "h1"}},
		{"redis-sentinel://:s3cr3t@s1:26379,s2:26380/3?master=mymaster", parsed{Kind: "sentinel", Addrs: []string{"s1:26379", "s2:26380"}, DB: 3, Password: "s3cr3t", Master: "mymaster"}},
		{"redis-sentinel://app:s3cr3t@s1,10.0.0.2,[::1]:26380?master=m", parsed{Kind: "sentinel", Addrs: []string{"s1:26379", "10.0.0.2:26379", "[::1]:26380"}, Username: "app", Password: "s3cr3t", Master: "m"}},
		{"redis-sentinel://s1:26379/?master=m", parsed{Kind: "sentinel", Addrs: []string{"s1:26379"}, Master: "m"}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			cfg, err := parseRedisURL(tt.url)
			if err != nil {
				t.Fatalf("parseRedisURL: %v", err)
			}
			if diff := cmp.Diff(tt.want, summarize(cfg)); diff != "" {
				t.Errorf("parseRedisURL mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRedisURLErrors(t *testing.T) {
	// Every password here contains "s3cr3t"; no error may show it.
	tests := []struct {
		url     string
		wantMsg string // a substring of the error
	}{
		{"", "missing scheme"},
		{"localhost:6379", "missing scheme"},
		{"s3cr3t", "missing scheme"},
		{"http://:s3cr3t@host", `unsupported scheme "http"`},
		{"redis://:s3cr3t@", "missing host"},
		{"redis://:s3cr3t@host/abc", "invalid database number"},
		{"redis://:s3cr3t@host/1/2", "invalid URL path"},
		{"redis://:s3cr3t@host:port", "malformed URL"},
		{"redis://:s3cr3t/x@host:6379", "malformed URL"},    // unencoded '/'
		{"redis://:123/s3cr3t@host:6379", "percent-encode"}, // unencoded '/' after digits
		{"redis://:12?s3cr3t@host", "percent-encode"},       // unencoded '?'
		{"redis://:12#s3cr3t@host", "percent-encode"},       // unencoded '#'
		{"redis://:s3cr3t@host#frag", "malformed URL"},      // fragment
		{"redis://:s3cr3t@host?bogus=1", "unexpected option: bogus"},
		{"redis://:s3cr3t@host?dial_timeout=s3cr3t", "invalid dial_timeout"},
		{"redis://:s3cr3t@host?password=s3cr3t", "unexpected option: password"},
		{"redis://:s3cr3t@h1:7000/3?addr=h2:7001", "only database 0"},
		{"redis://:s3cr3t@h1:7000?addr=h2", "addr"},
		{"redis-sentinel://:s3cr3t@s1:26379", "missing master"},
		{"redis-sentinel://:s3cr3t@?master=m", "missing sentinel address"},
		{"redis-sentinel://:s3cr3t@s1:26379,?master=m", "invalid sentinel address"},
		{"redis-sentinel://:s3cr3t@s1:abc?master=m", "invalid port"},
		{"redis-sentinel://:s3cr3t@s1:0?master=m", "invalid port"},
		{"redis-sentinel://:s3cr3t@s1/x?master=m", "invalid database number"},
		{"redis-sentinel://:s3cr3t@s1?master=m&db=2", "unexpected option: db"},
		{"redis-sentinel://:s3/cr3t@s1?master=m", "percent-encode"},
		{"redis-sentinel://:s3cr3t@s1?master=m#f", "malformed URL"},
		{"redis-sentinel://:s3%zzcr3t@s1?master=m", "malformed URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			cfg, err := parseRedisURL(tt.url)
			if err == nil {
				t.Fatalf("parseRedisURL = %+v, want an error", summarize(cfg))
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q does not contain %q", msg, tt.wantMsg)
			}
			for _, secret := range []string{"s3cr3t", "cr3t"} {
				if strings.Contains(msg, secret) {
					t.Errorf("error %q contains the password", msg)
				}
			}
			if !errors.Is(err, bot.ErrInvalid) {
				t.Errorf("error %q does not wrap ErrInvalid", msg)
			}
			if !strings.HasPrefix(msg, "state: redis URL: ") {
				t.Errorf("error %q lacks the context prefix", msg)
			}
		})
	}
}

// TestOpenRedisTimeouts checks the webhook timeouts and that the URL can
// override them.
func TestOpenRedisTimeouts(t *testing.T) {
	type timeouts struct {
		Dial, Read, Write, Pool   time.Duration
		MaxRetries, DialerRetries int
		ContextTimeoutEnabled     bool
	}
	tuned := timeouts{time.Second, 500 * time.Millisecond, 500 * time.Millisecond, time.Second, 1, 1, true}
	tests := []struct {
		url  string
		want timeouts
	}{
		{"redis://127.0.0.1:1/0", tuned},
		{"redis://127.0.0.1:1/0?dial_timeout=3s&max_retries=2", timeouts{3 * time.Second, 500 * time.Millisecond, 500 * time.Millisecond, time.Second, 2, 1, true}},
		{"redis://127.0.0.1:1?addr=127.0.0.1:2", tuned},
		{"redis-sentinel://127.0.0.1:1?master=m", tuned},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			r, err := OpenRedis(t.Context(), tt.url, RedisOptions{})
			if err != nil {
				t.Fatalf("OpenRedis: %v", err)
			}
			defer r.Close()
			var got timeouts
			switch c := r.Client().(type) {
			case *redis.Client:
				o := c.Options()
				got = timeouts{o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout, o.MaxRetries, o.DialerRetries, o.ContextTimeoutEnabled}
			case *redis.ClusterClient:
				o := c.Options()
				got = timeouts{o.DialTimeout, o.ReadTimeout, o.WriteTimeout, o.PoolTimeout, o.MaxRetries, o.DialerRetries, o.ContextTimeoutEnabled}
			default:
				t.Fatalf("client is a %T", c)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("options mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(DefaultPrefix, r.Prefix()); diff != "" {
				t.Errorf("prefix mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
