package orderview

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/iostreams"
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
		{"filled at the step, zero too", paperRules(), 5, []string{"0.01000", "0.00000", "0"}},
		{"limit price at the tick; unknown instrument as it is", paperRules(), 6, []string{"market", "89000.00", "2.125"}},
		{"stop price in a column of its own", paperRules(), 7, []string{"-", "90000.00", "-"}},
		{"avg fill at the tick", paperRules(), 8, []string{"105267.40", "-", "-"}},
		{"no rules: as they are", render.Precision{}, 4, []string{"0.01", "0.005", "1.5"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, texts(TableWith(orders, tc.prec), tc.col)); diff != "" {
				t.Errorf("column %d (-want +got):\n%s", tc.col, diff)
			}
		})
	}
	for i, c := range TableWith(orders, render.Precision{}).Columns {
		if c.Header == "status" && !c.Keep {
			t.Errorf("column %d, status, must be kept on narrow terminals", i)
		}
	}
	for _, r := range TableWith(orders, paperRules()).Rows {
		for i, want := range map[int]bool{4: true, 5: true, 7: r[7].Text != "-", 8: r[8].Text != "-"} {
			if r[i].Numeric != want {
				t.Errorf("order %s column %d %q: numeric %v, want %v (numbers align on the point; \"-\" is text)", r[0].Text, i, r[i].Text, r[i].Numeric, want)
			}
		}
	}
}

// TestNarrowTerminalDrops: the table's columns give way in the order its
// doc says — client id, created, avg fill, filled, type — and the status
// is kept.
func TestNarrowTerminalDrops(t *testing.T) {
	cols := TableWith(nil, render.Precision{}).Columns
	var dropped []string
	for rank := 1; ; rank++ {
		found := false
		for _, c := range cols {
			if c.Drop == rank {
				dropped, found = append(dropped, c.Header), true
			}
		}
		if !found {
			break
		}
	}
	if diff := cmp.Diff([]string{"client id", "created", "avg fill", "filled", "type"}, dropped); diff != "" {
		t.Errorf("drop order (-want +got):\n%s", diff)
	}
	for _, c := range cols {
		if c.Header == "status" && (c.Drop != 0 || !c.Keep) {
			t.Errorf("status must be kept: %+v", c)
		}
	}
}

func TestDetailFee(t *testing.T) {
	o := trade.Order{Symbol: btc, Qty: decimal.RequireFromString("0.01"), Fee: decimal.RequireFromString("1.052674"), FeeAsset: "USD"}
	got := map[string]string{}
	for _, r := range DetailWith(o, paperRules()).Rows {
		got[r[0].Text] = r[1].Text
	}
	want := map[string]string{"qty": "0.01000", "fee": "1.052674", "price": "-"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	o.Fee = decimal.RequireFromString("2")
	for _, r := range DetailWith(o, paperRules()).Rows {
		if r[0].Text == "fee" && (r[1].Text != "2.00" || r[1].Unit != "USD" || !r[1].Numeric) {
			t.Errorf("a whole fee shows at USD's 2 places, USD its unit: got %+v", r[1])
		}
	}
}

// TestDetailAligned prints a stop-limit order's detail as a terminal
// shows it: quantities at the step, prices at the tick, the fee at its
// asset's precision, lined up on the decimal point.
func TestDetailAligned(t *testing.T) {
	d := decimal.RequireFromString
	o := trade.Order{ID: "3", Symbol: btc, Side: trade.Sell, Type: trade.StopLimit, Status: trade.StatusOpen,
		Qty: d("0.005"), Price: decimal.NewNullDecimal(d("89000")), StopPrice: decimal.NewNullDecimal(d("90000")),
		Fee: d("0"), FeeAsset: "USD"}
	ios, _, out, _ := iostreams.Test()
	ios.SetTTY(false, true, false)
	p, err := render.NewPrinter(ios, "table", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Print(o, func() *render.TableData { return DetailWith(o, paperRules()) }); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(out.String(), "\n") {
		for _, field := range []string{"qty ", "filled qty ", "price ", "stop price ", "avg fill price ", "fee "} {
			if strings.HasPrefix(line, field) {
				got = append(got, line)
			}
		}
	}
	want := []string{
		"qty                  0.00500",
		"filled qty           0.00000",
		"price           89,000.00",
		"stop price      90,000.00",
		"avg fill price  -",
		"fee                  0.00 USD",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("detail (-want +got):\n%s", diff)
	}
}
