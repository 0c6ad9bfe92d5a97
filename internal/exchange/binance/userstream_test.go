package binance

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// userEvents runs StreamOrderEvents and returns its events as they come.
func userEvents(t *testing.T, e *Exchange) <-chan exchange.OrderEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan exchange.OrderEvent, 100)
	done := make(chan error, 1)
	go func() {
		done <- e.StreamOrderEvents(ctx, func(ev exchange.OrderEvent) error { ch <- ev; return nil })
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("StreamOrderEvents after cancel: %v", err)
		}
	})
	return ch
}

func nextEvent(t *testing.T, ch <-chan exchange.OrderEvent) exchange.OrderEvent {
	t.Helper()
	select {
	case ev := <-ch:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return exchange.OrderEvent{}
}

// Execution reports become order and fill events with Binance's ids, so
// REST reconciliation recognises them.
func TestUserStreamEvents(t *testing.T) {
	_, e, ctx := adapter.Start(t)
	ch := userEvents(t, e)
	if ev := nextEvent(t, ch); ev.Kind != exchange.EventConnected {
		t.Fatalf("first event %q, want connected", ev.Kind)
	}

	rest, err := e.PlaceOrder(ctx, restingBuy("rest-1"))
	if err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(t, ch)
	if ev.Kind != exchange.EventOrder || ev.Order.ID != rest.ID || ev.Order.Status != trade.StatusOpen || ev.Order.ClientID != "rest-1" {
		t.Fatalf("after placing: %+v, want order %s open with client id rest-1", ev, rest.ID)
	}
	if _, err := e.CancelOrder(ctx, exchange.OrderRef{ID: rest.ID}); err != nil {
		t.Fatal(err)
	}
	ev = nextEvent(t, ch)
	if ev.Kind != exchange.EventOrder || ev.Order.Status != trade.StatusCanceled || ev.Order.ClientID != "rest-1" {
		t.Fatalf("after the cancel: %+v, want order canceled, still client id rest-1", ev)
	}

	mkt, err := e.PlaceOrder(ctx, trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.001"), ClientID: "mkt-1"})
	if err != nil {
		t.Fatal(err)
	}
	ev = nextEvent(t, ch)
	if ev.Kind != exchange.EventOrder || ev.Order.Status != trade.StatusOpen || !ev.Order.FilledQty.IsZero() {
		t.Fatalf("market order's first report: %+v, want it new and unfilled", ev)
	}
	ev = nextEvent(t, ch)
	if ev.Kind != exchange.EventFill || ev.Order == nil || ev.Order.Status != trade.StatusFilled {
		t.Fatalf("market order's trade: %+v, want a fill carrying the filled order", ev)
	}
	fills, err := e.Fills(ctx, exchange.FillFilter{Symbol: btcusdt})
	if err != nil {
		t.Fatal(err)
	}
	if len(fills) != 1 {
		t.Fatalf("myTrades has %d fills, want 1", len(fills))
	}
	if diff := cmp.Diff(fills[0], *ev.Fill); diff != "" {
		t.Errorf("pushed fill differs from the one myTrades lists (-REST +pushed):\n%s", diff)
	}
	if ev.Fill.OrderID != mkt.ID {
		t.Errorf("fill of order %s, want %s", ev.Fill.OrderID, mkt.ID)
	}
}

// A refused subscription (a key the venue does not know) ends the stream
// with ErrAuth after one connection: reconnecting would only be refused
// again, and no connected event may claim a stream that never was.
func TestUserStreamRefusedSubscription(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.OpenAs(t, venuetest.Creds{Key: "wrong-key", Secret: f.Creds.Secret})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var connected int
	err := e.StreamOrderEvents(ctx, func(ev exchange.OrderEvent) error {
		if ev.Kind == exchange.EventConnected {
			connected++
		}
		return nil
	})
	if !errors.Is(err, exchange.ErrAuth) {
		t.Fatalf("StreamOrderEvents with a refused key: %v, want ErrAuth", err)
	}
	if connected != 0 {
		t.Errorf("%d connected events, want none", connected)
	}
	if n := f.Srv.UserStreams().Connections(); n != 1 {
		t.Errorf("%d connections, want 1: a refused key is not retried", n)
	}
}
