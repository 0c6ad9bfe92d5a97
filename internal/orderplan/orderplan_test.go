package orderplan_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/orderplan"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestNeedsQuote(t *testing.T) {
	btc := trade.MustSymbol("BTC-USDT")
	market := trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, Qty: trade.Dec("1")}
	limit := trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Limit, Qty: trade.Dec("1"), Price: trade.OptDec("100")}
	tests := []struct {
		name     string
		req      trade.OrderRequest
		safety   config.Safety
		slippage decimal.NullDecimal
		prompt   bool
		want     bool
	}{
		{name: "market, no limits, no prompt", req: market},
		{name: "market valued against max_order_notional", req: market, safety: config.Safety{MaxOrderNotional: trade.Dec("1000")}, want: true},
		{name: "market under the profile's slippage guard", req: market, safety: config.Safety{MaxSlippagePct: trade.Dec("1")}, want: true},
		{name: "market under a command's slippage guard", req: market, slippage: decimal.NewNullDecimal(trade.Dec("1")), want: true},
		{name: "market shown on a confirmation screen", req: market, prompt: true, want: true},
		{name: "market under max_order_qty only", req: market, safety: config.Safety{MaxOrderQty: trade.Dec("5")}},
		{name: "limit carries its own value", req: limit, safety: config.Safety{MaxOrderNotional: trade.Dec("1000")}, prompt: true},
	}
	var got, want []string
	for _, tt := range tests {
		if orderplan.NeedsQuote(tt.req, tt.safety, tt.slippage, tt.prompt) {
			got = append(got, tt.name)
		}
		if tt.want {
			want = append(want, tt.name)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("orders that fetch a quote (-want +got):\n%s", diff)
	}
}
