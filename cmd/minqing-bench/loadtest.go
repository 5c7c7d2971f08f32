package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	_ "github.com/go-sql-driver/mysql"
	"github.com/redis/go-redis/v9"

	"minqing/cmd/minqing-bench/internal/cost"
	"minqing/cmd/minqing-bench/internal/load"
)

// cmdLoadtest sends signed (and, with an AES key, encrypted) WeChat text
// messages to a webhook and prints throughput and latency and, with
// -mysql, -redis and -proc, the cost per message. It exits 1 if any message
// failed or could not be sent on schedule, 2 on bad usage.
func cmdLoadtest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: minqing-bench loadtest -url http://host:port/wechat [flags]")
		fs.PrintDefaults()
	}
	var o load.Options
	var (
		asJSON    bool
		baseline  string
		rounds    int
		mysqlDSN  string
		redisURL  string
		procFlags []string
		mix       bool
		checkins  bool
	)
	fs.StringVar(&o.URL, "url", "", "webhook URL (required)")
	accountFlags(fs, &o.Token, &o.AppID, &o.EncodingAESKey, "EncodingAESKey; empty = plain mode")
	fs.IntVar(&o.Concurrency, "c", 64, "concurrent requests")
	fs.Float64Var(&o.Rate, "rate", 0, "messages per second, open loop (latency from each message's scheduled send time); 0 = as fast as -c allows")
	fs.DurationVar(&o.Duration, "d", 10*time.Second, "measured duration")
	fs.DurationVar(&o.Warmup, "warmup", time.Second, "warmup before the measured window, run on its own (neither counted nor costed)")
	fs.IntVar(&o.Senders, "senders", 100000, "distinct synthetic openids (minqing slows down a sender past 30 messages a minute, so keep this high)")
	fs.StringVar(&o.Text, "text", load.DefaultText, "message text")
	fs.BoolVar(&o.FreshSenders, "fresh-senders", false, "openids no earlier run used, so that no message is a repeat or over a sender's daily cap")
	fs.BoolVar(&mix, "mix", false, "send a mix of opinions, help, greetings and lookups instead of -text (see load.Mix)")
	fs.BoolVar(&checkins, "checkins", false, "send study check-ins (the senders must be bound staff: minqing demo --load-staff N) instead of -text (see load.Checkins)")
	fs.DurationVar(&o.Timeout, "timeout", 5*time.Second, "per-request timeout (WeChat gives up after 5s)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.StringVar(&baseline, "baseline", "", "a second webhook URL (e.g. `minqing-bench echo`) measured in turn with -url, round after round, for ratios")
	fs.IntVar(&rounds, "rounds", 3, "with -baseline: rounds of (baseline, target) runs; ratios are of the medians")
	fs.StringVar(&mysqlDSN, "mysql", "", "MySQL/MariaDB DSN (go-sql-driver form) whose SHOW GLOBAL STATUS counts statements per message")
	fs.StringVar(&redisURL, "redis", "", "Redis URL whose INFO stats counts commands per message")
	fs.Func("proc", "NAME=PID or NAME=COMMAND: a process whose CPU µs per message and peak RSS are reported (repeatable; this process is always \"loadgen\")", func(v string) error {
		procFlags = append(procFlags, v)
		return nil
	})
	if code, ok := parseFlags(fs, args, stderr); !ok {
		return code
	}
	if o.URL == "" {
		fmt.Fprintln(stderr, "loadtest: -url is required")
		fs.Usage()
		return 2
	}
	if o.Concurrency < 1 || o.Senders < 1 || o.Duration <= 0 || o.Rate < 0 {
		fmt.Fprintln(stderr, "loadtest: -c and -senders must be at least 1, -d positive, -rate not negative")
		return 2
	}
	if mix {
		o.Texts = load.Mix
	}
	if checkins {
		o.Texts = load.Checkins
	}
	sampler := &cost.Sampler{Procs: []cost.Proc{{Name: "loadgen"}}}
	for _, v := range procFlags {
		p, err := cost.ParseProc(v)
		if err != nil {
			fmt.Fprintf(stderr, "loadtest: -proc: %v\n", err)
			return 2
		}
		sampler.Procs = append(sampler.Procs, p)
	}
	if mysqlDSN != "" {
		db, err := sql.Open("mysql", mysqlDSN)
		if err != nil {
			fmt.Fprintf(stderr, "loadtest: -mysql: %v\n", err)
			return 2
		}
		db.SetMaxOpenConns(1)
		defer db.Close()
		sampler.DB = db
	}
	if redisURL != "" {
		opt, err := redis.ParseURL(redisURL)
		if err != nil {
			fmt.Fprintf(stderr, "loadtest: -redis: %v\n", err)
			return 2
		}
		opt.PoolSize = 1
		rdb := redis.NewClient(opt)
		defer rdb.Close()
		sampler.Redis = rdb
	}
	if _, err := sampler.Take(ctx); err != nil {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		return 1
	}

	if baseline != "" {
		return compare(ctx, o, sampler, baseline, rounds, asJSON, stdout, stderr)
	}
	res, err := measured(ctx, o, sampler)
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		if res.Report.Sent == 0 {
			return 1
		}
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			fmt.Fprintf(stderr, "loadtest: %v\n", err)
			return 1
		}
	} else {
		fmt.Fprint(stdout, res.Report)
		printCost(stdout, "", res.Cost)
	}
	if err != nil || res.Report.HasFailures() {
		return 1
	}
	return 0
}

