package exchangetest

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// The suite itself is exercised by every adapter's conformance test; these
// cover the arithmetic it derives orders from.

func TestUnknownID(t *testing.T) {
	for in, want := range map[string]string{
		"BTCUSDT:28":                           "BTCUSDT:999999999999",
		"42":                                   "999999999999",
		"P-0000000000001":                      "P-9999999999999",
		"OU22CG-KLAF2-FWUDD7":                  "OU22CG-KLAF2-FWUDD8",
		"0b7c1f0e-9d6e-4a44-9f0b-6e3c7f1c2a5f": "0b7c1f0e-9d6e-4a44-9f0b-6e3c7f1c2a5a",
		"abcz":                                 "abca",
		"x_":                                   "x_0",
		"P000009":                              "P000000",
	} {
		if got := unknownID(in); got != want {
			t.Errorf("unknownID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMinQty(t *testing.T) {
	tests := []struct {
		name  string
		in    trade.Instrument
		price string
		want  string
	}{
		{"notional drives", trade.Instrument{StepSize: trade.Dec("0.00001"), MinQty: trade.Dec("0.00001"), MinNotional: trade.Dec("5")}, "42000", "0.00015"},
		{"min qty drives", trade.Instrument{StepSize: trade.Dec("1"), MinQty: trade.Dec("10"), MinNotional: trade.Dec("1")}, "2", "10"},
		{"no rules: about 20 quote units", trade.Instrument{}, "3", "6.66666667"},
		{"step larger than need", trade.Instrument{StepSize: trade.Dec("1")}, "1000", "1"},
	}
	for _, tt := range tests {
		got := minQty(tt.in, trade.Dec(tt.price))
		if !got.Equal(trade.Dec(tt.want)) {
			t.Errorf("%s: minQty = %s, want %s", tt.name, got, tt.want)
		}
		if p := trade.Dec(tt.price); tt.in.MinNotional.IsPositive() && got.Mul(p).LessThan(tt.in.MinNotional) {
			t.Errorf("%s: %s × %s is below the min notional", tt.name, got, p)
		}
	}
}

func TestRounding(t *testing.T) {
	tick := decimal.RequireFromString("0.01")
	if got := floorTo(trade.Dec("42000.019"), tick); !got.Equal(trade.Dec("42000.01")) {
		t.Errorf("floorTo = %s", got)
	}
	if got := ceilTo(trade.Dec("0.000142857"), trade.Dec("0.00001")); !got.Equal(trade.Dec("0.00015")) {
		t.Errorf("ceilTo = %s", got)
	}
	if got := ceilTo(trade.Dec("0.5"), trade.Dec("0.5")); !got.Equal(trade.Dec("0.5")) {
		t.Errorf("ceilTo exact = %s", got)
	}
}

func TestReadProblems(t *testing.T) {
	at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	good := func(id string) trade.Fill {
		return trade.Fill{ID: id, Symbol: trade.Symbol{Base: "BTC", Quote: "USD"}, Side: trade.Buy,
			Qty: trade.Dec("0.1"), Price: trade.Dec("60000"), Time: at}
	}
	noPrice := good("3")
	noPrice.Price = decimal.Zero
	tests := []struct {
		name  string
		fills []trade.Fill
		pages int
		want  []string // a fragment of each problem, in order
	}{
		{"whole and paged", []trade.Fill{good("1"), good("2")}, 2, nil},
		{"one page", []trade.Fill{good("1"), good("2")}, 1, []string{"took 1 page(s)"}},
		{"a duplicate across pages", []trade.Fill{good("1"), good("2"), good("1")}, 3, []string{"fill 1 appears twice"}},
		{"a fill without a price", []trade.Fill{good("1"), noPrice}, 2, []string{"price > 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readProblems(tt.fills, tt.pages)
			if len(got) != len(tt.want) {
				t.Fatalf("problems = %q, want %d matching %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.Contains(got[i], tt.want[i]) {
					t.Errorf("problem %d = %q, want it to say %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}
