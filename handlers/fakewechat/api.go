package fakewechat

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// answer is what a handler decided while holding the lock; it is written
// after the lock is released.
type answer struct {
	status int // HTTP status; 0 means 200
	body   any
}

func okAnswer(body any) answer { return answer{body: body} }

// errAnswer is WeChat's error JSON for code, or a bare HTTP status for
// codes 500–599 (see FailNext).
func errAnswer(code int) answer {
	if code >= 500 && code <= 599 {
		return answer{status: code, body: http.StatusText(code)}
	}
	msg, ok := errMsgs[code]
	if !ok {
		msg = "fake error"
	}
	return answer{body: commonError{ErrCode: code, ErrMsg: msg}}
}

type commonError struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

var okBody = commonError{ErrCode: 0, ErrMsg: "ok"}

func (a answer) write(w http.ResponseWriter) {
	if a.status != 0 && a.status != http.StatusOK {
		http.Error(w, a.body.(string), a.status)
		return
	}
	writeJSON(w, a.body)
}

func writeJSON(w http.ResponseWriter, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "encode: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// readBody reads a bounded request body; ok is false if the body could not
// be read (an answer has then been written).
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		http.Error(w, "read body: "+err.Error(), http.StatusBadRequest)
		return nil, false
	}
	return body, true
}

type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	a := s.token(APIToken, q.Get("grant_type"), q.Get("appid"), q.Get("secret"), true)
	s.mu.Unlock()
	a.write(w)
}

func (s *Server) handleStableToken(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	s.mu.Lock()
	var a answer
	if err := json.Unmarshal(body, &req); err != nil {
		a = errAnswer(CodeDataFormat)
	} else {
		a = s.token(APIStableToken, req.GrantType, req.AppID, req.Secret, req.ForceRefresh)
	}
	s.mu.Unlock()
	a.write(w)
}

// token checks credentials and hands out a token: a new one if fresh is
// set or no valid one exists, otherwise the latest (the stable-token
// behaviour).
func (s *Server) token(api, grantType, appID, secret string, fresh bool) answer {
	if code, ok := s.failLocked(api); ok {
		return errAnswer(code)
	}
	switch {
	case grantType != "client_credential":
		return errAnswer(CodeInvalidGrant)
	case appID != s.appID:
		return errAnswer(CodeInvalidAppID)
	case secret != s.secret:
		return errAnswer(CodeInvalidSecret)
	}
	if !fresh && s.latest != "" {
		if exp, ok := s.tokens[s.latest]; ok && s.now().Before(exp) {
			s.fetches++
			return okAnswer(tokenAnswer{AccessToken: s.latest, ExpiresIn: int64(exp.Sub(s.now()) / time.Second)})
		}
	}
	tok, ttl := s.issueLocked()
	return okAnswer(tokenAnswer{AccessToken: tok, ExpiresIn: int64(ttl / time.Second)})
}

// begin does the checks every token-authenticated API shares: a scheduled
// failure, the access token and an empty body. ok is false if a holds the
// answer already.
func (s *Server) begin(api string, r *http.Request, body []byte, needBody bool) (a answer, ok bool) {
	if code, failed := s.failLocked(api); failed {
		return errAnswer(code), false
	}
	if code, valid := s.checkTokenLocked(r.URL.Query().Get("access_token")); !valid {
		return errAnswer(code), false
	}
	if needBody && len(bytes.TrimSpace(body)) == 0 {
		return errAnswer(CodeEmptyPost), false
	}
	return answer{}, true
}

func (s *Server) handleCustom(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	a := s.custom(r, body)
	s.mu.Unlock()
	a.write(w)
}

func (s *Server) custom(r *http.Request, body []byte) answer {
	if a, ok := s.begin(APICustom, r, body, true); !ok {
		return a
	}
	var req struct {
		ToUser  string `json:"touser"`
		MsgType string `json:"msgtype"`
		Text    *struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return errAnswer(CodeDataFormat)
	}
	switch {
	case req.ToUser == "":
		return errAnswer(CodeInvalidOpenID)
	case req.MsgType != "text" || req.Text == nil:
		return errAnswer(CodeInvalidMsgType)
	case s.unfollowed[req.ToUser]:
		return errAnswer(CodeNotFollowing)
	}
	if s.window > 0 {
		last, ok := s.touched[req.ToUser]
		if !ok || s.now().Sub(last) > s.window {
			return errAnswer(CodeOutsideWindow)
		}
	}
	s.recordLocked(Sent{API: APICustom, ToUser: req.ToUser, Text: req.Text.Content})
	return okAnswer(okBody)
}

