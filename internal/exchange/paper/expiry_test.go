package paper

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// An expiry at or before the paper clock's now is refused, as Kraken
// refuses an expiretm in the past; a resting order with a later one ends
// "expired" at exactly that time, its reservation released; a DAY order
// shows no expiry of its own.
func TestExpiry(t *testing.T) {
	ctx := context.Background()
	e, c := newTest(t, nil)
	rest := trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.01"), Price: trade.OptDec("1000")}
	for _, at := range []time.Time{t0, t0.Add(-time.Minute)} {
		if _, err := e.PlaceOrder(ctx, rest.WithExpiry(at)); !errors.Is(err, exchange.ErrInvalidOrder) {
			t.Errorf("expiry %s at now %s: %v, want ErrInvalidOrder", at, t0, err)
		}
	}
	expires := t0.Add(10 * time.Minute)
	o, err := e.PlaceOrder(ctx, rest.WithExpiry(expires))
	if err != nil {
		t.Fatal(err)
	}
	if o.ExpiresAt == nil || !o.ExpiresAt.Equal(expires) {
		t.Fatalf("placed order expires %v, want %s", o.ExpiresAt, expires)
	}
	c.Set(expires.Add(-time.Millisecond))
	if got, err := e.GetOrder(ctx, exchange.OrderRef{ID: o.ID}); err != nil || got.Status != trade.StatusOpen {
		t.Fatalf("just before its expiry: %s, %v; want open", got.Status, err)
	}
	c.Set(expires.Add(time.Hour))
	got, err := e.GetOrder(ctx, exchange.OrderRef{ID: o.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != trade.StatusExpired || !got.UpdatedAt.Equal(expires) {
		t.Errorf("after its expiry: %s at %s, want expired at %s", got.Status, got.UpdatedAt, expires)
	}
	bals, err := e.Balances(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range bals {
		if !b.Locked.IsZero() {
			t.Errorf("%s still locked %s after the only order expired", b.Asset, b.Locked)
		}
	}

	day := rest
	day.TimeInForce = trade.Day
	d, err := e.PlaceOrder(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if d.ExpiresAt != nil {
		t.Errorf("day order shows expires_at %s; want none", d.ExpiresAt)
	}
}
