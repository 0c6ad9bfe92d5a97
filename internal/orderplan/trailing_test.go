package orderplan_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/orderplan"
	"github.com/tradectl/tradectl/internal/trade"
)

// trailing is counting with a chosen set of trail units shown.
type trailing struct {
	*counting
	units exchange.TrailUnits
}

func (tr trailing) TrailUnits(trade.Symbol) exchange.TrailUnits { return tr.units }

func TestTrailingStopPlan(t *testing.T) {
	ctx := context.Background()
	byPct := trade.OrderRequest{Symbol: btcUSD, Side: trade.Sell, Type: trade.TrailingStop, Qty: trade.Dec("0.01"), TrailPct: trade.OptDec("1")}
	tests := []struct {
		name  string
		units *exchange.TrailUnits // nil: no Trailer at all
		want  orderplan.TrailError
	}{
		{"no capability", nil, orderplan.TrailError{Venue: "paper", Unit: "pct"}},
		{"amount only", &exchange.TrailUnits{Amount: true}, orderplan.TrailError{Venue: "paper", Unit: "pct", Units: exchange.TrailUnits{Amount: true}}},
	}
	for _, tt := range tests {
		c := &counting{Exchange: openPaper(t, map[string]any{"BTC": "1"})}
		var ex exchange.Exchange = c
		if tt.units != nil {
			ex = trailing{c, *tt.units}
		}
		_, err := orderplan.Make(ctx, deps(ex, config.Safety{}), orderplan.Input{Request: byPct, DryRun: true})
		var te *orderplan.TrailError
		if !errors.As(err, &te) {
			t.Errorf("%s: Make = %v, want a TrailError", tt.name, err)
			continue
		}
		if diff := cmp.Diff(tt.want, *te); diff != "" {
			t.Errorf("%s: TrailError (-want +got):\n%s", tt.name, diff)
		}
		if len(c.calls) != 0 {
			t.Errorf("%s: calls before the refusal: %v, want none", tt.name, c.calls)
		}
	}

	// Where the venue takes it, max_order_notional values it at the bid,
	// fetched for it, as a market sell.
	able := trailing{&counting{Exchange: openPaper(t, map[string]any{"BTC": "1"})}, exchange.TrailUnits{Pct: true}}
	_, err := orderplan.Make(ctx, deps(able, config.Safety{MaxOrderNotional: trade.Dec("100")}), orderplan.Input{Request: byPct, DryRun: true})
	if err == nil || !strings.Contains(err.Error(), "at the bid") {
		t.Fatalf("a trailing stop worth about 1000 under max_order_notional 100: %v, want refused, valued at the bid", err)
	}
	if diff := cmp.Diff([]string{"Instruments", "Quotes"}, able.calls); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
}
