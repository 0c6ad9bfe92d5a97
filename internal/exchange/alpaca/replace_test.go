package alpaca

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestReplaceRequestShape: an amendment goes out as PATCH /v2/orders/{id}
// with only the changed fields — qty, limit_price, stop_price as strings —
// and the new order's client_order_id; the answer is the new order, and
// the old one reads back replaced (canceled to tradectl).
func TestReplaceRequestShape(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	ctx := ctxT(t)
	o, err := e.PlaceOrder(ctx, trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
		Qty: trade.Dec("2"), Price: trade.OptDec("150"), ClientID: "replace-1"})
	if err != nil {
		t.Fatal(err)
	}
	a := trade.AmendRequest{Qty: trade.OptDec("1"), Price: trade.OptDec("149.5")}
	plan, err := e.PlanAmend(o, a)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(exchange.AmendPlan{Method: "PATCH /v2/orders/{id}", NewID: true}, plan); diff != "" {
		t.Errorf("PlanAmend (-want +got):\n%s", diff)
	}
	res, err := e.AmendOrder(ctx, o, a, "replace-1b")
	if err != nil {
		t.Fatalf("AmendOrder: %v", err)
	}
	var sent map[string]any
	for _, r := range f.Srv.Requests() {
		if r.Method == http.MethodPatch {
			if r.Path != "/v2/orders/"+o.ID {
				t.Errorf("PATCH path %s, want /v2/orders/%s", r.Path, o.ID)
			}
			if err := json.Unmarshal([]byte(r.Body), &sent); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := map[string]any{"qty": "1", "limit_price": "149.5", "client_order_id": "replace-1b"}
	if diff := cmp.Diff(want, sent); diff != "" {
		t.Errorf("PATCH body (-want +got):\n%s", diff)
	}
	if res.ReplacedID != o.ID || res.Order.ID == o.ID || res.Order.ClientID != "replace-1b" ||
		!res.Order.Qty.Equal(trade.Dec("1")) || !res.Order.Price.Decimal.Equal(trade.Dec("149.5")) {
		t.Errorf("AmendOrder = %+v replacing %q, want a new order qty 1 at 149.5 replacing %s", res.Order, res.ReplacedID, o.ID)
	}
	old, err := e.GetOrder(ctx, exchange.OrderRef{ID: o.ID})
	if err != nil || old.Status != trade.StatusCanceled {
		t.Errorf("old order after replace: %s (%v), want canceled (Alpaca: replaced)", old.Status, err)
	}
}

// TestReplaceOutcomes: a partially filled order is refused before sending;
// a lost answer is ErrUnknownOutcome carrying the new client id, by which
// the replacement is found.
func TestReplaceOutcomes(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	ctx := ctxT(t)
	o, err := e.PlaceOrder(ctx, trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
		Qty: trade.Dec("2"), Price: trade.OptDec("150"), ClientID: "replace-2"})
	if err != nil {
		t.Fatal(err)
	}
	partial := o
	partial.FilledQty = trade.Dec("1")
	if _, err := e.PlanAmend(partial, trade.AmendRequest{Price: trade.OptDec("149")}); !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), "has filled 1") {
		t.Errorf("PlanAmend(partially filled) = %v, want a refusal", err)
	}
	f.Srv.DropNextAfterAccept("PATCH /v2/orders/" + o.ID)
	_, err = e.AmendOrder(ctx, o, trade.AmendRequest{Price: trade.OptDec("149")}, "replace-2b")
	var xe *exchange.Error
	if !errors.Is(err, exchange.ErrUnknownOutcome) || !errors.As(err, &xe) || xe.ClientID != "replace-2b" {
		t.Fatalf("AmendOrder with the answer lost = %v, want ErrUnknownOutcome with client id replace-2b", err)
	}
	got, err := e.GetOrder(ctx, exchange.OrderRef{ClientID: "replace-2b"})
	if err != nil || !got.Price.Decimal.Equal(trade.Dec("149")) {
		t.Errorf("replacement by client id: %+v (%v), want it at 149", got, err)
	}
}
