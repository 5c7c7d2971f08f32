package wechatapi

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/silenceper/wechat/v2/util"
	"github.com/sirupsen/logrus"
)

// officialBase is where WeChat's API is.
const officialBase = "https://api.weixin.qq.com"

// The SDK keeps its HTTP client (util.DefaultHTTPClient) and URI modifier
// (util.SetURIModifier) in package variables, read without synchronisation
// by every SDK call. New installs both once per process, and they read the
// API base and the timeout from the atomics below, so a later New changes
// them without a data race: the last New wins. This only matters for calls
// the SDK makes itself; a Client's own calls always go to its own base with
// its own timeout.
var (
	globalsMu        sync.Mutex
	globalsInstalled bool
	globalBase       atomic.Pointer[string] // "" = officialBase
	globalTimeout    atomic.Int64           // time.Duration
)

// installGlobals points the SDK's process-wide HTTP client and URI modifier
// at base with timeout, and turns the SDK's logrus logging down to Warn (at
// Debug it logs raw requests, with openids and message text).
func installGlobals(base string, timeout time.Duration, log *slog.Logger) {
	globalsMu.Lock()
	defer globalsMu.Unlock()
	if globalsInstalled {
		if prev := *globalBase.Load(); prev != base {
			log.Warn("wechat_api_base_replaced",
				slog.String("previous", displayBase(prev)),
				slog.String("new", displayBase(base)),
				slog.String("note", "the SDK's HTTP client and URI modifier are process-wide; the last wechatapi.New wins"))
		}
	}
	globalBase.Store(&base)
	globalTimeout.Store(int64(timeout))
	logrus.SetLevel(logrus.WarnLevel)
	if globalsInstalled {
		return
	}
	util.DefaultHTTPClient = &http.Client{Transport: &timeoutTransport{next: newTransport()}}
	util.SetURIModifier(rewriteURI)
	globalsInstalled = true
}

func displayBase(base string) string {
	if base == "" {
		return officialBase
	}
	return base
}

// rewriteURI sends SDK requests for the official API to the current global
// base.
func rewriteURI(uri string) string {
	base := *globalBase.Load()
	if base == "" {
		return uri
	}
	if rest, ok := strings.CutPrefix(uri, officialBase); ok && (rest == "" || rest[0] == '/' || rest[0] == '?') {
		return base + rest
	}
	return uri
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

// timeoutTransport bounds every request, body included, by the global
// timeout: the SDK's own calls take no context.
type timeoutTransport struct {
	next http.RoundTripper
}

func (t *timeoutTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	d := time.Duration(globalTimeout.Load())
	if d <= 0 {
		return t.next.RoundTrip(req)
	}
	ctx, cancel := context.WithTimeout(req.Context(), d)
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &cancelOnClose{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
