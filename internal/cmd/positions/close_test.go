package positions

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmd/order/ordertest"
	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/trade"
)

func TestPlanClose(t *testing.T) {
	sym := trade.MustSymbol("BTC-USD")
	all := decimal.NullDecimal{}
	some := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(trade.Dec(s)) }
	unknown := decimal.NullDecimal{}
	tests := []struct {
		name      string
		held      string
		want      decimal.NullDecimal
		step      string
		free      decimal.NullDecimal
		closing   Closing
		wantUsage string
	}{
		{"long, all, on the step", "0.5", all, "0.001", unknown,
			Closing{Symbol: sym, Held: trade.Dec("0.5"), Side: trade.Sell, Qty: trade.Dec("0.5"), Remainder: trade.Dec("0")}, ""},
		{"long, all, remainder below a step", "0.123456", all, "0.001", unknown,
			Closing{Symbol: sym, Held: trade.Dec("0.123456"), Side: trade.Sell, Qty: trade.Dec("0.123"), Remainder: trade.Dec("0.000456")}, ""},
		{"short is bought back", "-3", all, "1", unknown,
			Closing{Symbol: sym, Held: trade.Dec("-3"), Side: trade.Buy, Qty: trade.Dec("3"), Remainder: trade.Dec("0")}, ""},
		{"part of it, rounded down", "2", some("1.2345"), "0.01", unknown,
			Closing{Symbol: sym, Held: trade.Dec("2"), Side: trade.Sell, Qty: trade.Dec("1.23"), Remainder: trade.Dec("0.77")}, ""},
		{"fees in the base asset: sized to the free balance", "0.01", all, "0.00001", some("0.00999"),
			Closing{Symbol: sym, Held: trade.Dec("0.01"), Side: trade.Sell, Qty: trade.Dec("0.00999"), Remainder: trade.Dec("0.00001"), CappedToFree: true}, ""},
		{"free balance above the position: the position", "1", all, "0.001", some("5"),
			Closing{Symbol: sym, Held: trade.Dec("1"), Side: trade.Sell, Qty: trade.Dec("1"), Remainder: trade.Dec("0")}, ""},
		{"a short buys back whatever the balance", "-2", all, "1", some("0"),
			Closing{Symbol: sym, Held: trade.Dec("-2"), Side: trade.Buy, Qty: trade.Dec("2"), Remainder: trade.Dec("0")}, ""},
		{"nothing free", "1", all, "0.001", some("0"), Closing{}, "less than one step"},
		{"nothing held", "0", all, "0.001", unknown, Closing{}, "no position in BTC-USD to close"},
		{"more than held", "1", some("2"), "0.001", unknown, Closing{}, "--qty 2 is more than the position in BTC-USD (1)"},
		{"less than one step", "0.0004", all, "0.001", unknown, Closing{}, "is less than one step (0.001)"},
		{"a short below one step", "-0.0004", all, "0.001", unknown, Closing{}, "is less than one step"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := PlanClose(sym, trade.Dec(tc.held), tc.want, trade.Dec(tc.step), tc.free)
			if tc.wantUsage != "" {
				var usage *cmdutil.UsageError
				if !errors.As(err, &usage) || !strings.Contains(err.Error(), tc.wantUsage) {
					t.Fatalf("error = %v, want a usage error containing %q", err, tc.wantUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.closing, got, decEqual); diff != "" {
				t.Errorf("closing (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCloseFlags(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantQty   decimal.NullDecimal
		wantUsage string
	}{
		{"all by default", []string{"BTC-USD"}, decimal.NullDecimal{}, ""},
		{"all spelled out", []string{"BTC-USD", "--qty", "ALL"}, decimal.NullDecimal{}, ""},
		{"a quantity", []string{"BTC-USD", "--qty", "0.25"}, decimal.NewNullDecimal(trade.Dec("0.25")), ""},
		{"zero", []string{"BTC-USD", "--qty", "0"}, decimal.NullDecimal{}, "--qty must be above 0"},
		{"negative", []string{"BTC-USD", "--qty", "-1"}, decimal.NullDecimal{}, "--qty must be above 0"},
		{"not a number", []string{"BTC-USD", "--qty", "half"}, decimal.NullDecimal{}, "--qty:"},
		{"bad symbol", []string{"BTC--USD"}, decimal.NullDecimal{}, "symbol"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := ordertest.ParseFlags(t, ordertest.FlagsFactory(), NewCmdClose, tc.args, tc.wantUsage)
			if o == nil {
				return
			}
			if diff := cmp.Diff(tc.wantQty, o.Qty, decEqual); diff != "" {
				t.Errorf("qty (-want +got):\n%s", diff)
			}
			if o.Symbol != trade.MustSymbol("BTC-USD") {
				t.Errorf("symbol = %s, want BTC-USD", o.Symbol)
			}
		})
	}
}
