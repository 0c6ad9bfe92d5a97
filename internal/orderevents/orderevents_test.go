package orderevents_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/binance"
	"github.com/tradectl/tradectl/internal/exchange/binance/fakebinance"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/orderevents"
	"github.com/tradectl/tradectl/internal/trade"
)

var (
	btcusdt = trade.MustSymbol("BTC-USDT")
	btcusd  = trade.MustSymbol("BTC-USD")
)

// openBinance starts a fake Binance and opens the adapter on it, REST and
// user data stream.
func openBinance(t testing.TB) (*binance.Exchange, *fakebinance.Server) {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	key, secret := hex.EncodeToString(b[:16]), hex.EncodeToString(b[16:])
	srv := fakebinance.New(key, secret)
	t.Cleanup(srv.Close)
	ex, err := binance.New(context.Background(), exchange.Params{
		Profile:  "live",
		Exchange: "binance",
		Options:  map[string]any{binance.KeyBaseURL: srv.URL(), binance.KeyWSURL: srv.WSURL(), binance.KeyWSAPIURL: srv.WSAPIURL()},
		Secret: func(_ context.Context, name string) (string, error) {
			switch name {
			case "api_key":
				return key, nil
			case "api_secret":
				return secret, nil
			}
			return "", nil
		},
		CacheDir:   t.TempDir(),
		HTTPClient: srv.Client(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ex.Close() })
	return ex, srv
}

func openPaper(t testing.TB) *paper.Exchange {
	t.Helper()
	ex, err := paper.New(context.Background(), exchange.Params{
		Profile: "paper", Exchange: paper.Name, Options: map[string]any{},
		DataDir: t.TempDir(), CacheDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ex.Close() })
	return ex
}

// recorder collects what Follow emits.
type recorder struct {
	mu     sync.Mutex
	events []exchange.OrderEvent
	added  chan struct{}
}

func newRecorder() *recorder { return &recorder{added: make(chan struct{}, 1000)} }

func (r *recorder) fn(ev exchange.OrderEvent) error {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	r.added <- struct{}{}
	return nil
}

// waitFor waits until cond holds over the events so far.
func (r *recorder) waitFor(t *testing.T, what string, cond func([]exchange.OrderEvent) bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		ok := cond(r.events)
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-r.added:
		case <-deadline:
			t.Fatalf("no %s within 10s; got %s", what, r.summary())
		}
	}
}

// summary is "kind:order-id:status-or-fill-id" per event.
func (r *recorder) summary() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, ev := range r.events {
		out = append(out, describe(ev))
	}
	return out
}

func describe(ev exchange.OrderEvent) string {
	switch {
	case ev.Kind == exchange.EventFill:
		return "fill:" + ev.Fill.OrderID + ":" + ev.Fill.ID
	case ev.Order != nil:
		return "order:" + ev.Order.ID + ":" + string(ev.Order.Status)
	}
	return string(ev.Kind)
}

func fillsOf(evs []exchange.OrderEvent, orderID string) int {
	n := 0
	for _, ev := range evs {
		if ev.Kind == exchange.EventFill && ev.Fill.OrderID == orderID {
			n++
		}
	}
	return n
}

func hasOrder(evs []exchange.OrderEvent, id string, st trade.OrderStatus) bool {
	for _, ev := range evs {
		if ev.Kind == exchange.EventOrder && ev.Order.ID == id && ev.Order.Status == st {
			return true
		}
	}
	return false
}

func follow(t *testing.T, ex exchange.Exchange, opts orderevents.Options) *recorder {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rec := newRecorder()
	done := make(chan error, 1)
	go func() { done <- orderevents.Follow(ctx, ex, opts, rec.fn) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Follow after cancel returned %v, want context.Canceled", err)
		}
	})
	return rec
}

