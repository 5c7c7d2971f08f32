package handlers

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"minqing/bot"
	"minqing/handlers/wechat"
)

// The webhook: GET /wechat answers WeChat's URL verification, POST /wechat
// takes messages in plain, compatible and safe (AES) mode — plain mode only
// when no AES key is configured. The order of checks is fixed: query
// parameters, timestamp window, mode, signature, body size, the plain-mode
// nonce (used once), decryption, XML — so that forged, replayed or stale
// requests cost as little as possible and nothing reaches the bot
// unverified.

// maxPassiveReply is the size above which a passive reply is split and the
// rest is pushed as customer-service messages (WeChat's widely observed
// limit is 2048 bytes).
const maxPassiveReply = 2000

// processTimeout bounds the work on one message after the passive reply was
// given up: a late reply is still pushed if it completes within it.
const processTimeout = 60 * time.Second

// MaxOpenIDBytes bounds FromUserName: an openid is 28 characters, and the
// sealed form stored for it must fit its column.
const MaxOpenIDBytes = 128

const (
	// nonceTimeout bounds the state-store round trip of the nonce check.
	nonceTimeout = time.Second
	// noSkewNonceTTL is how long nonces are remembered when the timestamp
	// check is off (MINQING_WECHAT_MAX_SKEW=0).
	noSkewNonceTTL = 10 * time.Minute
)

// NonceStore remembers the nonces of signed requests across instances;
// storage/state.Redis and storage/state.Memory are ones.
type NonceStore interface {
	// SetOnce stores value under key for ttl unless key is there; it
	// reports whether it stored it, and otherwise returns the first value.
	SetOnce(ctx context.Context, key string, value []byte, ttl time.Duration) (first bool, stored []byte, err error)
}

// httpError is a refusal: a status, a short body and the metrics outcome.
type httpError struct {
	status  int
	outcome string
	msg     string
	err     error // the cause, for the log
}

func (e *httpError) Error() string { return e.msg }

func refuse(status int, outcome, msg string, err error) *httpError {
	return &httpError{status: status, outcome: outcome, msg: msg, err: err}
}

// wechatQuery is the signed part of a webhook request.
type wechatQuery struct {
	signature, msgSignature, timestamp, nonce, encryptType string
}

func (s *Server) checkQuery(r *http.Request) (wechatQuery, *httpError) {
	v := r.URL.Query()
	q := wechatQuery{
		signature:    v.Get("signature"),
		msgSignature: v.Get("msg_signature"),
		timestamp:    v.Get("timestamp"),
		nonce:        v.Get("nonce"),
		encryptType:  v.Get("encrypt_type"),
	}
	if q.timestamp == "" || q.nonce == "" {
		return q, refuse(http.StatusBadRequest, outcomeBadRequest, "missing timestamp or nonce", nil)
	}
	ts, err := strconv.ParseInt(q.timestamp, 10, 64)
	if err != nil {
		return q, refuse(http.StatusBadRequest, outcomeBadRequest, "bad timestamp", err)
	}
	if skew := s.opts.MaxSkew; skew > 0 {
		d := s.now().Sub(time.Unix(ts, 0))
		if d > skew || d < -skew {
			return q, refuse(http.StatusForbidden, outcomeStale, "stale timestamp", nil)
		}
	}
	return q, nil
}

// wechatVerify answers the URL verification of the WeChat admin console.
func (s *Server) wechatVerify(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	q, herr := s.checkQuery(r)
	if herr == nil && !wechat.VerifySignature(q.signature, s.opts.Token, q.timestamp, q.nonce) {
		herr = refuse(http.StatusForbidden, outcomeBadSignature, "bad signature", nil)
	}
	if herr != nil {
		s.writeRefusal(w, herr, start)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, r.URL.Query().Get("echostr"))
	s.observe(outcomeVerified, "verify", start)
}

