package coinbase

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/coinbase/fakecoinbase"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

// sellOCO is a pair of exits on 0.01 BTC held: a take-profit at 70000 and
// a stop-loss at 55000, the fake's market at 60000.
func sellOCO(clientID string) trade.OrderRequest {
	return trade.OrderRequest{Symbol: btcusd, Side: trade.Sell, Type: trade.Limit, TimeInForce: trade.GTC, Qty: trade.Dec("0.01"),
		Price: trade.OptDec("70000"), ClientID: clientID, Exits: &trade.Exits{StopLoss: trade.OptDec("55000"), OCO: true}}
}

// lastBody is the JSON body of the last request to a path ending in
// suffix.
func lastBody(t *testing.T, f *venuetest.Fixture[*fakecoinbase.Server, *Exchange], suffix string) map[string]any {
	t.Helper()
	var body string
	for _, r := range f.Srv.Requests() {
		if strings.HasSuffix(r.Path, suffix) {
			body = r.Body
		}
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("%s body %q: %v", suffix, body, err)
	}
	return m
}

// TestTriggerBracketRequest: an OCO goes out as one create with the
// documented trigger_bracket_gtc fields (trigger_bracket_gtd with
// end_time when it expires), and preview sends the same configuration.
func TestTriggerBracketRequest(t *testing.T) {
	expiring := sellOCO("oco-gtd")
	at := trade.JSONTime(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))
	expiring.ExpiresAt = &at
	tests := []struct {
		name string
		req  trade.OrderRequest
		want map[string]any
	}{
		{"gtc", sellOCO("oco-gtc"), map[string]any{"trigger_bracket_gtc": map[string]any{
			"base_size": "0.01", "limit_price": "70000", "stop_trigger_price": "55000"}}},
		{"gtd", expiring, map[string]any{"trigger_bracket_gtd": map[string]any{
			"base_size": "0.01", "limit_price": "70000", "stop_trigger_price": "55000", "end_time": "2030-01-02T03:04:05Z"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := adapter.Fixture(t)
			e := f.Open(t, nil, fastBuckets)
			if err := e.ValidateOrder(ctxT(t), tt.req); err != nil {
				t.Fatalf("ValidateOrder: %v", err)
			}
			if diff := cmp.Diff(tt.want, lastBody(t, f, "/orders/preview")["order_configuration"]); diff != "" {
				t.Errorf("preview order_configuration (-want +got):\n%s", diff)
			}
			o, err := e.PlaceOrder(ctxT(t), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			body := lastBody(t, f, "/orders")
			if diff := cmp.Diff(tt.want, body["order_configuration"]); diff != "" {
				t.Errorf("create order_configuration (-want +got):\n%s", diff)
			}
			if body["side"] != "SELL" || body["product_id"] != "BTC-USD" || body["client_order_id"] != tt.req.ClientID {
				t.Errorf("create body %v", body)
			}
			if o.Leg != trade.LegTakeProfit || o.ListID != o.ID || len(o.Legs) != 1 || o.Legs[0].Leg != trade.LegStopLoss ||
				!o.Legs[0].StopPrice.Decimal.Equal(trade.Dec("55000")) || o.Legs[0].ID != o.ID {
				t.Errorf("placed %+v: want the take-profit with its stop-loss leg on the same order", o)
			}
		})
	}
}

// TestTriggerBracketRefusals: what a trigger bracket cannot express is
// refused before anything is sent, in Coinbase's terms.
func TestTriggerBracketRefusals(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, fastBuckets)
	withLimit := sellOCO("")
	withLimit.Exits.StopLossLimit = trade.OptDec("54000")
	single := restingBuy("")
	single.Exits = &trade.Exits{TakeProfit: trade.OptDec("45000")}
	entryLimit := attachedBuy("")
	entryLimit.Exits.StopLossLimit = trade.OptDec("34000")
	quoteSized := trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, QuoteQty: trade.OptDec("100"),
		Exits: &trade.Exits{TakeProfit: trade.OptDec("70000"), StopLoss: trade.OptDec("50000")}}
	offTickExit := attachedBuy("")
	offTickExit.Exits.TakeProfit = trade.OptDec("45000.001")
	offTick := sellOCO("")
	offTick.Exits.StopLoss = trade.OptDec("55000.001")
	tests := []struct {
		name, want string
		req        trade.OrderRequest
	}{
		{"stop-loss limit", "stop-loss limit of your own cannot be honoured", withLimit},
		{"single exit on an entry", "coinbase attaches only a trigger bracket to an entry", single},
		{"stop-loss limit on an entry", "stop-loss limit of your own cannot be honoured", entryLimit},
		{"quote-sized entry", "cannot be combined with linked exits", quoteSized},
		{"attached take-profit off the tick", "45000.001 is not a multiple of the tick size 0.01", offTickExit},
		{"stop trigger off the tick", "55000.001 is not a multiple of the tick size 0.01", offTick},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.PlaceOrder(ctxT(t), tt.req)
			if !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("PlaceOrder = %v, want ErrInvalidOrder mentioning %q", err, tt.want)
			}
			if err := e.ValidateOrder(ctxT(t), tt.req); !errors.Is(err, exchange.ErrInvalidOrder) {
				t.Errorf("ValidateOrder = %v, want ErrInvalidOrder", err)
			}
		})
	}
	for _, req := range []trade.OrderRequest{withLimit, single, entryLimit, quoteSized} {
		if exchange.CanLink(e, req) {
			t.Errorf("CanLink(%s) = true, want false", req.Exits.Describe())
		}
	}
	if !exchange.CanLink(e, sellOCO("")) || !exchange.CanLink(e, attachedBuy("")) {
		t.Error("CanLink: want an OCO and a pair of exits on an entry, without a stop-loss limit, taken")
	}
	if n := f.Srv.OrdersCreated(); n != 0 {
		t.Errorf("orders created = %d, want 0", n)
	}
	for _, r := range f.Srv.Requests() {
		if strings.Contains(r.Path, "/orders") {
			t.Errorf("request %s %s sent for a refused bracket", r.Method, r.Path)
		}
	}
}

