package trade

import "github.com/shopspring/decimal"

// TrailingStop is a stop order whose trigger follows the market: for a
// sell, the trail below the highest bid since the order was placed; for a
// buy, the trail above the lowest ask. When the market comes back by the
// trail the order becomes a market order.
const TrailingStop OrderType = "trailing-stop"

// maxTrailPct is the widest percentage trail the domain accepts: a trail of
// 100% or more would put a sell's trigger at or below zero. Venues narrow
// this further (Binance: 0.1%–20%).
var maxTrailPct = decimal.NewFromInt(100)

// Trailing reports whether the request is a trailing stop.
func (r OrderRequest) Trailing() bool { return r.Type == TrailingStop }

// validateTrail checks the trail of a trailing stop, and that no other
// order type carries one. A trailing stop has exactly one of TrailPct and
// TrailAmount and no stop price: its trigger is worked out from the market
// as the order rests, never given. (Price, quote size and post-only are
// refused by ValidateUnsized as for any order that takes none.)
func (r OrderRequest) validateTrail() error {
	if r.Type != TrailingStop {
		switch {
		case r.TrailPct.Valid:
			return invalid("trail_pct", "is only allowed on a trailing-stop order, got a %s order", r.Type)
		case r.TrailAmount.Valid:
			return invalid("trail_amount", "is only allowed on a trailing-stop order, got a %s order", r.Type)
		}
		return nil
	}
	switch {
	case r.TrailPct.Valid && r.TrailAmount.Valid:
		return invalid("trail_pct", "cannot be combined with trail_amount: give the trail one way")
	case !r.TrailPct.Valid && !r.TrailAmount.Valid:
		return invalid("trail_pct", "or trail_amount is required for a trailing-stop order")
	case r.TrailPct.Valid && !r.TrailPct.Decimal.IsPositive():
		return invalid("trail_pct", "must be greater than 0, got %s", r.TrailPct.Decimal)
	case r.TrailPct.Valid && !r.TrailPct.Decimal.LessThan(maxTrailPct):
		return invalid("trail_pct", "must be less than 100, got %s", r.TrailPct.Decimal)
	case r.TrailAmount.Valid && !r.TrailAmount.Decimal.IsPositive():
		return invalid("trail_amount", "must be greater than 0, got %s", r.TrailAmount.Decimal)
	case r.StopPrice.Valid:
		return invalid("stop_price", "is not allowed for a trailing-stop order: the trail sets the trigger")
	case r.TimeInForce == IOC || r.TimeInForce == FOK:
		return invalid("time_in_force", "%s is not allowed for a trailing-stop order: it rests until triggered", r.TimeInForce)
	}
	return nil
}

// TrailStop is the trigger of a trailing stop whose best price so far is
// extreme: extreme minus the trail for a sell, plus it for a buy. A
// percentage trail is a share of extreme. The result is not rounded; a
// caller that needs it on a tick rounds it (down for a sell, up for a buy,
// so the stop never sits closer to the market than the trail).
func TrailStop(side Side, extreme decimal.Decimal, pct, amount decimal.NullDecimal) decimal.Decimal {
	dist := amount.Decimal
	if pct.Valid {
		dist = extreme.Mul(pct.Decimal).Div(decimal.NewFromInt(100))
	}
	if side == Sell {
		return extreme.Sub(dist)
	}
	return extreme.Add(dist)
}

// TrailText is the trail as people write it: "1.5%" or an amount such as
// "250"; empty for an order without a trail.
func (r OrderRequest) TrailText() string {
	switch {
	case r.TrailPct.Valid:
		return r.TrailPct.Decimal.String() + "%"
	case r.TrailAmount.Valid:
		return r.TrailAmount.Decimal.String()
	}
	return ""
}

// SameTrail reports whether two requests trail the same way (or neither
// trails).
func (r OrderRequest) SameTrail(o OrderRequest) bool {
	same := func(a, b decimal.NullDecimal) bool {
		return a.Valid == b.Valid && (!a.Valid || a.Decimal.Equal(b.Decimal))
	}
	return same(r.TrailPct, o.TrailPct) && same(r.TrailAmount, o.TrailAmount)
}

// TrailText is the order's trail as OrderRequest.TrailText writes it.
func (o Order) TrailText() string {
	return OrderRequest{TrailPct: o.TrailPct, TrailAmount: o.TrailAmount}.TrailText()
}
