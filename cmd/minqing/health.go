package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"
)

// cmdHealth asks the local service whether it is ready (GET /readyz), for
// container health checks: the distroless image has no shell or curl.
func cmdHealth(ctx context.Context, e *env, args []string) int {
	fs := cliFlags(e, "health")
	path := fs.String("path", "/readyz", "the endpoint to ask (/healthz: alive; /readyz: database and state store reachable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	addr := e.getenv("MINQING_HTTP_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "health: MINQING_HTTP_ADDR %q: %v\n", addr, err)
		return 2
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort("127.0.0.1", port)+*path, nil)
	if err != nil {
		fmt.Fprintf(e.stderr, "health: %v\n", err)
		return 2
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintf(e.stderr, "health: %v\n", err)
		return 1
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		fmt.Fprintf(e.stderr, "health: %s answered %s\n", *path, res.Status)
		return 1
	}
	fmt.Fprintln(e.stdout, "ok")
	return 0
}
