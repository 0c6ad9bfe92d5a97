package pnl

import (
	"math/rand/v2"
	"testing"
	"time"
	// The tests use real zones with daylight saving on any machine, with
	// or without a zone database; only the test binary carries it.
	_ "time/tzdata"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/trade"
)

var (
	btcUSDT = trade.MustSymbol("BTC-USDT")
	newYork = mustZone("America/New_York")
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// tf is a fill at an RFC 3339 time; the fee is in the quote asset unless
// feeAsset says otherwise.
func tf(at string, sym trade.Symbol, side trade.Side, qty, price, fee string, feeAsset ...string) trade.Fill {
	asset := sym.Quote
	if len(feeAsset) > 0 {
		asset = feeAsset[0]
	}
	return trade.Fill{ID: at + string(side), Symbol: sym, Side: side, Qty: d(qty), Price: d(price), Fee: d(fee), FeeAsset: asset, Time: utc(at)}
}

// line builds an expected PeriodLine; start is RFC 3339 (its offset is the
// report's location, and only the instant is compared).
func line(start, label string, sym trade.Symbol, realized, fees, volume, buy, sell string, fills int) PeriodLine {
	return PeriodLine{Account: "acct", Start: utc(start), Period: label, Symbol: sym, Currency: sym.Quote,
		RealizedPnL: d(realized), Fees: d(fees), Volume: d(volume), BuyQty: d(buy), SellQty: d(sell), Fills: fills}
}

func TestPeriodStartAndLabel(t *testing.T) {
	tests := []struct {
		name      string
		by        Period
		loc       *time.Location
		at        string
		wantStart string
		wantLabel string
	}{
		{"day, UTC", Day, nil, "2026-03-05T23:59:59Z", "2026-03-05T00:00:00Z", "2026-03-05"},
		{"month, UTC", Month, nil, "2026-03-31T23:59:59Z", "2026-03-01T00:00:00Z", "2026-03"},
		// 2026-03-01 is a Sunday: still the ISO week that began on Monday 23 February.
		{"week, Sunday night", Week, nil, "2026-03-01T23:59:59Z", "2026-02-23T00:00:00Z", "2026-W09"},
		{"week, Monday midnight", Week, nil, "2026-03-02T00:00:00Z", "2026-03-02T00:00:00Z", "2026-W10"},
		// 1 January 2026 is a Thursday: ISO week 1 of 2026 began in 2025.
		{"week across New Year", Week, nil, "2026-01-01T12:00:00Z", "2025-12-29T00:00:00Z", "2026-W01"},
		// 1 January 2027 is a Friday: it belongs to the last week of 2026, W53.
		{"week 53", Week, nil, "2027-01-01T12:00:00Z", "2026-12-28T00:00:00Z", "2026-W53"},
		// 04:59:59Z is 23:59:59 EST on the 9th; 05:00Z is midnight of the 10th.
		{"day ends at local midnight", Day, newYork, "2026-01-10T04:59:59Z", "2026-01-09T05:00:00Z", "2026-01-09"},
		{"day starts at local midnight", Day, newYork, "2026-01-10T05:00:00Z", "2026-01-10T05:00:00Z", "2026-01-10"},
		// New York moves to EDT (-4) on Sunday 8 March 2026 at 02:00. The week of
		// Monday 9 March starts at its midnight EDT, 04:00Z, not 24h×7 after the
		// previous Monday's midnight EST (05:00Z).
		{"week after daylight saving starts", Week, newYork, "2026-03-09T04:30:00Z", "2026-03-09T04:00:00Z", "2026-W11"},
		{"week holding the change", Week, newYork, "2026-03-09T03:59:59Z", "2026-03-02T05:00:00Z", "2026-W10"},
		// 00:30Z on 1 March is still 28 February in New York.
		{"month in a zone", Month, newYork, "2026-03-01T00:30:00Z", "2026-02-01T05:00:00Z", "2026-02"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := tc.by.Start(utc(tc.at), tc.loc)
			if !start.Equal(utc(tc.wantStart)) {
				t.Errorf("Start = %s, want %s", start.UTC().Format(time.RFC3339), tc.wantStart)
			}
			if tc.loc != nil && start.Location() != tc.loc {
				t.Errorf("Start is in %s, want %s", start.Location(), tc.loc)
			}
			if got := tc.by.Label(start); got != tc.wantLabel {
				t.Errorf("Label = %q, want %q", got, tc.wantLabel)
			}
		})
	}
}

