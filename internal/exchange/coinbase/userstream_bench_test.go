package coinbase

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// BenchmarkFillToEvent measures how long a market order's fill takes to
// arrive as an event on the order stream, against the fake on loopback:
//
//	go test -run '^$' -bench FillToEvent -benchtime 50x ./internal/exchange/coinbase/
func BenchmarkFillToEvent(b *testing.B) {
	f := adapter.Fixture(b)
	e := f.Open(b, nil, fastBuckets)
	ctx := venuetest.Context(b)
	es := venuetest.StartEvents(b, e)
	venuetest.BenchFillLatency(b, es, func() string {
		return venuetest.Place(b, ctx, e, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.001")}).ID
	})
}
