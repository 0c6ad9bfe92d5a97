package binance

import (
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venueorder"
	"github.com/tradectl/tradectl/internal/trade"
)

// TrailUnits implements exchange.Trailer: Binance takes a trailing stop's
// trail as trailingDelta, in basis points of the price, on every spot
// symbol — a percentage, never an amount (see doc.go).
func (e *Exchange) TrailUnits(trade.Symbol) exchange.TrailUnits {
	return exchange.TrailUnits{Pct: true}
}

var _ exchange.Trailer = (*Exchange)(nil)

// The TRAILING_DELTA filter's usual bounds, in BIPS (0.1%–20%). Symbols
// may set narrower ones; the venue refuses those with a filter failure.
const (
	minTrailingDelta = 10
	maxTrailingDelta = 2000
)

var bipsPerPct = decimal.NewFromInt(100)

// trailingDelta is req's trail in BIPS: a whole number of basis points
// within the TRAILING_DELTA bounds, or an ErrInvalidOrder saying why not.
func trailingDelta(req trade.OrderRequest) (int64, error) {
	bips := req.TrailPct.Decimal.Mul(bipsPerPct)
	switch {
	case !req.TrailPct.Valid:
		return 0, venueorder.Refusef(venueName, "binance takes a trailing stop's trail as a percentage only: give trail_pct")
	case !bips.IsInteger():
		return 0, venueorder.Refusef(venueName, "trail_pct %s is not a whole number of basis points (0.01%%): binance's trailingDelta is in BIPS", req.TrailPct.Decimal)
	case bips.LessThan(decimal.NewFromInt(minTrailingDelta)) || bips.GreaterThan(decimal.NewFromInt(maxTrailingDelta)):
		return 0, venueorder.Refusef(venueName, "trail_pct %s is outside binance's trailingDelta range %s%%–%s%%", req.TrailPct.Decimal,
			trailPct(minTrailingDelta).Decimal, trailPct(maxTrailingDelta).Decimal)
	}
	return bips.IntPart(), nil
}

// trailPct reads a trailingDelta back as a percentage.
func trailPct(bips int64) decimal.NullDecimal {
	return decimal.NewNullDecimal(decimal.NewFromInt(bips).Div(bipsPerPct))
}
