package handlers

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are the service's Prometheus metrics, on a registry of its own
// so that several servers can live in one process (tests boot two).
type Metrics struct {
	reg       *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	dedupHits *prometheus.CounterVec
	apiErrors *prometheus.CounterVec

	lateFailures prometheus.Counter
	undelivered  *prometheus.CounterVec
}

// Webhook outcomes, the label of minqing_webhook_requests_total.
const (
	outcomeReplied      = "replied"       // answered with a passive reply (or success)
	outcomeDuplicate    = "duplicate"     // a retry, answered from the dedup record
	outcomeLate         = "late"          // budget passed: success now, reply pushed later
	outcomeError        = "error"         // the bot failed; the user was asked to resend
	outcomeVerified     = "verified"      // GET URL verification
	outcomeBadSignature = "bad_signature" // 403
	outcomeStale        = "stale"         // 403: timestamp outside the window
	outcomeTooLarge     = "too_large"     // 413
	outcomeBadRequest   = "bad_request"   // 400: malformed, bad base64/padding, wrong AppID
	outcomePlainRefused = "plain_refused" // 403: plain mode sent to a safe-mode account
	outcomeReplayed     = "replayed"      // 403: a nonce seen before, with another body
	outcomeUnavailable  = "unavailable"   // 503: plain mode and the nonce store is down
)

// NewMetrics registers the metrics, with the Go runtime and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minqing_webhook_requests_total",
			Help: "WeChat webhook requests by outcome.",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "minqing_webhook_duration_seconds",
			Help:    "Time to answer a WeChat webhook request.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 4.5, 10},
		}, []string{"mode"}),
		dedupHits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minqing_dedup_hits_total",
			Help: "Retried deliveries answered from an earlier delivery's reply, by where the reply was found.",
		}, []string{"source"}),
		apiErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minqing_wechat_api_errors_total",
			Help: "Failed calls to the WeChat API, by API.",
		}, []string{"api"}),
		lateFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "minqing_late_failures_total",
			Help: "Messages that failed after the webhook had answered success; the sender is asked to send again.",
		}),
		undelivered: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "minqing_push_undelivered_total",
			Help: "Customer-service messages given up after their retries, by what they carried.",
		}, []string{"what"}),
	}
	for _, w := range []string{"late_reply", "failure_notice", "rest_of_reply"} {
		m.undelivered.WithLabelValues(w)
	}
	// Every outcome is exported from the start, at zero.
	for _, o := range []string{outcomeReplied, outcomeDuplicate, outcomeLate, outcomeError, outcomeVerified,
		outcomeBadSignature, outcomeStale, outcomeTooLarge, outcomeBadRequest, outcomePlainRefused,
		outcomeReplayed, outcomeUnavailable} {
		m.requests.WithLabelValues(o)
	}
	m.reg.MustRegister(m.requests, m.latency, m.dedupHits, m.apiErrors, m.lateFailures, m.undelivered,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// APIError counts a failed WeChat API call; give it to the outbound client.
func (m *Metrics) APIError(api string, _ error) { m.apiErrors.WithLabelValues(api).Inc() }

// Registry lets other components register their own metrics.
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// GroupCommitStats reports the database's group commits: batches run,
// updates in them, batches that fell back, and sizes[n], the number of
// batches of n updates.
type GroupCommitStats func() (batches, updates, fallbacks int64, sizes []int64)

// WatchGroupCommit exports the database's group-commit counters and the
// histogram of batch sizes (minqing_db_batch_size).
func (m *Metrics) WatchGroupCommit(stats GroupCommitStats) {
	get := func(i int) func() float64 {
		return func() float64 {
			b, u, f, _ := stats()
			return float64([]int64{b, u, f}[i])
		}
	}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minqing_db_batches_total", Help: "Group commits run."}, get(0)),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minqing_db_batched_updates_total", Help: "Message transactions committed through group commits."}, get(1)),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minqing_db_batch_fallbacks_total", Help: "Group commits that fell back to one transaction per message."}, get(2)),
		batchSizeCollector{stats: stats, desc: prometheus.NewDesc("minqing_db_batch_size", "Message transactions per group commit.", nil, nil)},
	)
}

// WatchStatements exports what the service's own transactions cost the
// database: statements (minqing_db_statements_total, BEGIN and COMMIT not
// counted) and transactions begun (minqing_db_transactions_total), unlike
// the server's counters not mixed with anyone else's work.
func (m *Metrics) WatchStatements(statements, transactions func() int64) {
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minqing_db_statements_total", Help: "Statements run by message transactions (BEGIN and COMMIT not counted)."},
			func() float64 { return float64(statements()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "minqing_db_transactions_total", Help: "Transactions begun by message transactions."},
			func() float64 { return float64(transactions()) }),
	)
}

// batchSizeBuckets are the upper bounds of the batch-size histogram.
var batchSizeBuckets = []float64{1, 2, 4, 8, 16, 32, 64}

// batchSizeCollector turns the per-size counts into a histogram when
// scraped.
type batchSizeCollector struct {
	stats GroupCommitStats
	desc  *prometheus.Desc
}

func (c batchSizeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c batchSizeCollector) Collect(ch chan<- prometheus.Metric) {
	_, _, _, sizes := c.stats()
	var count uint64
	var sum float64
	buckets := make(map[float64]uint64, len(batchSizeBuckets))
	for n, k := range sizes {
		if k <= 0 {
			continue
		}
		count += uint64(k)
		sum += float64(n) * float64(k)
		for _, ub := range batchSizeBuckets {
			if float64(n) <= ub {
				buckets[ub] += uint64(k)
			}
		}
	}
	ch <- prometheus.MustNewConstHistogram(c.desc, count, sum, buckets)
}
