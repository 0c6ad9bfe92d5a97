package trade

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func TestInstrumentConform(t *testing.T) {
	btc := Instrument{
		Symbol: MustSymbol("BTC-USD"), BaseAsset: "BTC", QuoteAsset: "USD",
		TickSize: Dec("0.01"), StepSize: Dec("0.0001"), MinQty: Dec("0.0001"), MaxQty: Dec("100"), MinNotional: Dec("5"),
	}
	limit := func(qty, price string) OrderRequest {
		return OrderRequest{Symbol: btc.Symbol, Side: Buy, Type: Limit, Qty: Dec(qty), Price: OptDec(price)}
	}
	market := OrderRequest{Symbol: btc.Symbol, Side: Buy, Type: Market, Qty: Dec("0.0001")}
	quoteSized := func(quote string) OrderRequest {
		return OrderRequest{Symbol: btc.Symbol, Side: Buy, Type: Market, QuoteQty: OptDec(quote)}
	}
	tests := []struct {
		name    string
		req     OrderRequest
		mode    RoundMode
		ref     decimal.Decimal
		want    OrderRequest
		wantErr string
	}{
		{name: "exact", req: limit("0.5", "60000.01"), want: limit("0.5", "60000.01")},
		{name: "tick reject names neighbours", req: limit("0.5", "60000.005"),
			wantErr: "price: 60000.005 is not a multiple of the tick size 0.01 for BTC-USD: nearest valid values are 60000 and 60000.01"},
		{name: "step reject", req: limit("0.00015", "60000"),
			wantErr: "qty: 0.00015 is not a multiple of the step size 0.0001 for BTC-USD: nearest valid values are 0.0001 and 0.0002"},
		{name: "tick down", req: limit("0.5", "60000.009"), mode: RoundDown, want: limit("0.5", "60000")},
		{name: "tick nearest", req: limit("0.5", "60000.005"), mode: RoundNearest, want: limit("0.5", "60000.01")},
		{name: "step down", req: limit("0.12349", "60000"), mode: RoundDown, want: limit("0.1234", "60000")},
		{name: "step nearest", req: limit("0.12345", "60000"), mode: RoundNearest, want: limit("0.1235", "60000")},
		{name: "rounds to zero", req: limit("0.00001", "60000"), mode: RoundDown, wantErr: "rounds to 0"},
		{name: "below min notional", req: limit("0.0001", "100"), wantErr: "order value 0.01 USD (0.0001 × 100) is below the minimum 5 USD"},
		{name: "above max qty", req: limit("101", "1"), wantErr: "above the maximum 100"},
		{name: "market notional uses ref", req: market, ref: Dec("60000"), want: market},
		{name: "market below notional with ref", req: market, ref: Dec("100"), wantErr: "below the minimum 5 USD"},
		{name: "market without ref skips notional", req: market, want: market},
		{name: "quote-sized: amount kept, no step applies", req: quoteSized("100.123"), mode: RoundDown, ref: Dec("60000"), want: quoteSized("100.123")},
		{name: "quote-sized below min notional", req: quoteSized("4.99"), wantErr: "quote_qty: order value 4.99 USD is below the minimum 5 USD for BTC-USD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := btc.Conform(tt.req, tt.mode, tt.ref)
			if tt.wantErr != "" {
				var v *ValidationError
				if !errors.As(err, &v) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Conform error = %v, want a ValidationError containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Conform: %v", err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("Conform (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRoundingHelpers(t *testing.T) {
	tests := []struct{ v, unit, floor, nearest string }{
		{"1.23456", "0.01", "1.23", "1.23"},
		{"1.235", "0.01", "1.23", "1.24"},
		{"7", "5", "5", "5"},
		{"8", "5", "5", "10"},
		{"0.0000000123", "0.00000001", "0.00000001", "0.00000001"},
	}
	for _, tt := range tests {
		if got := FloorTo(Dec(tt.v), Dec(tt.unit)); !got.Equal(Dec(tt.floor)) {
			t.Errorf("FloorTo(%s, %s) = %s, want %s", tt.v, tt.unit, got, tt.floor)
		}
		if got := NearestTo(Dec(tt.v), Dec(tt.unit)); !got.Equal(Dec(tt.nearest)) {
			t.Errorf("NearestTo(%s, %s) = %s, want %s", tt.v, tt.unit, got, tt.nearest)
		}
	}
}
