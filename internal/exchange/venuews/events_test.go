package venuews

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/tradectl/tradectl/internal/exchange"
)

// eventServer accepts connections and hands each to play; reads are
// play's business, so a play that never reads never answers a ping.
func eventServer(t *testing.T, play func(ctx context.Context, n int, c *websocket.Conn)) (url string, conns *atomic.Int64) {
	t.Helper()
	conns = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		play(r.Context(), int(conns.Add(1)), c)
	}))
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http"), conns
}

// The test account stream: {"ev":"connected"|"order"} are events,
// {"ask":"listen"} asks the client to send "listen", {"fatal":"…"} is a
// refusal retrying cannot cure.
func eventDecoder(send func([]byte)) EventDecoder {
	return func(msg []byte) ([]exchange.OrderEvent, error) {
		var m struct{ Ev, Ask, Fatal string }
		if err := json.Unmarshal(msg, &m); err != nil {
			return nil, err
		}
		switch {
		case m.Fatal != "":
			return nil, Fatal(&exchange.Error{Kind: exchange.ErrAuth, Venue: "testvenue", Message: m.Fatal})
		case m.Ask != "":
			send([]byte(m.Ask))
			return nil, nil
		case m.Ev != "":
			return []exchange.OrderEvent{{Kind: exchange.OrderEventKind(m.Ev)}}, nil
		}
		return nil, errors.New("unknown message")
	}
}

func eventFeed(url string, timing Timing) EventFeed {
	return EventFeed{
		Endpoint:    Endpoint{Venue: "testvenue", URL: url},
		Subscribe:   func(context.Context) ([][]byte, error) { return [][]byte{[]byte("auth")}, nil },
		NewDialogue: eventDecoder,
		Timing:      timing,
	}
}

func fastTiming() Timing {
	return Timing{BackoffMin: 5 * time.Millisecond, BackoffMax: 20 * time.Millisecond, FailuresBeforePoll: 3, IdleTimeout: 2 * time.Second}
}

// collectEvents streams until n events arrived (then cancels) or 5s pass.
func collectEvents(t *testing.T, f EventFeed, n int) ([]exchange.OrderEventKind, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var got []exchange.OrderEventKind
	err := StreamEvents(ctx, f, func(ev exchange.OrderEvent) error {
		got = append(got, ev.Kind)
		if len(got) == n {
			cancel()
		}
		return nil
	})
	if ctx.Err() == context.DeadlineExceeded {
		t.Fatalf("timed out after %v", got)
	}
	return got, err
}

func TestStreamEventsDialogue(t *testing.T) {
	var heard atomic.Value
	url, _ := eventServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		_, auth, err := c.Read(ctx)
		if err != nil || string(auth) != "auth" {
			return
		}
		// Subscribing must wait for the sign-in to be confirmed.
		if !send(ctx, c, `{"ask":"listen"}`) {
			return
		}
		_, listen, err := c.Read(ctx)
		if err != nil {
			return
		}
		heard.Store(string(listen))
		send(ctx, c, `{"ev":"connected"}`, `{"ev":"order"}`)
		hold(c.CloseRead(ctx))
	})
	got, err := collectEvents(t, eventFeed(url, fastTiming()), 2)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("StreamEvents = %v, want context.Canceled", err)
	}
	if want := []exchange.OrderEventKind{exchange.EventConnected, exchange.EventOrder}; !equalKinds(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
	if h, _ := heard.Load().(string); h != "listen" {
		t.Errorf("the server heard %q after the sign-in, want the decoder's listen", h)
	}
}

func TestStreamEventsFatalEndsTheStream(t *testing.T) {
	url, conns := eventServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		send(ctx, c, `{"fatal":"key refused"}`)
		<-ctx.Done()
	})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := StreamEvents(ctx, eventFeed(url, fastTiming()), func(exchange.OrderEvent) error { return nil })
	var xe *exchange.Error
	if !errors.As(err, &xe) || !errors.Is(err, exchange.ErrAuth) || xe.Message != "key refused" {
		t.Errorf("StreamEvents = %v, want the decoder's ErrAuth as is", err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("connections = %d, want 1: a fatal refusal is not retried", n)
	}

	// A Subscribe that fails for good ends the stream as well.
	f := eventFeed(url, fastTiming())
	f.Subscribe = func(context.Context) ([][]byte, error) { return nil, Fatal(errors.New("no key")) }
	if err := StreamEvents(ctx, f, func(exchange.OrderEvent) error { return nil }); err == nil || err.Error() != "no key" {
		t.Errorf("StreamEvents with a fatal Subscribe = %v, want no key", err)
	}
}

func TestStreamEventsPingFindsADeadPeer(t *testing.T) {
	url, conns := eventServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		if n == 1 {
			// Never reads: pings go unanswered, as from a peer that died
			// without closing.
			send(ctx, c, `{"ev":"connected"}`)
			<-ctx.Done()
			return
		}
		if _, _, err := c.Read(ctx); err != nil { // auth
			return
		}
		send(ctx, c, `{"ev":"connected"}`)
		hold(c.CloseRead(ctx))
	})
	timing := fastTiming()
	timing.PingInterval, timing.IdleTimeout = 20*time.Millisecond, 100*time.Millisecond
	got, _ := collectEvents(t, eventFeed(url, timing), 2)
	if want := []exchange.OrderEventKind{exchange.EventConnected, exchange.EventConnected}; !equalKinds(got, want) {
		t.Errorf("events %v, want connected twice", got)
	}
	if n := conns.Load(); n != 2 {
		t.Errorf("connections = %d, want 2", n)
	}
}

func TestStreamEventsPingKeepsAQuietPeer(t *testing.T) {
	url, conns := eventServer(t, func(ctx context.Context, n int, c *websocket.Conn) {
		if _, _, err := c.Read(ctx); err != nil { // auth
			return
		}
		send(ctx, c, `{"ev":"connected"}`)
		hold(c.CloseRead(ctx)) // answers pings, sends nothing
	})
	timing := fastTiming()
	timing.PingInterval, timing.IdleTimeout = 20*time.Millisecond, 50*time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	var got []exchange.OrderEventKind
	_ = StreamEvents(ctx, eventFeed(url, timing), func(ev exchange.OrderEvent) error {
		got = append(got, ev.Kind)
		return nil
	})
	if n := conns.Load(); n != 1 || len(got) != 1 {
		t.Errorf("connections %d, events %v over 400ms of silence: want one connection kept, not given up as stale", n, got)
	}
}

func equalKinds(a, b []exchange.OrderEventKind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
