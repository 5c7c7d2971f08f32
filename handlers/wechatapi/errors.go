package wechatapi

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"minqing/bot"
)

// WeChat error codes the client acts on.
const (
	codeSystemBusy    = -1
	codeInvalidToken  = 40001 // invalid credential, access_token is invalid or not latest
	codeBadToken      = 40014 // invalid access_token
	codeTokenExpired  = 42001 // access_token expired
	codeNotFollowing  = 43004 // require subscribe
	codeDailyQuota    = 45009 // reach max api daily quota limit
	codeOutsideWindow = 45015 // response out of time limit or subscription is canceled
)

// APIError is an error answer ({"errcode":N,"errmsg":…} with N != 0) from
// the WeChat API. It unwraps to bot.ErrOutsideWindow (45015),
// bot.ErrNotFollowing (43004) or bot.ErrUnavailable (-1 system busy, 45009
// daily quota), so callers usually need only errors.Is.
type APIError struct {
	// API names the call: "token", "custom", "template" or "menu_create".
	API string
	// Code is WeChat's errcode.
	Code int64
	// Msg is WeChat's errmsg, with credentials redacted.
	Msg string
}

// Error implements error.
func (e *APIError) Error() string {
	return fmt.Sprintf("wechat %s: errcode %d: %s", e.API, e.Code, e.Msg)
}

// Unwrap returns the domain error the errcode means, or nil.
func (e *APIError) Unwrap() error {
	switch e.Code {
	case codeOutsideWindow:
		return bot.ErrOutsideWindow
	case codeNotFollowing:
		return bot.ErrNotFollowing
	case codeSystemBusy, codeDailyQuota:
		return bot.ErrUnavailable
	}
	return nil
}

// tokenRejected reports whether err is WeChat refusing the access token
// (40001, 40014, 42001): the token must be dropped and the call retried.
func tokenRejected(err error) bool {
	var ae *APIError
	if !errors.As(err, &ae) {
		return false
	}
	switch ae.Code {
	case codeInvalidToken, codeBadToken, codeTokenExpired:
		return true
	}
	return false
}

// unavailableError reports a call that did not get an answer from WeChat:
// network failure, timeout, a non-200 status, an unreadable body. Its text
// is redacted, and it deliberately does not wrap the original error (a
// *url.Error holds the request URL with the secret or access token); it
// unwraps to bot.ErrUnavailable and, if the call ran out of time or was
// cancelled, to the context error.
type unavailableError struct {
	api    string
	msg    string
	ctxErr error
}

func (e *unavailableError) Error() string { return "wechat " + e.api + ": " + e.msg }

func (e *unavailableError) Unwrap() []error {
	if e.ctxErr != nil {
		return []error{bot.ErrUnavailable, e.ctxErr}
	}
	return []error{bot.ErrUnavailable}
}

// unavailable converts err from the HTTP layer into an *unavailableError.
func (r redactor) unavailable(api string, err error) error {
	e := &unavailableError{api: api, msg: r.redact(err.Error())}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		e.ctxErr = context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		e.ctxErr = context.Canceled
	}
	return e
}

// credentialParam matches the credentials the SDK and WeChat put into URLs
// and bodies: access_token=…, secret=…, appsecret=…, "access_token":"…".
var credentialParam = regexp.MustCompile(`((?:access_token|secret|appsecret)=)[^&\s"'<>]*|("(?:access_token|secret)"\s*:\s*")[^"]*`)

// redactor removes credentials from error text before it leaves the
// package.
type redactor struct {
	secret string
}

func (r redactor) redact(s string) string {
	s = credentialParam.ReplaceAllString(s, "${1}${2}REDACTED")
	if r.secret != "" {
		s = strings.ReplaceAll(s, r.secret, "REDACTED")
	}
	return s
}
