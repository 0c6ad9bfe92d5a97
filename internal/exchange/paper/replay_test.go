package paper

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper/sim"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestPinnedClockNeverChangesARealTimeAccount: an account created on the
// running clock opens, under a pinned clock, as a read-only replay: reads
// show it brought up to the pinned moment, writes are refused, and nothing
// of it is stored.
func TestPinnedClockNeverChangesARealTimeAccount(t *testing.T) {
	ctx := context.Background()
	c := newClock(t0)
	p := testParams(t, c, nil)
	live := open(t, p)
	// A resting buy that the market reaches within a week.
	bid := path(t, live, btc).Quote(t0).Bid
	price := trade.FloorTo(bid.Mul(dec("0.999")), dec("0.01"))
	fillAt := crossAfter(t, path(t, live, btc), sim.AskAtOrBelow, price, t0)
	resting := place(t, live, limit(btc, trade.Buy, "0.01", price, trade.GTC))
	before := balances(t, live)
	live.Close()

	// Pinned after the fill moment: the replay shows the fill…
	pinned := newClock(fillAt.Add(time.Minute))
	pp := p
	pp.Now = pinned.Now
	replay, err := New(ctx, pp, WithPinnedClock())
	if err != nil {
		t.Fatal(err)
	}
	if got := get(t, replay, resting.ID); got.Status != trade.StatusFilled {
		t.Errorf("replay at %v shows the order %s, want filled", pinned.Now(), got.Status)
	}
	// …and refuses every write.
	_, err = replay.PlaceOrder(ctx, market(btc, trade.Buy, "0.01"))
	wantKind(t, err, exchange.ErrInvalidOrder, "read-only replay", "TRADECTL_NOW")
	_, err = replay.CancelOrder(ctx, exchange.OrderRef{ID: resting.ID})
	wantKind(t, err, exchange.ErrInvalidOrder, "read-only replay")
	_, err = replay.CancelAll(ctx, trade.Symbol{})
	wantKind(t, err, exchange.ErrInvalidOrder, "read-only replay")
	wantKind(t, replay.Reset(ctx), exchange.ErrInvalidOrder, "read-only replay")
	replay.Close()

	// Back on the running clock, before the fill: nothing was stored.
	again := open(t, p)
	if got := get(t, again, resting.ID); got.Status != trade.StatusOpen {
		t.Errorf("after the replay the order is %s, want still open", got.Status)
	}
	if diff := cmp.Diff(before, balances(t, again)); diff != "" {
		t.Errorf("balances after the replay (-want +got):\n%s", diff)
	}
	all, err := again.ListOrders(ctx, exchange.ListFilter{Scope: exchange.ListAll})
	if err != nil || len(all) != 1 {
		t.Errorf("orders after the replay: %d (%v), want 1", len(all), err)
	}
}

// TestPinnedClockAccountTakesWrites: an account created under a pinned
// clock has known no other, and takes writes under it (tests, demos).
func TestPinnedClockAccountTakesWrites(t *testing.T) {
	ctx := context.Background()
	c := newClock(t0)
	p := testParams(t, c, nil)
	for i := range 2 { // created, then reopened
		e, err := New(ctx, p, WithPinnedClock())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.PlaceOrder(ctx, market(btc, trade.Buy, "0.01")); err != nil {
			t.Errorf("open %d: %v", i, err)
		}
		e.Close()
	}
	e := open(t, p)
	got := balances(t, e)["BTC"].Total
	if !got.Equal(decimal.RequireFromString("0.02")) {
		t.Errorf("BTC %s, want 0.02 from two pinned-clock orders", got)
	}
}
