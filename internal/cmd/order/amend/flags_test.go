package amend

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmd/order/ordertest"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestAmendFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      string
		want      AmendOptions
		wantUsage string
	}{
		{name: "qty", args: "7 --qty 0.5", want: AmendOptions{Ref: exchange.OrderRef{ID: "7"}, Amend: trade.AmendRequest{Qty: trade.OptDec("0.5")}, Round: trade.RoundReject}},
		{name: "prices by client id with symbol", args: "--client-id c-1 --symbol BTC-USDT --price 100 --stop-price 101 --round down --dry-run",
			want: AmendOptions{Ref: exchange.OrderRef{ClientID: "c-1", Symbol: trade.MustSymbol("BTC-USDT")},
				Amend: trade.AmendRequest{Price: trade.OptDec("100"), StopPrice: trade.OptDec("101")}, Round: trade.RoundDown, DryRun: true}},
		{name: "override", args: "7 --qty 2 --override-limit max_order_qty",
			want: AmendOptions{Ref: exchange.OrderRef{ID: "7"}, Amend: trade.AmendRequest{Qty: trade.OptDec("2")}, Round: trade.RoundReject, OverrideLimits: []string{"max_order_qty"}}},
		{name: "nothing to change", args: "7", wantUsage: "nothing to amend: give a new qty, price or stop price"},
		{name: "no order", args: "--qty 1", wantUsage: "give exactly one of an order ID or --client-id"},
		{name: "id and client id", args: "7 --client-id c-1 --qty 1", wantUsage: "exactly one of an order ID or --client-id"},
		{name: "zero qty", args: "7 --qty 0", wantUsage: "--qty: must be greater than 0, got 0"},
		{name: "negative price", args: "7 --price -5", wantUsage: "--price: must be greater than 0"},
		{name: "not a number", args: "7 --stop-price ten", wantUsage: `--stop-price: "ten" is not a number`},
		{name: "bad round", args: "7 --qty 1 --round up", wantUsage: "--round"},
		{name: "bad override", args: "7 --qty 1 --override-limit max_fun", wantUsage: "--override-limit"},
		{name: "bad client id", args: "--client-id a/b --qty 1", wantUsage: "--client-id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ordertest.FlagsFactory()
			got := ordertest.ParseFlags(t, f, NewCmdAmend, strings.Fields(tt.args), tt.wantUsage)
			if got == nil {
				return
			}
			deps := cmpopts.IgnoreFields(AmendOptions{}, "IO", "Config", "OpenExchange", "Reconcile", "Journal", "Logger", "Printer", "KnownSymbol", "Yes", "Notify", "NotifyDeps", "Now")
			if diff := cmp.Diff(&tt.want, got, deps, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}
