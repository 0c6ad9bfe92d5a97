package paper

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper/sim"
	"github.com/tradectl/tradectl/internal/trade"
)

// QuoteSized implements exchange.QuoteSizer: the paper exchange takes
// quote-sized market orders on both sides, as Binance does.
func (e *Exchange) QuoteSized(trade.Side) bool { return true }

var _ exchange.QuoteSizer = (*Exchange)(nil)

// baseForQuote turns a quote-sized market order into the base quantity
// its quote amount buys (or sells for) against the book now: level by
// level from the touch, rounded down to the step, so the order never
// spends or asks for more than the amount. The fee comes on top as for
// any market order. The result must still clear the instrument's rules
// (minimum quantity and value) at that quantity, as a venue checks them;
// an amount too small for one step is refused.
func baseForQuote(req trade.OrderRequest, in trade.Instrument, book sim.Book, ref decimal.Decimal) (trade.OrderRequest, error) {
	levels := book.Asks
	if req.Side == trade.Sell {
		levels = book.Bids
	}
	left := req.QuoteQty.Decimal
	qty := decimal.Zero
	for _, lv := range levels {
		if !left.IsPositive() || !lv.Price.IsPositive() {
			break
		}
		take := decimal.Min(lv.Qty, left.DivRound(lv.Price, 16))
		qty = qty.Add(take)
		left = left.Sub(take.Mul(lv.Price))
	}
	if in.StepSize.IsPositive() {
		qty = trade.FloorTo(qty, in.StepSize)
	} else {
		qty = qty.RoundFloor(8)
	}
	if !qty.IsPositive() {
		return req, &exchange.Error{Kind: exchange.ErrInvalidOrder, Venue: Name,
			Message: fmt.Sprintf("quote_qty: %s %s is worth less than one step (%s) of %s at the book now",
				req.QuoteQty.Decimal, in.QuoteAsset, in.StepSize, in.Symbol)}
	}
	sized := req
	sized.Qty, sized.QuoteQty = qty, decimal.NullDecimal{}
	if _, err := in.Conform(sized, trade.RoundReject, ref); err != nil {
		return req, invalidOrder(err)
	}
	return sized, nil
}
