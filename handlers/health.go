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

// readyz says whether the database and the state store answer, each
// within a second: 200 when both do, 503 otherwise, with a JSON body
// naming the one that does not. Error details go to the log only.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	status := map[string]string{}
	code := http.StatusOK
	for name, p := range map[string]Pinger{"database": s.opts.Store, "state": s.opts.State} {
		if p == nil {
			continue
		}
		if err := p.Ping(ctx); err != nil {
			status[name] = "unavailable"
			code = http.StatusServiceUnavailable
			s.log.Warn("not_ready", "dependency", name, "err", err)
			continue
		}
		status[name] = "ok"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(status)
}
