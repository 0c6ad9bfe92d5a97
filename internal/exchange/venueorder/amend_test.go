package venueorder

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestCheckAmend(t *testing.T) {
	nd := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(decimal.RequireFromString(s)) }
	open := trade.Order{ID: "7", Symbol: btc, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC, Status: trade.StatusOpen,
		Qty: decimal.RequireFromString("2"), FilledQty: decimal.RequireFromString("0.5"), Price: nd("100")}
	filled := open
	filled.Status = trade.StatusFilled
	tests := []struct {
		name    string
		o       trade.Order
		a       trade.AmendRequest
		want    trade.OrderRequest
		wantErr string // the message of the venue's ErrInvalidOrder
	}{
		{name: "new price", o: open, a: trade.AmendRequest{Price: nd("101")},
			want: trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC, Qty: decimal.RequireFromString("2"), Price: nd("101")}},
		{name: "nothing to amend", o: open, a: trade.AmendRequest{}, wantErr: "nothing to amend"},
		{name: "not working", o: filled, a: trade.AmendRequest{Price: nd("101")}, wantErr: "only a working order can be amended"},
		{name: "quantity not above the filled part", o: open, a: trade.AmendRequest{Qty: nd("0.5")}, wantErr: "must be above the 0.5 already filled"},
		{name: "stop price on a limit order", o: open, a: trade.AmendRequest{StopPrice: nd("90")}, wantErr: "no stop price to amend"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CheckAmend("kraken", tt.o, tt.a)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
					t.Errorf("CheckAmend (-want +got):\n%s", diff)
				}
				return
			}
			var xe *exchange.Error
			var ve *trade.ValidationError
			if !errors.As(err, &xe) || xe.Kind != exchange.ErrInvalidOrder || xe.Venue != "kraken" || !errors.As(err, &ve) {
				t.Fatalf("CheckAmend error = %#v, want kraken's ErrInvalidOrder wrapping the domain's ValidationError", err)
			}
			if want := ve.Error(); xe.Message != want || !strings.Contains(want, tt.wantErr) {
				t.Errorf("message %q, want the domain's %q, saying %q", xe.Message, want, tt.wantErr)
			}
		})
	}
}