// TestTriggerBracketLifecycle: the stop fires when the last price reaches
// the trigger and the position is sold through Coinbase's stop-limit; a
// bracket canceled by its id is done, both legs.
func TestTriggerBracketLifecycle(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil, fastBuckets)
	placed, err := e.PlaceOrder(ctxT(t), sellOCO("oco-stop"))
	if err != nil {
		t.Fatal(err)
	}
	f.Srv.SetBook("BTC-USD", trade.Dec("54990"), trade.Dec("55000"), trade.Dec("54995"))
	got, err := e.GetOrder(ctxT(t), exchange.OrderRef{ClientID: "oco-stop", Symbol: btcusd})
	if err != nil {
		t.Fatal(err)
	}
	type view struct {
		ID     string
		Leg    trade.LegRole
		Status trade.OrderStatus
		Filled string
	}
	// The stop fired: the stop-loss leg carries the fill.
	want := []view{{placed.ID, trade.LegTakeProfit, trade.StatusFilled, "0.01"}, {placed.ID, trade.LegStopLoss, trade.StatusFilled, "0.01"}}
	gotViews := []view{{got.ID, got.Leg, got.Status, got.FilledQty.String()}}
	for _, l := range got.Legs {
		gotViews = append(gotViews, view{l.ID, l.Leg, l.Status, l.FilledQty.String()})
	}
	if diff := cmp.Diff(want, gotViews); diff != "" {
		t.Errorf("after the stop fired (-want +got):\n%s", diff)
	}
	if !got.AvgFillPrice.Valid || !got.AvgFillPrice.Decimal.Equal(trade.Dec("54990")) {
		t.Errorf("filled at %v, want the bid 54990 (within Coinbase's 5%% stop-limit)", got.AvgFillPrice)
	}

	f.Srv.SetBook("BTC-USD", trade.Dec("60000"), trade.Dec("60000.01"), trade.Dec("60000"))
	second, err := e.PlaceOrder(ctxT(t), sellOCO("oco-cancel"))
	if err == nil {
		// The first bracket sold the position's 0.01; 0.99 BTC remain.
		var canceled trade.Order
		canceled, err = e.CancelOrder(ctxT(t), exchange.OrderRef{ID: second.ID, Symbol: btcusd})
		if err == nil && (canceled.Status != trade.StatusCanceled || len(canceled.Legs) != 1 || canceled.Legs[0].Status != trade.StatusCanceled) {
			t.Errorf("canceled bracket %+v: want it and its stop-loss leg canceled", canceled)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
}

// TestTriggerBracketNote: the dry run and the confirmation screen say that
// Coinbase's stop is a stop-limit it prices itself, on the side the exits
// trade; a request without an OCO has no note.
func TestTriggerBracketNote(t *testing.T) {
	e := &Exchange{}
	buy := sellOCO("")
	buy.Side, buy.Price, buy.Exits.StopLoss = trade.Buy, trade.OptDec("50000"), trade.OptDec("65000")
	got := []string{exchange.ExitNote(e, sellOCO("")), exchange.ExitNote(e, buy), exchange.ExitNote(e, restingBuy(""))}
	want := []string{
		"coinbase places the stop-loss as a stop-limit when 55000 trades, its limit set by Coinbase about 5% below it",
		"coinbase places the stop-loss as a stop-limit when 65000 trades, its limit set by Coinbase about 5% above it",
		"",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ExitNote (-want +got):\n%s", diff)
	}
}
