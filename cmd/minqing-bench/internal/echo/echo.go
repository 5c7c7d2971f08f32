// Package echo is the throughput baseline for the webhook: a bare
// silenceper/wechat handler that answers a text message with its own
// content, and nothing else. The real webhook is measured against it side
// by side (minqing-bench loadtest -baseline), so it must stay bare: no
// dedup, no storage, no body limit, no logging.
package echo

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	"github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/sirupsen/logrus"

	"minqing/handlers/wechat"
)

// NewHandler returns the echo handler for GET (URL verification) and POST
// (messages) on the webhook path. encodingAESKey may be empty for plain
// mode; the SDK picks the mode per request from encrypt_type.
//
// NewHandler sets the global logrus level to Warn, as the SDK would
// otherwise log every request (openids and message text) at debug level.
func NewHandler(token, appID, encodingAESKey string) (http.Handler, error) {
	if token == "" {
		return nil, errors.New("echo: token is empty")
	}
	if encodingAESKey != "" {
		// The SDK only notices a bad key when a message arrives.
		if _, err := wechat.NewCrypto(encodingAESKey, appID); err != nil {
			return nil, fmt.Errorf("echo: %w", err)
		}
	}
	logrus.SetLevel(logrus.WarnLevel)
	oa := officialaccount.NewOfficialAccount(&config.Config{
		AppID:          appID,
		Token:          token,
		EncodingAESKey: encodingAESKey,
		Cache:          cache.NewMemory(),
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv := oa.GetServer(r, w)
		srv.SetMessageHandler(echoText)
		if err := srv.Serve(); err != nil {
			// The SDK writes nothing on a bad signature or payload.
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if srv.ResponseMsg == nil {
			// Serve has already answered URL verification, and "success"
			// in plain mode. In safe mode Send would write an encrypted
			// empty payload: answer "success" instead.
			if _, verify := srv.GetQuery("echostr"); !verify && srv.Query("encrypt_type") == "aes" {
				io.WriteString(w, "success")
			}
			return
		}
		if err := srv.Send(); err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}), nil
}

// echoText answers a text message with its content; other messages get no
// reply.
func echoText(m *message.MixMessage) *message.Reply {
	if m.MsgType != message.MsgTypeText {
		return nil
	}
	return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(m.Content)}
}
