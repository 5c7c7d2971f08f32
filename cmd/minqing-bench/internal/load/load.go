// Package load drives a webhook the way WeChat's servers would under load:
// unique, signed (and in safe mode encrypted) text messages from many
// synthetic users, each answer decoded and verified. It measures
// throughput and latency; with a Rate it runs an open-loop schedule and
// measures latency from each message's intended send time, so a stalled
// server shows up in the percentiles instead of slowing the sender down
// (no coordinated omission).
package load

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"minqing/handlers/wechat"
)

// Options configure a run.
type Options struct {
	// URL is the webhook, e.g. http://localhost:8080/wechat. Required.
	URL string
	// Token, AppID and EncodingAESKey are the account's; an empty
	// EncodingAESKey means plain mode.
	Token, AppID, EncodingAESKey string
	// Concurrency is the number of requests in flight at most (workers);
	// ≤ 0 means 64.
	Concurrency int
	// Rate is the target in messages per second (open loop); 0 means as
	// fast as Concurrency allows (closed loop).
	Rate float64
	// Duration is the measured window, after Warmup. Required.
	Duration time.Duration
	// Senders is the number of distinct synthetic openids, used round-robin;
	// ≤ 0 means 1000.
	Senders int
	// Warmup runs before the measured window; its messages are not counted.
	Warmup time.Duration
	// Text is every message's content; empty means a typical opinion.
	Text string
	// Texts, if not empty, replaces Text: each sender goes through them in
	// turn, starting at a different one (see Mix).
	Texts []string
	// FreshSenders gives this run's senders openids no earlier run used,
	// so that none of them has a history (no repeats, no daily cap).
	FreshSenders bool
	// Timeout bounds each request; 0 means 5 s, WeChat's own deadline.
	Timeout time.Duration
}

// DefaultText is the message sent when Options.Text is empty.
const DefaultText = "建议：食堂饭菜太咸了，希望学校多关注孩子们的营养搭配。"

// Mix is a day's traffic from parents at a school that is set up: half
// opinions of different kinds, the rest help, greetings, thanks, a receipt
// lookup and the start of a guided opinion, in a fixed order. Sender i
// starts at Mix[i mod len(Mix)]; every run starts over, so a sender that
// sends in several runs repeats itself unless the runs use FreshSenders.
var Mix = []string{
	DefaultText,
	"帮助",
	"三年级二班的作业太多了，孩子每天写到晚上十一点，希望老师们协调一下。",
	"你好",
	"学校门口放学时交通很乱，建议安排老师和保安疏导，保障孩子安全。",
	"查询 K7M2-9QXD",
	"投诉：校车这两周经常迟到二十多分钟，孩子上学迟到被批评。",
	"谢谢",
	"希望学校增加课后体育活动的时间，孩子们缺乏锻炼。",
	"我要建议",
}

// Checkins are study check-ins of bound staff (`minqing demo --load-staff`
// binds the synthetic senders): each is parsed, checked against the day's
// total, stored, and answered with the week's and semester's progress.
var Checkins = []string{
	"学习 20分钟 《论群众路线》 笔记300字",
	"今天学习了半小时党章",
	"学习 25分钟",
	"学习十五分钟 十八大报告",
	"学习 10分钟 笔记200字",
	"自学 35分钟 《党的群众路线教育实践活动学习文选》",
	"学习 40分钟",
}

// Failure reasons, the keys of Report.Failures (besides "status NNN").
const (
	ReasonTimeout   = "timeout"     // no answer within Options.Timeout
	ReasonTransport = "transport"   // connection refused, reset, …
	ReasonBadReply  = "bad reply"   // 2xx, but not a reply that decodes, decrypts, verifies and answers the sender
	ReasonRequest   = "bad request" // the request could not be built
)

