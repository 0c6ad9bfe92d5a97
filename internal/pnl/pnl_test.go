package pnl

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

// decimalsEqual compares decimals by value, exactly: 1.50 equals 1.5,
// 0.1+0.2 equals 0.3, and nothing is rounded.
var decimalsEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

var (
	btc  = trade.MustSymbol("BTC-USD")
	eth  = trade.MustSymbol("ETH-USD")
	aapl = trade.MustSymbol("AAPL")
	t0   = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
)

func d(s string) decimal.Decimal { return trade.Dec(s) }

// fill builds fills for BTC-USD, one second apart in the order written.
type fills []trade.Fill

func (fs fills) add(side trade.Side, qty, price, fee string) fills {
	return fs.addFull(trade.Fill{Symbol: btc, Side: side, Qty: d(qty), Price: d(price), Fee: d(fee), FeeAsset: "USD"})
}

func (fs fills) addFull(f trade.Fill) fills {
	f.Time = t0.Add(time.Duration(len(fs)) * time.Second)
	if f.ID == "" {
		f.ID = "f" + string(rune('a'+len(fs)))
	}
	return append(fs, f)
}

func pos(qty, avg, basis, realized, fees string, n int) Position {
	return Position{Account: "acct", Symbol: btc, Qty: d(qty), AvgCost: d(avg), CostBasis: d(basis), RealizedPnL: d(realized), Fees: d(fees), Fills: n}
}

