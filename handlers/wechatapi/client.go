// Package wechatapi is the only place where minqing calls the WeChat
// official-account API: customer-service and template messages (as a
// bot.Notifier) and the custom menu.
//
// # Access token
//
// The token comes from WeChat's stable_token endpoint and lives in
// bot.State under TokenKey(appID), with WeChat's expiry less 5 minutes as
// its TTL. Any instance fetches it when the State has none, one fetch per
// process at a time and without a cross-instance lock: stable_token gives
// every caller the same token while it is valid. When WeChat rejects the
// token (40001, 40014, 42001) it is dropped — if it is still the cached
// one — and the call is retried once, with a forced refresh only if
// stable_token hands out the rejected token again. While the State is
// unavailable a process-local copy serves.
//
// # Errors
//
// Errors from a Client are wrapped with the operation, the API and the
// errcode (see APIError) and match with errors.Is: bot.ErrOutsideWindow
// (45015), bot.ErrNotFollowing (43004), bot.ErrUnavailable (network
// failures, timeouts, non-200 answers, -1 system busy), bot.ErrInvalid (bad
// arguments). Their text never contains the secret or an access token; the
// package never logs openids or message text.
//
// # Why not the silenceper/wechat SDK
//
// The SDK's managers (message.Manager.Send, message.Template.Send,
// menu.Menu.SetMenu, credential.StableAccessToken) take no context.Context,
// send through process-wide globals (util.DefaultHTTPClient and the URI
// modifier, the only way to point them at MINQING_WECHAT_API_BASE), flatten
// errcodes into fmt errors, and their packages import the SDK's cache
// package, which links go-redis v8, gomemcache and logrus into the
// service. The four calls minqing makes are small JSON posts: the Client
// makes them itself, with the caller's context, its own http.Client and
// WeChat's documented payloads.
package wechatapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"minqing/bot"
)

// API names, as passed to Options.OnError and found in APIError.API.
const (
	APIToken      = "token"
	APICustom     = "custom"
	APITemplate   = "template"
	APIMenuCreate = "menu_create"
)

const (
	pathToken      = "/cgi-bin/stable_token"
	pathCustom     = "/cgi-bin/message/custom/send"
	pathTemplate   = "/cgi-bin/message/template/send"
	pathMenuCreate = "/cgi-bin/menu/create"

	defaultTimeout = 5 * time.Second

	// officialBase is where WeChat's API is.
	officialBase = "https://api.weixin.qq.com"
	// maxAnswer bounds how much of an answer is read.
	maxAnswer = 1 << 20
)