func TestParsePeriod(t *testing.T) {
	for _, s := range []string{"day", "Week", " month "} {
		if _, err := ParsePeriod(s); err != nil {
			t.Errorf("ParsePeriod(%q): %v", s, err)
		}
	}
	for _, s := range []string{"", "year", "days"} {
		if p, err := ParsePeriod(s); err == nil {
			t.Errorf("ParsePeriod(%q) = %q, want an error", s, p)
		}
	}
}

func TestByPeriod(t *testing.T) {
	buy, sell := trade.Buy, trade.Sell
	withOther := func(l PeriodLine, asset, fee string) PeriodLine {
		l.OtherFees = map[string]decimal.Decimal{asset: d(fee)}
		return l
	}
	inZone := func(l PeriodLine, c string) PeriodLine { l.Currency = c; return l }
	tests := []struct {
		name  string
		fills []trade.Fill
		opts  PeriodOptions
		want  []PeriodLine
	}{
		{
			name: "bought in one month, sold in the next",
			fills: []trade.Fill{
				tf("2026-01-15T10:00:00Z", btc, buy, "1", "100", "0.1"),
				tf("2026-02-03T10:00:00Z", btc, sell, "1", "110", "0.11"),
			},
			opts: PeriodOptions{By: Month},
			want: []PeriodLine{
				// Opening: the fee goes into the basis (100.1), nothing realised.
				line("2026-01-01T00:00:00Z", "2026-01", btc, "0", "0.1", "100", "1", "0", 1),
				// Closing: 110 − 100.1 − 0.11 = 9.79, all in February.
				line("2026-02-01T00:00:00Z", "2026-02", btc, "9.79", "0.11", "110", "0", "1", 1),
			},
		},
		{
			name: "partial closes",
			fills: []trade.Fill{
				// basis 2×100 + 0.2 = 200.2, average 100.1
				tf("2026-03-02T09:00:00Z", btc, buy, "2", "100", "0.2"),
				// 0.5×120 − 0.5×100.1 − 0.06 = 60 − 50.05 − 0.06 = 9.89
				tf("2026-03-03T09:00:00Z", btc, sell, "0.5", "120", "0.06"),
				// 0.5×90 − 0.5×100.1 − 0.045 = 45 − 50.05 − 0.045 = −5.095
				tf("2026-03-03T15:00:00Z", btc, sell, "0.5", "90", "0.045"),
				// the last 1 releases the basis left, 200.2 − 100.1 = 100.1: 100 − 100.1 = −0.1
				tf("2026-03-04T09:00:00Z", btc, sell, "1", "100", "0"),
			},
			opts: PeriodOptions{By: Day},
			want: []PeriodLine{
				line("2026-03-02T00:00:00Z", "2026-03-02", btc, "0", "0.2", "200", "2", "0", 1),
				// 9.89 − 5.095 = 4.795; fees 0.06 + 0.045; volume 60 + 45
				line("2026-03-03T00:00:00Z", "2026-03-03", btc, "4.795", "0.105", "105", "0", "1", 2),
				line("2026-03-04T00:00:00Z", "2026-03-04", btc, "-0.1", "0", "100", "0", "1", 1),
			},
		},
		{
			name: "a short, covered in two steps, the second going long",
			fills: []trade.Fill{
				// short 2: basis −100 + 0.1 = −99.9, average entry 49.95
				tf("2026-03-02T09:00:00Z", eth, sell, "2", "50", "0.1"),
				// cover 1: 49.95 − 40 − 0.04 = 9.91
				tf("2026-03-03T09:00:00Z", eth, buy, "1", "40", "0.04"),
				// cover the last 1 and go long 2: a third of the fee, 0.045,
				// is the close's: 49.95 − 45 − 0.045 = 4.905
				tf("2026-03-04T09:00:00Z", eth, buy, "3", "45", "0.135"),
			},
			opts: PeriodOptions{By: Day},
			want: []PeriodLine{
				line("2026-03-02T00:00:00Z", "2026-03-02", eth, "0", "0.1", "100", "0", "2", 1),
				line("2026-03-03T00:00:00Z", "2026-03-03", eth, "9.91", "0.04", "40", "1", "0", 1),
				line("2026-03-04T00:00:00Z", "2026-03-04", eth, "4.905", "0.135", "135", "3", "0", 1),
			},
		},
		{
			name: "fees in the quote and in BNB",
			fills: []trade.Fill{
				// BNB fee: not in the basis (100) nor in P&L, counted apart
				tf("2026-03-02T09:00:00Z", btcUSDT, buy, "1", "100", "0.001", "bnb"),
				// 105 − 100 − 0.05 = 4.95
				tf("2026-03-02T10:00:00Z", btcUSDT, sell, "1", "105", "0.05"),
				// next day: another BNB-paid round trip, 0 realised, fees only in BNB
				tf("2026-03-03T10:00:00Z", btcUSDT, buy, "1", "100", "0.002", "BNB"),
				tf("2026-03-03T11:00:00Z", btcUSDT, sell, "1", "100", "0.003", "BNB"),
			},
			opts: PeriodOptions{By: Day},
			want: []PeriodLine{
				withOther(line("2026-03-02T00:00:00Z", "2026-03-02", btcUSDT, "4.95", "0.05", "205", "1", "1", 2), "BNB", "0.001"),
				// 0.002 + 0.003
				withOther(line("2026-03-03T00:00:00Z", "2026-03-03", btcUSDT, "0", "0", "200", "1", "1", 2), "BNB", "0.005"),
			},
		},
		{
			name: "a day boundary at New York midnight",
			fills: []trade.Fill{
				// 23:59:59 EST on the 9th
				tf("2026-01-10T04:59:59Z", btc, buy, "1", "100", "0"),
				// 00:00:00 EST on the 10th: 101 − 100 = 1
				tf("2026-01-10T05:00:00Z", btc, sell, "1", "101", "0"),
			},
			opts: PeriodOptions{By: Day, Location: newYork},
			want: []PeriodLine{
				line("2026-01-09T05:00:00Z", "2026-01-09", btc, "0", "0", "100", "1", "0", 1),
				line("2026-01-10T05:00:00Z", "2026-01-10", btc, "1", "0", "101", "0", "1", 1),
			},
		},
		{
			name: "the same fills in UTC share a day",
			fills: []trade.Fill{
				tf("2026-01-10T04:59:59Z", btc, buy, "1", "100", "0"),
				tf("2026-01-10T05:00:00Z", btc, sell, "1", "101", "0"),
			},
			opts: PeriodOptions{By: Day},
			want: []PeriodLine{
				line("2026-01-10T00:00:00Z", "2026-01-10", btc, "1", "0", "201", "1", "1", 2),
			},
		},
		{
			name: "Sunday and Monday are different weeks",
			fills: []trade.Fill{
				// Sunday 1 March 2026, week 9
				tf("2026-03-01T23:59:59Z", btc, buy, "2", "100", "0"),
				// Monday 2 March, week 10: 1×(120 − 100) = 20
				tf("2026-03-02T00:00:00Z", btc, sell, "1", "120", "0"),
				// Sunday 8 March, still week 10: 1×(80 − 100) = −20
				tf("2026-03-08T23:00:00Z", btc, sell, "1", "80", "0"),
			},
			opts: PeriodOptions{By: Week},
			want: []PeriodLine{
				line("2026-02-23T00:00:00Z", "2026-W09", btc, "0", "0", "200", "2", "0", 1),
				// 20 − 20 = 0 realised; volume 120 + 80
				line("2026-03-02T00:00:00Z", "2026-W10", btc, "0", "0", "200", "0", "2", 2),
			},
		},
		{
			name: "several symbols in a period, sorted by symbol",
			fills: []trade.Fill{
				tf("2026-03-02T09:00:00Z", eth, buy, "1", "10", "0"),
				tf("2026-03-02T09:00:00Z", btc, buy, "1", "100", "0"),
				// 12 − 10 = 2
				tf("2026-03-05T09:00:00Z", eth, sell, "1", "12", "0"),
			},
			opts: PeriodOptions{By: Month},
			want: []PeriodLine{
				line("2026-03-01T00:00:00Z", "2026-03", btc, "0", "0", "100", "1", "0", 1),
				line("2026-03-01T00:00:00Z", "2026-03", eth, "2", "0", "22", "1", "1", 2),
			},
		},
		{
			name: "since: earlier fills build the basis but are not reported",
			fills: []trade.Fill{
				tf("2026-01-15T10:00:00Z", btc, buy, "1", "100", "0.1"),
				tf("2026-02-03T10:00:00Z", btc, sell, "1", "110", "0.11"),
			},
			opts: PeriodOptions{By: Month, Since: utc("2026-02-01T00:00:00Z")},
			want: []PeriodLine{
				// 110 − 100.1 − 0.11, against January's basis
				line("2026-02-01T00:00:00Z", "2026-02", btc, "9.79", "0.11", "110", "0", "1", 1),
			},
		},
		{
			name: "since inside a period: that period counts the fills from since on",
			fills: []trade.Fill{
				tf("2026-02-01T10:00:00Z", btc, buy, "2", "100", "0"),
				tf("2026-02-10T10:00:00Z", btc, sell, "1", "110", "0"),
				// 1×(130 − 100) = 30
				tf("2026-02-20T10:00:00Z", btc, sell, "1", "130", "0"),
			},
			opts: PeriodOptions{By: Month, Since: utc("2026-02-15T00:00:00Z")},
			want: []PeriodLine{
				line("2026-02-01T00:00:00Z", "2026-02", btc, "30", "0", "130", "0", "1", 1),
			},
		},
		{
			name: "until: fills at or after it are left out",
			fills: []trade.Fill{
				tf("2026-02-01T10:00:00Z", btc, buy, "1", "100", "0"),
				tf("2026-02-10T10:00:00Z", btc, sell, "1", "110", "0"),
			},
			opts: PeriodOptions{By: Month, Until: utc("2026-02-10T10:00:00Z")},
			want: []PeriodLine{
				line("2026-02-01T00:00:00Z", "2026-02", btc, "0", "0", "100", "1", "0", 1),
			},
		},
		{
			name: "fills out of order are taken in time order",
			fills: []trade.Fill{
				// given newest first: 110 − 100 = 10
				tf("2026-02-10T10:00:00Z", btc, sell, "1", "110", "0"),
				tf("2026-01-10T10:00:00Z", btc, buy, "1", "100", "0"),
			},
			opts: PeriodOptions{By: Month},
			want: []PeriodLine{
				line("2026-01-01T00:00:00Z", "2026-01", btc, "0", "0", "100", "1", "0", 1),
				line("2026-02-01T00:00:00Z", "2026-02", btc, "10", "0", "110", "0", "1", 1),
			},
		},
		{
			name: "a ticker's currency comes from Currency",
			fills: []trade.Fill{
				tf("2026-03-02T15:00:00Z", aapl, buy, "10", "200", "1", "USD"),
				// 10×210 − (2000 + 1) − 1 = 98
				tf("2026-03-03T15:00:00Z", aapl, sell, "10", "210", "1", "USD"),
			},
			opts: PeriodOptions{By: Month, Currency: func(trade.Symbol) string { return "USD" }},
			want: []PeriodLine{
				inZone(line("2026-03-01T00:00:00Z", "2026-03", aapl, "98", "2", "4100", "10", "10", 2), "USD"),
			},
		},
		{
			name:  "no fills",
			fills: nil,
			opts:  PeriodOptions{By: Day},
			want:  []PeriodLine{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Account = "acct"
			got, err := ByPeriod(tc.fills, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, decimalsEqual); diff != "" {
				t.Errorf("ByPeriod (-want +got):\n%s", diff)
			}
		})
	}
}

