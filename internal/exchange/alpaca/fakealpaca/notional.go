package fakealpaca

import (
	"github.com/shopspring/decimal"
)

// sizeNotional checks a notional order as Alpaca documents it ("Dollar
// amount; not combinable with qty; market + day only") and works out the
// quantity the amount buys or sells at the touch, truncated to Alpaca's
// nine decimals so it never exceeds the amount.
func (o *order) sizeNotional(qty decimal.NullDecimal) (decimal.NullDecimal, *apiError) {
	switch {
	case qty.Valid:
		return qty, unprocessable("qty and notional cannot both be given")
	case o.typ != "market" || o.tif != "day":
		return qty, unprocessable("notional orders must be DAY market orders")
	case !o.notional.Decimal.IsPositive():
		return qty, unprocessable("notional must be > 0")
	}
	touch := o.asset.ask
	if o.side == "sell" {
		touch = o.asset.bid
	}
	if !touch.IsPositive() {
		return qty, unprocessable("no quote to size the notional order at")
	}
	return decimal.NewNullDecimal(o.notional.Decimal.DivRound(touch, 16).Truncate(9)), nil
}

// qtyWire is the order's qty as Alpaca shows it: null for a notional order,
// whose quantity is known only by what fills.
func (o *order) qtyWire() any {
	if o.notional.Valid {
		return nil
	}
	return o.qty.String()
}
