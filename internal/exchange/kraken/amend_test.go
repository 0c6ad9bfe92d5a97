package kraken

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestAmendRequestShape: AmendOrder goes out with Kraken's documented
// field names — txid, order_qty (the new total), limit_price (a stop-loss-
// limit's limit, AddOrder's price2) and trigger_price (its stop) — and the
// order keeps its txid.
func TestAmendRequestShape(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	ctx := ctxT(t)
	limit, err := e.PlaceOrder(ctx, restingBuy("amend-l"))
	if err != nil {
		t.Fatal(err)
	}
	stop, err := e.PlaceOrder(ctx, trade.OrderRequest{Symbol: btcusd, Side: trade.Sell, Type: trade.StopLimit, Qty: trade.Dec("0.01"),
		StopPrice: trade.OptDec("25000"), Price: trade.OptDec("24900"), ClientID: "amend-s"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		o        trade.Order
		a        trade.AmendRequest
		wantBody string
		want     string
		priority bool
	}{
		{"qty down", limit, trade.AmendRequest{Qty: trade.OptDec("0.0005")}, "txid=" + limit.ID + "&order_qty=0.0005",
			"qty=0.0005 price=" + limit.Price.Decimal.String(), true},
		{"limit price", limit, trade.AmendRequest{Price: trade.OptDec("30000")}, "txid=" + limit.ID + "&limit_price=30000",
			"qty=0.0005 price=30000", false},
		{"stop-limit trigger and limit", stop, trade.AmendRequest{StopPrice: trade.OptDec("24000"), Price: trade.OptDec("23900")},
			"txid=" + stop.ID + "&limit_price=23900&trigger_price=24000", "qty=0.01 price=23900 stop=24000", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan, err := e.PlanAmend(tt.o, tt.a)
			if err != nil {
				t.Fatalf("PlanAmend: %v", err)
			}
			if diff := cmp.Diff(exchange.AmendPlan{Method: "AmendOrder", KeepsPriority: tt.priority}, plan); diff != "" {
				t.Errorf("PlanAmend mismatch (-want +got):\n%s", diff)
			}
			res, err := e.AmendOrder(ctx, tt.o, tt.a, "")
			if err != nil {
				t.Fatalf("AmendOrder: %v", err)
			}
			var body string
			for _, r := range f.Srv.Requests() {
				if r.Path == pathAmendOrder {
					body = r.Body
				}
			}
			if _, params, _ := strings.Cut(body, "&"); params != tt.wantBody { // the nonce comes first
				t.Errorf("AmendOrder body = %q, want %q after the nonce", body, tt.wantBody)
			}
			got := "qty=" + res.Order.Qty.String() + " price=" + res.Order.Price.Decimal.String()
			if res.Order.StopPrice.Valid {
				got += " stop=" + res.Order.StopPrice.Decimal.String()
			}
			if got != tt.want || res.Order.ID != tt.o.ID || res.ReplacedID != "" {
				t.Errorf("AmendOrder = id %s %s replacing %q, want id %s %s", res.Order.ID, got, res.ReplacedID, tt.o.ID, tt.want)
			}
		})
	}
}

// TestAmendOutcomes: a canceled order is refused as not working
// (ErrInvalidOrder), an unknown one is ErrNotFound, and an answer lost
// after Kraken acted is ErrUnknownOutcome — with the order amended, as a
// look-up then shows.
func TestAmendOutcomes(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	ctx := ctxT(t)
	o, err := e.PlaceOrder(ctx, restingBuy("amend-o"))
	if err != nil {
		t.Fatal(err)
	}
	f.Srv.DropNextAfterAccept(pathAmendOrder)
	_, err = e.AmendOrder(ctx, o, trade.AmendRequest{Qty: trade.OptDec("0.0005")}, "")
	if !errors.Is(err, exchange.ErrUnknownOutcome) {
		t.Fatalf("AmendOrder with the answer lost: %v, want ErrUnknownOutcome", err)
	}
	if got, err := e.GetOrder(ctx, exchange.OrderRef{ID: o.ID}); err != nil || !got.Qty.Equal(trade.Dec("0.0005")) {
		t.Errorf("after the lost answer the order reads qty %s (%v), want 0.0005", got.Qty, err)
	}
	if _, err := e.CancelOrder(ctx, exchange.OrderRef{ID: o.ID}); err != nil {
		t.Fatal(err)
	}
	_, err = e.AmendOrder(ctx, o, trade.AmendRequest{Qty: trade.OptDec("0.0004")}, "")
	if !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), "is already canceled") {
		t.Errorf("AmendOrder(canceled) = %v, want ErrInvalidOrder naming the status", err)
	}
	unknown := o
	unknown.ID = "OAAAAA-BBBBB-CCCCCC"
	if _, err := e.AmendOrder(ctx, unknown, trade.AmendRequest{Qty: trade.OptDec("0.0004")}, ""); !errors.Is(err, exchange.ErrNotFound) {
		t.Errorf("AmendOrder(unknown txid) = %v, want ErrNotFound", err)
	}
}
