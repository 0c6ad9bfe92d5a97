package alpaca

import (
	"slices"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange/alpaca/fakealpaca"
	"github.com/tradectl/tradectl/internal/exchange/exchangetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestConformance runs the suite once on a crypto pair and once on a
// stock, the two halves of Alpaca that map differently (pairs with venue
// increments; tickers with cent ticks and whole or fractional shares).
func TestConformance(t *testing.T) {
	for _, tc := range []struct {
		name   string
		symbol trade.Symbol
		opts   []fakealpaca.Option
		// quoteSizedRefused: see exchangetest.Harness.QuoteSizedRefused.
		quoteSizedRefused string
	}{
		// Crypto first in the asset list, so the suite's per-symbol
		// cancel-all check picks ETH-USD as the other symbol rather than a
		// fractional stock it cannot rest a gtc order on.
		{name: "crypto", symbol: btcusd, opts: []fakealpaca.Option{fakealpaca.WithAssets(cryptoFirst(fakealpaca.DefaultAssets())...)},
			quoteSizedRefused: "notional orders are market day orders, and crypto orders are never day"},
		// The suite's resting orders are gtc, which Alpaca refuses for
		// fractional quantities, so the stock run uses whole shares.
		{name: "stock", symbol: aapl, opts: []fakealpaca.Option{fakealpaca.WithAssets(
			fakealpaca.AssetSpec{Symbol: "AAPL", Class: "us_equity", Exchange: "NASDAQ", Tradable: true, Bid: "189.98", Ask: "190.02", Last: "190"},
			fakealpaca.AssetSpec{Symbol: "MSFT", Class: "us_equity", Exchange: "NASDAQ", Tradable: true, Bid: "414.9", Ask: "415.1", Last: "415"},
		)}, quoteSizedRefused: "AAPL is whole shares only here, and a notional order needs fractional shares (TestNotionalOrders covers the fill)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exchangetest.Run(t, func(t *testing.T) exchangetest.Harness {
				f := newFixture(t, tc.opts...)
				return exchangetest.Harness{
					Exchange:          f.open(t, nil),
					Symbol:            tc.symbol,
					InjectRateLimit:   f.srv.RateLimitNext,
					InjectHang:        f.srv.HangNext,
					Fund:              func(asset string, amount decimal.Decimal) { f.srv.SetBalance(asset, amount) },
					QuoteSizedRefused: tc.quoteSizedRefused,
				}
			})
		})
	}
}

func cryptoFirst(specs []fakealpaca.AssetSpec) []fakealpaca.AssetSpec {
	slices.SortStableFunc(specs, func(a, b fakealpaca.AssetSpec) int {
		switch {
		case a.Class == b.Class:
			return 0
		case a.Class == classCrypto:
			return -1
		}
		return 1
	})
	return specs
}
