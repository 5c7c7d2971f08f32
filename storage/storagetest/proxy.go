package storagetest

import (
	"net"
	"sync"
	"testing"
)

// Proxy forwards TCP connections to a server, for tests in which the
// server goes away: Cut closes the open connections (new ones still go
// through), Close also stops listening (a server that has "stopped"),
// Freeze stops the bytes both ways while the connections stay open (a
// server stopped with SIGSTOP, as far as its clients can tell), Thaw lets
// them flow again. The test's cleanup closes it.
type Proxy struct {
	l      net.Listener
	mu     sync.Mutex
	cond   *sync.Cond
	frozen bool
	closed bool
	conns  []net.Conn
}

// NewProxy listens on a free local port and forwards to target.
func NewProxy(tb testing.TB, target string) *Proxy {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{l: l}
	p.cond = sync.NewCond(&p.mu)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			if p.closed {
				c.Close()
				up.Close()
				p.mu.Unlock()
				return
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go p.pipe(up, c)
			go p.pipe(c, up)
		}
	}()
	tb.Cleanup(p.Close)
	return p
}

func (p *Proxy) pipe(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		p.mu.Lock()
		for p.frozen {
			p.cond.Wait()
		}
		p.mu.Unlock()
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil { // EOF or a closed connection
			return
		}
	}
}

// Addr is the address to dial instead of the server's.
func (p *Proxy) Addr() string { return p.l.Addr().String() }

// Cut closes every open connection; new ones are still forwarded.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// Close thaws the proxy, stops listening and closes every connection.
func (p *Proxy) Close() {
	p.Thaw()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	p.l.Close()
	for _, c := range p.conns {
		c.Close()
	}
}

// Freeze stops the bytes on every connection, open or new.
func (p *Proxy) Freeze() { p.mu.Lock(); p.frozen = true; p.mu.Unlock() }

// Thaw lets the bytes flow again.
func (p *Proxy) Thaw() {
	p.mu.Lock()
	p.frozen = false
	p.cond.Broadcast()
	p.mu.Unlock()
}
