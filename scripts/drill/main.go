// Command drill sends opinions to a minqing webhook as WeChat does —
// signed, in safe mode, each retried up to three times on a timeout, a
// dropped connection or a 5xx — while scripts/drill.sh kills and restarts
// the service, MariaDB and Redis; then it counts what became of every
// message. It serves the fake WeChat API the service pushes to, so that it
// also sees late receipts and "not received" notices.
//
// Each message is an opinion with a marker of its own from a sender of its
// own, so the ledger says exactly which were stored, and how many times.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "github.com/go-sql-driver/mysql"

	"minqing/handlers/fakewechat"
	"minqing/handlers/wechat"
)

// attempts is WeChat's: the first delivery and three retries.
const attempts = 4

type result struct {
	acked    bool // some delivery got a 2xx
	replied  bool // a passive reply (not "success") came back
	busy     bool // the passive reply said it failed and to send it again
	receipt  bool // the passive reply carried a receipt code
	refused  bool // a 4xx: WeChat would not retry
	tries    int
	lastFail string
}

func main() {
	var (
		url      = flag.String("url", "http://127.0.0.1:18180/wechat", "the webhook")
		token    = flag.String("token", "", "account Token")
		appID    = flag.String("appid", "", "account AppID")
		aesKey   = flag.String("aes-key", "", "EncodingAESKey (safe mode); empty = plain")
		secret   = flag.String("secret", "", "account AppSecret, for the fake WeChat API")
		fakeAddr = flag.String("fake-addr", "127.0.0.1:18190", "where to serve the fake WeChat API")
		dsn      = flag.String("dsn", "", "the service's MySQL DSN, to count what was stored")
		dur      = flag.Duration("d", 60*time.Second, "how long to send")
		rate     = flag.Float64("rate", 100, "messages per second")
		settle   = flag.Duration("settle", 20*time.Second, "how long to wait for late work after the last answer")
		runID    = flag.String("run", strconv.FormatInt(time.Now().Unix(), 36), "a marker for this run's messages")
		asJSON   = flag.Bool("json", false, "print the figures as JSON")
	)
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fake := fakewechat.New(fakewechat.Options{AppID: *appID, Secret: *secret, MaxSent: 1 << 20})
	l, err := net.Listen("tcp", *fakeAddr)
	if err != nil {
		fail(err)
	}
	go http.Serve(l, fake)

	c := &wechat.Client{URL: *url, Token: *token, AppID: *appID, HTTP: &http.Client{Timeout: 5 * time.Second}}
	if *aesKey != "" {
		if c.Crypto, err = wechat.NewCrypto(*aesKey, *appID); err != nil {
			fail(err)
		}
	}

	n := int(*rate * dur.Seconds())
	results := make([]result, n)
	var wg sync.WaitGroup
	start := time.Now()
	interval := time.Duration(float64(time.Second) / *rate)
	sent := 0
	for i := range n {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
		}
		if ctx.Err() != nil {
			break
		}
		sent++
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = deliver(c, message(*runID, i))
		}()
	}
	wg.Wait()
	fmt.Fprintf(os.Stderr, "drill: %d messages sent in %s; settling %s\n", sent, time.Since(start).Round(time.Second), *settle)
	time.Sleep(*settle)

	stored, err := countStored(*dsn, *runID)
	if err != nil {
		fail(err)
	}
	told := map[int]bool{}
	receipts := map[int]bool{}
	for _, m := range fake.Sent() {
		i, ok := seqOf(m.ToUser)
		if !ok {
			continue
		}
		switch {
		case strings.Contains(m.Text, "没有收到"):
			told[i] = true
		case strings.Contains(m.Text, "回执"):
			receipts[i] = true
		}
	}
	var f figures
	f.Sent = sent
	for i := range sent {
		r := results[i]
		k := stored[i]
		if r.acked {
			f.Acknowledged++
		}
		if r.refused {
			f.Refused++
		}
		if !r.acked && !r.refused {
			f.Unanswered++
		}
		if k > 0 {
			f.Stored++
		}
		if k > 1 {
			f.Duplicated++
		}
		if r.busy {
			told[i] = true
			f.BusyReplies++
		}
		if told[i] {
			f.ToldToResend++
			if k > 0 {
				f.ToldButStored++
			}
		}
		if r.acked && k == 0 && !told[i] {
			f.Lost++
			if len(f.LostExamples) < 5 {
				f.LostExamples = append(f.LostExamples, fmt.Sprintf("#%d after %d tries (replied %v, last failure %q)", i, r.tries, r.replied, r.lastFail))
			}
		}
		if r.acked && k > 0 && !r.receipt && !receipts[i] {
			f.ReceiptMissing++
		}
		if r.tries > 1 {
			f.Retried++
		}
	}
	if *asJSON {
		json.NewEncoder(os.Stdout).Encode(f)
		return
	}
	fmt.Printf("sent %d, acknowledged %d, stored %d, lost %d, duplicated %d\n", f.Sent, f.Acknowledged, f.Stored, f.Lost, f.Duplicated)
	fmt.Printf("  retried %d, unanswered after %d deliveries %d, refused (4xx) %d\n", f.Retried, attempts, f.Unanswered, f.Refused)
	fmt.Printf("  told to send again %d (%d in the passive reply, the rest pushed; stored anyway %d), stored without a receipt %d\n",
		f.ToldToResend, f.BusyReplies, f.ToldButStored, f.ReceiptMissing)
	for _, e := range f.LostExamples {
		fmt.Printf("  lost: %s\n", e)
	}
}

