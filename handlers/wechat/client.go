package wechat

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxReplySize bounds how much of a webhook's answer the Client reads.
const maxReplySize = 1 << 20

// Client acts as WeChat's servers toward a webhook: it signs, encrypts (in
// safe mode) and posts messages, and decodes the webhook's answers. It is
// meant for tests, the dev simulator and load testing. A Client is safe for
// concurrent use once configured.
type Client struct {
	// URL is the webhook's address, e.g. http://localhost:8080/wechat. It
	// may carry a query of its own.
	URL string
	// Token is the account's Token (the signature key).
	Token string
	// AppID is the account's AppID. In safe mode it must be Crypto's.
	AppID string
	// Crypto encrypts requests and opens replies in safe mode; nil means
	// plain mode.
	Crypto *Crypto
	// HTTP sends the requests; nil means http.DefaultClient.
	HTTP *http.Client
	// Now gives the request timestamps; nil means time.Now.
	Now func() time.Time
}

// Result is a webhook's answer to one message.
type Result struct {
	// Status is the HTTP status code.
	Status int
	// Body is the raw response body.
	Body []byte
	// Empty reports a 2xx answer of "" or "success": nothing to say.
	Empty bool
	// Reply is the passive reply, decrypted in safe mode, when the answer
	// is a message.
	Reply Message
}

// OK reports whether the status is 2xx.
func (r Result) OK() bool { return r.Status >= 200 && r.Status <= 299 }

// Verify performs WeChat's URL verification: a GET with signature,
// timestamp, nonce and echostr. It returns the body the webhook answered,
// which must equal echostr for WeChat to accept the URL; a non-2xx status
// is an error.
func (c *Client) Verify(ctx context.Context, echostr string) (string, error) {
	ts, nonce := c.stamp()
	u, err := c.url()
	if err != nil {
		return "", fmt.Errorf("wechat client: verify: %w", err)
	}
	u = appendParam(u, "signature", Sign(c.Token, ts, nonce))
	u = appendParam(u, "timestamp", ts)
	u = appendParam(u, "nonce", nonce)
	u = appendParam(u, "echostr", echostr)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, finishURL(u), nil)
	if err != nil {
		return "", fmt.Errorf("wechat client: verify: %w", err)
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return "", fmt.Errorf("wechat client: verify: %w", err)
	}
	defer resp.Body.Close()
	body, err := readBody(resp.Body)
	if err != nil {
		return "", fmt.Errorf("wechat client: verify: %w", err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return string(body), fmt.Errorf("wechat client: verify: status %d", resp.StatusCode)
	}
	return string(body), nil
}

// Send posts m to the webhook as WeChat does and decodes the answer. A
// non-2xx status is reported in the Result with a nil error; transport
// errors and answers that cannot be decoded (see Decode) are errors.
func (c *Client) Send(ctx context.Context, m Message) (Result, error) {
	req, err := c.NewRequest(ctx, m)
	if err != nil {
		return Result{}, err
	}
	resp, err := c.httpClient().Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("wechat client: send: %w", err)
	}
	defer resp.Body.Close()
	body, err := readBody(resp.Body)
	if err != nil {
		return Result{Status: resp.StatusCode}, fmt.Errorf("wechat client: send: %w", err)
	}
	return c.Decode(resp.StatusCode, body)
}

// userAgent is what WeChat's servers send.
const userAgent = "Mozilla/4.0"

// NewRequest builds the POST WeChat would send for m: query signature,
// timestamp, nonce and openid (m.FromUserName); in safe mode also
// encrypt_type=aes and msg_signature, with the body
// <xml><ToUserName/><Encrypt/></xml>.
func (c *Client) NewRequest(ctx context.Context, m Message) (*http.Request, error) {
	ts, nonce := c.stamp()
	u, err := c.url()
	if err != nil {
		return nil, fmt.Errorf("wechat client: new request: %w", err)
	}
	u = appendParam(u, "signature", Sign(c.Token, ts, nonce))
	u = appendParam(u, "timestamp", ts)
	u = appendParam(u, "nonce", nonce)
	u = appendParam(u, "openid", m.FromUserName)
	body := m.XML()
	if c.Crypto != nil {
		enc, err := c.Crypto.Encrypt(body)
		if err != nil {
			return nil, fmt.Errorf("wechat client: new request: %w", err)
		}
		u = appendParam(u, "encrypt_type", "aes")
		u = appendParam(u, "msg_signature", Sign(c.Token, ts, nonce, enc))
		body = envelopeXML(m.ToUserName, enc)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, finishURL(u), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("wechat client: new request: %w", err)
	}
	req.Header.Set("Content-Type", "text/xml")
	req.Header.Set("User-Agent", userAgent)
	return req, nil
}

