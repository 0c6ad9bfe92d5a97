package venuews

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// The test feed's wire format: {"s":"BTC-USD","b":"1","a":"2"} is a quote,
// {"hb":true} a heartbeat, {"gap":true} a sequence gap; anything else is
// malformed.
type testMsg struct {
	S   string `json:"s"`
	B   string `json:"b"`
	A   string `json:"a"`
	HB  bool   `json:"hb"`
	Gap bool   `json:"gap"`
}

// script plays one connection (n counts from 1) and returns when done;
// returning closes the connection.
type script func(ctx context.Context, n int, c *websocket.Conn)

type testServer struct {
	*httptest.Server
	refuse  atomic.Bool
	conns   atomic.Int64
	mu      sync.Mutex
	firstIn []string // the first message each connection received
	play    script
}

func newServer(t *testing.T, play script) *testServer {
	t.Helper()
	s := &testServer{play: play}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.refuse.Load() {
			http.Error(w, "streams off", http.StatusServiceUnavailable)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		n := int(s.conns.Add(1))
		_, first, err := c.Read(r.Context())
		if err != nil {
			return
		}
		s.mu.Lock()
		s.firstIn = append(s.firstIn, string(first))
		s.mu.Unlock()
		ctx := c.CloseRead(r.Context())
		s.play(ctx, n, c)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *testServer) wsURL() string { return "ws" + strings.TrimPrefix(s.URL, "http") }

func send(ctx context.Context, c *websocket.Conn, msgs ...string) bool {
	for _, m := range msgs {
		if c.Write(ctx, websocket.MessageText, []byte(m)) != nil {
			return false
		}
	}
	return true
}

// hold keeps the connection open and silent until the client leaves.
func hold(ctx context.Context) { <-ctx.Done() }

func quoteMsg(sym, bid, ask string) string {
	b, _ := json.Marshal(testMsg{S: sym, B: bid, A: ask})
	return string(b)
}

// feed builds a Feed on srv whose decoders count themselves.
func feed(srv *testServer, decoders *atomic.Int64) Feed {
	return Feed{
		Endpoint: Endpoint{Venue: "testvenue", URL: srv.wsURL()},
		Subscribe: func(context.Context) ([][]byte, error) {
			return [][]byte{[]byte(`{"subscribe":"quotes"}`)}, nil
		},
		NewDecoder: func() Decoder {
			if decoders != nil {
				decoders.Add(1)
			}
			return func(msg []byte) ([]trade.Quote, error) {
				var m testMsg
				if err := json.Unmarshal(msg, &m); err != nil {
					return nil, err
				}
				switch {
				case m.Gap:
					return nil, Resync("gap")
				case m.HB:
					return nil, nil
				case m.S == "":
					return nil, errors.New("no symbol")
				}
				return []trade.Quote{{Symbol: trade.MustSymbol(m.S), Bid: trade.Dec(m.B), Ask: trade.Dec(m.A)}}, nil
			}
		},
		Timing: Timing{
			BackoffMin: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond,
			FailuresBeforePoll: 3, IdleTimeout: 150 * time.Millisecond,
			PollInterval: 10 * time.Millisecond, PollFor: 0,
		},
	}
}

// run streams until stop says so (then cancels) and returns the bids seen
// and Stream's result.
func run(t *testing.T, f Feed, stop func(bids []string) bool) ([]string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var bids []string
	err := Stream(ctx, f, func(q trade.Quote) error {
		bids = append(bids, q.Bid.String())
		if stop(bids) {
			cancel()
		}
		return nil
	})
	if ctx.Err() == context.DeadlineExceeded {
		t.Fatalf("stream timed out; bids so far %v", bids)
	}
	return bids, err
}

func TestStreamSubscribesAndDelivers(t *testing.T) {
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		send(ctx, c, `{"hb":true}`, quoteMsg("BTC-USD", "1", "2"), quoteMsg("ETH-USD", "3", "4"))
		hold(ctx)
	})
	bids, err := run(t, feed(srv, nil), func(b []string) bool { return len(b) == 2 })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stream = %v, want context.Canceled", err)
	}
	if diff := cmp.Diff([]string{"1", "3"}, bids); diff != "" {
		t.Errorf("bids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`{"subscribe":"quotes"}`}, srv.firstIn); diff != "" {
		t.Errorf("subscribe messages (-want +got):\n%s", diff)
	}
}

