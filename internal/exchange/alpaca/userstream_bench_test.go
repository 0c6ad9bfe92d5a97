package alpaca

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// BenchmarkFillToEvent measures how long a market order's fill takes to
// arrive as an event on the order stream, against the fake on loopback:
//
//	go test -run '^$' -bench FillToEvent -benchtime 50x ./internal/exchange/alpaca/
func BenchmarkFillToEvent(b *testing.B) {
	f, e, ctx := adapter.Start(b)
	_ = f
	es := venuetest.StartEvents(b, e)
	venuetest.BenchFillLatency(b, es, func() string {
		return venuetest.Place(b, ctx, e, trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("1")}).ID
	})
}