// Report is the outcome of a run. Counts cover the measured window only.
type Report struct {
	URL         string        `json:"url"`
	Mode        string        `json:"mode"` // "aes" or "plain"
	Concurrency int           `json:"concurrency"`
	Rate        float64       `json:"rate"` // target msg/s; 0 = closed loop
	Senders     int           `json:"senders"`
	Warmup      time.Duration `json:"warmup_ns"`
	// Elapsed is the measured window as it happened: from the end of the
	// warmup until the last counted answer arrived.
	Elapsed time.Duration `json:"elapsed_ns"`

	// Sent counts the requests issued; Sent = OK + Failed.
	Sent int64 `json:"sent"`
	// OK counts 2xx answers that are a valid reply to the sender, or
	// "success"/empty.
	OK int64 `json:"ok"`
	// Empty counts the OK answers that were "success" or empty rather
	// than a reply. The echo baseline never gives one to a text message.
	Empty int64 `json:"empty"`
	// Failed counts the other requests, broken down by reason in Failures
	// ("status 503", "timeout", "transport", "bad reply").
	Failed   int64            `json:"failed"`
	Failures map[string]int64 `json:"failures,omitempty"`
	// Examples holds the first error seen for each failure reason.
	Examples map[string]string `json:"examples,omitempty"`
	// Missed counts messages the open-loop schedule could not even send
	// before the window closed because all workers were busy: the server
	// did not keep up with Rate. Always 0 in closed loop.
	Missed int64 `json:"missed"`

	// Throughput is OK per second of Elapsed.
	Throughput float64 `json:"throughput"`
	// Latency summarises the latencies of the OK messages, from the
	// intended send time in open loop, from the actual one in closed loop.
	Latency Latency `json:"latency"`
}

// Latency is a latency distribution: exact percentiles over all samples.
type Latency struct {
	Min  time.Duration `json:"min_ns"`
	Mean time.Duration `json:"mean_ns"`
	P50  time.Duration `json:"p50_ns"`
	P90  time.Duration `json:"p90_ns"`
	P99  time.Duration `json:"p99_ns"`
	Max  time.Duration `json:"max_ns"`
}

// HasFailures reports whether any message failed or was missed.
func (r Report) HasFailures() bool { return r.Failed > 0 || r.Missed > 0 }

// String formats the report for humans.
func (r Report) String() string {
	var b strings.Builder
	loop := "closed loop"
	if r.Rate > 0 {
		loop = fmt.Sprintf("open loop at %.0f msg/s", r.Rate)
	}
	fmt.Fprintf(&b, "target      %s (%s mode, %d workers, %s, %d senders)\n", r.URL, r.Mode, r.Concurrency, loop, r.Senders)
	fmt.Fprintf(&b, "window      %s measured after %s warmup\n", r.Elapsed.Round(time.Millisecond), r.Warmup)
	fmt.Fprintf(&b, "messages    sent %d, ok %d (%d empty), failed %d, missed %d\n", r.Sent, r.OK, r.Empty, r.Failed, r.Missed)
	fmt.Fprintf(&b, "throughput  %.1f msg/s\n", r.Throughput)
	l := r.Latency
	fmt.Fprintf(&b, "latency     p50 %s  p90 %s  p99 %s  max %s  (min %s, mean %s)\n",
		fmtDur(l.P50), fmtDur(l.P90), fmtDur(l.P99), fmtDur(l.Max), fmtDur(l.Min), fmtDur(l.Mean))
	reasons := make([]string, 0, len(r.Failures))
	for k := range r.Failures {
		reasons = append(reasons, k)
	}
	sort.Strings(reasons)
	for _, k := range reasons {
		fmt.Fprintf(&b, "failure     %-12s %d", k, r.Failures[k])
		if ex := r.Examples[k]; ex != "" {
			fmt.Fprintf(&b, "  (first: %s)", ex)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond).String()
	case d >= time.Millisecond:
		return d.Round(10 * time.Microsecond).String()
	default:
		return d.Round(time.Microsecond).String()
	}
}

// account is the synthetic official account the messages are addressed to.
const account = "gh_minqingload"

// maxBody bounds how much of an answer is read.
const maxBody = 1 << 20