func TestStreamReturnsFnError(t *testing.T) {
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		send(ctx, c, quoteMsg("BTC-USD", "1", "2"))
		hold(ctx)
	})
	stop := errors.New("enough")
	err := Stream(context.Background(), feed(srv, nil), func(trade.Quote) error { return stop })
	if !errors.Is(err, stop) {
		t.Errorf("Stream = %v, want fn's error", err)
	}
}

func TestStreamReconnectsWithFreshDecoder(t *testing.T) {
	// The first connection delivers and drops; the second must start
	// from a new decoder.
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		if n == 1 {
			send(ctx, c, quoteMsg("BTC-USD", "1", "2"))
			return
		}
		send(ctx, c, quoteMsg("BTC-USD", "5", "6"))
		hold(ctx)
	})
	var decoders atomic.Int64
	bids, err := run(t, feed(srv, &decoders), func(b []string) bool { return len(b) == 2 })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stream = %v, want context.Canceled", err)
	}
	if diff := cmp.Diff([]string{"1", "5"}, bids); diff != "" {
		t.Errorf("bids (-want +got):\n%s", diff)
	}
	if got := decoders.Load(); got != 2 {
		t.Errorf("decoders = %d, want one per connection (2)", got)
	}
}

func TestStreamGivesUpOnAQuietFeed(t *testing.T) {
	// The first connection sends one quote and then nothing at all; the
	// session must end after the idle timeout and nothing be delivered
	// in between.
	var quietSince atomic.Int64
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		if n == 1 {
			send(ctx, c, quoteMsg("BTC-USD", "1", "2"))
			quietSince.Store(time.Now().UnixNano())
			hold(ctx)
			return
		}
		send(ctx, c, quoteMsg("BTC-USD", "7", "8"))
		hold(ctx)
	})
	f := feed(srv, nil)
	var at []time.Time
	bids, err := run(t, f, func(b []string) bool {
		at = append(at, time.Now())
		return len(b) == 2
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stream = %v, want context.Canceled", err)
	}
	if diff := cmp.Diff([]string{"1", "7"}, bids); diff != "" {
		t.Errorf("bids (-want +got):\n%s", diff)
	}
	if gap := at[1].Sub(time.Unix(0, quietSince.Load())); gap < f.Timing.IdleTimeout {
		t.Errorf("next quote %s after the feed went quiet, want ≥ the idle timeout %s", gap, f.Timing.IdleTimeout)
	}
}

func TestStreamHeartbeatsKeepTheSessionAlive(t *testing.T) {
	// Heartbeats for four idle timeouts in a row: the idle watchdog,
	// armed once per timeout, sees each time that the feed was heard
	// from since, and the session lives on to the next quote.
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		send(ctx, c, quoteMsg("BTC-USD", "1", "2"))
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for end := time.Now().Add(600 * time.Millisecond); time.Now().Before(end); {
			if !send(ctx, c, `{"hb":true}`) {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
		send(ctx, c, quoteMsg("BTC-USD", "3", "4"))
		hold(ctx)
	})
	f := feed(srv, nil)
	bids, err := run(t, f, func(b []string) bool { return len(b) == 2 })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stream = %v, want context.Canceled", err)
	}
	if diff := cmp.Diff([]string{"1", "3"}, bids); diff != "" {
		t.Errorf("bids (-want +got):\n%s", diff)
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("%d connections, want the one kept alive by heartbeats", n)
	}
}

func TestStreamGarbageIsNoSignOfLife(t *testing.T) {
	// A feed that sends only unreadable messages is as good as silent.
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		if n >= 2 {
			send(ctx, c, quoteMsg("BTC-USD", "9", "10"))
			hold(ctx)
			return
		}
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			if !send(ctx, c, `{"s":`, `[1,2]`, `{}`) {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	})
	bids, err := run(t, feed(srv, nil), func(b []string) bool { return len(b) == 1 })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stream = %v, want context.Canceled", err)
	}
	if diff := cmp.Diff([]string{"9"}, bids); diff != "" {
		t.Errorf("bids (-want +got):\n%s", diff)
	}
}

