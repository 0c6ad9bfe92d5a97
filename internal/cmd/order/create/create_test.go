package create

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmd/order/ordertest"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestCreateFlags(t *testing.T) {
	btc := trade.MustSymbol("BTC-USD")
	tests := []struct {
		name      string
		args      string
		want      CreateOptions
		wantUsage string
	}{
		{
			name: "market inferred",
			args: "btc/usd --side BUY --qty 0.01",
			want: CreateOptions{Request: trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, TimeInForce: trade.GTC, Qty: trade.Dec("0.01")}, Round: trade.RoundReject},
		},
		{
			name: "limit inferred from price",
			args: "BTC-USD -s sell -q 1 -p 60000.5 --post-only --client-id abc-1 --round down",
			want: CreateOptions{Request: trade.OrderRequest{Symbol: btc, Side: trade.Sell, Type: trade.Limit, TimeInForce: trade.GTC,
				Qty: trade.Dec("1"), Price: trade.OptDec("60000.5"), PostOnly: true, ClientID: "abc-1"}, Round: trade.RoundDown},
		},
		{
			name: "stop-limit inferred",
			args: "BTC-USD --side sell --qty 1 --price 50 --stop-price 51 --tif day --dry-run",
			want: CreateOptions{Request: trade.OrderRequest{Symbol: btc, Side: trade.Sell, Type: trade.StopLimit, TimeInForce: trade.Day,
				Qty: trade.Dec("1"), Price: trade.OptDec("50"), StopPrice: trade.OptDec("51")}, Round: trade.RoundReject, DryRun: true},
		},
		{name: "zero qty", args: "BTC-USD --side buy --qty 0", wantUsage: "--qty must be greater than 0"},
		{name: "negative qty", args: "BTC-USD --side buy --qty -1", wantUsage: "--qty must be greater than 0"},
		{name: "exponent qty", args: "BTC-USD --side buy --qty 1e3", wantUsage: "--qty: invalid number"},
		{name: "limit without price", args: "BTC-USD --side buy --qty 1 --type limit", wantUsage: "--price is required for a limit order"},
		{name: "market with price", args: "BTC-USD --side buy --qty 1 --type market --price 5", wantUsage: "--price is not allowed"},
		{name: "bad side", args: "BTC-USD --side long --qty 1", wantUsage: "--side: invalid side"},
		{name: "bad type", args: "BTC-USD --side buy --qty 1 --type trailing", wantUsage: "--type: invalid order type"},
		{name: "bad tif", args: "BTC-USD --side buy --qty 1 --tif gtd", wantUsage: "--tif"},
		{name: "bad round", args: "BTC-USD --side buy --qty 1 --round up", wantUsage: "--round"},
		{name: "bad symbol", args: "BTC--USD --side buy --qty 1", wantUsage: "invalid symbol"},
		{name: "post-only market", args: "BTC-USD --side buy --qty 1 --post-only", wantUsage: "--post-only is only allowed on limit orders"},
		{name: "bad client id", args: "BTC-USD --side buy --qty 1 --client-id a/b", wantUsage: "--client-id has invalid character"},
		{
			name: "idempotency key and lock timeout",
			args: "BTC-USD --side buy --qty 1 --idempotency-key dca-2026-11-27 --lock-timeout 2s",
			want: CreateOptions{Request: trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, TimeInForce: trade.GTC, Qty: trade.Dec("1")},
				Round: trade.RoundReject, IdempotencyKey: "dca-2026-11-27", LockTimeout: 2 * time.Second},
		},
		{
			name: "lock timeout 0 is one try",
			args: "BTC-USD --side buy --qty 1 --lock-timeout 0",
			want: CreateOptions{Request: trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, TimeInForce: trade.GTC, Qty: trade.Dec("1")},
				Round: trade.RoundReject, LockTimeout: 0},
		},
		{name: "empty idempotency key", args: "BTC-USD --side buy --qty 1 --idempotency-key=", wantUsage: "--idempotency-key: the idempotency key is empty"},
		{name: "negative lock timeout", args: "BTC-USD --side buy --qty 1 --lock-timeout -1s", wantUsage: "--lock-timeout must be 0"},
		{
			name: "quote-sized market buy",
			args: "BTC-USDT --side buy --quote-qty 100",
			want: CreateOptions{Request: trade.OrderRequest{Symbol: trade.MustSymbol("BTC-USDT"), Side: trade.Buy, Type: trade.Market, TimeInForce: trade.GTC,
				QuoteQty: trade.OptDec("100")}, Round: trade.RoundReject},
		},
		{
			name: "sell all",
			args: "BTC-USD --side sell --qty all",
			want: CreateOptions{Request: trade.OrderRequest{Symbol: btc, Side: trade.Sell, Type: trade.Market, TimeInForce: trade.GTC},
				QtyShare: decimal.NewNullDecimal(trade.Dec("1")), Round: trade.RoundReject},
		},
		{
			name: "limit buy with half the quote balance",
			args: "BTC-USD --side buy --qty 50% --price 60000",
			want: CreateOptions{Request: trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC, Price: trade.OptDec("60000")},
				QtyShare: decimal.NewNullDecimal(trade.Dec("0.5")), Round: trade.RoundReject},
		},
		{name: "qty and quote qty", args: "BTC-USD --side buy --qty 1 --quote-qty 100", wantUsage: "give --qty or --quote-qty, not both"},
		{name: "neither qty nor quote qty", args: "BTC-USD --side buy", wantUsage: "give --qty (in the base asset, all or N%) or --quote-qty"},
		{name: "quote qty on a limit", args: "BTC-USD --side buy --quote-qty 100 --price 5", wantUsage: "--quote-qty is only allowed on market orders, got a limit order"},
		{name: "zero quote qty", args: "BTC-USD --side buy --quote-qty 0", wantUsage: "--quote-qty must be greater than 0"},
		{name: "quote qty not a number", args: "BTC-USD --side buy --quote-qty ten", wantUsage: "--quote-qty: invalid number"},
		{
			// Parsed: whether the guard can bound it depends on the venue
			// (the plan refuses it where the venue takes the quote amount).
			name: "quote qty with max slippage",
			args: "BTC-USD --side buy --quote-qty 100 --max-slippage 1",
			want: CreateOptions{Request: trade.OrderRequest{Symbol: btc, Side: trade.Buy, Type: trade.Market, TimeInForce: trade.GTC,
				QuoteQty: trade.OptDec("100")}, Round: trade.RoundReject, MaxSlippage: decimal.NewNullDecimal(trade.Dec("1"))},
		},
		{name: "zero percent", args: "BTC-USD --side sell --qty 0%", wantUsage: "--qty: a percentage must be above 0 and at most 100, got 0%"},
		{name: "share still checks the rest", args: "BTC-USD --side sell --qty all --post-only", wantUsage: "--post-only is only allowed on limit orders"},
		{name: "client id and key", args: "BTC-USD --side buy --qty 1 --client-id a --idempotency-key b", wantUsage: "give --client-id or --idempotency-key, not both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ordertest.FlagsFactory()
			got := ordertest.ParseFlags(t, f, NewCmdCreate, strings.Fields(tt.args), tt.wantUsage)
			if got == nil {
				return
			}
			if tt.want.LockTimeout == 0 && !strings.Contains(tt.args, "--lock-timeout") {
				tt.want.LockTimeout = 30 * time.Second
			}
			deps := cmpopts.IgnoreFields(CreateOptions{}, "IO", "Config", "OpenExchange", "Journal", "Dirs", "Logger", "Now", "Printer", "Yes", "Notify", "NotifyDeps")
			if diff := cmp.Diff(&tt.want, got, deps, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}
