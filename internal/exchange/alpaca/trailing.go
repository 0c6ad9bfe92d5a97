package alpaca

import (
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// TrailUnits implements exchange.Trailer: Alpaca's trailing_stop takes
// trail_percent or trail_price, on stocks only — "Crypto supports only
// market, limit, stop_limit" (see doc.go). A stock symbol has no quote
// asset in tradectl (AAPL); a crypto pair has one (BTC-USD).
func (e *Exchange) TrailUnits(sym trade.Symbol) exchange.TrailUnits {
	if sym.Quote != "" {
		return exchange.TrailUnits{}
	}
	return exchange.TrailUnits{Pct: true, Amount: true}
}

var _ exchange.Trailer = (*Exchange)(nil)

// readTrail reads a trailing stop's trail_percent or trail_price into o.
// Its stop_price is Alpaca's current trigger, read as for any stop.
func readTrail(o *trade.Order, w orderWire) error {
	var err error
	if o.TrailPct, err = venueorder.OptionalDecimal("trail_percent", w.TrailPercent); err != nil {
		return err
	}
	o.TrailAmount, err = venueorder.OptionalDecimal("trail_price", w.TrailPrice)
	return err
}
