package paper

import (
	"testing"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

func TestTakes(t *testing.T) {
	q := trade.Quote{Bid: dec("100"), Ask: dec("101")}
	px := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(dec(s)) }
	tests := []struct {
		name  string
		req   trade.OrderRequest
		quote trade.Quote
		want  bool
	}{
		{"market buy", trade.OrderRequest{Side: trade.Buy, Type: trade.Market}, q, true},
		{"market sell", trade.OrderRequest{Side: trade.Sell, Type: trade.Market}, q, true},
		{"limit buy below the ask rests", trade.OrderRequest{Side: trade.Buy, Type: trade.Limit, Price: px("100.5")}, q, false},
		{"limit buy at the ask takes", trade.OrderRequest{Side: trade.Buy, Type: trade.Limit, Price: px("101")}, q, true},
		{"limit sell through the bid takes", trade.OrderRequest{Side: trade.Sell, Type: trade.Limit, Price: px("99")}, q, true},
		{"limit sell above the bid rests", trade.OrderRequest{Side: trade.Sell, Type: trade.Limit, Price: px("100.5")}, q, false},
		{"stop waits for its trigger", trade.OrderRequest{Side: trade.Sell, Type: trade.Stop, StopPrice: px("90")}, q, false},
		{"a buy with no ask quoted rests", trade.OrderRequest{Side: trade.Buy, Type: trade.Limit, Price: px("1000")}, trade.Quote{Bid: dec("100")}, false},
	}
	for _, tt := range tests {
		if got := takes(tt.req, tt.quote); got != tt.want {
			t.Errorf("%s: takes = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// TestLiveDepthOnlyWhenTaking: a resting limit on a live-priced account
// costs the source its quote only; a market order also its order book,
// which it fills against.
func TestLiveDepthOnlyWhenTaking(t *testing.T) {
	l := newLive(t, nil)
	before := l.srv.Count("GET", "/api/v3/depth")
	place(t, l.e, limitOn(btcusdt, trade.Buy, "0.001", "50000"))
	if n := l.srv.Count("GET", "/api/v3/depth") - before; n != 0 {
		t.Errorf("a resting limit read the book %d times", n)
	}
	o := place(t, l.e, market(btcusdt, trade.Buy, "1.5"))
	if n := l.srv.Count("GET", "/api/v3/depth") - before; n != 1 {
		t.Errorf("a market order read the book %d times, want 1", n)
	}
	// The fake's book holds 1 at the ask and 2 a tick above: 1.5 walks two levels.
	if o.Status != trade.StatusFilled || !o.AvgFillPrice.Valid || !o.AvgFillPrice.Decimal.GreaterThan(dec("60000.01")) {
		t.Errorf("market buy of 1.5: %s at %v, want filled above the ask by walking the book", o.Status, o.AvgFillPrice)
	}
}
