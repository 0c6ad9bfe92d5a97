package kraken

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// addOrderForm is the last AddOrder request's parameters.
func addOrderForm(t *testing.T, f *fixture) url.Values {
	t.Helper()
	var body string
	for _, r := range f.Srv.Requests() {
		if r.Path == pathAddOrder {
			body = r.Body
		}
	}
	v, err := url.ParseQuery(body)
	if err != nil || body == "" {
		t.Fatalf("AddOrder body %q: %v", body, err)
	}
	return v
}

// TestConditionalCloseRequest: a single exit goes out as AddOrder's
// close[ordertype], close[price] and close[price2], with Kraken's own
// field names, on the entry's own request.
func TestConditionalCloseRequest(t *testing.T) {
	withExits := func(x trade.Exits) trade.OrderRequest {
		r := restingBuy("")
		r.Exits = &x
		return r
	}
	tests := []struct {
		name string
		req  trade.OrderRequest
		want map[string]string // "" = absent
	}{
		{"take-profit alone: a limit close", withExits(trade.Exits{TakeProfit: trade.OptDec("45000")}),
			map[string]string{"close[ordertype]": "limit", "close[price]": "45000", "close[price2]": ""}},
		{"stop-loss alone: a stop-loss close", withExits(trade.Exits{StopLoss: trade.OptDec("35000")}),
			map[string]string{"close[ordertype]": "stop-loss", "close[price]": "35000", "close[price2]": ""}},
		{"stop-loss with a limit: a stop-loss-limit close", withExits(trade.Exits{StopLoss: trade.OptDec("35000"), StopLossLimit: trade.OptDec("34900")}),
			map[string]string{"close[ordertype]": "stop-loss-limit", "close[price]": "35000", "close[price2]": "34900"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := adapter.Fixture(t)
			e := f.Open(t, nil)
			o, err := e.PlaceOrder(ctxT(t), tt.req)
			if err != nil {
				t.Fatal(err)
			}
			form := addOrderForm(t, f)
			got := map[string]string{}
			for k := range tt.want {
				got[k] = form.Get(k)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("AddOrder close parameters (-want +got):\n%s", diff)
			}
			// The entry itself is sent as without exits.
			if form.Get("ordertype") != "limit" || form.Get("price") != "40000" || form.Get("type") != "buy" {
				t.Errorf("entry parameters %v", form)
			}
			if o.ListID != o.ID || o.Leg != trade.LegEntry {
				t.Errorf("placed entry list %q leg %q, want its own txid %s and entry", o.ListID, o.Leg, o.ID)
			}
		})
	}
}

// TestConditionalCloseRefusals: what Kraken cannot attach is refused
// before anything is sent: a pair of exits, an OCO, a stop entry, an exit
// off the tick.
func TestConditionalCloseRefusals(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	with := func(fn func(*trade.OrderRequest)) trade.OrderRequest {
		r := restingBuy("")
		fn(&r)
		return r
	}
	tests := []struct {
		name, want string
		req        trade.OrderRequest
	}{
		{"both exits", "give a take-profit or a stop-loss, not both", with(func(r *trade.OrderRequest) {
			r.Exits = &trade.Exits{TakeProfit: trade.OptDec("45000"), StopLoss: trade.OptDec("35000")}
		})},
		{"OCO", "kraken places no OCO exit pairs", with(func(r *trade.OrderRequest) {
			r.Side, r.Price = trade.Sell, trade.OptDec("70000")
			r.Exits = &trade.Exits{StopLoss: trade.OptDec("50000"), OCO: true}
		})},
		{"take-profit off the tick", "not a multiple of the tick size 0.1", with(func(r *trade.OrderRequest) {
			r.Exits = &trade.Exits{TakeProfit: trade.OptDec("45000.05")}
		})},
		{"take-profit below a buy's entry", "take_profit", with(func(r *trade.OrderRequest) {
			r.Exits = &trade.Exits{TakeProfit: trade.OptDec("39000")}
		})},
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
	if n := f.Srv.Count(pathAddOrder); n != 0 {
		t.Errorf("AddOrder requests = %d, want 0", n)
	}
	if e.AttachesExit(trade.OrderRequest{Type: trade.StopLimit}) {
		t.Error("AttachesExit(stop-limit entry) = true")
	}
}

// TestConditionalCloseLegs: once the entry fills, Kraken's close order
// names it in refid; GetOrder shows the two together from either side,
// and ListOrders links them.
func TestConditionalCloseLegs(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	req := restingBuy("tp-list-1")
	req.Exits = &trade.Exits{TakeProfit: trade.OptDec("65000")}
	placed, err := e.PlaceOrder(ctxT(t), req)
	if err != nil {
		t.Fatal(err)
	}
	before, err := e.GetOrder(ctxT(t), exchange.OrderRef{ClientID: "tp-list-1"})
	if err != nil {
		t.Fatal(err)
	}
	if before.ListID != placed.ID || before.Leg != trade.LegEntry || len(before.Legs) != 0 {
		t.Errorf("entry before its fill: list %q leg %q legs %d, want %s, entry, none", before.ListID, before.Leg, len(before.Legs), placed.ID)
	}
	f.Srv.FillPartially(placed.ID, trade.Dec("0.001"))

	type leg struct {
		ID, ListID, ParentID string
		Leg                  trade.LegRole
		Side                 trade.Side
		Type                 trade.OrderType
		Status               trade.OrderStatus
		Price                string
	}
	view := func(o trade.Order) leg {
		return leg{o.ID, o.ListID, o.ParentID, o.Leg, o.Side, o.Type, o.Status, o.Price.Decimal.String()}
	}
	entry, err := e.GetOrder(ctxT(t), exchange.OrderRef{ID: placed.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(entry.Legs) != 1 {
		t.Fatalf("filled entry has %d legs, want its close order", len(entry.Legs))
	}
	closeID := entry.Legs[0].ID
	wantEntry := leg{placed.ID, placed.ID, "", trade.LegEntry, trade.Buy, trade.Limit, trade.StatusFilled, "40000"}
	wantClose := leg{closeID, placed.ID, placed.ID, trade.LegTakeProfit, trade.Sell, trade.Limit, trade.StatusOpen, "65000"}
	if diff := cmp.Diff([]leg{wantEntry, wantClose}, []leg{view(entry), view(entry.Legs[0])}); diff != "" {
		t.Errorf("GetOrder(entry) (-want +got):\n%s", diff)
	}
	child, err := e.GetOrder(ctxT(t), exchange.OrderRef{ID: closeID})
	if err != nil {
		t.Fatal(err)
	}
	if len(child.Legs) != 1 {
		t.Fatalf("close order has %d legs, want its entry", len(child.Legs))
	}
	if diff := cmp.Diff([]leg{wantClose, wantEntry}, []leg{view(child), view(child.Legs[0])}); diff != "" {
		t.Errorf("GetOrder(close) (-want +got):\n%s", diff)
	}
	all, err := e.ListOrders(ctxT(t), exchange.ListFilter{Scope: exchange.ListAll})
	if err != nil {
		t.Fatal(err)
	}
	linked := 0
	for _, o := range all {
		if o.ListID == placed.ID && len(o.Legs) == 1 {
			linked++
		}
	}
	if linked != 2 {
		t.Errorf("ListOrders shows %d of the list's 2 orders with their leg: %+v", linked, all)
	}
}