// A fill that happens while the stream is down is delivered once, by the
// REST reconciliation after the reconnect, and never again after later
// reconnects.
func TestFillWhileDisconnectedIsDeliveredOnce(t *testing.T) {
	ex, srv := openBinance(t)
	ctx := context.Background()
	rec := follow(t, ex, orderevents.Options{})

	// A resting order makes the stream's state observable: once its NEW
	// report arrives, the baseline is taken and the stream is live.
	resting := placeUntilSeen(t, ex, rec, venueRestingBuy("rest-1"))

	hub := srv.UserStreams()
	before := hub.Connections()
	hub.Disable(true)
	hub.Drop()
	filled, err := ex.PlaceOrder(ctx, trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Market,
		Qty: decimal.RequireFromString("0.001"), ClientID: "while-down"})
	if err != nil {
		t.Fatal(err)
	}
	hub.Disable(false)
	rec.waitFor(t, "fill of the order placed while down", func(evs []exchange.OrderEvent) bool { return fillsOf(evs, filled.ID) > 0 })
	if hub.Connections() <= before {
		t.Errorf("stream connections %d, want a reconnect after %d", hub.Connections(), before)
	}

	// Another drop and reconnect: reconciliation finds the same fill again
	// and must not repeat it. A cancel after the reconnect marks the point
	// by which the reconciliation has run.
	hub.Drop()
	waitConnections(t, hub.Connections, before+2)
	if _, err := ex.CancelOrder(ctx, exchange.OrderRef{ID: resting.ID, Symbol: btcusdt}); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the cancel", func(evs []exchange.OrderEvent) bool { return hasOrder(evs, resting.ID, trade.StatusCanceled) })
	rec.mu.Lock()
	got := fillsOf(rec.events, filled.ID)
	rec.mu.Unlock()
	if got != 1 {
		t.Errorf("fill of %s delivered %d times, want once; events: %v", filled.ID, got, rec.summary())
	}
}

func venueRestingBuy(clientID string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
		Qty: decimal.RequireFromString("0.001"), Price: decimal.NewNullDecimal(decimal.RequireFromString("20000")), ClientID: clientID}
}

// placeUntilSeen places req and waits for its open order event.
func placeUntilSeen(t *testing.T, ex exchange.Exchange, rec *recorder, req trade.OrderRequest) trade.Order {
	t.Helper()
	// The follower's baseline is taken when it connects; an order placed
	// before that is history. Place until one shows up.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		o, err := ex.PlaceOrder(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		seen := false
		for range 20 {
			rec.mu.Lock()
			seen = hasOrder(rec.events, o.ID, trade.StatusOpen)
			rec.mu.Unlock()
			if seen {
				return o
			}
			time.Sleep(10 * time.Millisecond)
		}
		req.ClientID += "x"
	}
	t.Fatalf("no order event for %s", req.ClientID)
	return trade.Order{}
}

func waitConnections(t *testing.T, count func() int, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for count() < want {
		if time.Now().After(deadline) {
			t.Fatalf("stream connections %d, want %d", count(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pollOnly hides a venue's stream, as a venue without one.
type pollOnly struct{ exchange.Exchange }

func (p pollOnly) Fills(ctx context.Context, f exchange.FillFilter) ([]trade.Fill, error) {
	return p.Exchange.(exchange.FillLister).Fills(ctx, f)
}

// Without a stream the same REST reads are polled: history is not
// repeated, new orders, fills and cancels are, each once.
func TestPollingWithoutAStream(t *testing.T) {
	px := openPaper(t)
	ctx := context.Background()
	old, err := px.PlaceOrder(ctx, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: decimal.RequireFromString("0.01")})
	if err != nil {
		t.Fatal(err)
	}
	rec := follow(t, pollOnly{px}, orderevents.Options{PollInterval: 20 * time.Millisecond})
	time.Sleep(100 * time.Millisecond) // a few polls: the baseline is taken

	bought, err := px.PlaceOrder(ctx, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: decimal.RequireFromString("0.02")})
	if err != nil {
		t.Fatal(err)
	}
	resting, err := px.PlaceOrder(ctx, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit,
		Qty: decimal.RequireFromString("0.01"), Price: decimal.NewNullDecimal(decimal.RequireFromString("1000"))})
	if err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the resting order", func(evs []exchange.OrderEvent) bool { return hasOrder(evs, resting.ID, trade.StatusOpen) })
	if _, err := px.CancelOrder(ctx, exchange.OrderRef{ID: resting.ID}); err != nil {
		t.Fatal(err)
	}
	rec.waitFor(t, "the cancel", func(evs []exchange.OrderEvent) bool { return hasOrder(evs, resting.ID, trade.StatusCanceled) })
	time.Sleep(100 * time.Millisecond) // more polls: nothing may repeat

	// The market order is not listed open at any poll, so only its fill
	// shows; the resting order's states each once.
	want := []string{
		"fill:" + bought.ID + ":" + fillIDOf(t, px, bought.ID),
		"order:" + resting.ID + ":open",
		"order:" + resting.ID + ":canceled",
	}
	if diff := cmp.Diff(want, rec.summary()); diff != "" {
		t.Errorf("events (-want +got):\n%s\n(the order before the start, %s, must not appear)", diff, old.ID)
	}
}

func fillIDOf(t *testing.T, px *paper.Exchange, orderID string) string {
	t.Helper()
	fills, err := px.Fills(context.Background(), exchange.FillFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fills {
		if f.OrderID == orderID {
			return f.ID
		}
	}
	t.Fatalf("no fill of order %s", orderID)
	return ""
}
