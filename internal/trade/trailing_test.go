package trade

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
)

func TestTrailingStopValidation(t *testing.T) {
	base := OrderRequest{Symbol: MustSymbol("BTC-USD"), Side: Sell, Type: TrailingStop, Qty: Dec("0.1")}
	with := func(f func(*OrderRequest)) OrderRequest { r := base; f(&r); return r }
	pct := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(Dec(s)) }
	tests := []struct {
		name    string
		req     OrderRequest
		wantErr string // "" for valid
	}{
		{"percent", with(func(r *OrderRequest) { r.TrailPct = pct("1.5") }), ""},
		{"amount", with(func(r *OrderRequest) { r.TrailAmount = pct("250") }), ""},
		{"day", with(func(r *OrderRequest) { r.TrailPct = pct("1"); r.TimeInForce = Day }), ""},
		{"neither", base, "trail_pct: or trail_amount is required"},
		{"both", with(func(r *OrderRequest) { r.TrailPct = pct("1"); r.TrailAmount = pct("5") }), "cannot be combined"},
		{"zero percent", with(func(r *OrderRequest) { r.TrailPct = pct("0") }), "trail_pct: must be greater than 0"},
		{"100 percent", with(func(r *OrderRequest) { r.TrailPct = pct("100") }), "trail_pct: must be less than 100"},
		{"negative amount", with(func(r *OrderRequest) { r.TrailAmount = pct("-1") }), "trail_amount: must be greater than 0"},
		{"stop price", with(func(r *OrderRequest) { r.TrailPct = pct("1"); r.StopPrice = pct("90000") }), "stop_price: is not allowed"},
		{"limit price", with(func(r *OrderRequest) { r.TrailPct = pct("1"); r.Price = pct("90000") }), "price: is not allowed"},
		{"ioc", with(func(r *OrderRequest) { r.TrailPct = pct("1"); r.TimeInForce = IOC }), "time_in_force: ioc is not allowed"},
		{"quote sized", with(func(r *OrderRequest) { r.TrailPct = pct("1"); r.Qty = Dec("0"); r.QuoteQty = pct("100") }), "quote_qty"},
		{"trail on a stop", with(func(r *OrderRequest) { r.Type = Stop; r.StopPrice = pct("90000"); r.TrailPct = pct("1") }),
			"trail_pct: is only allowed on a trailing-stop order"},
		{"trail on a market", with(func(r *OrderRequest) { r.Type = Market; r.TrailAmount = pct("1") }),
			"trail_amount: is only allowed on a trailing-stop order"},
	}
	for _, tt := range tests {
		err := tt.req.Validate()
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: Validate() = %v, want nil", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: Validate() = %v, want an error containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestTrailStop(t *testing.T) {
	none := decimal.NullDecimal{}
	tests := []struct {
		side        Side
		extreme     string
		pct, amount decimal.NullDecimal
		want        string
	}{
		{Sell, "100000", decimal.NewNullDecimal(Dec("1.5")), none, "98500"},
		{Buy, "100000", decimal.NewNullDecimal(Dec("1.5")), none, "101500"},
		{Sell, "3000.5", none, decimal.NewNullDecimal(Dec("12.25")), "2988.25"},
		{Buy, "3000.5", none, decimal.NewNullDecimal(Dec("12.25")), "3012.75"},
	}
	for _, tt := range tests {
		if got := TrailStop(tt.side, Dec(tt.extreme), tt.pct, tt.amount); !got.Equal(Dec(tt.want)) {
			t.Errorf("TrailStop(%s, %s, %v, %v) = %s, want %s", tt.side, tt.extreme, tt.pct, tt.amount, got, tt.want)
		}
	}
}
