package main

// The dev-mode web simulator at /dev/, driven in headless Chromium: the
// acceptance test of "see the whole product working on a laptop", and the
// README's screenshots (go test ./cmd/minqing -run SimulatorScreenshots
// -screenshots docs/screenshots, run at the repository's root).

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

var screenshotDir = flag.String("screenshots", "", "write the simulator walkthrough's screenshots (PNG) into this directory")

// chromiumPath finds a Chromium or Chrome: MINQING_TEST_CHROMIUM, else
// the usual names on PATH. Without one the test is skipped, or fails with
// CI=true.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("MINQING_TEST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found (set MINQING_TEST_CHROMIUM); CI=true makes this a failure")
	}
	t.Skip("no Chromium found; set MINQING_TEST_CHROMIUM to run the browser tests")
	return ""
}

// browser starts a headless Chromium with a fresh profile and returns a
// tab's context, bounded by timeout. The viewport is a phone's (390×844)
// at the given device scale.
func browser(t *testing.T, timeout time.Duration, scale float64) context.Context {
	t.Helper()
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("font-render-hinting", "none"),
		chromedp.WindowSize(390, 844),
		// The schools' time zone, for the times the page shows.
		chromedp.Env("TZ=Asia/Shanghai"),
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	tctx, tcancel := chromedp.NewContext(actx)
	t.Cleanup(tcancel)
	if err := chromedp.Do(tctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(scale))); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	return tctx
}

// simulator is the page at /dev/ in a browser.
type simulator struct {
	t   *testing.T
	ctx context.Context
	url string
}

func (s *simulator) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx, steps...); err != nil {
		s.t.Fatalf("%s: %v\n%s", what, err, s.dump())
	}
}

// dump returns the visible conversation, for failure messages.
func (s *simulator) dump() string {
	ctx, cancel := context.WithTimeout(s.ctx, 2*time.Second)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById("messages") || document.body).innerText`))
	if err != nil {
		return "(page unavailable: " + err.Error() + ")"
	}
	return "page shows:\n" + text
}

func (s *simulator) open() {
	s.t.Helper()
	s.do("open /dev/", chromedp.Navigate(s.url+"/dev/"), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)))
}

func (s *simulator) as(persona string) {
	s.t.Helper()
	s.do("switch to "+persona,
		chromedp.Click(chromedp.ID("persona-"+persona)),
		chromedp.WaitVisible(chromedp.CSS(`#messages[data-persona="`+persona+`"]`)),
	)
}

// say types text into the input and presses Enter.
func (s *simulator) say(text string) {
	s.t.Helper()
	s.do("say "+text, chromedp.SendKeys(chromedp.ID("input"), text+kb.Enter))
}

// waitFor waits until an element matching css has text (textContent)
// matching re, and returns the last such text.
func (s *simulator) waitFor(css string, re *regexp.Regexp) string {
	s.t.Helper()
	fn := `(css, re) => {
		const r = new RegExp(re);
		const found = [...document.querySelectorAll(css)].map(e => e.textContent).filter(t => r.test(t));
		return found.length ? found[found.length - 1] : false;
	}`
	ctx, cancel := context.WithTimeout(s.ctx, 15*time.Second)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.PollFunction[string](fn,
		chromedp.WithPollingArgs(css, re.String()), chromedp.WithPollingTimeout(10*time.Second)))
	if err != nil {
		s.t.Fatalf("waiting for %s matching %q: %v\n%s", css, re, err, s.dump())
	}
	return text
}

