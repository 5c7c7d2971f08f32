package main

// The digest page, end to end: the service on the embedded default with
// the demo school (`minqing demo`, months of ledger history), the link
// `minqing digest --json` prints, and the page in headless Chromium at
// 375 px and in print. Every chart must draw; the screenshots go into
// -screenshots (docs/screenshots) and the test's temporary directory.

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chartsDrawn returns, per chart of the page, how many pixels of its
// canvas are not transparent (0 when it has no canvas).
const chartsDrawn = `[...document.querySelectorAll('.chart')].map(el => {
	const c = el.querySelector('canvas');
	if (!c || !c.width || !c.height) return 0;
	const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
	let n = 0;
	for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
	return n;
})`

func setMedia(m string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: m})
		return chromedp.Void{}, err
	}
}

func printPDF() chromedp.Action[[]byte] {
	return func(ctx context.Context, t *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, t, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69, PreferCSSPageSize: ptrTrue()})
		return r.Data, err
	}
}

func saveShot(t *testing.T, name string, png []byte) {
	t.Helper()
	dirs := []string{t.TempDir()}
	if dir := resolvedScreenshotDir(t); dir != "" {
		dirs = append(dirs, dir)
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", path)
	}
}

func TestDigestPageInBrowser(t *testing.T) {
	ctx := browser(t, 90*time.Second, 2)
	dir := t.TempDir()
	s := startService(t, map[string]string{"MINQING_DATA_DIR": dir})
	s.admin(t, "demo")
	var d struct {
		Link     string `json:"link"`
		Sections []struct {
			Key string `json:"key"`
		} `json:"sections"`
	}
	if err := json.Unmarshal([]byte(s.admin(t, "digest", "--school", "DEMO", "--json")), &d); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(d.Link)
	if err != nil || !strings.HasPrefix(u.Path, "/digest") {
		t.Fatalf("link %q: %v", d.Link, err)
	}
	link := s.URL + "/digest?" + u.RawQuery

	// A tampered link gets a clear page, not data.
	q := u.Query()
	q.Set("w", "2026-W01")
	code, body := get(t, s.URL+"/digest?"+q.Encode())
	if code != 403 || !strings.Contains(body, "链接无效") || strings.Contains(body, "新收意见") {
		t.Errorf("tampered link: %d\n%s", code, body)
	}

	check := func(what string) {
		t.Helper()
		drawn, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](chartsDrawn))
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(drawn) < 2 {
			t.Errorf("%s: %d charts on the page, want the category chart and the trend", what, len(drawn))
		}
		for i, n := range drawn {
			if n < 500 {
				t.Errorf("%s: chart %d drew %d pixels", what, i, n)
			}
		}
		t.Logf("%s: charts drew %v pixels", what, drawn)
	}
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(375, 812, chromedp.EmulateScale(2)),
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`#s-ledger .chart canvas`)),
		chromedp.Sleep(300*time.Millisecond),
	); err != nil {
		t.Fatal(err)
	}
	check("375 px")
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || width > 375 {
		t.Errorf("the page is %d px wide at a 375-px viewport (%v): it must not scroll sideways", width, err)
	}
	text, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	for _, want := range []string{"第", "周周报", "新收意见", "本学期响应率", "未办结意见", "打印"} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	top, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, "06-digest-phone.png", top)
	full, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, "07-digest-phone-full.png", full)

	// Print: A4 width, print media; the charts redraw for the page.
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(794, 1123, chromedp.EmulateScale(1)),
		setMedia("print"),
		chromedp.Evaluate[chromedp.Void](`window.dispatchEvent(new Event('beforeprint'))`),
		chromedp.Sleep(300*time.Millisecond),
	); err != nil {
		t.Fatal(err)
	}
	check("print")
	printed, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	saveShot(t, "08-digest-print.png", printed)
	pdf, err := chromedp.Run(ctx, printPDF())
	if err != nil || len(pdf) < 10000 || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Errorf("print to PDF: %d bytes, %v", len(pdf), err)
	}
	hidden, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`getComputedStyle(document.querySelector('.actions')).display === 'none'`))
	if !hidden {
		t.Error("the print layout shows the buttons")
	}
}

func ptrTrue() *bool { b := true; return &b }
