package trade

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

func nd(s string) decimal.NullDecimal { return decimal.NewNullDecimal(decimal.RequireFromString(s)) }

func TestConformAmend(t *testing.T) {
	in := Instrument{Symbol: MustSymbol("BTC-USD"), QuoteAsset: "USD", TickSize: decimal.RequireFromString("0.01"),
		StepSize: decimal.RequireFromString("0.001"), MinQty: decimal.RequireFromString("0.001"), MinNotional: decimal.NewFromInt(10)}
	limit := Order{ID: "7", Symbol: in.Symbol, Side: Buy, Type: Limit, TimeInForce: GTC, Status: StatusPartiallyFilled,
		Qty: decimal.RequireFromString("1"), FilledQty: decimal.RequireFromString("0.4"), Price: nd("100")}
	stop := Order{ID: "8", Symbol: in.Symbol, Side: Sell, Type: Stop, TimeInForce: GTC, Status: StatusOpen,
		Qty: decimal.RequireFromString("1"), StopPrice: nd("90")}
	tests := []struct {
		name    string
		o       Order
		a       AmendRequest
		mode    RoundMode
		want    AmendRequest
		wantErr string
	}{
		{name: "qty down", o: limit, a: AmendRequest{Qty: nd("0.5")}, want: AmendRequest{Qty: nd("0.5")}},
		{name: "price rounded down", o: limit, a: AmendRequest{Price: nd("99.999")}, mode: RoundDown, want: AmendRequest{Price: nd("99.99")}},
		{name: "off tick refused", o: limit, a: AmendRequest{Price: nd("99.999")}, wantErr: "price: 99.999 is not a multiple of the tick size"},
		{name: "qty not above filled", o: limit, a: AmendRequest{Qty: nd("0.4")}, wantErr: "qty: the new total 0.4 must be above the 0.4 already filled"},
		{name: "qty rounds to filled", o: limit, a: AmendRequest{Qty: nd("0.4004")}, mode: RoundDown, wantErr: "qty: 0.4004 rounds to 0.4, not above"},
		{name: "value below minimum", o: limit, a: AmendRequest{Price: nd("5")}, wantErr: "below the minimum 10 USD"},
		{name: "stop price of a stop", o: stop, a: AmendRequest{StopPrice: nd("89.5")}, want: AmendRequest{StopPrice: nd("89.5")}},
		{name: "price of a stop", o: stop, a: AmendRequest{Price: nd("89")}, wantErr: "price: a stop order has no limit price to amend"},
		{name: "stop price of a limit", o: limit, a: AmendRequest{StopPrice: nd("89")}, wantErr: "stop_price: a limit order has no stop price"},
		{name: "nothing", o: limit, wantErr: "nothing to amend"},
		{name: "rounds to the same price", o: limit, a: AmendRequest{Price: nd("100.004")}, mode: RoundDown, wantErr: "nothing to amend: order 7 already has price 100 → 100"},
		{name: "negative", o: limit, a: AmendRequest{Qty: nd("-1")}, wantErr: "qty: must be greater than 0"},
		{name: "filled order", o: Order{ID: "9", Symbol: in.Symbol, Side: Buy, Type: Limit, Status: StatusFilled, Qty: decimal.NewFromInt(1), Price: nd("100")},
			a: AmendRequest{Qty: nd("2")}, wantErr: "order 9 is filled: only a working order can be amended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := in.ConformAmend(tt.o, tt.a, tt.mode)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ConformAmend() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ConformAmend(): %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ConformAmend() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAmendChanges(t *testing.T) {
	o := Order{Type: Limit, Qty: decimal.NewFromInt(2), Price: nd("100")}
	a := AmendRequest{Qty: nd("1"), Price: nd("99.5")}
	if got, want := a.Changes(o), "qty 2 → 1, price 100 → 99.5"; got != want {
		t.Errorf("Changes() = %q, want %q", got, want)
	}
	if a.QtyDownOnly(o) {
		t.Errorf("QtyDownOnly() with a price change = true")
	}
	if !(AmendRequest{Qty: nd("1")}).QtyDownOnly(o) || (AmendRequest{Qty: nd("3")}).QtyDownOnly(o) {
		t.Errorf("QtyDownOnly() wrong for a lone qty change")
	}
}
