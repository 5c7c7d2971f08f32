package state

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/redis/go-redis/v9"

	"minqing/bot"
)

// defaultSentinelPort is used for a Sentinel address given without a port.
const defaultSentinelPort = "26379"

// redisConfig is what a MINQING_REDIS_URL describes; exactly one field is
// set.
type redisConfig struct {
	simple   *redis.Options
	cluster  *redis.ClusterOptions
	failover *redis.FailoverOptions
}

// parseRedisURL parses the forms documented on OpenRedis. Its errors wrap
// bot.ErrInvalid and never contain the password: they describe the problem
// instead of quoting the URL.
func parseRedisURL(raw string) (redisConfig, error) {
	scheme, _, ok := strings.Cut(raw, "://")
	if !ok {
		return redisConfig{}, urlError("missing scheme (want redis://, rediss:// or redis-sentinel://)")
	}
	switch scheme {
	case "redis", "rediss":
		return parseNodeURL(raw)
	case "redis-sentinel":
		return parseSentinelURL(raw)
	default:
		if !isToken(scheme) {
			return redisConfig{}, urlError("malformed URL")
		}
		return redisConfig{}, urlError(fmt.Sprintf("unsupported scheme %q (want redis, rediss or redis-sentinel)", scheme))
	}
}

// parseNodeURL parses redis:// and rediss:// URLs: a single node, or a
// cluster when addr parameters name more nodes.
func parseNodeURL(raw string) (redisConfig, error) {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole URL, password included.
		return redisConfig{}, urlError("malformed URL (percent-encode special characters in the user name and password)")
	}
	if err := checkURL(u); err != nil {
		return redisConfig{}, err
	}
	if u.Host == "" {
		return redisConfig{}, urlError("missing host")
	}
	secrets := userSecrets(u)
	if u.Query().Has("addr") {
		if db := strings.Trim(u.Path, "/"); db != "" && db != "0" {
			return redisConfig{}, urlError("a cluster has only database 0")
		}
		o, err := redis.ParseClusterURL(raw)
		if err != nil {
			return redisConfig{}, scrubbedError(err, secrets)
		}
		return redisConfig{cluster: o}, nil
	}
	o, err := redis.ParseURL(raw)
	if err != nil {
		return redisConfig{}, scrubbedError(err, secrets)
	}
	return redisConfig{simple: o}, nil
}

// parseSentinelURL parses
//
//	redis-sentinel://[[user]:pass@]host1[:port1][,host2[:port2]...][/db]?master=NAME
//
// into options for a Sentinel-backed failover client. The user name and
// password authenticate to the Redis master and replicas; the sentinels
// themselves are contacted without authentication.
func parseSentinelURL(raw string) (redisConfig, error) {
	rest := strings.TrimPrefix(raw, "redis-sentinel://")
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	userinfo, hosts := "", authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, hosts = authority[:i+1], authority[i+1:]
	}
	if strings.Contains(tail, "@") {
		return redisConfig{}, urlError("malformed URL (percent-encode special characters in the user name and password)")
	}
	// net/url cannot parse a host list; let it decode the rest around a
	// placeholder host.
	u, err := url.Parse("redis://" + userinfo + "sentinel" + tail)
	if err != nil {
		return redisConfig{}, urlError("malformed URL (percent-encode special characters in the user name and password)")
	}
	if err := checkURL(u); err != nil {
		return redisConfig{}, err
	}

	o := &redis.FailoverOptions{}
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	if hosts == "" {
		return redisConfig{}, urlError("missing sentinel address")
	}
	for h := range strings.SplitSeq(hosts, ",") {
		addr, err := sentinelAddr(h)
		if err != nil {
			return redisConfig{}, err
		}
		o.SentinelAddrs = append(o.SentinelAddrs, addr)
	}

	if db := strings.TrimPrefix(u.Path, "/"); db != "" {
		n, err := strconv.Atoi(db)
		if err != nil || n < 0 {
			return redisConfig{}, urlError(fmt.Sprintf("invalid database number %q", db))
		}
		o.DB = n
	}

	q := u.Query()
	o.MasterName = q.Get("master")
	if o.MasterName == "" {
		return redisConfig{}, urlError("missing master name (?master=NAME)")
	}
	q.Del("master")
	if len(q) > 0 {
		names := slices.Sorted(maps.Keys(q))
		return redisConfig{}, urlError(fmt.Sprintf("unexpected option: %s", strings.Join(names, ", ")))
	}
	return redisConfig{failover: o}, nil
}

// sentinelAddr validates one host[:port] of a Sentinel URL and adds the
// default port if it is missing.
func sentinelAddr(h string) (string, error) {
	host, port, err := net.SplitHostPort(h)
	if err != nil {
		host, port = strings.TrimSuffix(strings.TrimPrefix(h, "["), "]"), defaultSentinelPort
	}
	if host == "" || strings.ContainsAny(host, " []/\\") || (strings.Contains(host, ":") && net.ParseIP(host) == nil) {
		return "", urlError(fmt.Sprintf("invalid sentinel address %q", h))
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return "", urlError(fmt.Sprintf("invalid port in sentinel address %q", h))
	}
	return net.JoinHostPort(host, port), nil
}

// checkURL rejects what no supported form has. An '@' after the host means
// a password with an unencoded '/', '?' or '#' was split there; such a URL
// is refused before any part of it can be quoted in an error.
func checkURL(u *url.URL) error {
	if strings.Contains(u.EscapedPath(), "@") || strings.Contains(u.RawQuery, "@") || strings.Contains(u.Fragment, "@") {
		return urlError("malformed URL (percent-encode special characters in the user name and password)")
	}
	if u.Fragment != "" || u.Opaque != "" {
		return urlError("malformed URL")
	}
	return nil
}

// userSecrets returns the non-empty credentials in u.
func userSecrets(u *url.URL) []string {
	if u.User == nil {
		return nil
	}
	var s []string
	if p, ok := u.User.Password(); ok && p != "" {
		s = append(s, p, url.QueryEscape(p), url.PathEscape(p))
	}
	return s
}

// scrubbedError turns a go-redis parse error into ours, with any secret
// removed from its text. The go-redis error is not wrapped: its text is all
// that matters, and it must not escape unscrubbed.
func scrubbedError(err error, secrets []string) error {
	msg := strings.TrimPrefix(err.Error(), "redis: ")
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	return urlError(msg)
}

// urlError returns an error about a malformed MINQING_REDIS_URL.
func urlError(reason string) error {
	return fmt.Errorf("state: redis URL: %s: %w", reason, bot.ErrInvalid)
}

// isToken reports whether s is a plausible URL scheme, safe to quote.
func isToken(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '+' || r == '-' || r == '.') {
			return false
		}
	}
	return true
}
