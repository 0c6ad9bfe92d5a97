package alpaca

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// A trailing stop goes out as type trailing_stop with trail_percent or
// trail_price (the reference's field names) and reads back with its trail;
// on crypto, which Alpaca takes only market, limit and stop_limit orders
// for, it is refused before any request.
func TestTrailingStopOrders(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	if u := e.TrailUnits(aapl); !u.Pct || !u.Amount {
		t.Errorf("TrailUnits(%s) = %+v, want both units", aapl, u)
	}
	if u := e.TrailUnits(btcusd); u.Pct || u.Amount {
		t.Errorf("TrailUnits(%s) = %+v, want none", btcusd, u)
	}
	tests := []struct {
		name string
		req  trade.OrderRequest
		want map[string]any
	}{
		{"percent", trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.TrailingStop, Qty: trade.Dec("2"), TrailPct: trade.OptDec("1.5"), ClientID: "trail-1"},
			map[string]any{"symbol": "AAPL", "qty": "2", "side": "buy", "type": "trailing_stop", "time_in_force": "gtc", "trail_percent": "1.5", "client_order_id": "trail-1"}},
		{"price", trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.TrailingStop, TimeInForce: trade.Day, Qty: trade.Dec("1"), TrailAmount: trade.OptDec("2.5"), ClientID: "trail-2"},
			map[string]any{"symbol": "AAPL", "qty": "1", "side": "buy", "type": "trailing_stop", "time_in_force": "day", "trail_price": "2.5", "client_order_id": "trail-2"}},
	}
	for _, tt := range tests {
		placed, err := e.PlaceOrder(ctxT(t), tt.req)
		if err != nil {
			t.Fatalf("%s: PlaceOrder: %v", tt.name, err)
		}
		var sent map[string]any
		for _, r := range f.Srv.Requests() {
			if r.Method == http.MethodPost && r.Path == "/v2/orders" {
				sent = nil // the last order's body only
				if err := json.Unmarshal([]byte(r.Body), &sent); err != nil {
					t.Fatal(err)
				}
			}
		}
		if diff := cmp.Diff(tt.want, sent); diff != "" {
			t.Errorf("%s: POST /v2/orders body (-want +got):\n%s", tt.name, diff)
		}
		got, err := e.GetOrder(ctxT(t), exchange.OrderRef{ID: placed.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got.Type != trade.TrailingStop || !got.Status.Working() || !got.TrailPct.Decimal.Equal(tt.req.TrailPct.Decimal) ||
			got.TrailPct.Valid != tt.req.TrailPct.Valid || got.TrailAmount.Valid != tt.req.TrailAmount.Valid ||
			!got.TrailAmount.Decimal.Equal(tt.req.TrailAmount.Decimal) {
			t.Errorf("%s: GetOrder = %s %s pct %v amount %v; want a working trailing-stop with the trail sent", tt.name, got.Status, got.Type, got.TrailPct, got.TrailAmount)
		}
	}

	before := len(f.Srv.Requests())
	_, err := e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: btcusd, Side: trade.Sell, Type: trade.TrailingStop, Qty: trade.Dec("0.01"), TrailPct: trade.OptDec("1")})
	if !errors.Is(err, exchange.ErrInvalidOrder) {
		t.Errorf("crypto trailing stop: %v, want ErrInvalidOrder", err)
	}
	for _, r := range f.Srv.Requests()[before:] {
		if r.Method == http.MethodPost {
			t.Errorf("a crypto trailing stop sent %s %s", r.Method, r.Path)
		}
	}
}