func TestStreamResyncsOnGap(t *testing.T) {
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		if n == 1 {
			send(ctx, c, quoteMsg("BTC-USD", "1", "2"), `{"gap":true}`, quoteMsg("BTC-USD", "100", "101"))
			hold(ctx)
			return
		}
		send(ctx, c, quoteMsg("BTC-USD", "3", "4"))
		hold(ctx)
	})
	bids, err := run(t, feed(srv, nil), func(b []string) bool { return len(b) == 2 })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stream = %v, want context.Canceled", err)
	}
	// The quote after the gap belongs to a connection no longer trusted.
	if diff := cmp.Diff([]string{"1", "3"}, bids); diff != "" {
		t.Errorf("bids (-want +got):\n%s", diff)
	}
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("connections = %d, want 2", n)
	}
}

func TestStreamPollsAndReturnsToTheStream(t *testing.T) {
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		send(ctx, c, quoteMsg("BTC-USD", "50", "51"))
		hold(ctx)
	})
	srv.refuse.Store(true)
	f := feed(srv, nil)
	f.Timing.PollFor = 60 * time.Millisecond
	var polls atomic.Int64
	f.Poll = func(context.Context) ([]trade.Quote, error) {
		if polls.Add(1) == 2 {
			srv.refuse.Store(false) // the stream comes back while polling
		}
		return []trade.Quote{{Symbol: trade.MustSymbol("BTC-USD"), Bid: trade.Dec("40"), Ask: trade.Dec("41")}}, nil
	}
	bids, err := run(t, f, func(b []string) bool { return b[len(b)-1] == "50" })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stream = %v, want context.Canceled", err)
	}
	if len(bids) < 2 || bids[0] != "40" {
		t.Errorf("bids = %v, want polled quotes (40) before the stream's (50)", bids)
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("stream connections = %d, want 1 after polling", n)
	}
}

func TestStreamPollErrors(t *testing.T) {
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {})
	srv.refuse.Store(true)
	tests := []struct {
		name    string
		results []error // one per poll; nil delivers a quote
		want    error
		quotes  int
	}{
		{"final error ends the stream", []error{&exchange.Error{Kind: exchange.ErrNotFound, Message: "unknown symbol"}}, exchange.ErrNotFound, 0},
		{"transient error is retried", []error{&exchange.Error{Kind: exchange.ErrUnavailable}, nil, &exchange.Error{Kind: exchange.ErrAuth}}, exchange.ErrAuth, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := feed(srv, nil)
			i := 0
			f.Poll = func(context.Context) ([]trade.Quote, error) {
				err := tt.results[i]
				i++
				if err != nil {
					return nil, err
				}
				return []trade.Quote{{Symbol: trade.MustSymbol("BTC-USD"), Bid: trade.Dec("1"), Ask: trade.Dec("2")}}, nil
			}
			quotes := 0
			err := Stream(context.Background(), f, func(trade.Quote) error { quotes++; return nil })
			if !errors.Is(err, tt.want) {
				t.Errorf("Stream = %v, want %v", err, tt.want)
			}
			if quotes != tt.quotes {
				t.Errorf("quotes = %d, want %d", quotes, tt.quotes)
			}
		})
	}
}

func TestStreamBackoffGrowsJitteredAndCapped(t *testing.T) {
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {})
	srv.refuse.Store(true)
	f := feed(srv, nil)
	f.Timing.BackoffMin, f.Timing.BackoffMax = 100*time.Millisecond, 400*time.Millisecond
	var slept []time.Duration
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.Sleep = func(ctx context.Context, d time.Duration) error {
		slept = append(slept, d)
		if len(slept) == 6 {
			cancel()
			return ctx.Err()
		}
		return nil
	}
	if err := Stream(ctx, f, func(trade.Quote) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Stream = %v, want context.Canceled", err)
	}
	caps := []time.Duration{100, 200, 400, 400, 400, 400}
	for i, d := range slept {
		hi := caps[i] * time.Millisecond
		if d < hi/2 || d > hi {
			t.Errorf("wait %d = %s, want within [%s, %s]", i, d, hi/2, hi)
		}
	}
}

