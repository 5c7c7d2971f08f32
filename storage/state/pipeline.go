package state

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Automatic pipelining. Every message makes two calls to Redis, and most of
// the cost of each, on both sides, is the round trip's system calls rather
// than the commands. So concurrent calls share round trips: each call queues
// its commands, and a few flusher goroutines each take what is queued and
// send it as one pipeline. A flusher that finds one call queued sends it at
// once, so a call waits only while every flusher has a round trip in
// flight; calls queue up exactly when there is load to batch.
//
// A round trip that takes much longer than usual (a server that stopped
// answering, or on a cluster one node that did) would hold up every call
// queued behind it, so a flusher whose round trip stalls is stood in for by
// another until it returns.
const (
	// pipelineBatch is how many commands a flusher collects before it
	// stops looking for more (it never splits a call's commands).
	pipelineBatch = 256
	// pipelineQueue is how many calls may wait for a flusher before
	// callers block (still honouring their contexts).
	pipelineQueue = 1024
)

// pipelineLimits bounds a pipeliner's flushers.
type pipelineLimits struct {
	// flushers is how many round trips may be in flight at once, not
	// counting stalled ones. Fewer means larger batches under load but a
	// longer wait behind a slow round trip.
	flushers int
	// maxFlushers bounds the flushers, stalled ones included.
	maxFlushers int
	// stall is how long a round trip may take before its flusher is
	// stood in for; far above a round trip to a working server.
	stall time.Duration
}

var defaultPipelineLimits = pipelineLimits{flushers: 2, maxFlushers: 16, stall: 20 * time.Millisecond}

// pipeliner sends the commands of concurrent calls to Redis in shared
// pipelines. go-redis's pipeline sets each command's reply or error on the
// command itself (a cluster pipeline is split by node), so a caller reads
// its own results from its own commands and one command's failure never
// becomes another's.
type pipeliner struct {
	client redis.UniversalClient
	// budget bounds a round trip, go-redis's retries included (0: no
	// bound but the client's timeouts).
	budget  time.Duration
	limits  pipelineLimits
	queue   chan *call
	quit    chan struct{} // closed by stop: flushers return
	stopped chan struct{} // closed by wait once every flusher has returned
	stop1   sync.Once
	wait1   sync.Once
	wg      sync.WaitGroup

	mu      sync.Mutex
	running int  // flushers
	stalled int  // flushers in a stalled round trip
	closed  bool // no more flushers may start
}

// call is one caller's commands. The caller owns it again once done has
// been signalled; a call abandoned with its context is left to the garbage
// collector, since a flusher may still hold it.
type call struct {
	ctx  context.Context
	cmds []redis.Cmder
	done chan struct{} // signalled once the commands have their replies
	// then, for a call nobody waits for (send), runs in the flusher once
	// the commands have their replies.
	then func()
}

var callPool = sync.Pool{New: func() any { return &call{done: make(chan struct{}, 1)} }}

