package positions

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/cmdutil"
	"github.com/tradectl/tradectl/internal/config"
	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/exchange/paper"
	"github.com/tradectl/tradectl/internal/iostreams"
	"github.com/tradectl/tradectl/internal/render"
	"github.com/tradectl/tradectl/internal/trade"
)

var pinned = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// fixedQuotes is a real paper account whose quotes are pinned, so the
// marks below are known; marks is by symbol.
type fixedQuotes struct {
	exchange.Exchange
	marks map[string]string
	asked *[][]trade.Symbol
}

func (f fixedQuotes) Quotes(_ context.Context, syms []trade.Symbol) ([]trade.Quote, error) {
	*f.asked = append(*f.asked, syms)
	out := make([]trade.Quote, 0, len(syms))
	for _, s := range syms {
		m, ok := f.marks[s.String()]
		if !ok {
			return nil, &exchange.Error{Kind: exchange.ErrNotFound, Venue: "paper", Message: "unknown symbol " + s.String()}
		}
		out = append(out, trade.Quote{Symbol: s, Last: trade.Dec(m)})
	}
	return out, nil
}

// venuePositions keeps positions of its own, as Alpaca does: a venue that
// is not simulated and lists positions.
type venuePositions struct {
	fixedQuotes
	positions []trade.Position
}

func (v venuePositions) Positions(context.Context) ([]trade.Position, error) { return v.positions, nil }

func fill(id, sym string, side trade.Side, qty, price, fee string, minute int) trade.Fill {
	return trade.Fill{ID: id, Symbol: trade.MustSymbol(sym), Side: side, Qty: trade.Dec(qty), Price: trade.Dec(price),
		Fee: trade.Dec(fee), FeeAsset: "USD", Time: pinned.Add(time.Duration(minute) * time.Minute)}
}

// handFills is a history whose figures are worked out by hand below.
var handFills = []trade.Fill{
	// BTC-USD: buy 1 @ 100 (fee 1) and 1 @ 120 (fee 1): basis 222, avg 111.
	// Sell 0.5 @ 130 (fee 0.5): realised 65 − 55.5 − 0.5 = 9; basis 166.5.
	fill("1", "BTC-USD", trade.Buy, "1", "100", "1", 1),
	fill("2", "BTC-USD", trade.Buy, "1", "120", "1", 2),
	fill("3", "BTC-USD", trade.Sell, "0.5", "130", "0.5", 3),
	// ETH-USD: buy 2 @ 10, sell 2 @ 8 (fee 0.2): realised 16 − 20 − 0.2 = −4.2, flat.
	fill("4", "ETH-USD", trade.Buy, "2", "10", "0", 4),
	fill("5", "ETH-USD", trade.Sell, "2", "8", "0.2", 5),
	// SOL-USD short: sell 3 @ 50 (fee 0.3): basis −150 + 0.3 = −149.7, avg 49.9.
	fill("6", "SOL-USD", trade.Sell, "3", "50", "0.3", 6),
}

func nd(s string) decimal.NullDecimal { return decimal.NewNullDecimal(trade.Dec(s)) }

// Hand-computed rows; marks BTC 140, SOL 40.
var (
	wantBTC = Position{Profile: "acct", Exchange: "paper", Symbol: trade.MustSymbol("BTC-USD"), Currency: "USD", Source: SourceFills,
		Qty: trade.Dec("1.5"), AvgCost: trade.Dec("111"), CostBasis: trade.Dec("166.5"),
		// value 1.5 × 140 = 210; unrealised 210 − 166.5 = 43.5 = 26.126…% of 166.5
		Last: nd("140"), MarketValue: nd("210"), UnrealizedPnL: nd("43.5"), UnrealizedPct: nd("26.1261261261261261"),
		RealizedPnL: nd("9"), Fees: nd("2.5"), Fills: 3}
	wantETH = Position{Profile: "acct", Exchange: "paper", Symbol: trade.MustSymbol("ETH-USD"), Currency: "USD", Source: SourceFills,
		Qty: trade.Dec("0"), AvgCost: trade.Dec("0"), CostBasis: trade.Dec("0"),
		MarketValue: nd("0"), UnrealizedPnL: nd("0"), UnrealizedPct: nd("0"),
		RealizedPnL: nd("-4.2"), Fees: nd("0.2"), Fills: 2}
	wantSOL = Position{Profile: "acct", Exchange: "paper", Symbol: trade.MustSymbol("SOL-USD"), Currency: "USD", Source: SourceFills,
		Qty: trade.Dec("-3"), AvgCost: trade.Dec("49.9"), CostBasis: trade.Dec("-149.7"),
		// value −3 × 40 = −120; unrealised −120 − (−149.7) = 29.7 = 19.839…% of 149.7
		Last: nd("40"), MarketValue: nd("-120"), UnrealizedPnL: nd("29.7"), UnrealizedPct: nd("19.8396793587174349"),
		RealizedPnL: nd("0"), Fees: nd("0.3"), Fills: 1}
)

