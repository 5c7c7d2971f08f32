package main

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"minqing/bot"
	"minqing/bot/admin"
	"minqing/storage/sheet"
)

// fail tells the administrator, in Chinese, why a command failed, and
// returns the exit status 1. Problems that already speak Chinese (the
// admin, roster, settings and spreadsheet errors) are printed as they
// are; others get a Chinese explanation with the technical detail after
// it.
func fail(e *env, err error) int {
	fmt.Fprintln(e.stderr, "minqing: "+explain(err))
	return 1
}

func explain(err error) string {
	var ae *admin.Error
	var pe *fs.PathError
	switch {
	case errors.As(err, &ae):
		return ae.Msg
	case errors.As(err, &pe) && errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf(textErrFileMissing, pe.Path)
	case errors.As(err, &pe) && errors.Is(err, fs.ErrPermission):
		return fmt.Sprintf(textErrFilePerm, pe.Path)
	case errors.Is(err, sheet.ErrUnsupported):
		// "read PATH: unsupported file format: 中文 (English)": the
		// Chinese part.
		msg := err.Error()
		if _, after, ok := strings.Cut(msg, sheet.ErrUnsupported.Error()+": "); ok {
			msg = after
		}
		if i := strings.Index(msg, " ("); i > 0 {
			msg = msg[:i]
		}
		return msg
	case errors.Is(err, bot.ErrInvalid):
		// The roster, settings and spreadsheet problems are written for
		// the administrator already.
		return err.Error()
	case errors.Is(err, bot.ErrUnavailable):
		return textErrUnavailable + fmt.Sprintf(textErrDetailPrefix, err)
	case errors.Is(err, bot.ErrNotFound):
		return textErrNotFound + fmt.Sprintf(textErrDetailPrefix, err)
	case errors.Is(err, bot.ErrConflict):
		return textErrConflict + fmt.Sprintf(textErrDetailPrefix, err)
	}
	return textErrOther + fmt.Sprintf(textErrDetailPrefix, err)
}
