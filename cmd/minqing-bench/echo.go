package main

import (
	"context"
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
	var token, appID, aesKey string
	accountFlags(fs, &token, &appID, &aesKey, "EncodingAESKey; empty = plain mode only")
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	h, err := echo.NewHandler(token, appID, aesKey)
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
