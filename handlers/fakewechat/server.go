// Package fakewechat is a fake of the WeChat official-account HTTP API for
// tests and the dev simulator.
//
// A Server answers the handful of endpoints minqing calls — access token,
// customer-service and template messages, menu — with WeChat's JSON shapes
// and error codes, and records every accepted message so that tests and
// tools can read what the service pushed. It serves at the root path; the
// service mounts it under a prefix with http.StripPrefix (for example
// /dev/wechat-api) and points MINQING_WECHAT_API_BASE at that prefix.
//
// Besides the WeChat endpoints it serves an inspection API for tools outside
// the process (the terminal chat client, the web simulator):
//
//	GET /_fake/sent?touser=OPENID&after=SEQ[&wait=2s]
//	    {"messages":[Sent…],"last_seq":N}; with wait, long-polls until a
//	    matching message arrives or the wait (at most 30 s) passes.
//	GET /_fake/menu
//	    the last menu set with /cgi-bin/menu/create, or {} if none.
//
// A Server is safe for concurrent use and keeps at most MaxSent messages.
package fakewechat

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// API names accepted by FailNext, and used in Sent.API for messages.
const (
	APIToken       = "token"        // GET /cgi-bin/token
	APIStableToken = "stable_token" // POST /cgi-bin/stable_token
	APICustom      = "custom"       // POST /cgi-bin/message/custom/send
	APITemplate    = "template"     // POST /cgi-bin/message/template/send
	APIMenuCreate  = "menu_create"  // POST /cgi-bin/menu/create
	APIMenuGet     = "menu_get"     // GET /cgi-bin/menu/get
)

// WeChat error codes the fake answers.
const (
	CodeSystemBusy      = -1
	CodeInvalidToken    = 40001 // invalid credential, access_token is invalid or not latest
	CodeInvalidGrant    = 40002
	CodeInvalidOpenID   = 40003
	CodeInvalidMsgType  = 40008
	CodeInvalidAppID    = 40013
	CodeBadAccessToken  = 40014 // invalid access_token (malformed)
	CodeInvalidButton   = 40016
	CodeInvalidTemplate = 40037
	CodeInvalidSecret   = 40125
	CodeTokenMissing    = 41001
	CodeTokenExpired    = 42001
	CodeNotFollowing    = 43004
	CodeEmptyPost       = 44002
	CodeOutsideWindow   = 45015
	CodeMenuNotExist    = 46003
	CodeDataFormat      = 47001
)

var errMsgs = map[int]string{
	CodeSystemBusy:      "system error",
	CodeInvalidToken:    "invalid credential, access_token is invalid or not latest",
	CodeInvalidGrant:    "invalid grant_type",
	CodeInvalidOpenID:   "invalid openid",
	CodeInvalidMsgType:  "invalid message type",
	CodeInvalidAppID:    "invalid appid",
	CodeBadAccessToken:  "invalid access_token",
	CodeInvalidButton:   "invalid button size",
	CodeInvalidTemplate: "invalid template_id",
	CodeInvalidSecret:   "invalid appsecret",
	CodeTokenMissing:    "access_token missing",
	CodeTokenExpired:    "access_token expired",
	CodeNotFollowing:    "require subscribe",
	CodeEmptyPost:       "empty post data",
	CodeOutsideWindow:   "response out of time limit or subscription is canceled",
	CodeMenuNotExist:    "menu no exist",
	CodeDataFormat:      "data format error",
}

const (
	defaultTokenTTL = 7200 * time.Second
	defaultMaxSent  = 10000
	// oldTokenGrace is how long a token stays valid after a newer one was
	// issued: WeChat keeps the previous token working for about 5 minutes.
	oldTokenGrace = 5 * time.Minute
	maxWait       = 30 * time.Second
	maxBody       = 1 << 20
	// maxUsers bounds the Touch and SetFollower maps.
	maxUsers = 100000
)

// Options configures a Server.
type Options struct {
	// AppID and Secret are the credentials /cgi-bin/token accepts.
	AppID, Secret string
	// Now is the clock for token expiry, the customer-service window and
	// Sent.At; nil means time.Now.
	Now func() time.Time
	// TokenTTL is the lifetime of an issued token (expires_in); 0 means
	// 7200 s, as on WeChat.
	TokenTTL time.Duration
	// MaxSent is how many sent messages are kept (the oldest are dropped);
	// 0 means 10,000.
	MaxSent int
}

