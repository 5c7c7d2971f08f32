package load

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"minqing/cmd/minqing-bench/internal/echo"
	"minqing/cmd/minqing-bench/internal/echo/echotest"
)

// checkConsistent checks that a report adds up.
func checkConsistent(t *testing.T, r Report) {
	t.Helper()
	var failed int64
	for _, n := range r.Failures {
		failed += n
	}
	if failed != r.Failed || r.OK+r.Failed != r.Sent {
		t.Errorf("counts do not add up: sent %d, ok %d, failed %d, failures %v", r.Sent, r.OK, r.Failed, r.Failures)
	}
	l := r.Latency
	if r.OK > 0 && !(0 < l.Min && l.Min <= l.P50 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max && l.Min <= l.Mean && l.Mean <= l.Max) {
		t.Errorf("latencies out of order: %+v", l)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("json.Marshal: %v", err)
	}
	if !strings.Contains(r.String(), "throughput") {
		t.Errorf("String() = %q", r.String())
	}
}

func TestRunEcho(t *testing.T) {
	srv := echotest.NewServer(t, echotest.AESKey)
	tests := []struct {
		name string
		o    Options
	}{
		{"closed loop, aes", Options{Concurrency: 8, Duration: 700 * time.Millisecond, Warmup: 200 * time.Millisecond, Senders: 10, EncodingAESKey: echotest.AESKey}},
		{"open loop, aes", Options{Concurrency: 8, Rate: 200, Duration: 700 * time.Millisecond, Warmup: 200 * time.Millisecond, Senders: 10, EncodingAESKey: echotest.AESKey}},
		{"closed loop, plain", Options{Concurrency: 4, Duration: 300 * time.Millisecond}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.o
			o.URL, o.Token, o.AppID = srv.URL+"/wechat", echotest.Token, echotest.AppID
			r, err := Run(context.Background(), o)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			t.Logf("\n%s", r)
			checkConsistent(t, r)
			// An open loop on a busy machine (-race) may miss some of its
			// schedule; those are counted as missed, never dropped.
			if r.Sent == 0 || r.OK != r.Sent || r.Failed != 0 || (o.Rate == 0 && r.HasFailures()) || r.Empty != 0 {
				t.Errorf("want every message answered: %+v", r)
			}
			if r.Throughput <= 0 || r.Elapsed < o.Duration/2 {
				t.Errorf("throughput %v over %v", r.Throughput, r.Elapsed)
			}
			if o.Rate > 0 {
				// 200 msg/s for 0.7 s: 140 messages due in the window, each
				// either sent or reported missed.
				if n := r.Sent + r.Missed; n < 135 || n > 141 {
					t.Errorf("open loop sent %d and missed %d, want about 140 in all", r.Sent, r.Missed)
				}
			}
		})
	}
}

func TestRunFailures(t *testing.T) {
	tests := []struct {
		name    string
		h       http.HandlerFunc
		reason  string
		timeout time.Duration
	}{
		// Only the slow case may time out: the others get a timeout no busy
		// machine reaches, so that their failure is the one they test.
		{"503", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "busy", http.StatusServiceUnavailable) }, "status 503", 10 * time.Second},
		{"garbage", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("<html>")) }, ReasonBadReply, 10 * time.Second},
		{"slow", func(w http.ResponseWriter, r *http.Request) { time.Sleep(5 * time.Second) }, ReasonTimeout, 50 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.h)
			defer srv.Close()
			r, err := Run(context.Background(), Options{
				URL: srv.URL, Token: echotest.Token, AppID: echotest.AppID, EncodingAESKey: echotest.AESKey,
				Concurrency: 2, Duration: 250 * time.Millisecond, Timeout: tt.timeout,
			})
			if err != nil {
				t.Fatal(err)
			}
			checkConsistent(t, r)
			if r.Sent == 0 || r.OK != 0 || r.Failures[tt.reason] != r.Sent || !r.HasFailures() {
				t.Errorf("want every message failed with %q: %+v", tt.reason, r)
			}
		})
	}
}