type env struct {
	opts  *PositionsOptions
	out   *bytes.Buffer
	err   *bytes.Buffer
	asked [][]trade.Symbol
}

// newEnv runs positions over one paper account per profile, with fills
// from history and quotes from marks; wrap turns the paper account into
// the exchange under test.
func newEnv(t *testing.T, history map[string][]trade.Fill, wrap func(fixedQuotes) exchange.Exchange) *env {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	e := &env{}
	dir := t.TempDir()
	marks := map[string]string{"BTC-USD": "140", "SOL-USD": "40", "ETH-USD": "9", "AAPL": "200"}
	e.opts = &PositionsOptions{
		IO:     ios,
		Config: func() (*config.Config, error) { return nil, errors.New("not read: profiles given") },
		OpenExchange: func(ctx context.Context, profile string) (exchange.Exchange, config.Profile, error) {
			if profile == "down" {
				return nil, config.Profile{}, &exchange.Error{Kind: exchange.ErrUnavailable, Venue: "binance", Message: "connection refused"}
			}
			ex, err := paper.New(ctx, exchange.Params{Profile: profile, Exchange: "paper", Options: map[string]any{},
				DataDir: dir, CacheDir: dir, Now: func() time.Time { return pinned }})
			if err != nil {
				return nil, config.Profile{}, err
			}
			fq := fixedQuotes{Exchange: ex, marks: marks, asked: &e.asked}
			if wrap != nil {
				return wrap(fq), config.Profile{Name: profile}, nil
			}
			return fq, config.Profile{Name: profile}, nil
		},
		Printer: func() (*render.Printer, error) {
			return render.NewPrinter(ios, "json", "", func() time.Time { return pinned })
		},
		FillHistory: func(_ context.Context, _ exchange.Exchange, profile string, f exchange.FillFilter) ([]trade.Fill, error) {
			var out []trade.Fill
			for _, fl := range history[profile] {
				if f.Symbol.IsZero() || fl.Symbol == f.Symbol {
					out = append(out, fl)
				}
			}
			return out, nil
		},
		Profiles: []string{"acct"},
	}
	e.out, e.err = out, errOut
	return e
}

func (e *env) run(t *testing.T) ([]Position, error) {
	t.Helper()
	err := positionsRun(context.Background(), e.opts)
	var got []Position
	if s := e.out.String(); s != "" {
		if jerr := json.Unmarshal([]byte(s), &got); jerr != nil {
			t.Fatalf("output is not a list of positions: %v\n%s", jerr, s)
		}
	}
	return got, err
}

var decEqual = cmp.Options{
	cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) }),
	cmp.Comparer(func(a, b decimal.NullDecimal) bool {
		return a.Valid == b.Valid && (!a.Valid || a.Decimal.Equal(b.Decimal))
	}),
}

