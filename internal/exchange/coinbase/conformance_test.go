package coinbase

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
			Symbol:          btcusd,
			InjectRateLimit: f.Srv.RateLimitNext,
			InjectHang:      f.Srv.HangNext,
			Fund:            func(asset string, amount decimal.Decimal) { f.Srv.SetBalance(asset, amount) },
		}
	})
}
