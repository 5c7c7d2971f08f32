package main

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"minqing/bot"
	"minqing/bot/chat"
	"minqing/config"
	"minqing/handlers"
	"minqing/handlers/dev"
	"minqing/handlers/digest"
	"minqing/handlers/fakewechat"
	"minqing/handlers/wechatapi"
	"minqing/storage"
	"minqing/storage/state"
)

// shutdownGrace bounds how long a stopping service waits for requests in
// flight and late replies.
const shutdownGrace = 20 * time.Second

// memoryStateEntries and memoryStateBytes bound the in-process state store
// (the embedded default). The byte budget is what binds under load: every
// message leaves a claim of about 300 bytes (state.EntryOverhead, the key
// and the encoded reply) for the hour the bot keeps it, so 32 MiB hold the
// last ~110,000 messages. WeChat retries a message within ~15 s, so a
// retry is still recognised by the claim up to ~7,000 messages/s; past
// that the least recently used claims go first, and a retry of a message
// with side effects is still caught by the database's processed-message
// record (one without them is at most answered twice).
const (
	memoryStateEntries = 200_000
	memoryStateBytes   = 32 << 20
	// memoryNonceBytes bounds the nonce store (plain mode only).
	memoryNonceBytes = 8 << 20
)

// app is the wired service: every component, built from the configuration
// and closed in reverse order.
type app struct {
	cfg   config.Config
	log   *slog.Logger
	db    *storage.DB
	state stateStore
	fake  *fakewechat.Server // dev mode only
	api   *wechatapi.Client
	bot   *chat.Bot
}

// stateStore is a bot.State the app can close, which also remembers
// webhook nonces.
type stateStore interface {
	bot.State
	handlers.NonceStore
	Close() error
}

func cmdServe(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 {
		fmt.Fprintf(e.stderr, "minqing serve takes no arguments; configure it with MINQING_* variables (see README.md)\n")
		return 2
	}
	cfg, log, ok := loadConfig(e)
	if !ok {
		return 2
	}
	log.Info("starting", "version", version, "config", cfg)
	applyMemoryLimit(e, cfg, log)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		log.Error("start_failed", "err", err)
		return 1
	}
	defer a.close()
	if err := a.serve(ctx); err != nil {
		log.Error("serve_failed", "err", err)
		return 1
	}
	return 0
}

// loadConfig reads the configuration and builds the logger; on a bad
// configuration it prints every problem and returns ok=false.
func loadConfig(e *env) (config.Config, *slog.Logger, bool) {
	cfg, err := config.Load(e.getenv)
	if err != nil {
		fmt.Fprintf(e.stderr, "minqing: %v\n", err)
		return cfg, nil, false
	}
	return cfg, config.NewLogger(cfg, e.stderr), true
}

