package balance

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

// TestTable: amounts at their asset's precision (never fewer digits than
// they have), aligned on the point, separators only on a terminal.
func TestTable(t *testing.T) {
	d := decimal.RequireFromString
	prec := render.NewPrecision([]trade.Instrument{{Symbol: trade.Symbol{Base: "BTC", Quote: "USD"}, BaseAsset: "BTC", QuoteAsset: "USD",
		TickSize: d("0.01"), StepSize: d("0.00001")}})
	balances := []trade.Balance{
		trade.NewBalance("BTC", d("0.01"), d("0")),
		trade.NewBalance("USD", d("98946.273326"), d("1000")),
		trade.NewBalance("EUR", d("12.5"), d("0")),
	}
	tests := []struct {
		name string
		tty  bool
		want string
	}{
		{"piped", false, "" +
			"ASSET          FREE      LOCKED         TOTAL\n" +
			"BTC        0.01000      0.00000      0.01000 \n" +
			"USD    98946.273326  1000.00     99946.273326\n" +
			"EUR       12.5          0           12.5     \n"},
		{"terminal", true, "" +
			"ASSET           FREE       LOCKED          TOTAL\n" +
			"BTC         0.01000       0.00000       0.01000 \n" +
			"USD    98,946.273326  1,000.00     99,946.273326\n" +
			"EUR        12.5           0            12.5     \n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			ios.SetTTY(false, tc.tty, false)
			p, _ := render.NewPrinter(ios, "table", "", func() time.Time { return time.Time{} })
			if err := p.Print(balances, func() *render.TableData { return Table(balances, prec) }); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, out.String()); diff != "" {
				t.Errorf("balances (-want +got):\n%s", diff)
			}
		})
	}
}
