// Package wechatapi is the only place where minqing calls the WeChat
// official-account API: customer-service and template messages (as a
// bot.Notifier) and the custom menu.
//
// # Access token
//
// The token lives in bot.State under TokenKey(appID), the SDK's own key.
// Exactly one caller across all instances refreshes it, holding the State
// lock "lock:wechat_token:<APPID>"; the others poll the key for up to 5 s.
// When WeChat rejects the token (40001, 40014, 42001) it is dropped — only
// if it is still the cached one, compared under the lock — and the call is
// retried once. While the State is unavailable a process-local cache with
// one refresher per process takes over.
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
// # Process-wide SDK state
//
// The SDK keeps its HTTP client (util.DefaultHTTPClient) and URI modifier
// (util.SetURIModifier) in package variables. New installs both, and sets
// the SDK's logrus logger to Warn: these settings are process-wide, and the
// last New wins (a warning is logged when a later New asks for a different
// APIBase). A Client's own calls always use its own APIBase and Timeout;
// the globals govern calls the SDK makes by itself, e.g. through
// OfficialAccount.
package wechatapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/credential"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"

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
	pathToken      = "/cgi-bin/token"
	pathCustom     = "/cgi-bin/message/custom/send"
	pathTemplate   = "/cgi-bin/message/template/send"
	pathMenuCreate = "/cgi-bin/menu/create"

	defaultTimeout = 5 * time.Second
)

// Options configures a Client.
type Options struct {
	// AppID and Secret are the official account's credentials.
	AppID, Secret string
	// APIBase is where WeChat's API is: "" means https://api.weixin.qq.com;
	// otherwise every call goes there instead (a fake such as
	// handlers/fakewechat, e.g. http://127.0.0.1:8080/dev/wechat-api).
	APIBase string
	// State holds the shared access token and the refresh lock. Required.
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
	oa            *officialaccount.OfficialAccount
}

var _ bot.Notifier = (*Client)(nil)

// New returns a Client. It reports every problem with o at once (wrapping
// bot.ErrInvalid), and installs the SDK's process-wide HTTP client and URI
// modifier (see the package documentation).
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

	globalBase := ""
	if base != officialBase {
		globalBase = base
	}
	installGlobals(globalBase, timeout, log)

	c := &Client{
		appID:   o.AppID,
		secret:  o.Secret,
		base:    base,
		timeout: timeout,
		log:     log,
		onError: onError,
		red:     redactor{secret: o.Secret},
	}
	c.tokens = newTokenSource(o.AppID, o.State, c.fetchToken, now, log, timeout)

	c.oa = officialaccount.NewOfficialAccount(&config.Config{
		AppID:     o.AppID,
		AppSecret: o.Secret,
		Cache:     NewStateCache(o.State, timeout),
	})
	c.oa.SetAccessTokenHandle(c.tokens)
	return c, nil
}

// OfficialAccount returns the SDK's official account, wired to this
// Client's access token (one refresher) and the process-wide HTTP client,
// for APIs the Client does not wrap. Its lazy getters (GetMenu, GetUser, …)
// race: build the objects once from GetContext() instead. Its calls take no
// context and hide errcodes; prefer adding a method here.
func (c *Client) OfficialAccount() *officialaccount.OfficialAccount {
	return c.oa
}

// SendText sends a customer-service text message to openid. See
// bot.Notifier for the errors.
func (c *Client) SendText(ctx context.Context, openid, text string) error {
	if openid == "" || text == "" {
		return c.failed(APICustom, fmt.Errorf("wechatapi: send text: empty openid or text: %w", bot.ErrInvalid))
	}
	if err := c.call(ctx, APICustom, pathCustom, message.NewCustomerTextMessage(openid, text)); err != nil {
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
	data := make(map[string]*message.TemplateDataItem, len(msg.Fields))
	for _, f := range msg.Fields {
		if f.Key == "" {
			return c.failed(APITemplate, fmt.Errorf("wechatapi: send template: field with an empty key: %w", bot.ErrInvalid))
		}
		data[f.Key] = &message.TemplateDataItem{Value: f.Value}
	}
	payload := &message.TemplateMessage{
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
// retrying once if WeChat rejects it.
//
// The SDK's Manager.Send, Template.Send and Menu.SetMenu are not used: they
// take no context.Context and (the first two) flatten the errcode into a
// fmt error. call posts the SDK's own payload types through util's
// PostJSONContext, i.e. the same HTTP client.
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
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	uri := c.base + path + "?access_token=" + url.QueryEscape(token)
	body, err := util.PostJSONContext(ctx, uri, payload)
	if err != nil {
		return c.red.unavailable(api, err)
	}
	var res util.CommonError
	if err := json.Unmarshal(body, &res); err != nil {
		return c.red.unavailable(api, fmt.Errorf("decode answer: %w", err))
	}
	if res.ErrCode != 0 {
		return &APIError{API: api, Code: res.ErrCode, Msg: c.red.redact(res.ErrMsg)}
	}
	return nil
}

// fetchToken gets a new access token from WeChat.
func (c *Client) fetchToken(ctx context.Context) (string, time.Duration, error) {
	tok, expiresIn, err := c.doFetchToken(ctx)
	if err != nil {
		return "", 0, c.failed(APIToken, err)
	}
	c.log.Info("wechat_token_fetched", slog.Int64("expires_in_s", int64(expiresIn/time.Second)))
	return tok, expiresIn, nil
}

func (c *Client) doFetchToken(ctx context.Context) (string, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	uri := c.base + pathToken + "?grant_type=client_credential&appid=" + url.QueryEscape(c.appID) +
		"&secret=" + url.QueryEscape(c.secret)
	body, err := util.HTTPGetContext(ctx, uri)
	if err != nil {
		return "", 0, c.red.unavailable(APIToken, err)
	}
	var res credential.ResAccessToken
	if err := json.Unmarshal(body, &res); err != nil {
		return "", 0, c.red.unavailable(APIToken, fmt.Errorf("decode answer: %w", err))
	}
	if res.ErrCode != 0 {
		return "", 0, &APIError{API: APIToken, Code: res.ErrCode, Msg: c.red.redact(res.ErrMsg)}
	}
	if res.AccessToken == "" || res.ExpiresIn <= 0 {
		return "", 0, c.red.unavailable(APIToken, errors.New("answer without access_token or expires_in"))
	}
	return res.AccessToken, time.Duration(res.ExpiresIn) * time.Second, nil
}