func (s *Server) handleTemplate(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	a := s.template(r, body)
	s.mu.Unlock()
	a.write(w)
}

func (s *Server) template(r *http.Request, body []byte) answer {
	if a, ok := s.begin(APITemplate, r, body, true); !ok {
		return a
	}
	var req struct {
		ToUser     string `json:"touser"`
		TemplateID string `json:"template_id"`
		URL        string `json:"url"`
		Data       map[string]struct {
			Value string `json:"value"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return errAnswer(CodeDataFormat)
	}
	switch {
	case req.ToUser == "":
		return errAnswer(CodeInvalidOpenID)
	case req.TemplateID == "":
		return errAnswer(CodeInvalidTemplate)
	case s.unfollowed[req.ToUser]:
		return errAnswer(CodeNotFollowing)
	}
	data := make(map[string]string, len(req.Data))
	for k, v := range req.Data {
		data[k] = v.Value
	}
	s.recordLocked(Sent{API: APITemplate, ToUser: req.ToUser, TemplateID: req.TemplateID, URL: req.URL, Data: data})
	return okAnswer(struct {
		commonError
		MsgID int64 `json:"msgid"`
	}{okBody, s.seq})
}

func (s *Server) handleMenuCreate(w http.ResponseWriter, r *http.Request) {
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	a := s.menuCreate(r, body)
	s.mu.Unlock()
	a.write(w)
}

func (s *Server) menuCreate(r *http.Request, body []byte) answer {
	if a, ok := s.begin(APIMenuCreate, r, body, true); !ok {
		return a
	}
	var req struct {
		Button []json.RawMessage `json:"button"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return errAnswer(CodeDataFormat)
	}
	if len(req.Button) == 0 || len(req.Button) > 3 {
		return errAnswer(CodeInvalidButton)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		return errAnswer(CodeDataFormat)
	}
	s.menu = compact.Bytes()
	return okAnswer(okBody)
}

func (s *Server) handleMenuGet(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	a := s.menuGet(r)
	s.mu.Unlock()
	a.write(w)
}

func (s *Server) menuGet(r *http.Request) answer {
	if a, ok := s.begin(APIMenuGet, r, nil, false); !ok {
		return a
	}
	if s.menu == nil {
		return errAnswer(CodeMenuNotExist)
	}
	return okAnswer(struct {
		Menu json.RawMessage `json:"menu"`
	}{append(json.RawMessage(nil), s.menu...)})
}

// SentPage is the answer of GET /_fake/sent.
type SentPage struct {
	Messages []Sent `json:"messages"`
	// LastSeq is the highest sequence number assigned so far; pass it as
	// after in the next poll to see only newer messages.
	LastSeq int64 `json:"last_seq"`
}

func (s *Server) handleInspectSent(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	touser := q.Get("touser")
	var after int64
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			http.Error(w, "after: want a sequence number", http.StatusBadRequest)
			return
		}
		after = n
	}
	wait, err := parseWait(q.Get("wait"))
	if err != nil {
		http.Error(w, "wait: want a duration such as 2s", http.StatusBadRequest)
		return
	}

	var expired <-chan time.Time
	if wait > 0 {
		t := time.NewTimer(wait)
		defer t.Stop()
		expired = t.C
	}
	for {
		s.mu.Lock()
		page := SentPage{Messages: s.sentLocked(touser, after), LastSeq: s.seq}
		arrived := s.arrived
		s.mu.Unlock()
		if len(page.Messages) > 0 || expired == nil {
			writeJSON(w, page)
			return
		}
		select {
		case <-arrived:
		case <-expired:
			expired = nil // answer with what there is now
		case <-r.Context().Done():
			return
		}
	}
}

// parseWait accepts a Go duration ("2s", "500ms") or whole seconds ("2"),
// bounded to maxWait.
func parseWait(v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		n, nerr := strconv.Atoi(v)
		if nerr != nil {
			return 0, err
		}
		d = time.Duration(n) * time.Second
	}
	if d < 0 {
		return 0, strconv.ErrRange
	}
	return min(d, maxWait), nil
}

func (s *Server) handleInspectMenu(w http.ResponseWriter, _ *http.Request) {
	m := s.Menu()
	if m == nil {
		m = json.RawMessage("{}")
	}
	writeJSON(w, m)
}
