package binance

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/exchangetest"
)

func TestConformance(t *testing.T) {
	exchangetest.Run(t, func(t *testing.T) exchangetest.Harness {
		f := newFixture(t)
		return exchangetest.Harness{
			Exchange:        f.open(t, nil),
			Symbol:          btcusdt,
			InjectRateLimit: f.Srv.RateLimitNext,
			InjectHang:      f.Srv.HangNext,
			Fund:            func(asset string, amount decimal.Decimal) { f.Srv.SetBalance(asset, amount) },
			// Binance answers -2010 "Stop price would trigger immediately",
			// and the fake models it.
			RejectsCrossedStops: true,
		}
	})
}