// result is one measured run: the load report and its cost per message.
type result struct {
	Report load.Report     `json:"report"`
	Cost   cost.PerMessage `json:"cost"`
}

// measured runs the warmup on its own, then the measured window between two
// samples of the counters, so that the costs cover exactly the messages
// counted (Sent; in open loop the missed ones were never sent).
func measured(ctx context.Context, o load.Options, s *cost.Sampler) (result, error) {
	if o.Warmup > 0 {
		w := o
		w.Duration, w.Warmup = o.Warmup, 0
		if _, err := load.Run(ctx, w); err != nil {
			return result{}, fmt.Errorf("warmup: %w", err)
		}
	}
	warmup := o.Warmup
	o.Warmup = 0
	a, err := s.Take(ctx)
	if err != nil {
		return result{}, err
	}
	rep, runErr := load.Run(ctx, o)
	rep.Warmup = warmup
	b, err := s.Take(ctx)
	if err != nil {
		return result{Report: rep}, errors.Join(runErr, err)
	}
	return result{Report: rep, Cost: cost.Diff(a, b, rep.Sent)}, runErr
}

func printCost(w io.Writer, indent string, pm cost.PerMessage) {
	fmt.Fprintf(w, "%scost        %s\n", indent, pm)
	if len(pm.Com) > 0 {
		fmt.Fprintf(w, "%sstatements  %s\n", indent, pm.ComString(8))
	}
	if len(pm.PeakRSS) > 0 {
		names := make([]string, 0, len(pm.PeakRSS))
		for k := range pm.PeakRSS {
			names = append(names, k)
		}
		slices.Sort(names)
		var parts []string
		for _, k := range names {
			parts = append(parts, fmt.Sprintf("%s %.1f MB", k, float64(pm.PeakRSS[k])/(1<<20)))
		}
		fmt.Fprintf(w, "%speak RSS    %s\n", indent, strings.Join(parts, ", "))
	}
}

// side summarises the rounds of one webhook: medians of each figure.
type side struct {
	Throughput    float64            `json:"throughput"`
	P50           time.Duration      `json:"p50_ns"`
	P99           time.Duration      `json:"p99_ns"`
	Statements    float64            `json:"statements_per_msg"`
	RedisCommands float64            `json:"redis_commands_per_msg"`
	CPU           map[string]float64 `json:"cpu_us_per_msg"`
	CPUTotal      float64            `json:"cpu_us_per_msg_total"`
}

func summarise(rs []result) side {
	pick := func(f func(result) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		return median(v)
	}
	s := side{
		Throughput:    pick(func(r result) float64 { return r.Report.Throughput }),
		P50:           time.Duration(pick(func(r result) float64 { return float64(r.Report.Latency.P50) })),
		P99:           time.Duration(pick(func(r result) float64 { return float64(r.Report.Latency.P99) })),
		Statements:    pick(func(r result) float64 { return r.Cost.Statements }),
		RedisCommands: pick(func(r result) float64 { return r.Cost.RedisCommands }),
		CPU:           map[string]float64{},
	}
	if len(rs) > 0 {
		for k := range rs[0].Cost.CPU {
			s.CPU[k] = pick(func(r result) float64 { return r.Cost.CPU[k] })
		}
	}
	s.CPUTotal = pick(func(r result) float64 {
		var t float64
		for _, v := range r.Cost.CPU {
			t += v
		}
		return t
	})
	return s
}

