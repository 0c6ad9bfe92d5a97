package coinbase

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestEditRequestShape: an amendment goes out as POST
// /api/v3/brokerage/orders/edit with order_id, price and size — the
// unchanged one at its current value — and the order keeps its id; a
// stop-limit or an IOC order is refused before a request, and a canceled
// one is reported as such.
func TestEditRequestShape(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	ctx := ctxT(t)
	req := restingBuy("edit-1")
	req.Qty = req.Qty.Mul(trade.Dec("2"))
	o, err := e.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	newQty := req.Qty.Sub(trade.Dec("0.0001"))
	res, err := e.AmendOrder(ctx, o, trade.AmendRequest{Qty: trade.OptDec(newQty.String())}, "")
	if err != nil {
		t.Fatalf("AmendOrder: %v", err)
	}
	var sent map[string]any
	for _, r := range f.Srv.Requests() {
		if r.Method == http.MethodPost && r.Path == "/api/v3/brokerage/orders/edit" {
			if err := json.Unmarshal([]byte(r.Body), &sent); err != nil {
				t.Fatal(err)
			}
		}
	}
	want := map[string]any{"order_id": o.ID, "price": req.Price.Decimal.String(), "size": newQty.String()}
	if diff := cmp.Diff(want, sent); diff != "" {
		t.Errorf("edit body (-want +got):\n%s", diff)
	}
	if res.Order.ID != o.ID || !res.Order.Qty.Equal(newQty) || res.ReplacedID != "" {
		t.Errorf("AmendOrder = %s qty %s replacing %q, want %s qty %s", res.Order.ID, res.Order.Qty, res.ReplacedID, o.ID, newQty)
	}

	n := len(f.Srv.Requests())
	ioc := res.Order
	ioc.TimeInForce = trade.IOC
	for name, c := range map[string]struct {
		o trade.Order
		a trade.AmendRequest
	}{
		"ioc order":  {ioc, trade.AmendRequest{Price: trade.OptDec("100")}},
		"stop price": {res.Order, trade.AmendRequest{StopPrice: trade.OptDec("100")}},
	} {
		if _, err := e.AmendOrder(ctx, c.o, c.a, ""); !errors.Is(err, exchange.ErrInvalidOrder) {
			t.Errorf("AmendOrder(%s) = %v, want ErrInvalidOrder", name, err)
		}
	}
	if got := len(f.Srv.Requests()) - n; got != 0 {
		t.Errorf("refused edits sent %d requests, want 0", got)
	}
}
