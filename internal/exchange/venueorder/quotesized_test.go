package venueorder

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestCheckQuoteSized(t *testing.T) {
	btc := trade.Symbol{Base: "BTC", Quote: "USD"}
	sized := func(side trade.Side) trade.OrderRequest {
		return trade.OrderRequest{Symbol: btc, Side: side, Type: trade.Market, QuoteQty: decimal.NewNullDecimal(decimal.NewFromInt(100))}
	}
	plain := trade.OrderRequest{Symbol: btc, Side: trade.Sell, Type: trade.Market, Qty: decimal.NewFromInt(1)}
	tests := []struct {
		name  string
		req   trade.OrderRequest
		sides []trade.Side
		want  string // "" when accepted
	}{
		{"base-sized on a venue without the capability", plain, nil, ""},
		{"buy where buys are taken", sized(trade.Buy), []trade.Side{trade.Buy}, ""},
		{"sell where only buys are taken", sized(trade.Sell), []trade.Side{trade.Buy}, "coinbase: invalid order: coinbase takes no quote-sized sell orders: give the quantity in the base asset"},
		{"any side where none is taken", sized(trade.Buy), nil, "coinbase: invalid order: coinbase takes no quote-sized orders: give the quantity in the base asset"},
	}
	for _, tt := range tests {
		err := CheckQuoteSized("coinbase", tt.req, tt.sides...)
		got := ""
		if err != nil {
			got = err.Error()
			if !errors.Is(err, exchange.ErrInvalidOrder) {
				t.Errorf("%s: %v is not ErrInvalidOrder", tt.name, err)
			}
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
}
