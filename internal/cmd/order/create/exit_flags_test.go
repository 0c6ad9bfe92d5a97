package create

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmd/order/ordertest"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestExitFlags(t *testing.T) {
	btc := trade.MustSymbol("BTC-USD")
	tests := []struct {
		name      string
		args      string
		want      trade.OrderRequest
		wantUsage string
	}{
		{
			name: "bracket on a market buy",
			args: "BTC-USD --side buy --qty 0.01 --take-profit 110000 --stop-loss 100000",
			want: trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, TimeInForce: trade.GTC, Qty: trade.Dec("0.01"),
				Exits: &trade.Exits{TakeProfit: trade.OptDec("110000"), StopLoss: trade.OptDec("100000")}},
		},
		{
			name: "OCO: the take-profit is the limit price",
			args: "BTC-USD --side sell --qty 0.01 --oco --take-profit 110000 --stop-loss 100000 --stop-loss-limit 99000",
			want: trade.OrderRequest{Symbol: btc, Side: trade.Sell, Type: trade.Limit, TimeInForce: trade.GTC, Qty: trade.Dec("0.01"),
				Price: trade.OptDec("110000"), Exits: &trade.Exits{StopLoss: trade.OptDec("100000"), StopLossLimit: trade.OptDec("99000"), OCO: true}},
		},
		{
			name: "take-profit alone: a single exit",
			args: "BTC-USD --side buy --qty 1 --price 4 --take-profit 5",
			want: trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC, Qty: trade.Dec("1"),
				Price: trade.OptDec("4"), Exits: &trade.Exits{TakeProfit: trade.OptDec("5")}},
		},
		{
			name: "stop-loss limit alone: a single exit",
			args: "BTC-USD --side buy --qty 1 --stop-loss 5 --stop-loss-limit 4.9",
			want: trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, TimeInForce: trade.GTC, Qty: trade.Dec("1"),
				Exits: &trade.Exits{StopLoss: trade.OptDec("5"), StopLossLimit: trade.OptDec("4.9")}},
		},
		{name: "take-profit alone above a buy's entry", args: "BTC-USD --side buy --qty 1 --price 6 --take-profit 5", wantUsage: "--take-profit a buy's take-profit 5 must be above its entry 6"},
		{name: "stop-loss limit without stop-loss", args: "BTC-USD --side buy --qty 1 --take-profit 5 --stop-loss-limit 4", wantUsage: "--stop-loss-limit needs --stop-loss"},
		{name: "oco without stop-loss", args: "BTC-USD --side sell --qty 1 --oco --take-profit 5", wantUsage: "--oco needs --take-profit and --stop-loss"},
		{name: "oco with price", args: "BTC-USD --side sell --qty 1 --oco --take-profit 6 --stop-loss 5 --price 6", wantUsage: "--oco takes its prices from --take-profit and --stop-loss"},
		{name: "oco as a market order", args: "BTC-USD --side sell --qty 1 --oco --take-profit 6 --stop-loss 5 --type market", wantUsage: "--oco: the take-profit leg is a limit order"},
		{name: "buy exits inverted", args: "BTC-USD --side buy --qty 1 --price 10 --take-profit 9 --stop-loss 8", wantUsage: "--take-profit a buy's stop-loss 8 must be below its entry 10, and its take-profit 9 above it"},
		{name: "sell OCO inverted", args: "BTC-USD --side sell --qty 1 --oco --take-profit 5 --stop-loss 6", wantUsage: "--stop-loss 6 must be below the take-profit 5 (the exits sell)"},
		{name: "stop entry", args: "BTC-USD --side buy --qty 1 --stop-price 10 --take-profit 12 --stop-loss 8", wantUsage: "--type a bracket's entry is a market or limit order, got stop"},
		{name: "quote-sized entry", args: "BTC-USD --side buy --quote-qty 100 --take-profit 12 --stop-loss 8", wantUsage: "--quote-qty cannot be combined with linked exits"},
		{name: "bad stop-loss", args: "BTC-USD --side buy --qty 1 --take-profit 12 --stop-loss x", wantUsage: "--stop-loss: invalid number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ordertest.FlagsFactory()
			got := ordertest.ParseFlags(t, f, NewCmdCreate, strings.Fields(tt.args), tt.wantUsage)
			if got == nil {
				return
			}
			if diff := cmp.Diff(tt.want, got.Request, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
}
