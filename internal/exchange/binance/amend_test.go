package binance

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestAmendKeepPriority: a quantity cut goes out as PUT
// /api/v3/order/amend/keepPriority with symbol, orderId, newQty and the
// order's own client id as newClientOrderId, and keeps the id; any other
// change is refused before a request.
func TestAmendKeepPriority(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	ctx := ctxT(t)
	req := restingBuy("keep-1")
	req.Qty = req.Qty.Mul(trade.Dec("3"))
	o, err := e.PlaceOrder(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	newQty := req.Qty.Sub(trade.Dec("0.001"))
	res, err := e.AmendOrder(ctx, o, trade.AmendRequest{Qty: trade.OptDec(newQty.String())}, "ignored")
	if err != nil {
		t.Fatalf("AmendOrder: %v", err)
	}
	r := f.Srv.LastRequest()
	sent, err := url.ParseQuery(r.Query + "&" + r.Body)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{"method": r.Method, "path": r.Path}
	for _, k := range []string{"symbol", "orderId", "newQty", "newClientOrderId"} {
		got[k] = sent.Get(k)
	}
	_, id, _ := parseOrderID(o.ID)
	want := map[string]string{"method": http.MethodPut, "path": "/api/v3/order/amend/keepPriority", "symbol": "BTCUSDT",
		"orderId": strconv.FormatInt(id, 10), "newQty": newQty.String(), "newClientOrderId": "keep-1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	if res.Order.ID != o.ID || res.Order.ClientID != "keep-1" || !res.Order.Qty.Equal(newQty) || res.Order.Status != trade.StatusOpen {
		t.Errorf("AmendOrder = %s %s qty %s %s, want %s keep-1 qty %s open", res.Order.ID, res.Order.ClientID, res.Order.Qty, res.Order.Status, o.ID, newQty)
	}

	n := len(f.Srv.Requests())
	for name, a := range map[string]trade.AmendRequest{
		"price":  {Price: trade.OptDec("1000")},
		"qty up": {Qty: trade.OptDec(req.Qty.Add(trade.Dec("1")).String())},
	} {
		if _, err := e.PlanAmend(res.Order, a); !errors.Is(err, exchange.ErrInvalidOrder) {
			t.Errorf("PlanAmend(%s) = %v, want ErrInvalidOrder", name, err)
		}
		if _, err := e.AmendOrder(ctx, res.Order, a, ""); !errors.Is(err, exchange.ErrInvalidOrder) {
			t.Errorf("AmendOrder(%s) = %v, want ErrInvalidOrder", name, err)
		}
	}
	if got := len(f.Srv.Requests()) - n; got != 0 {
		t.Errorf("refused amendments sent %d requests, want 0", got)
	}
}
