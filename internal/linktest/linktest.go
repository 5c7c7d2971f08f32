// Package linktest opens the links the bot keeps between an anonymous
// opinion and its sender, as someone holding the live state store (and
// nothing else) could: for the tests that check the link is there while
// the window lasts, and gone after it.
package linktest

import (
	"encoding/binary"
	"strconv"
	"strings"
	"time"

	"minqing/bot"
)

// Sender returns the openid of the sender of the opinion opinionID, read
// through get, which returns the state store's value under a key (an
// error when there is none). The link record names the link key it is
// sealed under, which lives in the state store beside it.
func Sender(get func(key string) ([]byte, error), opinionID int64) (string, error) {
	rec, err := get("link:" + strconv.FormatInt(opinionID, 10))
	if err != nil {
		return "", err
	}
	name, sealed, _ := strings.Cut(string(rec), "\n")
	raw, err := get(name)
	if err != nil {
		return "", err
	}
	k, err := bot.NewLinkKey(raw[8:], time.UnixMilli(int64(binary.BigEndian.Uint64(raw[:8]))))
	if err != nil {
		return "", err
	}
	openid, err := k.Open([]byte(sealed))
	return string(openid), err
}