func TestByPeriodLabelsTheLocalPeriod(t *testing.T) {
	// Start is a time in the report's location, so its label and its
	// RFC 3339 form both read as the local period.
	got, err := ByPeriod([]trade.Fill{tf("2026-03-01T00:30:00Z", btc, trade.Buy, "1", "100", "0")}, PeriodOptions{By: Month, Location: newYork})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d lines, want 1", len(got))
	}
	if s := got[0].Start.Format(time.RFC3339); s != "2026-02-01T00:00:00-05:00" || got[0].Period != "2026-02" {
		t.Errorf("start %s, period %s; want 2026-02-01T00:00:00-05:00, 2026-02", s, got[0].Period)
	}
}

func TestByPeriodRefusesBadFills(t *testing.T) {
	fills := []trade.Fill{
		tf("2026-03-02T09:00:00Z", btc, trade.Buy, "1", "100", "0"),
		{ID: "bad", Symbol: btc, Side: "hold", Qty: d("1"), Price: d("1"), Time: utc("2026-03-03T09:00:00Z")},
	}
	if got, err := ByPeriod(fills, PeriodOptions{}); err == nil {
		t.Fatalf("ByPeriod = %v, want an error for fill bad", got)
	}
}

func TestSumPeriods(t *testing.T) {
	march, april := utc("2026-03-01T00:00:00Z"), utc("2026-04-01T00:00:00Z")
	l := func(account string, start time.Time, label string, sym trade.Symbol, realized, fees, volume string, fills int) PeriodLine {
		return PeriodLine{Account: account, Start: start, Period: label, Symbol: sym, Currency: sym.Quote,
			RealizedPnL: d(realized), Fees: d(fees), Volume: d(volume), Fills: fills}
	}
	bnb := l("b", march, "2026-03", btcUSDT, "-1.5", "0.2", "1000", 4)
	bnb.OtherFees = map[string]decimal.Decimal{"BNB": d("0.01")}
	lines := []PeriodLine{
		l("a", march, "2026-03", btc, "10.25", "1", "500", 2),
		l("a", march, "2026-03", eth, "-3", "0.5", "70", 3),
		l("b", march, "2026-03", btc, "0.75", "0.25", "30", 1),
		bnb,
		l("a", april, "2026-04", btc, "2", "0", "10", 1),
	}
	want := []PeriodTotal{
		// USD in March, two accounts and two symbols: 10.25 − 3 + 0.75 = 8;
		// fees 1 + 0.5 + 0.25 = 1.75; volume 500 + 70 + 30 = 600
		{Start: march, Period: "2026-03", Currency: "USD", RealizedPnL: d("8"), Fees: d("1.75"), Volume: d("600"), Fills: 6, Lines: 3},
		// USDT never joins USD
		{Start: march, Period: "2026-03", Currency: "USDT", RealizedPnL: d("-1.5"), Fees: d("0.2"), Volume: d("1000"), Fills: 4, Lines: 1,
			OtherFees: map[string]decimal.Decimal{"BNB": d("0.01")}},
		{Start: april, Period: "2026-04", Currency: "USD", RealizedPnL: d("2"), Fees: d("0"), Volume: d("10"), Fills: 1, Lines: 1},
	}
	if diff := cmp.Diff(want, SumPeriods(lines), decimalsEqual); diff != "" {
		t.Errorf("SumPeriods (-want +got):\n%s", diff)
	}
}

