package main

import (
	"context"
	"strings"
	"testing"

	"minqing/config"
	"minqing/handlers/dev"
)

// runCLI runs a minqing command in-process with the given environment.
func runCLI(env map[string]string, args ...string) (int, string) {
	var out strings.Builder
	code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &out)
	return code, out.String()
}

func TestCLIBasics(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"MINQING_DATA_DIR": dir}

	code, out := runCLI(env, "migrate")
	if code != 0 || !strings.Contains(out, "schema version") || !strings.Contains(out, dir) {
		t.Errorf("migrate = %d %q", code, out)
	}
	if code, out := runCLI(env, "migrate"); code != 0 || !strings.Contains(out, "0 migrations applied") {
		t.Errorf("second migrate = %d %q", code, out)
	}
	if code, out := runCLI(env, "version"); code != 0 || !strings.HasPrefix(out, "minqing ") {
		t.Errorf("version = %d %q", code, out)
	}
	if code, out := runCLI(env, "help"); code != 0 || !strings.Contains(out, "import") || !strings.Contains(out, "chat") {
		t.Errorf("help = %d %q", code, out)
	}
	if code, out := runCLI(env, "frobnicate"); code != 2 || !strings.Contains(out, "unknown command") {
		t.Errorf("unknown command = %d %q", code, out)
	}
	// A bad configuration: every problem at once, exit 2, nothing started.
	code, out = runCLI(map[string]string{
		"MINQING_DATA_DIR":  dir,
		"MINQING_HTTP_ADDR": "eighty",
		"MINQING_TIMEZONE":  "Moon/Base",
		"MINQING_MYSQL_DSN": "root@tcp(127.0.0.1:3306)/x",
	}, "serve")
	if code != 2 {
		t.Errorf("serve with a bad configuration = %d", code)
	}
	for _, want := range []string{"MINQING_HTTP_ADDR", "MINQING_TIMEZONE", "MINQING_SECRET", "MINQING_WECHAT_TOKEN"} {
		if !strings.Contains(out, want) {
			t.Errorf("the error does not mention %s:\n%s", want, out)
		}
	}
	// Admin commands explain what they need.
	if code, out := runCLI(env, "codes"); code != 2 || !strings.Contains(out, "用法") {
		t.Errorf("codes without --school = %d %q", code, out)
	}
	if code, out := runCLI(env, "codes", "--school", "不存在的学校"); code != 1 || !strings.Contains(out, "还没有学校") {
		t.Errorf("codes for a missing school = %d %q", code, out)
	}
	if code, out := runCLI(env, "import", "staff", "nope.xls", "--school", "X"); code != 1 || !strings.Contains(out, ".xlsx") {
		t.Errorf("import of an .xls = %d %q", code, out)
	}
}

// The simulator signs only for the dev-mode account that the configuration
// turns dev mode on with.
func TestDevAccountAgrees(t *testing.T) {
	if dev.Token != config.DevToken || dev.AESKey != config.DevAESKey {
		t.Fatalf("handlers/dev signs for %q/%q, config defaults dev mode to %q/%q", dev.Token, dev.AESKey, config.DevToken, config.DevAESKey)
	}
}
