package exchangetest

import (
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// testAmend checks exchange.Amender on a resting limit buy: lowering its
// quantity and then its price changes the order as asked, under the same id
// or, when the plan says the venue replaces it, under a new id that names
// the old one, which stops working; amending an order that is no longer
// working is refused with ErrInvalidOrder, as a cancel of it would be.
func testAmend(s *suite) {
	am, ok := s.ex.(exchange.Amender)
	if !ok {
		s.t.Skip("not an exchange.Amender")
	}
	in := s.instrument()
	req := s.restingBuy()
	req.Qty = req.Qty.Mul(decimal.NewFromInt(3))
	if s.h.Fund != nil {
		s.h.Fund(in.QuoteAsset, req.Qty.Mul(req.Price.Decimal).Mul(decimal.NewFromInt(10)))
	}
	o := s.place(req)

	steps := []struct {
		name string
		a    trade.AmendRequest
		want func(trade.Order) bool
	}{
		{"qty down", trade.AmendRequest{Qty: decimal.NewNullDecimal(req.Qty.Sub(minQty(in, req.Price.Decimal)))},
			func(got trade.Order) bool { return got.Qty.Equal(req.Qty.Sub(minQty(in, req.Price.Decimal))) }},
		{"price down", trade.AmendRequest{Price: decimal.NewNullDecimal(req.Price.Decimal.Sub(in.TickSize))},
			func(got trade.Order) bool {
				return got.Price.Valid && got.Price.Decimal.Equal(req.Price.Decimal.Sub(in.TickSize))
			}},
	}
	for _, st := range steps {
		plan, err := am.PlanAmend(o, st.a)
		if err != nil {
			s.t.Logf("%s: the venue does not amend it: %v", st.name, err)
			s.wantKind("PlanAmend("+st.name+")", err, exchange.ErrInvalidOrder)
			continue
		}
		res, err := am.AmendOrder(s.ctx, o, st.a, s.clientID())
		if err != nil {
			s.t.Fatalf("AmendOrder(%s, %s): %v", o.ID, st.name, err)
		}
		got := res.Order
		if !st.want(got) || !got.Status.Working() {
			s.t.Errorf("AmendOrder(%s, %s) = qty %s price %s status %s, not as asked", o.ID, st.name, got.Qty, priceText(got.Price), got.Status)
		}
		switch {
		case plan.NewID && (got.ID == o.ID || res.ReplacedID != o.ID):
			s.t.Errorf("AmendOrder(%s, %s): plan says a new id, got id %s replacing %q", o.ID, st.name, got.ID, res.ReplacedID)
		case !plan.NewID && (got.ID != o.ID || res.ReplacedID != ""):
			s.t.Errorf("AmendOrder(%s, %s): plan keeps the id, got id %s replacing %q", o.ID, st.name, got.ID, res.ReplacedID)
		}
		if plan.NewID {
			old, err := s.ex.GetOrder(s.ctx, exchange.OrderRef{ID: o.ID, Symbol: o.Symbol})
			if err == nil && old.Status.Working() {
				s.t.Errorf("after replacing %s by %s the old order is still %s", o.ID, got.ID, old.Status)
			}
		}
		seen, err := s.ex.GetOrder(s.ctx, exchange.OrderRef{ID: got.ID, Symbol: got.Symbol})
		if err != nil || !st.want(seen) {
			s.t.Errorf("GetOrder(%s) after %s = qty %s price %s (%v), not as amended", got.ID, st.name, seen.Qty, priceText(seen.Price), err)
		}
		o = got
	}

	if _, err := s.ex.CancelOrder(s.ctx, exchange.OrderRef{ID: o.ID, Symbol: o.Symbol}); err != nil {
		s.t.Fatalf("CancelOrder(%s): %v", o.ID, err)
	}
	// o is the order as last seen working: the venue, not the local check,
	// must refuse it now.
	_, err := am.AmendOrder(s.ctx, o, trade.AmendRequest{Qty: decimal.NewNullDecimal(o.Qty.Add(in.StepSize))}, s.clientID())
	s.wantKind("AmendOrder(canceled "+o.ID+")", err, exchange.ErrInvalidOrder)
}