// Sent is one message the fake accepted.
type Sent struct {
	// Seq numbers accepted messages 1, 2, 3… in order, across all users.
	Seq int64 `json:"seq"`
	// API is "custom" (customer-service text) or "template".
	API    string `json:"api"`
	ToUser string `json:"touser"`
	// Text is the content of a customer-service text message.
	Text string `json:"text,omitempty"`
	// TemplateID, URL and Data describe a template message; Data maps each
	// keyword to its value.
	TemplateID string            `json:"template_id,omitempty"`
	URL        string            `json:"url,omitempty"`
	Data       map[string]string `json:"data,omitempty"`
	At         time.Time         `json:"at"`
}

type failRule struct {
	code int
	n    int
}

// Server is the fake WeChat API. Create it with New.
type Server struct {
	appID, secret string
	now           func() time.Time
	tokenTTL      time.Duration
	mux           *http.ServeMux

	mu      sync.Mutex
	tokens  map[string]time.Time // issued token → expiry
	latest  string               // most recently issued token
	fetches int
	issued  int
	sent    ring
	seq     int64
	menu    json.RawMessage
	fail    map[string]*failRule
	window  time.Duration
	touched map[string]time.Time
	// unfollowed holds the users SetFollower marked as not following;
	// everybody else follows.
	unfollowed map[string]bool
	// arrived is closed (and replaced) whenever a message is recorded, to
	// wake long-polls.
	arrived chan struct{}
}

// New returns a fake WeChat API server.
func New(o Options) *Server {
	s := &Server{
		appID:      o.AppID,
		secret:     o.Secret,
		now:        o.Now,
		tokenTTL:   o.TokenTTL,
		tokens:     make(map[string]time.Time),
		fail:       make(map[string]*failRule),
		touched:    make(map[string]time.Time),
		unfollowed: make(map[string]bool),
		arrived:    make(chan struct{}),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.tokenTTL <= 0 {
		s.tokenTTL = defaultTokenTTL
	}
	maxSent := o.MaxSent
	if maxSent <= 0 {
		maxSent = defaultMaxSent
	}
	s.sent = ring{buf: make([]Sent, maxSent)}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /cgi-bin/token", s.handleToken)
	mux.HandleFunc("POST /cgi-bin/stable_token", s.handleStableToken)
	mux.HandleFunc("POST /cgi-bin/message/custom/send", s.handleCustom)
	mux.HandleFunc("POST /cgi-bin/message/template/send", s.handleTemplate)
	mux.HandleFunc("POST /cgi-bin/menu/create", s.handleMenuCreate)
	mux.HandleFunc("GET /cgi-bin/menu/get", s.handleMenuGet)
	mux.HandleFunc("GET /_fake/sent", s.handleInspectSent)
	mux.HandleFunc("GET /_fake/menu", s.handleInspectMenu)
	s.mux = mux
	return s
}

// ServeHTTP implements http.Handler at the root path.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mux.ServeHTTP(w, r)
}

// Sent returns a copy of the recorded messages, oldest first.
func (s *Server) Sent() []Sent {
	return s.SentTo("", 0)
}

// SentTo returns the recorded messages to openid (every user if openid is
// empty) with a sequence number greater than afterSeq, oldest first.
func (s *Server) SentTo(openid string, afterSeq int64) []Sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sentLocked(openid, afterSeq)
}

// Menu returns the last menu set with /cgi-bin/menu/create (the request
// body as received), or nil if none was set.
func (s *Server) Menu() json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.menu == nil {
		return nil
	}
	return append(json.RawMessage(nil), s.menu...)
}

// TokenFetches returns how many access tokens were handed out by
// /cgi-bin/token and /cgi-bin/stable_token.
func (s *Server) TokenFetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetches
}

// TokensIssued returns how many distinct access tokens were minted: a
// stable_token call answered with the current token counts in TokenFetches
// but not here.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.issued
}

// ExpireTokens invalidates every token issued so far: the next call with
// one of them gets errcode 40001.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
	s.latest = ""
}

