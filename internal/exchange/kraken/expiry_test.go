package kraken

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// An order with an expiry goes out as timeinforce=GTD with expiretm as an
// absolute unix time (AddOrder: "timeinforce (GTC/IOC/GTD)", "expiretm"),
// rests, and reads back with that expiry.
func TestExpiryIsGTD(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	expires := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	for _, typ := range []trade.OrderType{trade.Limit, trade.StopLimit} {
		if !exchange.CanExpire(e, typ) {
			t.Fatalf("kraken does not claim an expiry on %s orders", typ)
		}
	}
	req := trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.01"),
		Price: trade.OptDec("1000"), ClientID: "gtd-1"}.WithExpiry(expires)
	o, err := e.PlaceOrder(ctxT(t), req)
	if err != nil {
		t.Fatal(err)
	}
	var sent url.Values
	for _, r := range f.Srv.Requests() {
		if r.Path == pathAddOrder {
			if sent, err = url.ParseQuery(r.Body); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := map[string]string{"timeinforce": sent.Get("timeinforce"), "expiretm": sent.Get("expiretm")}
	want := map[string]string{"timeinforce": "GTD", "expiretm": strconv.FormatInt(expires.Unix(), 10)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("AddOrder fields (-want +got):\n%s", diff)
	}
	read, err := e.GetOrder(ctxT(t), exchange.OrderRef{ID: o.ID})
	if err != nil {
		t.Fatal(err)
	}
	for name, ord := range map[string]trade.Order{"placed": o, "read back": read} {
		if ord.Status != trade.StatusOpen || ord.ExpiresAt == nil || !ord.ExpiresAt.Equal(expires) {
			t.Errorf("%s order: status %s, expires %v; want open, expiring at %s", name, ord.Status, ord.ExpiresAt, expires)
		}
	}
}

// Kraken's GTD is a time in force: an expiry on an order it sends none
// with (stop-loss, a market order once triggered) or with another time in
// force is refused before a request.
func TestExpiryRefused(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	expires := time.Now().UTC().Add(time.Hour).Truncate(time.Second)
	tests := []struct {
		name    string
		req     trade.OrderRequest
		wantErr string
	}{
		{"stop-loss", trade.OrderRequest{Symbol: btcusd, Side: trade.Sell, Type: trade.Stop, Qty: trade.Dec("0.01"),
			StopPrice: trade.OptDec("1000")}, "only on limit and stop-limit orders"},
		{"ioc", trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("0.01"),
			Price: trade.OptDec("1000"), TimeInForce: trade.IOC}, "time in force"},
	}
	for _, tt := range tests {
		_, err := e.PlaceOrder(ctxT(t), tt.req.WithExpiry(expires))
		if !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s with an expiry: %v, want ErrInvalidOrder saying %q", tt.name, err, tt.wantErr)
		}
	}
	if exchange.CanExpire(e, trade.Stop) {
		t.Error("kraken claims an expiry on stop orders")
	}
	if got := f.Srv.Count(pathAddOrder); got != 0 {
		t.Errorf("AddOrder requests = %d, want 0", got)
	}
}