// wechatMessage takes one message.
func (s *Server) wechatMessage(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	msg, safe, herr := s.readMessage(w, r)
	if herr != nil {
		s.writeRefusal(w, herr, start)
		return
	}
	mode := "plain"
	if safe {
		mode = "aes"
	}
	in := toInbound(msg)
	out, outcome := s.process(r.Context(), w, in, mode, start)
	if outcome == outcomeLate {
		return // answered "success" at the budget; the reply is pushed
	}
	text := out.Reply.Text
	if len(text) > maxPassiveReply {
		var rest []string
		text, rest = splitText(text, maxPassiveReply)
		s.pushLater(in.OpenID, rest)
	}
	if text == "" {
		writeSuccess(w)
		s.observe(outcome, mode, start)
		return
	}
	body := wechat.TextReply(msg.FromUserName, msg.ToUserName, s.now().Unix(), text)
	if safe {
		var err error
		body, err = wechat.EncryptedReply(s.crypto, s.opts.Token, body, s.now().Unix(), nonce())
		if err != nil {
			s.log.Error("reply_encrypt_failed", "err", err)
			writeSuccess(w)
			s.observe(outcomeError, mode, start)
			return
		}
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Write(body)
	s.observe(outcome, mode, start)
}

// readMessage verifies, reads, decrypts and parses a POST.
func (s *Server) readMessage(w http.ResponseWriter, r *http.Request) (wechat.Message, bool, *httpError) {
	var msg wechat.Message
	q, herr := s.checkQuery(r)
	if herr != nil {
		return msg, false, herr
	}
	safe := false
	switch q.encryptType {
	case "", "raw":
		// Plain mode: the signature covers the query only, never the
		// body, so with safe mode configured a plain request is a
		// forgery waiting to happen (one captured URL would let anyone
		// post any body). Check the signature before reading the body.
		if s.crypto != nil {
			return msg, false, refuse(http.StatusForbidden, outcomePlainRefused, "plain mode is refused: this account uses safe mode (encrypt_type=aes)", nil)
		}
		if !wechat.VerifySignature(q.signature, s.opts.Token, q.timestamp, q.nonce) {
			return msg, false, refuse(http.StatusForbidden, outcomeBadSignature, "bad signature", nil)
		}
	case "aes":
		if s.crypto == nil {
			return msg, false, refuse(http.StatusBadRequest, outcomeBadRequest, "safe mode is not configured (MINQING_WECHAT_AES_KEY)", nil)
		}
		safe = true
	default:
		return msg, false, refuse(http.StatusBadRequest, outcomeBadRequest, "unknown encrypt_type", nil)
	}

	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return msg, safe, refuse(http.StatusRequestEntityTooLarge, outcomeTooLarge, "body too large", nil)
		}
		return msg, safe, refuse(http.StatusBadRequest, outcomeBadRequest, "cannot read body", err)
	}

	inner := body
	if safe {
		env, err := wechat.ParseEnvelope(body)
		if err != nil {
			return msg, safe, refuse(http.StatusBadRequest, outcomeBadRequest, "malformed XML", err)
		}
		if !wechat.VerifySignature(q.msgSignature, s.opts.Token, q.timestamp, q.nonce, env.Encrypt) {
			return msg, safe, refuse(http.StatusForbidden, outcomeBadSignature, "bad msg_signature", nil)
		}
		inner, err = s.crypto.Decrypt(env.Encrypt)
		switch {
		case errors.Is(err, wechat.ErrWrongAppID):
			return msg, safe, refuse(http.StatusBadRequest, outcomeBadRequest, "wrong AppID", err)
		case err != nil:
			return msg, safe, refuse(http.StatusBadRequest, outcomeBadRequest, "cannot decrypt", err)
		}
	}
	if !safe {
		if herr := s.checkNonce(r.Context(), q, body); herr != nil {
			return msg, safe, herr
		}
	}
	msg, err = wechat.ParseMessage(inner)
	if err != nil {
		return msg, safe, refuse(http.StatusBadRequest, outcomeBadRequest, "malformed XML", err)
	}
	if len(msg.FromUserName) > MaxOpenIDBytes {
		return msg, safe, refuse(http.StatusBadRequest, outcomeBadRequest, "FromUserName too long", nil)
	}
	return msg, safe, nil
}

