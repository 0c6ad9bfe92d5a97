package venuews

import (
	"context"
	"errors"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"
)

// scriptedConn plays reads: each moves the clock on by after, then
// returns n bytes or, with timeout, the deadline's error.
type scriptedConn struct {
	net.Conn
	clock     *time.Time
	reads     []scriptedRead
	deadlines []time.Duration // each SetReadDeadline, from the start; -1: cleared
	start     time.Time
}

type scriptedRead struct {
	after   time.Duration
	n       int
	timeout bool
}

func (c *scriptedConn) Read(p []byte) (int, error) {
	r := c.reads[0]
	c.reads = c.reads[1:]
	*c.clock = c.clock.Add(r.after)
	if r.timeout {
		return 0, os.ErrDeadlineExceeded
	}
	return r.n, nil
}

func (c *scriptedConn) SetReadDeadline(t time.Time) error {
	d := time.Duration(-1)
	if !t.IsZero() {
		d = t.Sub(c.start)
	}
	c.deadlines = append(c.deadlines, d)
	return nil
}

func TestCoalescingConnFollowsTheRate(t *testing.T) {
	ms := time.Millisecond
	start := time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC)
	clock := start
	sc := &scriptedConn{clock: &clock, start: start, reads: []scriptedRead{
		{after: 0, n: 200},               // the first read: nothing to measure
		{after: 5 * ms, n: 200},          // 200 bytes in 5 ms: wait for 800 (20 ms' worth)
		{after: 20 * ms, n: 800},         // as expected: the mark stays, the deadline moves
		{after: 20 * ms, n: 760},         // within a quarter: the mark stays
		{after: 40 * ms, timeout: true},  // the stream slowed: back to one byte,
		{after: 0, n: 150},               // and what was held back is read at once
		{after: 2 * time.Second, n: 200}, // sparse: every frame as it comes
	}}
	var marks []int
	c := &coalescingConn{Conn: sc, every: 20 * ms, now: func() time.Time { return clock }, mark: 1,
		setMark: func(n int) error { marks = append(marks, n); return nil }}
	var got []int
	buf := make([]byte, 4096)
	for range 6 {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, n)
	}
	if diff := cmp.Diff([]int{200, 200, 800, 760, 150, 200}, got); diff != "" {
		t.Errorf("reads (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{800, 1}, marks); diff != "" {
		t.Errorf("marks set (-want +got):\n%s", diff)
	}
	// Deadlines: 40 ms after each read while the mark holds frames back,
	// cleared when it drops to one byte.
	if diff := cmp.Diff([]time.Duration{45 * ms, 65 * ms, 85 * ms, -1}, sc.deadlines); diff != "" {
		t.Errorf("deadlines (-want +got):\n%s", diff)
	}
}

// TestLowWaterMarkHoldsFramesBack: the mechanism coalescing rests on. With
// the mark at 1000 bytes, ten 100-byte writes 5 ms apart wake a reader
// parked on the socket once, not ten times.
func TestLowWaterMarkHoldsFramesBack(t *testing.T) {
	if !haveLowWaterMark {
		t.Skip("no receive low-water mark on this platform; streams read every frame")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		chunk := make([]byte, 100)
		for range 10 {
			time.Sleep(5 * time.Millisecond)
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
		// What a first read took before the reader parked leaves less
		// than the mark behind: this brings it over.
		time.Sleep(100 * time.Millisecond)
		if _, err := c.Write(make([]byte, 1000)); err != nil {
			return
		}
		time.Sleep(time.Second) // until the reader has read
	}()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	setMark, ok := lowWaterMark(conn)
	if !ok {
		t.Fatal("a TCP connection has no low-water mark")
	}
	if err := setMark(1000); err != nil {
		t.Fatal(err)
	}
	if err := conn.SetReadDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	reads, total := 0, 0
	for total < 1000 {
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("after %d bytes: %v", total, err)
		}
		reads, total = reads+1, total+n
	}
	// Two when the first writes were there before the first read (a read
	// takes what is there; only a reader parked on the socket waits, here
	// for the last write).
	if reads > 2 {
		t.Errorf("%d reads for ten writes under the mark, want 1 or 2", reads)
	}
}

// TestStreamCoalescedDeliversEveryQuote: a fast burst raises the mark;
// when it stops, the quotes held back below the mark are delivered by the
// deadline, well before the idle timeout would give up on the session.
func TestStreamCoalescedDeliversEveryQuote(t *testing.T) {
	const burst = 60
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		for i := range burst {
			if !send(ctx, c, quoteMsg("BTC-USD", strconv.Itoa(i), "1000")) {
				return
			}
			time.Sleep(2 * time.Millisecond)
		}
		hold(ctx)
	})
	f := feed(srv, nil)
	f.Timing.ReadEvery = 20 * time.Millisecond
	bids, err := run(t, f, func(b []string) bool { return len(b) == burst })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stream = %v, want context.Canceled", err)
	}
	if len(bids) != burst || bids[burst-1] != strconv.Itoa(burst-1) {
		t.Errorf("%d bids, the last %q; want all %d in order", len(bids), bids[len(bids)-1], burst)
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1: nothing was held back until the idle timeout", n)
	}
}
