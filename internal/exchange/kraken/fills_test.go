package kraken

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/venuetest"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestFills(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	// A taker market buy, a maker fill of a resting order, and an ETH trade.
	m := venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01"), ClientID: "f-m"})
	r := venuetest.Place(t, ctx, e, restingBuy("f-r"))
	f.Srv.FillPartially(r.ID, trade.Dec("0.0004"))
	x := venuetest.Place(t, ctx, e, trade.OrderRequest{Symbol: ethusd, Side: trade.Sell, Type: trade.Market, Qty: trade.Dec("0.1"), ClientID: "f-x"})
	all, err := e.Fills(ctx, exchange.FillFilter{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, fl := range all {
		got[fl.OrderID] = fmt.Sprintf("%s %s %s @ %s fee %s %s %s", fl.Symbol, fl.Side, fl.Qty, fl.Price, fl.Fee, fl.FeeAsset, fl.Liquidity)
	}
	want := map[string]string{
		m.ID: "BTC-USD buy 0.01 @ 60000.1 fee 1.5601 USD taker", // 600.001 × 0.26%, rounded up to 4 places
		r.ID: "BTC-USD buy 0.0004 @ 40000 fee 0.0256 USD maker",
		x.ID: "ETH-USD sell 0.1 @ 3000 fee 0.78 USD taker",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fills (-want +got):\n%s", diff)
	}
	btc, err := e.Fills(ctx, exchange.FillFilter{Symbol: btcusd, Limit: 1})
	if err != nil || len(btc) != 1 || btc[0].Symbol != btcusd {
		t.Errorf("Fills(BTC-USD, limit 1) = %+v, %v", btc, err)
	}
	future, err := e.Fills(ctx, exchange.FillFilter{Since: time.Now().Add(time.Hour)})
	if err != nil || len(future) != 0 {
		t.Errorf("Fills(since an hour ahead) = %+v, %v", future, err)
	}
}
