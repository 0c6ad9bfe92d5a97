package trade

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Instrument holds the trading rules of one symbol on one venue. A zero
// TickSize, StepSize, MaxQty or MinNotional disables that rule.
type Instrument struct {
	Symbol      Symbol          `json:"symbol"`
	BaseAsset   string          `json:"base_asset"`
	QuoteAsset  string          `json:"quote_asset"`
	TickSize    decimal.Decimal `json:"tick_size"`
	StepSize    decimal.Decimal `json:"step_size"`
	MinQty      decimal.Decimal `json:"min_qty"`
	MaxQty      decimal.Decimal `json:"max_qty"`
	MinNotional decimal.Decimal `json:"min_notional"`
	// VenueSymbol is the venue's own name for the symbol ("BTCUSDT", "XXBTZUSD").
	VenueSymbol string `json:"venue_symbol,omitempty"`
	// Status is what the venue lets orders do on the symbol, in one small
	// vocabulary across venues (the Status* constants); "" when unknown.
	Status string `json:"status,omitempty"`
}

// The states an instrument's Status takes. Each venue's own words are
// mapped onto these by its adapter; the README lists the mapping.
const (
	// StatusTrading takes every order type the venue offers.
	StatusTrading = "trading"
	// StatusPostOnly takes only orders that rest on the book (Kraken
	// post_only, Coinbase post-only mode).
	StatusPostOnly = "post_only"
	// StatusLimitOnly takes limit orders but no market orders.
	StatusLimitOnly = "limit_only"
	// StatusReduceOnly takes only orders that shrink a position (Kraken).
	StatusReduceOnly = "reduce_only"
	// StatusCancelOnly takes cancels only: no new orders.
	StatusCancelOnly = "cancel_only"
	// StatusHalted takes no orders at all (Binance HALT/BREAK, a
	// disabled Coinbase product, an Alpaca asset that is not tradable).
	StatusHalted = "halted"
)

// RoundMode says what to do with a price or quantity that is not a
// multiple of the instrument's tick or step.
type RoundMode string

const (
	// RoundReject refuses the order and names the nearest valid values.
	RoundReject RoundMode = "reject"
	// RoundDown rounds toward zero.
	RoundDown RoundMode = "down"
	// RoundNearest rounds half away from zero.
	RoundNearest RoundMode = "nearest"
)

// RoundModes lists every rounding mode.
var RoundModes = []RoundMode{RoundReject, RoundDown, RoundNearest}

// ParseRoundMode parses reject, down or nearest.
func ParseRoundMode(s string) (RoundMode, error) { return parseEnum("rounding mode", s, RoundModes) }

// Conform checks req against the instrument's rules and returns the request
// to send. With RoundReject a violation is a *ValidationError naming the
// nearest valid values; with RoundDown or RoundNearest the price, stop
// price and quantity are rounded first and then checked. refPrice prices
// the min-notional check of orders without a limit price (market, stop);
// a zero refPrice skips that check for them.
func (in Instrument) Conform(req OrderRequest, mode RoundMode, refPrice decimal.Decimal) (OrderRequest, error) {
	if mode == "" {
		mode = RoundReject
	}
	if req.QuoteQty.Valid {
		return req, in.conformQuote(req)
	}
	out := req
	var err error
	if out.Exits, err = in.conformExits(req.Exits, mode); err != nil {
		return req, err
	}
	if out.Price.Valid {
		if out.Price.Decimal, err = in.fit("price", out.Price.Decimal, in.TickSize, mode); err != nil {
			return req, err
		}
	}
	if out.StopPrice.Valid {
		if out.StopPrice.Decimal, err = in.fit("stop_price", out.StopPrice.Decimal, in.TickSize, mode); err != nil {
			return req, err
		}
	}
	if out.TrailAmount.Valid {
		// A trail amount is a price distance: it lives on the tick too.
		if out.TrailAmount.Decimal, err = in.fit("trail_amount", out.TrailAmount.Decimal, in.TickSize, mode); err != nil {
			return req, err
		}
	}
	if out.Qty, err = in.fit("qty", out.Qty, in.StepSize, mode); err != nil {
		return req, err
	}
	for _, p := range []struct {
		field     string
		orig, got decimal.NullDecimal
	}{{"price", req.Price, out.Price}, {"stop_price", req.StopPrice, out.StopPrice}, {"trail_amount", req.TrailAmount, out.TrailAmount}} {
		if p.got.Valid && !p.got.Decimal.IsPositive() {
			return req, invalid(p.field, "%s rounds to %s for %s (tick size %s)", p.orig.Decimal, p.got.Decimal, in.Symbol, in.TickSize)
		}
	}
	if !out.Qty.IsPositive() {
		return req, invalid("qty", "%s rounds to 0 for %s (step size %s, minimum %s)", req.Qty, in.Symbol, in.StepSize, in.minQtyText())
	}
	if in.MinQty.IsPositive() && out.Qty.LessThan(in.MinQty) {
		return req, invalid("qty", "%s is below the minimum %s for %s", out.Qty, in.MinQty, in.Symbol)
	}
	if in.MaxQty.IsPositive() && out.Qty.GreaterThan(in.MaxQty) {
		return req, invalid("qty", "%s is above the maximum %s for %s", out.Qty, in.MaxQty, in.Symbol)
	}
	price := refPrice
	if out.Price.Valid {
		price = out.Price.Decimal
	} else if out.StopPrice.Valid {
		price = out.StopPrice.Decimal
	}
	if in.MinNotional.IsPositive() && price.IsPositive() {
		notional := out.Qty.Mul(price)
		if notional.LessThan(in.MinNotional) {
			return req, invalid("qty", "order value %s %s (%s × %s) is below the minimum %s %s for %s",
				notional.StringFixed(in.quoteDigits()), in.QuoteAsset, out.Qty, price, in.MinNotional, in.QuoteAsset, in.Symbol)
		}
	}
	return out, nil
}