// checkNonce accepts a plain-mode query's timestamp and nonce once within
// the skew window, across instances. A second request with the same query
// is accepted only with the same body (WeChat retransmitting, which the
// bot's dedup answers); with another body it is a captured URL replayed,
// and refused. If the store cannot be reached the check fails closed: 503,
// and WeChat tries again.
//
// Safe mode needs no such check: its msg_signature covers the body, so a
// replayed query can only carry the same message, which dedup answers.
func (s *Server) checkNonce(ctx context.Context, q wechatQuery, body []byte) *httpError {
	if s.opts.Nonces == nil {
		return nil
	}
	key := sha256.Sum256([]byte(q.timestamp + "\x00" + q.nonce))
	sum := sha256.Sum256(body)
	ctx, cancel := context.WithTimeout(ctx, nonceTimeout)
	defer cancel()
	first, stored, err := s.opts.Nonces.SetOnce(ctx, "nonce:"+hex.EncodeToString(key[:16]), sum[:16], s.nonceTTL())
	switch {
	case err != nil:
		return refuse(http.StatusServiceUnavailable, outcomeUnavailable, "cannot check the nonce", err)
	case first || bytes.Equal(stored, sum[:16]):
		return nil
	}
	return refuse(http.StatusForbidden, outcomeReplayed, "nonce already used", nil)
}

// nonceTTL is how long a nonce is remembered: as long as its timestamp is
// accepted, plus a margin.
func (s *Server) nonceTTL() time.Duration {
	if s.opts.MaxSkew <= 0 {
		return noSkewNonceTTL
	}
	return 2*s.opts.MaxSkew + time.Minute
}

// process runs the bot on the request's goroutine within the reply budget.
// Past the budget a timer answers WeChat "success" on w while the bot is
// still working, and process returns outcomeLate once it is done: the
// reply is then pushed as a customer-service message, in the background.
//
// w is written by exactly one side: the timer, if it wins the handoff
// before the bot returns, or the caller, after process returns. When the
// timer wins, process waits for its write to finish before it returns, so
// the caller (and net/http after it) never touches w concurrently.
func (s *Server) process(ctx context.Context, w http.ResponseWriter, in bot.Inbound, mode string, start time.Time) (bot.Outcome, string) {
	const (
		waiting int32 = iota
		taken         // the request answers with the result
		late          // the timer answered "success": the reply is pushed
	)
	// The work counts as outliving its request from the start: it may,
	// and Shutdown waits for it.
	s.workers.Add(1)
	var handoff atomic.Int32
	answered := make(chan struct{})
	timer := time.AfterFunc(s.opts.ReplyBudget, func() {
		if !handoff.CompareAndSwap(waiting, late) {
			return
		}
		defer close(answered)
		writeSuccessNow(w)
		s.observe(outcomeLate, mode, start)
	})

	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), processTimeout)
	var (
		out bot.Outcome
		err error
	)
	func() {
		defer func() {
			if v := recover(); v != nil {
				err = fmt.Errorf("panic: %v", v)
			}
		}()
		out, err = s.opts.Bot.Process(pctx, in)
	}()
	if !handoff.CompareAndSwap(waiting, taken) {
		<-answered
		go func() {
			defer s.workers.Done()
			defer cancel()
			s.deliverLate(pctx, in, out, err)
		}()
		return bot.Outcome{}, outcomeLate
	}
	timer.Stop()
	cancel()
	s.workers.Done()
	if err != nil {
		s.log.Error("process_failed", "kind", string(in.Kind), "err", err)
		return bot.Outcome{Reply: s.opts.Bot.FailureReply()}, outcomeError
	}
	if out.Duplicate != "" {
		s.metrics.dedupHits.WithLabelValues(out.Duplicate).Inc()
		return out, outcomeDuplicate
	}
	return out, outcomeReplied
}

