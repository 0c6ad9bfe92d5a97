package venuews

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"time"
)

// A venue that pushes each update as a small frame of its own, evenly
// spaced (Alpaca's market data: a frame every few milliseconds for a busy
// subscription), costs the client a wake-up per frame: the thread parked
// on the socket and the runtime's monitor thread, woken by the read. Those
// cost more than reading the frame; a Go timer to read later costs as much
// again. What does not cost a wake-up is the kernel holding the frames
// back: a socket's receive low-water mark (SO_RCVLOWAT) makes it readable
// only once that many bytes are waiting.
//
// A feed with Timing.ReadEvery set has its connections keep the mark at
// what the stream brings in ReadEvery, measured between reads, so a
// steady stream is read a few frames at a time; a sparse one (less than a
// frame per ReadEvery) keeps the mark at one byte and is read as each
// frame comes. A read deadline of twice ReadEvery bounds what a frame can
// wait when the stream slows down: then the mark drops to one byte and
// what is there is read at once. The cost is that delay: at most
// ReadEvery while the rate holds, twice that when it falls.

// coalescingClient returns c with the connections its transport dials
// coalescing reads, or c itself where that cannot be done (a transport
// other than an *http.Transport, whose connections this package cannot
// reach; a platform without the mark). A transport with a TLS dialer of
// its own dials wss:// without DialContext, so those connections read
// every frame as it comes. The returned func releases the clone's idle
// connections.
func coalescingClient(c *http.Client, every time.Duration) (*http.Client, func()) {
	if every <= 0 || !haveLowWaterMark {
		return c, func() {}
	}
	var base *http.Transport
	switch t := c.Transport.(type) {
	case nil:
		base, _ = http.DefaultTransport.(*http.Transport)
	case *http.Transport:
		base = t
	}
	if base == nil {
		return c, func() {}
	}
	t := base.Clone()
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return newCoalescingConn(conn, every), nil
	}
	client := *c
	client.Transport = t
	return &client, t.CloseIdleConnections
}

// coalescingConn is a connection whose reads wait for a few frames while
// frames come fast (see above). Its Read is called by one goroutine at a
// time, as every reader of a stream does.
type coalescingConn struct {
	net.Conn
	every   time.Duration
	setMark func(bytes int) error
	now     func() time.Time

	mark     int       // the low-water mark in force, in bytes
	lastRead time.Time // when the last read returned data
	deadline bool      // a read deadline is set
}

func newCoalescingConn(conn net.Conn, every time.Duration) net.Conn {
	setMark, ok := lowWaterMark(conn)
	if !ok {
		return conn
	}
	return &coalescingConn{Conn: conn, every: every, setMark: setMark, now: time.Now, mark: 1}
}

func (c *coalescingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) && c.deadline {
		// The stream slowed: what is there is read now, and the next
		// frames as they come, until the rate is measured again.
		if err := c.coalesce(1, false); err != nil {
			return 0, err
		}
		n, err = c.Conn.Read(p)
	}
	if n == 0 || err != nil {
		return n, err
	}
	now := c.now()
	mark := 1
	if gap := now.Sub(c.lastRead); !c.lastRead.IsZero() && gap > 0 && gap < 2*c.every {
		// n bytes came in gap: wait for what ReadEvery brings.
		mark = min(int(int64(n)*int64(c.every)/int64(gap)), len(p), maxMark)
	}
	c.lastRead = now
	if err := c.coalesce(mark, true); err != nil {
		return n, err
	}
	return n, nil
}

// maxMark bounds the mark: a burst is read as it comes anyway.
const maxMark = 64 << 10

// coalesce sets the mark, unless the one in force is close enough (a
// quarter either way), and the deadline that bounds a frame's wait
// (only while the mark holds frames back).
func (c *coalescingConn) coalesce(mark int, renew bool) error {
	if mark < 1 {
		mark = 1
	}
	if mark == 1 && c.mark != 1 || mark > 1 && (4*mark < 3*c.mark || 4*mark > 5*c.mark) {
		if err := c.setMark(mark); err != nil {
			return err
		}
		c.mark = mark
	}
	switch {
	case c.mark > 1 && renew:
		c.deadline = true
		return c.Conn.SetReadDeadline(c.now().Add(2 * c.every))
	case c.mark == 1 && c.deadline:
		c.deadline = false
		return c.Conn.SetReadDeadline(time.Time{})
	}
	return nil
}