// Run sends messages to o.URL for o.Warmup + o.Duration and reports on the
// measured window. If ctx is cancelled it stops early and returns the
// report so far together with ctx's error.
func Run(ctx context.Context, o Options) (Report, error) {
	if o.URL == "" {
		return Report{}, errors.New("load: no URL")
	}
	if o.Duration <= 0 {
		return Report{}, errors.New("load: Duration must be positive")
	}
	if o.Rate < 0 || math.IsNaN(o.Rate) || math.IsInf(o.Rate, 0) {
		return Report{}, fmt.Errorf("load: bad Rate %v", o.Rate)
	}
	if o.Warmup < 0 {
		o.Warmup = 0
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 64
	}
	if o.Senders <= 0 {
		o.Senders = 1000
	}
	if o.Text == "" {
		o.Text = DefaultText
	}
	if len(o.Texts) == 0 {
		o.Texts = []string{o.Text}
	}
	if o.Timeout <= 0 {
		o.Timeout = 5 * time.Second
	}
	mode := "plain"
	var crypto *wechat.Crypto
	if o.EncodingAESKey != "" {
		var err error
		if crypto, err = wechat.NewCrypto(o.EncodingAESKey, o.AppID); err != nil {
			return Report{}, fmt.Errorf("load: %w", err)
		}
		mode = "aes"
	}

	tr := &http.Transport{
		Proxy:               nil, // never through a proxy: measure the webhook
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        2 * o.Concurrency,
		MaxIdleConnsPerHost: 2 * o.Concurrency,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
	}
	defer tr.CloseIdleConnections()

	r := &runner{
		o: o,
		client: &wechat.Client{
			URL: o.URL, Token: o.Token, AppID: o.AppID, Crypto: crypto,
			HTTP: &http.Client{Transport: tr, Timeout: o.Timeout},
		},
		senders: make([]string, o.Senders),
		msgBase: rand.Int64N(1 << 62),
	}
	runID := rand.Uint32()
	for i := range r.senders {
		// 28 characters, like a real openid.
		if o.FreshSenders {
			r.senders[i] = fmt.Sprintf("oL%06x%020d", runID&0xffffff, i)
		} else {
			r.senders[i] = fmt.Sprintf("oLoad%023d", i)
		}
	}

	start := time.Now()
	r.measureFrom = start.Add(o.Warmup)
	r.end = r.measureFrom.Add(o.Duration)
	stats := make([]*workerStats, o.Concurrency)
	for i := range stats {
		stats[i] = &workerStats{failures: map[string]int64{}, examples: map[string]string{}}
	}
	var wg sync.WaitGroup
	var missed int64
	if o.Rate > 0 {
		jobs := make(chan job, o.Concurrency)
		for _, s := range stats {
			wg.Go(func() {
				for j := range jobs {
					r.do(ctx, s, j.seq, j.intended)
				}
			})
		}
		missed = r.schedule(ctx, start, jobs)
		close(jobs)
	} else {
		var next atomic.Int64
		for _, s := range stats {
			wg.Go(func() {
				for ctx.Err() == nil {
					now := time.Now()
					if !now.Before(r.end) {
						return
					}
					r.do(ctx, s, next.Add(1)-1, now)
				}
			})
		}
	}
	wg.Wait()

	rep := Report{
		URL: o.URL, Mode: mode, Concurrency: o.Concurrency, Rate: o.Rate, Senders: o.Senders,
		Warmup: o.Warmup, Missed: missed,
		Failures: map[string]int64{}, Examples: map[string]string{},
	}
	last := r.measureFrom
	var samples []time.Duration
	for _, s := range stats {
		rep.Sent += s.sent
		rep.OK += s.ok
		rep.Empty += s.empty
		for k, n := range s.failures {
			rep.Failures[k] += n
			rep.Failed += n
		}
		for k, ex := range s.examples {
			if _, ok := rep.Examples[k]; !ok {
				rep.Examples[k] = ex
			}
		}
		if s.last.After(last) {
			last = s.last
		}
		samples = append(samples, s.latencies...)
	}
	rep.Elapsed = last.Sub(r.measureFrom)
	if rep.Elapsed > 0 {
		rep.Throughput = float64(rep.OK) / rep.Elapsed.Seconds()
	}
	rep.Latency = summarise(samples)
	if len(rep.Failures) == 0 {
		rep.Failures, rep.Examples = nil, nil
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("load: %w", err)
	}
	return rep, nil
}

type runner struct {
	o           Options
	client      *wechat.Client
	senders     []string
	msgBase     int64
	measureFrom time.Time // end of the warmup
	end         time.Time // end of the run
}

type job struct {
	seq      int64
	intended time.Time
}

// workerStats is one worker's tally, merged when the run ends.
type workerStats struct {
	sent, ok, empty int64
	failures        map[string]int64
	examples        map[string]string
	latencies       []time.Duration
	last            time.Time // when the last counted answer arrived
}

