package paper

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper/sim"
	"github.com/tradectl/tradectl/internal/trade"
)

// exitPrices are a take-profit and a stop-loss pct percent either side of
// price, at the tick.
func exitPrices(in trade.Instrument, price decimal.Decimal, pct int64, side trade.Side) (tp, sl decimal.Decimal) {
	off := price.Mul(decimal.New(pct, -2))
	up, down := trade.FloorTo(price.Add(off), in.TickSize), trade.FloorTo(price.Sub(off), in.TickSize)
	if side == trade.Sell {
		return up, down
	}
	return down, up
}

func oco(sym trade.Symbol, side trade.Side, qty string, tp, sl decimal.Decimal) trade.OrderRequest {
	return trade.OrderRequest{Symbol: sym, Side: side, Type: trade.Limit, Qty: dec(qty), Price: decimal.NewNullDecimal(tp),
		Exits: &trade.Exits{StopLoss: decimal.NewNullDecimal(sl), OCO: true}}
}

func legsByRole(o trade.Order) map[trade.LegRole]trade.Order {
	out := map[trade.LegRole]trade.Order{o.Leg: o}
	for _, l := range o.Legs {
		out[l.Leg] = l
	}
	return out
}

// A sell OCO rests both legs on one reservation; whichever the market
// reaches first fills or triggers, and the other is canceled in the same
// step, with the books balanced throughout.
func TestOCOOneCancelsTheOther(t *testing.T) {
	e, c := newTest(t, map[string]any{KeyStartingBalances: map[string]any{"USD": "100000", "BTC": "1"}})
	in := path(t, e, btc).Instrument()
	bid := path(t, e, btc).Book(c.Now()).Bids[0].Price
	tp, sl := exitPrices(in, bid, 1, trade.Sell)
	req := oco(btc, trade.Sell, "0.5", tp, sl)
	req.ClientID = "oco-1"
	placed := place(t, e, req)
	legs := legsByRole(placed)
	if placed.Leg != trade.LegTakeProfit || placed.ListID != "oco-1" || len(legs) != 2 {
		t.Fatalf("placed %+v, want the take-profit of list oco-1 with its stop-loss leg", placed)
	}
	if got := legs[trade.LegStopLoss]; got.ClientID != "oco-1-sl" || got.Type != trade.Stop || !got.StopPrice.Decimal.Equal(sl) {
		t.Errorf("stop-loss leg %+v, want a stop at %s under client id oco-1-sl", got, sl)
	}
	if b := balances(t, e)["BTC"]; !b.Locked.Equal(dec("0.5")) {
		t.Errorf("BTC locked %s, want 0.5: the pair shares one reservation", b.Locked)
	}
	checkBooks(t, e)
	if st, detail := e.checkReservations(context.Background()); st != exchange.CheckOK {
		t.Errorf("doctor's reservation check: %s %s", st, detail)
	}

	p := path(t, e, btc)
	week := t0.Add(7 * 24 * time.Hour)
	tpAt, tpOK := p.FirstCross(sim.BidAtOrAbove, tp, t0, week)
	slAt, slOK := p.FirstCross(sim.BidAtOrBelow, sl, t0, week)
	if !tpOK && !slOK {
		t.Fatalf("the market reaches neither %s nor %s within a week; pick other prices", tp, sl)
	}
	c.Set(week)
	after := legsByRole(get(t, e, placed.ID))
	wantFilled, wantCanceled := trade.LegTakeProfit, trade.LegStopLoss
	if slOK && (!tpOK || slAt.Before(tpAt)) {
		wantFilled, wantCanceled = trade.LegStopLoss, trade.LegTakeProfit
	}
	got := map[trade.LegRole]trade.OrderStatus{trade.LegTakeProfit: after[trade.LegTakeProfit].Status, trade.LegStopLoss: after[trade.LegStopLoss].Status}
	want := map[trade.LegRole]trade.OrderStatus{wantFilled: trade.StatusFilled, wantCanceled: trade.StatusCanceled}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("legs after the market reached the %s (-want +got):\n%s", wantFilled, diff)
	}
	if b := balances(t, e)["BTC"]; !b.Locked.IsZero() || !b.Total.Equal(dec("0.5")) {
		t.Errorf("BTC %+v, want 0.5 left and nothing locked", b)
	}
	checkBooks(t, e)
}