// TestByPeriodAddsUpToFromFills checks, over random histories, that the
// periods together say what the positions say: realised P&L, fees and
// fill counts per symbol, exactly, whatever the period length and zone.
func TestByPeriodAddsUpToFromFills(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func(options ...string) decimal.Decimal { return d(options[rng.IntN(len(options))]) }
	symbols := []trade.Symbol{btc, eth, btcUSDT}
	start := utc("2025-12-20T00:00:00Z")
	for run := range 100 {
		var fills []trade.Fill
		at := start
		for i := range 1 + rng.IntN(40) {
			// Steps from seconds to weeks, so periods hold zero, one or many fills.
			at = at.Add(time.Duration(rng.IntN(10*24*3600)) * time.Second)
			sym := symbols[rng.IntN(len(symbols))]
			f := trade.Fill{
				ID:     string(rune('a' + i)),
				Symbol: sym,
				Side:   trade.Sides[rng.IntN(2)],
				Qty:    pick("0", "0.001", "1", "3", "7", "0.3333", "10"),
				Price:  pick("0", "1", "99.99", "100.01", "60000", "0.000001"),
				Fee:    pick("0", "0.01", "0.07", "1", "-0.003"),
			}
			f.FeeAsset = sym.Quote
			if rng.IntN(4) == 0 {
				f.FeeAsset = "BNB"
			}
			f.Time = at
			fills = append(fills, f)
		}
		positions, err := FromFills("acct", fills)
		if err != nil {
			t.Fatal(err)
		}
		for _, by := range Periods {
			for _, loc := range []*time.Location{time.UTC, newYork} {
				lines, err := ByPeriod(fills, PeriodOptions{Account: "acct", By: by, Location: loc})
				if err != nil {
					t.Fatal(err)
				}
				got := map[trade.Symbol]Position{}
				for _, l := range lines {
					p := got[l.Symbol]
					p.Account, p.Symbol = "acct", l.Symbol
					p.RealizedPnL = p.RealizedPnL.Add(l.RealizedPnL)
					p.Fees = p.Fees.Add(l.Fees)
					p.Fills += l.Fills
					for asset, fee := range l.OtherFees {
						if p.OtherFees == nil {
							p.OtherFees = map[string]decimal.Decimal{}
						}
						p.OtherFees[asset] = p.OtherFees[asset].Add(fee)
					}
					got[l.Symbol] = p
				}
				want := map[trade.Symbol]Position{}
				for _, p := range positions {
					want[p.Symbol] = Position{Account: p.Account, Symbol: p.Symbol, RealizedPnL: p.RealizedPnL, Fees: p.Fees, OtherFees: p.OtherFees, Fills: p.Fills}
				}
				if diff := cmp.Diff(want, got, decimalsEqual); diff != "" {
					t.Fatalf("run %d, by %s in %s: periods and positions differ (-positions +periods):\n%s", run, by, loc, diff)
				}
			}
		}
	}
}

// BenchmarkByPeriod: a year of 10,000 fills over three symbols, by day.
func BenchmarkByPeriod(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	symbols := []trade.Symbol{btc, eth, btcUSDT}
	fills := make([]trade.Fill, 10_000)
	at := utc("2026-01-01T00:00:00Z")
	for i := range fills {
		at = at.Add(time.Duration(rng.IntN(6300)) * time.Second)
		fills[i] = trade.Fill{Symbol: symbols[rng.IntN(3)], Side: trade.Sides[rng.IntN(2)], Qty: d("0.5"), Price: d("100.25"), Fee: d("0.05"), FeeAsset: "USD", Time: at}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ByPeriod(fills, PeriodOptions{By: Day, Location: newYork}); err != nil {
			b.Fatal(err)
		}
	}
}