// compare runs the baseline and the target in turn, rounds times, so that
// both see the same machine (a shared machine's speed drifts), and reports
// the ratios of the medians: throughput, p99 latency and CPU per message.
func compare(ctx context.Context, o load.Options, s *cost.Sampler, baseline string, rounds int, asJSON bool, stdout, stderr io.Writer) int {
	if rounds < 1 {
		fmt.Fprintln(stderr, "loadtest: -rounds must be at least 1")
		return 2
	}
	target := o.URL
	var base, tgt []result
	failed := false
	for i := range rounds {
		for _, run := range []struct {
			name string
			url  string
			into *[]result
		}{{"baseline", baseline, &base}, {"target", target, &tgt}} {
			o.URL = run.url
			res, err := measured(ctx, o, s)
			if err != nil {
				fmt.Fprintf(stderr, "loadtest: %s: %v\n", run.name, err)
				return 1
			}
			failed = failed || res.Report.HasFailures()
			*run.into = append(*run.into, res)
			if !asJSON {
				rep := res.Report
				fmt.Fprintf(stdout, "round %d %-8s %9.1f msg/s  p50 %-8v p99 %-8v failed %d\n", i+1, run.name,
					rep.Throughput, rep.Latency.P50.Round(10*time.Microsecond), rep.Latency.P99.Round(10*time.Microsecond), rep.Failed+rep.Missed)
				printCost(stdout, "        ", res.Cost)
			}
		}
	}
	sum := struct {
		Baseline        []result `json:"baseline"`
		Target          []result `json:"target"`
		BaselineMedians side     `json:"baseline_medians"`
		TargetMedians   side     `json:"target_medians"`
		Ratio           float64  `json:"ratio"`     // throughput, target / baseline
		P99Ratio        float64  `json:"p99_ratio"` // target / baseline
		CPURatio        float64  `json:"cpu_ratio"` // all measured processes, per message
		BaselineMedian  float64  `json:"baseline_median_throughput"`
		TargetMedian    float64  `json:"target_median_throughput"`
	}{Baseline: base, Target: tgt, BaselineMedians: summarise(base), TargetMedians: summarise(tgt)}
	sum.BaselineMedian, sum.TargetMedian = sum.BaselineMedians.Throughput, sum.TargetMedians.Throughput
	if b := sum.BaselineMedians; b.Throughput > 0 {
		sum.Ratio = sum.TargetMedian / b.Throughput
	}
	if b := sum.BaselineMedians; b.P99 > 0 {
		sum.P99Ratio = float64(sum.TargetMedians.P99) / float64(b.P99)
	}
	if b := sum.BaselineMedians; b.CPUTotal > 0 {
		sum.CPURatio = sum.TargetMedians.CPUTotal / b.CPUTotal
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(sum)
	} else {
		b, t := sum.BaselineMedians, sum.TargetMedians
		fmt.Fprintf(stdout, "median   baseline %.1f msg/s, target %.1f msg/s: ratio %.2f\n", b.Throughput, t.Throughput, sum.Ratio)
		fmt.Fprintf(stdout, "median   p99 baseline %v, target %v: ratio %.2f\n", b.P99.Round(10*time.Microsecond), t.P99.Round(10*time.Microsecond), sum.P99Ratio)
		if s.DB != nil {
			fmt.Fprintf(stdout, "median   statements/msg baseline %.2f, target %.2f\n", b.Statements, t.Statements)
		}
		if s.Redis != nil {
			fmt.Fprintf(stdout, "median   redis cmds/msg baseline %.2f, target %.2f\n", b.RedisCommands, t.RedisCommands)
		}
		names := make([]string, 0, len(t.CPU))
		for k := range t.CPU {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			fmt.Fprintf(stdout, "median   cpu µs/msg %-9s baseline %7.0f, target %7.0f\n", k, b.CPU[k], t.CPU[k])
		}
		fmt.Fprintf(stdout, "median   cpu µs/msg all       baseline %7.0f, target %7.0f: ratio %.2f\n", b.CPUTotal, t.CPUTotal, sum.CPURatio)
	}
	if failed {
		return 1
	}
	return 0
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
