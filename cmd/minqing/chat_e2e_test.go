package main

import (
	"context"
	"net"
	"net/url"
	"strings"
	"testing"

	"minqing/config"
)

// chatRun is one `minqing chat` run: its exit code and outputs.
type chatRun struct {
	code        int
	out, errOut string
}

// runChat runs `minqing chat args…` with env and input, as a script would.
func runChat(t *testing.T, env map[string]string, input string, args ...string) chatRun {
	t.Helper()
	var out, errOut strings.Builder
	code := run(context.Background(), append([]string{"chat"}, args...), mapEnv(env), strings.NewReader(input), &out, &errOut)
	return chatRun{code: code, out: out.String(), errOut: errOut.String()}
}

// mustChat is runChat that fails the test unless chat exits 0.
func mustChat(t *testing.T, s *service, input string, args ...string) string {
	t.Helper()
	r := runChat(t, s.Env, input, append(args, "--url", s.URL)...)
	if r.code != 0 {
		t.Fatalf("minqing chat %s = %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.out, r.errOut)
	}
	return r.out
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// blocks returns the text of the output lines starting with prefix
// ("< " for replies, "📨 " for pushed messages), one per line.
func blocks(out, prefix string) string {
	var b strings.Builder
	for line := range strings.SplitSeq(out, "\n") {
		if rest, ok := strings.CutPrefix(line, strings.TrimSpace(prefix)); ok {
			b.WriteString(strings.TrimSpace(rest) + "\n")
		}
	}
	return b.String()
}

// TestChatEndToEnd drives the demo school through `minqing chat` as a
// script would: a parent's opinion, the leader's assignment and answer,
// and the answer arriving at the parent as a pushed message.
func TestChatEndToEnd(t *testing.T) {
	s := startService(t, map[string]string{"MINQING_DATA_DIR": t.TempDir()})
	s.admin(t, "demo")

	out := mustChat(t, s, "建议：食堂饭菜太咸了，希望少放点盐\n", "--as", "parent", "--wait", "3s")
	code := receiptCode.FindString(blocks(out, "< "))
	if code == "" {
		t.Fatalf("no receipt code in the parent's reply:\n%s", out)
	}
	if strings.Contains(out, "家长>") {
		t.Errorf("a prompt was printed with stdin not a terminal:\n%s", out)
	}

	out = mustChat(t, s, "交办 "+code+" 总务处 3天\n答复 "+code+" 已经要求食堂少放盐\n", "--as", "leader", "--wait", "0s")
	expect(t, "leader", blocks(out, "< "), "交办给总务处", "已答复")

	out = mustChat(t, s, "帮助\n", "--as", "parent", "--wait", "3s")
	expect(t, "parent's push", blocks(out, "📨 "), "客服消息", code, "少放盐")
	expect(t, "parent's help", blocks(out, "< "), "回执码")
	expectNot(t, "parent's reply", blocks(out, "< "), "少放盐")

	// The slash commands, in one script.
	out = mustChat(t, s, "/personas\n/menu help\n/menu NOPE\n/voice 学校门口的路灯坏了，晚上放学太黑\n/foo\n/as teacher\n我的学习\n/as nobody\n/quit\n这一行不会发送\n", "--wait", "0s")
	expect(t, "slash commands", out,
		"* parent", "dev-teacher-0001", // /personas
		"没有菜单键", // /menu NOPE
		"未知命令 /foo",
		"现在的身份：教师",
		"未知身份 \"nobody\"")
	replies := blocks(out, "< ")
	expect(t, "menu help", replies, "帮助")
	if n := len(receiptCode.FindAllString(replies, -1)); n == 0 {
		t.Errorf("the voice opinion got no receipt code:\n%s", out)
	}
	expectNot(t, "after /quit", out, "这一行不会发送")

	// The service never logs who talked or what they said.
	logs := s.Logs.String()
	for _, secret := range []string{"dev-parent-0001", "dev-leader-0001", "少放点盐", "少放盐", "路灯"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the service log contains %q", secret)
		}
	}
}

// TestChatSafeModeAndErrors checks a round trip in safe mode with the
// service's own environment (no --url: the port of MINQING_HTTP_ADDR),
// and the exit codes of bad flags and an unreachable service.
func TestChatSafeModeAndErrors(t *testing.T) {
	s := startService(t, map[string]string{
		"MINQING_DATA_DIR":       t.TempDir(),
		"MINQING_DEV":            "true",
		"MINQING_WECHAT_AES_KEY": config.DevAESKey,
		"MINQING_WECHAT_APPID":   vecAppID,
	})
	u, err := url.Parse(s.URL)
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	for k, v := range s.Env {
		env[k] = v
	}
	env["MINQING_HTTP_ADDR"] = ":" + u.Port()
	r := runChat(t, env, "帮助\n", "--wait", "0s")
	if r.code != 0 {
		t.Fatalf("safe mode: chat = %d\n%s%s", r.code, r.out, r.errOut)
	}
	expect(t, "safe mode", blocks(r.out, "< "), "回执码", "帮助")

	// The wrong key: the service refuses, chat says why and goes on.
	env["MINQING_WECHAT_AES_KEY"] = strings.Repeat("A", 43)
	r = runChat(t, env, "帮助\n", "--wait", "0s")
	if r.code != 0 {
		t.Errorf("wrong key: chat = %d, want 0\n%s%s", r.code, r.out, r.errOut)
	}
	expect(t, "wrong key", r.out, "服务拒绝了这条消息", "MINQING_WECHAT_AES_KEY")

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"unknown persona", []string{"--as", "principal"}, "未知身份"},
		{"bad flag", []string{"--bogus"}, "用法"},
		{"extra argument", []string{"hello"}, "unexpected argument"},
		{"bad url", []string{"--url", "localhost:8080"}, "--url"},
	} {
		r := runChat(t, s.Env, "", tc.args...)
		if r.code != 2 {
			t.Errorf("%s: chat = %d, want 2\n%s%s", tc.name, r.code, r.out, r.errOut)
		}
		expect(t, tc.name, r.errOut, tc.want)
	}

	// Nothing listens on a port that was just closed.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String()
	l.Close()
	r = runChat(t, s.Env, "帮助\n", "--url", closed)
	if r.code != 1 {
		t.Errorf("closed port: chat = %d, want 1\n%s%s", r.code, r.out, r.errOut)
	}
	expect(t, "closed port", r.errOut, "无法连接服务：", "connection refused", "服务在运行吗？先运行 go run ./cmd/minqing")
}
