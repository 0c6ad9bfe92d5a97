package venuebook

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"

	"github.com/tradectl/tradectl/internal/exchange"
	"github.com/tradectl/tradectl/internal/trade"
)

var decimalEqual = cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })

var btc = trade.Symbol{Base: "BTC", Quote: "USD"}

func lvl(p, q string) trade.BookLevel {
	return trade.BookLevel{Price: decimal.RequireFromString(p), Qty: decimal.RequireFromString(q)}
}

// pairs is a wire level as Binance sends it: [price, qty].
var pairs = Levels[[2]string]{Level: func(l [2]string) (string, string, error) { return l[0], l[1], nil }}

func TestLevelsSide(t *testing.T) {
	tests := []struct {
		name    string
		in      [][2]string
		want    []trade.BookLevel
		wantErr string // a substring; "" for none
	}{
		{name: "empty", in: nil, want: []trade.BookLevel{}},
		{name: "levels in order", in: [][2]string{{"100.5", "2"}, {"100", "0"}},
			want: []trade.BookLevel{lvl("100.5", "2"), lvl("100", "0")}},
		{name: "malformed price names the level", in: [][2]string{{"1", "1"}, {"x", "1"}}, wantErr: "bids[1] price"},
		{name: "malformed quantity names the level", in: [][2]string{{"1", "1,5"}}, wantErr: "bids[0] quantity"},
		{name: "zero price", in: [][2]string{{"0", "1"}}, wantErr: "bids[0]: level 0 × 1 is not a price and a quantity"},
		{name: "empty price reads as zero", in: [][2]string{{"", "1"}}, wantErr: "is not a price"},
		{name: "negative quantity", in: [][2]string{{"1", "-1"}}, wantErr: "bids[0]: level 1 × -1 is not"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pairs.Side("bids", tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Side = %v, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, decimalEqual); diff != "" {
				t.Errorf("Side (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLevelsWireErrorAndNumber(t *testing.T) {
	errShort := errors.New("1 field, want 2")
	rows := Levels[[]string]{
		Level: func(r []string) (string, string, error) {
			if len(r) < 2 {
				return "", "", errShort
			}
			return r[0], r[1], nil
		},
		// A venue's own reader: here one that refuses exponents.
		Number: func(field, s string) (decimal.Decimal, error) {
			if strings.ContainsAny(s, "eE") {
				return decimal.Zero, fmt.Errorf("%s: exponent in %q", field, s)
			}
			return decimal.NewFromString(s)
		},
	}
	if _, err := rows.Side("asks", [][]string{{"1", "1"}, {"1"}}); !errors.Is(err, errShort) || !strings.HasPrefix(err.Error(), "asks[1]: ") {
		t.Errorf("short row: %v, want asks[1] wrapping %v", err, errShort)
	}
	if _, err := rows.Side("asks", [][]string{{"1e2", "1"}}); err == nil || err.Error() != `asks[0] price: exponent in "1e2"` {
		t.Errorf("venue reader: %v, want its own error naming asks[0] price", err)
	}
}

func TestLevelsBook(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name       string
		bids, asks [][2]string
		depth      int
		want       trade.Book
		wantErr    string
	}{
		{name: "sorted, empty levels dropped, cut to depth",
			bids:  [][2]string{{"99", "1"}, {"100", "2"}, {"98", "0"}, {"97", "1"}},
			asks:  [][2]string{{"102", "1"}, {"101", "3"}},
			depth: 2,
			want: trade.Book{Symbol: btc, Time: at,
				Bids: []trade.BookLevel{lvl("100", "2"), lvl("99", "1")},
				Asks: []trade.BookLevel{lvl("101", "3"), lvl("102", "1")}}},
		{name: "a bad ask fails the book", bids: [][2]string{{"1", "1"}}, asks: [][2]string{{"2", "x"}}, wantErr: "asks[0] quantity"},
		{name: "crossed", bids: [][2]string{{"101", "1"}}, asks: [][2]string{{"100", "1"}}, wantErr: "crossed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := pairs.Book(btc, at, tt.depth, tt.bids, tt.asks)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Book = %v, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, decimalEqual); diff != "" {
				t.Errorf("Book (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLimit(t *testing.T) {
	tests := []struct{ depth, def, max, want int }{
		{depth: 0, def: 100, max: 500, want: 100},
		{depth: -3, def: 100, max: 500, want: 100},
		{depth: 20, def: 100, max: 500, want: 20},
		{depth: 500, def: 100, max: 500, want: 500},
		{depth: 501, def: 100, max: 500, want: 500},
		{depth: 9000, def: 100, max: 0, want: 9000},
	}
	for _, tt := range tests {
		if got := Limit(tt.depth, tt.def, tt.max); got != tt.want {
			t.Errorf("Limit(%d, %d, %d) = %d, want %d", tt.depth, tt.def, tt.max, got, tt.want)
		}
	}
}

func TestIntervals(t *testing.T) {
	// A table without 4h, as Coinbase's candles endpoint.
	table := map[trade.Interval]string{trade.Interval1d: "ONE_DAY", trade.Interval1m: "ONE_MINUTE", trade.Interval1h: "ONE_HOUR"}
	want := []trade.Interval{trade.Interval1m, trade.Interval1h, trade.Interval1d}
	if diff := cmp.Diff(want, Intervals(table)); diff != "" {
		t.Errorf("Intervals (-want +got):\n%s", diff)
	}
	if got := Intervals(map[trade.Interval]int{}); len(got) != 0 {
		t.Errorf("Intervals(empty) = %v, want none", got)
	}

	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := trade.CandleRange{Interval: trade.Interval1h, Since: since, Until: since.Add(24 * time.Hour), Limit: 10}
	if got, err := Interval("coinbase", table, ok); err != nil || got != "ONE_HOUR" {
		t.Errorf("Interval(1h) = %q, %v; want ONE_HOUR", got, err)
	}
	unserved := ok
	unserved.Interval = trade.Interval4h
	_, err := Interval("coinbase", table, unserved)
	if !errors.Is(err, exchange.ErrInvalidOrder) || !strings.Contains(err.Error(), "it offers 1m, 1h, 1d") {
		t.Errorf("Interval(4h) = %v, want an invalid-order error listing 1m, 1h, 1d", err)
	}
	backwards := ok
	backwards.Until = since.Add(-time.Hour)
	if _, err := Interval("coinbase", table, backwards); err == nil {
		t.Errorf("Interval(until before since) = nil error, want the range refused")
	}
}

func TestCandleAndRows(t *testing.T) {
	open := time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("x", 3600))
	d := decimal.RequireFromString
	type row struct {
		t     time.Time
		ohlcv [5]string
	}
	read := func(r row) (trade.Candle, error) { return Candle(btc, r.t, r.ohlcv, nil) }
	tests := []struct {
		name    string
		rows    []row
		want    []trade.Candle
		wantErr string
	}{
		{name: "two candles, times in UTC",
			rows: []row{{open, [5]string{"10", "12", "9", "11", "3.5"}}, {open.Add(time.Hour), [5]string{"11", "11", "11", "11", ""}}},
			want: []trade.Candle{
				{Symbol: btc, Time: open.UTC(), Open: d("10"), High: d("12"), Low: d("9"), Close: d("11"), Volume: d("3.5")},
				{Symbol: btc, Time: open.Add(time.Hour).UTC(), Open: d("11"), High: d("11"), Low: d("11"), Close: d("11"), Volume: decimal.Zero},
			}},
		{name: "malformed number names the row and field", rows: []row{{open, [5]string{"10", "12", "9", "11", "3"}}, {open, [5]string{"1", "1", "x", "1", "1"}}}, wantErr: "kline 1: low: "},
		{name: "high below low is refused", rows: []row{{open, [5]string{"10", "9", "12", "11", "1"}}}, wantErr: "kline 0: "},
		{name: "zero open is refused", rows: []row{{open, [5]string{"0", "1", "1", "1", "1"}}}, wantErr: "kline 0: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Rows("kline", tt.rows, read)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("Rows = %v, %v; want an error starting %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, decimalEqual); diff != "" {
				t.Errorf("Rows (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzLevelsAndCandle feeds arbitrary text to the level and candle readers:
// they may refuse it, never panic, and what they accept holds their
// promises (a positive price, a quantity not negative, a valid candle).
func FuzzLevelsAndCandle(f *testing.F) {
	f.Add("100.5", "2", "1", "2", "0.5", "1.5", "10")
	f.Add("", "-1", "x", "1e5", "0", "0", "")
	f.Fuzz(func(t *testing.T, price, qty, o, h, l, c, v string) {
		if got, err := pairs.Side("bids", [][2]string{{price, qty}}); err == nil {
			if len(got) != 1 || !got[0].Price.IsPositive() || got[0].Qty.IsNegative() {
				t.Fatalf("Side(%q, %q) = %v", price, qty, got)
			}
		}
		if got, err := Candle(btc, time.Unix(0, 0), [5]string{o, h, l, c, v}, nil); err == nil {
			if err := got.Validate(); err != nil {
				t.Fatalf("Candle accepted an invalid candle %+v: %v", got, err)
			}
		}
	})
}