// openDB opens and migrates the database.
func openDB(ctx context.Context, cfg config.Config, log *slog.Logger) (*storage.DB, error) {
	db, err := storage.Open(ctx, storage.Options{MySQLDSN: cfg.MySQLDSN, DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		return nil, err
	}
	if _, err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func openApp(ctx context.Context, cfg config.Config, log *slog.Logger) (a *app, err error) {
	a = &app{cfg: cfg, log: log}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	if a.db, err = openDB(ctx, cfg, log); err != nil {
		return nil, err
	}
	if cfg.RedisURL != "" {
		state.SetRedisLogger(log)
		r, err := state.OpenRedis(ctx, cfg.RedisURL, state.RedisOptions{Prefix: cfg.RedisPrefix})
		if err != nil {
			return nil, err
		}
		a.state = r
		if err := r.Ping(ctx); err != nil {
			// Start anyway: /readyz reports it, and messages are still
			// answered with dedup through the database.
			log.Warn("state_unavailable", "op", "start", "err", err)
		}
	} else {
		a.state = state.NewMemorySized(memoryStateEntries, memoryStateBytes)
	}
	return a, nil
}

// serve listens, wires the parts that need the address (the dev-mode fake
// WeChat API lives on the service itself), and serves until ctx ends; then
// it drains requests, late replies and scheduled work.
func (a *app) serve(ctx context.Context) error {
	cfg, log := a.cfg, a.log
	l, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.HTTPAddr, err)
	}
	defer l.Close()
	base := localURL(l.Addr().String())
	// The admin listener (metrics, pprof) is separate from the public one.
	var al net.Listener
	if cfg.AdminAddr != "" {
		if al, err = net.Listen("tcp", cfg.AdminAddr); err != nil {
			return fmt.Errorf("listen on %s (MINQING_ADMIN_ADDR): %w", cfg.AdminAddr, err)
		}
		defer al.Close()
	}

	metrics := handlers.NewMetrics()
	metrics.WatchGroupCommit(func() (int64, int64, int64, []int64) {
		s := a.db.BatchStats()
		return s.Batches, s.Updates, s.Fallbacks, s.Sizes
	})
	metrics.WatchStatements(a.db.Statements, a.db.Transactions)
	routes := map[string]http.Handler{}
	apiBase := cfg.WeChat.APIBase
	if cfg.Dev {
		a.fake = fakewechat.New(fakewechat.Options{AppID: cfg.WeChat.AppID, Secret: cfg.WeChat.Secret})
		routes["/dev/wechat-api/"] = http.StripPrefix("/dev/wechat-api", a.fake)
		if apiBase == "" {
			apiBase = base + "/dev/wechat-api"
		}
		sim, err := dev.NewHandler(dev.Options{
			WebhookURL: base + "/wechat", Token: cfg.WeChat.Token, AppID: cfg.WeChat.AppID,
			AESKey: cfg.WeChat.AESKey, Fake: a.fake, Menu: chat.DefaultMenu(), Logger: log,
		})
		if err != nil {
			return err
		}
		routes["/dev/"] = sim
		log.Info("dev_simulator", "url", base+"/dev/")
	}
	if a.api, err = wechatapi.New(wechatapi.Options{
		AppID: cfg.WeChat.AppID, Secret: cfg.WeChat.Secret, APIBase: apiBase,
		State: a.state, Logger: log, OnError: metrics.APIError,
	}); err != nil {
		return err
	}
	if a.bot, err = chat.New(chat.Config{
		Store: a.db, State: a.state, Notifier: a.api, Secret: cfg.Secret,
		Location: cfg.Location, Logger: log, PublicURL: cmp.Or(cfg.PublicURL, base),
	}); err != nil {
		return err
	}
	pages, err := digest.New(a.bot, cfg.Location, log)
	if err != nil {
		return err
	}
	for p, h := range pages.Routes() {
		routes[p] = h
	}
	var proc handlers.Processor = a.bot
	if a.fake != nil {
		proc = touchingProcessor{next: a.bot, fake: a.fake}
	}
	// Nonces live in the shared state store; on the embedded default in a
	// store of their own, so that a burst of requests cannot evict the
	// dedup claims.
	var nonces handlers.NonceStore = a.state
	if cfg.RedisURL == "" {
		nonces = state.NewMemorySized(memoryStateEntries, memoryNonceBytes)
	}
	srv, err := handlers.New(handlers.Options{
		Bot: proc, Notifier: a.api, Store: a.db, State: a.state, Nonces: nonces, Pprof: cfg.Pprof,
		Token: cfg.WeChat.Token, AppID: cfg.WeChat.AppID, AESKey: cfg.WeChat.AESKey,
		MaxSkew: cfg.WeChat.MaxSkew, ReplyBudget: cfg.ReplyBudget,
		Metrics: metrics, Logger: log, Routes: routes,
	})
	if err != nil {
		return err
	}

	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		chat.RunJobs(jobsCtx, a.state, a.bot.Jobs(), time.Now, chat.JobTick, log)
	}()

	adminURL := ""
	if al != nil {
		adminURL = localURL(al.Addr().String())
	}
	log.Info("listening", "addr", l.Addr().String(), "url", base, "admin_url", adminURL, "pprof", cfg.Pprof,
		"wechat_url", cmp.Or(cfg.PublicURL, base)+"/wechat",
		"data", a.db.Location, "state", stateKind(cfg), "dev", cfg.Dev)
	if cfg.Dev {
		log.Info("dev_mode", "fake_wechat_api", apiBase)
	}

	errc := make(chan error, 2)
	servers := 1
	go func() { errc <- srv.Serve(l) }()
	if al != nil {
		servers++
		go func() { errc <- srv.ServeAdmin(al) }()
	}
	select {
	case err = <-errc:
		servers--
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		srv.Shutdown(sctx)
		cancel()
	case <-ctx.Done():
		log.Info("stopping")
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		err = srv.Shutdown(sctx)
		cancel()
	}
	for range servers {
		if serr := <-errc; err == nil {
			err = serr
		}
	}
	stopJobs()
	<-jobsDone
	log.Info("stopped")
	return err
}

func (a *app) close() {
	if a.state != nil {
		a.state.Close()
	}
	if a.db != nil {
		a.db.Close()
	}
}

func cmdMigrate(ctx context.Context, e *env, args []string) int {
	cfg, log, ok := loadConfig(e)
	if !ok {
		return 2
	}
	db, err := storage.Open(ctx, storage.Options{MySQLDSN: cfg.MySQLDSN, DataDir: cfg.DataDir, Logger: log})
	if err != nil {
		log.Error("migrate_failed", "err", err)
		return 1
	}
	defer db.Close()
	applied, err := db.Migrate(ctx)
	if err != nil {
		log.Error("migrate_failed", "err", err)
		return 1
	}
	cur, _, err := db.SchemaVersion(ctx)
	if err != nil {
		log.Error("migrate_failed", "err", err)
		return 1
	}
	fmt.Fprintf(e.stdout, "database %s is at schema version %d (%d migrations applied now)\n", db.Location, cur, len(applied))
	return 0
}

func stateKind(cfg config.Config) string {
	if cfg.RedisURL != "" {
		return "redis"
	}
	return "memory"
}

// localURL turns a listening address into a URL to reach it from this machine.
func localURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr
	}
	if host == "" || host == "::" || host == "0.0.0.0" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// touchingProcessor tells the dev-mode fake WeChat API that a user wrote,
// so that it can emulate the 48-hour customer-service window.
type touchingProcessor struct {
	next handlers.Processor
	fake *fakewechat.Server
}

func (t touchingProcessor) Process(ctx context.Context, in bot.Inbound) (bot.Outcome, error) {
	t.fake.Touch(in.OpenID, time.Now())
	return t.next.Process(ctx, in)
}

func (t touchingProcessor) FailureReply() bot.Reply { return t.next.FailureReply() }

// applyMemoryLimit sets the Go runtime's soft memory limit from
// MINQING_MEMORY_LIMIT, so that the garbage collector works harder as the
// heap nears it instead of letting a burst double the heap. GOMEMLIMIT, if
// set, wins: the runtime has read it already.
func applyMemoryLimit(e *env, cfg config.Config, log *slog.Logger) {
	if e.getenv("GOMEMLIMIT") != "" || cfg.MemoryLimit <= 0 {
		return
	}
	debug.SetMemoryLimit(cfg.MemoryLimit)
	log.Debug("memory_limit", "bytes", cfg.MemoryLimit)
}
