package exchangetest

import (
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// testQuoteSized checks quote-sized market orders (OrderRequest.QuoteQty)
// on each side: a venue that claims the side (exchange.QuoteSizer) fills
// about the amount — filled qty × average price within one step × price
// of it, and never more than it on a buy; a venue that does not claim the
// side refuses the order with ErrInvalidOrder and places nothing. A side
// may be sized by tradectl (exchange.ClientQuoteSizer) only where the
// venue does not take it natively: the two never overlap.
func testQuoteSized(s *suite) {
	for _, side := range []trade.Side{trade.Buy, trade.Sell} {
		if exchange.CanQuoteSize(s.ex, side) && exchange.CanSizeQuoteClientSide(s.ex, side) {
			s.t.Errorf("%s claims quote-sized %s orders both natively and sized by tradectl", s.ex.Name(), side)
		}
	}
	in := s.instrument()
	q := s.quote()
	amount := decimal.NewFromInt(50)
	if in.MinNotional.IsPositive() {
		amount = decimal.Max(amount, in.MinNotional.Mul(decimal.NewFromInt(2)).Ceil())
	}
	if s.h.Fund != nil {
		s.h.Fund(in.QuoteAsset, amount.Mul(decimal.NewFromInt(100)))
		// Enough base to sell the amount's worth twice over at the bid.
		s.h.Fund(in.BaseAsset, ceilTo(amount.Mul(decimal.NewFromInt(2)).DivRound(q.Bid, 16), in.StepSize))
	}
	for _, side := range []trade.Side{trade.Buy, trade.Sell} {
		req := trade.OrderRequest{Symbol: s.h.Symbol, Side: side, Type: trade.Market,
			QuoteQty: decimal.NewNullDecimal(amount), ClientID: s.clientID()}
		if !exchange.CanQuoteSize(s.ex, side) || s.h.QuoteSizedRefused != "" {
			_, err := s.ex.PlaceOrder(s.ctx, req)
			s.wantKind("PlaceOrder(quote-sized "+string(side)+", not taken here)", err, exchange.ErrInvalidOrder)
			if n := countClientID(s.openOrders(), req.ClientID); n != 0 {
				s.t.Errorf("a refused quote-sized %s left %d open orders", side, n)
			}
			continue
		}
		placed, err := s.ex.PlaceOrder(s.ctx, req)
		if err != nil {
			s.t.Fatalf("PlaceOrder(quote-sized %s of %s %s): %v", side, amount, in.QuoteAsset, err)
		}
		var got trade.Order
		if !s.eventually(func() bool {
			got, err = s.ex.GetOrder(s.ctx, exchange.OrderRef{ID: placed.ID, Symbol: s.h.Symbol})
			return err == nil && got.Status == trade.StatusFilled
		}) {
			s.t.Fatalf("quote-sized %s %s did not fill: last seen %+v (%v)", side, placed.ID, got, err)
		}
		if !got.AvgFillPrice.Valid || !got.FilledQty.IsPositive() {
			s.t.Fatalf("filled quote-sized %s: qty %s at %s, want a positive fill", side, got.FilledQty, priceText(got.AvgFillPrice))
		}
		avg := got.AvgFillPrice.Decimal
		value := got.FilledQty.Mul(avg)
		step := in.StepSize
		if !step.IsPositive() {
			step = decimal.New(1, -8)
		}
		short := amount.Sub(value)
		switch {
		case side == trade.Buy && value.Round(8).GreaterThan(amount):
			s.t.Errorf("quote-sized buy of %s %s filled %s × %s = %s: more than the amount", amount, in.QuoteAsset, got.FilledQty, avg, value)
		case short.Abs().GreaterThan(step.Mul(avg)):
			s.t.Errorf("quote-sized %s of %s %s filled %s × %s = %s: off by %s, more than one step (%s) × price",
				side, amount, in.QuoteAsset, got.FilledQty, avg, value, short, step)
		}
	}
}
