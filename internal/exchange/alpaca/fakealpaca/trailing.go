package fakealpaca

import "github.com/shopspring/decimal"

// trail is a trailing stop's trail_percent or trail_price and its hwm
// (order-v2.yaml): the best price since placement, here the touch at
// placement, since the fake rests trailing stops without following them.
type trail struct {
	pct, price, hwm decimal.NullDecimal
}

// parseTrail reads trail_percent and trail_price: exactly one, and only
// on a trailing_stop order ("trail_price / trail_percent: for
// trailing_stop", Alpaca Trading API, POST /v2/orders).
func (o *order) parseTrail(b newOrderBody) *apiError {
	var e *apiError
	if o.trail.pct, e = numberField("trail_percent", b.TrailPercent); e != nil {
		return e
	}
	if o.trail.price, e = numberField("trail_price", b.TrailPrice); e != nil {
		return e
	}
	given := o.trail.pct.Valid || o.trail.price.Valid
	switch {
	case o.typ != "trailing_stop" && given:
		return unprocessable("trail_percent and trail_price are only for trailing_stop orders")
	case o.typ != "trailing_stop":
		return nil
	case o.trail.pct.Valid == o.trail.price.Valid:
		return unprocessable("exactly one of trail_percent or trail_price is required for trailing_stop orders")
	case o.trail.pct.Valid && !o.trail.pct.Decimal.IsPositive(), o.trail.price.Valid && !o.trail.price.Decimal.IsPositive():
		return unprocessable("trail must be > 0")
	}
	touch := o.asset.bid
	if o.side == "buy" {
		touch = o.asset.ask
	}
	o.trail.hwm = decimal.NewNullDecimal(touch)
	return nil
}
