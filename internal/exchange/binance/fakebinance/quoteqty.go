package fakebinance

import (
	"github.com/shopspring/decimal"
)

// parseSize reads quantity, or quoteOrderQty on a MARKET order: "MARKET
// needs quantity or quoteOrderQty" (Binance Spot API, New order). Both at
// once, or quoteOrderQty on another type, is refused as Binance refuses a
// parameter sent when not required.
func (o *order) parseSize(p params) *apiError {
	quote, hasQuote, e := decParam(p, "quoteOrderQty", false)
	if e != nil {
		return e
	}
	if !hasQuote {
		o.qty, _, e = decParam(p, "quantity", true)
		return e
	}
	if o.typ != "MARKET" || p.get("quantity") != "" {
		return notRequired("quoteOrderQty")
	}
	if !quote.IsPositive() {
		return errBody(400, -1013, "Invalid quoteOrderQty.")
	}
	o.quoteQty = quote
	return nil
}

// baseForQuote is the quantity a quote-sized order fills at the touch of
// the one-level book, rounded down to the market step: it never spends (or
// asks for) more than quoteOrderQty. LOT_SIZE and NOTIONAL then judge it
// like any quantity.
func (o *order) baseForQuote() decimal.Decimal {
	sym := o.sym
	touch := sym.ask
	if o.side == "SELL" {
		touch = sym.bid
	}
	if !touch.IsPositive() {
		return decimal.Zero
	}
	step := sym.step
	if sym.mktStep.IsPositive() {
		step = sym.mktStep
	}
	qty := o.quoteQty.DivRound(touch, 16)
	if !step.IsPositive() {
		return qty.RoundFloor(8)
	}
	return qty.Div(step).Floor().Mul(step)
}
