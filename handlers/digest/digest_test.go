package digest_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"minqing/bot"
	"minqing/bot/chat"
	"minqing/handlers/digest"
	"minqing/storage/sheet"
	"minqing/storage/state"
	"minqing/storage/storagetest"
)

type silent struct{}

func (silent) SendText(context.Context, string, string) error          { return bot.ErrUnavailable }
func (silent) SendTemplate(context.Context, bot.TemplateMessage) error { return bot.ErrUnavailable }

// TestPage serves a real digest (SQLite, a fixed clock) through the
// handler: the page, a changed link, an expired one, the export and the
// embedded ECharts.
func TestPage(t *testing.T) {
	db := storagetest.SQLite(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, loc)
	clock := &now
	ctx := context.Background()
	if err := db.Update(ctx, func(tx bot.Tx) error {
		s, err := tx.CreateUnit(ctx, bot.OrgUnit{Kind: bot.UnitSchool, Name: "实验小学", Code: "SYXX"})
		if err != nil {
			return err
		}
		at := time.Date(2026, 11, 18, 10, 0, 0, 0, loc)
		_, err = tx.CreateOpinion(ctx, bot.Opinion{SchoolID: s.ID, Code: "AB12-CD34", Category: "logistics", Text: "食堂的饭菜太咸", TextHash: "h",
			Source: bot.SourceText, Anonymous: true, Status: bot.StatusReceived, Created: at, Updated: at})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	b, err := chat.New(chat.Config{Store: db, State: state.NewMemory(10), Notifier: silent{}, Secret: "page-test-secret-0123456789",
		Now: func() time.Time { return *clock }, Location: loc, PublicURL: "https://mq.example.edu.cn"})
	if err != nil {
		t.Fatal(err)
	}
	h, err := digest.New(b, loc, nil)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for p, hh := range h.Routes() {
		mux.Handle(p, hh)
	}
	d, err := b.MakeDigest(ctx, chat.DigestOptions{School: "SYXX"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(d.Link)
	get := func(path string, hdr ...string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}

	w := get(u.RequestURI())
	if w.Code != 200 || !strings.Contains(w.Body.String(), "实验小学 第47周周报") || !strings.Contains(w.Body.String(), "AB12-CD34") ||
		!strings.Contains(w.Body.String(), `class="chart"`) || !strings.Contains(w.Body.String(), "/digest/echarts.min.js") {
		t.Fatalf("page: %d\n%s", w.Code, w.Body.String())
	}
	if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}

	q := u.Query()
	q.Set("u", "2")
	for _, bad := range []string{"/digest?" + q.Encode(), "/digest", "/digest?u=1&p=0&w=2026-W47&e=1&sig=zz"} {
		w := get(bad)
		if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "链接无效") || strings.Contains(w.Body.String(), "AB12") {
			t.Errorf("%s: %d\n%s", bad, w.Code, w.Body.String())
		}
	}

	x := get("/digest/export?" + u.RawQuery)
	if x.Code != 200 || !strings.Contains(x.Header().Get("Content-Disposition"), "xlsx") {
		t.Fatalf("export: %d %v", x.Code, x.Header())
	}
	file := t.TempDir() + "/ledger.xlsx"
	if err := os.WriteFile(file, x.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rows, err := sheet.Read(file)
	if err != nil || len(rows) != 2 || rows[0][0] != "回执码" || rows[1][0] != "AB12-CD34" || rows[1][4] != "食堂的饭菜太咸" {
		t.Errorf("export rows %v: %v", rows, err)
	}

	js := get("/digest/echarts.min.js", "Accept-Encoding", "gzip")
	zr, err := gzip.NewReader(js.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if js.Header().Get("Content-Encoding") != "gzip" || len(plain) < 500000 || !bytes.Contains(plain, []byte("echarts")) {
		t.Errorf("echarts: %d bytes, %v", len(plain), js.Header())
	}

	later := now.Add(15 * 24 * time.Hour)
	clock = &later
	w = get(u.RequestURI())
	if w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "已过期") || !strings.Contains(w.Body.String(), "14天") {
		t.Errorf("expired: %d\n%s", w.Code, w.Body.String())
	}
}
