package binance

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestFillsFor reads every fill of several symbols, each from the first
// (fromId=0) on, signed and through the weight limiter.
func TestFillsFor(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	ethusdt := trade.MustSymbol("ETH-USDT")
	for _, req := range []trade.OrderRequest{
		{Symbol: btcusdt, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.001")},
		{Symbol: btcusdt, Side: trade.Sell, Type: trade.Market, Qty: trade.Dec("0.0005")},
		{Symbol: ethusdt, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.01")},
	} {
		if _, err := e.PlaceOrder(ctx, req); err != nil {
			t.Fatal(err)
		}
	}
	before := f.Srv.Count(http.MethodGet, "/api/v3/myTrades")
	fills, err := e.FillsFor(ctx, []trade.Symbol{btcusdt, ethusdt})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fl := range fills {
		got = append(got, fl.Symbol.String()+" "+string(fl.Side)+" "+fl.Qty.String())
	}
	want := []string{"BTC-USDT buy 0.001", "BTC-USDT sell 0.0005", "ETH-USDT buy 0.01"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fills (-want +got):\n%s", diff)
	}
	if n := f.Srv.Count(http.MethodGet, "/api/v3/myTrades") - before; n != 2 {
		t.Errorf("%d myTrades requests, want one per symbol", n)
	}
	for _, r := range f.Srv.Requests() {
		if r.Path == "/api/v3/myTrades" && (!strings.Contains(r.Query, "fromId=0") || !strings.Contains(r.Query, "signature=")) {
			t.Errorf("myTrades query %q: want fromId=0, signed", r.Query)
		}
	}
}

// TestAllFillsPages: a symbol with more fills than a page is read page by
// page, each page from the id after the last one seen.
func TestAllFillsPages(t *testing.T) {
	f, e, ctx := adapter.Start(t)
	for range 5 {
		if _, err := e.PlaceOrder(ctx, trade.OrderRequest{Symbol: btcusdt, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("0.001")}); err != nil {
			t.Fatal(err)
		}
	}
	before := f.Srv.Count(http.MethodGet, "/api/v3/myTrades")
	fills, err := e.allFills(ctx, btcusdt, 2)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, fl := range fills {
		ids = append(ids, fl.ID)
	}
	if diff := cmp.Diff([]string{"1", "2", "3", "4", "5"}, ids); diff != "" {
		t.Errorf("fill ids (-want +got):\n%s", diff)
	}
	if n := f.Srv.Count(http.MethodGet, "/api/v3/myTrades") - before; n != 3 {
		t.Errorf("%d pages read, want 3 (2+2+1)", n)
	}
}

// TestFillsForFailure: one symbol's failure is the answer, typed.
func TestFillsForFailure(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	_, err := e.FillsFor(ctxT(t), []trade.Symbol{btcusdt, trade.MustSymbol("NOPE-USDT")})
	if !errors.Is(err, exchange.ErrNotFound) && !errors.Is(err, exchange.ErrInvalidOrder) {
		t.Errorf("FillsFor with an unknown symbol: %v, want a typed venue error", err)
	}
	if err != nil && !strings.Contains(err.Error(), "NOPE-USDT") {
		t.Errorf("error %q does not name the symbol", err)
	}
}