// TestFiguresByHand: quantity, average cost, value and P&L of longs,
// shorts and flat symbols against figures worked out by hand; flat ones
// only with --all; one quote request for what is held.
func TestFiguresByHand(t *testing.T) {
	tests := []struct {
		name      string
		all       bool
		symbol    string
		want      []Position
		wantAsked [][]trade.Symbol
	}{
		{"held only", false, "", []Position{wantBTC, wantSOL},
			[][]trade.Symbol{{trade.MustSymbol("BTC-USD"), trade.MustSymbol("SOL-USD")}}},
		{"with flat", true, "", []Position{wantBTC, wantETH, wantSOL},
			[][]trade.Symbol{{trade.MustSymbol("BTC-USD"), trade.MustSymbol("SOL-USD")}}},
		{"one symbol", false, "SOL-USD", []Position{wantSOL}, [][]trade.Symbol{{trade.MustSymbol("SOL-USD")}}},
		{"flat symbol hidden", false, "ETH-USD", []Position{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, map[string][]trade.Fill{"acct": handFills}, nil)
			e.opts.All = tc.all
			if tc.symbol != "" {
				e.opts.Symbol = trade.MustSymbol(tc.symbol)
			}
			got, err := e.run(t)
			if err != nil {
				t.Fatal(err)
			}
			if got == nil {
				got = []Position{}
			}
			if diff := cmp.Diff(tc.want, got, decEqual); diff != "" {
				t.Errorf("positions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantAsked, e.asked); diff != "" {
				t.Errorf("quote requests (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVenuePositions: where the venue keeps positions, quantity and
// average cost are its own; realised P&L and fees still come from fills.
func TestVenuePositions(t *testing.T) {
	e := newEnv(t, map[string][]trade.Fill{"acct": {
		fill("1", "AAPL", trade.Buy, "10", "150", "1", 1),
		fill("2", "AAPL", trade.Sell, "4", "180", "1", 2),
	}}, func(fq fixedQuotes) exchange.Exchange {
		// 2 more shares arrived by transfer: the venue knows, the fills do not.
		return venuePositions{fixedQuotes: fq, positions: []trade.Position{{Symbol: trade.MustSymbol("AAPL"), Qty: trade.Dec("8"), AvgCost: trade.Dec("140")}}}
	})
	got, err := e.run(t)
	if err != nil {
		t.Fatal(err)
	}
	// Fills: basis 1501 for 10, avg 150.1; sell 4: 720 − 600.4 − 1 = 118.6.
	// Venue: 8 at 140 = 1120; at 200: value 1600, unrealised 480 = 42.857…%.
	want := []Position{{Profile: "acct", Exchange: "paper", Symbol: trade.MustSymbol("AAPL"), Currency: "USD", Source: SourceVenue,
		Qty: trade.Dec("8"), AvgCost: trade.Dec("140"), CostBasis: trade.Dec("1120"),
		Last: nd("200"), MarketValue: nd("1600"), UnrealizedPnL: nd("480"), UnrealizedPct: nd("42.8571428571428571"),
		RealizedPnL: nd("118.6"), Fees: nd("2"), Fills: 2}}
	if diff := cmp.Diff(want, got, decEqual); diff != "" {
		t.Errorf("positions (-want +got):\n%s", diff)
	}
}

// TestPartialFailure: an account that cannot be opened is reported on
// stderr, the others print, and the run is a partial result (exit 8).
func TestPartialFailure(t *testing.T) {
	e := newEnv(t, map[string][]trade.Fill{"acct": handFills}, nil)
	e.opts.Profiles = []string{"acct", "down"}
	got, err := e.run(t)
	var partial *cmdutil.PartialError
	if !errors.As(err, &partial) || partial.Failed != 1 || partial.Total != 2 {
		t.Fatalf("error = %v, want 1 of 2 failed", err)
	}
	if len(got) != 2 {
		t.Errorf("printed %d positions, want acct's 2", len(got))
	}
	if want := "Error: down: binance: venue unavailable"; !strings.Contains(e.err.String(), want) {
		t.Errorf("stderr = %q, want %q", e.err.String(), want)
	}
}

// TestUnknownSymbol exits as quote does: not found, with the nearest.
func TestUnknownSymbol(t *testing.T) {
	e := newEnv(t, nil, nil)
	e.opts.Symbol = trade.MustSymbol("BTC-UDS")
	_, err := e.run(t)
	if !errors.Is(err, exchange.ErrNotFound) || !strings.Contains(err.Error(), "did you mean BTC-USD") {
		t.Fatalf("error = %v, want not found naming BTC-USD", err)
	}
	if got := cmdutil.Classify(context.Background(), err).Exit; got != 3 {
		t.Errorf("exit code = %d, want 3", got)
	}
}

// TestTable: prices at the tick, quantities at the step, money at the
// quote asset's precision, each account by its own venue's rules; a
// missing price is "-", never 0.
func TestTable(t *testing.T) {
	d := trade.Dec
	precs := map[string]render.Precision{
		"a": render.NewPrecision([]trade.Instrument{{Symbol: trade.MustSymbol("BTC-USD"), BaseAsset: "BTC", QuoteAsset: "USD",
			TickSize: d("0.01"), StepSize: d("0.00001")}}),
	}
	unpriced := wantSOL
	unpriced.Profile, unpriced.Last, unpriced.MarketValue, unpriced.UnrealizedPnL, unpriced.UnrealizedPct = "b", decimal.NullDecimal{}, decimal.NullDecimal{}, decimal.NullDecimal{}, decimal.NullDecimal{}
	btc := wantBTC
	btc.Profile = "a"
	ios, _, out, _ := iostreams.Test()
	p, _ := render.NewPrinter(ios, "table", "", func() time.Time { return pinned })
	rows := []Position{btc, unpriced}
	if err := p.Print(rows, func() *render.TableData { return Table(rows, precs, true) }); err != nil {
		t.Fatal(err)
	}
	// b has no rules at hand: its numbers show exact, still aligned on the point.
	want := "" +
		"PROFILE  SYMBOL        QTY  AVG COST    LAST   VALUE  UNREALISED      %  REALISED  FEES\n" +
		"a        BTC-USD   1.50000  111.0000  140.00  210.00       43.50  26.13      9.00  2.50\n" +
		"b        SOL-USD  -3         49.9          -       -           -      -      0     0.3 \n"
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s\ngot:\n%s", diff, out.String())
	}
}