// count returns how many elements match css.
func (s *simulator) count(css string) int {
	s.t.Helper()
	q, _ := json.Marshal(css)
	n, err := chromedp.Run(s.ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+string(q)+`).length`))
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// shot writes a screenshot of the viewport when -screenshots is set. The
// chat is scrolled to the bottom, or so that the last element matching
// top (if not "") is at the top.
func (s *simulator) shot(name, top string) {
	s.t.Helper()
	if *screenshotDir == "" {
		return
	}
	// Take the focus ring and the cursor out, and scroll.
	q, _ := json.Marshal(top)
	s.do("settle", chromedp.Evaluate[chromedp.Void](`(() => {
		if (document.activeElement) document.activeElement.blur();
		const chat = document.getElementById("chat");
		chat.scrollTop = 1e9;
		const el = `+string(q)+` && [...document.querySelectorAll(`+string(q)+`)].pop();
		if (el) chat.scrollTop += el.getBoundingClientRect().top - chat.getBoundingClientRect().top - 6;
	})()`))
	png, err := chromedp.Run(s.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(*screenshotDir, 0o755); err != nil {
		s.t.Fatal(err)
	}
	path := filepath.Join(*screenshotDir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		s.t.Fatal(err)
	}
	s.t.Logf("wrote %s", path)
}

// simulatorService boots the service on the embedded default (dev mode)
// and seeds the demo school (`minqing demo`), which binds the staff
// personas. It returns the service and a unit of the demo school to assign
// opinions to.
func simulatorService(t *testing.T) (*service, string) {
	t.Helper()
	s := startService(t, map[string]string{"MINQING_DATA_DIR": t.TempDir()})
	if !strings.Contains(s.Logs.String(), `"dev_simulator"`) {
		t.Fatalf("dev mode is off on the embedded default:\n%s", s.Logs.String())
	}
	s.admin(t, "demo")
	return s, "总务处"
}

var (
	anyCode = regexp.MustCompile(receiptCode.String())
)

// walkthrough is the story of the issue: a parent writes, the principal
// assigns and answers, the parent gets the answer pushed; then the menu.
func walkthrough(t *testing.T, s *simulator, unit string) {
	start := time.Now()
	s.open()

	// The parent writes an opinion and gets a receipt code.
	s.as("parent")
	s.say("建议：食堂饭菜太咸了，希望少放点盐")
	s.waitFor(".msg.user", regexp.MustCompile("食堂饭菜太咸了"))
	reply := s.waitFor(".msg.bot", anyCode)
	code := anyCode.FindString(reply)
	t.Logf("receipt %s after %v", code, time.Since(start).Round(time.Millisecond))
	s.shot("01-parent-opinion.png", "")
	// The banner folds away.
	s.do("fold the banner", chromedp.Click(chromedp.ID("banner-close")), chromedp.WaitNotVisible(chromedp.ID("banner")))

	// The principal sees it in the ledger, assigns and answers it.
	s.as("leader")
	s.say("台帐")
	s.waitFor(".msg.bot", regexp.MustCompile("民情台帐"))
	s.shot("02-leader-ledger.png", ".msg.user")
	s.say("交办 " + code + " " + unit + " 3天")
	s.waitFor(".msg.bot", regexp.MustCompile("交办给"+unit))
	s.say("答复 " + code + " 已经要求食堂少放盐")
	s.waitFor(".msg.bot", regexp.MustCompile("已答复"))
	s.shot("03-leader-answer.png", "")

	// Back to the parent: the answer arrived as a customer-service message,
	// without a reload.
	s.as("parent")
	s.waitFor(".msg.push", regexp.MustCompile("少放盐"))
	s.shot("04-parent-pushed-answer.png", "")

	// A reload keeps the conversation.
	s.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`body[data-ready="true"]`)))
	s.waitFor(`#messages[data-persona="parent"] .msg.push`, regexp.MustCompile("少放盐"))
	s.waitFor(".msg.bot", regexp.MustCompile(code))

	// The menu: 我要建议 starts the flow; 我的 opens a pop-up, which
	// Escape closes.
	s.do("menu 我要建议", chromedp.Click(chromedp.CSS(`.menu-btn[data-key="OPINION"]`)))
	s.waitFor(".msg.bot", regexp.MustCompile("分几条发送"))
	s.do("open 我的",
		chromedp.Click(chromedp.CSS(`.menu-btn.has-sub[data-name="我的"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.menu-pop .menu-btn[data-key="HELP"]`)),
	)
	s.shot("05-menu.png", "")
	s.do("Escape", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.CSS(`.menu-pop`)))
	s.say("取消")
	s.waitFor(".msg.bot", regexp.MustCompile("已取消"))
	s.do("menu 我的 › 使用帮助",
		chromedp.Click(chromedp.CSS(`.menu-btn.has-sub[data-name="我的"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.menu-pop .menu-btn[data-key="HELP"]`)),
		chromedp.Click(chromedp.CSS(`.menu-pop .menu-btn[data-key="HELP"]`)),
	)
	if n := s.count(`.menu-pop:not([hidden])`); n != 0 {
		t.Errorf("%d menu pop-ups still open after a click", n)
	}
	s.waitFor(".msg.bot", regexp.MustCompile("可以直接发送"))

	// A voice message.
	s.do("voice mode", chromedp.Click(chromedp.ID("voice")))
	s.say("校门口早上接送的车太多了希望安排人疏导")
	s.waitFor(".msg.user", regexp.MustCompile(`\[语音\] 校门口`))
	s.waitFor(".msg.bot", regexp.MustCompile("安全"))
	t.Logf("walkthrough took %v", time.Since(start).Round(time.Millisecond))
}

func TestSimulatorBrowser(t *testing.T) {
	svc, unit := simulatorService(t)
	s := &simulator{t: t, ctx: browser(t, 60*time.Second, 1), url: svc.URL}
	walkthrough(t, s, unit)
	for _, rec := range logRecords(svc, "dev_send_failed") {
		t.Errorf("the simulator failed to send: %v", rec)
	}
	logs := svc.Logs.String()
	for _, secret := range []string{"dev-parent-0001", "食堂饭菜太咸了", "少放盐"} {
		if strings.Contains(logs, secret) {
			t.Errorf("the log contains %q", secret)
		}
	}
}

// TestSimulatorScreenshots writes the README's screenshots:
//
//	go test ./cmd/minqing -run SimulatorScreenshots -screenshots docs/screenshots
//
// A relative directory is taken from the repository's root (go test runs
// the test in cmd/minqing), so the command above writes the README's
// docs/screenshots.
func TestSimulatorScreenshots(t *testing.T) {
	if *screenshotDir == "" {
		t.Skip("run with -screenshots DIR to write the screenshots")
	}
	dir := resolvedScreenshotDir(t)
	*screenshotDir = dir
	svc, unit := simulatorService(t)
	s := &simulator{t: t, ctx: browser(t, 90*time.Second, 2), url: svc.URL}
	walkthrough(t, s, unit)
	fmt.Fprintln(os.Stderr, "screenshots in", dir)
}

// resolvedScreenshotDir is the -screenshots directory as an absolute path,
// a relative one taken from the repository's root (go test runs the tests
// in cmd/minqing), or "" when the flag is not given.
func resolvedScreenshotDir(t *testing.T) string {
	t.Helper()
	rel := *screenshotDir
	if rel == "" {
		return ""
	}
	if !filepath.IsAbs(rel) {
		rel = filepath.Join("..", "..", rel)
	}
	dir, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	return dir
}
