package dev

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"minqing/bot"
	"minqing/handlers/fakewechat"
	"minqing/handlers/wechat"
)

// The simulator's HTTP API, under /dev/:
//
//	GET  /dev/                the simulator page (static files under /dev/static/)
//	GET  /dev/api/personas    {"personas": [...], "menu": [...], "mode": "plain"|"aes"}
//	POST /dev/api/send        {"persona"|"openid", "text"|"voice"|"event"+"key"}
//	                          → {"reply", "empty", "status"}
//	GET  /dev/api/pushed      ?openid=…|persona=… (repeatable) &after=SEQ &wait=20s
//	                          → {"messages": [{"seq","openid","text","at"}], "last_seq"}

const (
	// MaxText is the longest text or voice recognition the simulator sends,
	// in characters.
	MaxText = 2000
	// MaxWait bounds a long-poll of /dev/api/pushed. It stays below the
	// server's write timeout (30 s).
	MaxWait = 25 * time.Second

	maxRequestBody = 16 << 10
	maxKey         = 128
	maxOpenIDs     = 16
	// sendTimeout bounds one message to the webhook; the webhook itself
	// answers within its reply budget (≈4.5 s).
	sendTimeout = 15 * time.Second
	// accountID is the ToUserName of simulated messages: the account's
	// original ID (gh_…).
	accountID = "gh_minqing_dev"
)

//go:embed static
var static embed.FS

// Options configure the simulator.
type Options struct {
	// WebhookURL is the service's own POST /wechat, e.g.
	// http://127.0.0.1:8080/wechat.
	WebhookURL string
	// Token, AppID and AESKey are the official account's; an empty AESKey
	// means plain mode.
	Token, AppID, AESKey string
	// Fake is the fake WeChat API the service pushes to.
	Fake *fakewechat.Server
	// Menu is the custom menu the page shows.
	Menu []bot.MenuItem
	// Logger gets failures; it never gets an openid or message text.
	Logger *slog.Logger
}

// handler serves /dev/.
type handler struct {
	o      Options
	log    *slog.Logger
	client *wechat.Client
	mux    *http.ServeMux
	etags  map[string]string // static file path → ETag
	mode   string            // "plain" or "aes"

	msgID atomic.Int64
	// lastEvent is the CreateTime of the last event sent: events are
	// deduplicated by sender and CreateTime, so each gets its own second.
	evMu      sync.Mutex
	lastEvent int64
}

// The public dev-mode account, the only one the simulator signs for. The
// configuration (package config) defaults dev mode to the same values; a
// test in cmd/minqing checks that they agree.
const (
	Token  = "minqing-dev-token"
	AESKey = "minqingDevAESKeyForTheSimulatorOnly00000000"
)

// NewHandler returns the simulator; it serves every path under /dev/
// except those the caller mounts more specifically (the fake WeChat API at
// /dev/wechat-api/).
func NewHandler(o Options) (http.Handler, error) {
	if o.WebhookURL == "" || o.Token == "" || o.Fake == nil {
		return nil, errors.New("dev: WebhookURL, Token and Fake are required")
	}
	// The simulator lets anyone speak as any user: it only ever signs
	// with the public dev-mode account, never a real one.
	if o.Token != Token || (o.AESKey != "" && o.AESKey != AESKey) {
		return nil, errors.New("dev: the simulator runs only with the dev-mode Token and AES key, never a real official account's")
	}
	h := &handler{o: o, log: o.Logger, mode: "plain"}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	if h.o.Menu == nil {
		h.o.Menu = []bot.MenuItem{}
	}
	h.client = &wechat.Client{
		URL: o.WebhookURL, Token: o.Token, AppID: o.AppID,
		HTTP: &http.Client{Timeout: sendTimeout},
	}
	if o.AESKey != "" {
		c, err := wechat.NewCrypto(o.AESKey, o.AppID)
		if err != nil {
			return nil, fmt.Errorf("dev: %w", err)
		}
		h.client.Crypto = c
		h.mode = "aes"
	}
	// MsgIds must not repeat across restarts: processed messages are
	// remembered for a day.
	h.msgID.Store(time.Now().UnixMicro())

	h.etags = map[string]string{}
	err := fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		h.etags["/dev/"+p] = `"` + hex.EncodeToString(sum[:8]) + `"`
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dev: static files: %w", err)
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /dev/{$}", h.page)
	mux.Handle("GET /dev/static/", http.StripPrefix("/dev/", http.FileServerFS(static)))
	mux.HandleFunc("GET /dev/api/personas", h.personas)
	mux.HandleFunc("POST /dev/api/send", h.send)
	mux.HandleFunc("GET /dev/api/pushed", h.pushed)
	h.mux = mux
	// Another site open in the same browser must not post as a persona.
	return http.NewCrossOriginProtection().Handler(h), nil
}