// newPipeliner starts the flushers of a pipeliner on client whose round
// trips take at most budget (see roundTripBudget).
func newPipeliner(client redis.UniversalClient, budget time.Duration, limits pipelineLimits) *pipeliner {
	p := &pipeliner{
		client:  client,
		budget:  budget,
		limits:  limits,
		queue:   make(chan *call, pipelineQueue),
		quit:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	p.mu.Lock()
	for range limits.flushers {
		p.startLocked()
	}
	p.mu.Unlock()
	return p
}

// roundTripBudget is the budget of a pipeline's round trip on a client with
// these timeouts: long enough to connect, or to write and read once.
// Without it a round trip to a server that accepts connections but does not
// answer takes about four read timeouts, since go-redis retries both the
// connection's handshake and the pipeline.
func roundTripBudget(dial, read, write time.Duration) time.Duration {
	if dial <= 0 || read <= 0 || write <= 0 { // a timeout is disabled
		return 0
	}
	return max(dial, read+write)
}

// do sends cmds, in order, in a pipeline shared with other calls, and
// waits for their replies. When it returns nil every command holds its own
// reply or error (redis.Nil, a script error, a network error …). Otherwise
// ctx ended or the pipeliner stopped and cmds must not be read: their
// replies may still be written. Commands whose caller's context ended
// before a flusher took them are not sent.
func (p *pipeliner) do(ctx context.Context, cmds ...redis.Cmder) error {
	c := callPool.Get().(*call)
	c.ctx, c.cmds = ctx, cmds
	select {
	case p.queue <- c:
	case <-ctx.Done():
		c.ctx, c.cmds = nil, nil
		callPool.Put(c)
		return ctx.Err()
	case <-p.quit:
		c.ctx, c.cmds = nil, nil
		callPool.Put(c)
		return redis.ErrClosed
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		select {
		case <-c.done:
		default:
			return ctx.Err()
		}
	case <-p.stopped:
		// Queued after the flushers' last look: nobody will send it.
		select {
		case <-c.done:
		default:
			return redis.ErrClosed
		}
	}
	c.ctx, c.cmds = nil, nil
	callPool.Put(c)
	return nil
}

// send queues cmds for the next shared round trip without waiting for
// their replies; then, if not nil, runs in the flusher once they have them
// (it must not block). It reports false, having sent nothing, if the
// queue is full or the pipeliner stopped: the caller then sends them
// itself. Commands still queued when the pipeliner stops are not sent.
func (p *pipeliner) send(cmds []redis.Cmder, then func()) bool {
	c := &call{ctx: context.Background(), cmds: cmds, done: make(chan struct{}, 1), then: then}
	select {
	case <-p.quit:
		return false
	default:
	}
	select {
	case p.queue <- c:
		return true
	default:
		return false
	}
}

// A flusher's state, for telling a stalled round trip from others.
const (
	flusherIdle int32 = iota
	flusherBusy
	flusherStalled
)

// flusher is one goroutine sending pipelines.
type flusher struct {
	p     *pipeliner
	state atomic.Int32
	stall *time.Timer // fires limits.stall into a round trip
	batch []*call
	cmds  []redis.Cmder
}

// startLocked starts a flusher unless there are enough or p is stopping.
// p.mu must be held.
func (p *pipeliner) startLocked() {
	if p.closed || p.running >= p.limits.maxFlushers {
		return
	}
	p.running++
	f := &flusher{p: p}
	f.stall = time.AfterFunc(time.Hour, f.stalled)
	f.stall.Stop()
	p.wg.Go(f.run)
}

// run takes a queued call, adds whatever else is queued without waiting,
// sends it all as one pipeline and signals the callers, until p stops or
// a stand-in makes this flusher surplus.
func (f *flusher) run() {
	defer f.stall.Stop()
	for {
		var c *call
		select {
		case c = <-f.p.queue:
		case <-f.p.quit:
			return
		}
	collect:
		for {
			if c.ctx.Err() == nil { // else the caller has gone
				f.batch = append(f.batch, c)
				f.cmds = append(f.cmds, c.cmds...)
			}
			if len(f.cmds) >= pipelineBatch {
				break
			}
			select {
			case c = <-f.p.queue:
			default:
				break collect
			}
		}
		if len(f.cmds) == 0 {
			continue
		}
		f.state.Store(flusherBusy)
		f.stall.Reset(f.p.limits.stall)
		f.p.exec(f.cmds)
		f.stall.Stop()
		surplus := false
		if !f.state.CompareAndSwap(flusherBusy, flusherIdle) {
			surplus = f.p.recovered()
			f.state.Store(flusherIdle)
		}
		for _, c := range f.batch {
			if c.then != nil {
				c.then()
			}
			c.done <- struct{}{}
		}
		clear(f.batch)
		clear(f.cmds)
		f.batch, f.cmds = f.batch[:0], f.cmds[:0]
		if surplus {
			return
		}
	}
}

// stalled runs when f's round trip has taken limits.stall: it starts a
// stand-in if too few flushers are left to serve the queue.
func (f *flusher) stalled() {
	p := f.p
	p.mu.Lock()
	defer p.mu.Unlock()
	if !f.state.CompareAndSwap(flusherBusy, flusherStalled) {
		return // the round trip has just ended
	}
	p.stalled++
	if p.running-p.stalled < p.limits.flushers {
		p.startLocked()
	}
}

// recovered records that a stalled round trip has ended and reports
// whether its flusher should return, there being enough others.
func (p *pipeliner) recovered() (surplus bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stalled--
	if p.running-p.stalled > p.limits.flushers {
		p.running--
		return true
	}
	return false
}

// exec sends cmds in one pipeline (go-redis splits it by node on a
// cluster), leaving each command's reply or error on the command.
func (p *pipeliner) exec(cmds []redis.Cmder) {
	// Not a caller's context: the round trip serves several callers, each
	// of whom stops waiting when its own context ends. Close interrupts it.
	ctx := context.Background()
	if p.budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, p.budget)
		defer cancel()
	}
	pipe := p.client.Pipeline()
	_ = pipe.BatchProcess(ctx, cmds...)
	_, _ = pipe.Exec(ctx) // the first command's error; each has its own
	p.retryNoScript(ctx, cmds)
}

// retryNoScript sends again, as EVAL, each EVALSHA of cmds that failed
// because the server did not have the script: it restarted or failed
// over, its script cache was flushed, or it is a cluster node that has not
// run the script yet. EVAL also caches the script, so later EVALSHAs
// succeed. A NOSCRIPT reply means the script did not run, so the retry
// cannot run it twice.
func (p *pipeliner) retryNoScript(ctx context.Context, cmds []redis.Cmder) {
	var failed, retries []*redis.Cmd
	for _, cmd := range cmds {
		c, ok := cmd.(*redis.Cmd)
		if !ok || c.Err() == nil {
			continue
		}
		args := c.Args()
		if len(args) < 2 || args[0] != "evalsha" || !redis.HasErrorPrefix(c.Err(), "NOSCRIPT") {
			continue
		}
		hash, _ := args[1].(string)
		src, ok := scriptSources[hash]
		if !ok {
			continue
		}
		failed = append(failed, c)
		retries = append(retries, redis.NewCmd(ctx, append([]any{"eval", src}, args[2:]...)...))
	}
	if len(retries) == 0 {
		return
	}
	pipe := p.client.Pipeline()
	for _, r := range retries {
		_ = pipe.Process(ctx, r)
	}
	_, _ = pipe.Exec(ctx)
	for i, r := range retries {
		failed[i].SetVal(r.Val())
		failed[i].SetErr(r.Err())
	}
}

// stop makes the flushers return once their round trips in flight are
// done, and later calls fail with redis.ErrClosed. Calls still queued are
// not sent.
func (p *pipeliner) stop() {
	p.stop1.Do(func() {
		p.mu.Lock()
		p.closed = true
		p.mu.Unlock()
		close(p.quit)
	})
}

// wait waits for the flushers to return after stop and then releases
// every caller still waiting.
func (p *pipeliner) wait() {
	p.wait1.Do(func() {
		p.wg.Wait()
		close(p.stopped)
	})
}