// deliverLate pushes the reply of a message whose passive reply was given
// up. A duplicate's reply is never pushed (its first delivery answers)
// unless that delivery died before answering (bot.DupRecovered). A
// message that failed after WeChat was told "success" is not lost
// silently: the sender is told it was not received and should be sent
// again.
func (s *Server) deliverLate(ctx context.Context, in bot.Inbound, out bot.Outcome, err error) {
	if err != nil {
		s.log.Error("process_failed", "kind", string(in.Kind), "late", true, "err", err)
		s.metrics.lateFailures.Inc()
		// The work's own deadline may be what failed it: the notice gets
		// a fresh one.
		nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), processTimeout)
		defer cancel()
		s.pushNow(nctx, in.OpenID, []string{textNotReceived}, "failure_notice")
		return
	}
	if (out.Duplicate != "" && out.Duplicate != bot.DupRecovered) || out.Reply.IsEmpty() {
		return
	}
	s.pushNow(ctx, in.OpenID, []string{out.Reply.Text}, "late_reply")
}

// pushLater sends texts as customer-service messages in the background.
func (s *Server) pushLater(openid string, texts []string) {
	if len(texts) == 0 {
		return
	}
	s.workers.Add(1)
	go func() {
		defer s.workers.Done()
		ctx, cancel := context.WithTimeout(context.Background(), processTimeout)
		defer cancel()
		s.pushNow(ctx, openid, texts, "rest_of_reply")
	}()
}

// pushAttempts is how many times a push is tried; the waits between tries
// start at Options.PushBackoff and double.
const pushAttempts = 4

// pushNow sends texts in order, each retried with backoff while WeChat or
// the network fails. A push WeChat refuses for good (the user is outside
// the 48-hour window or does not follow the account) is not retried. A
// text that cannot be delivered is counted (minqing_push_undelivered_total)
// and logged, without the recipient or the text; the texts after it are
// not sent, so that the user never gets the end of a reply without its
// start.
func (s *Server) pushNow(ctx context.Context, openid string, texts []string, what string) {
	if s.opts.Notifier == nil {
		return
	}
	for _, t := range texts {
		if err := s.pushOne(ctx, openid, t); err != nil {
			s.metrics.undelivered.WithLabelValues(what).Inc()
			s.log.Error("push_undelivered", "what", what, "err", err)
			return
		}
	}
}

func (s *Server) pushOne(ctx context.Context, openid, text string) error {
	wait := s.opts.PushBackoff
	var err error
	for attempt := 1; ; attempt++ {
		if err = s.opts.Notifier.SendText(ctx, openid, text); err == nil {
			return nil
		}
		if errors.Is(err, bot.ErrOutsideWindow) || errors.Is(err, bot.ErrNotFollowing) || attempt == pushAttempts {
			return err
		}
		s.log.Warn("push_failed", "attempt", attempt, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (after %d attempts: %w)", ctx.Err(), attempt, err)
		case <-t.C:
		}
		wait *= 2
	}
}

func (s *Server) writeRefusal(w http.ResponseWriter, e *httpError, start time.Time) {
	if e.err != nil {
		s.log.Warn("webhook_refused", "status", e.status, "reason", e.msg, "err", e.err)
	} else {
		s.log.Warn("webhook_refused", "status", e.status, "reason", e.msg)
	}
	http.Error(w, e.msg, e.status)
	s.observe(e.outcome, "refused", start)
}

func (s *Server) observe(outcome, mode string, start time.Time) {
	s.metrics.requests.WithLabelValues(outcome).Inc()
	s.metrics.latency.WithLabelValues(mode).Observe(time.Since(start).Seconds())
}

func writeSuccess(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "success")
}

// writeSuccessNow answers "success" and sends it at once, complete (an
// explicit Content-Length), while the handler is still working.
func writeSuccessNow(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Length", "7")
	io.WriteString(w, "success")
	_ = http.NewResponseController(w).Flush()
}

func nonce() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// splitText cuts s into a first part of at most max bytes and the rest in
// parts of at most max bytes, preferring line breaks, never splitting a
// UTF-8 character.
func splitText(s string, max int) (string, []string) {
	var parts []string
	for len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		for i := cut - 1; i > cut/2; i-- {
			if s[i] == '\n' {
				cut = i + 1
				break
			}
		}
		parts = append(parts, s[:cut])
		s = s[cut:]
	}
	parts = append(parts, s)
	return parts[0], parts[1:]
}
