package alpaca

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// A bracket goes out as order_class bracket with take_profit{limit_price}
// and stop_loss{stop_price[, limit_price]}; the answer's nested legs come
// back linked to the entry, and they rest once it fills.
func TestBracketOrder(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	req := trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC, Qty: trade.Dec("2"), Price: trade.OptDec("185"),
		Exits: &trade.Exits{TakeProfit: trade.OptDec("200"), StopLoss: trade.OptDec("180"), StopLossLimit: trade.OptDec("179.5")}, ClientID: "br-1"}
	placed, err := e.PlaceOrder(ctxT(t), req)
	if err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	sent := sentOrderBody(t, f.Srv)
	want := map[string]any{"symbol": "AAPL", "qty": "2", "side": "buy", "type": "limit", "time_in_force": "gtc", "limit_price": "185",
		"client_order_id": "br-1", "order_class": "bracket",
		"take_profit": map[string]any{"limit_price": "200"}, "stop_loss": map[string]any{"stop_price": "180", "limit_price": "179.5"}}
	if diff := cmp.Diff(want, sent); diff != "" {
		t.Errorf("POST /v2/orders body (-want +got):\n%s", diff)
	}
	type leg struct {
		Leg      trade.LegRole
		Side     trade.Side
		Type     trade.OrderType
		ParentID string
	}
	var got []leg
	for _, l := range placed.Legs {
		got = append(got, leg{l.Leg, l.Side, l.Type, l.ParentID})
	}
	wantLegs := []leg{{trade.LegTakeProfit, trade.Sell, trade.Limit, placed.ID}, {trade.LegStopLoss, trade.Sell, trade.StopLimit, placed.ID}}
	if diff := cmp.Diff(wantLegs, got); diff != "" || placed.Leg != trade.LegEntry || placed.ListID != placed.ID {
		t.Errorf("placed %s (%s, list %s); legs (-want +got):\n%s", placed.ID, placed.Leg, placed.ListID, diff)
	}
	// Canceling the entry cancels the held legs.
	if _, err := e.CancelOrder(ctxT(t), exchange.OrderRef{ID: placed.ID}); err != nil {
		t.Fatal(err)
	}
	after, err := e.GetOrder(ctxT(t), exchange.OrderRef{ID: placed.ID})
	if err != nil {
		t.Fatal(err)
	}
	venuetest.CheckLegStatus(t, after, trade.StatusCanceled, "after canceling the entry")
}

// An OCO goes out as a limit order of order_class oco: its take-profit is
// the order itself, take_profit.limit_price its limit.
func TestOCOOrderBody(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	if _, err := e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("3"), ClientID: "own"}); err != nil {
		t.Fatal(err)
	}
	req := trade.OrderRequest{Symbol: aapl, Side: trade.Sell, Type: trade.Limit, TimeInForce: trade.GTC, Qty: trade.Dec("3"), Price: trade.OptDec("210"),
		Exits: &trade.Exits{StopLoss: trade.OptDec("170"), OCO: true}, ClientID: "oco-1"}
	placed, err := e.PlaceOrder(ctxT(t), req)
	if err != nil {
		t.Fatalf("PlaceOrder: %v", err)
	}
	sent := sentOrderBody(t, f.Srv)
	want := map[string]any{"symbol": "AAPL", "qty": "3", "side": "sell", "type": "limit", "time_in_force": "gtc", "limit_price": "210",
		"client_order_id": "oco-1", "order_class": "oco",
		"take_profit": map[string]any{"limit_price": "210"}, "stop_loss": map[string]any{"stop_price": "170"}}
	if diff := cmp.Diff(want, sent); diff != "" {
		t.Errorf("POST /v2/orders body (-want +got):\n%s", diff)
	}
	if placed.Leg != trade.LegTakeProfit || len(placed.Legs) != 1 || placed.Legs[0].Leg != trade.LegStopLoss || placed.Legs[0].ParentID != "" {
		t.Errorf("placed %+v, want the take-profit with one stop-loss leg", placed)
	}
}

// Crypto takes no advanced order class on Alpaca: refused, nothing sent.
func TestLinkedCryptoRefused(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	req := trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC, Qty: trade.Dec("0.01"), Price: trade.OptDec("50000"),
		Exits: &trade.Exits{TakeProfit: trade.OptDec("60000"), StopLoss: trade.OptDec("45000")}}
	if exchange.CanLink(e, req) {
		t.Error("alpaca claims brackets on crypto")
	}
	if _, err := e.PlaceOrder(ctxT(t), req); !errors.Is(err, exchange.ErrInvalidOrder) {
		t.Errorf("PlaceOrder: %v, want ErrInvalidOrder", err)
	}
	for _, r := range f.Srv.Requests() {
		if r.Method == http.MethodPost {
			t.Errorf("sent %s %s", r.Method, r.Path)
		}
	}
}
