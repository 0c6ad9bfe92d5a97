package exchangetest

import (
	"context"
	"errors"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
)

// eventDeadline bounds how long a pushed order event may take to arrive.
// Liveness, not performance: a fake pushes in milliseconds.
const eventDeadline = 10 * time.Second

// testOrderEventStreamer: the stream says it is connected first, then a
// market order placed on the account shows up as an order event and a
// fill event for that order; canceling ends the stream with ctx's error.
func testOrderEventStreamer(s *suite) {
	st, ok := s.ex.(exchange.OrderEventStreamer)
	if !ok {
		s.t.Skipf("%s does not implement exchange.OrderEventStreamer", s.ex.Name())
	}
	ctx, cancel := context.WithCancel(s.ctx)
	defer cancel()
	events := make(chan exchange.OrderEvent, 64)
	done := make(chan error, 1)
	go func() {
		done <- st.StreamOrderEvents(ctx, func(ev exchange.OrderEvent) error {
			select {
			case events <- ev:
			case <-ctx.Done():
			}
			return nil
		})
	}()
	next := func(what string) exchange.OrderEvent {
		s.t.Helper()
		select {
		case ev := <-events:
			return ev
		case err := <-done:
			s.t.Fatalf("StreamOrderEvents returned %v while waiting for %s", err, what)
		case <-time.After(eventDeadline):
			s.t.Fatalf("no %s within %s", what, eventDeadline)
		}
		panic("unreachable")
	}
	if ev := next("connected event"); ev.Kind != exchange.EventConnected {
		s.t.Fatalf("first event is %q, want %q", ev.Kind, exchange.EventConnected)
	}

	o := s.place(s.marketBuy())
	var sawOrder, sawFill bool
	for !sawOrder || !sawFill {
		ev := next("order and fill events for order " + o.ID)
		switch ev.Kind {
		case exchange.EventOrder:
			if ev.Order == nil {
				s.t.Fatal("order event without an order")
			}
			sawOrder = sawOrder || ev.Order.ID == o.ID
		case exchange.EventFill:
			if ev.Fill == nil {
				s.t.Fatal("fill event without a fill")
			}
			if ev.Fill.OrderID != o.ID {
				continue
			}
			sawFill = true
			if ev.Fill.ID == "" || !ev.Fill.Qty.IsPositive() || !ev.Fill.Price.IsPositive() || ev.Fill.Symbol != s.h.Symbol {
				s.t.Errorf("fill event %+v: want an id, a positive qty and price, symbol %s", *ev.Fill, s.h.Symbol)
			}
			if ev.Order != nil && ev.Order.ID == o.ID {
				sawOrder = true
			}
		}
	}

	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			s.t.Errorf("StreamOrderEvents after cancel returned %v, want context.Canceled", err)
		}
	case <-time.After(promptly):
		s.t.Fatalf("StreamOrderEvents did not return within %s of cancel", promptly)
	}
}
