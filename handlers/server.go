// Package handlers owns everything HTTP: the WeChat webhook, the outbound
// WeChat API (subpackage wechatapi), web pages, health and metrics.
package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"minqing/bot"
	"minqing/handlers/wechat"
)

// Processor handles one inbound message exactly once; *chat.Bot is one.
type Processor interface {
	Process(ctx context.Context, in bot.Inbound) (bot.Outcome, error)
	// FailureReply is the answer to a message whose processing failed.
	FailureReply() bot.Reply
}

// Options configure a Server.
type Options struct {
	Addr string
	// Pprof mounts net/http/pprof on the admin listener.
	Pprof bool

	Bot      Processor
	Notifier bot.Notifier
	Store    Pinger
	State    Pinger
	// Nonces remembers the nonces of signed requests (replay protection);
	// nil turns the check off.
	Nonces NonceStore

	// WeChat official account: the Token always, the AES key (and AppID)
	// for safe mode.
	Token   string
	AppID   string
	AESKey  string
	MaxSkew time.Duration
	// ReplyBudget is how long to wait for the bot before answering
	// "success" and pushing the reply later (default 4.5 s).
	ReplyBudget time.Duration
	// PushBackoff is the first wait before a failed customer-service
	// message is tried again (default 1 s; it doubles).
	PushBackoff time.Duration

	Metrics *Metrics
	Logger  *slog.Logger
	Now     func() time.Time

	// Routes are further handlers to mount, by ServeMux pattern
	// (the dev simulator, the fake WeChat API, pages).
	Routes map[string]http.Handler
}

// Server is the HTTP server of the service.
type Server struct {
	opts    Options
	log     *slog.Logger
	now     func() time.Time
	crypto  *wechat.Crypto
	metrics *Metrics
	http    *http.Server
	admin   *http.Server
	// workers tracks work that outlives its request (late replies);
	// Shutdown waits for it.
	workers sync.WaitGroup
}

// MaxBodyBytes caps a webhook request body.
const MaxBodyBytes = 64 << 10

// New builds a Server; it does not listen yet.
func New(o Options) (*Server, error) {
	if o.Bot == nil || o.Token == "" {
		return nil, errors.New("handlers: Bot and Token are required")
	}
	s := &Server{opts: o, log: o.Logger, now: o.Now, metrics: o.Metrics}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.metrics == nil {
		s.metrics = NewMetrics()
	}
	if s.opts.ReplyBudget <= 0 {
		s.opts.ReplyBudget = 4500 * time.Millisecond
	}
	if s.opts.PushBackoff <= 0 {
		s.opts.PushBackoff = time.Second
	}
	if o.AESKey != "" {
		c, err := wechat.NewCrypto(o.AESKey, o.AppID)
		if err != nil {
			return nil, fmt.Errorf("handlers: %w", err)
		}
		s.crypto = c
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /wechat", s.wechatVerify)
	mux.HandleFunc("POST /wechat", s.wechatMessage)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	for pattern, h := range o.Routes {
		mux.Handle(pattern, h)
	}
	s.http = &http.Server{
		Addr:              o.Addr,
		Handler:           recoverer(s.log)(mux),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}

	// The admin listener: metrics and profiles, never on the public one.
	amux := http.NewServeMux()
	amux.Handle("GET /metrics", s.metrics.handler())
	amux.HandleFunc("GET /healthz", s.healthz)
	amux.HandleFunc("GET /readyz", s.readyz)
	if o.Pprof {
		amux.HandleFunc("/debug/pprof/", pprof.Index)
		amux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		amux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		amux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		amux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	s.admin = &http.Server{
		Handler:           recoverer(s.log)(amux),
		ReadHeaderTimeout: 5 * time.Second,
		// CPU profiles and traces take 30 s by default.
		WriteTimeout: 2 * time.Minute,
		IdleTimeout:  120 * time.Second,
		ErrorLog:     slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	return s, nil
}

// ServeAdmin serves the admin endpoints (/metrics, /healthz, /readyz and,
// if enabled, /debug/pprof/) on l until Shutdown. Bind it to loopback or a
// private network: it is not authenticated.
func (s *Server) ServeAdmin(l net.Listener) error {
	if err := s.admin.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("handlers: serve admin: %w", err)
	}
	return nil
}

// Serve serves on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	if err := s.http.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("handlers: serve: %w", err)
	}
	return nil
}

// Shutdown stops accepting requests, waits for those in flight and for
// late replies still being delivered, until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if aerr := s.admin.Shutdown(ctx); err == nil {
		err = aerr
	}
	done := make(chan struct{})
	go func() { s.workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		if err == nil {
			err = fmt.Errorf("handlers: late replies still running: %w", ctx.Err())
		}
	}
	return err
}

// recoverer turns a panic into a 500 with no details; the details go to
// the log, once.
func recoverer(log *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
					http.Error(w, "internal error", http.StatusInternalServerError)
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}
