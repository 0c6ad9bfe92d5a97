package coinbase

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// A quote-sized market buy is market_market_ioc.quote_size; a sell is
// refused, since the reference documents quote_size for buys only.
func TestQuoteSizedConfig(t *testing.T) {
	req := trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, QuoteQty: trade.OptDec("25.50")}
	got, err := buildConfig(req, time.Now(), "")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	if diff := cmp.Diff(`{"market_market_ioc":{"quote_size":"25.5"}}`, string(b)); diff != "" {
		t.Errorf("order_configuration (-want +got):\n%s", diff)
	}
}

func TestQuoteSizedOrders(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	if !exchange.CanQuoteSize(e, trade.Buy) || exchange.CanQuoteSize(e, trade.Sell) {
		t.Fatal("coinbase must claim quote-sized buys, and only buys")
	}
	// A quote-sized sell is sized by tradectl (base_size only on a sell).
	if exchange.CanSizeQuoteClientSide(e, trade.Buy) || !exchange.CanSizeQuoteClientSide(e, trade.Sell) {
		t.Fatal("coinbase must let tradectl size quote-sized sells, and only sells")
	}
	_, err := e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: btcusd, Side: trade.Sell, Type: trade.Market, QuoteQty: trade.OptDec("25")})
	if !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), "no quote-sized sell orders") {
		t.Errorf("quote-sized sell: %v, want ErrInvalidOrder", err)
	}
	if n := f.Srv.Count(http.MethodPost, "/api/v3/brokerage/orders"); n != 0 {
		t.Fatalf("a refused quote-sized sell sent %d order requests", n)
	}
	o, err := e.PlaceOrder(ctxT(t), trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, QuoteQty: trade.OptDec("25")})
	if err != nil {
		t.Fatal(err)
	}
	if o, err = e.GetOrder(ctxT(t), exchange.OrderRef{ID: o.ID}); err != nil {
		t.Fatal(err)
	}
	value := o.FilledQty.Mul(o.AvgFillPrice.Decimal)
	if o.Status != trade.StatusFilled || !o.Qty.Equal(o.FilledQty) || value.GreaterThan(trade.Dec("25")) {
		t.Errorf("quote-sized buy: %s, %s of %s at %s (value %s); want filled for at most 25", o.Status, o.FilledQty, o.Qty, o.AvgFillPrice.Decimal, value)
	}
}
