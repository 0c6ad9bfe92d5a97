package exchange

import (
	"context"
	"time"

	"github.com/tradectl/tradectl/internal/trade"
)

// OrderEventStreamer is implemented by venues that push the account's
// order updates and fills (Binance user data stream, Kraken executions,
// Coinbase user channel, Alpaca trade_updates). StreamOrderEvents calls fn
// for every event until ctx is done, fn returns an error or the stream
// fails for good; it returns ctx.Err() after a cancel, fn's error, or the
// stream's error, and never calls fn after it returns.
//
// A stream can miss what happened while it was down. So every time it
// (re)connects and is subscribed it first delivers an event of kind
// EventConnected: the caller then reconciles over REST (open orders,
// recent fills) before trusting the events that follow, and no fill is
// lost to a reconnect.
type OrderEventStreamer interface {
	StreamOrderEvents(ctx context.Context, fn func(OrderEvent) error) error
}

// OrderEventKind says what an OrderEvent carries.
type OrderEventKind string

const (
	// EventConnected: the stream is (again) connected and subscribed;
	// anything before it may have been missed.
	EventConnected OrderEventKind = "connected"
	// EventOrder: an order changed; Order is the order as it now stands,
	// as far as the venue's message says.
	EventOrder OrderEventKind = "order"
	// EventFill: an execution; Fill is set, and Order too where the
	// venue's message describes the order as well.
	EventFill OrderEventKind = "fill"
)

// OrderEvent is one pushed account event.
type OrderEvent struct {
	Kind  OrderEventKind
	Order *trade.Order
	Fill  *trade.Fill
	// Time is when the venue says the event happened (zero: not said).
	Time time.Time
}
