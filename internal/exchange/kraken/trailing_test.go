package kraken

import (
	"net/url"
	"testing"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

// A trailing stop goes out as ordertype=trailing-stop with the trail as a
// + prefixed relative price (a % suffix for a percentage), and reads back
// with the same trail from descr.price.
func TestTrailingStopOrders(t *testing.T) {
	f := adapter.Fixture(t)
	e := f.Open(t, nil)
	if u := e.TrailUnits(btcusd); !u.Pct || !u.Amount {
		t.Fatalf("TrailUnits = %+v, want both units", u)
	}
	tests := []struct {
		name      string
		req       trade.OrderRequest
		wantPrice string
	}{
		{"percent", trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.TrailingStop, Qty: trade.Dec("0.01"), TrailPct: trade.OptDec("1.5")}, "+1.5%"},
		{"amount", trade.OrderRequest{Symbol: btcusd, Side: trade.Buy, Type: trade.TrailingStop, Qty: trade.Dec("0.01"), TrailAmount: trade.OptDec("250")}, "+250"},
	}
	for _, tt := range tests {
		o, err := e.PlaceOrder(ctxT(t), tt.req)
		if err != nil {
			t.Fatalf("%s: PlaceOrder: %v", tt.name, err)
		}
		var body string
		for _, r := range f.Srv.Requests() {
			if r.Path == pathAddOrder {
				body = r.Body
			}
		}
		sent, err := url.ParseQuery(body)
		if err != nil {
			t.Fatal(err)
		}
		if sent.Get("ordertype") != "trailing-stop" || sent.Get("price") != tt.wantPrice || sent.Has("price2") || sent.Has("timeinforce") {
			t.Errorf("%s: AddOrder %v; want ordertype trailing-stop, price %s, no price2, no timeinforce", tt.name, sent, tt.wantPrice)
		}
		got, err := e.GetOrder(ctxT(t), exchange.OrderRef{ID: o.ID})
		if err != nil {
			t.Fatal(err)
		}
		if got.Type != trade.TrailingStop || got.Status != trade.StatusOpen || !tt.req.SameTrail(trade.OrderRequest{TrailPct: got.TrailPct, TrailAmount: got.TrailAmount}) {
			t.Errorf("%s: GetOrder = %s %s pct %v amount %v; want an open trailing-stop with the trail sent", tt.name, got.Status, got.Type, got.TrailPct, got.TrailAmount)
		}
	}
}

func TestReadTrail(t *testing.T) {
	tests := []struct{ in, pct, amount string }{
		{"+5.0000%", "5", ""}, {"+250.0", "", "250"}, {"+0", "", ""}, {"60000", "", ""}, {"#2%", "", ""}, {"", "", ""},
	}
	for _, tt := range tests {
		pct, amount := readTrail(tt.in)
		if pct.Valid != (tt.pct != "") || amount.Valid != (tt.amount != "") ||
			(pct.Valid && !pct.Decimal.Equal(trade.Dec(tt.pct))) || (amount.Valid && !amount.Decimal.Equal(trade.Dec(tt.amount))) {
			t.Errorf("readTrail(%q) = %v, %v; want pct %q amount %q", tt.in, pct, amount, tt.pct, tt.amount)
		}
	}
}