// A market entry fills at once and its exits rest right away, linked to
// it; canceling one exit cancels the other and leaves the entry alone.
func TestBracketOnMarketEntry(t *testing.T) {
	e, c := newTest(t, nil)
	in := path(t, e, btc).Instrument()
	ask := path(t, e, btc).Book(c.Now()).Asks[0].Price
	tp, sl := exitPrices(in, ask, 2, trade.Sell)
	req := market(btc, trade.Buy, "0.1")
	req.Exits = &trade.Exits{TakeProfit: decimal.NewNullDecimal(tp), StopLoss: decimal.NewNullDecimal(sl)}
	if !exchange.CanLink(e, req) {
		t.Fatal("paper does not claim brackets on market entries")
	}
	entry := place(t, e, req)
	legs := legsByRole(entry)
	if entry.Status != trade.StatusFilled || entry.Leg != trade.LegEntry || len(legs) != 3 {
		t.Fatalf("entry %+v, want filled with two exit legs", entry)
	}
	for _, role := range []trade.LegRole{trade.LegTakeProfit, trade.LegStopLoss} {
		l := legs[role]
		if l.Side != trade.Sell || !l.Qty.Equal(dec("0.1")) || l.ParentID != entry.ID || l.Status != trade.StatusOpen {
			t.Errorf("%s leg %+v, want an open sell of 0.1 with parent %s", role, l, entry.ID)
		}
	}
	checkBooks(t, e)
	if _, err := e.CancelOrder(context.Background(), exchange.OrderRef{ID: legs[trade.LegTakeProfit].ID}); err != nil {
		t.Fatal(err)
	}
	if st := get(t, e, legs[trade.LegStopLoss].ID).Status; st != trade.StatusCanceled {
		t.Errorf("stop-loss after canceling the take-profit: %s, want canceled", st)
	}
	if st := get(t, e, entry.ID).Status; st != trade.StatusFilled {
		t.Errorf("entry after canceling its exits: %s, want filled", st)
	}
	checkBooks(t, e)
}

// A resting limit entry has no exits until it fills; the catch-up that
// fills it places them at the fill's instant.
func TestBracketArmsWhenTheEntryFills(t *testing.T) {
	e, c := newTest(t, nil)
	p := path(t, e, btc)
	in := p.Instrument()
	price := trade.FloorTo(p.Book(c.Now()).Asks[0].Price.Mul(dec("0.999")), in.TickSize)
	tp, sl := exitPrices(in, price, 3, trade.Sell)
	req := limit(btc, trade.Buy, "0.1", price, trade.GTC)
	req.Exits = &trade.Exits{TakeProfit: decimal.NewNullDecimal(tp), StopLoss: decimal.NewNullDecimal(sl)}
	entry := place(t, e, req)
	if entry.Status != trade.StatusOpen || len(entry.Legs) != 0 {
		t.Fatalf("entry %+v, want open with no exits yet", entry)
	}
	fillAt := crossAfter(t, p, sim.AskAtOrBelow, price, t0)
	c.Set(fillAt.Add(time.Millisecond))
	legs := legsByRole(get(t, e, entry.ID))
	if legs[trade.LegEntry].Status != trade.StatusFilled || len(legs) != 3 {
		t.Fatalf("after the fill: %+v, want a filled entry and two exits", legs)
	}
	if got := legs[trade.LegTakeProfit].CreatedAt; !got.Equal(fillAt) {
		t.Errorf("take-profit placed at %v, want the fill's instant %v", got, fillAt)
	}
	checkBooks(t, e)
}

// Exits the market has already reached are refused, and nothing is
// booked.
func TestLinkedExitsRefused(t *testing.T) {
	e, c := newTest(t, map[string]any{KeyStartingBalances: map[string]any{"USD": "100000", "BTC": "1"}})
	in := path(t, e, btc).Instrument()
	bid := path(t, e, btc).Book(c.Now()).Bids[0].Price
	tp, sl := exitPrices(in, bid, 1, trade.Sell)
	below := trade.FloorTo(bid.Mul(dec("0.98")), in.TickSize)
	tests := []struct {
		name string
		req  trade.OrderRequest
		want string
	}{
		{"take-profit at the bid", oco(btc, trade.Sell, "0.1", bid, sl), "take-profit"},
		{"stop-loss above the bid", oco(btc, trade.Sell, "0.1", tp.Add(in.TickSize.Mul(dec("1000"))), tp), "stop-loss"},
		{"stop-loss above the take-profit", oco(btc, trade.Sell, "0.1", below, tp), "stop_loss"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.PlaceOrder(context.Background(), tt.req)
			wantKind(t, err, exchange.ErrInvalidOrder, tt.want)
		})
	}
	noOrders(t, e)
}

// Exits the account cannot fund when the entry fills are not half placed:
// the stop-loss is booked as rejected with the reason and the take-profit
// canceled, so the list shows the position is unprotected.
func TestBracketExitsUnfunded(t *testing.T) {
	e, c := newTest(t, map[string]any{KeyStartingBalances: map[string]any{"BTC": "1"}})
	in := path(t, e, btc).Instrument()
	bid := path(t, e, btc).Book(c.Now()).Bids[0].Price
	tp, sl := exitPrices(in, bid, 3, trade.Buy)
	req := market(btc, trade.Sell, "0.1")
	req.Exits = &trade.Exits{TakeProfit: decimal.NewNullDecimal(tp), StopLoss: decimal.NewNullDecimal(sl)}
	entry := place(t, e, req)
	legs := legsByRole(entry)
	got := map[trade.LegRole]trade.OrderStatus{}
	for role, l := range legs {
		got[role] = l.Status
	}
	want := map[trade.LegRole]trade.OrderStatus{trade.LegEntry: trade.StatusFilled, trade.LegTakeProfit: trade.StatusCanceled, trade.LegStopLoss: trade.StatusRejected}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("legs (-want +got):\n%s", diff)
	}
	if r := legs[trade.LegStopLoss].RejectReason; !strings.Contains(r, "USD") {
		t.Errorf("stop-loss reject reason %q does not name the missing funds", r)
	}
	if b := balances(t, e)["USD"]; !b.Locked.IsZero() {
		t.Errorf("USD locked %s, want nothing: no exit is working", b.Locked)
	}
	checkBooks(t, e)
}
