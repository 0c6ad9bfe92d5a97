package exchangetest

import (
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// testTrailingStop checks trailing stops (trade.TrailingStop) in each unit
// of trail. A venue that claims the unit on Symbol (exchange.Trailer)
// rests a buy trailing stop (its stop starts a trail above the ask, so it
// does not trigger at once), reports it as a trailing stop with the same
// trail from GetOrder and ListOrders, and cancels it cleanly. A venue that
// does not claim the unit refuses the order with ErrInvalidOrder and
// places nothing.
func testTrailingStop(s *suite) {
	in := s.instrument()
	q := s.quote()
	var units exchange.TrailUnits
	if t, ok := s.ex.(exchange.Trailer); ok {
		units = t.TrailUnits(s.h.Symbol)
	}
	// 1% either way: inside every venue's bounds (Binance takes 0.1%–20%).
	amount := floorTo(q.Ask.Div(decimal.NewFromInt(100)), in.TickSize)
	trails := []struct {
		unit    string
		claimed bool
		set     func(*trade.OrderRequest)
	}{
		{"pct", units.Pct, func(r *trade.OrderRequest) { r.TrailPct = decimal.NewNullDecimal(decimal.NewFromInt(1)) }},
		{"amount", units.Amount, func(r *trade.OrderRequest) { r.TrailAmount = decimal.NewNullDecimal(amount) }},
	}
	if s.h.Fund != nil {
		s.h.Fund(in.QuoteAsset, minQty(in, q.Ask).Mul(q.Ask).Mul(decimal.NewFromInt(10)))
	}
	for _, tr := range trails {
		req := trade.OrderRequest{Symbol: s.h.Symbol, Side: trade.Buy, Type: trade.TrailingStop, TimeInForce: trade.GTC,
			Qty: minQty(in, q.Ask.Mul(decimal.RequireFromString("1.02"))), ClientID: s.clientID()}
		tr.set(&req)
		if !tr.claimed {
			_, err := s.ex.PlaceOrder(s.ctx, req)
			s.wantKind("PlaceOrder(trailing stop by "+tr.unit+", not taken here)", err, exchange.ErrInvalidOrder)
			if n := countClientID(s.openOrders(), req.ClientID); n != 0 {
				s.t.Errorf("a refused trailing stop by %s left %d open orders", tr.unit, n)
			}
			continue
		}
		o := s.place(req)
		got, err := s.ex.GetOrder(s.ctx, exchange.OrderRef{ID: o.ID, Symbol: s.h.Symbol})
		if err != nil {
			s.t.Fatalf("GetOrder(trailing stop %s): %v", o.ID, err)
		}
		s.checkTrail("GetOrder", got, req)
		listed, ok := findID(s.openOrders(), o.ID)
		if !ok {
			s.t.Errorf("ListOrders(open) does not list trailing stop %s", o.ID)
		} else {
			s.checkTrail("ListOrders", listed, req)
		}
		canceled, err := s.ex.CancelOrder(s.ctx, exchange.OrderRef{ID: o.ID, Symbol: s.h.Symbol})
		if err != nil {
			s.t.Fatalf("CancelOrder(trailing stop %s): %v", o.ID, err)
		}
		if canceled.Status != trade.StatusCanceled {
			s.t.Errorf("CancelOrder(trailing stop %s): status %s, want %s", o.ID, canceled.Status, trade.StatusCanceled)
		}
		if n := countClientID(s.openOrders(), req.ClientID); n != 0 {
			s.t.Errorf("a canceled trailing stop by %s is still listed open", tr.unit)
		}
	}
}

// checkTrail checks that o is req resting: open, a trailing stop, with the
// same trail.
func (s *suite) checkTrail(call string, o trade.Order, req trade.OrderRequest) {
	s.t.Helper()
	same := func(a, b decimal.NullDecimal) bool {
		return a.Valid == b.Valid && (!a.Valid || a.Decimal.Equal(b.Decimal))
	}
	switch {
	case o.Status != trade.StatusOpen:
		s.t.Errorf("%s: trailing stop %s is %s, want it resting (%s)", call, o.ID, o.Status, trade.StatusOpen)
	case o.Type != trade.TrailingStop:
		s.t.Errorf("%s: order %s has type %s, want %s", call, o.ID, o.Type, trade.TrailingStop)
	case !same(o.TrailPct, req.TrailPct) || !same(o.TrailAmount, req.TrailAmount):
		s.t.Errorf("%s: order %s trails by pct %s amount %s, want pct %s amount %s", call, o.ID,
			priceText(o.TrailPct), priceText(o.TrailAmount), priceText(req.TrailPct), priceText(req.TrailAmount))
	case o.ClientID != req.ClientID || !o.Qty.Equal(req.Qty):
		s.t.Errorf("%s: order %s is client id %s qty %s, want %s %s", call, o.ID, o.ClientID, o.Qty, req.ClientID, req.Qty)
	}
}
