package alpaca

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// A quote-sized order goes out as notional without qty, market day (the
// reference: "Dollar amount; not combinable with qty; market + day only"),
// and fills for no more than the amount.
func TestNotionalOrders(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	if !exchange.CanQuoteSize(e, trade.Buy) || !exchange.CanQuoteSize(e, trade.Sell) {
		t.Fatal("alpaca does not claim notional orders")
	}
	req := trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Market, QuoteQty: trade.OptDec("100"), ClientID: "notional-1"}
	placed, err := e.PlaceOrder(ctxT(t), req)
	if err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	sent := sentOrderBody(t, f.Srv)
	want := map[string]any{"symbol": "AAPL", "notional": "100", "side": "buy", "type": "market", "time_in_force": "day", "client_order_id": "notional-1"}
	if diff := cmp.Diff(want, sent); diff != "" {
		t.Errorf("POST /v2/orders body (-want +got):\n%s", diff)
	}
	var got trade.Order
	deadline := time.Now().Add(5 * time.Second)
	for got.Status != trade.StatusFilled && time.Now().Before(deadline) {
		if got, err = e.GetOrder(ctxT(t), exchange.OrderRef{ID: placed.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if got.Status != trade.StatusFilled || !got.Qty.Equal(got.FilledQty) || !got.FilledQty.IsPositive() {
		t.Fatalf("notional buy: %s, qty %s filled %s; want filled, its qty what filled", got.Status, got.Qty, got.FilledQty)
	}
	if v := got.FilledQty.Mul(got.AvgFillPrice.Decimal); v.GreaterThan(decimal.NewFromInt(100)) || v.LessThan(trade.Dec("99.99")) {
		t.Errorf("notional buy of 100 filled %s × %s = %s", got.FilledQty, got.AvgFillPrice.Decimal, v)
	}
}

func TestNotionalRefusalsSendNothing(t *testing.T) {
	sized := func(sym trade.Symbol, tif trade.TimeInForce) trade.OrderRequest {
		return trade.OrderRequest{Symbol: sym, Side: trade.Buy, Type: trade.Market, TimeInForce: tif, QuoteQty: trade.OptDec("100")}
	}
	tests := []struct {
		name    string
		req     trade.OrderRequest
		wantMsg string
	}{
		{"crypto is never day", sized(btcusd, trade.GTC), "crypto orders are never day"},
		{"ioc is not day", sized(aapl, trade.IOC), "day orders only, not ioc"},
	}
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	for _, tt := range tests {
		_, err := e.PlaceOrder(ctxT(t), tt.req)
		if !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), tt.wantMsg) {
			t.Errorf("%s: PlaceOrder = %v, want ErrInvalidOrder mentioning %q", tt.name, err, tt.wantMsg)
		}
	}
	if n := f.Srv.Count(http.MethodPost, "/v2/orders"); n != 0 {
		t.Errorf("%d order requests reached the venue, want 0", n)
	}
}
