package storage

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/go-sql-driver/mysql"

	"minqing/bot"
)

func TestScrubMySQLErrors(t *testing.T) {
	const openid = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
	tests := []struct {
		me   *mysql.MySQLError
		want string
		leak string
	}{
		{&mysql.MySQLError{Number: 1062, SQLState: [5]byte{'2', '3', '0', '0', '0'}, Message: "Duplicate entry '" + openid + "' for key 'ux_wechat_bindings_openid'"},
			"storage: bind: conflict: mysql error 1062 (23000): duplicate entry (key ux_wechat_bindings_openid)", openid},
		{&mysql.MySQLError{Number: 1366, Message: "Incorrect string value: '\\xF0\\x9F\\x98\\x80食堂' for column 'body' at row 1"},
			"storage: bind: conflict: mysql error 1366: incorrect string value (column body)", "食堂"},
		{&mysql.MySQLError{Number: 1292, Message: "Incorrect datetime value: '2026-13-01' for column `x`.`y`"},
			"storage: bind: conflict: mysql error 1292: incorrect value", "2026-13-01"},
		{&mysql.MySQLError{Number: 9999, Message: "Something about 'oSecret'"},
			"storage: bind: conflict: mysql error 9999: error", "oSecret"},
	}
	for _, tt := range tests {
		err := scrub(fmt.Errorf("storage: bind: %w: %w", bot.ErrConflict, tt.me))
		if err.Error() != tt.want {
			t.Errorf("scrub(%q) =\n  %q\nwant\n  %q", tt.me.Message, err.Error(), tt.want)
		}
		if strings.Contains(err.Error(), tt.leak) {
			t.Errorf("scrubbed text still has %q", tt.leak)
		}
		// Still the same error for callers.
		var me *mysql.MySQLError
		if !errors.Is(err, bot.ErrConflict) || !errors.As(err, &me) || me.Number != tt.me.Number {
			t.Errorf("scrub lost the chain of %v", err)
		}
		// Wrapped again, the text stays clean.
		if w := fmt.Errorf("bot: file: %w", err); strings.Contains(w.Error(), tt.leak) {
			t.Errorf("wrapped: %v", w)
		}
	}
	if err := scrub(errors.New("plain")); err.Error() != "plain" {
		t.Errorf("scrub changed a non-MySQL error: %v", err)
	}
	if scrub(nil) != nil {
		t.Error("scrub(nil) != nil")
	}
}
