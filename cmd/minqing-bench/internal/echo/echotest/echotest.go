// Package echotest serves the echo baseline to tests, on the EasyWeChat
// test account.
package echotest

import (
	"net/http/httptest"
	"testing"

	"minqing/cmd/minqing-bench/internal/echo"
)

// The EasyWeChat test account.
const (
	Token  = "pamtest"
	AESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	AppID  = "wxb11529c136998cb6"
)

// NewServer serves the echo handler for the test account, in safe mode
// with aesKey (plain mode only if it is empty), until the test ends.
func NewServer(tb testing.TB, aesKey string) *httptest.Server {
	tb.Helper()
	h, err := echo.NewHandler(Token, AppID, aesKey)
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return srv
}
