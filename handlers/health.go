package handlers

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// Pinger is a dependency /readyz checks.
type Pinger interface {
	Ping(ctx context.Context) error
}

// healthz says the process is alive; it checks nothing else.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyTimeout bounds each dependency's ping.
const readyTimeout = time.Second

// readyz says whether the database and the state store answer, each
// pinged at once with a deadline of its own (one that hangs does not make
// the other look down): 200 when both do, 503 otherwise, with a JSON body
// naming each one's state. Error details go to the log only.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	type result struct {
		name string
		err  error
	}
	deps := map[string]Pinger{"database": s.opts.Store, "state": s.opts.State}
	results := make(chan result, len(deps))
	n := 0
	for name, p := range deps {
		if p == nil {
			continue
		}
		n++
		go func() {
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			defer cancel()
			results <- result{name, ping(ctx, p)}
		}()
	}
	status := map[string]string{}
	code := http.StatusOK
	for range n {
		res := <-results
		if res.err != nil {
			status[res.name] = "unavailable"
			code = http.StatusServiceUnavailable
			s.log.Warn("not_ready", "dependency", res.name, "err", res.err)
			continue
		}
		status[res.name] = "ok"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(status)
}

// ping calls p.Ping but returns by ctx's deadline even if p ignores it
// (a driver stuck on a frozen server); the call itself ends when it ends.
func ping(ctx context.Context, p Pinger) error {
	done := make(chan error, 1)
	go func() { done <- p.Ping(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}
