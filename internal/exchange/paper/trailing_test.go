package paper

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper/sim"
	"github.com/tradectl/tradectl/internal/trade"
)

// refTrail follows a trailing stop second by second with plain decimal
// arithmetic, independently of the engine's pruned walk: the best bid
// (sell) or ask (buy) since placement, the stop that far from it on the
// tick (down for a sell, up for a buy), and the first second the quote
// reaches the stop.
type refTrail struct {
	extreme, stop decimal.Decimal
	at            time.Time
}

func followRef(t *testing.T, p *sim.Path, req trade.OrderRequest, from time.Time, within time.Duration) (refTrail, []refTrail) {
	t.Helper()
	tick := p.Instrument().TickSize
	best := func(q trade.Quote) decimal.Decimal {
		if req.Side == trade.Sell {
			return q.Bid
		}
		return q.Ask
	}
	stopFor := func(x decimal.Decimal) decimal.Decimal {
		dist := req.TrailAmount.Decimal
		if req.TrailPct.Valid {
			dist = x.Mul(req.TrailPct.Decimal).Div(decimal.NewFromInt(100))
		}
		if req.Side == trade.Sell {
			return x.Sub(dist).Div(tick).Floor().Mul(tick)
		}
		return x.Add(dist).Div(tick).Ceil().Mul(tick)
	}
	cur := refTrail{extreme: best(p.Quote(from))}
	cur.stop = stopFor(cur.extreme)
	var moves []refTrail
	for at := from.Add(time.Second); !at.After(from.Add(within)); at = at.Add(time.Second) {
		b := best(p.Quote(at))
		if req.Side == trade.Sell && b.GreaterThan(cur.extreme) || req.Side == trade.Buy && b.LessThan(cur.extreme) {
			cur = refTrail{extreme: b, stop: stopFor(b), at: at}
			moves = append(moves, cur)
		}
		if req.Side == trade.Sell && b.LessThanOrEqual(cur.stop) || req.Side == trade.Buy && b.GreaterThanOrEqual(cur.stop) {
			cur.at = at
			return cur, moves
		}
	}
	t.Fatalf("%s %s trail never triggers within %s; pick another trail", req.Side, req.Symbol, within)
	return refTrail{}, nil
}

func trailing(sym trade.Symbol, side trade.Side, qty, pct, amount string) trade.OrderRequest {
	req := trade.OrderRequest{Symbol: sym, Side: side, Type: trade.TrailingStop, Qty: dec(qty)}
	if pct != "" {
		req.TrailPct = decimal.NewNullDecimal(dec(pct))
	}
	if amount != "" {
		req.TrailAmount = decimal.NewNullDecimal(dec(amount))
	}
	return req
}

// A trailing stop's trigger follows the best price along the simulated
// path and fires, as a market order, at the first second the quote comes
// back by the trail: at exactly the second and level a plain scan finds.
// Between commands the trigger it shows is the one for the best price so
// far, read back from the database.
func TestTrailingStopFollowsThePath(t *testing.T) {
	tests := []struct {
		name string
		req  trade.OrderRequest
	}{
		{"sell BTC 0.2%", trailing(btc, trade.Sell, "0.1", "0.2", "")},
		{"sell ETH 5 USD", trailing(eth, trade.Sell, "1", "", "5")},
		{"buy BTC 0.15%", trailing(btc, trade.Buy, "0.1", "0.15", "")},
		{"buy ETH 4 USD", trailing(eth, trade.Buy, "1", "", "4")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, c := newTest(t, map[string]any{KeyStartingBalances: map[string]any{"USD": "100000", "BTC": "1", "ETH": "10"}})
			p := path(t, e, tt.req.Symbol)
			want, moves := followRef(t, p, tt.req, c.Now(), 3*24*time.Hour)

			o := place(t, e, tt.req)
			if o.Status != trade.StatusOpen || o.Type != trade.TrailingStop {
				t.Fatalf("placed %s %s, want an open trailing-stop", o.Status, o.Type)
			}
			if !o.TrailPct.Decimal.Equal(tt.req.TrailPct.Decimal) || !o.TrailAmount.Decimal.Equal(tt.req.TrailAmount.Decimal) ||
				o.TrailPct.Valid != tt.req.TrailPct.Valid || o.TrailAmount.Valid != tt.req.TrailAmount.Valid {
				t.Errorf("trail pct %v amount %v, want %v %v", o.TrailPct, o.TrailAmount, tt.req.TrailPct, tt.req.TrailAmount)
			}
			if len(moves) == 0 {
				t.Fatal("the path never betters the placement price before the trigger; pick another trail")
			}
			// Before the trigger: the last move the scan saw is the stop shown.
			last := moves[len(moves)-1]
			if last.at.Equal(want.at) {
				if len(moves) < 2 {
					t.Fatal("no move strictly before the trigger second")
				}
				last = moves[len(moves)-2]
			}
			c.Set(last.at)
			mid := get(t, e, o.ID)
			if mid.Status != trade.StatusOpen || !mid.StopPrice.Decimal.Equal(last.stop) || !mid.UpdatedAt.Equal(last.at) {
				t.Errorf("at %v: %s, stop %s, updated %v; want open with stop %s (best %s), updated then",
					last.at, mid.Status, mid.StopPrice.Decimal, mid.UpdatedAt, last.stop, last.extreme)
			}
			if tt.req.Side == trade.Buy {
				// The reservation follows the falling trigger down.
				wantLocked := tt.req.Qty.Mul(last.stop).Mul(one.Add(fee))
				if got := balances(t, e)["USD"].Locked; !got.Equal(wantLocked) {
					t.Errorf("at %v: USD locked %s, want %s at the current stop %s", last.at, got, wantLocked, last.stop)
				}
			}
			checkBooks(t, e)
			c.Set(want.at.Add(-time.Second))
			if got := get(t, e, o.ID); got.Status != trade.StatusOpen {
				t.Fatalf("a second before the trigger: %s", got.Status)
			}
			c.Set(want.at.Add(time.Hour))
			got := get(t, e, o.ID)
			if got.Status != trade.StatusFilled || !got.UpdatedAt.Equal(want.at) || !got.StopPrice.Decimal.Equal(want.stop) {
				t.Errorf("after the trigger: %s at %v, stop %s; want filled at %v with stop %s (best %s)",
					got.Status, got.UpdatedAt, got.StopPrice.Decimal, want.at, want.stop, want.extreme)
			}
			checkBooks(t, e)
		})
	}
}

