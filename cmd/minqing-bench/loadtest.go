package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"minqing/cmd/minqing-bench/internal/load"
)

// cmdLoadtest sends signed (and, with an AES key, encrypted) WeChat text
// messages to a webhook and prints throughput and latency. It exits 1 if
// any message failed or could not be sent on schedule, 2 on bad usage.
func cmdLoadtest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: minqing-bench loadtest -url http://host:port/wechat [flags]")
		fs.PrintDefaults()
	}
	var o load.Options
	var (
		asJSON   bool
		baseline string
		rounds   int
	)
	fs.StringVar(&o.URL, "url", "", "webhook URL (required)")
	// Secrets default from the environment after parsing, so that -h
	// never prints them.
	fs.StringVar(&o.Token, "token", "", "account Token (default $MINQING_WECHAT_TOKEN)")
	fs.StringVar(&o.AppID, "appid", "", "account AppID (default $MINQING_WECHAT_APPID)")
	fs.StringVar(&o.EncodingAESKey, "aes-key", "", "EncodingAESKey; empty = plain mode (default $MINQING_WECHAT_AES_KEY)")
	fs.IntVar(&o.Concurrency, "c", 64, "concurrent requests")
	fs.Float64Var(&o.Rate, "rate", 0, "messages per second, open loop; 0 = as fast as -c allows")
	fs.DurationVar(&o.Duration, "d", 10*time.Second, "measured duration")
	fs.DurationVar(&o.Warmup, "warmup", time.Second, "warmup before the measured window")
	fs.IntVar(&o.Senders, "senders", 100000, "distinct synthetic openids (minqing slows down a sender past 30 messages a minute, so keep this high)")
	fs.StringVar(&o.Text, "text", load.DefaultText, "message text")
	fs.DurationVar(&o.Timeout, "timeout", 5*time.Second, "per-request timeout (WeChat gives up after 5s)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.StringVar(&baseline, "baseline", "", "a second webhook URL (e.g. `minqing-bench echo`) measured in turn with -url, round after round, for a throughput ratio")
	fs.IntVar(&rounds, "rounds", 3, "with -baseline: rounds of (baseline, target) runs; the ratio is of the medians")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "loadtest: unexpected arguments %q\n", fs.Args())
		return 2
	}
	stringFlagFromEnv(fs, "token", &o.Token, "MINQING_WECHAT_TOKEN")
	stringFlagFromEnv(fs, "appid", &o.AppID, "MINQING_WECHAT_APPID")
	stringFlagFromEnv(fs, "aes-key", &o.EncodingAESKey, "MINQING_WECHAT_AES_KEY")
	if o.URL == "" {
		fmt.Fprintln(stderr, "loadtest: -url is required")
		fs.Usage()
		return 2
	}
	if o.Concurrency < 1 || o.Senders < 1 || o.Duration <= 0 || o.Rate < 0 {
		fmt.Fprintln(stderr, "loadtest: -c and -senders must be at least 1, -d positive, -rate not negative")
		return 2
	}

	if baseline != "" {
		return compare(ctx, o, baseline, rounds, asJSON, stdout, stderr)
	}
	rep, err := load.Run(ctx, o)
	if err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintf(stderr, "loadtest: %v\n", err)
		if rep.Sent == 0 {
			return 1
		}
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintf(stderr, "loadtest: %v\n", err)
			return 1
		}
	} else {
		fmt.Fprint(stdout, rep)
	}
	if err != nil || rep.HasFailures() {
		return 1
	}
	return 0
}

// stringFlagFromEnv sets *v from the environment variable env unless the flag
// name was given on the command line.
func stringFlagFromEnv(fs *flag.FlagSet, name string, v *string, env string) {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	if !set {
		*v = os.Getenv(env)
	}
}

// compare runs the baseline and the target in turn, rounds times, so that
// both see the same machine (a shared machine's speed drifts), and reports
// the ratio of the median throughputs.
func compare(ctx context.Context, o load.Options, baseline string, rounds int, asJSON bool, stdout, stderr io.Writer) int {
	if rounds < 1 {
		fmt.Fprintln(stderr, "loadtest: -rounds must be at least 1")
		return 2
	}
	target := o.URL
	var base, tgt []load.Report
	failed := false
	for i := range rounds {
		for _, run := range []struct {
			name string
			url  string
			into *[]load.Report
		}{{"baseline", baseline, &base}, {"target", target, &tgt}} {
			o.URL = run.url
			rep, err := load.Run(ctx, o)
			if err != nil {
				fmt.Fprintf(stderr, "loadtest: %s: %v\n", run.name, err)
				return 1
			}
			failed = failed || rep.HasFailures()
			*run.into = append(*run.into, rep)
			if !asJSON {
				fmt.Fprintf(stdout, "round %d %-8s %9.1f msg/s  p50 %-8v p99 %-8v failed %d\n", i+1, run.name,
					rep.Throughput, rep.Latency.P50.Round(10*time.Microsecond), rep.Latency.P99.Round(10*time.Microsecond), rep.Failed+rep.Missed)
			}
		}
	}
	sum := struct {
		Baseline       []load.Report `json:"baseline"`
		Target         []load.Report `json:"target"`
		BaselineMedian float64       `json:"baseline_median_throughput"`
		TargetMedian   float64       `json:"target_median_throughput"`
		Ratio          float64       `json:"ratio"`
	}{Baseline: base, Target: tgt, BaselineMedian: medianThroughput(base), TargetMedian: medianThroughput(tgt)}
	if sum.BaselineMedian > 0 {
		sum.Ratio = sum.TargetMedian / sum.BaselineMedian
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(sum)
	} else {
		fmt.Fprintf(stdout, "median   baseline %.1f msg/s, target %.1f msg/s: ratio %.2f\n", sum.BaselineMedian, sum.TargetMedian, sum.Ratio)
	}
	if failed {
		return 1
	}
	return 0
}

func medianThroughput(rs []load.Report) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = r.Throughput
	}
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
