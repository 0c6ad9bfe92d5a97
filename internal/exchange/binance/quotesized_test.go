package binance

import (
	"errors"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// A quote-sized market order sends quoteOrderQty in place of quantity
// ("MARKET needs quantity or quoteOrderQty"), on either side.
func TestQuoteSizedOrderParams(t *testing.T) {
	for _, side := range []trade.Side{trade.Buy, trade.Sell} {
		req := trade.OrderRequest{Symbol: btcusdt, Side: side, Type: trade.Market, QuoteQty: trade.OptDec("100.50")}
		q, err := orderParams(req, "BTCUSDT", "q-1")
		if err != nil {
			t.Fatal(err)
		}
		want := "symbol=BTCUSDT&side=" + map[trade.Side]string{trade.Buy: "BUY", trade.Sell: "SELL"}[side] +
			"&type=MARKET&quoteOrderQty=100.5&newClientOrderId=q-1&newOrderRespType=FULL"
		if diff := cmp.Diff(want, q.String()); diff != "" {
			t.Errorf("orderParams %s (-want +got):\n%s", side, diff)
		}
	}
}

// The fake fills a quoteOrderQty order for what the amount buys at the
// ask, rounded down to the step; an amount below the minimum notional is
// refused locally, before a request.
func TestQuoteSizedOrderFills(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	if !exchange.CanQuoteSize(e, trade.Buy) || !exchange.CanQuoteSize(e, trade.Sell) {
		t.Fatal("binance does not claim quote-sized orders on both sides")
	}
	o, err := e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Market, QuoteQty: trade.OptDec("100")})
	if err != nil {
		t.Fatal(err)
	}
	r := f.Srv.LastRequest()
	sent, err := url.ParseQuery(r.Query + "&" + r.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got := sent.Get("quoteOrderQty"); r.Path != "/api/v3/order" || got != "100" || sent.Has("quantity") {
		t.Errorf("sent %s with quoteOrderQty %q and quantity %v; want quoteOrderQty 100 and no quantity", r.Path, got, sent.Has("quantity"))
	}
	value := o.FilledQty.Mul(o.AvgFillPrice.Decimal)
	if o.Status != trade.StatusFilled || value.GreaterThan(trade.Dec("100")) || !o.Qty.Equal(o.FilledQty) {
		t.Errorf("quote-sized buy: %s, %s of %s at %s (value %s); want filled for at most 100", o.Status, o.FilledQty, o.Qty, o.AvgFillPrice.Decimal, value)
	}

	before := f.Srv.OrdersPlaced()
	_, err = e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Market, QuoteQty: trade.OptDec("0.01")})
	if !errors.Is(err, exchange.ErrInvalidOrder) {
		t.Errorf("quote-sized buy below the minimum notional: %v, want ErrInvalidOrder", err)
	}
	if f.Srv.OrdersPlaced() != before {
		t.Error("an order below the minimum notional reached the venue")
	}
}