// conformQuote checks a quote-sized order: the amount it spends is its
// value, so only the minimum order value applies. The step, minimum and
// maximum quantity apply to the base quantity the venue works out as it
// fills, which no one knows before.
func (in Instrument) conformQuote(req OrderRequest) error {
	if q := req.QuoteQty.Decimal; in.MinNotional.IsPositive() && q.LessThan(in.MinNotional) {
		return invalid("quote_qty", "order value %s %s is below the minimum %s %s for %s",
			q, in.QuoteAsset, in.MinNotional, in.QuoteAsset, in.Symbol)
	}
	return nil
}

func (in Instrument) minQtyText() string {
	if in.MinQty.IsPositive() {
		return in.MinQty.String()
	}
	return "none"
}

func (in Instrument) quoteDigits() int32 {
	if in.TickSize.IsPositive() {
		if e := -in.TickSize.Exponent(); e > 0 {
			return e
		}
	}
	return 2
}

// fit makes v a multiple of unit according to mode.
func (in Instrument) fit(field string, v, unit decimal.Decimal, mode RoundMode) (decimal.Decimal, error) {
	if !unit.IsPositive() {
		return v, nil
	}
	if v.Mod(unit).IsZero() {
		return v, nil
	}
	lower := FloorTo(v, unit)
	upper := lower.Add(unit)
	switch mode {
	case RoundDown:
		return lower, nil
	case RoundNearest:
		return NearestTo(v, unit), nil
	default:
		what := "tick size"
		if field == "qty" {
			what = "step size"
		}
		return v, &ValidationError{Field: field, OffGrid: true, Message: fmt.Sprintf("%s is not a multiple of the %s %s for %s: nearest valid values are %s and %s",
			v, what, unit, in.Symbol, lower, upper)}
	}
}

// FloorTo rounds v toward zero to a multiple of unit (unit > 0).
func FloorTo(v, unit decimal.Decimal) decimal.Decimal {
	return v.Div(unit).Truncate(0).Mul(unit).Truncate(unitScale(unit, v))
}

// NearestTo rounds v to the nearest multiple of unit, half away from zero.
func NearestTo(v, unit decimal.Decimal) decimal.Decimal {
	return v.DivRound(unit, 16).Round(0).Mul(unit).Truncate(unitScale(unit, v))
}

func unitScale(unit, v decimal.Decimal) int32 {
	s := -unit.Exponent()
	if vs := -v.Exponent(); vs > s {
		s = vs
	}
	if s < 0 {
		return 0
	}
	return s
}

// String describes the rules for messages and tables.
func (in Instrument) String() string {
	return fmt.Sprintf("%s tick=%s step=%s min_qty=%s max_qty=%s min_notional=%s",
		in.Symbol, in.TickSize, in.StepSize, in.MinQty, in.MaxQty, in.MinNotional)
}
