package fakecoinbase

import (
	"github.com/shopspring/decimal"
)

// marketSize refuses a market_market_ioc that does not carry exactly one
// of base_size and quote_size: `{"market_market_ioc":{"quote_size":"10"}}`
// or `{"market_market_ioc":{"base_size":"0.001"}}` (Coinbase Advanced
// Trade SDK, orders.py).
func marketSize(kind string, f configFields) *response {
	if kind != "market_market_ioc" || (f.BaseSize == nil) != (f.QuoteSize == nil) {
		return nil
	}
	r := invalidArgument(kind + " needs exactly one of base_size and quote_size")
	return &r
}

// baseForQuote is what quote buys at the touch of the one-level book,
// rounded down to the base increment so it never spends more than quote;
// the product's size rules then judge it like any base size.
func baseForQuote(quote, touch, baseInc decimal.Decimal) decimal.Decimal {
	if !touch.IsPositive() {
		return decimal.Zero
	}
	size := quote.DivRound(touch, 16)
	if !baseInc.IsPositive() {
		return size.RoundFloor(8)
	}
	return size.Div(baseInc).Floor().Mul(baseInc)
}