func TestBookAverageCost(t *testing.T) {
	buy, sell := trade.Buy, trade.Sell
	tests := []struct {
		name  string
		fills fills
		want  Position
	}{
		{
			"round trip with fees",
			fills{}.add(buy, "1", "100", "0.1").add(sell, "1", "110", "0.11"),
			// Buy fee in the basis, sell fee off the proceeds: 110 - 100.1 - 0.11.
			pos("0", "0", "0", "9.79", "0.21", 2),
		},
		{
			"multiple buys average including fees",
			fills{}.add(buy, "1", "100", "0").add(buy, "3", "120", "0.4"),
			pos("4", "115.1", "460.4", "0", "0.4", 2),
		},
		{
			"partial sells realise against the average and keep it",
			fills{}.add(buy, "1", "100", "0").add(buy, "3", "120", "0.4").
				add(sell, "1", "130", "0.13"). // 130 - 115.1 - 0.13 = 14.77
				add(sell, "2", "100", "0.2"),  // 200 - 230.2 - 0.2 = -30.4
			pos("1", "115.1", "115.1", "-15.63", "0.73", 4),
		},
		{
			"sell past zero flips long to short at the sell price",
			// 2 of 3 close (fee 0.2: 220 - 200 - 0.2), 1 opens a short
			// whose entry is 110 less its share of the fee, 0.1.
			fills{}.add(buy, "2", "100", "0").add(sell, "3", "110", "0.3"),
			pos("-1", "109.9", "-109.9", "19.8", "0.3", 2),
		},
		{
			"short partly covered keeps its average entry",
			fills{}.add(sell, "2", "50", "0.1"). // entry (100 - 0.1) / 2
								add(buy, "1", "40", "0.05"), // 49.95 - 40 - 0.05
			pos("-1", "49.95", "-49.95", "9.9", "0.15", 2),
		},
		{
			"short covered fully at a loss",
			fills{}.add(sell, "2", "50", "0.1").add(buy, "1", "40", "0.05").
				add(buy, "1", "60", "0"), // 49.95 - 60
			pos("0", "0", "0", "-0.15", "0.15", 3),
		},
		{
			"buy past zero flips short to long",
			// 1 covers (10 - 8 - 0.01), 2 open long at 8 plus 0.02 of fee.
			fills{}.add(sell, "1", "10", "0").add(buy, "3", "8", "0.03"),
			pos("2", "8.01", "16.02", "1.99", "0.03", 2),
		},
		{
			"zero quantity fill charges its fee",
			fills{}.add(buy, "0", "100", "0.5"),
			pos("0", "0", "0", "-0.5", "0.5", 1),
		},
		{
			"zero quantity fill leaves an open position alone",
			fills{}.add(buy, "1", "10", "0").add(sell, "0", "11", "0.1"),
			pos("1", "10", "10", "-0.1", "0.1", 2),
		},
		{
			"average rounds at 16 places, the basis stays exact",
			fills{}.add(buy, "1", "10", "0").add(buy, "2", "10.01", "0"),
			pos("3", "10.0066666666666667", "30.02", "0", "0", 2),
		},
		{
			"partial close releases rounded average × qty",
			fills{}.add(buy, "1", "10", "0").add(buy, "2", "10.01", "0").add(sell, "1", "11", "0"),
			pos("2", "10.0066666666666667", "20.0133333333333333", "0.9933333333333333", "0", 3),
		},
		{
			"closing to zero absorbs the rounding: realised is exact",
			fills{}.add(buy, "1", "10", "0").add(buy, "2", "10.01", "0").add(sell, "1", "11", "0").add(sell, "2", "11", "0"),
			pos("0", "0", "0", "2.98", "0", 4), // 33 - 30.02
		},
		{
			"fee split of a flip rounds, and its parts add up",
			// closing share 0.01/3 → 0.0033333333333333, opening share the rest.
			fills{}.add(buy, "1", "1", "0").add(sell, "3", "1", "0.01"),
			pos("-2", "0.9966666666666667", "-1.9933333333333333", "-0.0033333333333333", "0.01", 2),
		},
		{
			"maker rebate lowers the cost",
			fills{}.add(buy, "2", "100", "-0.02"),
			pos("2", "99.99", "199.98", "0", "-0.02", 1),
		},
		{
			"free units: zero price, zero cost",
			fills{}.add(buy, "5", "0", "0"),
			pos("5", "0", "0", "0", "0", 1),
		},
		{
			"no float anywhere: 0.1 + 0.2",
			fills{}.add(buy, "0.1", "1", "0").add(buy, "0.2", "1", "0").add(sell, "0.3", "2", "0"),
			pos("0", "0", "0", "0.3", "0", 3),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := FromFills("acct", tt.fills)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]Position{tt.want}, got, decimalsEqual); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFeesInOtherAssets(t *testing.T) {
	fs := fills{}.
		addFull(trade.Fill{Symbol: btc, Side: trade.Buy, Qty: d("1"), Price: d("100"), Fee: d("0.001"), FeeAsset: "BNB"}).
		addFull(trade.Fill{Symbol: btc, Side: trade.Buy, Qty: d("1"), Price: d("100"), Fee: d("0.002"), FeeAsset: "bnb"}).
		addFull(trade.Fill{Symbol: btc, Side: trade.Buy, Qty: d("1"), Price: d("100"), Fee: d("0.3"), FeeAsset: "usd"}).
		addFull(trade.Fill{Symbol: btc, Side: trade.Buy, Qty: d("1"), Price: d("100"), Fee: d("0"), FeeAsset: "ETH"}).
		addFull(trade.Fill{Symbol: aapl, Side: trade.Buy, Qty: d("1"), Price: d("200"), Fee: d("1"), FeeAsset: "USD"})
	got, err := FromFills("", fs)
	if err != nil {
		t.Fatal(err)
	}
	want := []Position{
		{Symbol: aapl, Qty: d("1"), AvgCost: d("201"), CostBasis: d("201"), Fees: d("1"), Fills: 1},
		{Symbol: btc, Qty: d("4"), AvgCost: d("100.075"), CostBasis: d("400.3"), Fees: d("0.3"),
			OtherFees: map[string]decimal.Decimal{"BNB": d("0.003")}, Fills: 4},
	}
	if diff := cmp.Diff(want, got, decimalsEqual); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestFromFillsSortsByTimeAndSymbol(t *testing.T) {
	fs := fills{}.add(trade.Buy, "1", "100", "0").add(trade.Sell, "1", "110", "0").
		addFull(trade.Fill{Symbol: eth, Side: trade.Sell, Qty: d("2"), Price: d("5")})
	// Newest first, as venues list them; in time order the BTC sell
	// closes the buy, in this order it would open a short.
	newestFirst := []trade.Fill{fs[2], fs[1], fs[0]}
	got, err := FromFills("a", newestFirst)
	if err != nil {
		t.Fatal(err)
	}
	want := []Position{
		{Account: "a", Symbol: btc, Qty: d("0"), RealizedPnL: d("10"), Fills: 2},
		{Account: "a", Symbol: eth, Qty: d("-2"), AvgCost: d("5"), CostBasis: d("-10"), Fills: 1},
	}
	if diff := cmp.Diff(want, got, decimalsEqual); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if newestFirst[0].Symbol != eth {
		t.Error("FromFills reordered its input")
	}
}

func TestBookRejectsBadFills(t *testing.T) {
	good := trade.Fill{ID: "x1", Symbol: btc, Side: trade.Buy, Qty: d("1"), Price: d("1")}
	tests := []struct {
		name   string
		change func(*trade.Fill)
		want   string
	}{
		{"no symbol", func(f *trade.Fill) { f.Symbol = trade.Symbol{} }, "fill x1: no symbol"},
		{"bad side", func(f *trade.Fill) { f.Side = "hold" }, `fill x1: side must be buy or sell, got "hold"`},
		{"negative qty", func(f *trade.Fill) { f.Qty = d("-1") }, "fill x1: negative quantity -1"},
		{"negative price", func(f *trade.Fill) { f.Price = d("-0.5") }, "fill x1: negative price -0.5"},
		{"no id", func(f *trade.Fill) { f.ID = ""; f.Side = "" }, `fill: side must be buy or sell, got ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := NewBook("a")
			if err := b.Apply(good); err != nil {
				t.Fatal(err)
			}
			bad := good
			tt.change(&bad)
			err := b.Apply(bad)
			if err == nil || err.Error() != tt.want {
				t.Fatalf("Apply = %v, want %q", err, tt.want)
			}
			p, _ := b.Position(btc)
			if p.Fills != 1 || !p.Qty.Equal(d("1")) {
				t.Errorf("a rejected fill changed the book: %+v", p)
			}
			if _, err := FromFills("a", []trade.Fill{good, bad}); err == nil {
				t.Error("FromFills accepted a bad fill")
			}
		})
	}
}

func TestBookReturnsCopies(t *testing.T) {
	b := NewBook("a")
	_ = b.Apply(trade.Fill{Symbol: btc, Side: trade.Buy, Qty: d("1"), Price: d("1"), Fee: d("1"), FeeAsset: "BNB"})
	p, _ := b.Position(btc)
	p.OtherFees["BNB"] = d("99")
	again, _ := b.Position(btc)
	if !again.OtherFees["BNB"].Equal(d("1")) {
		t.Error("Position shares its OtherFees map with the book")
	}
	if _, ok := b.Position(eth); ok {
		t.Error("Position of an unseen symbol reported ok")
	}
}

// TestCashFlowInvariant: whatever the fills, realised P&L minus the open
// cost basis is exactly the cash that came in minus what went out — the
// rounding of averages and fee splits moves money between the two, never
// creates or loses any.
func TestCashFlowInvariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(options ...string) decimal.Decimal { return d(options[rng.IntN(len(options))]) }
	for run := range 200 {
		b := NewBook("a")
		cash := decimal.Zero
		for range 1 + rng.IntN(12) {
			f := trade.Fill{
				Symbol: btc,
				Side:   trade.Sides[rng.IntN(2)],
				Qty:    pick("0", "0.001", "1", "3", "7", "0.3333", "10"),
				Price:  pick("0", "1", "99.99", "100.01", "60000", "0.000001"),
				Fee:    pick("0", "0.01", "0.07", "1", "-0.003"),
			}
			if err := b.Apply(f); err != nil {
				t.Fatal(err)
			}
			flow := f.Qty.Mul(f.Price)
			if f.Side == trade.Buy {
				flow = flow.Neg()
			}
			cash = cash.Add(flow).Sub(f.Fee)
			p, _ := b.Position(btc)
			if got := p.RealizedPnL.Sub(p.CostBasis); !got.Equal(cash) {
				t.Fatalf("run %d: realised − basis = %s, cash flow = %s", run, got, cash)
			}
			// A basis left on a flat position would be money lost to rounding.
			if p.Qty.IsZero() && !p.CostBasis.IsZero() {
				t.Fatalf("run %d: flat position keeps basis %s", run, p.CostBasis)
			}
		}
	}
}

func TestValue(t *testing.T) {
	nd := func(s string) decimal.NullDecimal { return decimal.NewNullDecimal(d(s)) }
	tests := []struct {
		name  string
		p     Position
		price string
		want  [4]decimal.NullDecimal // price, market value, unrealised, unrealised %
	}{
		{"long up", pos("2", "100.1", "200.2", "0", "0", 1), "110",
			[4]decimal.NullDecimal{nd("110"), nd("220"), nd("19.8"), nd("9.8901098901098901")}},
		{"long down", pos("2", "100", "200", "0", "0", 1), "90",
			[4]decimal.NullDecimal{nd("90"), nd("180"), nd("-20"), nd("-10")}},
		{"short gains when the price falls", pos("-1", "109.9", "-109.9", "0", "0", 1), "100",
			[4]decimal.NullDecimal{nd("100"), nd("-100"), nd("9.9"), nd("9.008189262966333")}},
		{"zero cost is 0%, not a division by zero", pos("5", "0", "0", "0", "0", 1), "3",
			[4]decimal.NullDecimal{nd("3"), nd("15"), nd("15"), nd("0")}},
		{"flat", pos("0", "0", "0", "7", "0", 2), "3",
			[4]decimal.NullDecimal{nd("3"), nd("0"), nd("0"), nd("0")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := tt.p.Value(d(tt.price))
			got := [4]decimal.NullDecimal{v.Price, v.MarketValue, v.UnrealizedPnL, v.UnrealizedPct}
			if diff := cmp.Diff(tt.want, got, decimalsEqual); diff != "" {
				t.Errorf("price, value, unrealised, %% (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.p, v.Position, decimalsEqual); diff != "" {
				t.Errorf("Value changed the position (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValueAllAndSum(t *testing.T) {
	positions := []Position{
		{Account: "paper", Symbol: btc, Qty: d("2"), AvgCost: d("100"), CostBasis: d("200"), RealizedPnL: d("5"), Fees: d("0.5"), Fills: 3},
		{Account: "kraken", Symbol: btc, Qty: d("-1"), AvgCost: d("120"), CostBasis: d("-120"), RealizedPnL: d("-1"), Fees: d("0.25"), Fills: 1},
		{Account: "kraken", Symbol: eth, Qty: d("3"), AvgCost: d("10"), CostBasis: d("30"), Fills: 1,
			OtherFees: map[string]decimal.Decimal{"BNB": d("0.1")}},
		{Account: "kraken", Symbol: trade.MustSymbol("SOL-USD"), Qty: d("0"), RealizedPnL: d("2"), Fills: 2},
		{Account: "alpaca", Symbol: aapl, Qty: d("10"), AvgCost: d("150"), CostBasis: d("1500"), Fills: 1},
		{Account: "paper", Symbol: trade.MustSymbol("ETH-BTC"), Qty: d("1"), AvgCost: d("0.05"), CostBasis: d("0.05"), Fills: 1,
			OtherFees: map[string]decimal.Decimal{"BNB": d("0.2")}},
	}
	prices := map[trade.Symbol]decimal.Decimal{btc: d("110"), aapl: d("200"), trade.MustSymbol("ETH-BTC"): d("0.06")}
	vals := ValueAll(positions, prices)

	var priced []bool
	for _, v := range vals {
		priced = append(priced, v.Priced())
	}
	// ETH-USD has no price; SOL-USD is flat and needs none.
	if diff := cmp.Diff([]bool{true, true, false, true, true, true}, priced); diff != "" {
		t.Errorf("Priced (-want +got):\n%s", diff)
	}
	if vals[3].Price.Valid || !vals[3].MarketValue.Decimal.IsZero() {
		t.Errorf("flat without a price: %+v", vals[3])
	}

	got := Sum(vals)
	want := []Totals{
		{Currency: "", Positions: 1, CostBasis: d("1500"), MarketValue: d("2000"), UnrealizedPnL: d("500"),
			UnrealizedPct: d("33.3333333333333333"), RealizedPnL: d("0"), Fees: d("0")},
		{Currency: "BTC", Positions: 1, CostBasis: d("0.05"), MarketValue: d("0.06"), UnrealizedPnL: d("0.01"),
			UnrealizedPct: d("20"), RealizedPnL: d("0"), Fees: d("0"), OtherFees: map[string]decimal.Decimal{"BNB": d("0.2")}},
		{
			Currency: "USD", Positions: 4,
			// paper long +20, kraken short +10; ETH-USD left out.
			CostBasis: d("80"), MarketValue: d("110"), UnrealizedPnL: d("30"),
			UnrealizedPct: d("9.375"), // 30 / (200 + 120)
			RealizedPnL:   d("6"), Fees: d("0.75"),
			OtherFees: map[string]decimal.Decimal{"BNB": d("0.1")},
			Unpriced:  []Unpriced{{Account: "kraken", Symbol: eth}},
		},
	}
	if diff := cmp.Diff(want, got, decimalsEqual); diff != "" {
		t.Errorf("Sum (-want +got):\n%s", diff)
	}
}

func TestMark(t *testing.T) {
	tests := []struct {
		q    trade.Quote
		want string
		ok   bool
	}{
		{trade.Quote{Bid: d("99"), Ask: d("101"), Last: d("100.5")}, "100.5", true},
		{trade.Quote{Bid: d("99"), Ask: d("100")}, "99.5", true},
		{trade.Quote{Bid: d("99")}, "0", false},
		{trade.Quote{}, "0", false},
	}
	for _, tt := range tests {
		got, ok := Mark(tt.q)
		if ok != tt.ok || (ok && !got.Equal(d(tt.want))) {
			t.Errorf("Mark(%+v) = %s, %v; want %s, %v", tt.q, got, ok, tt.want, tt.ok)
		}
	}
}

func TestJSON(t *testing.T) {
	fs := fills{}.add(trade.Buy, "0.5", "60000.10", "1.5")
	ps, err := FromFills("paper", fs)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal([]Valuation{ps[0].Value(d("61000")), {Position: ps[0]}})
	if err != nil {
		t.Fatal(err)
	}
	want := `[` +
		`{"account":"paper","symbol":"BTC-USD","qty":"0.5","avg_cost":"60003.1","cost_basis":"30001.55","realized_pnl":"0","fees":"1.5","fills":1,` +
		`"price":"61000","market_value":"30500","unrealized_pnl":"498.45","unrealized_pct":"1.6614141602683861"},` +
		`{"account":"paper","symbol":"BTC-USD","qty":"0.5","avg_cost":"60003.1","cost_basis":"30001.55","realized_pnl":"0","fees":"1.5","fills":1,` +
		`"price":null,"market_value":null,"unrealized_pnl":null,"unrealized_pct":null}]`
	if string(out) != want {
		t.Errorf("JSON:\n got %s\nwant %s", out, want)
	}
	if strings.Contains(string(out), "e+") || strings.Contains(string(out), "E") {
		t.Error("JSON has an exponent")
	}
}

// TestMarks: one mark per quote that has one; a quote with neither a last
// trade nor both sides leaves its symbol out, so it stays unpriced.
func TestMarks(t *testing.T) {
	btc, eth, sol := trade.MustSymbol("BTC-USD"), trade.MustSymbol("ETH-USD"), trade.MustSymbol("SOL-USD")
	got := Marks([]trade.Quote{
		{Symbol: btc, Bid: trade.Dec("99"), Ask: trade.Dec("101"), Last: trade.Dec("100.5")},
		{Symbol: eth, Bid: trade.Dec("10"), Ask: trade.Dec("11")},
		{Symbol: sol, Bid: trade.Dec("5")},
	})
	want := map[trade.Symbol]decimal.Decimal{btc: trade.Dec("100.5"), eth: trade.Dec("10.5")}
	if diff := cmp.Diff(want, got, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); diff != "" {
		t.Errorf("Marks (-want +got):\n%s", diff)
	}
}