// TestRunOpenLoopStall checks that a stall shows in the latencies of the
// messages due during it (no coordinated omission), and that messages the
// server could not take before the window closed are reported as missed.
func TestRunOpenLoopStall(t *testing.T) {
	var once sync.Once
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		once.Do(func() { time.Sleep(300 * time.Millisecond) })
		w.Write([]byte("success"))
	})
	srv := httptest.NewServer(h)
	defer srv.Close()
	r, err := Run(context.Background(), Options{
		URL: srv.URL, Token: echotest.Token, AppID: echotest.AppID,
		Concurrency: 1, Rate: 100, Duration: 600 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", r)
	checkConsistent(t, r)
	if r.Latency.Max < 250*time.Millisecond || r.Latency.P90 < 100*time.Millisecond {
		t.Errorf("the stall is hidden: %+v", r.Latency)
	}
	if r.OK != r.Sent || r.Empty != r.OK {
		t.Errorf("want all ok and empty: %+v", r)
	}

	// A server that never keeps up: one worker, 100 ms per message, 100/s.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(100 * time.Millisecond)
	}))
	defer slow.Close()
	r, err = Run(context.Background(), Options{
		URL: slow.URL, Token: echotest.Token, AppID: echotest.AppID,
		Concurrency: 1, Rate: 100, Duration: 500 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	checkConsistent(t, r)
	if r.Missed < 30 || r.Sent+r.Missed < 48 || r.Sent+r.Missed > 51 {
		t.Errorf("want about 50 due, most missed: sent %d, missed %d", r.Sent, r.Missed)
	}
}

func TestRunCancel(t *testing.T) {
	srv := echotest.NewServer(t, echotest.AESKey)
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	r, err := Run(ctx, Options{URL: srv.URL, Token: echotest.Token, AppID: echotest.AppID, EncodingAESKey: echotest.AESKey, Concurrency: 2, Duration: time.Minute})
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("Run after cancel: %v after %v", err, time.Since(start))
	}
	checkConsistent(t, r)
}

func TestRunOptions(t *testing.T) {
	for _, o := range []Options{
		{Duration: time.Second},
		{URL: "http://x", Duration: 0},
		{URL: "http://x", Duration: time.Second, Rate: -1},
		{URL: "http://x", Duration: time.Second, EncodingAESKey: "short"},
	} {
		if _, err := Run(context.Background(), o); err == nil {
			t.Errorf("Run(%+v): no error", o)
		}
	}
}

// TestRunTexts checks that Texts are sent in turn: the echo baseline
// answers each with its own content.
func TestRunTexts(t *testing.T) {
	h, err := echo.NewHandler(echotest.Token, echotest.AppID, "")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		for _, s := range Mix {
			if strings.Contains(rec.Body.String(), "<![CDATA["+s+"]]>") {
				mu.Lock()
				seen[s]++
				mu.Unlock()
			}
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	t.Cleanup(srv.Close)
	r, err := Run(context.Background(), Options{URL: srv.URL + "/wechat", Token: echotest.Token, AppID: echotest.AppID, Concurrency: 2,
		Duration: 300 * time.Millisecond, Texts: Mix})
	if err != nil || r.OK == 0 || r.HasFailures() {
		t.Fatalf("Run = %+v, %v", r, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != len(Mix) {
		t.Errorf("answered %d distinct texts of the mix's %d: %v", len(seen), len(Mix), seen)
	}
}

// TestRunFreshSenders checks that FreshSenders runs share no openid, and
// that runs without it reuse the same ones.
func TestRunFreshSenders(t *testing.T) {
	h, err := echo.NewHandler(echotest.Token, echotest.AppID, "")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var from []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		_, rest, _ := strings.Cut(string(body), "<FromUserName><![CDATA[")
		id, _, _ := strings.Cut(rest, "]]>")
		mu.Lock()
		from = append(from, id)
		mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	senders := func(fresh bool) map[string]bool {
		mu.Lock()
		from = nil
		mu.Unlock()
		r, err := Run(context.Background(), Options{URL: srv.URL + "/wechat", Token: echotest.Token, AppID: echotest.AppID, Concurrency: 2,
			Duration: 100 * time.Millisecond, Senders: 3, FreshSenders: fresh})
		if err != nil || r.HasFailures() {
			t.Fatalf("Run = %+v, %v", r, err)
		}
		mu.Lock()
		defer mu.Unlock()
		set := map[string]bool{}
		for _, id := range from {
			if len(id) != 28 {
				t.Errorf("openid %q: %d characters, want 28", id, len(id))
			}
			set[id] = true
		}
		return set
	}
	a, b := senders(true), senders(true)
	for id := range a {
		if b[id] {
			t.Errorf("fresh runs share openid %q", id)
		}
	}
	c, d := senders(false), senders(false)
	if len(c) != 3 || len(d) != 3 {
		t.Errorf("runs without FreshSenders: %d and %d senders, want 3", len(c), len(d))
	}
	for id := range c {
		if !d[id] {
			t.Errorf("runs without FreshSenders differ in %q", id)
		}
	}
}