type figures struct {
	Sent, Acknowledged, Stored, Lost, Duplicated int
	Retried, Unanswered, Refused                 int
	ToldToResend, ToldButStored, ReceiptMissing  int
	BusyReplies                                  int
	LostExamples                                 []string `json:",omitempty"`
}

// message i: an opinion from sender i, with the run's marker.
func message(run string, i int) wechat.Message {
	text := fmt.Sprintf("建议：食堂的饭菜太咸了，希望学校改进一下（演练%s-%d）", run, i)
	return wechat.NewText(openID(i), "gh_drill", text, int64(1_000_000_000+i), time.Now())
}

// openID is sender i's openid: 28 characters, as WeChat's.
func openID(i int) string { return fmt.Sprintf("oDrill%022d", i) }

func seqOf(openid string) (int, bool) {
	if !strings.HasPrefix(openid, "oDrill") {
		return 0, false
	}
	i, err := strconv.Atoi(strings.TrimLeft(openid[len("oDrill"):], "0"))
	if err != nil {
		return 0, openid == openID(0)
	}
	return i, true
}

// deliver sends m as WeChat does: retried on a timeout, a transport error
// or a 5xx, up to attempts deliveries in all.
func deliver(c *wechat.Client, m wechat.Message) result {
	var r result
	for r.tries < attempts {
		r.tries++
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		res, err := c.Send(ctx, m)
		cancel()
		switch {
		case err == nil && res.OK():
			r.acked = true
			r.replied = !res.Empty
			r.busy = strings.Contains(res.Reply.Content, "没有处理成功")
			r.receipt = strings.Contains(res.Reply.Content, "回执")
			return r
		case err == nil && res.Status >= 400 && res.Status < 500:
			r.refused = true
			r.lastFail = fmt.Sprintf("status %d", res.Status)
			return r
		case err != nil:
			r.lastFail = shorten(err.Error())
		default:
			r.lastFail = fmt.Sprintf("status %d", res.Status)
		}
		time.Sleep(time.Second) // WeChat retries promptly after a failure
	}
	return r
}

var marker = regexp.MustCompile(`演练[0-9a-z]+-([0-9]+)`)

// countStored returns, per message, how many opinions hold its marker.
func countStored(dsn, run string) (map[int]int, error) {
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT text FROM opinions WHERE text LIKE ?`, "%演练"+run+"-%")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int]int{}
	for rows.Next() {
		var text string
		if err := rows.Scan(&text); err != nil {
			return nil, err
		}
		if m := marker.FindStringSubmatch(text); m != nil {
			i, _ := strconv.Atoi(m[1])
			out[i]++
		}
	}
	return out, rows.Err()
}

func shorten(s string) string {
	if len(s) > 120 {
		return s[:120] + "…"
	}
	return s
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "drill:", err)
	os.Exit(1)
}
