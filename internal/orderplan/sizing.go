package orderplan

import (
	"context"
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// sizeFromBalance works out the quantity of an order sized as a share of
// a free balance, with one balance request: a sell spends share of the
// free base asset, a buy share of the free quote asset at the order's
// price (its limit or stop price, else the ask of q). The quantity is
// rounded down to the step, never up: the order must not ask for more
// than the balance holds. A quantity that rounds to 0 is refused here;
// the minimum quantity and value are the instrument's rules, checked next.
func sizeFromBalance(ctx context.Context, ex exchange.Exchange, in trade.Instrument, req trade.OrderRequest,
	share decimal.Decimal, q trade.Quote) (Sizing, error) {
	sz := Sizing{Share: share, Asset: in.BaseAsset}
	if req.Side == trade.Buy {
		sz.Asset = in.QuoteAsset
		switch {
		case req.Price.Valid:
			sz.Price = req.Price.Decimal
		case req.StopPrice.Valid:
			sz.Price = req.StopPrice.Decimal
		case q.Ask.IsPositive():
			sz.Price = q.Ask
		default:
			sz.Price = q.Last
		}
		if !sz.Price.IsPositive() {
			return sz, fmt.Errorf("no price for %s to size a buy of %s of the %s balance", req.Symbol, trade.ShareText(share), sz.Asset)
		}
	}
	if sz.Asset == "" {
		return sz, fmt.Errorf("%s has no asset to size a %s from", req.Symbol, req.Side)
	}
	bals, err := ex.Balances(ctx)
	if err != nil {
		return sz, fmt.Errorf("balances to size the order: %w", err)
	}
	for _, b := range bals {
		if b.Asset == sz.Asset {
			sz.Free = b.Free
			break
		}
	}
	amount := sz.Free.Mul(share)
	if req.Side == trade.Buy {
		amount = amount.DivRound(sz.Price, 16)
	}
	sz.Qty = floorToStep(amount, in.StepSize)
	if !sz.Qty.IsPositive() {
		what := fmt.Sprintf("%s of the free %s balance %s sells", trade.ShareText(share), sz.Asset, sz.Free)
		if req.Side == trade.Buy {
			what = fmt.Sprintf("%s of the free %s balance %s buys, at %s,", trade.ShareText(share), sz.Asset, sz.Free, sz.Price)
		}
		return sz, &RulesError{Err: &trade.ValidationError{Field: "qty",
			Message: fmt.Sprintf("%s %s %s, which rounds down to 0 (step size %s)",
				what, amount.Round(12), in.BaseAsset, in.StepSize)}}
	}
	return sz, nil
}

// QuoteSizing is how a quote amount became a base quantity on a venue
// that takes no quote-sized order: QuoteQty of Asset divided by Price
// (the ask for a buy, the bid for a sell), rounded down to the step.
type QuoteSizing struct {
	QuoteQty decimal.Decimal `json:"quote_qty"`
	Asset    string          `json:"asset"`
	// PriceSide is "ask" (a buy) or "bid" (a sell): which side of the
	// quote Price is.
	PriceSide string          `json:"price_side"`
	Price     decimal.Decimal `json:"price"`
	Qty       decimal.Decimal `json:"qty"`
}

// Note says what tradectl did, in one line for the confirmation and the
// command's stderr.
func (z QuoteSizing) Note(venue string, base string) string {
	side := trade.Buy
	if z.PriceSide == "bid" {
		side = trade.Sell
	}
	return fmt.Sprintf("%s takes no quote-sized %s orders: tradectl sized %s %s as %s %s at the %s %s, rounded down to the step; what it fills at moves with the market",
		venue, side, z.QuoteQty, z.Asset, z.Qty, base, z.PriceSide, z.Price)
}

// sizeFromQuote works out the base quantity of a quote-sized market order
// from the quote q: the amount divided by the ask for a buy (what it would
// cost now) or the bid for a sell (what it would fetch now), rounded down
// to the step so a buy never asks for more than the amount buys at that
// price. A missing side of the book, or a quantity that rounds to 0, is
// refused with nothing sent.
func sizeFromQuote(venue string, in trade.Instrument, req trade.OrderRequest, q trade.Quote) (QuoteSizing, error) {
	z := QuoteSizing{QuoteQty: req.QuoteQty.Decimal, Asset: in.QuoteAsset, PriceSide: "ask", Price: q.Ask}
	if req.Side == trade.Sell {
		z.PriceSide, z.Price = "bid", q.Bid
	}
	if z.Asset == "" {
		z.Asset = req.Symbol.Quote
	}
	if !z.Price.IsPositive() {
		return z, fmt.Errorf("%s takes no quote-sized %s orders and %s has no %s to size one from; size it in %s instead",
			venue, req.Side, req.Symbol, z.PriceSide, in.BaseAsset)
	}
	amount := z.QuoteQty.DivRound(z.Price, 16)
	z.Qty = floorToStep(amount, in.StepSize)
	if !z.Qty.IsPositive() {
		return z, &RulesError{Err: &trade.ValidationError{Field: "quote_qty",
			Message: fmt.Sprintf("%s %s at %s is %s %s, which rounds down to 0 (step size %s)",
				z.QuoteQty, z.Asset, z.Price, amount.Round(12), in.BaseAsset, in.StepSize)}}
	}
	return z, nil
}

// floorToStep rounds v down to the step; without a step, to 8 places.
func floorToStep(v, step decimal.Decimal) decimal.Decimal {
	if !step.IsPositive() {
		return v.RoundFloor(8)
	}
	return trade.FloorTo(v, step)
}
