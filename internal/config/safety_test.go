package config

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
	"github.com/tradectl/tradectl/internal/xdg"
)

// loadSafety writes a one-profile file with the given safety lines and
// returns the parsed safety of profile "live", through the real loader so
// YAML's own typing (ints, floats, lists) is what the parser sees.
func loadSafety(t *testing.T, lines string) (Safety, error) {
	t.Helper()
	dir := t.TempDir()
	body := "profiles:\n  live:\n    exchange: binance\n" + indent(lines, "    ")
	path := writeFile(t, dir, "config.yaml", body, 0o600)
	cfg, err := Load(context.Background(), LoadOptions{Path: path, Registry: testRegistry(), Dirs: xdg.Dirs{ConfigHome: dir}})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return cfg.Safety("live")
}

func indent(s, prefix string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(s), "\n") {
		if l != "" {
			b.WriteString(prefix + strings.TrimSpace(l) + "\n")
		}
	}
	return b.String()
}

func boolPtr(b bool) *bool { return &b }

func TestParseSafety(t *testing.T) {
	d := trade.Dec
	tests := []struct {
		name  string
		lines string
		want  Safety
	}{
		{name: "none", lines: "", want: Safety{}},
		{
			name: "every key",
			lines: `confirm: false
				max_order_notional: 10000
				max_order_qty: "0.5"
				max_open_orders: 3
				allowed_symbols: [btc-usdt, ETH/USDT, BTC-USDT]
				price_band_pct: 2.5
				max_daily_loss: "1000.50"
				max_slippage_pct: 0.1`,
			want: Safety{
				Confirm:          boolPtr(false),
				MaxOrderNotional: d("10000"),
				MaxOrderQty:      d("0.5"),
				MaxOpenOrders:    3,
				AllowedSymbols:   []trade.Symbol{trade.MustSymbol("BTC-USDT"), trade.MustSymbol("ETH-USDT")},
				PriceBandPct:     d("2.5"),
				MaxDailyLoss:     d("1000.50"),
				MaxSlippagePct:   d("0.1"),
			},
		},
		{
			name:  "strings, percent signs and a comma list",
			lines: `confirm: "yes"` + "\n" + `price_band_pct: "5%"` + "\n" + `allowed_symbols: "AAPL, BTC-USD"` + "\n" + `max_open_orders: "2"`,
			want: Safety{
				Confirm:        boolPtr(true),
				PriceBandPct:   d("5"),
				AllowedSymbols: []trade.Symbol{trade.MustSymbol("AAPL"), trade.MustSymbol("BTC-USD")},
				MaxOpenOrders:  2,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := loadSafety(t, tt.lines)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("safety (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseSafetyErrors(t *testing.T) {
	tests := []struct {
		lines string
		want  string // fragment of the message after the file and line
	}{
		{"confirm: maybe", `profile "live": confirm: must be true or false, got "maybe"`},
		{"max_order_notional: 0", `profile "live": max_order_notional: must be greater than 0, got 0; remove the key`},
		{"max_order_notional: -5", `max_order_notional: must be greater than 0, got -5`},
		{`max_order_qty: "1e3"`, `max_order_qty: invalid number "1e3"`},
		{"max_order_qty: [1]", `max_order_qty: must be a number, got a list`},
		{"max_open_orders: 0", `max_open_orders: must be at least 1, got 0`},
		{"max_open_orders: 2.5", `max_open_orders: must be a whole number above 0, got 2.5`},
		{"allowed_symbols: []", `allowed_symbols: lists no symbol`},
		{"allowed_symbols: [BTC--USD]", `allowed_symbols: invalid symbol "BTC--USD"`},
		{"allowed_symbols: [1]", `allowed_symbols: must list symbols such as BTC-USD, got 1 in the list`},
		{"allowed_symbols: {a: b}", `allowed_symbols: must be a list of symbols`},
		{"max_slippage_pct: 100", `max_slippage_pct: must be below 100 (percent), got 100`},
		{"price_band_pct: abc%", `price_band_pct: invalid number "abc"`},
		{"max_daily_loss: ~", `max_daily_loss: has no value`},
	}
	for _, tt := range tests {
		t.Run(tt.lines, func(t *testing.T) {
			_, err := loadSafety(t, tt.lines)
			var cfgErr *Error
			if !errors.As(err, &cfgErr) {
				t.Fatalf("error %v (%T), want *config.Error", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			// The message points at the profile in the file.
			if !strings.Contains(err.Error(), "config.yaml:2: ") {
				t.Errorf("error %q does not name the file and the profile's line", err)
			}
		})
	}
}

func TestSafetyOfBuiltinAndUnknownProfiles(t *testing.T) {
	cfg, err := Load(context.Background(), LoadOptions{Registry: testRegistry()})
	if err != nil {
		t.Fatal(err)
	}
	got, err := cfg.Safety("paper")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Safety{}, got); diff != "" {
		t.Errorf("built-in paper safety (-want +got):\n%s", diff)
	}
	if _, err := cfg.Safety("nope"); err == nil || !strings.Contains(err.Error(), `unknown profile "nope"`) {
		t.Errorf("unknown profile: got %v", err)
	}
}

func TestSafetyHelpers(t *testing.T) {
	var unset Safety
	if !unset.ConfirmLive() {
		t.Error("confirmation must be on by default")
	}
	if (Safety{Confirm: boolPtr(false)}).ConfirmLive() {
		t.Error("confirm: false must turn confirmation off")
	}
	if !unset.SymbolAllowed(trade.MustSymbol("BTC-USD")) {
		t.Error("no allowed_symbols must allow every symbol")
	}
	s := Safety{
		MaxOrderNotional: decimal.NewFromInt(10000),
		MaxOpenOrders:    3,
		AllowedSymbols:   []trade.Symbol{trade.MustSymbol("BTC-USD"), trade.MustSymbol("AAPL")},
		PriceBandPct:     trade.Dec("2.5"),
	}
	if s.SymbolAllowed(trade.MustSymbol("ETH-USD")) || !s.SymbolAllowed(trade.MustSymbol("AAPL")) {
		t.Error("SymbolAllowed does not follow allowed_symbols")
	}
	want := []string{"max_order_notional 10000", "max_open_orders 3", "allowed_symbols BTC-USD,AAPL", "price_band_pct 2.5%"}
	if diff := cmp.Diff(want, s.Limits()); diff != "" {
		t.Errorf("Limits (-want +got):\n%s", diff)
	}
}
