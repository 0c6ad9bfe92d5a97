package binance

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestAmendKeepPriority: a quantity cut goes out as PUT
// /api/v3/order/amend/keepPriority with symbol, orderId, newQty and the
// order's own client id as newClientOrderId, and keeps the id; any other
// change is a cancel-replace (TestCancelReplace).
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

}

// TestCancelReplace: any other change is POST /api/v3/order/cancelReplace
// with STOP_ON_FAILURE, the old orderId and the new client id: a new order
// under a new id replaces the old one, which reads back canceled. When the
// new order is refused after the cancel (409, -2021) the error says the
// old order was canceled; a partially filled order is refused unsent.
func TestCancelReplace(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	ctx := ctxT(t)
	o, err := e.PlaceOrder(ctx, restingBuy("repl-1"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.AmendOrder(ctx, o, trade.AmendRequest{Price: trade.OptDec("39000")}, "repl-1b")
	if err != nil {
		t.Fatalf("AmendOrder: %v", err)
	}
	r := f.Srv.LastRequest()
	sent, err := url.ParseQuery(r.Query + "&" + r.Body)
	if err != nil {
		t.Fatal(err)
	}
	_, id, _ := parseOrderID(o.ID)
	got := map[string]string{"path": r.Method + " " + r.Path}
	for _, k := range []string{"cancelReplaceMode", "cancelOrderId", "newClientOrderId", "side", "type", "price", "quantity"} {
		got[k] = sent.Get(k)
	}
	want := map[string]string{"path": "POST /api/v3/order/cancelReplace", "cancelReplaceMode": "STOP_ON_FAILURE",
		"cancelOrderId": strconv.FormatInt(id, 10), "newClientOrderId": "repl-1b", "side": "BUY", "type": "LIMIT",
		"price": "39000", "quantity": o.Qty.String()}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("request (-want +got):\n%s", diff)
	}
	if res.ReplacedID != o.ID || res.Order.ID == o.ID || res.Order.ClientID != "repl-1b" || !res.Order.Price.Decimal.Equal(trade.Dec("39000")) {
		t.Errorf("AmendOrder = %s %s at %s replacing %q, want a new order repl-1b at 39000 replacing %s",
			res.Order.ID, res.Order.ClientID, res.Order.Price.Decimal, res.ReplacedID, o.ID)
	}
	if old, err := e.GetOrder(ctx, exchange.OrderRef{ID: o.ID}); err != nil || old.Status != trade.StatusCanceled {
		t.Errorf("old order after cancel-replace: %s (%v), want canceled", old.Status, err)
	}

	// A quantity the account cannot pay (3 × 39000 > 100000 USDT):
	// canceled, then refused.
	_, err = e.AmendOrder(ctx, res.Order, trade.AmendRequest{Qty: trade.OptDec("3")}, "repl-1c")
	var xe *exchange.Error
	if !errors.As(err, &xe) || xe.Code != "-2021" || !strings.Contains(xe.Message, "the order WAS CANCELED") || !strings.Contains(xe.Message, "insufficient balance") {
		t.Errorf("half-done cancel-replace = %v, want -2021 saying the order was canceled and why the new one was refused", err)
	}
	if now, err := e.GetOrder(ctx, exchange.OrderRef{ID: res.Order.ID}); err != nil || now.Status != trade.StatusCanceled {
		t.Errorf("after the half-done cancel-replace the order reads %s (%v), want canceled", now.Status, err)
	}

	partial := o
	partial.FilledQty = trade.Dec("0.0001")
	n := len(f.Srv.Requests())
	if _, err := e.AmendOrder(ctx, partial, trade.AmendRequest{Price: trade.OptDec("39000")}, ""); !errors.Is(err, exchange.ErrInvalidOrder) {
		t.Errorf("cancel-replace of a partially filled order = %v, want ErrInvalidOrder", err)
	}
	if got := len(f.Srv.Requests()) - n; got != 0 {
		t.Errorf("refused cancel-replace sent %d requests, want 0", got)
	}
}
