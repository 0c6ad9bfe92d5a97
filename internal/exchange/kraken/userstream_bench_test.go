package kraken

import (
	"testing"

	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// BenchmarkFillToEvent measures how long a market order's fill takes to
// arrive as an event on the order stream, against the fake on loopback:
//
//	go test -run '^$' -bench FillToEvent -benchtime 50x ./internal/exchange/kraken/
func BenchmarkFillToEvent(b *testing.B) {
	f := adapter.Fixture(b)
	// The REST call counter (limiter_test.go) would pace the placements
	// and read-backs; what is measured here is the stream.
	e := f.Open(b, nil, func(e *Exchange) { e.limiter.max = 1e9 })
	ctx := venuetest.Context(b)
	es := venuetest.StartEvents(b, e)
	venuetest.BenchFillLatency(b, es, func() string {
		return venuetest.Place(b, ctx, e, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.001")}).ID
	})
}
