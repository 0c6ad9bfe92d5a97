package create

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestDryRunTableAtTheTick: a dry run shows the request it would send
// at the instrument's step and tick (it was rounded to them), numbers
// lined up on the point; without the instrument's rules, exact.
func TestDryRunTableAtTheTick(t *testing.T) {
	aapl := trade.MustSymbol("AAPL")
	req := trade.OrderRequest{Symbol: aapl, Side: trade.Buy, Type: trade.Limit, TimeInForce: trade.GTC,
		Qty: trade.Dec("3"), Price: decimal.NewNullDecimal(trade.Dec("150"))}
	rules := render.NewPrecision([]trade.Instrument{{Symbol: aapl, BaseAsset: "AAPL", QuoteAsset: "USD",
		TickSize: trade.Dec("0.01"), StepSize: trade.Dec("1")}})
	for _, tc := range []struct {
		name string
		prec render.Precision
		want map[string]string
	}{
		{"rules known", rules, map[string]string{"qty": "3", "price": "150.00", "stop price": "-"}},
		{"rules unknown", render.Precision{}, map[string]string{"qty": "3", "price": "150", "stop price": "-"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tbl := dryRunTable(DryRunResult{DryRun: true, Request: req}, tc.prec)
			if !tbl.Columns[1].AlignPoint {
				t.Error("the value column does not line its numbers up on the point")
			}
			got := map[string]string{}
			for _, r := range tbl.Rows {
				if _, ok := tc.want[r[0].Text]; ok {
					got[r[0].Text] = r[1].Text
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("dry run (-want +got):\n%s", diff)
			}
		})
	}
}
