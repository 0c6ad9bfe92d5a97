package risk_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/risk"
	"github.com/tradectl/tradectl/internal/trade"
)

func lv(price, qty string) trade.BookLevel { return trade.BookLevel{Price: d(price), Qty: d(qty)} }

// book: bid 99 / ask 101 (mid 100), three levels a side.
var testBook = trade.Book{
	Symbol: btcUSD,
	Bids:   []trade.BookLevel{lv("99", "1"), lv("98", "2"), lv("90", "5")},
	Asks:   []trade.BookLevel{lv("101", "1"), lv("102", "2"), lv("110", "5")},
}

func TestEstimateFromBook(t *testing.T) {
	tests := []struct {
		name string
		side trade.Side
		qty  string
		want risk.Estimate
	}{
		{
			name: "buy inside the top level",
			side: trade.Buy, qty: "0.5",
			want: risk.Estimate{Symbol: btcUSD, Side: trade.Buy, Qty: d("0.5"), Mid: d("100"), AvgPrice: d("101"),
				WorstPrice: d("101"), Fillable: d("0.5"), SlippagePct: d("1"), Source: risk.SourceBook, Levels: 1},
		},
		{
			name: "buy across two levels",
			side: trade.Buy, qty: "2",
			// (1·101 + 1·102) / 2 = 101.5
			want: risk.Estimate{Symbol: btcUSD, Side: trade.Buy, Qty: d("2"), Mid: d("100"), AvgPrice: d("101.5"),
				WorstPrice: d("102"), Fillable: d("2"), SlippagePct: d("1.5"), Source: risk.SourceBook, Levels: 2},
		},
		{
			name: "sell across three levels",
			side: trade.Sell, qty: "4",
			// (99 + 2·98 + 90) / 4 = 96.25
			want: risk.Estimate{Symbol: btcUSD, Side: trade.Sell, Qty: d("4"), Mid: d("100"), AvgPrice: d("96.25"),
				WorstPrice: d("90"), Fillable: d("4"), SlippagePct: d("3.75"), Source: risk.SourceBook, Levels: 3},
		},
		{
			name: "more than the book holds",
			side: trade.Buy, qty: "10",
			// (101 + 204 + 550) / 8 = 106.875
			want: risk.Estimate{Symbol: btcUSD, Side: trade.Buy, Qty: d("10"), Mid: d("100"), AvgPrice: d("106.875"),
				WorstPrice: d("110"), Fillable: d("8"), SlippagePct: d("6.875"), Source: risk.SourceBook, Levels: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := risk.EstimateFromBook(testBook, tt.side, d(tt.qty))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, decimalEqual, ignoreQuote); diff != "" {
				t.Errorf("estimate (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(testBook.Quote(), got.Quote, decimalEqual); diff != "" {
				t.Errorf("estimate's quote (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := risk.EstimateFromBook(trade.Book{Symbol: btcUSD, Bids: testBook.Bids}, trade.Buy, d("1")); err == nil {
		t.Error("a book without asks: no error")
	}
}

// decimalEqual compares decimals by value (1.50 equals 1.5).
var decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

// ignoreQuote leaves the estimate's starting quote out of a comparison.
var ignoreQuote = cmpopts.IgnoreFields(risk.Estimate{}, "Quote")

func TestCheckSlippage(t *testing.T) {
	est := func(side trade.Side, qty string) risk.Estimate {
		e, err := risk.EstimateFromBook(testBook, side, d(qty))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	topOnly := func(bid, ask, qty string) risk.Estimate {
		e, err := risk.EstimateFromQuote(trade.Quote{Symbol: btcUSD, Bid: d(bid), Ask: d(ask)}, trade.Buy, d(qty))
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	tests := []struct {
		name      string
		est       risk.Estimate
		tolerance string
		want      string
	}{
		{name: "no tolerance, no guard", est: est(trade.Buy, "10"), tolerance: "0"},
		{name: "within", est: est(trade.Buy, "2"), tolerance: "1.5"},
		{name: "beyond, buying", est: est(trade.Buy, "2"), tolerance: "1",
			want: `slippage guard: buying 2 BTC-USD would fill at about 101.50 on average, 1.50% above the mid 100.00, beyond the tolerance of 1% (estimated from 2 levels of the book) (profile "live")`},
		{name: "beyond, selling", est: est(trade.Sell, "4"), tolerance: "2",
			want: `slippage guard: selling 4 BTC-USD would fill at about 96.25 on average, 3.75% below the mid 100.00, beyond the tolerance of 2% (estimated from 3 levels of the book) (profile "live")`},
		{name: "a small excess is shown as an excess", est: topOnly("100", "100.0216", "3"), tolerance: "0.01",
			want: `slippage guard: buying 3 BTC-USD would fill at about 100.0216 on average, 0.0107% above the mid 100.0108, beyond the tolerance of 0.01% (estimated from the top of the book only: the venue shows no depth) (profile "live")`},
		{name: "thin book", est: est(trade.Buy, "10"), tolerance: "50",
			want: `slippage guard: the visible book (3 levels) fills only 8 of 10 BTC-USD; the price beyond it is unknown (mid 100.00, tolerance 50%) (profile "live")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := risk.CheckSlippage(tt.est, d(tt.tolerance), "live")
			if tt.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("allowed; want %q", tt.want)
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
			if c := cmdutil.Classify(context.Background(), err); c.Exit != cmdutil.ExitRejected {
				t.Errorf("exit %d, want %d", c.Exit, cmdutil.ExitRejected)
			}
		})
	}
}

// TestEstimateOnPaperMatchesTheFill: the paper exchange's market order
// takes the same book its OrderBook shows, so the estimate is its fill.
func TestEstimateOnPaperMatchesTheFill(t *testing.T) {
	c := &clock{t: t0}
	ex := openPaper(t, c)
	req := market(btcUSD, trade.Buy, "0.5")
	est, err := risk.EstimateFill(context.Background(), ex, req)
	if err != nil {
		t.Fatal(err)
	}
	if est.Source != risk.SourceBook || est.Levels < 2 || !est.Complete() {
		t.Fatalf("estimate %+v: want a complete walk of several book levels", est)
	}
	o := place(t, ex, req)
	if !o.AvgFillPrice.Valid || !o.AvgFillPrice.Decimal.Round(8).Equal(est.AvgPrice.Round(8)) {
		t.Errorf("filled at %v on average, estimated %s", o.AvgFillPrice, est.AvgPrice)
	}

	// A huge order is more than the synthetic book holds: refused with the
	// numbers, exit 5.
	huge, err := risk.EstimateFill(context.Background(), ex, market(btcUSD, trade.Buy, "50"))
	if err != nil {
		t.Fatal(err)
	}
	err = risk.CheckSlippage(huge, d("1"), "paper")
	if err == nil || !strings.Contains(err.Error(), "slippage guard: the visible book (10 levels) fills only ") {
		t.Errorf("huge order: %v", err)
	}
}

// topOnly hides a venue's order book, as a venue without depth shows it.
type topOnly struct{ exchange.Exchange }

// TestEstimateTopOfBook: without an order book reader the estimate is the
// top of the book and says so.
func TestEstimateTopOfBook(t *testing.T) {
	ex, _ := openBinance(t)
	est, err := risk.EstimateFill(context.Background(), topOnly{ex}, market(btcUSDT, trade.Buy, "1"))
	if err != nil {
		t.Fatal(err)
	}
	q, err := ex.Quotes(context.Background(), []trade.Symbol{btcUSDT})
	if err != nil {
		t.Fatal(err)
	}
	want := risk.Estimate{Symbol: btcUSDT, Side: trade.Buy, Qty: d("1"), Mid: q[0].Mid(), AvgPrice: q[0].Ask,
		WorstPrice: q[0].Ask, Fillable: d("1"), Source: risk.SourceTopOfBook, Levels: 1,
		SlippagePct: q[0].Ask.Sub(q[0].Mid()).Mul(d("100")).DivRound(q[0].Mid(), 8)}
	if diff := cmp.Diff(want, est, decimalEqual, ignoreQuote); diff != "" {
		t.Errorf("estimate (-want +got):\n%s", diff)
	}
	if !strings.Contains(est.Describe(), "top of the book only") {
		t.Errorf("Describe() = %q; it must say the estimate is top-of-book only", est.Describe())
	}
}

// TestEstimateFromBinanceDepth: Binance shows depth, so a market order
// larger than the top level is estimated by walking several levels.
func TestEstimateFromBinanceDepth(t *testing.T) {
	ex, _ := openBinance(t)
	book, err := ex.OrderBook(context.Background(), btcUSDT, risk.BookDepth)
	if err != nil {
		t.Fatal(err)
	}
	qty := book.Asks[0].Qty.Add(book.Asks[1].Qty.Div(d("2")))
	est, err := risk.EstimateFill(context.Background(), ex, trade.OrderRequest{Symbol: btcUSDT, Side: trade.Buy, Type: trade.Market, Qty: qty})
	if err != nil {
		t.Fatal(err)
	}
	if est.Source != risk.SourceBook || est.Levels != 2 || !est.WorstPrice.Equal(book.Asks[1].Price) || !est.Complete() {
		t.Errorf("estimate %+v: want a complete walk of two levels to %s", est, book.Asks[1].Price)
	}
}

func TestMarketableLimit(t *testing.T) {
	q := trade.Quote{Symbol: btcUSD, Bid: d("99.99"), Ask: d("100.02")} // mid 100.005
	tests := []struct {
		name      string
		side      trade.Side
		tolerance string
		want      string
	}{
		// 100.005 · 1.01 = 101.00505 → down to the tick
		{"buy rounds down", trade.Buy, "1", "101"},
		// 100.005 · 0.99 = 99.00495 → up to the tick
		{"sell rounds up", trade.Sell, "1", "99.01"},
		{"tight buy", trade.Buy, "0.01", "100.01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := market(btcUSD, tt.side, "0.5")
			req.ClientID = "keep-me"
			got, err := risk.MarketableLimit(req, d(tt.tolerance), q, usd)
			if err != nil {
				t.Fatal(err)
			}
			want := trade.OrderRequest{Symbol: btcUSD, Side: tt.side, Type: trade.Limit, TimeInForce: trade.IOC,
				Qty: d("0.5"), Price: trade.OptDec(tt.want), ClientID: "keep-me"}
			if diff := cmp.Diff(want, got, decimalEqual); diff != "" {
				t.Errorf("request (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := risk.MarketableLimit(limitOrder(btcUSD, trade.Buy, "1", "100"), d("1"), q, usd); !errors.Is(err, risk.ErrNotMarket) {
		t.Errorf("limit order: got %v, want ErrNotMarket", err)
	}
	if _, err := risk.MarketableLimit(market(btcUSD, trade.Buy, "1"), d("1"), trade.Quote{}, usd); err == nil {
		t.Error("no quote: no error")
	}
}

// TestMarketableLimitOnPaper: the venue enforces the bound — a large
// order sent as a marketable limit fills only what the book has within
// the tolerance, and the rest expires.
func TestMarketableLimitOnPaper(t *testing.T) {
	c := &clock{t: t0}
	ex := openPaper(t, c)
	inst, err := exchange.FindInstrument(context.Background(), ex, ethUSD)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := ex.Quotes(context.Background(), []trade.Symbol{ethUSD})
	if err != nil {
		t.Fatal(err)
	}
	req, err := risk.MarketableLimit(market(ethUSD, trade.Buy, "25"), d("0.02"), qs[0], inst)
	if err != nil {
		t.Fatal(err)
	}
	o := place(t, ex, req)
	bound := qs[0].Mid().Mul(d("1.0002"))
	if o.Status != trade.StatusExpired || !o.FilledQty.IsPositive() || !o.FilledQty.LessThan(o.Qty) {
		t.Fatalf("order %s filled %s of %s; want a partial fill that expired", o.Status, o.FilledQty, o.Qty)
	}
	if o.AvgFillPrice.Decimal.GreaterThan(bound) {
		t.Errorf("average fill %s is beyond the bound %s", o.AvgFillPrice.Decimal, bound)
	}
}

func TestToleranceAndParse(t *testing.T) {
	s := config.Safety{MaxSlippagePct: d("0.5")}
	if got := risk.Tolerance(decimal.NullDecimal{}, s); !got.Equal(d("0.5")) {
		t.Errorf("default from the profile: %s", got)
	}
	if got := risk.Tolerance(decimal.NewNullDecimal(d("2")), s); !got.Equal(d("2")) {
		t.Errorf("the flag wins: %s", got)
	}
	if got := risk.Tolerance(decimal.NullDecimal{}, config.Safety{}); !got.IsZero() {
		t.Errorf("unset: %s", got)
	}
	for in, want := range map[string]string{"1": "1", "0.25%": "0.25"} {
		got, err := risk.ParseTolerance(in)
		if err != nil || !got.Equal(d(want)) {
			t.Errorf("ParseTolerance(%q) = %s, %v", in, got, err)
		}
	}
	for _, in := range []string{"0", "-1", "100", "abc", ""} {
		_, err := risk.ParseTolerance(in)
		if !errors.Is(err, risk.ErrBadTolerance) {
			t.Errorf("ParseTolerance(%q): got %v, want ErrBadTolerance", in, err)
		}
	}
}
