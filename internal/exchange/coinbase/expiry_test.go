package coinbase

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// An order with an expiry is Coinbase's good-till-date configuration
// (limit_limit_gtd, stop_limit_stop_limit_gtd) with end_time the expiry in
// RFC 3339; it rests and reads back as gtc with that expiry, while a day
// order (end_time at 00:00 UTC) still reads as day.
func TestExpiryIsGTD(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	expires := time.Now().UTC().Add(90 * time.Minute).Truncate(time.Second)
	for _, typ := range []trade.OrderType{trade.Limit, trade.StopLimit} {
		if !exchange.CanExpire(e, typ) {
			t.Fatalf("coinbase does not claim an expiry on %s orders", typ)
		}
	}
	if exchange.CanExpire(e, trade.Market) || exchange.CanExpire(e, trade.Stop) {
		t.Error("coinbase claims an expiry on market or stop orders")
	}
	o, err := e.PlaceOrder(ctx, restingBuy("gtd-1").WithExpiry(expires))
	if err != nil {
		t.Fatal(err)
	}
	bodies := createBodies(t, f.Srv)
	var got map[string]map[string]any
	if err := json.Unmarshal([]byte(bodies[len(bodies)-1]), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]any{"limit_limit_gtd": {"base_size": "0.001", "limit_price": "40000",
		"end_time": expires.Format(time.RFC3339), "post_only": false}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order_configuration (-want +got):\n%s", diff)
	}
	read, err := e.GetOrder(ctx, exchange.OrderRef{ID: o.ID})
	if err != nil {
		t.Fatal(err)
	}
	for name, ord := range map[string]trade.Order{"placed": o, "read back": read} {
		if ord.Status != trade.StatusOpen || ord.TimeInForce != trade.GTC || ord.ExpiresAt == nil || !ord.ExpiresAt.Equal(expires) {
			t.Errorf("%s order: %s, tif %s, expires %v; want open gtc expiring at %s", name, ord.Status, ord.TimeInForce, ord.ExpiresAt, expires)
		}
	}

	day := restingBuy("day-1")
	day.TimeInForce = trade.Day
	d, err := e.PlaceOrder(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	if d.TimeInForce != trade.Day || d.ExpiresAt != nil {
		t.Errorf("day order reads as tif %s, expires %v; want day and no expiry", d.TimeInForce, d.ExpiresAt)
	}
}