// Options configures a Client.
type Options struct {
	// AppID and Secret are the official account's credentials.
	AppID, Secret string
	// APIBase is where WeChat's API is: "" means https://api.weixin.qq.com;
	// otherwise every call goes there instead (a fake such as
	// handlers/fakewechat, e.g. http://127.0.0.1:8080/dev/wechat-api).
	APIBase string
	// State holds the shared access token. Required.
	State bot.State
	// Logger receives token refreshes and degradations; nil discards.
	Logger *slog.Logger
	// Timeout bounds each HTTP call to WeChat; 0 means 5 s.
	Timeout time.Duration
	// OnError, if not nil, is called once for every failed call with the
	// API name (see the API constants) and the returned error: a metrics
	// hook. It must not block.
	OnError func(api string, err error)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Client calls the WeChat API. It is safe for concurrent use.
type Client struct {
	appID, secret string
	base          string
	timeout       time.Duration
	log           *slog.Logger
	onError       func(api string, err error)
	red           redactor
	tokens        *tokenSource
	http          *http.Client
}

var _ bot.Notifier = (*Client)(nil)

// New returns a Client. It reports every problem with o at once (wrapping
// bot.ErrInvalid). Clients share nothing: each has its own base, timeout
// and connection pool.
func New(o Options) (*Client, error) {
	var problems []error
	if o.AppID == "" {
		problems = append(problems, errors.New("empty AppID"))
	}
	if o.Secret == "" {
		problems = append(problems, errors.New("empty Secret"))
	}
	if o.State == nil {
		problems = append(problems, errors.New("nil State"))
	}
	base := officialBase
	if o.APIBase != "" {
		u, err := url.Parse(o.APIBase)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" {
			problems = append(problems, fmt.Errorf("APIBase %q is not an http(s) base URL", o.APIBase))
		}
		base = strings.TrimRight(o.APIBase, "/")
	}
	if o.Timeout < 0 {
		problems = append(problems, fmt.Errorf("negative Timeout %v", o.Timeout))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("wechatapi: %w: %w", bot.ErrInvalid, errors.Join(problems...))
	}

	timeout := o.Timeout
	if timeout == 0 {
		timeout = defaultTimeout
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	onError := o.OnError
	if onError == nil {
		onError = func(string, error) {}
	}

	c := &Client{
		appID:   o.AppID,
		secret:  o.Secret,
		base:    base,
		timeout: timeout,
		log:     log,
		onError: onError,
		red:     redactor{secret: o.Secret},
		http:    &http.Client{Transport: newTransport()},
	}
	c.tokens = newTokenSource(o.AppID, o.State, c.fetchToken, now, log)
	return c, nil
}

func newTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   3 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

// WeChat's payloads for the calls the Client makes.
type (
	customText struct {
		ToUser  string `json:"touser"`
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	templateValue struct {
		Value string `json:"value"`
	}
	templateMessage struct {
		ToUser     string                   `json:"touser"`
		TemplateID string                   `json:"template_id"`
		URL        string                   `json:"url,omitempty"`
		Data       map[string]templateValue `json:"data"`
	}
	stableTokenRequest struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	commonAnswer struct {
		ErrCode int64  `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	tokenAnswer struct {
		commonAnswer
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
)

// SendText sends a customer-service text message to openid. See
// bot.Notifier for the errors.
func (c *Client) SendText(ctx context.Context, openid, text string) error {
	if openid == "" || text == "" {
		return c.failed(APICustom, fmt.Errorf("wechatapi: send text: empty openid or text: %w", bot.ErrInvalid))
	}
	payload := customText{ToUser: openid, MsgType: "text"}
	payload.Text.Content = text
	if err := c.call(ctx, APICustom, pathCustom, payload); err != nil {
		return c.failed(APICustom, fmt.Errorf("wechatapi: send text: %w", err))
	}
	return nil
}

// SendTemplate sends a template message. See bot.Notifier for the errors.
// Field lengths are not checked here: WeChat truncates.
func (c *Client) SendTemplate(ctx context.Context, msg bot.TemplateMessage) error {
	if msg.ToOpenID == "" || msg.TemplateID == "" {
		return c.failed(APITemplate, fmt.Errorf("wechatapi: send template: empty openid or template id: %w", bot.ErrInvalid))
	}
	data := make(map[string]templateValue, len(msg.Fields))
	for _, f := range msg.Fields {
		if f.Key == "" {
			return c.failed(APITemplate, fmt.Errorf("wechatapi: send template: field with an empty key: %w", bot.ErrInvalid))
		}
		data[f.Key] = templateValue{Value: f.Value}
	}
	payload := templateMessage{
		ToUser:     msg.ToOpenID,
		TemplateID: msg.TemplateID,
		URL:        msg.URL,
		Data:       data,
	}
	if err := c.call(ctx, APITemplate, pathTemplate, payload); err != nil {
		return c.failed(APITemplate, fmt.Errorf("wechatapi: send template: %w", err))
	}
	return nil
}

// failed reports err to the OnError hook and returns it.
func (c *Client) failed(api string, err error) error {
	c.onError(api, err)
	return err
}

// call posts payload to path with the access token, dropping the token and
// retrying once if WeChat rejects it. (Not the SDK's Manager.Send,
// Template.Send or Menu.SetMenu: see the package documentation.)
func (c *Client) call(ctx context.Context, api, path string, payload any) error {
	tok, err := c.tokens.get(ctx, "")
	if err != nil {
		return fmt.Errorf("access token: %w", err)
	}
	err = c.post(ctx, api, path, tok, payload)
	if !tokenRejected(err) {
		return err
	}
	var ae *APIError
	errors.As(err, &ae)
	c.log.Info("wechat_token_rejected", slog.String("api", api), slog.Int64("errcode", ae.Code))
	tok, err = c.tokens.get(ctx, tok)
	if err != nil {
		return fmt.Errorf("renew rejected access token: %w", err)
	}
	return c.post(ctx, api, path, tok, payload)
}

// post makes one call and decodes WeChat's answer.
func (c *Client) post(ctx context.Context, api, path, token string, payload any) error {
	uri := c.base + path + "?access_token=" + url.QueryEscape(token)
	var res commonAnswer
	if err := c.postJSON(ctx, api, uri, payload, &res); err != nil {
		return err
	}
	if res.ErrCode != 0 {
		return &APIError{API: api, Code: res.ErrCode, Msg: c.red.redact(res.ErrMsg)}
	}
	return nil
}

// postJSON posts payload as JSON to uri within the Client's timeout and
// decodes a 200 answer into res. Failures come back as
// *unavailableError, redacted.
func (c *Client) postJSON(ctx context.Context, api, uri string, payload, res any) error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(payload); err != nil {
		return c.red.unavailable(api, fmt.Errorf("encode request: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, uri, &body)
	if err != nil {
		return c.red.unavailable(api, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := c.http.Do(req)
	if err != nil {
		return c.red.unavailable(api, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return c.red.unavailable(api, fmt.Errorf("POST %s: read answer: %w", uri, err))
	}
	if resp.StatusCode != http.StatusOK {
		return c.red.unavailable(api, fmt.Errorf("POST %s: status %d", uri, resp.StatusCode))
	}
	if err := json.Unmarshal(b, res); err != nil {
		return c.red.unavailable(api, fmt.Errorf("decode answer: %w", err))
	}
	return nil
}

// fetchToken gets the access token from WeChat's stable_token endpoint.
func (c *Client) fetchToken(ctx context.Context, force bool) (string, time.Duration, error) {
	tok, expiresIn, err := c.doFetchToken(ctx, force)
	if err != nil {
		return "", 0, c.failed(APIToken, err)
	}
	c.log.Info("wechat_token_fetched", slog.Bool("force_refresh", force), slog.Int64("expires_in_s", int64(expiresIn/time.Second)))
	return tok, expiresIn, nil
}

func (c *Client) doFetchToken(ctx context.Context, force bool) (string, time.Duration, error) {
	var res tokenAnswer
	req := stableTokenRequest{GrantType: "client_credential", AppID: c.appID, Secret: c.secret, ForceRefresh: force}
	if err := c.postJSON(ctx, APIToken, c.base+pathToken, req, &res); err != nil {
		return "", 0, err
	}
	if res.ErrCode != 0 {
		return "", 0, &APIError{API: APIToken, Code: res.ErrCode, Msg: c.red.redact(res.ErrMsg)}
	}
	if res.AccessToken == "" || res.ExpiresIn <= 0 {
		return "", 0, c.red.unavailable(APIToken, errors.New("answer without access_token or expires_in"))
	}
	return res.AccessToken, time.Duration(res.ExpiresIn) * time.Second, nil
}