func TestMalformedErrorNamesVenue(t *testing.T) {
	err := &MalformedError{Venue: "kraken", Err: errors.New("bad json")}
	if !strings.Contains(err.Error(), "kraken") || !errors.Is(err, err.Err) {
		t.Errorf("MalformedError = %q, want the venue named and the cause wrapped", err)
	}
}

func TestStreamWithoutURLOnlyPolls(t *testing.T) {
	f := Feed{Endpoint: Endpoint{Venue: "testvenue"}, Timing: Timing{PollInterval: time.Millisecond, PollFor: time.Nanosecond}}
	if err := Stream(context.Background(), f, func(trade.Quote) error { return nil }); err == nil || !strings.Contains(err.Error(), "no way to poll") {
		t.Errorf("Stream without URL or Poll = %v, want an error saying so", err)
	}
	polls := 0
	f.Poll = func(context.Context) ([]trade.Quote, error) {
		polls++
		return []trade.Quote{{Symbol: trade.MustSymbol("BTC-USD"), Bid: trade.Dec("1"), Ask: trade.Dec("2")}}, nil
	}
	// PollFor would end polling at once; without a stream it must not.
	bids, err := run(t, f, func(b []string) bool { return len(b) == 5 })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stream = %v, want context.Canceled", err)
	}
	if len(bids) != 5 || polls != 5 {
		t.Errorf("bids = %v after %d polls, want 5 from 5 polls", bids, polls)
	}
}

func TestStreamPollNowPollsAtOnce(t *testing.T) {
	srv := newServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		if n == 1 {
			send(ctx, c, `{"limit":true}`)
			hold(ctx)
			return
		}
		send(ctx, c, quoteMsg("BTC-USD", "50", "51"))
		hold(ctx)
	})
	f := feed(srv, nil)
	dec := f.NewDecoder
	f.NewDecoder = nil
	var sent atomic.Int64
	f.NewDialogue = func(send func([]byte)) Decoder {
		d := dec()
		return func(msg []byte) ([]trade.Quote, error) {
			if string(msg) == `{"limit":true}` {
				send([]byte(`{"ack":true}`))
				sent.Add(1)
				return nil, PollNow(errors.New("connection limit exceeded"))
			}
			return d(msg)
		}
	}
	f.Timing.PollFor = 40 * time.Millisecond
	f.Poll = func(context.Context) ([]trade.Quote, error) {
		return []trade.Quote{{Symbol: trade.MustSymbol("BTC-USD"), Bid: trade.Dec("40"), Ask: trade.Dec("41")}}, nil
	}
	bids, err := run(t, f, func(b []string) bool { return b[len(b)-1] == "50" })
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stream = %v, want context.Canceled", err)
	}
	if len(bids) < 2 || bids[0] != "40" {
		t.Errorf("bids = %v, want polled quotes (40) first, then the stream's (50)", bids)
	}
	if n := srv.conns.Load(); n != 2 {
		t.Errorf("connections = %d, want 2: one refused, polling, then one that streams", n)
	}
	if sent.Load() != 1 {
		t.Errorf("dialogue answers = %d, want 1", sent.Load())
	}
}

func TestIsFatalIsPollNow(t *testing.T) {
	base := errors.New("x")
	for _, tc := range []struct {
		err            error
		fatal, pollNow bool
	}{
		{base, false, false},
		{Fatal(base), true, false},
		{PollNow(base), false, true},
		{Resync("gap"), false, false},
	} {
		if IsFatal(tc.err) != tc.fatal || IsPollNow(tc.err) != tc.pollNow || !errors.Is(tc.err, tc.err) {
			t.Errorf("%v: IsFatal %v IsPollNow %v, want %v %v", tc.err, IsFatal(tc.err), IsPollNow(tc.err), tc.fatal, tc.pollNow)
		}
	}
	if !errors.Is(PollNow(base), base) || !errors.Is(Fatal(base), base) {
		t.Errorf("the marks hide their cause")
	}
}
