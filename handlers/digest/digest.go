// Package digest serves the weekly digest's page: mobile-first HTML at a
// signed, expiring link (no login), readable in WeChat's built-in browser,
// with charts drawn by Apache ECharts (vendored under static/ from the npm
// package echarts@5.5.1, dist/echarts.min.js, and embedded), a print
// layout (A4) for the school's weekly report, and the ledger export of the
// week. A tampered or expired link gets a clear page, not data.
package digest

import (
	"bytes"
	"compress/gzip"
	"context"
	_ "embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"minqing/bot/chat"
	"minqing/storage/sheet"
)

//go:embed static/echarts.min.js
var echartsJS []byte

//go:embed page.html
var pageHTML string

// Source makes the digests of links; *chat.Bot is one.
type Source interface {
	DigestForLink(ctx context.Context, q url.Values) (*chat.Digest, error)
	ExportForLink(ctx context.Context, q url.Values) (head []string, rows [][]string, name string, err error)
	LinkDays(ctx context.Context, unitID int64) int
}

// Handler serves /digest, /digest/export and /digest/echarts.min.js.
type Handler struct {
	src    Source
	loc    *time.Location
	log    *slog.Logger
	page   *template.Template
	jsGzip []byte
}

// New returns the digest page's handler.
func New(src Source, loc *time.Location, log *slog.Logger) (*Handler, error) {
	if loc == nil {
		loc = time.UTC
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t, err := template.New("page").Funcs(template.FuncMap{
		"hasPrefix": strings.HasPrefix,
	}).Parse(pageHTML)
	if err != nil {
		return nil, err
	}
	var gz bytes.Buffer
	w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	w.Write(echartsJS)
	w.Close()
	return &Handler{src: src, loc: loc, log: log, page: t, jsGzip: gz.Bytes()}, nil
}

// Routes are the handler's patterns, for handlers.Options.Routes.
func (h *Handler) Routes() map[string]http.Handler {
	return map[string]http.Handler{
		chat.DigestPath:                     http.HandlerFunc(h.servePage),
		chat.DigestPath + "/export":         http.HandlerFunc(h.serveExport),
		chat.DigestPath + "/echarts.min.js": http.HandlerFunc(h.serveJS),
	}
}

type pageData struct {
	Title   string
	Message string
	D       *chat.Digest
	Views   []chat.SectionView
	Head    []string
	Rollup  [][]string
	Export  string
	Gen     string
	Partial bool
	T       map[string]string
}

func (h *Handler) servePage(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	d, err := h.src.DigestForLink(r.Context(), r.URL.Query())
	if err != nil {
		h.linkError(w, r, err)
		return
	}
	head, rows := d.Rollup()
	data := pageData{Title: d.Title(), D: d, Views: d.Views(), Head: head, Rollup: rows, T: pageText,
		Gen: d.Generated.In(h.loc).Format("2006-01-02 15:04"), Partial: d.Partial}
	if d.Kind == "school" {
		data.Export = chat.DigestPath + "/export?" + r.URL.RawQuery
	}
	h.render(w, http.StatusOK, data)
}

// linkError answers a bad link with a page that says what happened.
func (h *Handler) linkError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, chat.ErrLinkExpired):
		days := 14
		if l, _ := url.ParseQuery(r.URL.RawQuery); l != nil {
			days = h.src.LinkDays(r.Context(), atoi(l.Get("u")))
		}
		h.render(w, http.StatusGone, pageData{Title: pageText["expired"], Message: strings.ReplaceAll(pageText["expiredMsg"], "%d", itoa(days)), T: pageText})
	case errors.Is(err, chat.ErrLinkInvalid):
		h.render(w, http.StatusForbidden, pageData{Title: pageText["invalid"], Message: pageText["invalidMsg"], T: pageText})
	case errors.Is(err, chat.ErrLinkRevoked):
		h.render(w, http.StatusForbidden, pageData{Title: pageText["revoked"], Message: pageText["revokedMsg"], T: pageText})
	default:
		h.log.Error("digest_page_failed", "err", err)
		h.render(w, http.StatusServiceUnavailable, pageData{Title: pageText["title"], Message: pageText["error"], T: pageText})
	}
}

func (h *Handler) render(w http.ResponseWriter, status int, data pageData) {
	var buf bytes.Buffer
	if err := h.page.Execute(&buf, data); err != nil {
		h.log.Error("digest_page_render_failed", "err", err)
		http.Error(w, pageText["error"], http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (h *Handler) serveExport(w http.ResponseWriter, r *http.Request) {
	head, rows, name, err := h.src.ExportForLink(r.Context(), r.URL.Query())
	if err != nil {
		h.linkError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := sheet.WriteTo(&buf, sheet.FormatXLSX, head, rows); err != nil {
		h.log.Error("digest_export_failed", "err", err)
		http.Error(w, pageText["error"], http.StatusInternalServerError)
		return
	}
	file := "民情台帐-" + name + ".xlsx"
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''"+url.PathEscape(file))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

func (h *Handler) serveJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=604800, immutable")
	w.Header().Set("Vary", "Accept-Encoding")
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(h.jsGzip)
		return
	}
	w.Write(echartsJS)
}

func atoi(s string) int64 {
	var n int64
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
		n = n*10 + int64(c-'0')
	}
	return n
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
