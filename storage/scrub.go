package storage

import (
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"

	"github.com/go-sql-driver/mysql"
)

// MySQL's error messages quote the values they are about: "Duplicate entry
// 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M' for key …", "Incorrect string value:
// '\xF0\x9F…' for column …", "Incorrect datetime value: '…'". Such a value
// may be an openid or a message's text, and errors end up in the log. So
// at the storage boundary the driver's message is replaced by its number,
// its SQL state and a fixed description; the names of keys and columns
// (schema, not data) are kept for the operator.

// scrubbedError is err with the MySQL error's message replaced. It still
// unwraps to err, so errors.Is and errors.As (bot.ErrConflict, deadlock
// retries) work as before; only the text changes.
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// scrub returns err with the text of any MySQL error in its chain replaced
// by one that carries no value; other errors are returned as they are.
func scrub(err error) error {
	var me *mysql.MySQLError
	if err == nil || !errors.As(err, &me) {
		return err
	}
	var already *scrubbedError
	if errors.As(err, &already) {
		return err
	}
	return &scrubbedError{msg: strings.ReplaceAll(err.Error(), me.Error(), safeMySQLText(me)), err: err}
}

var (
	forKey    = regexp.MustCompile(`for key '([A-Za-z0-9_.$]+)'`)
	forColumn = regexp.MustCompile(`(?:for|in) column '([A-Za-z0-9_.$]+)'`)
)

// mysqlDescriptions are the errors minqing can meet, described without the
// values MySQL quotes.
var mysqlDescriptions = map[uint16]string{
	1048: "column cannot be null",
	1062: "duplicate entry",
	1205: "lock wait timeout",
	1213: "deadlock",
	1264: "value out of range",
	1292: "incorrect value",
	1366: "incorrect string value",
	1406: "data too long",
	1451: "row is referenced by a foreign key",
	1452: "foreign key constraint fails",
	1586: "duplicate entry",
	3819: "check constraint violated",
	4025: "check constraint violated",
}

func safeMySQLText(me *mysql.MySQLError) string {
	desc := mysqlDescriptions[me.Number]
	if desc == "" {
		desc = "error"
	}
	var where []string
	if m := forKey.FindStringSubmatch(me.Message); m != nil {
		where = append(where, "key "+m[1])
	}
	if m := forColumn.FindStringSubmatch(me.Message); m != nil {
		where = append(where, "column "+m[1])
	}
	out := fmt.Sprintf("mysql error %d", me.Number)
	if me.SQLState != [5]byte{} {
		out += fmt.Sprintf(" (%s)", me.SQLState[:])
	}
	out += ": " + desc
	if len(where) > 0 {
		out += " (" + strings.Join(where, ", ") + ")"
	}
	return out
}

// driverLogger sends the MySQL driver's messages to the service's log at
// Warn. They are about connections (addresses, I/O errors), never rows;
// the log's redacting handler scrubs anything shaped like an openid anyway.
type driverLogger struct{ log *slog.Logger }

func (l driverLogger) Print(v ...any) {
	l.log.Warn("mysql_driver", "detail", strings.TrimSpace(fmt.Sprint(v...)))
}