// Decode interprets a webhook's answer. A non-2xx status gives a Result
// with a nil error. A 2xx answer is Empty ("" or "success"), or a reply:
// in safe mode its MsgSignature must verify and it must decrypt, then it
// must parse with ParseReply. Errors (which wrap ErrMalformed,
// ErrBadSignature or Decrypt's errors) come with the Result so far.
func (c *Client) Decode(status int, body []byte) (Result, error) {
	r := Result{Status: status, Body: body}
	if !r.OK() {
		return r, nil
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || string(trimmed) == "success" {
		r.Empty = true
		return r, nil
	}
	inner := body
	if c.Crypto != nil {
		var err error
		inner, err = OpenEncryptedReply(c.Crypto, c.Token, body)
		if err != nil {
			return r, fmt.Errorf("wechat client: decode: %w", err)
		}
	}
	reply, err := ParseReply(inner)
	if err != nil {
		return r, fmt.Errorf("wechat client: decode: %w", err)
	}
	r.Reply = reply
	return r, nil
}

// NewText returns a text message from the user from to the account to.
func NewText(from, to, text string, msgID int64, created time.Time) Message {
	return Message{
		ToUserName:   to,
		FromUserName: from,
		CreateTime:   created.Unix(),
		MsgType:      "text",
		Content:      text,
		MsgId:        msgID,
	}
}

// NewEvent returns an event (subscribe, unsubscribe, SCAN, CLICK, VIEW, …)
// from the user from to the account to. For a subscribe through a QR code
// the key is "qrscene_" + the scene.
func NewEvent(from, to, event, eventKey string, created time.Time) Message {
	return Message{
		ToUserName:   to,
		FromUserName: from,
		CreateTime:   created.Unix(),
		MsgType:      "event",
		Event:        event,
		EventKey:     eventKey,
	}
}

// NewVoice returns a voice message (AMR) with WeChat's speech recognition
// of it (empty when recognition is off).
func NewVoice(from, to, recognition, mediaID string, msgID int64, created time.Time) Message {
	return Message{
		ToUserName:   to,
		FromUserName: from,
		CreateTime:   created.Unix(),
		MsgType:      "voice",
		MediaId:      mediaID,
		Format:       "amr",
		Recognition:  recognition,
		MsgId:        msgID,
	}
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// stamp returns a timestamp and a nonce as WeChat makes them: Unix seconds
// and a random decimal number.
func (c *Client) stamp() (timestamp, nonce string) {
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	return strconv.FormatInt(now().Unix(), 10), strconv.FormatUint(uint64(rand.Uint32()), 10)
}

// url returns the webhook URL ready for appendParam.
func (c *Client) url() ([]byte, error) {
	if c.URL == "" {
		return nil, errors.New("no webhook URL")
	}
	u := make([]byte, 0, len(c.URL)+256)
	u = append(u, c.URL...)
	switch {
	case !strings.Contains(c.URL, "?"):
		u = append(u, '?')
	case !strings.HasSuffix(c.URL, "?") && !strings.HasSuffix(c.URL, "&"):
		u = append(u, '&')
	}
	return u, nil
}

// appendParam appends name=value& to u.
func appendParam(u []byte, name, value string) []byte {
	u = append(u, name...)
	u = append(u, '=')
	u = append(u, url.QueryEscape(value)...)
	return append(u, '&')
}

// finishURL drops the "&" the last appendParam left.
func finishURL(u []byte) string {
	return string(bytes.TrimSuffix(u, []byte("&")))
}

func readBody(r io.Reader) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r, maxReplySize+1))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if len(body) > maxReplySize {
		return nil, fmt.Errorf("answer larger than %d bytes", maxReplySize)
	}
	return body, nil
}
