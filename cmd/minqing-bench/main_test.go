package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"minqing/cmd/minqing-bench/internal/echo/echotest"
)

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout+stderr
	}{
		{"no command", nil, 2, "commands:"},
		{"help", []string{"help"}, 0, "loadtest"},
		{"unknown", []string{"serve"}, 2, `unknown command "serve"`},
		{"loadtest without url", []string{"loadtest"}, 2, "-url is required"},
		{"loadtest bad proc", []string{"loadtest", "-url", "http://x", "-proc", "nope"}, 2, "NAME=PID"},
		{"loadtest bad counts", []string{"loadtest", "-url", "http://x", "-c", "0"}, 2, "at least 1"},
		{"echo without token", []string{"echo", "-addr", "127.0.0.1:0", "-token", ""}, 2, "token is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), tt.args, &out, &errb)
			if code != tt.code || !strings.Contains(out.String()+errb.String(), tt.want) {
				t.Errorf("run(%q) = %d, output %q %q; want %d and %q", tt.args, code, out.String(), errb.String(), tt.code, tt.want)
			}
		})
	}
}

// TestCompare runs loadtest against two echo handlers, one round, and
// checks the report: throughput and latency of both, the ratios, and the
// CPU per message of the processes named.
func TestCompare(t *testing.T) {
	var urls []string
	for range 2 {
		urls = append(urls, echotest.NewServer(t, echotest.AESKey).URL+"/wechat")
	}
	var out, errb bytes.Buffer
	self := strconv.Itoa(os.Getpid())
	code := run(context.Background(), []string{"loadtest", "-url", urls[0], "-baseline", urls[1], "-rounds", "1",
		"-d", "400ms", "-warmup", "100ms", "-c", "4", "-token", echotest.Token, "-appid", echotest.AppID, "-aes-key", echotest.AESKey,
		"-proc", "server=" + self, "-json"}, &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var sum struct {
		Baseline, Target []result
		BaselineMedians  side    `json:"baseline_medians"`
		TargetMedians    side    `json:"target_medians"`
		Ratio            float64 `json:"ratio"`
		P99Ratio         float64 `json:"p99_ratio"`
		CPURatio         float64 `json:"cpu_ratio"`
	}
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("decode %s: %v", out.String(), err)
	}
	if len(sum.Baseline) != 1 || len(sum.Target) != 1 {
		t.Fatalf("rounds: %d baseline, %d target", len(sum.Baseline), len(sum.Target))
	}
	for _, r := range append(sum.Baseline, sum.Target...) {
		if r.Report.OK == 0 || r.Report.OK != r.Report.Sent || r.Cost.Messages != r.Report.Sent {
			t.Errorf("report %+v, cost %+v: want every message answered and costed", r.Report, r.Cost)
		}
		if _, ok := r.Cost.CPU["loadgen"]; !ok {
			t.Errorf("no loadgen CPU in %v", r.Cost.CPU)
		}
		if r.Cost.CPU["server"] <= 0 || r.Cost.PeakRSS["server"] <= 0 {
			t.Errorf("server (this process) cost %v, RSS %v", r.Cost.CPU, r.Cost.PeakRSS)
		}
		if r.Cost.Statements != -1 || r.Cost.RedisCommands != -1 {
			t.Errorf("without -mysql/-redis: statements %v, redis %v; want -1", r.Cost.Statements, r.Cost.RedisCommands)
		}
		if r.Report.Warmup != 100*time.Millisecond {
			t.Errorf("warmup %v", r.Report.Warmup)
		}
	}
	if sum.Ratio <= 0 || sum.P99Ratio <= 0 || sum.CPURatio <= 0 {
		t.Errorf("ratios: throughput %v, p99 %v, cpu %v", sum.Ratio, sum.P99Ratio, sum.CPURatio)
	}
}

func TestEchoServes(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb bytes.Buffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"echo", "-addr", "127.0.0.1:0", "-token", echotest.Token, "-appid", echotest.AppID}, &out, &errb)
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case code := <-done:
		if code != 0 || !strings.Contains(errb.String(), "echo: stopped") {
			t.Errorf("echo = %d, %q", code, errb.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("echo did not stop")
	}
}
