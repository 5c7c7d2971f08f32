package state_test

import (
	"bufio"
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"minqing/bot"
	"minqing/storage/state"
	"minqing/storage/state/statetest"
)

// benchCallers is roughly how many goroutines the Redis benchmarks run, as
// many as the webhook has requests in flight under load.
const benchCallers = 64

// benchKeys bounds the keys a benchmark writes, so that cleaning up after a
// long run stays quick.
const benchKeys = 4096

// BenchmarkRedisClaimMessage measures ClaimMessage as the bot calls it for
// each inbound text message: a claim, a rate count and two reads, one of a
// key that exists. It reports redis-server's CPU time per call as
// redis-cpu-ns/op (meaningful only when nothing else uses the server).
func BenchmarkRedisClaimMessage(b *testing.B) {
	r := statetest.Redis(b)
	ctx := context.Background()
	if err := r.Set(ctx, "bindings-version", []byte("42"), time.Hour); err != nil {
		b.Fatal(err)
	}
	var next atomic.Int64
	runRedisBench(b, r, func() error {
		n := next.Add(1)
		_, err := r.ClaimMessage(ctx, bot.MessageKeys{
			Claim:      "dedup:" + strconv.FormatInt(n%benchKeys, 10),
			ClaimTTL:   time.Minute,
			Rate:       "rate:msg:" + strconv.FormatInt(n%(benchKeys/4), 10),
			RateWindow: time.Minute,
			Get:        []string{"dialog:" + strconv.FormatInt(n%(benchKeys/4), 10), "bindings-version"},
		})
		return err
	})
}

// BenchmarkRedisComplete measures Complete with a reply-sized result.
func BenchmarkRedisComplete(b *testing.B) {
	r := statetest.Redis(b)
	ctx := context.Background()
	result := []byte(strings.Repeat("x", 200))
	var next atomic.Int64
	runRedisBench(b, r, func() error {
		n := next.Add(1)
		return r.Complete(ctx, "dedup:"+strconv.FormatInt(n%benchKeys, 10), result, time.Hour)
	})
}

// runRedisBench runs call from about benchCallers goroutines and reports
// the CPU time per call of redis-server and of this process.
func runRedisBench(b *testing.B, r *state.Redis, call func() error) {
	b.Helper()
	b.ReportAllocs()
	b.SetParallelism(max(1, benchCallers/runtime.GOMAXPROCS(0)))
	cpu0, self0 := redisCPU(b, r.Client()), selfCPU(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := call(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	cpu, self := redisCPU(b, r.Client())-cpu0, selfCPU(b)-self0
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N), "redis-cpu-ns/op")
	b.ReportMetric(float64(self.Nanoseconds())/float64(b.N), "client-cpu-ns/op")
}

// selfCPU returns the CPU time this process has used (system plus user).
func selfCPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// redisCPU returns the CPU time redis-server has used (system plus user), from
// INFO cpu.
func redisCPU(tb testing.TB, c redis.UniversalClient) time.Duration {
	tb.Helper()
	info, err := c.Info(context.Background(), "cpu").Result()
	if err != nil {
		tb.Fatalf("INFO cpu: %v", err)
	}
	var total time.Duration
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		name, value, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if !ok || (name != "used_cpu_sys" && name != "used_cpu_user") {
			continue
		}
		s, err := strconv.ParseFloat(value, 64)
		if err != nil {
			tb.Fatalf("INFO cpu: %s: %v", name, err)
		}
		total += time.Duration(s * float64(time.Second))
	}
	return total
}