// FailNext makes the next n calls of api (one of the API constants) answer
// errcode instead of doing their work; n <= 0 removes the rule. An errcode
// from 500 to 599 is answered as that HTTP status instead, to simulate a
// server failure.
func (s *Server) FailNext(api string, errcode int, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n <= 0 {
		delete(s.fail, api)
		return
	}
	s.fail[api] = &failRule{code: errcode, n: n}
}

// SetWindow enables the customer-service window check: a customer-service
// message to a user whose last Touch is older than d (or who was never
// touched) gets errcode 45015. d <= 0 disables the check (the default).
func (s *Server) SetWindow(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.window = d
}

// Touch records that openid wrote to the account at t, opening the
// customer-service window.
func (s *Server) Touch(openid string, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.touched[openid]; !ok && len(s.touched) >= maxUsers {
		s.pruneTouchedLocked()
	}
	if t.After(s.touched[openid]) {
		s.touched[openid] = t
	}
}

// SetFollower sets whether openid follows the account. Everybody follows
// unless set otherwise; messages to a non-follower get errcode 43004.
func (s *Server) SetFollower(openid string, follows bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if follows {
		delete(s.unfollowed, openid)
		return
	}
	if len(s.unfollowed) >= maxUsers {
		clear(s.unfollowed)
	}
	s.unfollowed[openid] = true
}

// pruneTouchedLocked drops the oldest half of the touched users.
func (s *Server) pruneTouchedLocked() {
	var cutoff time.Time
	if s.window > 0 {
		cutoff = s.now().Add(-s.window)
	}
	for id, t := range s.touched {
		if !t.After(cutoff) {
			delete(s.touched, id)
		}
	}
	if len(s.touched) >= maxUsers {
		clear(s.touched)
	}
}

// failLocked consumes one failure of api, if one is scheduled.
func (s *Server) failLocked(api string) (code int, ok bool) {
	rule := s.fail[api]
	if rule == nil {
		return 0, false
	}
	rule.n--
	if rule.n <= 0 {
		delete(s.fail, api)
	}
	return rule.code, true
}

// checkTokenLocked validates an access_token query parameter.
func (s *Server) checkTokenLocked(token string) (code int, ok bool) {
	if token == "" {
		return CodeTokenMissing, false
	}
	exp, known := s.tokens[token]
	if !known {
		return CodeInvalidToken, false
	}
	if !s.now().Before(exp) {
		return CodeTokenExpired, false
	}
	return 0, true
}

// issueLocked hands out a new token. Earlier tokens keep working for
// oldTokenGrace at most, as on WeChat.
func (s *Server) issueLocked() (string, time.Duration) {
	now := s.now()
	for tok, exp := range s.tokens {
		if !now.Before(exp) {
			delete(s.tokens, tok)
			continue
		}
		if grace := now.Add(oldTokenGrace); exp.After(grace) {
			s.tokens[tok] = grace
		}
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := "FAKE_" + hex.EncodeToString(b[:])
	s.tokens[tok] = now.Add(s.tokenTTL)
	s.latest = tok
	s.fetches++
	s.issued++
	return tok, s.tokenTTL
}

// recordLocked stores an accepted message and wakes long-polls.
func (s *Server) recordLocked(m Sent) {
	s.seq++
	m.Seq = s.seq
	m.At = s.now()
	s.sent.push(m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

func (s *Server) sentLocked(openid string, afterSeq int64) []Sent {
	out := []Sent{}
	for i := range s.sent.n {
		m := s.sent.at(i)
		if m.Seq <= afterSeq || (openid != "" && m.ToUser != openid) {
			continue
		}
		if m.Data != nil {
			m.Data = cloneMap(m.Data)
		}
		out = append(out, m)
	}
	return out
}

func cloneMap(m map[string]string) map[string]string {
	c := make(map[string]string, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// ring is a bounded buffer of the most recent messages.
type ring struct {
	buf   []Sent
	start int // index of the oldest message
	n     int // number of messages held
}

func (r *ring) push(m Sent) {
	if r.n < len(r.buf) {
		r.buf[(r.start+r.n)%len(r.buf)] = m
		r.n++
		return
	}
	r.buf[r.start] = m
	r.start = (r.start + 1) % len(r.buf)
}

// at returns the i-th oldest message.
func (r *ring) at(i int) Sent {
	return r.buf[(r.start+i)%len(r.buf)]
}