// A trailing stop rests, cancels cleanly, and is refused when its trail
// would put a sell's stop at or below zero.
func TestTrailingStopCancelAndRefusals(t *testing.T) {
	e, _ := newTest(t, map[string]any{KeyStartingBalances: map[string]any{"USD": "100000", "BTC": "1"}})
	o := place(t, e, trailing(btc, trade.Sell, "0.5", "1", ""))
	wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("100000"), decimal.Zero}, "BTC": {dec("0.5"), dec("0.5")}})
	if _, err := e.CancelOrder(context.Background(), exchange.OrderRef{ID: o.ID}); err != nil {
		t.Fatal(err)
	}
	if got := get(t, e, o.ID); got.Status != trade.StatusCanceled || !got.TrailPct.Valid {
		t.Errorf("after cancel: %s trail %v", got.Status, got.TrailPct)
	}
	wantBalances(t, e, map[string][2]decimal.Decimal{"USD": {dec("100000"), decimal.Zero}, "BTC": {dec("1"), decimal.Zero}})

	_, err := e.PlaceOrder(context.Background(), trailing(btc, trade.Sell, "0.1", "", "10000000"))
	wantKind(t, err, exchange.ErrInvalidOrder, "below zero")
	_, err = e.PlaceOrder(context.Background(), trailing(btc, trade.Sell, "0.1", "", "1.005"))
	wantKind(t, err, exchange.ErrInvalidOrder, "trail_amount")
	checkBooks(t, e)
}

// On a live-priced account the trail follows each quote the account sees
// and triggers at the first one that reaches the stop.
func TestLiveTrailingStop(t *testing.T) {
	l := newLive(t, map[string]any{KeyStartingBalances: map[string]any{"USDT": 100000, "BTC": 1}})
	req := trade.OrderRequest{Symbol: btcusdt, Side: trade.Sell, Type: trade.TrailingStop, Qty: dec("0.5"), TrailAmount: decimal.NewNullDecimal(dec("500"))}
	o := place(t, l.e, req)
	bid := quoteOf(t, l.e, btcusdt).Bid
	if o.Status != trade.StatusOpen || !o.StopPrice.Decimal.Equal(bid.Sub(dec("500"))) {
		t.Fatalf("placed %s with stop %s, want open 500 below the bid %s", o.Status, o.StopPrice.Decimal, bid)
	}
	steps := []struct {
		bid, ask   string
		wantStatus trade.OrderStatus
		wantStop   string
	}{
		{"61000", "61000.5", trade.StatusOpen, "60500"},   // a new high drags the stop up
		{"60600", "60600.5", trade.StatusOpen, "60500"},   // a dip short of the stop leaves it
		{"61200", "61200.5", trade.StatusOpen, "60700"},   // a higher high
		{"60700", "60700.5", trade.StatusFilled, "60700"}, // back by 500: sold at the bid
	}
	for _, st := range steps {
		l.setBook(st.bid, st.ask)
		got := get(t, l.e, o.ID)
		if got.Status != st.wantStatus || !got.StopPrice.Decimal.Equal(dec(st.wantStop)) {
			t.Errorf("at bid %s: %s with stop %s, want %s with stop %s", st.bid, got.Status, got.StopPrice.Decimal, st.wantStatus, st.wantStop)
		}
	}
	if r := stored(t, l.e, o.ID); !r.filledValue.Equal(dec("30350")) {
		t.Errorf("filled value %s, want 0.5 × 60700", r.filledValue)
	}
	checkBooks(t, l.e)
}

func quoteOf(t *testing.T, e *Exchange, sym trade.Symbol) trade.Quote {
	t.Helper()
	qs, err := e.Quotes(context.Background(), []trade.Symbol{sym})
	if err != nil || len(qs) != 1 {
		t.Fatalf("Quotes: %v %v", qs, err)
	}
	return qs[0]
}
