package exchange

import "github.com/tradectl/tradectl/internal/trade"

// TrailUnits are the ways a venue takes a trailing stop's trail.
type TrailUnits struct {
	// Pct: a percentage of the best price (Binance trailingDelta in basis
	// points, Kraken "+N%", Alpaca trail_percent).
	Pct bool
	// Amount: a price distance in the quote asset (Kraken "+N", Alpaca
	// trail_price).
	Amount bool
}

// Trailer is implemented by venues that take trailing stops
// (trade.TrailingStop) natively. TrailUnits says in which units the venue
// takes one on sym's market; none means it takes none there (Alpaca:
// stocks only). A venue without the capability is never sent a trailing
// stop, and tradectl does not emulate one by watching the market and
// placing a market order itself.
type Trailer interface {
	TrailUnits(sym trade.Symbol) TrailUnits
}

// CanTrail reports whether ex takes the trailing stop req natively: on its
// symbol, with its trail in the unit given. Any other order is not its
// business and passes.
func CanTrail(ex Exchange, req trade.OrderRequest) bool {
	if !req.Trailing() {
		return true
	}
	t, ok := ex.(Trailer)
	if !ok {
		return false
	}
	u := t.TrailUnits(req.Symbol)
	return req.TrailPct.Valid && u.Pct || req.TrailAmount.Valid && u.Amount
}
