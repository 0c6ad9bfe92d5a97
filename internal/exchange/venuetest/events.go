package venuetest

import (
	"context"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
)

// EventStream runs an order-event stream in the background for a test
// and hands its events over one by one.
type EventStream struct {
	events chan exchange.OrderEvent
	done   chan error
	cancel context.CancelFunc
	err    error
	ended  bool
}

// StartEvents starts s.StreamOrderEvents; the stream stops when the test
// ends, or earlier with Stop.
func StartEvents(t testing.TB, s exchange.OrderEventStreamer) *EventStream {
	ctx, cancel := context.WithCancel(context.Background())
	es := &EventStream{events: make(chan exchange.OrderEvent, 1024), done: make(chan error, 1), cancel: cancel}
	go func() {
		es.done <- s.StreamOrderEvents(ctx, func(ev exchange.OrderEvent) error {
			select {
			case es.events <- ev:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	t.Cleanup(func() { es.Stop() })
	return es
}

// Await returns the next event for which match is true, skipping others;
// the test fails if none comes within d or the stream ends first.
func (es *EventStream) Await(t testing.TB, d time.Duration, what string, match func(exchange.OrderEvent) bool) exchange.OrderEvent {
	t.Helper()
	timeout := time.After(d)
	for {
		select {
		case ev := <-es.events:
			if match(ev) {
				return ev
			}
		case err := <-es.done:
			es.ended, es.err = true, err
			t.Fatalf("waiting for %s: the stream ended: %v", what, err)
		case <-timeout:
			t.Fatalf("waiting for %s: nothing within %s", what, d)
		}
	}
}

// Err waits up to d for the stream to end by itself and returns its
// error; the test fails if it is still running.
func (es *EventStream) Err(t testing.TB, d time.Duration) error {
	t.Helper()
	if es.ended {
		return es.err
	}
	select {
	case err := <-es.done:
		es.ended, es.err = true, err
		return err
	case <-time.After(d):
		t.Fatalf("the stream still runs after %s", d)
		return nil
	}
}

// Stop cancels the stream and returns its error.
func (es *EventStream) Stop() error {
	es.cancel()
	if !es.ended {
		es.ended, es.err = true, <-es.done
	}
	return es.err
}

// IsKind matches events of kind k.
func IsKind(k exchange.OrderEventKind) func(exchange.OrderEvent) bool {
	return func(ev exchange.OrderEvent) bool { return ev.Kind == k }
}

// BenchFillLatency places an order with place b.N times and reports how
// long its fill took, from PlaceOrder's answer to the fill event, as
// ms/fill (mean) and max-ms: the venue's push, the stream and the
// decoder together.
func BenchFillLatency(b *testing.B, es *EventStream, place func() (orderID string)) {
	b.Helper()
	es.Await(b, 5*time.Second, "connected", IsKind(exchange.EventConnected))
	var total, worst time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := place()
		start := time.Now()
		es.Await(b, 5*time.Second, "the fill", func(ev exchange.OrderEvent) bool {
			return ev.Kind == exchange.EventFill && ev.Fill.OrderID == id
		})
		d := time.Since(start)
		total += d
		worst = max(worst, d)
	}
	b.StopTimer()
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms/fill")
	b.ReportMetric(float64(worst.Microseconds())/1000, "max-ms")
}
