package exchangetest

import (
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// testLinked checks linked exits (trade.OrderRequest.Exits): a buy OCO —
// a take-profit limit well below the bid and a stop-loss well above the
// ask, so neither moves — and a bracket on a resting limit buy.
//
// A venue that claims the kind (exchange.OCOPlacer, exchange.Bracketer,
// exchange.ExitAttacher for a single exit)
// returns the first order (the OCO's take-profit, the bracket's entry)
// with its list id and leg, the other legs in Legs under the same list;
// GetOrder by the list's client id shows the list together; and canceling
// the take-profit (the entry) leaves no working order of the list. A venue
// that does not claim it refuses with ErrInvalidOrder and places nothing.
func testLinked(s *suite) {
	in := s.instrument()
	q := s.quote()
	tp := floorTo(q.Bid.Mul(decimal.RequireFromString("0.7")), in.TickSize)
	sl := ceilTo(q.Ask.Mul(decimal.RequireFromString("1.3")), in.TickSize)
	oco := trade.OrderRequest{Symbol: s.h.Symbol, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
		Qty: minQty(in, tp), Price: decimal.NewNullDecimal(tp), ClientID: s.clientID(),
		Exits: &trade.Exits{StopLoss: decimal.NewNullDecimal(sl), OCO: true}}
	s.checkLinked("OCO", oco, trade.LegTakeProfit)

	entry := s.restingBuy()
	entry.Exits = &trade.Exits{
		TakeProfit: decimal.NewNullDecimal(floorTo(q.Bid.Mul(decimal.RequireFromString("0.8")), in.TickSize)),
		StopLoss:   decimal.NewNullDecimal(floorTo(q.Bid.Mul(decimal.RequireFromString("0.6")), in.TickSize)),
	}
	entry.Qty = minQty(in, entry.Exits.StopLoss.Decimal)
	s.checkLinked("bracket", entry, trade.LegEntry)

	// A single exit (exchange.ExitAttacher): a take-profit alone, then a
	// stop-loss limit alone, on a resting limit buy. A venue that attaches
	// exits only in pairs refuses both, placing nothing.
	tpOnly := s.restingBuy()
	tpOnly.Exits = &trade.Exits{TakeProfit: decimal.NewNullDecimal(floorTo(q.Bid.Mul(decimal.RequireFromString("0.8")), in.TickSize))}
	s.checkLinked("take-profit alone", tpOnly, trade.LegEntry)
	slOnly := s.restingBuy()
	slOnly.Exits = &trade.Exits{
		StopLoss:      decimal.NewNullDecimal(floorTo(q.Bid.Mul(decimal.RequireFromString("0.6")), in.TickSize)),
		StopLossLimit: decimal.NewNullDecimal(floorTo(q.Bid.Mul(decimal.RequireFromString("0.59")), in.TickSize)),
	}
	slOnly.Qty = minQty(in, slOnly.Exits.StopLossLimit.Decimal)
	s.checkLinked("stop-loss alone", slOnly, trade.LegEntry)
}

func (s *suite) checkLinked(kind string, req trade.OrderRequest, firstLeg trade.LegRole) {
	s.t.Helper()
	listClientIDs := []string{req.ClientID, trade.LegClientID(req.ClientID, trade.LegTakeProfit), trade.LegClientID(req.ClientID, trade.LegStopLoss)}
	working := func() int {
		n := 0
		for _, id := range listClientIDs {
			n += countClientID(s.openOrders(), id)
		}
		return n
	}
	if !exchange.CanLink(s.ex, req) {
		_, err := s.ex.PlaceOrder(s.ctx, req)
		s.wantKind("PlaceOrder("+kind+", not taken here)", err, exchange.ErrInvalidOrder)
		if n := working(); n != 0 {
			s.t.Errorf("a refused %s left %d open orders", kind, n)
		}
		return
	}
	placed := s.place(req)
	if placed.ListID == "" || placed.Leg != firstLeg || placed.ClientID != req.ClientID {
		s.t.Fatalf("%s placed %+v: want the %s under client id %s with a list id", kind, placed, firstLeg, req.ClientID)
	}
	for _, l := range placed.Legs {
		if l.ListID != placed.ListID {
			s.t.Errorf("%s leg %s is in list %q, want %q", kind, l.Leg, l.ListID, placed.ListID)
		}
	}
	got, err := s.ex.GetOrder(s.ctx, exchange.OrderRef{ClientID: req.ClientID, Symbol: s.h.Symbol})
	if err != nil {
		s.t.Fatalf("GetOrder(%s by client id %s): %v", kind, req.ClientID, err)
	}
	if got.ID != placed.ID || len(got.Legs) != len(placed.Legs) {
		s.t.Errorf("GetOrder(%s) = %s with %d legs, want %s with %d", kind, got.ID, len(got.Legs), placed.ID, len(placed.Legs))
	}
	if _, err := s.ex.CancelOrder(s.ctx, exchange.OrderRef{ID: placed.ID, Symbol: s.h.Symbol}); err != nil {
		s.t.Fatalf("CancelOrder(%s %s): %v", kind, placed.ID, err)
	}
	// Legs may carry the venue's own client ids (Alpaca): the list as
	// GetOrder reports it must be done too.
	stillWorking := func() []string {
		var out []string
		got, err := s.ex.GetOrder(s.ctx, exchange.OrderRef{ClientID: req.ClientID, Symbol: s.h.Symbol})
		if err != nil {
			return []string{err.Error()}
		}
		for _, o := range append([]trade.Order{got}, got.Legs...) {
			if o.Status.Working() {
				out = append(out, string(o.Leg)+" "+o.ID)
			}
		}
		return out
	}
	if !s.eventually(func() bool { return working() == 0 && len(stillWorking()) == 0 }) {
		s.t.Errorf("canceling the %s's %s left %d of its orders open, and %v of its list working", kind, firstLeg, working(), stillWorking())
	}
}
