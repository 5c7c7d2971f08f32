package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"minqing/cmd/minqing-bench/internal/echo"
)

// cmdEcho serves the bare SDK echo handler on GET and POST /wechat: the
// baseline the webhook's throughput is measured against. It shuts down
// gracefully when ctx is cancelled.
func cmdEcho(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("echo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", ":8090", "listen address")
	token := fs.String("token", "", "account Token (default $MINQING_WECHAT_TOKEN)")
	appID := fs.String("appid", "", "account AppID (default $MINQING_WECHAT_APPID)")
	aesKey := fs.String("aes-key", "", "EncodingAESKey; empty = plain mode only (default $MINQING_WECHAT_AES_KEY)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "echo: unexpected arguments %q\n", fs.Args())
		return 2
	}
	stringFlagFromEnv(fs, "token", token, "MINQING_WECHAT_TOKEN")
	stringFlagFromEnv(fs, "appid", appID, "MINQING_WECHAT_APPID")
	stringFlagFromEnv(fs, "aes-key", aesKey, "MINQING_WECHAT_AES_KEY")
	h, err := echo.NewHandler(*token, *appID, *aesKey)
	if err != nil {
		fmt.Fprintf(stderr, "echo: %v\n", err)
		return 2
	}
	mux := http.NewServeMux()
	mux.Handle("GET /wechat", h)
	mux.Handle("POST /wechat", h)
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "echo: %v\n", err)
		return 1
	}
	fmt.Fprintf(stderr, "echo: listening on %s (POST/GET /wechat)\n", ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		fmt.Fprintf(stderr, "echo: %v\n", err)
		return 1
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		fmt.Fprintf(stderr, "echo: shutdown: %v\n", err)
		return 1
	}
	fmt.Fprintln(stderr, "echo: stopped")
	return 0
}
