package orderview

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

var btc = trade.Symbol{Base: "BTC", Quote: "USD"}

func paperRules() render.Precision {
	return render.NewPrecision([]trade.Instrument{{Symbol: btc, BaseAsset: "BTC", QuoteAsset: "USD",
		TickSize: decimal.RequireFromString("0.01"), StepSize: decimal.RequireFromString("0.00001")}})
}

func texts(t *render.TableData, col int) []string {
	var out []string
	for _, r := range t.Rows {
		out = append(out, r[col].Text)
	}
	return out
}

func TestTableNumbers(t *testing.T) {
	d := decimal.RequireFromString
	orders := []trade.Order{
		{ID: "1", Symbol: btc, Qty: d("0.01"), FilledQty: d("0.01"), AvgFillPrice: decimal.NewNullDecimal(d("105267.4")), CreatedAt: time.Unix(0, 0)},
		{ID: "2", Symbol: btc, Qty: d("0.005"), Price: decimal.NewNullDecimal(d("89000")), StopPrice: decimal.NewNullDecimal(d("90000"))},
		{ID: "3", Symbol: trade.Symbol{Base: "XYZ", Quote: "USD"}, Qty: d("1.5"), Price: decimal.NewNullDecimal(d("2.125"))},
	}
	tests := []struct {
		name string
		prec render.Precision
		col  int
		want []string
	}{
		{"qty at the step", paperRules(), 4, []string{"0.01000", "0.00500", "1.5"}},
		{"price at the tick; unknown instrument as it is", paperRules(), 6, []string{"market", "89000.00 @stop 90000.00", "2.125"}},
		{"avg fill at the tick", paperRules(), 7, []string{"105267.40", "-", "-"}},
		{"no rules: as they are", render.Precision{}, 4, []string{"0.01", "0.005", "1.5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, texts(TableWith(orders, tc.prec), tc.col)); diff != "" {
				t.Errorf("column %d (-want +got):\n%s", tc.col, diff)
			}
		})
	}
	for i, c := range Table(orders).Columns {
		if c.Header == "status" && !c.Keep {
			t.Errorf("column %d, status, must be kept on narrow terminals", i)
		}
	}
}

func TestDetailFee(t *testing.T) {
	o := trade.Order{Symbol: btc, Qty: decimal.RequireFromString("0.01"), Fee: decimal.RequireFromString("1.052674"), FeeAsset: "USD"}
	got := map[string]string{}
	for _, r := range DetailWith(o, paperRules()).Rows {
		got[r[0].Text] = r[1].Text
	}
	want := map[string]string{"qty": "0.01000", "fee": "1.052674 USD", "price": "-"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	o.Fee = decimal.RequireFromString("2")
	for _, r := range DetailWith(o, paperRules()).Rows {
		if r[0].Text == "fee" && r[1].Text != "2.00 USD" {
			t.Errorf("a whole fee shows at USD's 2 places: got %q", r[1].Text)
		}
	}
}