// schedule hands out jobs at o.Rate from start until the end of the run.
// The i-th message is due at start + i/Rate whatever happened before: a
// dispatcher that falls behind sends at once to catch up, and latencies
// count from the due time. It returns how many measured messages were due
// before the end but could not be handed to a worker by then.
func (r *runner) schedule(ctx context.Context, start time.Time, jobs chan<- job) (missed int64) {
	interval := float64(time.Second) / r.o.Rate
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for i := int64(0); ; i++ {
		due := start.Add(time.Duration(float64(i) * interval))
		if !due.Before(r.end) {
			return missed
		}
		if wait := time.Until(due); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-ctx.Done():
				return missed
			}
		}
		select {
		case jobs <- job{seq: i, intended: due}:
			continue
		default:
		}
		// All workers busy and the queue full: wait, but not past the end.
		timer.Reset(time.Until(r.end))
		select {
		case jobs <- job{seq: i, intended: due}:
		case <-ctx.Done():
			return missed
		case <-timer.C:
			// Everything still due before the end is missed.
			total := int64(math.Ceil(float64(r.end.Sub(start)) / interval))
			first := max(i, int64(math.Ceil(float64(r.measureFrom.Sub(start))/interval)))
			return max(total-first, 0)
		}
	}
}

// do sends message seq, due at intended, and records the outcome if it
// belongs to the measured window.
func (r *runner) do(ctx context.Context, s *workerStats, seq int64, intended time.Time) {
	measured := !intended.Before(r.measureFrom)
	from := r.senders[seq%int64(len(r.senders))]
	// Sender i says text i, i+1, … on its successive messages.
	n := int64(len(r.senders))
	text := r.o.Texts[(seq%n+seq/n)%int64(len(r.o.Texts))]
	m := wechat.NewText(from, account, text, r.msgBase+seq, intended)
	reason, detail := r.exchange(ctx, m)
	done := time.Now()
	if !measured || (reason != "" && ctx.Err() != nil) {
		return // warmup, or cut short by the caller
	}
	s.sent++
	s.last = done
	switch reason {
	case "":
		s.ok++
		s.latencies = append(s.latencies, done.Sub(intended))
	case "empty":
		s.ok++
		s.empty++
		s.latencies = append(s.latencies, done.Sub(intended))
	default:
		s.failures[reason]++
		if _, ok := s.examples[reason]; !ok && detail != "" {
			s.examples[reason] = detail
		}
	}
}

// exchange sends m and classifies the answer: "" for a reply, "empty" for
// "success", otherwise a failure reason and its error text.
func (r *runner) exchange(ctx context.Context, m wechat.Message) (reason, detail string) {
	req, err := r.client.NewRequest(ctx, m)
	if err != nil {
		return ReasonRequest, err.Error()
	}
	resp, err := r.client.HTTP.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // without the URL and its query
		}
		if isTimeout(err) {
			return ReasonTimeout, err.Error()
		}
		return ReasonTransport, err.Error()
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	if err != nil {
		if isTimeout(err) {
			return ReasonTimeout, err.Error()
		}
		return ReasonTransport, err.Error()
	}
	res, err := r.client.Decode(resp.StatusCode, body)
	switch {
	case !res.OK():
		return "status " + strconv.Itoa(res.Status), ""
	case err != nil:
		return ReasonBadReply, err.Error()
	case res.Empty:
		return "empty", ""
	case res.Reply.ToUserName != m.FromUserName || res.Reply.FromUserName != m.ToUserName:
		return ReasonBadReply, "reply not addressed to the sender"
	}
	return "", ""
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// summarise computes exact percentiles (nearest rank) over all samples.
func summarise(samples []time.Duration) Latency {
	if len(samples) == 0 {
		return Latency{}
	}
	slices.Sort(samples)
	var sum float64
	for _, d := range samples {
		sum += float64(d)
	}
	rank := func(p float64) time.Duration {
		i := int(math.Ceil(p*float64(len(samples)))) - 1
		return samples[min(max(i, 0), len(samples)-1)]
	}
	return Latency{
		Min:  samples[0],
		Mean: time.Duration(sum / float64(len(samples))),
		P50:  rank(0.50),
		P90:  rank(0.90),
		P99:  rank(0.99),
		Max:  samples[len(samples)-1],
	}
}
