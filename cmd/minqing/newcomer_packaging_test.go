package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDataFilesOwnerOnly: on the embedded default every file of the data
// directory — the SQLite file, its WAL and shared-memory files, the
// generated secret — is readable by its owner only, as the README says.
func TestDataFilesOwnerOnly(t *testing.T) {
	dir := t.TempDir()
	// A loose file left by an older version is tightened.
	if err := os.WriteFile(filepath.Join(dir, "minqing.db"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := startService(t, map[string]string{"MINQING_DATA_DIR": dir})
	expect(t, "a message", s.as(t, "oModeParent").say("你好"), "您好")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, e.Name())
		if !e.IsDir() && info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v, want owner only", e.Name(), info.Mode().Perm())
		}
	}
	if !strings.Contains(strings.Join(names, " "), "minqing.db") {
		t.Errorf("no database file in %v", names)
	}
}

// TestPackaging: the container files keep what the README promises —
// the WeChat account is required (the service refuses to start without
// it), no password on a health-check command line, no build output or
// scratch files in the build context.
func TestPackaging(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join("..", "..", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	compose := read("docker-compose.yml")
	for _, v := range []string{"MINQING_WECHAT_APPID", "MINQING_WECHAT_SECRET", "MINQING_WECHAT_TOKEN"} {
		if !strings.Contains(compose, v+": ${"+v+":?") {
			t.Errorf("docker-compose.yml does not require %s", v)
		}
	}
	for _, line := range strings.Split(compose, "\n") {
		if strings.Contains(line, "mysqladmin") && (strings.Contains(line, " -p") || strings.Contains(line, "--password")) {
			t.Errorf("a password on the health-check command line: %s", strings.TrimSpace(line))
		}
	}
	ignore := strings.Fields(read(".dockerignore"))
	for _, want := range []string{"/minqing", "tmp", "data", "bin", ".env"} {
		found := false
		for _, l := range ignore {
			if strings.TrimSuffix(strings.TrimPrefix(l, "/"), "/") == strings.TrimPrefix(want, "/") {
				found = true
			}
		}
		if !found {
			t.Errorf(".dockerignore misses %s", want)
		}
	}
}
