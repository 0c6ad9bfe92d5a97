package quote

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestTablePlaces: bid, ask, last and spread at the instrument's tick,
// trailing zeros kept; a symbol the rules do not list shows as it is.
func TestTablePlaces(t *testing.T) {
	d := decimal.RequireFromString
	btc, xyz := trade.Symbol{Base: "BTC", Quote: "USD"}, trade.Symbol{Base: "XYZ", Quote: "USD"}
	prec := render.NewPrecision([]trade.Instrument{{Symbol: btc, BaseAsset: "BTC", QuoteAsset: "USD", TickSize: d("0.01"), StepSize: d("0.00001")}})
	quotes := []trade.Quote{
		{Symbol: btc, Bid: d("105256.86"), Ask: d("105267.4"), Last: d("105262.125")},
		{Symbol: xyz, Bid: d("1.5"), Ask: d("1.625"), Last: d("1.6")},
	}
	var got [][]string
	for _, r := range Table(quotes, prec).Rows {
		got = append(got, []string{r[1].Text, r[2].Text, r[3].Text, r[4].Text})
	}
	want := [][]string{
		{"105256.86", "105267.40", "105262.13", "10.54"},
		{"1.5", "1.625", "1.6", "0.125"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("bid, ask, last, spread (-want +got):\n%s", diff)
	}
}