// contentSecurityPolicy allows the page its own files only.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; connect-src 'self'; manifest-src 'self'; " +
	"base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", contentSecurityPolicy)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	hd.Set("Cross-Origin-Resource-Policy", "same-origin")
	switch {
	case strings.HasPrefix(r.URL.Path, "/dev/api/"):
		hd.Set("Cache-Control", "no-store")
	case strings.HasPrefix(r.URL.Path, "/dev/static/"):
		etag, ok := h.etags[r.URL.Path]
		if !ok { // directories and unknown files: no listings
			http.NotFound(w, r)
			return
		}
		hd.Set("Cache-Control", "no-cache")
		hd.Set("ETag", etag)
	default:
		hd.Set("Cache-Control", "no-cache")
		if r.URL.Path == "/dev/" {
			hd.Set("ETag", h.etags["/dev/static/index.html"])
		}
	}
	h.mux.ServeHTTP(w, r)
}

func (h *handler) page(w http.ResponseWriter, r *http.Request) {
	b, err := static.ReadFile("static/index.html")
	if err != nil {
		http.Error(w, "page missing", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	http.ServeContent(w, r, "index.html", time.Time{}, bytes.NewReader(b))
}

func (h *handler) personas(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, struct {
		Personas []Persona      `json:"personas"`
		Menu     []bot.MenuItem `json:"menu"`
		Mode     string         `json:"mode"`
	}{Personas, h.o.Menu, h.mode})
}

// sendRequest is the body of POST /dev/api/send. Exactly one of Text,
// Voice and Event is set.
type sendRequest struct {
	Persona string  `json:"persona"`
	OpenID  string  `json:"openid"`
	Text    *string `json:"text"`
	Voice   *string `json:"voice"`
	Event   string  `json:"event"`
	Key     string  `json:"key"`
}

// SendResult is the answer of POST /dev/api/send.
type SendResult struct {
	// Reply is the passive reply's text ("" when Empty).
	Reply string `json:"reply"`
	// Empty reports that the webhook answered "success" or nothing: no
	// passive reply (a late answer then arrives as a pushed message).
	Empty bool `json:"empty"`
	// Status is the webhook's HTTP status.
	Status int `json:"status"`
}

// badRequest is an input problem, said in Chinese to the page.
type badRequest string

func (e badRequest) Error() string { return string(e) }

func (h *handler) send(w http.ResponseWriter, r *http.Request) {
	// JSON only: a cross-site form cannot send it without a CORS preflight.
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeError(w, http.StatusUnsupportedMediaType, "请求应为 JSON（Content-Type: application/json）")
		return
	}
	var req sendRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "请求格式不正确，应为 JSON")
		return
	}
	openid, err := resolveUser(req.Persona, req.OpenID)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	now := time.Now()
	m, err := h.message(req, openid, now)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	switch {
	case m.Event == "unsubscribe":
		h.o.Fake.SetFollower(openid, false)
	case m.Event == "subscribe":
		h.o.Fake.SetFollower(openid, true)
		h.o.Fake.Touch(openid, now)
	default:
		// WeChat's 48-hour customer-service window opens when a user writes.
		h.o.Fake.Touch(openid, now)
	}

	ctx, cancel := context.WithTimeout(r.Context(), sendTimeout)
	defer cancel()
	res, err := h.client.Send(ctx, m)
	if err != nil {
		// A *url.Error names the request URL, which carries the openid:
		// keep only what went wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		h.log.Warn("dev_send_failed", "msg_type", m.MsgType, "status", res.Status, "err", err)
		writeJSON(w, http.StatusBadGateway, map[string]any{
			"error": "发送到 " + h.o.WebhookURL + " 失败：" + err.Error(), "status": res.Status,
		})
		return
	}
	if !res.OK() {
		writeJSON(w, http.StatusBadGateway, map[string]any{
			"error": fmt.Sprintf("服务拒绝了这条消息（HTTP %d）：%s", res.Status, strings.TrimSpace(string(res.Body))), "status": res.Status,
		})
		return
	}
	out := SendResult{Empty: res.Empty, Status: res.Status}
	if !res.Empty {
		out.Reply = res.Reply.Content
		if res.Reply.MsgType != "text" {
			out.Reply = "[" + res.Reply.MsgType + "] " + res.Reply.Title + res.Reply.Content
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// resolveUser returns the openid a request speaks as.
func resolveUser(persona, openid string) (string, error) {
	switch {
	case persona != "" && openid != "":
		return "", badRequest("persona 和 openid 只能指定一个")
	case persona != "":
		p, ok := PersonaByKey(persona)
		if !ok {
			return "", badRequest("没有这个身份：" + truncate(persona, 32))
		}
		return p.OpenID, nil
	case openid != "":
		if !validOpenID(openid) {
			return "", badRequest("openid 格式不正确：只能是 1–64 个字母、数字、-或_")
		}
		return openid, nil
	}
	return "", badRequest("请指定身份（persona）或 openid")
}

// message builds the WeChat message a request describes.
func (h *handler) message(req sendRequest, openid string, now time.Time) (wechat.Message, error) {
	n := 0
	for _, set := range []bool{req.Text != nil, req.Voice != nil, req.Event != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return wechat.Message{}, badRequest("请提供 text、voice 或 event 中的一项")
	}
	if req.Event == "" && req.Key != "" {
		return wechat.Message{}, badRequest("key 只用于事件")
	}
	switch {
	case req.Text != nil:
		if err := checkText(*req.Text); err != nil {
			return wechat.Message{}, err
		}
		return wechat.NewText(openid, accountID, *req.Text, h.msgID.Add(1), now), nil
	case req.Voice != nil:
		if err := checkText(*req.Voice); err != nil {
			return wechat.Message{}, err
		}
		id := h.msgID.Add(1)
		return wechat.NewVoice(openid, accountID, *req.Voice, "dev-voice-"+strconv.FormatInt(id, 36), id, now), nil
	}
	var event string
	switch strings.ToLower(req.Event) {
	case "click":
		event = "CLICK"
		if req.Key == "" {
			return wechat.Message{}, badRequest("菜单点击（CLICK）需要 key")
		}
	case "subscribe":
		event = "subscribe"
	case "unsubscribe":
		event = "unsubscribe"
	default:
		return wechat.Message{}, badRequest("不支持的事件：" + truncate(req.Event, 32) + "（可用：CLICK、subscribe、unsubscribe）")
	}
	if len(req.Key) > maxKey || !utf8.ValidString(req.Key) {
		return wechat.Message{}, badRequest("key 太长或不是有效的文字")
	}
	return wechat.NewEvent(openid, accountID, event, req.Key, h.eventTime(now)), nil
}

// eventTime returns a CreateTime for an event: now, or one second after
// the previous event's if that is not earlier.
func (h *handler) eventTime(now time.Time) time.Time {
	h.evMu.Lock()
	defer h.evMu.Unlock()
	h.lastEvent = max(now.Unix(), h.lastEvent+1)
	return time.Unix(h.lastEvent, 0)
}

func checkText(s string) error {
	switch {
	case !utf8.ValidString(s):
		return badRequest("消息不是有效的 UTF-8 文字")
	case strings.TrimSpace(s) == "":
		return badRequest("消息不能为空")
	case utf8.RuneCountInString(s) > MaxText:
		return badRequest(fmt.Sprintf("消息太长：%d 字，最多 %d 字", utf8.RuneCountInString(s), MaxText))
	}
	return nil
}

// validOpenID accepts what WeChat's openids (and the personas') look like.
func validOpenID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Pushed is one message the service pushed to a user.
type Pushed struct {
	Seq    int64     `json:"seq"`
	OpenID string    `json:"openid"`
	Text   string    `json:"text"`
	At     time.Time `json:"at"`
}

// PushedPage is the answer of GET /dev/api/pushed.
type PushedPage struct {
	Messages []Pushed `json:"messages"`
	// LastSeq is the highest sequence number the fake has assigned; pass
	// it as after next time. It is lower than after if the service
	// restarted: start again from 0.
	LastSeq int64 `json:"last_seq"`
}

func (h *handler) pushed(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	users := map[string]bool{}
	for _, key := range q["persona"] {
		p, ok := PersonaByKey(key)
		if !ok {
			writeError(w, http.StatusBadRequest, "没有这个身份："+truncate(key, 32))
			return
		}
		users[p.OpenID] = true
	}
	for _, id := range q["openid"] {
		if !validOpenID(id) {
			writeError(w, http.StatusBadRequest, "openid 格式不正确")
			return
		}
		users[id] = true
	}
	switch {
	case len(users) == 0:
		writeError(w, http.StatusBadRequest, "请指定 openid 或 persona")
		return
	case len(users) > maxOpenIDs:
		writeError(w, http.StatusBadRequest, fmt.Sprintf("最多同时查询 %d 个用户", maxOpenIDs))
		return
	}
	var after int64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "after 应为消息序号（非负整数）")
			return
		}
		after = n
	}
	var wait time.Duration
	if v := q.Get("wait"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			n, nerr := strconv.Atoi(v)
			if nerr != nil {
				writeError(w, http.StatusBadRequest, "wait 应为时长，例如 20s")
				return
			}
			d = time.Duration(n) * time.Second
		}
		wait = min(max(d, 0), MaxWait)
	}

	page, err := h.waitPushed(r.Context(), users, after, wait)
	if err != nil {
		if r.Context().Err() == nil {
			h.log.Warn("dev_pushed_failed", "err", err)
			writeError(w, http.StatusInternalServerError, "读取推送消息失败")
		}
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// waitPushed returns the messages pushed to users after sequence number
// after, waiting up to wait for the first one. It reads the fake's own
// long-poll (GET /_fake/sent), in process.
func (h *handler) waitPushed(ctx context.Context, users map[string]bool, after int64, wait time.Duration) (PushedPage, error) {
	touser := ""
	if len(users) == 1 {
		touser = slices.Collect(maps.Keys(users))[0]
	}
	deadline := time.Now().Add(wait)
	cursor := after
	for first := true; ; first = false {
		remaining := time.Until(deadline)
		if first || remaining < 0 {
			remaining = 0
		}
		page, err := h.fakeSent(ctx, touser, cursor, remaining)
		if err != nil {
			return PushedPage{}, err
		}
		out := PushedPage{Messages: []Pushed{}, LastSeq: page.LastSeq}
		if page.LastSeq < after {
			return out, nil // the fake restarted: its numbers begin again
		}
		for _, m := range page.Messages {
			if users[m.ToUser] {
				out.Messages = append(out.Messages, Pushed{Seq: m.Seq, OpenID: m.ToUser, Text: pushedText(m), At: m.At})
			}
			cursor = max(cursor, m.Seq)
		}
		if len(out.Messages) > 0 || (!first && remaining == 0) || (first && wait == 0) {
			return out, nil
		}
		cursor = max(cursor, page.LastSeq)
	}
}

// fakeSent asks the fake's inspection API, in process.
func (h *handler) fakeSent(ctx context.Context, touser string, after int64, wait time.Duration) (fakewechat.SentPage, error) {
	v := url.Values{"after": {strconv.FormatInt(after, 10)}}
	if touser != "" {
		v.Set("touser", touser)
	}
	if wait > 0 {
		v.Set("wait", wait.String())
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "/_fake/sent?"+v.Encode(), nil)
	if err != nil {
		return fakewechat.SentPage{}, fmt.Errorf("fake sent: %w", err)
	}
	rec := &recorder{header: http.Header{}}
	h.o.Fake.ServeHTTP(rec, req)
	if err := ctx.Err(); err != nil {
		return fakewechat.SentPage{}, err
	}
	if rec.status != 0 && rec.status != http.StatusOK {
		return fakewechat.SentPage{}, fmt.Errorf("fake sent: status %d", rec.status)
	}
	var page fakewechat.SentPage
	if err := json.Unmarshal(rec.body.Bytes(), &page); err != nil {
		return fakewechat.SentPage{}, fmt.Errorf("fake sent: %w", err)
	}
	return page, nil
}

// pushedText shows a pushed message as text: a customer-service message's
// content, or a template message's fields.
func pushedText(m fakewechat.Sent) string {
	if m.API != fakewechat.APITemplate {
		return m.Text
	}
	var b strings.Builder
	b.WriteString("[模板消息]")
	for _, k := range slices.Sorted(maps.Keys(m.Data)) {
		b.WriteString("\n" + k + "：" + m.Data[k])
	}
	if m.URL != "" {
		b.WriteString("\n" + m.URL)
	}
	return b.String()
}

// recorder is a minimal in-memory http.ResponseWriter.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(b)
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "encode", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.Copy(w, &buf)
}
